"""Subscriptions and exactly-once slot claims, on SQLite and the local Postgres."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.digests.store import Claim, DigestStore
from bot.storage import Database

STALE = timedelta(minutes=10)


def test_subscribe_list_unsubscribe(database_url: str) -> None:
    async def go() -> None:
        db = Database(database_url)
        try:
            await db.upgrade()
            store = DigestStore(db)
            sub, created = await store.subscribe(
                platform="slack",
                workspace="T1",
                channel="C1",
                feed_url="https://f/a.xml",
                schedule="daily 09:00 tz UTC",
                user="U1",
            )
            assert created
            again, created = await store.subscribe(
                platform="slack",
                workspace="T1",
                channel="C1",
                feed_url="https://f/a.xml",
                schedule="daily 10:00 tz UTC",
                user="U1",
            )
            assert not created
            assert again.id == sub.id
            assert again.schedule == "daily 10:00 tz UTC"
            await store.subscribe(
                platform="slack",
                workspace="T1",
                channel="C2",
                feed_url="https://f/a.xml",
                schedule="daily 09:00 tz UTC",
                user="U2",
            )
            assert [s.channel for s in await store.subscriptions("slack", "C1")] == ["C1"]
            assert len(await store.subscriptions()) == 2
            assert await store.unsubscribe("slack", "C1", "https://f/nope.xml") == 0
            assert await store.unsubscribe("slack", "C2", sub.id) == 0  # other channel
            assert await store.unsubscribe("slack", "C1", sub.id) == 1
            assert [s.channel for s in await store.subscriptions()] == ["C2"]
        finally:
            await db.close()

    asyncio.run(go())


def test_one_claim_wins_across_instances(database_url: str) -> None:
    async def go() -> None:
        instances = [Database(database_url) for _ in range(4)]
        try:
            await instances[0].upgrade()
            sub, _ = await DigestStore(instances[0]).subscribe(
                platform="discord",
                workspace="G",
                channel="X",
                feed_url="https://f/b.xml",
                schedule="daily 09:00 tz UTC",
                user="U",
            )
            for slot in ("2026-11-26T09:00", "2026-11-27T09:00"):
                wins = await asyncio.gather(
                    *(
                        DigestStore(db).claim(sub.id, slot, f"instance-{n}-{k}", stale_after=STALE)
                        for n, db in enumerate(instances)
                        for k in range(3)
                    )
                )
                assert sum(map(bool, wins)) == 1
            assert [s for s, _, _ in await DigestStore(instances[0]).deliveries(sub.id)] == [
                "2026-11-26T09:00",
                "2026-11-27T09:00",
            ]
        finally:
            for db in instances:
                await db.close()

    asyncio.run(go())


def test_stale_claim_is_taken_over_once_and_posted_slots_never(database_url: str) -> None:
    async def go() -> None:
        db = Database(database_url)
        try:
            await db.upgrade()
            store = DigestStore(db)
            sub, _ = await store.subscribe(
                platform="slack",
                workspace="T",
                channel="C",
                feed_url="https://f/c.xml",
                schedule="daily 09:00 tz UTC",
                user="U",
            )
            t0 = datetime(2026, 11, 26, 9, tzinfo=UTC)
            slot = "2026-11-26T09:00"
            assert await store.claim(sub.id, slot, "crashed", stale_after=STALE, now=t0)
            # too early: the claim is still fresh
            assert not await store.claim(
                sub.id, slot, "b", stale_after=STALE, now=t0 + timedelta(minutes=5)
            )
            later = t0 + STALE + timedelta(seconds=1)
            takers = await asyncio.gather(
                *(
                    store.claim(sub.id, slot, name, stale_after=STALE, now=later)
                    for name in ("b", "c", "d")
                )
            )
            assert sum(map(bool, takers)) == 1
            winner = ["b", "c", "d"][[bool(x) for x in takers].index(True)]
            assert not await store.finish(sub.id, slot, "crashed", message_ids=["1"])
            assert await store.finish(sub.id, slot, winner, message_ids=["m1", "m2"])
            assert await store.deliveries(sub.id) == [(slot, "posted", 2)]
            much_later = later + STALE * 10
            assert not await store.claim(sub.id, slot, "e", stale_after=STALE, now=much_later)
            # claim tells a fresh claim from a takeover
            other = "2026-11-27T09:00"
            kinds = [
                await store.claim(sub.id, other, who, stale_after=STALE, now=when)
                for who, when in (("f", t0), ("g", t0), ("h", much_later))
            ]
            assert kinds == [Claim.CLAIMED_NEW, Claim.NOT_CLAIMED, Claim.TAKEN_OVER]
        finally:
            await db.close()

    asyncio.run(go())
