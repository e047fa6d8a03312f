"""A YouTube video's captions as a transcript, through `youtube-transcript-api`.

The creator's captions come before YouTube's automatic ones (in the language the video is
spoken in, then English, then any); their times are kept, so each takeaway and quote links
to its moment in the video. YouTube refuses many server addresses: `PODBRIEF_YOUTUBE_PROXY`
sends the requests through a proxy. Every failure the library names gets a message saying
what to do instead. The requests go to YouTube's own hosts, never to a user's address, so
they do not need the safe fetcher; they get its limits (a time limit per request, a size
cap) from the session below. `PODBRIEF_YOUTUBE_BASE_URL` points them elsewhere (the
tests' local YouTube).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import HTTPAdapter
from youtube_transcript_api import (
    AgeRestricted,
    CouldNotRetrieveTranscript,
    FetchedTranscript,
    InvalidVideoId,
    IpBlocked,
    NoTranscriptFound,
    RequestBlocked,
    TranscriptsDisabled,
    VideoUnavailable,
    VideoUnplayable,
    YouTubeTranscriptApi,
)
from youtube_transcript_api import (
    Transcript as Captions,
)
from youtube_transcript_api.proxies import GenericProxyConfig

from bot.errors import UserError
from summarizers.model import RawSegment, Transcript

YOUTUBE = "https://www.youtube.com"
_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_HOSTS = ("youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com")
_PATHS = ("shorts", "live", "embed", "v")
MAX_RESPONSE_BYTES = 20_000_000  # a watch page is about 1 MB; an hour's captions less

# the library is blocking (requests): its calls run here, off the event loop, a few at once
_THREADS = ThreadPoolExecutor(4, thread_name_prefix="podbrief-youtube")


@dataclass(frozen=True)
class YouTubeSettings:
    """Where YouTube is (a proxy to reach it through; its base URL, for tests)."""

    proxy: str | None = None
    base_url: str = YOUTUBE
    timeout: float = 20.0


def video_id(url: str) -> str | None:
    """The video a YouTube link names (watch, youtu.be, shorts, live, embed), else None."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = [p for p in parts.path.split("/") if p]
    found: str | None = None
    if host == "youtu.be" and path:
        found = path[0]
    elif host in _HOSTS:
        if path[:1] == ["watch"]:
            found = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(path) >= 2 and path[0] in _PATHS:
            found = path[1]
    return found if found and _ID.match(found) else None


def watch_url(video: str) -> str:
    return f"https://www.youtube.com/watch?v={video}"


