"""Feeds from a local server: parsing, transcript choice, conditional requests, bad feeds."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from aiohttp import web
from hypothesis import given, settings

from bot.sources.feeds import FeedError, fetch_feed, parse_feed
from bot.sources.fetch import FetchError, SafeFetcher
from bot.sources.readers.load import looks_like_feed
from bot.workers import JobTooLong, WorkerPool
from tests.support.core import summaries_for
from tests.support.damage import Edit, damage, edits
from tests.support.data import FIXTURES
from tests.support.fakes.local import serve

FEED = (FIXTURES / "feed.xml").read_text()
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rss version="2.0"><channel><title>&lol2;</title></channel></rss>"""


@asynccontextmanager
async def feeds() -> AsyncIterator[tuple[str, dict[str, int]]]:
    hits = {"feed": 0, "not_modified": 0}
    app = web.Application()
    base: dict[str, str] = {}

    async def feed(request: web.Request) -> web.Response:
        hits["feed"] += 1
        if request.headers.get("If-None-Match") == '"v1"':
            hits["not_modified"] += 1
            return web.Response(status=304, headers={"ETag": '"v1"'})
        return web.Response(
            text=FEED.replace("{base}", base["url"]),
            content_type="application/rss+xml",
            headers={"ETag": '"v1"'},
        )

    def static(body: bytes) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(_: web.Request) -> web.Response:
            return web.Response(body=body, content_type="application/xml")

        return handler

    app.router.add_get("/feed.xml", feed)
    app.router.add_get("/bomb.xml", static(BOMB))
    app.router.add_get("/broken.xml", static(b"<rss><channel><title>x</titl"))
    app.router.add_get("/huge.xml", static(b"<rss>" + b" " * 300_000 + b"</rss>"))
    runner, port = await serve(app)
    base["url"] = f"http://127.0.0.1:{port}"
    try:
        yield base["url"], hits
    finally:
        await runner.cleanup()


def run(test: Callable[[str, dict[str, int], SafeFetcher], Awaitable[None]]) -> None:
    async def go() -> None:
        async with feeds() as (base, hits):
            fetcher = SafeFetcher(max_bytes=200_000, allow_hosts=frozenset({"127.0.0.1"}))
            try:
                await test(base, hits, fetcher)
            finally:
                await fetcher.close()

    asyncio.run(go())


def test_episodes_and_the_preferred_transcript() -> None:
    async def t(base: str, hits: dict[str, int], fetcher: SafeFetcher) -> None:
        feed = await fetch_feed(fetcher, f"{base}/feed.xml")
        assert feed.title == "Compost Corner"
        assert feed.etag == '"v1"'
        first, second = feed.episodes
        assert first.guid == "cc-002"
        assert first.published == datetime(2026, 11, 24, 10, tzinfo=UTC)
        assert first.transcript_url == f"{base}/ep2.json"  # JSON preferred over VTT and SRT
        assert first.description == "Tom Reyes on browns and greens ."
        assert second.guid == "cc-001"
        assert second.transcript_url is None
        assert "No transcript" in second.description

    run(t)


def test_conditional_request_returns_not_modified() -> None:
    async def t(base: str, hits: dict[str, int], fetcher: SafeFetcher) -> None:
        feed = await fetch_feed(fetcher, f"{base}/feed.xml")
        again = await fetch_feed(fetcher, f"{base}/feed.xml", etag=feed.etag)
        assert again.not_modified
        assert again.episodes == ()
        assert hits == {"feed": 2, "not_modified": 1}

    run(t)


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        ("/bomb.xml", FeedError, "DOCTYPE"),
        ("/broken.xml", FeedError, "not a readable"),
        ("/huge.xml", FetchError, "limit"),
        ("/missing.xml", FetchError, "HTTP 404"),
    ],
)
def test_bad_feeds_are_refused(path: str, error: type[Exception], message: str) -> None:
    async def t(base: str, hits: dict[str, int], fetcher: SafeFetcher) -> None:
        with pytest.raises(error, match=message):
            await fetch_feed(fetcher, f"{base}{path}")

    run(t)


