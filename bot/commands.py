"""The command table and the chat grammar every adapter shares.

Each command is declared once, in `COMMANDS`: its usage and help, how its argument is
given, its reply kind, whether it manages a channel (rights checked), whether its answer
is private, and which summary sections it shows. The service dispatches on it, Discord
builds its command group from it, renderers take sections from it. How a platform writes
a command (its prefix, Discord's named options, who has rights there) is the adapter's
`Syntax`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.messages import ReplyKind


class Section(StrEnum):
    """The parts of a summary a reply shows."""

    TAKEAWAYS = "takeaways"
    QUOTES = "quotes"
    TOPICS = "topics"


class Argument(StrEnum):
    """How a command's argument is given (Discord turns each into named options)."""

    SOURCE = "source"  # a link, an attached file, an episode id or pasted text
    EPISODE = "episode"  # a link or an episode id
    WORDS = "words"  # free search words
    FEED_SCHEDULE = "feed schedule"  # a feed link, then a schedule
    FEED = "feed"  # a feed link or a subscription id
    NONE = "none"
    TOPIC = "topic"  # help's optional command name


class Handler(StrEnum):
    """Which part of the core answers a command."""

    SUMMARY = "summary"
    EPISODES = "episodes"
    SUBSCRIPTIONS = "subscriptions"
    HELP = "help"


ALL_SECTIONS = (Section.TAKEAWAYS, Section.QUOTES, Section.TOPICS)


@dataclass(frozen=True)
class CommandSpec:
    """One command, declared once."""

    name: str
    usage: str  # the argument, as typed in a chat
    help: str
    description: str  # one short line (Discord's command list)
    argument: Argument
    handler: Handler
    reply: ReplyKind = "text"
    manages: bool = False  # changes a channel's settings: only people with rights
    private: bool = False  # answered to the asker only
    sections: tuple[Section, ...] = ()


_SOURCE_HELP = (
    "a feed's link: its newest episode (title words pick one); a video's link with its "
    "transcript (pasted or attached): times link to the video"
)
COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in (
        CommandSpec(
            "summarize",
            "<link | feed link [title words] | episode id | [video link] pasted text>",
            "takeaways, quotes and topics of an episode or an attached transcript; " + _SOURCE_HELP,
            "Takeaways, quotes and topics",
            Argument.SOURCE,
            Handler.SUMMARY,
            reply="summary",
            sections=ALL_SECTIONS,
        ),
        CommandSpec(
            "takeaways",
            "<link | feed link [title words] | episode id>",
            "only the key takeaways",
            "Only the key takeaways",
            Argument.EPISODE,
            Handler.SUMMARY,
            reply="takeaways",
            sections=(Section.TAKEAWAYS,),
        ),
        CommandSpec(
            "quotes",
            "<link | feed link [title words] | episode id>",
            "only the notable quotes, verbatim, with times",
            "Only the notable quotes, verbatim",
            Argument.EPISODE,
            Handler.SUMMARY,
            reply="quotes",
            sections=(Section.QUOTES,),
        ),
        CommandSpec(
            "episodes",
            "[search words]",
            "episodes summarized here, newest first, with ids",
            "Episodes summarized here, with ids",
            Argument.WORDS,
            Handler.EPISODES,
            private=True,
        ),
        CommandSpec(
            "subscribe",
            '<feed link> [daily HH:MM | weekly DAY HH:MM | cron "<expr>"] [tz <zone>] [always]',
            "digests of a podcast feed in this channel",
            "Digests of a podcast feed here",
            Argument.FEED_SCHEDULE,
            Handler.SUBSCRIPTIONS,
            manages=True,
        ),
        CommandSpec(
            "unsubscribe",
            "<feed link or id>",
            "stop a feed's digests",
            "Stop a feed's digests here",
            Argument.FEED,
            Handler.SUBSCRIPTIONS,
            manages=True,
        ),
        CommandSpec(
            "subscriptions",
            "",
            "the feeds this channel follows",
            "The feeds this channel follows",
            Argument.NONE,
            Handler.SUBSCRIPTIONS,
        ),
        CommandSpec(
            "digest",
            "now",
            "post this channel's digests now",
            "Post this channel's digests now",
            Argument.NONE,
            Handler.SUBSCRIPTIONS,
            manages=True,
        ),
        CommandSpec(
            "help",
            "[command]",
            "this help",
            "What podbrief can do",
            Argument.TOPIC,
            Handler.HELP,
            private=True,
        ),
    )
}
ALIASES = {
    "summary": "summarize",
    "summarise": "summarize",
    "sum": "summarize",
    "list": "episodes",
    "search": "episodes",
    "?": "help",
}
FORMATS = ".txt, .srt, .vtt, .json (Podcasting 2.0, Whisper), .ttml or .html"
_URL = re.compile(r"^(https?://[^\s<>]+)$")


