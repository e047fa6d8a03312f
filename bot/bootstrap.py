"""The one place that wires podbrief together: `build(settings)` gives a running core."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings, allow_hosts, llm_config
from bot.service import BotService
from bot.sources.fetch import SafeFetcher
from bot.storage import Database
from bot.workers import WorkerPool
from summarizers.base import Summarizer, SummaryOptions
from summarizers.extractive import ExtractiveSummarizer
from summarizers.llm import LLMSummarizer


@dataclass
class Core:
    """Everything an adapter needs; `close()` releases it all."""

    settings: Settings
    db: Database
    fetcher: SafeFetcher
    summarizer: Summarizer
    workers: WorkerPool | None
    service: BotService

    async def close(self) -> None:
        await self.fetcher.close()
        if isinstance(self.summarizer, LLMSummarizer):
            await self.summarizer.aclose()
        if self.workers is not None:
            self.workers.shutdown()
        await self.db.close()


def fetcher_for(settings: Settings) -> SafeFetcher:
    """The safe fetcher with the settings' size cap, timeout and allowed private hosts (the
    bot and the command line fetch links alike)."""
    return SafeFetcher(
        max_bytes=settings.max_transcript_bytes,
        timeout=settings.fetch_timeout,
        allow_hosts=allow_hosts(settings),
    )


async def build(settings: Settings, *, migrate: bool = True) -> Core:
    """Open the database (migrated), the fetcher, the summarizer and the service."""
    db = Database(settings.database_url)
    if migrate:
        await db.upgrade()
    fetcher = fetcher_for(settings)
    summarizer: Summarizer
    if settings.engine == "llm":
        summarizer = LLMSummarizer(llm_config(settings))
    else:
        summarizer = ExtractiveSummarizer()
    workers = (
        WorkerPool(settings.workers, timeout=settings.job_timeout) if settings.workers > 0 else None
    )
    service = BotService(
        db=db,
        fetcher=fetcher,
        summarizer=summarizer,
        options=SummaryOptions(takeaways=settings.takeaways, quotes=settings.quotes),
        max_bytes=settings.max_transcript_bytes,
        workers=workers,
        workspace_jobs=settings.workspace_jobs,
        link_cache_seconds=settings.link_cache_seconds,
    )
    return Core(settings, db, fetcher, summarizer, workers, service)
