"""Digest scheduling at scale: 10,000 subscriptions over 500 feeds, SQLite and Postgres.

Usage: python -m bench.digests [--subscriptions 10000] [--feeds 500]
Prints, per database: the time to rebuild every job from the subscriptions table at
start (query + APScheduler jobs), the memory that took (tracemalloc peak, and the
process's peak RSS), and the database time of one digest cycle (every subscription's
slot: claim, last digest, covered episodes, failed slots, plan, finish: the database work
of a run, as the instances would do it; fetching feeds and posting aside).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bot.digests.runner import DigestRunner
from bot.digests.scheduler import DigestScheduler
from bot.digests.store import DigestStore
from bot.storage import Database
from bot.storage.models import SubscriptionRow
from tests.support.storage_urls import POSTGRES_URL, postgres_reachable

SCHEDULES = (
    "daily 09:00 tz Europe/Berlin",
    "daily 07:30 tz America/New_York",
    "weekly mon 08:00 tz UTC",
    'cron "0 */6 * * *" tz Asia/Tokyo',
)


async def measure(label: str, url: str, subs: int, feeds: int) -> None:
    db = Database(url)
    await db.upgrade()
    now = datetime.now(UTC)
    rows = [
        {
            "platform": "slack",
            "workspace": f"T{i % 50}",
            "channel": f"C{i}",
            "feed_url": f"https://feeds.example/{i % feeds}.xml",
            "schedule": SCHEDULES[i % len(SCHEDULES)],
            "post_empty": False,
            "created_by": "U",
            "created_at": now,
        }
        for i in range(subs)
    ]
    async with db.engine.begin() as conn:
        for start in range(0, subs, 2000):
            await conn.execute(insert(SubscriptionRow), rows[start : start + 2000])
    store = DigestStore(db)
    runner = DigestRunner(None, None, store, {}, instance="bench")  # type: ignore[arg-type]
    tracemalloc.start()
    started = time.perf_counter()
    scheduler = DigestScheduler(runner, store, catchup=timedelta(hours=24))
    scheduler.scheduler.start(paused=True)
    await scheduler.refresh()
    rebuild = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    jobs = len(scheduler.scheduler.get_jobs())
    scheduler.stop()
    all_subs = await store.subscriptions()
    started = time.perf_counter()
    slot = "2026-11-26T09:00"
    for sub in all_subs:
        # the database work of DigestRunner.run_slot (the feed and the post aside)
        if await store.claim(sub.id, slot, "bench", stale_after=timedelta(minutes=15)):
            previous = await store.last_posted_at(sub.id)
            await store.delivered(sub.id)
            await store.failed_slots(sub.id, previous)
            guids = [f"{sub.feed_url}#ep"]
            await store.plan(sub.id, slot, "bench", guids)
            await store.finish(sub.id, slot, "bench", message_ids=["m"])
    cycle = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label:<10} {subs:>6} {jobs:>6} {rebuild:>10.2f} {peak:>9.1f} {rss:>9.0f} "
        f"{cycle:>10.2f} {1000 * cycle / subs:>8.2f}",
        flush=True,
    )
    await db.close()


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--subscriptions", type=int, default=10_000)
    ap.add_argument("--feeds", type=int, default=500)
    args = ap.parse_args()
    print(
        f"{'database':<10} {'subs':>6} {'jobs':>6} {'rebuild s':>10} {'peak MB':>9} "
        f"{'RSS MB':>9} {'cycle s':>10} {'ms/slot':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        await measure(
            "sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.subscriptions, args.feeds
        )
    if postgres_reachable():
        import psycopg

        schema = f"pb_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            sep = "&" if "?" in POSTGRES_URL else "?"
            await measure(
                "postgres",
                f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}",
                args.subscriptions,
                args.feeds,
            )
        finally:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    else:
        print(f"postgres: not reachable at {POSTGRES_URL}")


if __name__ == "__main__":
    asyncio.run(main())
