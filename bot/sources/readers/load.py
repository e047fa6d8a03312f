"""Detect a transcript's format by its content and load it into a `Transcript`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol, Self, TypeVar

from bot.errors import TranscriptError
from bot.sources.readers import formats, ttml
from bot.sources.readers.decode import decode
from bot.sources.readers.text import more_than, parse_lines, split_header
from summarizers.model import RawSegment, Transcript

DEFAULT_MAX_BYTES = 20_000_000
MIN_WORDS = 60
# about 55 hours of speech: no episode is longer, and the offline engine's time and memory
# grow with the words (500,000 take about 5 s and 200 MB; 3 million took 31 s and 1.1 GB)
MAX_WORDS = 500_000
# before parsing, a file is counted in whitespace-separated pieces: a subtitle file's
# numbers and timings are pieces too (SubRip: about four for each cue of eight words)
MAX_PIECES = 4 * MAX_WORDS
_PIECE = re.compile(r"\S+")
_HTML = re.compile(
    r"^\s*(?:<!doctype html|<html|<\?xml[^>]*>\s*<html)|<body[\s>]|<p[\s>]", re.IGNORECASE
)
FORMATS = ("text", "srt", "vtt", "json", "html", "ttml")


_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]")


def looks_like_feed(data: bytes) -> bool:
    """RSS, Atom or RSS 1.0 by its first element (a link to a feed, not to a transcript),
    after any XML declaration, processing instructions and comments. Read with a loop, not
    one pattern: a pattern for "any number of comments" backtracks exponentially on
    thousands of "<!---->"."""
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip()
    while head.startswith((b"<?", b"<!--")):
        closing = b"?>" if head.startswith(b"<?") else b"-->"
        end = head.find(closing)
        if end < 0:
            return False
        head = head[end + len(closing) :].lstrip()
    return bool(_FEED_ROOT.match(head))


def detect_format(text: str, name: str = "") -> str:
    """Name the format from the content; the file name only breaks ties."""
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if head.startswith("WEBVTT"):
        return "vtt"
    if head.startswith("{") or re.match(r"\[\s*[{\]]", head):
        return "json"
    if formats.looks_like_srt(head):
        return "srt"
    if ttml.looks_like_ttml(head):
        return "ttml"
    if _HTML.search(head[:2048]):
        return "html"
    suffix = Path(name).suffix.lower()
    if suffix in {".srt", ".vtt", ".ttml"}:
        return suffix[1:]
    return "text"


def load_text(
    text: str, *, source: str = "-", fmt: str | None = None, notes: tuple[str, ...] = ()
) -> Transcript:
    """Parse decoded text in its detected (or given) format."""
    fmt = fmt or detect_format(text, source)
    text = text.lstrip("\ufeff")
    _check_pieces(text)
    meta: dict[str, str] = {}
    keep_lines = False
    segments: list[RawSegment]
    if fmt == "vtt":
        segments = formats.parse_vtt(text)
    elif fmt == "srt":
        segments = formats.parse_srt(text)
    elif fmt == "json":
        segments, meta = formats.parse_json(text)
    elif fmt == "ttml":
        segments, meta = ttml.parse_ttml(text)
    else:
        if fmt == "html":
            lines, title = formats.html_to_lines(text)
            if title:
                meta["title"] = title
                if lines and lines[0] == title:
                    lines = lines[1:]
        else:
            lines = text.splitlines()
        header, lines = split_header(lines)
        meta = {**meta, **header}
        segments, structured = parse_lines(lines)
        keep_lines = not structured
    meta.pop("topics", None)
    if _unpunctuated(segments):
        notes = (*notes, UNPUNCTUATED_NOTE)
    transcript = Transcript.build(
        segments,
        keep_line_breaks=keep_lines,
        source=source,
        format=fmt,
        notes=notes,
        title=meta.get("title"),
        show=meta.get("show"),
    )
    check_usable(transcript)
    return transcript


UNPUNCTUATED_NOTE = (
    "the transcript has almost no punctuation (automatic captions?), so where sentences end "
    "is guessed: a takeaway or quote may run across two sentences"
)
WORDS_PER_SENTENCE_END = 80  # spoken English ends a sentence every 10-20 words


def _unpunctuated(segments: list[RawSegment]) -> bool:
    """Long enough to tell, and fewer sentence ends than one in 80 words."""
    words = ends = 0
    for seg in segments:
        words += len(seg.text.split())
        ends += sum(seg.text.count(mark) for mark in ".?!")
    return words >= 200 and ends * WORDS_PER_SENTENCE_END < words


# scripts written without spaces between words: split on spaces, a whole sentence is a word
_UNSPACED = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kana, CJK ideographs
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]"  # Thai, Lao, Myanmar, Khmer
)
LETTERS_PER_WORD_UNSPACED = 15  # English words average about five letters


def _unspaced_script(text: str, words: int) -> bool:
    """Mostly Chinese, Japanese, Thai or another script without spaces between words
    (checked on a sample: only text with very long 'words' is looked at)."""
    if len(text) < LETTERS_PER_WORD_UNSPACED * max(1, words):
        return False
    sample = text[:20_000]
    letters = sum(1 for ch in sample if ch.isalpha())
    return letters > 0 and len(_UNSPACED.findall(sample)) > letters / 2


def _too_many_words(counted: str) -> TranscriptError:
    return TranscriptError(
        f"the transcript holds {counted} words; podbrief summarizes up to {MAX_WORDS:,} at "
        "once (about 55 hours of speech): send one episode's transcript, or a part of it"
    )


def _check_pieces(text: str) -> None:
    """Refuse a file far past MAX_WORDS before parsing it (parsers and the engine would
    take time and memory in proportion); counted lazily, stopping at the limit."""
    if more_than(_PIECE, text, MAX_PIECES):
        raise _too_many_words(f"far more than {MAX_WORDS:,}")


def check_usable(transcript: Transcript) -> None:
    """Refuse a transcript with no words, too few, too many, or in an unspaced script."""
    words = transcript.word_count
    if words > MAX_WORDS:
        raise _too_many_words(f"{words:,}")
    if _unspaced_script(transcript.text, words):
        raise TranscriptError(
            "this transcript is in Chinese, Japanese, Thai or another language written "
            "without spaces between words; podbrief summarizes languages that put spaces "
            "between words, such as English"
        )
    if words == 0:
        raise TranscriptError(
            f"the {transcript.format} transcript has no words in it; check that the file "
            "holds the episode's transcript"
        )
    if words < MIN_WORDS:
        raise TranscriptError(
            f"the transcript is too short to summarize ({words} word{'s' if words != 1 else ''}; "
            f"at least {MIN_WORDS} are needed)"
        )


def load_bytes(
    data: bytes, *, source: str = "-", max_bytes: int = DEFAULT_MAX_BYTES, fmt: str | None = None
) -> Transcript:
    """Decode, detect and load; raises TranscriptError with a one-line message."""
    name = Path(source).name if source not in {"", "-"} else "the input"
    if not data.strip():
        raise TranscriptError(f"{name} is empty: there is no transcript text in it")
    if looks_like_feed(data):
        raise TranscriptError(
            f"{name} is a podcast feed (RSS or Atom), not a transcript; give podbrief the "
            "feed's link instead: `summarize <feed link>` summarizes its newest episode with a "
            "transcript and `subscribe <feed link>` posts digests of new ones"
        )
    text, note = decode(data, max_bytes=max_bytes, name=name)
    if not text.strip():
        raise TranscriptError(f"{name} is empty: there is no transcript text in it")
    return load_text(text, source=source, fmt=fmt, notes=(note,) if note else ())


def read_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A transcript file's bytes, refused before reading when it is over the size cap;
    a missing file, a directory or an unreadable one is a TranscriptError saying so."""
    p = Path(path)
    try:
        if p.is_dir():
            raise TranscriptError(f"{p} is a directory, not a transcript file")
        size = p.stat().st_size
        if not p.is_file():
            raise TranscriptError(f"{p} is not a file")
        if size > max_bytes:
            raise TranscriptError(
                f"{p.name} is {size / 1_000_000:.1f} MB, over the {max_bytes / 1_000_000:.1f} MB "
                "limit (PODBRIEF_MAX_TRANSCRIPT_BYTES); use a shorter transcript or raise "
                "the limit"
            )
        return p.read_bytes()
    except FileNotFoundError:
        raise TranscriptError(f"no such file: {p}") from None
    except IsADirectoryError:
        raise TranscriptError(f"{p} is a directory, not a transcript file") from None
    except PermissionError:
        raise TranscriptError(f"cannot read {p}: permission denied") from None


def load_path(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, fmt: str | None = None
) -> Transcript:
    """Load a transcript file, refusing it before reading if it is over the size cap."""
    p = Path(path)
    data = read_file(p, max_bytes)
    transcript = load_bytes(data, source=str(p), max_bytes=max_bytes, fmt=fmt)
    return titled(transcript, p.name)


class Named(Protocol):
    """A transcript, or a form of it (the bot holds `StoredTranscript`s), with its names."""

    @property
    def title(self) -> str | None: ...

    def renamed(self, **names: str | None) -> Self: ...


N = TypeVar("N", bound=Named)


def titled(transcript: N, name: str, fallback: str = "") -> N:
    """A transcript without a title of its own is named after its file: the name without
    its suffix, `_` and `-` read as spaces (a file name is a better title than none)."""
    if transcript.title is not None:
        return transcript
    stem = name.rsplit(".", 1)[0].replace("_", " ").replace("-", " ").strip()
    return transcript.renamed(title=stem or fallback or None)
