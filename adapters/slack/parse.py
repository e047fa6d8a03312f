"""Slack payloads -> Commands (pure)."""

from __future__ import annotations

import re
from typing import Any

from bot import commands
from bot.messages import Attachment, Command, Destination

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_LINK = re.compile(r"<(https?://[^\s<>|]+)(?:\|[^>]*)?>")  # Slack writes links as <url|text>


def unwrap_links(text: str) -> str:
    """Slack's `<https://...|label>` and `<https://...>` as the plain links people typed."""
    return _LINK.sub(lambda m: m.group(1), text)


def _workspace(body: dict[str, Any]) -> str | None:
    return body.get("team_id") or body.get("enterprise_id") or body.get("team")


def from_slash_command(body: dict[str, Any]) -> Command:
    """A `/podbrief ...` slash command body."""
    parsed = commands.parse(unwrap_links(body.get("text", "")))
    destination = Destination("slack", body.get("channel_id", ""), _workspace(body))
    return Command(parsed.name, parsed.arg, body.get("user_id", ""), destination)


def from_mention(event: dict[str, Any], team_id: str | None = None) -> Command:
    """An `app_mention` event, perhaps with shared transcript files (ids; fetched later)."""
    text = unwrap_links(_MENTION.sub("", event.get("text", ""))).strip()
    files = event.get("files") or []
    parsed = commands.parse(text or ("summarize" if files else "help"))
    if files and parsed.name not in commands.COMMANDS:
        # a file shared with a sentence ("can you give me the quotes?"), not a command
        parsed = commands.Parsed(_file_command(text), "")
    attachments = tuple(
        Attachment(
            name=f.get("name") or f.get("title") or "transcript",
            url=f.get("url_private_download"),
            headers={"slack_file_id": f.get("id", "")},
        )
        for f in files
    )
    destination = Destination(
        "slack",
        event.get("channel", ""),
        event.get("team") or team_id,
        thread=event.get("thread_ts") or event.get("ts"),
    )
    return Command(parsed.name, parsed.arg, event.get("user", ""), destination, attachments)


def _file_command(text: str) -> str:
    """The summary command a sentence asks for ("quotes", "takeaways"), else summarize."""
    words: list[str] = re.findall(r"[a-z]+", text.lower())
    for word in words:
        name = commands.ALIASES.get(word, word)
        spec = commands.COMMANDS.get(name)
        if spec is not None and spec.handler == commands.Handler.SUMMARY:
            return name
    return "summarize"
