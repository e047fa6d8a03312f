"""The command grammar every adapter shares, and its help text."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

COMMANDS = {
    "summarize": (
        "summarize <link | feed link [title words] | episode id | [video link] pasted text>",
        "takeaways, quotes and topics of an episode or an attached transcript; a feed's "
        "link: its newest episode (title words pick one); a video's link with its "
        "transcript (pasted or attached): times link to the video",
    ),
    "takeaways": (
        "takeaways <link | feed link [title words] | episode id>",
        "only the key takeaways",
    ),
    "quotes": (
        "quotes <link | feed link [title words] | episode id>",
        "only the notable quotes, verbatim, with times",
    ),
    "episodes": ("episodes [search words]", "episodes summarized here, newest first, with ids"),
    "subscribe": (
        'subscribe <feed link> [daily HH:MM | weekly DAY HH:MM | cron "<expr>"] [tz <zone>] '
        "[always]",
        "digests of a podcast feed in this channel (needs rights)",
    ),
    "unsubscribe": ("unsubscribe <feed link or id>", "stop a feed's digests (needs rights)"),
    "subscriptions": ("subscriptions", "the feeds this channel follows"),
    "digest": ("digest now", "post this channel's digests now (needs rights)"),
    "help": ("help [command]", "this help"),
}
SUMMARY_COMMANDS = ("summarize", "takeaways", "quotes")
SUBSCRIPTION_COMMANDS = ("subscribe", "unsubscribe", "subscriptions", "digest")
ALIASES = {
    "summary": "summarize",
    "summarise": "summarize",
    "sum": "summarize",
    "list": "episodes",
    "search": "episodes",
    "?": "help",
}
FORMATS = ".txt, .srt, .vtt, .json (Podcasting 2.0, Whisper), .ttml or .html"
_URL = re.compile(r"^<?(https?://[^\s<>|]+)(?:\|[^>]*)?>?$")  # Slack wraps links as <url|text>


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


# Discord's application commands take named options instead of free text
DISCORD_USAGE = {
    "summarize": "summarize link:<url> | file:<attachment> | episode:<id>",
    "takeaways": "takeaways link:<url> | episode:<id>",
    "quotes": "quotes link:<url> | episode:<id>",
    "episodes": "episodes search:<words>",
    "subscribe": "subscribe feed:<url> schedule:<daily 09:00 tz Europe/Berlin>",
    "unsubscribe": "unsubscribe feed:<url or id>",
    "subscriptions": "subscriptions",
    "digest": "digest",
    "help": "help",
}


def help_text(
    prefix: str = "/podbrief", command: str | None = None, platform: str | None = None
) -> str:
    """The whole help, or one command's, in the platform's command syntax."""
    usages = {
        name: (DISCORD_USAGE[name] if platform == "discord" else usage, what)
        for name, (usage, what) in COMMANDS.items()
    }
    if command in usages:
        usage, what = usages[command]
        return f"`{prefix} {usage}`: {what}."
    lines = ["*podbrief* turns podcast episodes into key takeaways and verbatim quotes.", ""]
    lines += [f"`{prefix} {usage}`: {what}" for usage, what in usages.values()]
    lines += ["", f"Transcripts: {FORMATS}, plain or speaker-labelled text."]
    return "\n".join(lines)


def unknown(name: str, prefix: str = "/podbrief", platform: str | None = None) -> str:
    """What to say for a command we do not know: the closest one, or the whole help."""
    close = difflib.get_close_matches(name, list(COMMANDS), n=1, cutoff=0.6)
    if close:
        return f"Unknown command `{name}`. Did you mean this?\n" + help_text(
            prefix, close[0], platform
        )
    return f"Unknown command `{name}`.\n" + help_text(prefix, platform=platform)
