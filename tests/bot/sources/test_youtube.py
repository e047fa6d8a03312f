"""YouTube links: the real youtube-transcript-api against a local YouTube."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import pytest

from bot.errors import UserError
from bot.output import moment_link
from bot.sources.fetch import SafeFetcher
from bot.sources.youtube import YouTubeSettings, video_id
from bot.summaries import LinkSource, Summaries
from tests.support.core import summaries_for
from tests.support.fakes.youtube_server import FakeYouTube, fake_youtube


@pytest.mark.parametrize(
    ("link", "video"),
    [
        ("https://www.youtube.com/watch?v=creatorcap1", "creatorcap1"),
        ("https://youtube.com/watch?v=creatorcap1&t=754s", "creatorcap1"),
        ("https://m.youtube.com/watch?feature=share&v=creatorcap1", "creatorcap1"),
        ("https://youtu.be/creatorcap1?t=30", "creatorcap1"),
        ("https://www.youtube.com/shorts/creatorcap1", "creatorcap1"),
        ("https://www.youtube.com/live/creatorcap1?si=abc", "creatorcap1"),
        ("https://music.youtube.com/watch?v=creatorcap1", "creatorcap1"),
        ("https://www.youtube.com/@workbench", None),
        ("https://www.youtube.com/watch?v=short", None),
        ("https://example.com/watch?v=creatorcap1", None),
        ("ftp://youtu.be/creatorcap1", None),
    ],
)
def test_video_links_are_recognized(link: str, video: str | None) -> None:
    assert video_id(link) == video


Test = Callable[[Summaries, FakeYouTube], Awaitable[None]]


def scenario(test: Test, proxy: str | None = None) -> None:
    async def go() -> None:
        async with fake_youtube() as fake:
            fetcher = SafeFetcher(max_bytes=200_000)
            youtube = YouTubeSettings(proxy=proxy, base_url=fake.base, timeout=5)
            try:
                await test(summaries_for(None, fetcher, youtube=youtube), fake)
            finally:
                await fetcher.close()

    asyncio.run(go())


def test_the_creators_captions_are_summarized_with_times_that_link_to_the_moment() -> None:
    async def t(summaries: Summaries, fake: FakeYouTube) -> None:
        done = await summaries.summarize(LinkSource("https://youtu.be/creatorcap1?t=12"))
        s = done.summary
        assert s.source == "https://www.youtube.com/watch?v=creatorcap1"
        assert s.title == "Why Repair Beats Replace"
        assert s.show == "The Workbench Hour"
        assert s.transcription is None  # the creator's own words, no speech recognition
        assert s.takeaways
        assert s.quotes
        assert any(q.text[:1].isupper() for q in s.quotes)  # the cased track, not YouTube's
        quote = s.quotes[0]
        assert quote.start_seconds is not None
        assert quote.start_seconds > 0
        assert moment_link(s.source, quote.start_seconds) == (
            f"https://www.youtube.com/watch?v=creatorcap1&t={int(quote.start_seconds)}s"
        )
        fetched = [r for r in fake.requests if r.startswith("GET /api/timedtext")]
        assert fetched == ["GET /api/timedtext?v=creatorcap1&lang=en"]

    scenario(t)


def test_automatic_captions_are_used_when_there_are_no_others_and_say_so() -> None:
    async def t(summaries: Summaries, fake: FakeYouTube) -> None:
        done = await summaries.summarize(LinkSource("https://www.youtube.com/watch?v=autocaption"))
        assert done.summary.transcription == "YouTube automatic captions"
        assert done.summary.takeaways

    scenario(t)


@pytest.mark.parametrize(
    ("video", "message"),
    [
        ("nocaptions1", "has no captions"),
        ("removedvid1", "private, removed, or the link is wrong"),
        ("botdetected", "PODBRIEF_YOUTUBE_PROXY"),
        ("ratelimited", "PODBRIEF_YOUTUBE_PROXY"),
    ],
)
def test_each_failure_has_its_own_message(video: str, message: str) -> None:
    async def t(summaries: Summaries, fake: FakeYouTube) -> None:
        with pytest.raises(UserError, match=message):
            await summaries.summarize(LinkSource(f"https://www.youtube.com/watch?v={video}"))

    scenario(t)


def test_the_proxy_setting_carries_every_request() -> None:
    async def t(summaries: Summaries, fake: FakeYouTube) -> None:
        with pytest.raises(UserError, match="ProxyError"):
            await summaries.summarize(LinkSource("https://youtu.be/creatorcap1"))
        assert fake.requests == []  # nothing went around the proxy

    with socket.socket() as closed:  # a proxy that is not there: bound, never listening
        closed.bind(("127.0.0.1", 0))
        scenario(t, proxy=f"http://127.0.0.1:{closed.getsockname()[1]}")
