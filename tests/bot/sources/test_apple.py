"""Apple Podcasts and Spotify links, against a local Apple directory and feed server."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from bot.errors import UserError
from bot.sources.apple import apple_link
from bot.sources.fetch import SafeFetcher
from bot.summaries import LinkSource, Summaries
from tests.support.core import summaries_for
from tests.support.fakes.apple_server import SHOW, fake_apple

Test = Callable[[Summaries, str, list[str]], Awaitable[None]]


def scenario(test: Test) -> None:
    async def go() -> None:
        async with fake_apple() as apple:
            fetcher = SafeFetcher(max_bytes=500_000, allow_hosts=frozenset({"127.0.0.1"}))
            summaries = summaries_for(
                None, fetcher, max_bytes=500_000, apple_lookup=apple.lookup_url
            )
            try:
                await test(summaries, apple.base, apple.asked)
            finally:
                await fetcher.close()

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