class _Session(HTTPAdapter):
    """Every request with a time limit and a size cap, sent to `base_url` in place of
    YouTube's address when one is set."""

    def __init__(self, settings: YouTubeSettings) -> None:
        super().__init__()
        self._settings = settings

    def send(  # type: ignore[override]  # (all of the parent's arguments, passed on)
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        base = self._settings.base_url.rstrip("/")
        if request.url and base != YOUTUBE and request.url.startswith(YOUTUBE):
            request.url = base + request.url[len(YOUTUBE) :]
        kwargs["timeout"] = self._settings.timeout
        kwargs["stream"] = True
        response = super().send(request, **kwargs)
        body = bytearray()
        for chunk in response.iter_content(65536):
            body += chunk
            if len(body) > MAX_RESPONSE_BYTES:
                response.close()
                raise UserError(
                    "YouTube answered with more than "
                    f"{MAX_RESPONSE_BYTES // 1_000_000} MB; try again later"
                )
        response._content = bytes(body)  # read once, within the cap
        return response


def _client(settings: YouTubeSettings) -> YouTubeTranscriptApi:
    session = requests.Session()
    adapter = _Session(settings)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    proxy = None
    if settings.proxy:
        proxy = GenericProxyConfig(http_url=settings.proxy, https_url=settings.proxy)
    return YouTubeTranscriptApi(proxy_config=proxy, http_client=session)


def captions(video: str, settings: YouTubeSettings) -> Transcript:
    """The video's captions as a timed transcript (blocking: see `fetch_captions`)."""
    api = _client(settings)
    try:
        tracks = list(api.list(video))
        chosen = _preferred(tracks)
        fetched = chosen.fetch()
    except (RequestBlocked, IpBlocked):
        raise UserError(
            "YouTube refused the request from this server (it blocks many server and cloud "
            "addresses). Ask whoever runs podbrief to set PODBRIEF_YOUTUBE_PROXY, or send "
            "the video's transcript (under the description: Show transcript) with the link."
        ) from None
    except (TranscriptsDisabled, NoTranscriptFound):
        raise UserError(
            "this video has no captions, neither the creator's nor YouTube's automatic "
            "ones; send the episode's audio file or its podcast feed instead."
        ) from None
    except (VideoUnavailable, InvalidVideoId):
        raise UserError(
            "this video is unavailable: it is private, removed, or the link is wrong. "
            "Check the link in a browser."
        ) from None
    except AgeRestricted:
        raise UserError(
            "this video is age-restricted, and YouTube shows its captions only to a "
            "signed-in user; send the video's transcript with the link instead."
        ) from None
    except VideoUnplayable as exc:
        reason = getattr(exc, "reason", None) or "YouTube does not play it here"
        raise UserError(
            f"this video cannot be played ({reason}); send its transcript with the link."
        ) from None
    except (CouldNotRetrieveTranscript, requests.RequestException) as exc:
        raise UserError(
            f"the captions could not be read from YouTube ({type(exc).__name__}); try "
            "again later, or send the video's transcript with the link."
        ) from None
    return _transcript(fetched, chosen, video, _title(api, video))


def _preferred(tracks: list[Captions]) -> Captions:
    """The creator's captions in the spoken language (the automatic track's), then in
    English, then any; YouTube's automatic captions last."""
    spoken = {t.language_code.split("-")[0] for t in tracks if t.is_generated}

    def rank(track: Captions) -> tuple[int, int]:
        language = track.language_code.split("-")[0]
        return (
            int(track.is_generated),
            0 if language in spoken else 1 if language == "en" else 2,
        )

    if not tracks:
        raise TranscriptsDisabled("")
    return min(tracks, key=rank)


def _title(api: YouTubeTranscriptApi, video: str) -> tuple[str | None, str | None]:
    """The video's title and channel (YouTube's oEmbed answer), or nothing if not given."""
    session = api._fetcher._http_client  # the session built in _client, with its limits
    try:
        answer = session.get(f"{YOUTUBE}/oembed", params={"url": watch_url(video)})
        data: Mapping[str, Any] = answer.json() if answer.ok else {}
    except (requests.RequestException, ValueError, UserError):
        return None, None
    title, channel = data.get("title"), data.get("author_name")
    return (
        title if isinstance(title, str) and title.strip() else None,
        channel if isinstance(channel, str) and channel.strip() else None,
    )


def _transcript(
    fetched: FetchedTranscript,
    track: Captions,
    video: str,
    names: tuple[str | None, str | None],
) -> Transcript:
    segments = [
        RawSegment(s.text.replace("\n", " ").strip(), s.start, s.start + s.duration)
        for s in fetched
        if s.text.strip()
    ]
    # YouTube's speech recognition is a transcription engine; the creator's captions are not
    engine = "YouTube automatic captions" if track.is_generated else None
    return Transcript.build(
        segments,
        source=watch_url(video),
        format="youtube",
        title=names[0],
        show=names[1],
        language=track.language_code,
        transcribed_by=engine,
    )


async def fetch_captions(video: str, settings: YouTubeSettings) -> Transcript:
    """`captions`, in a thread of its own (the library blocks on its requests)."""
    return await asyncio.get_running_loop().run_in_executor(_THREADS, captions, video, settings)