def test_parse_without_network() -> None:
    feed = parse_feed(FEED.replace("{base}", "https://compost.example").encode(), "u")
    assert [e.title for e in feed.episodes] == ["Hot composting", "Worms at work"]


def _declared(encoding: bytes) -> bytes:
    body = FEED.replace("{base}", "https://compost.example").encode()
    return re.sub(rb"^<\?xml[^>]*\?>", b'<?xml version="1.0" encoding="' + encoding + b'"?>', body)


def test_a_feed_with_a_broken_encoding_declaration_is_refused_or_read() -> None:
    # feedparser raised UnicodeDecodeError on the first, ElementTree LookupError on the
    # second; either escaped parse_feed and became "something went wrong on our side"
    with pytest.raises(FeedError, match="not a readable"):
        parse_feed(_declared(b"\xc0\x80"), "u")
    feed = parse_feed(_declared(b"F-8"), "u")
    assert all(e.transcript_url is None for e in feed.episodes)


_PIECES = [
    b"<item>",
    b"</item>",
    b"<guid>",
    b"</guid>",
    b"<pubDate>",
    b"Mon, 99 Foo 9999",
    b"</pubDate>",
    b'<podcast:transcript url="" type=""/>',
    b"&",
    b"<![CDATA[",
    b"]]>",
    b"\x00",
    b"\xff",
    b'encoding="',
    b"<title>",
    b"</title>",
    b"javascript:x",
]


@settings(max_examples=150, deadline=None)
@given(edits(_PIECES, noise=6))
def test_a_damaged_feed_is_read_or_refused_with_a_message(changes: list[Edit]) -> None:
    data = damage(FEED.replace("{base}", "https://compost.example").encode(), changes)
    try:
        feed = parse_feed(data, "https://compost.example/feed.xml")
    except FeedError as exc:
        message = str(exc)
    else:
        message = ""
        assert all(e.guid and e.title for e in feed.episodes)
    assert "\n" not in message


def test_a_feed_is_told_from_a_transcript_by_its_first_element() -> None:
    rss = FEED.encode()
    atom = b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
    styled = (
        b'\xef\xbb\xbf<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="s.xsl"?>\n'
        b"<!-- generated --><rss version='2.0'>"
    )
    for data in (rss, atom, styled, b"<rdf:RDF xmlns:rdf='x'>"):
        assert looks_like_feed(data)
    # thousands of comments: read in one pass (a pattern for "any number of comments"
    # backtracked exponentially here: 22 of them took half a second, 40 would take days)
    assert not looks_like_feed(b"<!---->" * 580 + b"x")
    assert looks_like_feed(b"<!---->" * 500 + b"<rss>")
    assert not looks_like_feed(b"<!-- never closed <rss>")
    html = b"<!doctype html><html><body><p>Ana: the feed was late</p>"
    for data in (html, b"WEBVTT\n\n", b"Ana: <rss> is a feed format", b'{"segments": []}'):
        assert not looks_like_feed(data)


def test_ttml_is_preferred_to_html_and_text() -> None:
    # TTML keeps times and speakers; a page or plain text has neither
    item = (
        "<item><guid>g1</guid><title>One</title>"
        '<podcast:transcript url="https://x.test/1.html" type="text/html"/>'
        '<podcast:transcript url="https://x.test/1.ttml" type="application/ttml+xml"/>'
        '<podcast:transcript url="https://x.test/1.txt" type="text/plain"/></item>'
    )
    data = (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:podcast="https://podcastindex.org/namespace/1.0">'
        f"<channel><title>T</title>{item}</channel></rss>"
    ).encode()
    (episode,) = parse_feed(data, "https://x.test/feed.xml").episodes
    assert episode.transcript_url == "https://x.test/1.ttml"


def _feed_with(items: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:x="urn:x">'
        f"<channel><title>T</title><item><guid>g1</guid><title>One</title>{items}</item>"
        "</channel></rss>"
    ).encode()


