"""Exactly once across processes: two `podbrief run` on one database, and a crashed claim."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from datetime import UTC, datetime, timedelta

import aiohttp
from sqlalchemy import update

from bot.digests.schedule import parse_schedule
from bot.digests.scheduler import latest_slot_time
from bot.digests.store import DigestStore
from bot.storage import Database
from bot.storage.models import SubscriptionRow
from tests.support.fakes.local import wait_until_healthy
from tests.support.fakes.slack_server import BOT_TOKEN, FakeSlack
from tests.support.feeds import feed_xml

SCHEDULE = "daily 09:00 tz UTC"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _prepare(database_url: str, fake: FakeSlack, crashed: bool) -> tuple[int, str]:
    """A subscription made three days ago, a feed with an episode from two days ago."""
    now = datetime.now(UTC)
    fake.public["feed.xml"] = feed_xml(fake.public_url(""), now - timedelta(days=2)).encode()
    db = Database(database_url)
    await db.upgrade()
    store = DigestStore(db)
    sub, _ = await store.subscribe(
        platform="slack",
        workspace="T1",
        channel="C-digest",
        feed_url=fake.public_url("feed.xml"),
        schedule=SCHEDULE,
        user="U1",
    )
    async with db.engine.begin() as conn:
        await conn.execute(update(SubscriptionRow).values(created_at=now - timedelta(days=3)))
    fire = latest_slot_time(parse_schedule(SCHEDULE), now, timedelta(hours=24))
    assert fire is not None
    slot = parse_schedule(SCHEDULE).slot(fire)
    if crashed:  # an instance claimed the slot an hour ago and died before posting
        assert await store.claim(
            sub.id,
            slot,
            "crashed-instance",
            stale_after=timedelta(minutes=15),
            now=now - timedelta(hours=1),
        )
    await db.close()
    return sub.id, slot


def _bot_env(database_url: str, fake: FakeSlack, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": fake.api_url,
        "PODBRIEF_HTTP_PORT": str(_free_port()),
        "DATABASE_URL": database_url,
        "PODBRIEF_FETCH_ALLOW_HOSTS": "127.0.0.1",
        "PODBRIEF_WORKERS": "0",
        **extra,
    }


async def _start_bot(env: dict[str, str]) -> asyncio.subprocess.Process:
    """`podbrief run` as its own process."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", "run", env=env, stdin=asyncio.subprocess.DEVNULL
    )


async def _run_bots(database_url: str, fake: FakeSlack, count: int) -> None:
    procs = []
    for _ in range(count):
        env = _bot_env(database_url, fake, PODBRIEF_WORKERS="1")
        procs.append((await _start_bot(env), env["PODBRIEF_HTTP_PORT"]))
    try:
        async with aiohttp.ClientSession() as http:
            for _, port in procs:  # every instance is up (and has run its catch-up)
                await wait_until_healthy(http, port)
        await fake.wait_for_posts(1, within=60)
        await asyncio.sleep(1.5)  # time for a second, wrong post to show up
    finally:
        for proc, _ in procs:
            proc.send_signal(signal.SIGTERM)
        for proc, _ in procs:
            assert await proc.wait() == 0


async def _deliveries(database_url: str, sub_id: int) -> list[tuple[str, str, int]]:
    db = Database(database_url)
    try:
        return await DigestStore(db).deliveries(sub_id)
    finally:
        await db.close()


def test_two_processes_post_the_slot_once(database_url: str) -> None:
    async def go() -> None:
        fake = await FakeSlack().start()
        try:
            sub_id, slot = await _prepare(database_url, fake, crashed=False)
            await _run_bots(database_url, fake, count=2)
            digests = [p for p in fake.posts if "Compost Corner" in json.dumps(p)]
            assert len(digests) == 1
            assert digests[0]["channel"] == "C-digest"
            assert await _deliveries(database_url, sub_id) == [(slot, "posted", 1)]
        finally:
            await fake.stop()

    asyncio.run(go())


def test_a_claim_left_by_a_crashed_process_is_posted_once(database_url: str) -> None:
    async def go() -> None:
        fake = await FakeSlack().start()
        try:
            sub_id, slot = await _prepare(database_url, fake, crashed=True)
            await _run_bots(database_url, fake, count=2)
            digests = [p for p in fake.posts if "Compost Corner" in json.dumps(p)]
            assert len(digests) == 1
            assert await _deliveries(database_url, sub_id) == [(slot, "posted", 2)]
        finally:
            await fake.stop()

    asyncio.run(go())


def test_a_claimer_killed_before_posting_is_taken_over_within_the_timeout(
    database_url: str,
) -> None:
    """Instance A claims the slot and is killed (SIGKILL) while it builds the digest;
    instance B, started seconds later, finds A's claim fresh, then takes it over by itself
    once it is stale (no fire, no restart needed) and posts the slot once."""
    from aiohttp import web

    from tests.support.fakes.local import serve

    timeout = 8.0  # longer than B takes to start: B's catch-up finds A's claim fresh

    async def go() -> None:
        fake = await FakeSlack().start()
        asked = asyncio.Event()
        delay = [30.0]
        app = web.Application()

        async def feed(_: web.Request) -> web.Response:
            asked.set()
            await asyncio.sleep(delay[0])
            return web.Response(body=fake.public["feed.xml"], content_type="application/rss+xml")

        app.router.add_get("/slow-feed.xml", feed)
        site, port = await serve(app)
        try:
            sub_id, slot = await _prepare(database_url, fake, crashed=False)
            db = Database(database_url)
            async with db.engine.begin() as conn:
                await conn.execute(
                    update(SubscriptionRow).values(
                        feed_url=f"http://127.0.0.1:{port}/slow-feed.xml"
                    )
                )
            await db.close()
            env = {"PODBRIEF_DIGEST_CLAIM_TIMEOUT": str(timeout)}
            a = await _start_bot(_bot_env(database_url, fake, **env))
            await asyncio.wait_for(asked.wait(), 60)  # A claimed and is building
            a.kill()
            await a.wait()
            delay[0] = 0.0
            assert await _deliveries(database_url, sub_id) == [(slot, "claimed", 1)]
            b = await _start_bot(_bot_env(database_url, fake, **env))
            try:
                await fake.wait_for_posts(1, within=60)
                await asyncio.sleep(1.5)  # time for a second, wrong post to show up
            finally:
                b.send_signal(signal.SIGTERM)
                assert await b.wait() == 0
            digests = [p for p in fake.posts if "Compost Corner" in json.dumps(p)]
            assert len(digests) == 1
            assert await _deliveries(database_url, sub_id) == [(slot, "posted", 2)]
        finally:
            await site.cleanup()
            await fake.stop()

    asyncio.run(go())
