"""BotService: one Command in, one Reply out, for every adapter.

It reads the chat grammar (what the argument names: a file, a link, an episode id, pasted
text) and dispatches on the command table; summaries come from the typed operation in
bot.summaries, subscription commands from bot.digests.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from bot import commands
from bot.commands import COMMANDS, Handler, Syntax
from bot.errors import UserError
from bot.messages import Command, Reply
from bot.ports import EpisodeIndex
from bot.sources.audio import clock
from bot.sources.readers.load import MIN_WORDS
from bot.sources.stored import StoredTranscript
from bot.summaries import (
    EpisodeSource,
    FileSource,
    LinkSource,
    NoSuchEpisode,
    Source,
    Summaries,
    TextSource,
)

logger = logging.getLogger(__name__)
DEFAULT_SYNTAX = Syntax()
Progress = Callable[[Reply], object]
PROGRESS_SECONDS = 5.0  # the least time between two progress messages
Answer = Callable[[Command, Syntax, Progress | None], Awaitable[Reply]]


class SubscriptionHandler(Protocol):
    """The subscription commands (bot.digests.subscriptions)."""

    async def handle(self, cmd: Command, syntax: Syntax) -> Reply: ...


class BotService:
    """Answers every command with a Reply: errors become a private error Reply."""

    def __init__(
        self,
        *,
        summaries: Summaries,
        episodes: EpisodeIndex,
        subscriptions: SubscriptionHandler | None = None,
        syntaxes: Mapping[str, Syntax] | None = None,
        progress_seconds: float = PROGRESS_SECONDS,
    ) -> None:
        self.summaries = summaries
        self._progress_seconds = progress_seconds
        self._episodes = episodes
        self._subscriptions = subscriptions
        self._syntaxes = dict(syntaxes or {})
        self._handlers: dict[
            Handler, Callable[[Command, Syntax, Progress | None], Awaitable[Reply]]
        ]
        self._handlers = {
            Handler.HELP: self._help,
            Handler.EPISODES: self._list_episodes,
            Handler.SUBSCRIPTIONS: self._subscription,
            Handler.SUMMARY: self._summary,
        }

    def syntax(self, platform: str) -> Syntax:
        """How commands are written on that platform (for help and error texts)."""
        return self._syntaxes.get(platform, DEFAULT_SYNTAX)

    async def handle(self, cmd: Command, progress: Progress | None = None) -> Reply:
        """Answer `cmd`; problems become an ephemeral error Reply, never an exception."""
        syntax = self.syntax(cmd.destination.platform)
        try:
            spec = COMMANDS.get(cmd.name)
            if spec is None:
                return Reply(cmd.destination, "text", syntax.unknown(cmd.name), ephemeral=True)
            return await self._handlers[spec.handler](cmd, syntax, progress)
        except UserError as exc:
            return Reply(cmd.destination, "error", text=str(exc), ephemeral=True)
        except Exception:
            logger.exception("command %r failed", cmd.name)
            return Reply(
                cmd.destination,
                "error",
                ephemeral=True,
                text="Something went wrong on our side; it has been logged. "
                "Please try again in a minute.",
            )

    async def _help(self, cmd: Command, syntax: Syntax, _: Progress | None) -> Reply:
        topic = commands.parse(cmd.args).name if cmd.args else None
        return Reply(cmd.destination, "text", syntax.help(topic), ephemeral=True)

    async def _subscription(self, cmd: Command, syntax: Syntax, _: Progress | None) -> Reply:
        if self._subscriptions is None:
            raise UserError("Feed digests are not running in this bot.")
        if COMMANDS[cmd.name].manages and not cmd.can_manage:
            who = syntax.rights or "people who may manage this channel"
            raise UserError(f"Changing this channel's subscriptions is for {who}.")
        return await self._subscriptions.handle(cmd, syntax)

    async def _list_episodes(self, cmd: Command, syntax: Syntax, _: Progress | None) -> Reply:
        found = await self._episodes.find_episodes(cmd.args)
        if not found:
            what = f" matching “{cmd.args}”" if cmd.args else ""
            return Reply(
                cmd.destination,
                "text",
                ephemeral=True,
                text=f"No episodes{what} yet. Try `{syntax.command('summarize <link>')}`.",
            )
        lines = [
            f"`{e.id}` {e.title or e.source}" + (f" ({e.show})" if e.show else "") for e in found
        ]
        return Reply(cmd.destination, "text", "Episodes (newest first):\n" + "\n".join(lines))

    async def _summary(self, cmd: Command, syntax: Syntax, progress: Progress | None) -> Reply:
        source, notes = self.source_of(cmd, syntax)

        def loaded(transcript: StoredTranscript) -> None:
            if progress is not None:
                progress(
                    Reply(
                        cmd.destination,
                        "progress",
                        ephemeral=True,
                        text=f"Working on “{transcript.title or 'the episode'}” "
                        f"({transcript.word_count:,} words)…",
                    )
                )

        last = [-self._progress_seconds]

        def transcribing(done: float, total: float) -> None:
            now = time.monotonic()
            if progress is None or now - last[0] < self._progress_seconds:
                return  # at most every few seconds: chats limit how often a message changes
            last[0] = now
            text = f"Transcribing the audio: {clock(done)} of {clock(total)}…"
            progress(Reply(cmd.destination, "progress", ephemeral=True, text=text))

        workspace = (cmd.destination.platform, cmd.destination.workspace)
        try:
            done = await self.summaries.summarize(
                source, workspace=workspace, loaded=loaded, progress=transcribing
            )
        except NoSuchEpisode as exc:
            raise UserError(
                f"{exc} `{syntax.command('episodes')}` lists the stored ones."
            ) from None
        summary = done.summary
        if notes:
            summary = summary.model_copy(update={"notes": (*summary.notes, *notes)})
        return Reply(
            cmd.destination,
            COMMANDS[cmd.name].reply,
            summary=summary,
            episode_id=done.episode_id,
            cached=done.cached,
        )

    def source_of(self, cmd: Command, syntax: Syntax) -> tuple[Source, tuple[str, ...]]:
        """What a summary command's argument names, and notes about the choice."""
        arg = cmd.args.strip()
        if cmd.attachments:
            first = cmd.attachments[0]
            notes: tuple[str, ...] = ()
            if len(cmd.attachments) > 1:
                notes = (
                    f"{len(cmd.attachments)} files were sent: this summarizes the first, "
                    f"{first.name}; send the others one at a time",
                )
            source = FileSource(
                first.name, first.data, first.url, first.headers, commands.link_of(arg)
            )
            return source, notes
        if not arg:
            raise UserError(f"Nothing to summarize. {syntax.help(cmd.name)}")
        if (link := commands.link_of(arg)) is not None:
            return LinkSource(link), ()
        if (episode := commands.row_id(arg)) is not None:
            return EpisodeSource(episode), ()
        if (pasted := commands.link_and_text(arg)) is not None:
            link, text = pasted
            if len(text.split()) >= MIN_WORDS:  # a transcript after its video's or page's link
                return TextSource(text, link), ()
            return LinkSource(link, text), ()  # a few words: a feed's episode by title
        if len(arg.split()) >= MIN_WORDS:
            return TextSource(arg), ()
        raise UserError(
            f"`{arg[:60]}` is not a link, an episode id or a transcript. " + syntax.help(cmd.name)
        )
