"""DigestScheduler: APScheduler 3.11 jobs rebuilt from the subscriptions table.

The table is the source of truth; jobs live in memory only (a job store shared by several
processes runs jobs twice or misses them), with explicit ids and `replace_existing`.
Exactly-once posting comes from the database claims in DigestRunner, so every instance
may run a scheduler. After downtime, the latest slot missed within the catch-up window is
posted once, not once per missed slot.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.digests.runner import DigestRunner
from bot.digests.schedule import Schedule, parse_schedule
from bot.digests.store import DigestStore, Subscription
from bot.errors import UserError

logger = logging.getLogger(__name__)
CONCURRENT_DIGESTS = 8


def latest_slot_time(schedule: Schedule, now: datetime, window: timedelta) -> datetime | None:
    """The newest fire time in (now - window, now], if any."""
    trigger = schedule.trigger()
    fire = trigger.get_next_fire_time(None, now - window)
    latest = None
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest


class DigestScheduler:
    """Whatever starts it also stops it (`start`/`stop`)."""

    def __init__(
        self,
        runner: DigestRunner,
        store: DigestStore,
        *,
        catchup: timedelta,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.runner = runner
        self.store = store
        self.catchup = catchup
        self.clock = clock
        grace = max(60, int(catchup.total_seconds()))
        # coalesce: several missed runs become one; grace: a late run still happens
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"misfire_grace_time": grace, "coalesce": True, "max_instances": 1},
        )

    async def start(self, *, paused: bool = False) -> None:
        self.scheduler.start(paused=paused)  # before refresh: replace_existing needs it
        # other instances change the table too: re-read it every minute
        self.scheduler.add_job(
            self.refresh,
            "interval",
            minutes=1,
            id="refresh-digests",
            replace_existing=True,
            max_instances=1,
        )
        # claims left by an instance that stopped are finished by whoever sees them first,
        # within about a quarter of the claim timeout after they went stale
        self.scheduler.add_job(
            self.runner.take_over_stale,
            "interval",
            seconds=max(1.0, self.runner.stale_after.total_seconds() / 4),
            id="stale-claims",
            replace_existing=True,
            max_instances=1,
        )
        await self.refresh()
        await self.catch_up()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def refresh(self) -> None:
        """Make the jobs match the subscriptions table (at start and on every change).

        One job per distinct schedule (not per subscription): 10,000 subscriptions on a
        few hundred schedules are a few hundred jobs, rebuilt in well under a second.
        """
        wanted: dict[str, str] = {}
        for spec in {sub.schedule for sub in await self.store.subscriptions()}:
            try:
                trigger = parse_schedule(spec).trigger()
            except UserError:
                logger.warning("unreadable schedule %r", spec)
                continue
            job_id = "digest-" + hashlib.sha1(spec.encode()).hexdigest()[:16]
            wanted[job_id] = spec
            self.scheduler.add_job(
                self._fire,
                trigger=trigger,
                id=job_id,
                args=[spec],
                replace_existing=True,
                name=f"digests {spec}",
            )
        for job in self.scheduler.get_jobs():
            if job.id.startswith("digest-") and job.id not in wanted:
                job.remove()

    async def catch_up(self) -> list[str]:
        """After downtime: the latest missed slot of each subscription, once."""
        groups: dict[str, list[Subscription]] = {}
        for sub in await self.store.subscriptions():
            groups.setdefault(sub.schedule, []).append(sub)
        outcomes: list[str] = []
        for spec, subs in groups.items():
            outcomes += await self._run_group(spec, subs, self.catchup)
        return outcomes

    async def _fire(self, spec: str) -> None:
        """Every subscription on this schedule; the slot is the latest scheduled time,
        even when this run starts late."""
        subs = await self.store.subscriptions(schedule=spec)
        await self._run_group(spec, subs, self.catchup + timedelta(minutes=1))

    async def _run_group(self, spec: str, subs: list[Subscription], window: timedelta) -> list[str]:
        """One schedule's latest slot for its subscriptions, CONCURRENT_DIGESTS at a time."""
        try:
            schedule = parse_schedule(spec)
        except UserError:
            logger.warning("unreadable schedule %r", spec)
            return []
        fire = latest_slot_time(schedule, self.clock(), window)
        if fire is None:
            return []
        gate = asyncio.Semaphore(CONCURRENT_DIGESTS)
        feeds = self.runner.feed_cycle()  # one request a feed for the run

        async def one(sub: Subscription) -> str | None:
            if fire < sub.created_at:  # the slot came before the channel subscribed
                return None
            async with gate:
                try:
                    outcome = await self.runner.run_slot(sub, fire, feeds=feeds)
                except Exception:
                    logger.exception("digest of subscription %s failed", sub.id)
                    return None
            logger.info("digest %s slot %s: %s", sub.id, schedule.slot(fire), outcome)
            return outcome

        outcomes = await asyncio.gather(*(one(sub) for sub in subs))
        return [o for o in outcomes if o is not None]
