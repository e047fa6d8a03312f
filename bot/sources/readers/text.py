"""Plain-text transcripts: caption-export pages with a header, and speaker-labelled text."""

from __future__ import annotations

import re
from itertools import islice
from typing import AnyStr

from summarizers.model import RawSegment

# matched against the stripped line: `^\s*(...)?\s*` backtracks quadratically on a long
# line of spaces (a 1 MB one would take hours)
_MARKER = re.compile(r"(?:full|complete|episode)?\s*transcript\s*:?", re.IGNORECASE)
_HEADER_FIELD = re.compile(r"^\s*(title|show|podcast|episode|by)\s*[:\-]?\s+(.+)$", re.IGNORECASE)
_TIME = r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?"
NAME = r"[A-Z][\w.'’-]*(?: [A-Z0-9][\w.'’-]*){0,3}"
_LABEL = re.compile(
    r"^\s*(?:[\[(]" + _TIME + r"[\])]\s*|" + _TIME + r"\s+)?"
    r"(?:\[?(" + NAME + r")\]?(?:\s*[\[(]" + _TIME + r"[\])])?:\s+)?(.*)$"
)
# A speaker heading on a line of its own, the turn's words on the lines below:
# `Name (01:23):` (Rev), `Name  1:23` (Otter), `*Name (01:23)*`, `Name [00:01:23]`, `NAME:`
# (matched against the line without its surrounding spaces and `*`/`_` marks, each gap
# a single quantifier: spaces matched by several `\s*` in a row backtrack in cubic time)
_HEADING = re.compile(r"(" + NAME + r")(?: *[\[(]" + _TIME + r"[\])]| +" + _TIME + r")?(:?)")
# A time on a line of its own above the words said from then on (a transcript copied from
# YouTube's transcript panel: "0:04" then the words), perhaps followed by the time in words
_TIME_LINE = re.compile(r"[\[(]?" + _TIME + r"[\])]?")
_SPOKEN_TIME = re.compile(
    r"(?:\d+ hours?,? ?)?(?:\d+ minutes?,? ?)?(?:\d+ seconds?)?", re.IGNORECASE
)  # matched against the stripped line
HEADER_SEARCH_LINES = 80
# _LABEL's groups: a time in brackets, a bare time, the name, a time after the name, the words
_BRACKET_TIME, _BARE_TIME, _NAME, _NAME_TIME, _WORDS = slice(0, 4), slice(4, 8), 8, slice(9, 13), 13
Heading = tuple[str | None, float | None]  # a heading line's speaker and start time


def more_than(pattern: re.Pattern[AnyStr], text: AnyStr, limit: int) -> bool:
    """Whether `pattern` matches more than `limit` times in `text`: counted lazily, it
    stops at the first match past the limit (a bound checked before costly parsing)."""
    return next(islice(pattern.finditer(text), limit, None), None) is not None


def parse_time(hours: str | None, minutes: str, seconds: str, frac: str | None) -> float:
    """Seconds from the regex groups of a clock time."""
    value = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return value + (int(frac.ljust(3, "0")) / 1000 if frac else 0.0)


