"""Reply -> terminal text (pure)."""

from __future__ import annotations

from bot.commands import sections_of
from bot.messages import Reply
from bot.output import to_text


def render(reply: Reply) -> str:
    if reply.summary is not None:
        text = to_text(reply.summary, sections_of(reply.kind))
        footer = []
        if reply.episode_id is not None:
            footer.append(f"episode {reply.episode_id}")
        if reply.cached:
            footer.append("from cache")
        return text + (f"({', '.join(footer)})\n" if footer else "")
    if reply.kind == "error":
        return f"error: {reply.text}\n"
    return reply.text.replace("*", "").replace("`", "") + "\n"
