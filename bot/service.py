"""BotService: one Command in, one Reply out, for every adapter."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot import commands
from bot.errors import TranscriptError, UserError, require_content
from bot.messages import Attachment, Command, Reply, ReplyKind
from bot.sources.fetch import SafeFetcher
from bot.sources.links import from_link, titled
from bot.sources.readers import load_bytes
from bot.sources.readers.load import MIN_WORDS
from bot.storage import Database
from bot.workers import WorkerPool
from summarizers.base import Summarizer, SummaryOptions
from summarizers.extractive import ExtractiveSummarizer
from summarizers.model import Summary, Transcript

logger = logging.getLogger(__name__)


class SubscriptionHandler(Protocol):
    async def handle(self, cmd: Command, prefix: str) -> Reply: ...


def _load_job(data: bytes, source: str, max_bytes: int) -> Transcript:
    """Runs in a worker process: parsing a large transcript is CPU work too."""
    return load_bytes(data, source=source, max_bytes=max_bytes)


def _extractive_job(transcript: Transcript, options: SummaryOptions) -> Summary:
    """Runs in a worker process: the CPU-bound part never blocks the event loop."""
    return ExtractiveSummarizer().run(transcript, options)


class BotService:
    """Resolves sources, caches summaries, and answers every command with a Reply."""

    def __init__(
        self,
        *,
        db: Database,
        fetcher: SafeFetcher,
        summarizer: Summarizer,
        options: SummaryOptions,
        max_bytes: int,
        workers: WorkerPool | None = None,
        workspace_jobs: int = 2,
        prefix: str = "/podbrief",
        link_cache_seconds: float = 3600,
    ) -> None:
        self.db = db
        self.fetcher = fetcher
        self.summarizer = summarizer
        self.options = options
        self.max_bytes = max_bytes
        self.workers = workers
        self.prefix = prefix
        self.link_cache_seconds = link_cache_seconds
        self.subscriptions: SubscriptionHandler | None = None  # set when digests run
        self._workspace_jobs = workspace_jobs
        self._gates: dict[tuple[str, str | None], asyncio.Semaphore] = {}

    async def handle(
        self, cmd: Command, progress: Callable[[Reply], object] | None = None
    ) -> Reply:
        """Answer `cmd`; problems become an ephemeral error Reply, never an exception."""
        try:
            return await self._handle(cmd, progress)
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

    async def _handle(self, cmd: Command, progress: Callable[[Reply], object] | None) -> Reply:
        name = cmd.name
        if name == "help":
            topic = commands.parse(cmd.args).name if cmd.args else None
            return Reply(
                cmd.destination,
                "text",
                commands.help_text(self.prefix, topic, cmd.destination.platform),
                ephemeral=True,
            )
        if name == "episodes":
            return await self._episodes(cmd)
        if name in commands.SUBSCRIPTION_COMMANDS:
            if self.subscriptions is None:
                raise UserError("Feed digests are not running in this bot.")
            return await self.subscriptions.handle(cmd, self.prefix)
        if name not in commands.SUMMARY_COMMANDS:
            return Reply(
                cmd.destination,
                "text",
                commands.unknown(name, self.prefix, cmd.destination.platform),
                ephemeral=True,
            )
        hit = await self._recent_link_summary(cmd)
        if hit is not None:
            return hit
        transcript, episode_id, notes = await self._resolve(cmd)
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
        summary, cached = await self._summary(cmd, transcript, episode_id)
        require_content(summary)
        # a summary cached for the same words loaded another way: this request's names
        here = {"title": transcript.title, "show": transcript.show, "source": transcript.source}
        if any(getattr(summary, key) != value for key, value in here.items()):
            summary = summary.model_copy(update=here)
        if notes:  # about this request, not the transcript: never stored with the summary
            summary = summary.model_copy(update={"notes": (*summary.notes, *notes)})
        return Reply(
            cmd.destination, _kind(name), summary=summary, episode_id=episode_id, cached=cached
        )

    async def _recent_link_summary(self, cmd: Command) -> Reply | None:
        """A link summarized recently is answered from the cache without downloading it."""
        link = None if cmd.attachments else commands.link_of(cmd.args)
        if link is None or self.link_cache_seconds <= 0:
            return None
        since = datetime.now(UTC) - timedelta(seconds=self.link_cache_seconds)
        recent = await self.db.recent_episode(link, since)
        if recent is None:
            return None
        episode_id, sha = recent
        summary = await self.db.cached_summary(self.summarizer.cache_key(sha, self.options))
        if summary is None:
            return None
        require_content(summary)
        return Reply(
            cmd.destination, _kind(cmd.name), summary=summary, episode_id=episode_id, cached=True
        )

    async def _load(self, data: bytes, source: str) -> Transcript:
        """Parse a transcript in the worker pool (large files are CPU work)."""
        if self.workers is None:
            return load_bytes(data, source=source, max_bytes=self.max_bytes)
        return await self.workers.run(_load_job, data, source, self.max_bytes)

    async def _episodes(self, cmd: Command) -> Reply:
        found = await self.db.find_episodes(cmd.args)
        if not found:
            what = f" matching “{cmd.args}”" if cmd.args else ""
            return Reply(
                cmd.destination,
                "text",
                ephemeral=True,
                text=f"No episodes{what} yet. Try `{self.prefix} summarize <link>`.",
            )
        lines = [
            f"`{e.id}` {e.title or e.source}" + (f" ({e.show})" if e.show else "") for e in found
        ]
        return Reply(cmd.destination, "text", "Episodes (newest first):\n" + "\n".join(lines))

    async def _resolve(self, cmd: Command) -> tuple[Transcript, int, tuple[str, ...]]:
        """The transcript a command names (attachment, link, feed link, episode id or pasted
        text), its episode id, and notes about how it was found."""
        arg = cmd.args.strip()
        notes: tuple[str, ...] = ()
        if cmd.attachments:
            first = cmd.attachments[0]
            transcript = await self._from_attachment(first)
            if len(cmd.attachments) > 1:
                notes = (
                    f"{len(cmd.attachments)} files were sent: this summarizes the first, "
                    f"{first.name}; send the others one at a time",
                )
            if (link := commands.link_of(arg)) is not None:  # captions sent with their video
                transcript = replace(transcript, source=link)
        elif not arg:
            usage = commands.help_text(self.prefix, cmd.name, cmd.destination.platform)
            raise UserError(f"Nothing to summarize. {usage}")
        elif (link := commands.link_of(arg)) is not None:
            transcript, notes = await from_link(self.fetcher, link, self._load)
        elif (episode := commands.row_id(arg)) is not None:
            found = await self.db.episode(episode)
            if found is None:
                raise UserError(
                    f"There is no episode {episode}. "
                    f"`{self.prefix} episodes` lists the stored ones."
                )
            return found, episode, notes
        elif (pasted := commands.link_and_text(arg)) is not None:
            link, text = pasted
            if len(text.split()) >= MIN_WORDS:  # a transcript after its video's or page's link
                transcript = replace(await self._load(text.encode(), "pasted text"), source=link)
            else:  # a few words after a feed's link: its episode with them in the title
                transcript, notes = await from_link(self.fetcher, link, self._load, text)
        elif len(arg.split()) >= MIN_WORDS:
            transcript = await self._load(arg.encode(), "pasted text")
        else:
            raise UserError(
                f"`{arg[:60]}` is not a link, an episode id or a transcript. "
                + commands.help_text(self.prefix, cmd.name, cmd.destination.platform)
            )
        return transcript, await self.db.save_episode(transcript), notes

    async def _from_attachment(self, attachment: Attachment) -> Transcript:
        data = attachment.data
        if data is None:
            if attachment.url is None:
                raise TranscriptError(f"{attachment.name} has no content")
            data = (await self.fetcher.get(attachment.url, attachment.headers)).data
        return titled(await self._load(data, attachment.name), attachment.name)

    async def _summary(
        self, cmd: Command, transcript: Transcript, episode_id: int
    ) -> tuple[Summary, bool]:
        key = self.summarizer.cache_key(transcript.sha256, self.options)
        cached = await self.db.cached_summary(key)
        if cached is not None:
            return cached, True
        gate = self._gates.setdefault(
            (cmd.destination.platform, cmd.destination.workspace),
            asyncio.Semaphore(self._workspace_jobs),
        )
        async with gate:
            if isinstance(self.summarizer, ExtractiveSummarizer) and self.workers is not None:
                summary = await self.workers.run(_extractive_job, transcript, self.options)
            else:
                summary = await self.summarizer.summarize(transcript, self.options)
        await self.db.store_summary(key, episode_id, summary)
        return summary, False


def _kind(name: str) -> ReplyKind:
    return "takeaways" if name == "takeaways" else "quotes" if name == "quotes" else "summary"
