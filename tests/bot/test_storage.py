"""Storage on SQLite and on the local Postgres: migrations, episodes, the summary cache."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.sources.readers import load_path
from bot.storage import Database, async_url
from bot.storage.models import SeenEventRow
from summarizers.extractive import ExtractiveSummarizer
from tests.support.data import FIXTURES, ROOT

EXAMPLE = ROOT / "examples" / "repair-cafe.txt"


def test_async_url() -> None:
    assert async_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert async_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert async_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert async_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_episodes_and_cache(database_url: str) -> None:
    async def go() -> None:
        db = Database(database_url)
        try:
            await db.upgrade()
            await db.upgrade()  # idempotent
            t = load_path(EXAMPLE)
            first = await db.save_episode(t)
            assert await db.save_episode(t) == first  # stored once
            other = await db.save_episode(load_path(FIXTURES / "episode.vtt"))
            assert other != first
            back = await db.episode(first)
            assert back == t
            assert await db.episode(10**6) is None
            found = await db.find_episodes("repair")
            assert [e.id for e in found] == [first]
            assert [e.id for e in await db.find_episodes()] == [other, first]
            assert await db.find_episodes("repair nothing-like-this") == []
            assert await db.find_episodes("%") == []  # a character, not a wildcard
            assert await db.find_episodes("r_pair") == []
            assert [e.id for e in await db.find_episodes("REPAIR")] == [first]

            summary = ExtractiveSummarizer().run(t)
            key = "k1"
            assert await db.cached_summary(key) is None
            await db.store_summary(key, first, summary)
            await db.store_summary(key, first, summary)  # a second store is harmless
            assert await db.cached_summary(key) == summary
        finally:
            await db.close()

    asyncio.run(go())


def test_concurrent_saves_store_one_episode(database_url: str) -> None:
    async def go() -> None:
        db = Database(database_url)
        other = Database(database_url)
        try:
            await db.upgrade()
            t = load_path(EXAMPLE)
            ids = await asyncio.gather(*(d.save_episode(t) for d in (db, other, db, other)))
            assert len(set(ids)) == 1
        finally:
            await db.close()
            await other.close()

    asyncio.run(go())


def test_an_event_is_handled_once_across_instances(database_url: str) -> None:
    async def go() -> None:
        one, two = Database(database_url), Database(database_url)
        try:
            await one.upgrade()
            firsts = await asyncio.gather(
                *(db.first_delivery("slack:Ev1") for db in (one, two, one, two))
            )
            assert sorted(firsts) == [False, False, False, True]  # one winner, any instance
            assert await two.first_delivery("slack:Ev2")
            assert not await one.first_delivery("slack:Ev2")
            # keys are forgotten after `keep`, swept or not (`one` swept a moment ago), and
            # exactly one instance takes a forgotten key
            await asyncio.sleep(1.1)
            firsts = await asyncio.gather(
                *(db.first_delivery("slack:Ev1", keep=timedelta(seconds=1)) for db in (one, two))
            )
            assert sorted(firsts) == [False, True]
            assert not await one.first_delivery("slack:Ev1")
        finally:
            await one.close()
            await two.close()

    asyncio.run(go())


def test_expired_event_keys_are_swept_once_a_minute(database_url: str) -> None:
    async def keys(db: Database) -> set[str]:
        async with db.engine.connect() as conn:
            return set((await conn.execute(select(SeenEventRow.key))).scalars())

    async def go() -> None:
        db = Database(database_url)
        try:
            await db.upgrade()
            await db.first_delivery("slack:Old")
            await asyncio.sleep(1.1)
            # swept a moment ago: the old key stays until the next sweep
            await db.first_delivery("slack:New", keep=timedelta(seconds=1))
            assert {"slack:Old", "slack:New"} <= await keys(db)
            fresh = Database(database_url)  # a new instance sweeps on its first event
            try:
                await fresh.first_delivery("slack:Newer", keep=timedelta(seconds=1))
            finally:
                await fresh.close()
            found = await keys(db)
            assert "slack:Old" not in found
            assert "slack:Newer" in found
        finally:
            await db.close()

    asyncio.run(go())
