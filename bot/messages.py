"""The neutral types between adapters and the core: no SDK objects inside."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from summarizers.model import Summary

ReplyKind = Literal["summary", "takeaways", "quotes", "text", "error", "progress"]


@dataclass(frozen=True)
class Destination:
    """Where a reply goes: platform, workspace or guild, channel, thread."""

    platform: str
    channel: str
    workspace: str | None = None
    thread: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file that came with a command: its bytes, or a URL to fetch (with headers)."""

    name: str
    data: bytes | None = None
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Command:
    """What a person asked: `name` and the rest of the text as `args`."""

    name: str
    args: str
    user: str
    destination: Destination
    attachments: tuple[Attachment, ...] = ()
    can_manage: bool = False  # may change the channel's settings (checked by the adapter)


@dataclass(frozen=True)
class Reply:
    """What goes back: text or a summary, to everyone or only to the asker."""

    destination: Destination
    kind: ReplyKind
    text: str = ""
    summary: Summary | None = None
    ephemeral: bool = False
    episode_id: int | None = None
    cached: bool = False
    # a digest's id ("12/2026-11-26T09:00"); the platform keeps it with the first message
    # so the digest can be found again (a post whose outcome was lost is not repeated)
    marker: str | None = None
