"""A typed line -> Command (pure)."""

from __future__ import annotations

from bot import commands
from bot.messages import Command, Destination

DESTINATION = Destination(platform="console", channel="terminal", workspace="local")
QUIT = frozenset({"quit", "exit", ":q", "bye"})


def parse_line(line: str, user: str = "you") -> Command | None:
    """`/podbrief summarize x`, or just `summarize x`; None for quit, or a blank line."""
    text = line.strip()
    if not text:
        return None
    if text.lower().startswith("/podbrief"):
        text = text[len("/podbrief") :].strip()
    parsed = commands.parse(text)
    # the person at the terminal runs the bot: they may change its channel's settings
    return Command(parsed.name, parsed.arg, user, DESTINATION, can_manage=True)


def is_quit(line: str) -> bool:
    return line.strip().lower() in QUIT
