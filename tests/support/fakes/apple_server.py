"""A local Apple Podcasts directory (the iTunes Lookup API) with the feed it names, on
127.0.0.1:0: the show "Compost Corner" (id 1700000001) and its episodes."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from aiohttp import web

from tests.support.data import FIXTURES, OPUS
from tests.support.fakes.local import running

SHOW = "https://podcasts.apple.com/gb/podcast/compost-corner/id1700000001"


def directory(base: str, show: str) -> dict[str, object]:
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


@dataclass
class FakeApple:
    base: str = ""
    asked: list[str] = field(default_factory=list)  # the paths (and queries) asked for

    @property
    def lookup_url(self) -> str:
        return f"{self.base}/lookup"

    def app(self) -> web.Application:
        app = web.Application()

        async def lookup(request: web.Request) -> web.Response:
            self.asked.append(request.path_qs)
            answer = directory(f"http://{request.host}", request.query.get("id", ""))
            return web.Response(text=json.dumps(answer), content_type="text/javascript")

        async def feed(request: web.Request) -> web.Response:
            text = (FIXTURES / "feed.xml").read_text().replace("{base}", f"http://{request.host}")
            return web.Response(text=text, content_type="application/rss+xml")

        def file(body: bytes) -> Callable[[web.Request], Awaitable[web.Response]]:
            async def handler(request: web.Request) -> web.Response:
                self.asked.append(request.path)
                return web.Response(body=body)

            return handler

        app.router.add_get("/lookup", lookup)
        app.router.add_get("/feed.xml", feed)
        app.router.add_get("/ep2.json", file((FIXTURES / "episode.json").read_bytes()))
        app.router.add_get("/old.opus", file(OPUS))
        return app


def fake_apple() -> AbstractAsyncContextManager[FakeApple]:
    return running(FakeApple())
