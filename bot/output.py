"""A Summary as Markdown, plain text or JSON (the JSON schema is documented in the README)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from summarizers.model import Summary

T = TypeVar("T")

_YOUTUBE = re.compile(r"^https?://(www\.|m\.)?(youtube\.com|youtu\.be)/")


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word with an ellipsis as the marker."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip() + "…"


def pack(items: Sequence[T], size: Callable[[T], int], most: int, total: int) -> list[list[T]]:
    """Items in order, grouped into messages of at most `most` items and `total` size
    (an item larger than `total` goes alone); never an empty group."""
    groups: list[list[T]] = [[]]
    used = 0
    for item in items:
        n = size(item)
        if groups[-1] and (len(groups[-1]) >= most or used + n > total):
            groups.append([])
            used = 0
        groups[-1].append(item)
        used += n
    return groups


def moment_link(source: str | None, seconds: float | None) -> str | None:
    """A link to that moment of the episode, for time-addressable sources (YouTube)."""
    if not source or seconds is None or not _YOUTUBE.match(source):
        return None
    return f"{source}{'&' if '?' in source else '?'}t={int(seconds)}s"


def who_when(
    speaker: str | None,
    seconds: float | None,
    source: str | None,
    link: Callable[[str, str], str],
    escape: Callable[[str], str],
) -> str:
    """ "Speaker, 12:03", the time linked to that moment where the source allows it."""
    stamp = clock(seconds)
    url = moment_link(source, seconds)
    if stamp and url:
        stamp = link(stamp, url)
    return ", ".join(p for p in (escape(speaker) if speaker else "", stamp) if p)


def clock(seconds: float | None) -> str:
    """`1:02:03` or `2:03`; empty when the time is unknown."""
    if seconds is None:
        return ""
    s = int(seconds)
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"{h}:{m:02}:{sec:02}" if h else f"{m}:{sec:02}"


def speaker_time(speaker: str | None, seconds: float | None) -> str:
    """ "Speaker, 12:03" (either part may be missing)."""
    return ", ".join(p for p in (speaker, clock(seconds)) if p)


def to_json(summary: Summary) -> str:
    return json.dumps(summary.model_dump(mode="json"), ensure_ascii=False, indent=2)


def _heading(summary: Summary) -> tuple[str, str]:
    title = summary.title or "Episode summary"
    heard = f"transcribed by {summary.transcription}" if summary.transcription else None
    meta = [
        p
        for p in (summary.show, clock(summary.duration_seconds), f"{summary.engine} engine", heard)
        if p
    ]
    return title, " · ".join(meta)


# said when every quotable line already is a takeaway (short episodes) or none stands out
NO_QUOTES = "No line besides the takeaways stood out as a quote."


def _md_link(text: str, url: str) -> str:
    return f"[{text}]({url})"


def _as_is(text: str) -> str:
    return text


def to_markdown(summary: Summary) -> str:
    title, meta = _heading(summary)
    lines = [f"# {title}", "", f"_{meta}_", ""]
    lines += [f"> Note: {note}" for note in summary.notes]
    lines += ["## Key takeaways", ""]
    for t in summary.takeaways:
        where = who_when(t.speaker, t.start_seconds, summary.source, _md_link, _as_is)
        lines.append(f"- {t.text}" + (f" _({where})_" if where else ""))
    lines += ["", "## Quotes", ""]
    for q in summary.quotes:
        lines.append(f"> “{q.text}”")
        where = who_when(q.speaker, q.start_seconds, summary.source, _md_link, _as_is)
        lines += [f"> — {where}", ""] if where else [""]
    if not summary.quotes:
        lines += [f"_{NO_QUOTES}_", ""]
    if summary.topics:
        lines += ["## Topics", ""]
        for i, topic in enumerate(summary.topics, 1):
            at = who_when(None, topic.start_seconds, summary.source, _md_link, _as_is)
            lines.append(f"{i}. {topic.title}" + (f" ({at})" if at else ""))
    return "\n".join(lines).rstrip() + "\n"


def to_text(summary: Summary, sections: tuple[str, ...] = ("takeaways", "quotes", "topics")) -> str:
    title, meta = _heading(summary)
    lines = [title, meta, ""]
    lines += [f"Note: {note}" for note in summary.notes]
    if "takeaways" in sections:
        lines.append("KEY TAKEAWAYS")
        for i, t in enumerate(summary.takeaways, 1):
            where = speaker_time(t.speaker, t.start_seconds)
            lines.append(f"{i}. {t.text}" + (f" ({where})" if where else ""))
        lines.append("")
    if "quotes" in sections:
        lines.append("QUOTES")
        for q in summary.quotes:
            where = speaker_time(q.speaker, q.start_seconds)
            lines.append(f'"{q.text}"' + (f" - {where}" if where else ""))
        if not summary.quotes:
            lines.append(NO_QUOTES)
    if summary.topics and "topics" in sections:
        lines += ["", "TOPICS"]
        for topic in summary.topics:
            at = clock(topic.start_seconds)
            lines.append((f"[{at}] " if at else "- ") + topic.title)
    return "\n".join(lines).rstrip() + "\n"


RENDERERS = {"md": to_markdown, "text": to_text, "json": to_json}
