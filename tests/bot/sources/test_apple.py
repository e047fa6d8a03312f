"""Apple Podcasts and Spotify links, against a local Apple directory and feed server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web

from bot.errors import UserError
from bot.sources.apple import apple_link
from bot.sources.fetch import SafeFetcher
from bot.summaries import LinkSource, Summaries
from tests.support.core import summaries_for
from tests.support.data import FIXTURES, OPUS
from tests.support.fakes.local import serve

SHOW = "https://podcasts.apple.com/gb/podcast/compost-corner/id1700000001"


def _directory(base: str, show: str) -> dict[str, object]:
    """What the iTunes Lookup API answers for `id=show&entity=podcastEpisode`."""
    podcast = {"wrapperType": "track", "kind": "podcast", "collectionId": int(show)}
    if show == "1700000001":
        podcast |= {"collectionName": "Compost Corner", "feedUrl": f"{base}/feed.xml"}
    elif show == "1700000002":
        podcast |= {"collectionName": "Apple-only show"}  # no public feed
    else:
        return {"resultCount": 0, "results": []}

    def episode(track: int, title: str, date: str, **more: str) -> dict[str, object]:
        return {
            "wrapperType": "podcastEpisode",
            "kind": "podcast-episode",
            "trackId": track,
            "trackName": title,
            "releaseDate": date,
            **more,
        }

    episodes = [
        episode(1000000002, "Hot composting", "2026-11-24T10:00:00Z", episodeGuid="cc-002"),
        # the directory lost this one's GUID: found by its title and day
        episode(1000000003, "HOT COMPOSTING ", "2026-11-24T09:30:00Z"),
        # gone from the feed: the directory's audio link
        episode(
            1000000004,
            "The tool library",
            "2026-10-01T10:00:00Z",
            episodeGuid="old-1",
            episodeUrl=f"{base}/old.opus",
        ),
        episode(1000000005, "Worms at work", "2026-11-17T10:00:00Z", episodeGuid="cc-001"),
    ]
    return {"resultCount": 1 + len(episodes), "results": [podcast, *episodes]}


Test = Callable[[Summaries, str, list[str]], Awaitable[None]]


def scenario(test: Test) -> None:
    async def go() -> None:
        asked: list[str] = []
        app = web.Application()

        async def lookup(request: web.Request) -> web.Response:
            asked.append(request.path_qs)
            base = f"http://{request.host}"
            answer = _directory(base, request.query.get("id", ""))
            return web.Response(text=json.dumps(answer), content_type="text/javascript")

        async def feed(request: web.Request) -> web.Response:
            text = (FIXTURES / "feed.xml").read_text().replace("{base}", f"http://{request.host}")
            return web.Response(text=text, content_type="application/rss+xml")

        def file(body: bytes) -> Callable[[web.Request], Awaitable[web.Response]]:
            async def handler(request: web.Request) -> web.Response:
                asked.append(request.path)
                return web.Response(body=body)

            return handler

        app.router.add_get("/lookup", lookup)
        app.router.add_get("/feed.xml", feed)
        episode = (FIXTURES / "episode.json").read_bytes()
        app.router.add_get("/ep2.json", file(episode))
        app.router.add_get("/old.opus", file(OPUS))
        runner, port = await serve(app)
        fetcher = SafeFetcher(max_bytes=500_000, allow_hosts=frozenset({"127.0.0.1"}))
        summaries = summaries_for(
            None, fetcher, max_bytes=500_000, apple_lookup=f"http://127.0.0.1:{port}/lookup"
        )
        try:
            await test(summaries, f"http://127.0.0.1:{port}", asked)
        finally:
            await fetcher.close()
            await runner.cleanup()

    asyncio.run(go())


@pytest.mark.parametrize(
    ("link", "show", "episode"),
    [
        (f"{SHOW}?i=1000000002", "1700000001", "1000000002"),
        (f"{SHOW}?uo=4&i=1000000002", "1700000001", "1000000002"),
        (SHOW, "1700000001", None),
        ("https://itunes.apple.com/us/podcast/id1700000001/", "1700000001", None),
        ("https://podcasts.apple.com/us/browse", None, None),
        ("https://apple.com/podcast/id1", None, None),
    ],
)
def test_apple_links_are_recognized(link: str, show: str | None, episode: str | None) -> None:
    found = apple_link(link)
    assert (found.show if found else None) == show
    assert (found.episode if found else None) == episode


def test_an_episode_link_is_found_in_the_feed_by_its_guid() -> None:
    async def t(summaries: Summaries, base: str, asked: list[str]) -> None:
        done = await summaries.summarize(LinkSource(f"{SHOW}?i=1000000002"))
        assert (done.summary.title, done.summary.show) == ("Hot composting", "Compost Corner")
        assert done.summary.source == f"{base}/ep2.json"  # the feed's transcript
        assert done.summary.takeaways
        assert asked[0] == "/lookup?id=1700000001&entity=podcastEpisode&limit=200"

    scenario(t)


def test_without_a_guid_the_episode_is_matched_by_title_and_day() -> None:
    async def t(summaries: Summaries, base: str, asked: list[str]) -> None:
        done = await summaries.summarize(LinkSource(f"{SHOW}?i=1000000003"))
        assert done.summary.title == "Hot composting"
        assert done.summary.source == f"{base}/ep2.json"

    scenario(t)


def test_a_show_link_gives_its_newest_episode_like_its_feed() -> None:
    async def t(summaries: Summaries, base: str, asked: list[str]) -> None:
        done = await summaries.summarize(LinkSource(SHOW))
        assert done.summary.title == "Hot composting"

    scenario(t)


def test_an_episode_gone_from_the_feed_is_transcribed_from_the_directorys_audio() -> None:
    async def t(summaries: Summaries, base: str, asked: list[str]) -> None:
        done = await summaries.summarize(LinkSource(f"{SHOW}?i=1000000004"))
        assert (done.summary.title, done.summary.show) == ("The tool library", "Compost Corner")
        assert done.summary.transcription == "faster-whisper tiny.en"
        assert "/old.opus" in asked

    scenario(t)


@pytest.mark.parametrize(
    ("link", "message"),
    [
        # an episode without a transcript or audio anywhere
        (f"{SHOW}?i=1000000005", "neither a transcript nor audio"),
        (f"{SHOW}?i=1000000009", "does not list this episode"),
        ("https://podcasts.apple.com/us/podcast/x/id1700000002?i=1", "Apple Podcasts only"),
        ("https://podcasts.apple.com/us/podcast/x/id1799999999", "no show with this link"),
        ("https://podcasts.apple.com/us/browse", "names no show"),
        ("https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk", "Apple Podcasts link"),
    ],
)
def test_links_that_cannot_be_read_say_what_to_send(link: str, message: str) -> None:
    async def t(summaries: Summaries, base: str, asked: list[str]) -> None:
        with pytest.raises(UserError, match=message):
            await summaries.summarize(LinkSource(link))

    scenario(t)