@dataclass(frozen=True)
class Syntax:
    """How one platform writes commands: its prefix (`/podbrief`, or the Slack command's
    own name), usages that differ from the chat grammar, and who may manage a channel
    there (None: everyone at hand may, as in a terminal)."""

    prefix: str = "/podbrief"
    usages: Mapping[str, str] = field(default_factory=dict)
    rights: str | None = "people who may manage this channel"
    formats: str = f"Transcripts: {FORMATS}, plain or speaker-labelled text."

    def command(self, text: str) -> str:
        """`summarize <link>` as typed on this platform (`/podbrief summarize <link>`)."""
        return f"{self.prefix} {text}".strip()

    def usage(self, name: str) -> str:
        """`/podbrief summarize <link | ...>` for a command, as this platform writes it."""
        spec = COMMANDS[name]
        return self.command(self.usages.get(name, f"{name} {spec.usage}".strip()))

    def help(self, command: str | None = None) -> str:
        """The whole help, or one command's."""
        if command in COMMANDS:
            return f"`{self.usage(command)}`: {self._what(COMMANDS[command])}."
        lines = ["*podbrief* turns podcast episodes into key takeaways and verbatim quotes.", ""]
        lines += [f"`{self.usage(name)}`: {self._what(spec)}" for name, spec in COMMANDS.items()]
        lines += ["", self.formats]
        return "\n".join(lines)

    def unknown(self, name: str) -> str:
        """What to say for a command we do not know: the closest one, or the whole help."""
        close = difflib.get_close_matches(name, list(COMMANDS), n=1, cutoff=0.6)
        if close:
            return f"Unknown command `{name}`. Did you mean this?\n" + self.help(close[0])
        return f"Unknown command `{name}`.\n" + self.help()

    def _what(self, spec: CommandSpec) -> str:
        return spec.help + (" (needs rights)" if spec.manages and self.rights else "")


@dataclass(frozen=True)
class Parsed:
    """A command line split into a known command name and its argument."""

    name: str
    arg: str


def parse(text: str) -> Parsed:
    """`summarize https://...` -> Parsed("summarize", "https://..."); unknown names keep theirs."""
    text = text.strip()
    if not text:
        return Parsed("help", "")
    # the name ends at any whitespace: a space, a tab, or the newline before pasted text
    head, *rest = re.split(r"\s+", text, maxsplit=1)
    name = head.lower().lstrip("/")
    return Parsed(ALIASES.get(name, name), rest[0].strip() if rest else "")


def link_of(arg: str) -> str | None:
    """The argument as an http(s) link, or None."""
    m = _URL.match(arg.strip())
    return m.group(1) if m else None


def link_and_text(arg: str) -> tuple[str, str] | None:
    """`<link> <pasted transcript>`: the link names where the words come from (a video's
    link makes quotes link to their moment)."""
    first, _, rest = arg.strip().partition(" ")
    link = link_of(first)
    return (link, rest.strip()) if link is not None and rest.strip() else None


MAX_ID = 2**31 - 1  # row ids are 32-bit integers on Postgres


def row_id(arg: str) -> int | None:
    """An id typed in chat ("12" or "#12"), or None: ASCII digits only ("²" and "٣" are
    digits to Python), and within the database's integer range."""
    arg = arg.strip().lstrip("#")
    if not (arg.isascii() and arg.isdigit()) or len(arg) > len(str(MAX_ID)):
        return None
    value = int(arg)
    return value if 0 < value <= MAX_ID else None


def sections_of(kind: ReplyKind) -> tuple[Section, ...]:
    """The summary sections a reply of this kind shows (from the command table)."""
    for spec in COMMANDS.values():
        if spec.reply == kind and spec.sections:
            return spec.sections
    return ()
