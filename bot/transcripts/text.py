"""Plain-text transcripts: caption-export pages with a header, and speaker-labelled text."""

from __future__ import annotations

import re

from summarizers.model import RawSegment

_MARKER = re.compile(r"^\s*(?:full|complete|episode)?\s*transcript\s*:?\s*$", re.IGNORECASE)
_HEADER_FIELD = re.compile(r"^\s*(title|show|podcast|episode|by)\s*[:\-]?\s+(.+)$", re.IGNORECASE)
_TIME = r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?"
_LABEL = re.compile(
    r"^\s*(?:[\[(]" + _TIME + r"[\])]\s*|" + _TIME + r"\s+)?"
    r"(?:\[?([A-Z][\w.'’-]*(?: [A-Z0-9][\w.'’-]*){0,3})\]?:\s+)?(.*)$"
)
HEADER_SEARCH_LINES = 80


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
        if _MARKER.match(line):
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

    Labels are `Name: words`, `[00:12:03] Name: words` or `(12:03) Name: words`;
    they are used only when most lines have one, so "Note: ..." in prose stays text.
    """
    parsed = []
    labelled = timed = 0
    body = [line for line in lines if line.strip()]
    for line in body:
        m = _LABEL.match(line)
        assert m is not None  # the pattern matches any line
        g = m.groups()
        start = None
        if g[2] is not None:
            start = parse_time(g[0], g[1], g[2], g[3])
        elif g[6] is not None:
            start = parse_time(g[4], g[5], g[6], g[7])
        speaker = g[8]
        parsed.append((start, speaker, g[9], line))
        labelled += speaker is not None
        timed += start is not None
    use_labels = labelled >= 2 and labelled >= 0.5 * len(body)
    use_times = timed >= 2 and timed >= 0.5 * len(body)
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


def _with_end_times(segments: list[RawSegment]) -> list[RawSegment]:
    """Each timed segment ends where the next timed one starts."""
    out: list[RawSegment] = []
    for i, seg in enumerate(segments):
        end = None
        if seg.start is not None:
            end = next((s.start for s in segments[i + 1 :] if s.start is not None), None)
        out.append(RawSegment(seg.text, seg.start, end, seg.speaker))
    return out
