"""The one place that wires podbrief together: `build(settings)` gives a running core."""

from __future__ import annotations

from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass

from bot.config import Settings, allow_hosts, llm_config
from bot.fetch import SafeFetcher
from bot.service import BotService
from bot.storage import Database
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
    executor: Executor | None
    service: BotService

    async def close(self) -> None:
        await self.fetcher.close()
        if isinstance(self.summarizer, LLMSummarizer):
            await self.summarizer.aclose()
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
        await self.db.close()


async def build(
    settings: Settings, *, executor: Executor | None = None, migrate: bool = True
) -> Core:
    """Open the database (migrated), the fetcher, the summarizer and the service."""
    db = Database(settings.database_url)
    if migrate:
        await db.upgrade()
    fetcher = SafeFetcher(
        max_bytes=settings.max_transcript_bytes,
        timeout=settings.fetch_timeout,
        allow_hosts=allow_hosts(settings),
    )
    summarizer: Summarizer
    if settings.engine == "llm":
        summarizer = LLMSummarizer(llm_config(settings))
    else:
        summarizer = ExtractiveSummarizer()
    if executor is None and settings.workers > 0:
        executor = ProcessPoolExecutor(max_workers=settings.workers)
    service = BotService(
        db=db,
        fetcher=fetcher,
        summarizer=summarizer,
        options=SummaryOptions(takeaways=settings.takeaways, quotes=settings.quotes),
        max_bytes=settings.max_transcript_bytes,
        executor=executor,
        workspace_jobs=settings.workspace_jobs,
        link_cache_seconds=settings.link_cache_seconds,
    )
    return Core(settings, db, fetcher, summarizer, executor, service)
