"""The core built from real parts for tests: the summarize operation and the chat service
on a real database and fetcher, with the real engines."""

from __future__ import annotations

from typing import Any

from bot.commands import Syntax
from bot.service import BotService, SubscriptionHandler
from bot.sources.fetch import SafeFetcher
from bot.storage import Database
from bot.summaries import Summaries
from bot.workers import WorkerPool
from summarizers.base import Summarizer, SummaryOptions
from summarizers.extractive import ExtractiveSummarizer


def summaries_for(
    db: Database | None,
    fetcher: SafeFetcher,
    *,
    summarizer: Summarizer | None = None,
    max_bytes: int = 200_000,
    workers: WorkerPool | None = None,
    **options: Any,
) -> Summaries:
    """The summarize operation with the offline engine unless told otherwise."""
    return Summaries(
        fetcher=fetcher,
        summarizer=summarizer or ExtractiveSummarizer(),
        options=SummaryOptions(),
        max_bytes=max_bytes,
        db=db,
        workers=workers,
        **options,
    )


def service_for(
    db: Database,
    fetcher: SafeFetcher,
    *,
    subscriptions: SubscriptionHandler | None = None,
    syntaxes: dict[str, Syntax] | None = None,
    **summaries: Any,
) -> BotService:
    """The chat service over `summaries_for(db, fetcher, **summaries)`."""
    return BotService(
        summaries=summaries_for(db, fetcher, **summaries),
        episodes=db,
        subscriptions=subscriptions,
        syntaxes=syntaxes,
    )
