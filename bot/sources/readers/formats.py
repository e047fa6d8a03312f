"""Subtitle, Podcasting 2.0 JSON and HTML transcripts (parsed by maintained libraries)."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from typing import Any

import srt
import webvtt
from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
from bs4.element import CData, NavigableString, PageElement, Tag

from bot.errors import TranscriptError
from bot.sources.readers.text import NAME, more_than, mostly
from summarizers.model import RawSegment

_BLOCKS = {
    "p",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "dt",
    "dd",
    "tr",
    "pre",
    "section",
    "article",
    "header",
    "table",
    "ul",
    "ol",
    "main",
}
_CUE_SPEAKER = re.compile(r"^\s*\[([^\]\n]{1,60})\]:\s*(.*)$", re.DOTALL)
_CUE_NAME = re.compile(r"^(" + NAME + r"):\s+(.*)$", re.DOTALL)
# BeautifulSoup keeps about 2 KB and 40 us an element: a page of 400,000 unclosed tags
# (4 MB) took 16 s and 835 MB. A transcript page holds a few thousand (one per paragraph,
# or per word where words are timed); the limit bounds a hostile page to about 4 s, 250 MB.
MAX_HTML_ELEMENTS = 100_000
_TAG_START = re.compile(r"<[A-Za-z]")
_TAG = re.compile(r"<[^<>]*>")  # not `<[^>]+>`: quadratic on thousands of unclosed "<"
_VTT_TIMING = re.compile(
    r"^\s*(?:\d+:)?\d{1,2}:\d{2}\.\d{3}\s+-->\s+(?:\d+:)?\d{1,2}:\d{2}\.\d{3}(?:\s+.*)?$"
)
_SRT_TIMING = re.compile(
    r"^\s*\d+:\d{1,2}:\d{1,2}[,.]\d{1,3}\s*-->\s*\d+:\d{1,2}:\d{1,2}[,.]\d{1,3}"
)


def _speaker_and_text(text: str, voice: str | None = None) -> tuple[str | None, str]:
    """Split `[Speaker]: words` cue text; a `<v Speaker>` voice tag wins."""
    text = " ".join(_TAG.sub("", text).split())
    m = _CUE_SPEAKER.match(text)
    if m:
        return voice or m.group(1).strip(), m.group(2).strip()
    return voice, text


def _named_cues(segments: list[RawSegment]) -> list[RawSegment]:
    """`Name: words` cue text (Zoom's VTT, many SRT exports) gives the cue's speaker, when
    no cue has a speaker yet and most cues start that way ("Note: ..." in one cue does not)."""
    if any(seg.speaker for seg in segments):
        return segments
    matches = [_CUE_NAME.match(seg.text) for seg in segments]
    named = sum(m is not None for m in matches)
    if not mostly(named, len(segments)):
        return segments
    out = []
    for seg, m in zip(segments, matches, strict=True):
        if m is not None:
            seg = RawSegment(m.group(2).strip(), seg.start, seg.end, m.group(1))
        out.append(seg)
    return out


def parse_srt(text: str) -> list[RawSegment]:
    """SubRip cues; a malformed file is reported with the line where parsing stopped."""
    _check_srt_cues(text)
    try:
        subs = list(srt.parse(text))
    except srt.SRTParseError as exc:
        line = text.count("\n", 0, exc.expected_start) + 1
        raise TranscriptError(
            f"malformed SubRip (.srt) file at line {line}: expected a cue number and a "
            "'00:00:01,000 --> 00:00:04,000' timing line"
        ) from None
    except ValueError as exc:
        raise TranscriptError(f"malformed SubRip (.srt) file: {exc}") from None
    segments = []
    for sub in subs:
        speaker, body = _speaker_and_text(sub.content)
        segments.append(
            RawSegment(body, sub.start.total_seconds(), sub.end.total_seconds(), speaker)
        )
    return _named_cues(segments)


def _check_srt_cues(text: str) -> None:
    """A cue number whose next line is not a timing: the srt library would fold that cue's
    words (and its number) into the previous cue, so say which line is wrong instead."""
    lines = text.splitlines()
    for i, line in enumerate(lines[:-1]):
        follows_blank = i == 0 or not lines[i - 1].strip()
        after = lines[i + 1]
        if follows_blank and line.strip().isdigit() and after.strip():
            if not _SRT_TIMING.match(after):
                raise TranscriptError(
                    f"malformed SubRip (.srt) file at line {i + 2}: cue {line.strip()} has no "
                    f"'00:00:01,000 --> 00:00:04,000' timing line, got {after.strip()[:60]!r}"
                )


def looks_like_srt(text: str) -> bool:
    lines = [line for line in text.lstrip("\ufeff").splitlines()[:6] if line.strip()]
    return len(lines) >= 2 and lines[0].strip().isdigit() and bool(_SRT_TIMING.match(lines[1]))


def parse_vtt(text: str) -> list[RawSegment]:
    """WebVTT cues, with `<v Speaker>` voice tags and `[Speaker]: words` or `Name: words`
    cue text."""
    lines = text.splitlines()
    if not lines or not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise TranscriptError("malformed WebVTT file at line 1: it must start with 'WEBVTT'")
    for number, line in enumerate(lines, start=1):
        if "-->" in line and not _VTT_TIMING.match(line):
            raise TranscriptError(
                f"malformed WebVTT file at line {number}: expected a timing like "
                f"'00:00:01.000 --> 00:00:04.000', got {line.strip()[:60]!r}"
            )
    _check_vtt_blocks(lines)
    try:
        captions = webvtt.from_string(text)
    except Exception as exc:  # webvtt raises several error types for broken files
        raise TranscriptError(f"malformed WebVTT file: {exc}") from None
    segments = []
    for cue in captions.captions:
        speaker, body = _speaker_and_text(cue.text, cue.voice)
        segments.append(RawSegment(body, _seconds(cue.start_time), _seconds(cue.end_time), speaker))
    return _named_cues(segments)


def _check_vtt_blocks(lines: list[str]) -> None:
    """A block of text with no timing line: WebVTT parsers skip it, so its words would be
    lost without a word; name its line instead (NOTE, STYLE and REGION blocks are fine)."""
    start: int | None = None
    for number, line in enumerate([*lines, ""], start=1):
        # only an empty line ends a block: a line of spaces is cue text (YouTube's automatic
        # captions start each cue with one), as in the WebVTT spec and the webvtt library
        if line:
            if start is None:
                start = number
            continue
        if start is not None and start > 1:  # the header block (WEBVTT ...) is not a cue
            block = lines[start - 1 : number - 1]
            if not block[0].startswith(("NOTE", "STYLE", "REGION")) and not any(
                "-->" in b for b in block
            ):
                raise TranscriptError(
                    f"malformed WebVTT file at line {start}: this block has no timing line "
                    f"like '00:00:01.000 --> 00:00:04.000', got {block[0].strip()[:60]!r}"
                )
        start = None


def _seconds(ts: Any) -> float:
    return float(ts.hours * 3600 + ts.minutes * 60 + ts.seconds + ts.milliseconds / 1000)


def parse_podcast_json(data: Any) -> tuple[list[RawSegment], dict[str, str]]:
    """Podcasting 2.0 JSON: `{"segments": [{"startTime", "endTime", "speaker", "body"}]}`,
    or the bare list of segments that some exporters write; Whisper's and WhisperX's JSON
    (`{"segments": [{"start", "end", "text", "speaker"}]}`) reads the same way."""
    if isinstance(data, list) and data and all(isinstance(i, dict) for i in data):
        data = {"segments": data}
    items = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise TranscriptError(
            "JSON transcript has no 'segments' list; expected the Podcasting 2.0 format "
            '{"version": "1.0.0", "segments": [{"startTime": 0, "body": "..."}]}'
        )
    segments = []
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            raise TranscriptError(f"JSON transcript segment {n} is not an object with a 'body'")
        body = item.get("body", item.get("text"))
        if not isinstance(body, str):
            raise TranscriptError(
                f"JSON transcript segment {n} has no text: expected 'body' (Podcasting 2.0) "
                "or 'text' (Whisper)"
            )
        try:
            start = _opt_float(item.get("startTime", item.get("start")))
            end = _opt_float(item.get("endTime", item.get("end")))
        except (TypeError, ValueError):
            raise TranscriptError(f"JSON transcript segment {n} has a non-numeric time") from None
        if any(t is not None and not (0 <= t < 1e7) for t in (start, end)):
            raise TranscriptError(
                f"JSON transcript segment {n} has a time that is negative, not a number or "
                "out of range; times are seconds from the start of the episode"
            )
        speaker = item.get("speaker")
        segments.append(
            RawSegment(body.strip(), start, end, str(speaker).strip() or None if speaker else None)
        )
    meta = {k: str(data[k]) for k in ("title", "show") if isinstance(data.get(k), str)}
    return segments, meta


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def parse_json(text: str) -> tuple[list[RawSegment], dict[str, str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(
            f"malformed JSON transcript at line {exc.lineno}: {exc.msg}"
        ) from None
    except RecursionError:  # "[[[[..." thousands deep: no transcript nests like that
        raise TranscriptError(
            "the JSON nests too deeply to be a transcript; expected the Podcasting 2.0 format"
        ) from None
    return parse_podcast_json(data)


def html_to_lines(text: str) -> tuple[list[str], str | None]:
    """The visible text of an HTML page, one block per line, and its title. XML that is
    not TTML but holds <p> or <body> is read this way too: quietly, not with
    BeautifulSoup's "XML parsed as HTML" warning on stderr."""
    if more_than(_TAG_START, text, MAX_HTML_ELEMENTS):
        raise TranscriptError(
            f"the page holds more than {MAX_HTML_ELEMENTS:,} HTML elements, far more than "
            "a transcript page; send the transcript as a text or subtitle file instead"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "html.parser")
    for tag in soup(
        [
            "script",
            "style",
            "noscript",
            "template",
            "head",
            "nav",
            "footer",
            "svg",
            "form",
            "button",
            "iframe",
        ]
    ):
        if tag.name == "head":
            continue
        tag.decompose()
    title_tag = soup.find("h1") or soup.find("title")
    title = " ".join(title_tag.get_text(" ").split()) if title_tag else None
    if soup.head:
        soup.head.decompose()
    body = soup.body or soup
    lines = [" ".join(line.split()) for line in _visible_text(body).splitlines()]
    return [line for line in lines if line], title or None


def _visible_text(root: Tag) -> str:
    """The text under `root`, a line break around each block and at each <br>. One pass
    with an explicit stack: linear and without recursion however deep a hostile page
    nests its tags (inserting the breaks into the tree was quadratic in the depth)."""
    parts: list[str] = []
    stack: list[tuple[Iterator[PageElement], bool]] = [(iter(root.contents), False)]
    while stack:
        children, is_block = stack[-1]
        node = next(children, None)
        if node is None:
            stack.pop()
            if is_block:
                parts.append("\n")
        elif isinstance(node, Tag):
            if node.name == "br":
                parts.append("\n")
                continue
            block = node.name in _BLOCKS
            if block:
                parts.append("\n")
            stack.append((iter(node.contents), block))
        elif type(node) in (NavigableString, CData):
            parts.append(str(node))
    return "".join(parts)
