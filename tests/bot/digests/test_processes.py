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


async def _point_feed_at(database_url: str, url: str) -> None:
    db = Database(database_url)
    async with db.engine.begin() as conn:
        await conn.execute(update(SubscriptionRow).values(feed_url=url))
    await db.close()


def _digests(fake: FakeSlack) -> list[dict[str, object]]:
    """The digest's top-level messages in the channel (its thread replies aside)."""
    return [
        p
        for p in fake.posts
        if p.get("channel") == "C-digest" and not p.get("thread_ts") and "Compost" in json.dumps(p)
    ]


def test_a_claimer_killed_after_slack_took_the_digest_is_not_posted_again(
    database_url: str,
) -> None:
    """Instance A posts the digest and is killed (SIGKILL) before it hears Slack's answer,
    so it never records it; B takes the stale claim over, finds the digest in the channel
    by its marker, and records it without posting a second one."""
    timeout = 4.0

    async def go() -> None:
        fake = await FakeSlack().start()
        bots: list[asyncio.subprocess.Process] = []

        async def kill_the_poster(message: dict[str, object]) -> None:
            if message.get("channel") == "C-digest" and bots:
                bots[0].kill()
                await asyncio.sleep(0.5)  # the poster is gone before it hears back

        fake.on_post = kill_the_poster
        try:
            sub_id, slot = await _prepare(database_url, fake, crashed=False)
            env = {"PODBRIEF_DIGEST_CLAIM_TIMEOUT": str(timeout)}
            bots.append(await _start_bot(_bot_env(database_url, fake, **env)))
            await fake.wait_for_posts(1, within=60)
            await bots[0].wait()
            fake.on_post = None
            assert await _deliveries(database_url, sub_id) == [(slot, "claimed", 1)]
            b = await _start_bot(_bot_env(database_url, fake, **env))
            try:
                for _ in range(300):  # B records it within a claim timeout or so
                    if (await _deliveries(database_url, sub_id))[0][1] == "posted":
                        break
                    await asyncio.sleep(0.1)
                await asyncio.sleep(1.5)  # time for a second, wrong post to show up
            finally:
                b.send_signal(signal.SIGTERM)
                assert await b.wait() == 0
            assert len(_digests(fake)) == 1
            assert await _deliveries(database_url, sub_id) == [(slot, "posted", 2)]
        finally:
            await fake.stop()

    asyncio.run(go())


def test_a_build_longer_than_the_claim_timeout_keeps_its_claim_while_the_other_restarts(
    database_url: str,
) -> None:
    """A builds for three claim timeouts (a slow feed); B starts, is stopped and starts
    again meanwhile: A's heartbeat keeps the claim fresh, so B never takes it, and the slot
    is posted once, by A."""
    from aiohttp import web

    from tests.support.fakes.local import serve

    timeout = 3.0

    async def go() -> None:
        fake = await FakeSlack().start()
        asked = asyncio.Event()
        app = web.Application()

        async def feed(_: web.Request) -> web.Response:
            asked.set()
            await asyncio.sleep(3 * timeout)
            return web.Response(body=fake.public["feed.xml"], content_type="application/rss+xml")

        app.router.add_get("/slow-feed.xml", feed)
        site, port = await serve(app)
        procs: list[asyncio.subprocess.Process] = []
        try:
            sub_id, slot = await _prepare(database_url, fake, crashed=False)
            await _point_feed_at(database_url, f"http://127.0.0.1:{port}/slow-feed.xml")
            env = {"PODBRIEF_DIGEST_CLAIM_TIMEOUT": str(timeout)}
            procs.append(await _start_bot(_bot_env(database_url, fake, **env)))
            await asyncio.wait_for(asked.wait(), 60)  # A claimed and is building
            async with aiohttp.ClientSession() as http:
                for _ in range(2):  # B starts (and runs its catch-up), stops, starts again
                    b_env = _bot_env(database_url, fake, **env)
                    b = await _start_bot(b_env)
                    procs.append(b)
                    await wait_until_healthy(http, b_env["PODBRIEF_HTTP_PORT"])
                    await asyncio.sleep(timeout / 2)
                    if len(procs) == 2:
                        b.send_signal(signal.SIGTERM)
                        assert await b.wait() == 0
            await fake.wait_for_posts(1, within=60)
            await asyncio.sleep(timeout)  # past a claim timeout: a second post would show
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.send_signal(signal.SIGTERM)
                    assert await proc.wait() == 0
            await site.cleanup()
        try:
            assert len(_digests(fake)) == 1
            assert await _deliveries(database_url, sub_id) == [(slot, "posted", 1)]
        finally:
            await fake.stop()

    asyncio.run(go())


def test_both_stopped_for_three_slots_post_every_episode_once(database_url: str) -> None:
    """Both instances were down for three daily slots, an episode published before each;
    started together, they post one catch-up digest (the latest missed slot, as the README
    says) holding all three episodes, once; a restart of both posts nothing more."""

    async def go() -> None:
        fake = await FakeSlack().start()
        try:
            sub_id, slot = await _prepare(database_url, fake, crashed=False)
            now = datetime.now(UTC)
            episodes = tuple((f"cc-down-{n}", now - timedelta(days=n, hours=12)) for n in range(3))
            fake.public["feed.xml"] = feed_xml(
                fake.public_url(""), now - timedelta(days=5), episodes
            ).encode()
            await _run_bots(database_url, fake, count=2)
            assert len(_digests(fake)) == 1
            for guid, _ in episodes:  # each episode in one message (its text and blocks)
                assert sum(f"Episode {guid}" in json.dumps(p) for p in fake.posts) == 1, guid
            # published before the channel subscribed
            assert "Hot composting" not in json.dumps(fake.posts)
            assert await _deliveries(database_url, sub_id) == [(slot, "posted", 1)]
            before = len(fake.posts)
            procs = []
            for _ in range(2):  # both restarted: the slot is done, nothing is posted again
                env = _bot_env(database_url, fake)
                procs.append((await _start_bot(env), env["PODBRIEF_HTTP_PORT"]))
            async with aiohttp.ClientSession() as http:
                for _, port in procs:
                    await wait_until_healthy(http, port)
            await asyncio.sleep(2)
            for proc, _ in procs:
                proc.send_signal(signal.SIGTERM)
                assert await proc.wait() == 0
            assert len(fake.posts) == before
        finally:
            await fake.stop()

    asyncio.run(go())
