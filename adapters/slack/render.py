"""Reply -> Slack messages (Block Kit), always inside Slack's limits (pure).

Limits: 50 blocks a message, 3,000 characters a section, 150 a header; we keep a message's
blocks under 11,000 characters in all. What does not fit continues in further messages,
which the app posts in the thread of the first.
"""

from __future__ import annotations

from typing import Any

from bot.commands import ALL_SECTIONS, Section, sections_of
from bot.messages import Reply
from bot.output import NO_QUOTES, clock, cut, pack, who_when
from summarizers.model import Summary

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_MESSAGE_CHARS = 11_000

Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack mrkdwn needs &, < and > escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, MAX_SECTION)}}


def _sections(title: str, lines: list[str]) -> list[Block]:
    """A titled list, packed into as few sections as the 3,000-character limit allows."""
    blocks: list[Block] = []
    current = f"*{title}*"
    for line in lines:
        line = cut(line, MAX_SECTION - len(title) - 10)
        if len(current) + 1 + len(line) > MAX_SECTION:
            blocks.append(_section(current))
            current = f"*{title} (continued)*"
        current += "\n" + line
    blocks.append(_section(current))
    return blocks


def summary_blocks(reply: Reply, prefix: str = "/podbrief") -> list[Block]:
    s = reply.summary
    shown = sections_of(reply.kind)
    assert s is not None
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": cut(s.title or "Episode summary", MAX_HEADER)},
        }
    ]
    if s.source and s.source.startswith(("http://", "https://")):
        blocks.append(
            _section(
                cut(
                    f"<{s.source}|{escape(s.title or s.source)}>"
                    + (f" · {escape(s.show)}" if s.show else ""),
                    MAX_SECTION,
                )
            )
        )
    elif s.show:
        blocks.append(_section(escape(s.show)))
    for note in s.notes:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": cut(f":warning: {escape(note)}", 2000)}],
            }
        )
    if Section.TAKEAWAYS in shown and s.takeaways:
        lines = [_bullet(s, t.text, t.speaker, t.start_seconds) for t in s.takeaways]
        blocks += _sections("Key takeaways", lines)
    if shown == (Section.QUOTES,) and not s.quotes:
        blocks.append(_section(f"*Quotes*\n{NO_QUOTES}"))
    if Section.QUOTES in shown and s.quotes:
        blocks.append(_section("*Quotes*"))
        for q in s.quotes:
            when = _when(s, q.speaker, q.start_seconds)
            blocks.append(
                _section(
                    cut(f"> “{escape(q.text)}”", MAX_SECTION - 300)
                    + (f"\n— {when}" if when else "")
                )
            )
    if Section.TOPICS in shown and s.topics:
        lines = [_bullet(s, t.title, None, t.start_seconds) for t in s.topics]
        blocks += _sections("Topics", lines)
    context = [f"{s.engine} engine" + (f" ({escape(s.model)})" if s.model else "")]
    if s.transcription:
        context.append(f"transcribed by {escape(s.transcription)}")
    if s.duration_seconds:
        context.append(clock(s.duration_seconds))
    if reply.episode_id is not None:
        context.append(f"episode {reply.episode_id}")
        if shown != ALL_SECTIONS:
            context.append(f"`{prefix} summarize {reply.episode_id}` for the full summary")
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": cut(" · ".join(context), 2000)}],
        }
    )
    return blocks


def text_blocks(text: str) -> list[Block]:
    chunks, current = [], ""
    for line in text.split("\n"):
        if len(current) + len(line) + 1 > MAX_SECTION:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    chunks.append(current)
    return [_section(cut(c, MAX_SECTION)) for c in chunks if c.strip()] or [_section(" ")]


def _block_chars(block: Block) -> int:
    if "text" in block:
        return len(block["text"]["text"])
    return sum(len(e.get("text", "")) for e in block.get("elements", []))


def render(reply: Reply, prefix: str = "/podbrief") -> list[dict[str, Any]]:
    """Messages to post in order: each with `blocks` and the required `text` fallback;
    `prefix` is the workspace's slash command (SLACK_COMMAND)."""
    if reply.summary is not None:
        blocks = summary_blocks(reply, prefix)
        fallback = f"Summary of {reply.summary.title or 'the episode'}"
    else:
        blocks = text_blocks(reply.text)
        fallback = cut(reply.text, 2000) or "podbrief"
    groups = pack(blocks, _block_chars, MAX_BLOCKS, MAX_MESSAGE_CHARS)
    return [
        {"text": fallback if i == 0 else "(continued)", "blocks": group}
        for i, group in enumerate(groups)
    ]


def _when(summary: Summary, speaker: str | None, seconds: float | None) -> str:
    return who_when(speaker, seconds, summary.source, lambda t, u: f"<{u}|{t}>", escape)


def _bullet(summary: Summary, text: str, speaker: str | None, seconds: float | None) -> str:
    """A takeaway's or topic's line: "• text _(Speaker, 1:23)_"."""
    when = _when(summary, speaker, seconds)
    return f"• {escape(text)}" + (f" _({when})_" if when else "")
