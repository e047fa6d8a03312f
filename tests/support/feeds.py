"""A local podcast feed site for digest tests: the invented Compost Corner feed, its
episode transcript, and counters of what the tests' bot asked for."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from aiohttp import web

from bot.digests.store import DigestStore, Subscription
from tests.support.data import OPUS, VTT
from tests.support.fakes.local import serve

# The slot under test: tomorrow's 09:00 UTC. The test feed's episodes are published a
# minute after the subscription is made (the real clock), so the slot must lie ahead of it.
SLOT_TIME = (datetime.now(UTC) + timedelta(days=1)).replace(
    hour=9, minute=0, second=0, microsecond=0
)


def slot_key(days: int = 0) -> str:
    """The key of the slot `days` after SLOT_TIME, as deliveries record it."""
    return (SLOT_TIME + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


FEED_HITS: list[str] = []  # If-None-Match of every feed request
TRANSCRIPTS_IN_FLIGHT = [0, 0]  # now, most at once
FEED_DELAY = [0.0]  # seconds the feed takes to answer: a digest build that takes long
FEED_CHANGES: list[tuple[str, datetime]] = []  # (guid, pubDate) items the feed adds or re-dates
AUDIO_HITS: list[str] = []  # paths of the audio downloads asked for


async def subscribe(
    store: DigestStore,
    feed_url: str,
    *,
    channel: str = "terminal",
    schedule: str = "daily 09:00 tz UTC",
    post_empty: bool = False,
) -> Subscription:
    """A console channel's subscription (the platform, workspace and user every test uses)."""
    sub, _ = await store.subscribe(
        platform="console",
        workspace="local",
        channel=channel,
        feed_url=feed_url,
        user="U",
        schedule=schedule,
        post_empty=post_empty,
    )
    return sub


def digest_jobs(scheduler: object) -> list[str]:
    """Names of the digest jobs (the table refresh job aside)."""
    jobs = scheduler.scheduler.get_jobs()  # type: ignore[attr-defined]
    return [j.name for j in jobs if j.id.startswith("digest-")]


def feed_xml(base: str, published: datetime, changes: tuple[tuple[str, datetime], ...] = ()) -> str:
    """The test feed: two episodes, plus `changes` (items added or re-dated by guid)."""
    dates = {"cc-3": published, "cc-4": published} | dict(changes)
    added = "".join(
        f"<item><guid>{guid}</guid><title>Episode {guid}</title>"
        f"<pubDate>{format_datetime(when)}</pubDate><description>About {guid}.</description>"
        + (
            f'<podcast:transcript url="{base}/ep.vtt?{guid}" type="text/vtt"/>'
            if "tx" in guid
            else ""
        )
        + "</item>"
        for guid, when in changes
        if guid not in ("cc-3", "cc-4")
    )
    return f"""<?xml version="1.0"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
<title>Compost Corner</title><link>https://compost.example/</link>
<item><guid>cc-3</guid><title>Hot composting</title><link>https://compost.example/3</link>
<pubDate>{format_datetime(dates["cc-3"])}</pubDate><description>Tom on heat.</description>
<podcast:transcript url="{base}/ep.vtt" type="text/vtt"/></item>
<item><guid>cc-4</guid><title>Leaf mould</title><link>https://compost.example/4</link>
<pubDate>{format_datetime(dates["cc-4"])}</pubDate><description>Leaves rot slowly in a cage.\
</description></item>{added}
</channel></rss>"""


def audio_feed_xml(base: str, published: datetime) -> str:
    """A show whose episodes carry audio only (an <enclosure>, no transcript): one spoken
    for the project, one whose enclosure is not audio."""
    return f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Fix It Forward</title>
<item><guid isPermaLink="false">fif-1</guid><title>The tool library</title>
<pubDate>{format_datetime(published)}</pubDate><description>Borrowing tools.</description>
<enclosure url="{base}/tool-library.opus" length="{len(OPUS)}" type="audio/ogg"/></item>
<item><guid isPermaLink="false">fif-2</guid><title>Show notes</title>
<pubDate>{format_datetime(published)}</pubDate><description>Links.</description>
<enclosure url="{base}/notes.pdf" type="application/pdf"/></item>
</channel></rss>"""


@asynccontextmanager
async def feed_site(published: datetime) -> AsyncIterator[str]:
    app = web.Application()
    base = {"url": ""}

    async def feed(request: web.Request) -> web.Response:
        FEED_HITS.append(request.headers.get("If-None-Match", ""))
        if FEED_DELAY[0]:
            await asyncio.sleep(FEED_DELAY[0])
        etag = f'"feed-v{1 + len(FEED_CHANGES)}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            text=feed_xml(base["url"], published, tuple(FEED_CHANGES)),
            content_type="application/rss+xml",
            headers={"ETag": etag},
        )

    async def ep(request: web.Request) -> web.Response:
        if request.query_string:  # the added episodes' transcripts: slow, and counted
            TRANSCRIPTS_IN_FLIGHT[0] += 1
            TRANSCRIPTS_IN_FLIGHT[1] = max(TRANSCRIPTS_IN_FLIGHT)
            await asyncio.sleep(0.3)
            TRANSCRIPTS_IN_FLIGHT[0] -= 1
        return web.Response(body=VTT)

    async def audio_feed(_: web.Request) -> web.Response:
        return web.Response(text=audio_feed_xml(base["url"], published))

    async def audio(request: web.Request) -> web.Response:
        AUDIO_HITS.append(request.path)
        return web.Response(body=OPUS, content_type="audio/ogg")

    app.router.add_get("/feed.xml", feed)
    app.router.add_get("/ep.vtt", ep)
    app.router.add_get("/audio.xml", audio_feed)
    app.router.add_get("/tool-library.opus", audio)
    runner, port = await serve(app)
    base["url"] = f"http://127.0.0.1:{port}"
    try:
        yield base["url"]
    finally:
        FEED_CHANGES.clear()  # a test's feed changes, delay and counts end with its site
        AUDIO_HITS.clear()
        FEED_DELAY[0] = 0.0
        await runner.cleanup()