def _attributes(count: int) -> str:
    return " ".join(f'k{n}="v"' for n in range(count))


def test_an_element_of_thousands_of_attributes_is_refused_before_feedparser() -> None:
    # feedparser's time grows with the square of one element's attributes: 40,000 of them
    # took 12 s; the bounded parse stops at the element
    hostile = _feed_with(f"<x:a {_attributes(40_000)}/>")
    with pytest.raises(FeedError, match="more than 100 attributes"):
        parse_feed(hostile, "https://x.test/feed.xml")
    # the same, not well-formed (feedparser reads such feeds with its lenient parser)
    broken = hostile.replace(b"<title>One</title>", b"<title>One & two</title>")
    with pytest.raises(FeedError, match="more than 100 attributes"):
        parse_feed(broken, "https://x.test/feed.xml")
    # a handful of attributes on each of many elements is what feeds write
    (episode,) = parse_feed(_feed_with(f"<x:a {_attributes(20)}/>" * 1000), "u").episodes
    assert episode.title == "One"


def test_a_feed_of_more_elements_than_any_podcast_feed_is_refused() -> None:
    with pytest.raises(FeedError, match="more than 250,000 XML elements"):
        parse_feed(_feed_with("<x:a/>" * 250_001), "https://x.test/feed.xml")
    with pytest.raises(FeedError, match="more than 250,000 XML elements"):
        parse_feed(_feed_with("<x:a>&</x:a>" * 250_001), "https://x.test/feed.xml")


def test_a_feed_that_is_not_well_formed_is_still_read() -> None:
    # an unescaped "&" in a title is common in real feeds: feedparser reads them
    data = FEED.replace("{base}", "https://compost.example").replace(
        "Hot composting", "Hot & cold composting"
    )
    feed = parse_feed(data.encode(), "https://compost.example/feed.xml")
    assert [e.title for e in feed.episodes] == ["Hot & cold composting", "Worms at work"]


def test_an_external_entity_is_refused() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<rss><channel><title>&x;</title></channel></rss>"
    )
    with pytest.raises(FeedError, match="DOCTYPE or XML entities"):
        parse_feed(data, "https://x.test/feed.xml")


def test_feeds_are_parsed_without_the_threads_that_resolve_host_names() -> None:
    # aiohttp resolves host names in the event loop's default thread pool; feed parses that
    # filled it (six hostile links) stalled every fetch and post for minutes
    async def t(base: str, hits: dict[str, int], fetcher: SafeFetcher) -> None:
        loop = asyncio.get_running_loop()
        pool = ThreadPoolExecutor(1)
        loop.set_default_executor(pool)
        busy = threading.Event()
        occupied = loop.run_in_executor(None, busy.wait)  # the pool's only thread, taken
        try:
            feed = await asyncio.wait_for(fetch_feed(fetcher, f"{base}/feed.xml"), 10)
        finally:
            busy.set()
            await occupied
        assert feed.title == "Compost Corner"

    run(t)


def test_in_the_bot_a_feed_is_parsed_in_a_worker_under_the_job_limit() -> None:
    # a feed within the bounds that still parses slowly (about 2 s) is stopped at the job
    # limit like any other job, and the workers serve on
    slow = _feed_with("<x:a/>" * 240_000)

    async def go(pool: WorkerPool) -> None:
        fetcher = SafeFetcher(max_bytes=200_000)
        summaries = summaries_for(None, fetcher, workers=pool)
        try:
            with pytest.raises(JobTooLong, match="longer than 0.3 s"):
                await summaries.parse_feed(slow, "https://x.test/feed.xml")
            small = FEED.replace("{base}", "https://compost.example").encode()
            feed = await summaries.parse_feed(small, "https://compost.example/feed.xml")
            assert [e.guid for e in feed.episodes] == ["cc-002", "cc-001"]
        finally:
            await fetcher.close()

    pool = WorkerPool(1, timeout=0.3)
    try:
        asyncio.run(go(pool))
    finally:
        pool.shutdown()
