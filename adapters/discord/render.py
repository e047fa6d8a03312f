"""Reply -> Discord messages (embeds), always inside Discord's limits (pure).

discord.py does not check these limits, so this module does: content 2,000; per embed:
title 256, description 4,096, 25 fields, field name 256, field value 1,024, footer 2,048;
6,000 characters for all embeds of a message; 10 embeds a message. What does not fit
continues in further messages; text is cut only at a word, with an ellipsis as marker.
"""

from __future__ import annotations

from typing import Any

from bot.commands import ALL_SECTIONS, Section, sections_of
from bot.messages import Reply
from bot.output import NO_QUOTES, clock, cut, pack, who_when
from summarizers.model import Summary

CONTENT = 2000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
MESSAGE_EMBEDS_TOTAL = 6000
EMBEDS_PER_MESSAGE = 10
COLOR = 0x1D3557
FOOTER_RESERVE = 400  # our footer is short; keep room for it in every embed

Embed = dict[str, Any]


def escape(text: str) -> str:
    """Keep user text from pinging people or breaking the Markdown."""
    for ch in ("\\", "*", "_", "~", "`", "|", ">"):
        text = text.replace(ch, "\\" + ch)
    return text.replace("@", "@\u200b")


def embed_size(e: Embed) -> int:
    size = len(e.get("title", "")) + len(e.get("description", ""))
    size += len(e.get("footer", {}).get("text", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", []))
    return size


def summary_embeds(reply: Reply) -> list[Embed]:
    """One or more embeds: takeaways in descriptions, quotes as fields, a footer at the end."""
    s = reply.summary
    shown = sections_of(reply.kind)
    assert s is not None
    title = cut(s.title or "Episode summary", TITLE)
    url = s.source if s.source and s.source.startswith(("http://", "https://")) else None
    embeds: list[Embed] = []

    def new(part_title: str) -> Embed:
        e: Embed = {"title": part_title, "color": COLOR}
        if url and not embeds:
            e["url"] = url
        embeds.append(e)
        return e

    current = new(title)
    lines: list[str] = []
    if s.show:
        lines.append(f"*{escape(s.show)}*")
    lines += [f"⚠️ {escape(n)}" for n in s.notes]
    if Section.TAKEAWAYS in shown and s.takeaways:
        lines.append("**Key takeaways**")
        lines += [_bullet(s, t.text, t.speaker, t.start_seconds) for t in s.takeaways]
    if Section.TOPICS in shown and s.topics:
        lines.append("**Topics**")
        lines += [_bullet(s, t.title, None, t.start_seconds) for t in s.topics]
    description = ""
    for line in lines:
        if len(description) + len(line) + 1 > DESCRIPTION:
            current["description"] = description
            current = new(cut(f"{title} (continued)", TITLE))
            description = ""
        description = f"{description}\n{line}" if description else line
    if description:
        current["description"] = description
    if shown == (Section.QUOTES,) and not s.quotes:
        current["description"] = (current.get("description", "") + "\n" + NO_QUOTES).strip()
    if Section.QUOTES in shown:
        for q in s.quotes:
            name = cut(_when(s, q.speaker, q.start_seconds) or "Quote", FIELD_NAME)
            value = cut(f"> “{escape(q.text)}”", FIELD_VALUE)
            fields = current.setdefault("fields", [])
            room = MESSAGE_EMBEDS_TOTAL - FOOTER_RESERVE - embed_size(current)
            if len(fields) >= FIELDS or len(name) + len(value) > room:
                current = new(cut(f"{title} (continued)", TITLE))
                fields = current.setdefault("fields", [])
            fields.append({"name": name, "value": value, "inline": False})
    footer = [f"{s.engine} engine" + (f" ({s.model})" if s.model else "")]
    if s.transcription:
        footer.append(f"transcribed by {s.transcription}")
    if s.duration_seconds:
        footer.append(clock(s.duration_seconds))
    if reply.episode_id is not None:
        footer.append(f"episode {reply.episode_id}")
        if shown != ALL_SECTIONS:
            footer.append(f"/podbrief summarize episode:{reply.episode_id} for the full summary")
    embeds[-1]["footer"] = {"text": cut(" · ".join(footer), FOOTER)}
    return embeds


def text_content(text: str) -> list[str]:
    """Plain text in messages of at most 2,000 characters, split at lines or words."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > CONTENT:
            piece = cut(line, CONTENT)
            parts.append(piece)
            line = line[len(piece.rstrip("…")) :].lstrip()
        if current and len(current) + len(line) + 1 > CONTENT:
            parts.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current.strip():
        parts.append(current)
    return parts or ["(empty)"]


def marker_line(marker: str) -> str:
    """A digest's marker as a line of small print ("-#" is Discord's subtext)."""
    return f"-# podbrief digest {marker}"


def with_marker(messages: list[dict[str, Any]], marker: str | None) -> list[dict[str, Any]]:
    """The marker on the first message with room for it (else a message of its own), so
    the digest can be found in the channel again."""
    if not marker:
        return messages
    line = marker_line(marker)
    for m in messages:
        content = m["content"]
        if content is not None and len(content) + 1 + len(line) <= CONTENT:
            m["content"] = f"{content}\n{line}"
            return messages
    return [*messages, {"content": line, "embeds": []}]


def render(reply: Reply) -> list[dict[str, Any]]:
    """Messages to send in order: `{"content": str | None, "embeds": [embed dicts]}`."""
    if reply.summary is None:
        return [{"content": part, "embeds": []} for part in text_content(reply.text)]
    groups = pack(summary_embeds(reply), embed_size, EMBEDS_PER_MESSAGE, MESSAGE_EMBEDS_TOTAL)
    return [{"content": None, "embeds": group} for group in groups]


def _when(summary: Summary, speaker: str | None, seconds: float | None) -> str:
    return who_when(speaker, seconds, summary.source, lambda t, u: f"[{t}]({u})", escape)


def _bullet(summary: Summary, text: str, speaker: str | None, seconds: float | None) -> str:
    """A takeaway's or topic's line: "• text (Speaker, 1:23)", at most 1,500 characters."""
    when = _when(summary, speaker, seconds)
    return cut(f"• {escape(text)}" + (f" ({when})" if when else ""), 1500)
