"""The one composition root: `build(settings, ...)` makes every object and hands each its
dependencies in its constructor; the `App` it returns owns start and stop of the whole.

Order: database, fetcher, engine, worker pool -> the summarize operation -> the digest
store, runner, scheduler and subscription commands -> the chat service -> the adapters
(built by the factories the caller passes, since `bot` never imports `adapters`). Digests
post through the adapters' messengers, looked up by platform when a slot fires.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.commands import Syntax
from bot.config import Settings, allow_hosts, llm_config
from bot.digests.runner import DigestRunner
from bot.digests.scheduler import DigestScheduler
from bot.digests.store import DigestStore
from bot.digests.subscriptions import SubscriptionCommands
from bot.errors import UserError
from bot.ports import Adapter, ChatStore, Messenger
from bot.service import BotService
from bot.sources.audio import SpeechSettings
from bot.sources.fetch import SafeFetcher
from bot.sources.speech_remote import RemoteSpeech
from bot.sources.youtube import YouTubeSettings
from bot.storage import Database
from bot.summaries import PROGRESS_POLL_SECONDS, Summaries
from bot.workers import WorkerPool
from summarizers.base import Summarizer, SummaryOptions
from summarizers.extractive import ExtractiveSummarizer
from summarizers.llm import LLMSummarizer

logger = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 30.0  # in-flight replies may finish this long after a stop


@dataclass(frozen=True)
class ChatPorts:
    """What an adapter is built with: the service, its store port, the settings."""

    service: BotService
    store: ChatStore
    settings: Settings


AdapterFactory = Callable[[ChatPorts], Adapter]


def fetcher_for(settings: Settings) -> SafeFetcher:
    """The safe fetcher with the settings' size cap, timeout and allowed private hosts."""
    return SafeFetcher(
        max_bytes=settings.max_transcript_bytes,
        timeout=settings.fetch_timeout,
        allow_hosts=allow_hosts(settings),
        max_audio_bytes=settings.max_audio_bytes,
        audio_timeout=settings.audio_download_timeout,
    )


def summarizer_for(settings: Settings, engine: str | None = None) -> Summarizer:
    """The engine the settings (or `engine`) name."""
    if (engine or settings.engine) == "llm":
        return LLMSummarizer(llm_config(settings))
    return ExtractiveSummarizer()


def speech_for(settings: Settings) -> SpeechSettings:
    """How audio is transcribed, from the PODBRIEF_STT_* and audio limit settings."""
    return SpeechSettings(
        model=settings.stt_model,
        threads=settings.stt_threads,
        max_seconds=settings.max_audio_seconds,
    )


def remote_speech_for(settings: Settings) -> RemoteSpeech | None:
    """The transcription server, when PODBRIEF_STT_ENGINE=remote."""
    if settings.stt_engine != "remote":
        return None
    if not settings.stt_base_url:
        raise UserError(
            "invalid settings: PODBRIEF_STT_ENGINE=remote needs PODBRIEF_STT_BASE_URL (the "
            "server's /v1 address, e.g. https://api.openai.com/v1)"
        )
    key = settings.stt_api_key.get_secret_value() if settings.stt_api_key else "none"
    return RemoteSpeech(
        base_url=settings.stt_base_url,
        model=settings.stt_remote_model,
        api_key=key,
        max_upload_bytes=settings.stt_max_upload_bytes,
        retries=settings.stt_retries,
    )


def youtube_for(settings: Settings) -> YouTubeSettings:
    """How YouTube's captions are reached, from the PODBRIEF_YOUTUBE_* settings."""
    return YouTubeSettings(
        proxy=settings.youtube_proxy,
        base_url=settings.youtube_base_url,
        timeout=settings.fetch_timeout,
    )


def summaries_for(
    settings: Settings, fetcher: SafeFetcher, summarizer: Summarizer, **more: Any
) -> Summaries:
    """The summarize operation with the settings' limits, speech-to-text and link lookups
    (`more`: what only the bot has, such as its database and workers)."""
    return Summaries(
        fetcher=fetcher,
        summarizer=summarizer,
        options=more.pop("options", None) or options_for(settings),
        max_bytes=settings.max_transcript_bytes,
        speech=speech_for(settings),
        max_audio_bytes=settings.max_audio_bytes,
        youtube=youtube_for(settings),
        apple_lookup=settings.apple_lookup_url,
        remote_speech=remote_speech_for(settings),
        progress_poll=more.pop(
            "progress_poll", min(PROGRESS_POLL_SECONDS, settings.progress_seconds)
        ),
        **more,
    )


