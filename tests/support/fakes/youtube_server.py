"""A local YouTube for `youtube-transcript-api`: the watch page (with its API key), the
player API (playability and caption tracks), the caption track XML and oEmbed.

Videos (ids are 11 characters, as YouTube's):
- `creatorcap1`: the creator's English captions and automatic ones
- `autocaption`: automatic captions only
- `nocaptions1`: plays, no captions
- `removedvid1`: "This video is unavailable"
- `botdetected`: YouTube asks the server to sign in (it thinks it is a bot)
- `ratelimited`: the watch page answers 429 (the server's address is blocked)
The captions are the project's example episode (examples/repair-cafe.txt), timed as it is.
"""

from __future__ import annotations

import re
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from xml.sax.saxutils import escape

from aiohttp import web

from tests.support.data import EXAMPLE
from tests.support.fakes.local import in_thread, running

API_KEY = "local-test-key_1"
_LINE = re.compile(r"^\[(\d\d):(\d\d):(\d\d)\] [^:]+: (.+)$")


def _cues() -> list[tuple[float, str]]:
    cues = []
    for line in EXAMPLE.decode().splitlines():
        if m := _LINE.match(line):
            h, mi, s, text = m.groups()
            cues.append((int(h) * 3600 + int(mi) * 60 + int(s), text))
    return cues


def _timedtext(automatic: bool) -> str:
    cues = _cues()
    out = []
    for n, (start, text) in enumerate(cues):
        end = cues[n + 1][0] if n + 1 < len(cues) else start + 10
        if automatic:  # as speech recognition writes it: no case, no punctuation
            text = re.sub(r"[^\w\s']", "", text).lower()
        out.append(f'<text start="{start}" dur="{end - start}">{escape(text)}</text>')
    return '<?xml version="1.0" encoding="utf-8" ?><transcript>' + "".join(out) + "</transcript>"


def _track(base: str, video: str, automatic: bool) -> dict[str, object]:
    track: dict[str, object] = {
        "baseUrl": f"{base}/api/timedtext?v={video}&lang=en" + ("&kind=asr" if automatic else ""),
        "name": {"runs": [{"text": "English (auto-generated)" if automatic else "English"}]},
        "languageCode": "en",
        "isTranslatable": False,
    }
    if automatic:
        track["kind"] = "asr"
    return track


class FakeYouTube:
    def __init__(self) -> None:
        self.requests: list[str] = []  # "METHOD path?query" of each request
        self.base = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/watch", self.watch)
        app.router.add_post("/youtubei/v1/player", self.player)
        app.router.add_get("/api/timedtext", self.timedtext)
        app.router.add_get("/oembed", self.oembed)
        return app

    async def watch(self, request: web.Request) -> web.Response:
        self.requests.append(f"GET {request.path_qs}")
        if request.query.get("v") == "ratelimited":
            return web.Response(status=429, text="Too Many Requests")
        page = f'<html><script>ytcfg.set({{"INNERTUBE_API_KEY": "{API_KEY}"}})</script></html>'
        return web.Response(text=page, content_type="text/html")

    async def player(self, request: web.Request) -> web.Response:
        self.requests.append(f"POST {request.path_qs}")
        if request.query.get("key") != API_KEY:
            return web.Response(status=403)
        video = (await request.json())["videoId"]
        ok = {"status": "OK"}
        answers: dict[str, dict[str, object]] = {
            "creatorcap1": {"playabilityStatus": ok, "captions": self._captions(video, True)},
            "autocaption": {"playabilityStatus": ok, "captions": self._captions(video, False)},
            "nocaptions1": {"playabilityStatus": ok},
            "removedvid1": {
                "playabilityStatus": {"status": "ERROR", "reason": "This video is unavailable"}
            },
            "botdetected": {
                "playabilityStatus": {
                    "status": "LOGIN_REQUIRED",
                    "reason": "Sign in to confirm you’re not a bot",
                }
            },
        }
        return web.json_response(answers.get(video, answers["removedvid1"]))

    def _captions(self, video: str, both: bool) -> dict[str, object]:
        tracks = [_track(self.base, video, True)]
        if both:  # YouTube lists the automatic track first, as it often does
            tracks.append(_track(self.base, video, False))
        return {"playerCaptionsTracklistRenderer": {"captionTracks": tracks}}

    async def timedtext(self, request: web.Request) -> web.Response:
        self.requests.append(f"GET {request.path_qs}")
        automatic = request.query.get("kind") == "asr"
        return web.Response(text=_timedtext(automatic), content_type="text/xml")

    async def oembed(self, request: web.Request) -> web.Response:
        self.requests.append(f"GET {request.path_qs}")
        return web.json_response(
            {"title": "Why Repair Beats Replace", "author_name": "The Workbench Hour"}
        )


def fake_youtube() -> AbstractAsyncContextManager[FakeYouTube]:
    return running(FakeYouTube())


def youtube_in_thread() -> AbstractContextManager[FakeYouTube]:
    """The local YouTube on an event loop of its own (for a `podbrief` subprocess)."""
    return in_thread(FakeYouTube())
