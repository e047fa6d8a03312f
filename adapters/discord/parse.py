"""Discord application-command options -> Commands (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import COMMANDS, Argument
from bot.messages import Attachment, Command, Destination


@dataclass(frozen=True)
class FileOption:
    """The `file` option of `/podbrief summarize`: what Discord tells about the attachment."""

    name: str
    url: str
    size: int


def destination_of(*, user_id: int, channel_id: int | None, guild_id: int | None) -> Destination:
    """Where an interaction's answer goes; DMs have no guild, so the user stands for it."""
    return Destination(
        "discord", str(channel_id or ""), str(guild_id) if guild_id else f"dm-{user_id}"
    )


def to_command(
    name: str,
    *,
    user_id: int,
    channel_id: int | None,
    guild_id: int | None,
    link: str | None = None,
    episode: int | None = None,
    words: str | None = None,
    file: FileOption | None = None,
    can_manage: bool = False,
) -> Command:
    """One subcommand of `/podbrief` with its options."""
    destination = destination_of(user_id=user_id, channel_id=channel_id, guild_id=guild_id)
    spec = COMMANDS.get(name)
    if spec is not None and spec.argument not in (Argument.SOURCE, Argument.EPISODE):
        args = words or ""
    elif link:
        args = link.strip()
    elif episode is not None:
        args = str(episode)
    else:
        args = ""
    attachments = (Attachment(file.name, url=file.url),) if file else ()
    return Command(name, args, str(user_id), destination, attachments, can_manage)