def options_for(settings: Settings) -> SummaryOptions:
    return SummaryOptions(takeaways=settings.takeaways, quotes=settings.quotes)


class AdapterFailed(Exception):
    """An adapter could not start or stopped with an error; the message is one line."""


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class App:
    """Everything `build` made. `start()` starts the digests, `run()` serves every adapter
    until a signal or `stop()`, `close()` releases it all (scheduler, pools, clients)."""

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        fetcher: SafeFetcher,
        summarizer: Summarizer,
        workers: WorkerPool | None,
        summaries: Summaries,
        digest_store: DigestStore,
        runner: DigestRunner,
        scheduler: DigestScheduler,
        service: BotService,
        adapters: Sequence[Adapter],
    ) -> None:
        self.settings = settings
        self.db = db
        self.fetcher = fetcher
        self.summarizer = summarizer
        self.workers = workers
        self.summaries = summaries
        self.digest_store = digest_store
        self.runner = runner
        self.scheduler = scheduler
        self.service = service
        self.adapters = tuple(adapters)
        self._stop = asyncio.Event()

    async def start(self) -> None:
        """Start the digest scheduler (jobs rebuilt from the subscriptions table)."""
        await self.scheduler.start()

    async def stop(self) -> None:
        """Ask `run()` to end: adapters stop taking commands and finish their replies."""
        self._stop.set()

    async def run(self) -> None:
        """Start, serve every adapter until one ends, a signal or `stop()`, then stop them
        (in-flight replies get STOP_GRACE_SECONDS)."""
        await self.start()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._stop.set)
        try:
            tasks = [asyncio.create_task(a.run(), name=a.name) for a in self.adapters]
            stopper = asyncio.create_task(self._stop.wait())
            await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            for adapter in self.adapters:
                await adapter.stop()
            if tasks:
                _, late = await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
                for task in late:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            failed = [
                (task.get_name(), error)
                for task in tasks
                if not task.cancelled() and (error := task.exception()) is not None
            ]
            for name, error in failed:  # the whole trace for whoever debugs; the reason goes up
                logger.debug("%s stopped", name, exc_info=error)
            if failed:
                raise AdapterFailed("; ".join(f"{name}: {_one_line(e)}" for name, e in failed))
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    async def close(self) -> None:
        self.scheduler.stop()
        await self.fetcher.close()
        await self.summarizer.aclose()
        if self.workers is not None:
            self.workers.shutdown()
        await self.db.close()


async def build(
    settings: Settings,
    *,
    adapters: Sequence[AdapterFactory] = (),
    syntaxes: Mapping[str, Syntax] | None = None,
    migrate: bool = True,
) -> App:
    """Every object of a running bot, wired; nothing runs until `App.start` or `App.run`."""
    db = Database(settings.database_url)
    if migrate:
        await db.upgrade()
    fetcher = fetcher_for(settings)
    summarizer = summarizer_for(settings)
    workers = (
        WorkerPool(settings.workers, timeout=settings.job_timeout) if settings.workers > 0 else None
    )
    summaries = summaries_for(
        settings,
        fetcher,
        summarizer,
        db=db,
        workers=workers,
        workspace_jobs=settings.workspace_jobs,
        link_cache_seconds=settings.link_cache_seconds,
    )
    store = DigestStore(db)
    # filled below with the adapters' messengers, before anything runs
    messengers: dict[str, Messenger] = {}
    runner = DigestRunner(
        summaries,
        fetcher,
        store,
        messengers,
        instance=f"{socket.gethostname()}-{os.getpid()}",
        stale_after=settings.digest_claim_timeout,
    )
    scheduler = DigestScheduler(runner, store, catchup=settings.digest_catchup)
    subscriptions = SubscriptionCommands(store, runner, fetcher, scheduler.refresh)
    service = BotService(
        summaries=summaries,
        episodes=db,
        subscriptions=subscriptions,
        syntaxes=syntaxes,
        progress_seconds=settings.progress_seconds,
    )
    ports = ChatPorts(service, db, settings)
    built = [make(ports) for make in adapters]
    messengers.update({a.name: a.messenger for a in built})
    if built:
        logger.info("built %s", ", ".join(a.name for a in built))
    return App(
        settings=settings,
        db=db,
        fetcher=fetcher,
        summarizer=summarizer,
        workers=workers,
        summaries=summaries,
        digest_store=store,
        runner=runner,
        scheduler=scheduler,
        service=service,
        adapters=built,
    )
