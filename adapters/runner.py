"""`podbrief run`: every configured adapter in one event loop, stopped cleanly by signals."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.bootstrap import Core, build
from bot.config import Settings
from bot.digests.runner import DigestRunner, Messenger
from bot.digests.scheduler import DigestScheduler
from bot.digests.store import DigestStore
from bot.digests.subscriptions import SubscriptionCommands
from bot.messages import Destination, Reply

logger = logging.getLogger(__name__)


class Adapter(Protocol):
    """A chat platform: runs until stopped (or, for the console, until input ends)."""

    name: str

    async def run(self) -> None: ...


AdapterFactory = type[Adapter]


async def run(settings: Settings, adapters: list[Adapter] | None = None) -> None:
    """Start the core and the adapters; on SIGINT/SIGTERM let in-flight replies finish."""
    core = await build(settings)
    scheduler = None
    try:
        chosen = adapters if adapters is not None else _configured(core)
        scheduler = await _start_digests(core, chosen)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        tasks = [asyncio.create_task(a.run(), name=a.name) for a in chosen]
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        stopper.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    finally:
        if scheduler is not None:
            scheduler.stop()
        await core.close()


def _configured(core: Core) -> list[Adapter]:
    """Slack and Discord when their credentials are set; else the console."""
    adapters: list[Adapter] = []
    if core.settings.slack.configured:
        from adapters.slack.app import SlackAdapter

        adapters.append(SlackAdapter(core.service, core.settings))
    if core.settings.discord.token is not None:
        from adapters.discord.app import DiscordAdapter

        adapters.append(DiscordAdapter(core.service, core.settings))
    if not adapters:
        from adapters.console.app import ConsoleAdapter

        adapters.append(ConsoleAdapter(core.service, max_bytes=core.settings.max_transcript_bytes))
    logger.info("starting %s", ", ".join(a.name for a in adapters))
    return adapters


class _Outbound:
    """An adapter's outbound port under the Messenger name the digests use."""

    def __init__(
        self,
        deliver: Callable[[Destination, Reply], Awaitable[list[str]]],
        find: Callable[[Destination, str], Awaitable[list[str]]] | None = None,
    ) -> None:
        self._deliver = deliver
        self._find = find

    async def post(self, destination: Destination, reply: Reply) -> list[str]:
        return await self._deliver(destination, reply)

    async def find(self, destination: Destination, marker: str) -> list[str]:
        return await self._find(destination, marker) if self._find else []


async def _start_digests(core: Core, adapters: list[Adapter]) -> DigestScheduler:
    """Digests go out through every running adapter that has an outbound port."""
    messengers: dict[str, Messenger] = {}
    for adapter in adapters:
        deliver = getattr(adapter, "deliver", None) or getattr(adapter, "post", None)
        if deliver is not None and adapter.name in ("console", "slack", "discord"):
            messengers[adapter.name] = _Outbound(deliver, getattr(adapter, "find", None))
    store = DigestStore(core.db)
    runner = DigestRunner(
        core.service,
        store,
        messengers,
        instance=f"{socket.gethostname()}-{os.getpid()}",
        stale_after=core.settings.digest_claim_timeout,
    )
    scheduler = DigestScheduler(runner, store, catchup=core.settings.digest_catchup)
    core.service.subscriptions = SubscriptionCommands(store, runner, scheduler.refresh)
    await scheduler.start()
    return scheduler