def split_header(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Separate a caption-export header (title, show, summary, topics) from the transcript.

    The header is everything above a "Full Transcript" marker near the top. Its
    own summary and topic list are kept out of what gets summarized.
    """
    for i, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        if _MARKER.fullmatch(line.strip()):
            header = [h.strip() for h in lines[:i] if h.strip()]
            return _header_fields(header), lines[i + 1 :]
    return {}, lines


def _header_fields(header: list[str]) -> dict[str, str]:
    meta: dict[str, str] = {}
    topics: list[str] = []
    for line in header:
        m = _HEADER_FIELD.match(line)
        if m and m.group(1).lower() in {"by", "show", "podcast"} and "show" not in meta:
            meta["show"] = m.group(2).strip()
        elif m and m.group(1).lower() in {"title", "episode"} and "title" not in meta:
            meta["title"] = m.group(2).strip()
        elif line.startswith(("-", "*", "•")):
            topics.append(line.lstrip("-*• ").strip())
    if "title" not in meta and header:
        meta["title"] = header[0]
    if topics:
        meta["topics"] = "\n".join(topics)
    return meta


def parse_lines(lines: list[str]) -> tuple[list[RawSegment], bool]:
    """Segments from transcript lines; the flag says whether lines carried speaker labels.

    Labels are `Name: words`, `[00:12:03] Name: words`, `(12:03) Name: words` or
    `Name (12:03): words`; they are used only when most lines have one, so "Note: ..." in
    prose stays text. Headings on lines of their own (`Name (01:23):` above the turn's
    words) are read by `_headed_turns`.
    """
    parsed = []
    labelled = timed = 0
    body = [line for line in lines if line.strip()]
    turns = _headed_turns(body)
    if turns is not None:
        return _with_end_times(turns), True
    for line in body:
        m = _LABEL.match(line)
        assert m is not None  # the pattern matches any line
        g = m.groups()
        times = (_time_of(g[_BRACKET_TIME]), _time_of(g[_BARE_TIME]), _time_of(g[_NAME_TIME]))
        start = next((t for t in times if t is not None), None)
        speaker = g[_NAME]
        parsed.append((start, speaker, g[_WORDS], line))
        labelled += speaker is not None
        timed += start is not None
    use_labels = mostly(labelled, len(body))
    use_times = mostly(timed, len(body))
    segments: list[RawSegment] = []
    speaker_now: str | None = None
    for start, speaker, rest, line in parsed:
        if use_labels and speaker is not None:
            speaker_now = speaker
        text = line.strip()
        if use_labels or use_times:
            text = (
                rest if (use_labels and speaker is not None) or start is not None else line
            ).strip()
            if use_labels and speaker is None and start is None:
                text = line.strip()
        segments.append(
            RawSegment(
                text, start if use_times else None, None, speaker_now if use_labels else None
            )
        )
    return _with_end_times(segments), use_labels or use_times


def mostly(count: int, total: int) -> bool:
    """Labels (or times) count as the text's layout when at least two lines, and at least
    half of them, carry one: a single "Note: ..." in prose does not."""
    return count >= 2 and count >= 0.5 * total


def _time_of(groups: tuple[str | None, ...]) -> float | None:
    """Seconds from the four groups of one `_TIME` in a match, or None if it did not match."""
    hours, minutes, seconds, frac = groups
    if seconds is None or minutes is None:
        return None
    return parse_time(hours, minutes, seconds, frac)


def _heading(line: str) -> Heading | None:
    """The speaker and start time of a heading line; a heading without a time needs its colon
    ("Ana:"), so a short line of prose ("Introduction") is not taken for one. A time alone
    names no speaker."""
    core = line.strip().strip("*_").strip()
    m = _TIME_LINE.fullmatch(core)
    if m is not None:
        return None, _time_of(m.groups())
    m = _HEADING.fullmatch(core)
    if m is None:
        return None
    g = m.groups()
    start = _time_of(g[1:5])
    if start is None:
        start = _time_of(g[5:9])
    if start is None and not g[9]:
        return None
    return g[0], start


def _headed_turns(body: list[str]) -> list[RawSegment] | None:
    """Turns of a transcript whose speakers (and times) head the paragraphs they say, or
    None when the text is not laid out that way: at least two headings, one line in ten,
    each followed by words. The lines of a turn make one segment."""
    heads = [_heading(line) for line in body]
    # "4 seconds" under "0:04" (YouTube's transcript panel) is the time again, not words
    body, heads = _drop_spoken_times(body, heads)
    body, heads = _pair_names_and_times(body, heads)
    count = sum(h is not None for h in heads)
    if count < 2 or count < 0.1 * len(body):
        return None
    if any(
        h is not None and (i + 1 == len(heads) or heads[i + 1] is not None)
        for i, h in enumerate(heads)
    ):
        return None  # a heading with no words under it: not this layout
    turns: list[RawSegment] = []
    speaker: str | None = None
    start: float | None = None
    words: list[str] = []

    def close() -> None:
        if words:
            turns.append(RawSegment(" ".join(words), start, None, speaker))
            words.clear()

    labels = [_LABEL.match(line) for line in body]
    names = {h[0] for h in heads if h is not None and h[0] is not None}
    # words under time headings may carry their own labels ("0:04" then "Ana: words"): used
    # when most of them do, as for labelled lines without headings
    text_lines = [g for g, h in zip(labels, heads, strict=True) if h is None and g is not None]
    labelled = sum(g.groups()[_NAME] is not None for g in text_lines) >= 0.5 * len(text_lines)
    for line, head, label in zip(body, heads, labels, strict=True):
        assert label is not None  # the pattern matches any line
        g = label.groups()
        name = g[_NAME]
        if head is None and name is not None and (name in names or labelled):
            # a line labelled with a speaker's name ("Ana (01:02): words") starts a turn
            close()
            said_at = _time_of(g[_NAME_TIME])
            speaker, start = name, said_at if said_at is not None else start
            words.append(g[_WORDS].strip())
        elif head is None:
            words.append(line.strip())
        else:
            close()
            speaker, start = (head[0] or speaker), head[1]
    close()
    return turns


def _pair_names_and_times(
    body: list[str], heads: list[Heading | None]
) -> tuple[list[str], list[Heading | None]]:
    """A name heading and a time heading on consecutive lines are one heading: the
    Podcasting 2.0 HTML transcript puts `<cite>Name:</cite>` and `<time>0:53</time>` on
    lines of their own above each paragraph."""
    out_body: list[str] = []
    out_heads: list[Heading | None] = []
    i = 0
    while i < len(body):
        head, after = heads[i], heads[i + 1] if i + 1 < len(heads) else None
        if head is not None and after is not None:
            (name, start), (other, when) = head, after
            if (name is None) != (other is None) and (start is None) != (when is None):
                out_body.append(body[i])
                out_heads.append((name or other, start if start is not None else when))
                i += 2
                continue
        out_body.append(body[i])
        out_heads.append(head)
        i += 1
    return out_body, out_heads


def _drop_spoken_times(
    body: list[str], heads: list[Heading | None]
) -> tuple[list[str], list[Heading | None]]:
    """Leave out a line that only says the time above it in words ("4 seconds" under
    "0:04", as YouTube's transcript panel copies)."""
    out_body: list[str] = []
    out_heads: list[Heading | None] = []
    for i, (line, head) in enumerate(zip(body, heads, strict=True)):
        above = heads[i - 1] if i else None  # (body lines are never blank)
        if above is not None and above[0] is None and _SPOKEN_TIME.fullmatch(line.strip()):
            continue
        out_body.append(line)
        out_heads.append(head)
    return out_body, out_heads


def _with_end_times(segments: list[RawSegment]) -> list[RawSegment]:
    """Each timed segment ends where the next timed one starts."""
    out: list[RawSegment] = []
    for i, seg in enumerate(segments):
        end = None
        if seg.start is not None:
            end = next((s.start for s in segments[i + 1 :] if s.start is not None), None)
        out.append(RawSegment(seg.text, seg.start, end, seg.speaker))
    return out
