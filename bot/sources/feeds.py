"""Podcast feeds (RSS and Atom, via feedparser) fetched with the safe fetcher.

Conditional requests (ETag, Last-Modified) make an unchanged feed cost one small request.
Episodes are keyed by their GUID (or link, or title). Transcripts come from
`<podcast:transcript>`, preferring JSON, then WebVTT, SubRip, HTML and plain text.

Before feedparser sees a feed, a hardened parse (defusedxml) bounds it: a DOCTYPE or an
entity declaration is refused (that is how XML bombs and external entity attacks start, and
no podcast feed needs them), and so is a feed of more elements, or an element of more
attributes, than any podcast feed holds (feedparser's time grows with the square of an
element's attributes: 40,000 of them cost 12 s). A feed that is not well-formed XML, which
feedparser still reads, is bounded by counting its tags and attributes in its bytes.
"""

from __future__ import annotations

import asyncio
import calendar
import io
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException

from bot.errors import UserError
from bot.sources.fetch import SafeFetcher
from bot.sources.readers.text import more_than

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
TRANSCRIPT_PREFERENCE = (
    "application/json",
    "text/vtt",
    "application/x-subrip",
    "application/srt",
    "application/ttml+xml",
    "text/html",
    "text/plain",
)
MAX_ELEMENTS = 250_000  # a feed of 10,000 episodes holds about 150,000
MAX_ATTRIBUTES = 100  # on one element; feeds write a handful
_TAG_START = re.compile(rb"<[A-Za-z_]")
# a tag of more than MAX_ATTRIBUTES "=" (no "=" inside the repeated part: no backtracking)
_MANY_ATTRIBUTES = re.compile(rb"<[A-Za-z_][^<>=]*(?:=[^<>=]*){%d}" % (MAX_ATTRIBUTES + 1))


class FeedError(UserError):
    """A feed could not be read; the message says why."""


@dataclass(frozen=True)
class FeedEpisode:
    guid: str
    title: str
    link: str | None
    published: datetime | None
    description: str
    transcript_url: str | None = None
    transcript_type: str | None = None
    audio_url: str | None = None  # the <enclosure>, when it is audio or video

    @property
    def readable(self) -> bool:
        """It links a transcript or audio podbrief can summarize."""
        return bool(self.transcript_url or self.audio_url)

    @property
    def sort_time(self) -> datetime:
        """When it was published, for ordering; an undated episode counts as oldest."""
        return self.published or datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Feed:
    url: str
    title: str
    episodes: tuple[FeedEpisode, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    notes: tuple[str, ...] = field(default=())


def parse_feed(data: bytes, url: str) -> Feed:
    """Parse feed bytes (no network); a hostile feed is refused before feedparser reads it."""
    root = _bounded_tree(data, url)
    try:
        parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    except (UnicodeError, LookupError, ValueError) as exc:  # a bad encoding declaration
        raise FeedError(
            f"{url} is not a readable RSS or Atom feed ({type(exc).__name__})"
        ) from None
    if parsed.bozo and not parsed.entries:
        raise FeedError(
            f"{url} is not a readable RSS or Atom feed ({type(parsed.bozo_exception).__name__})"
        )
    transcripts = _transcripts(root) if root is not None else {}
    episodes = []
    for entry in parsed.entries:
        guid = entry.get("id") or entry.get("link") or entry.get("title")
        if not guid:
            continue
        found = transcripts.get(guid) or transcripts.get(entry.get("link") or "")
        # (`"updated_parsed" in entry` asks without feedparser's deprecated fallback)
        updated = entry.get("updated_parsed") if "updated_parsed" in entry else None
        published = _utc(entry.get("published_parsed") or updated)
        episodes.append(
            FeedEpisode(
                guid=guid,
                title=entry.get("title") or "(untitled episode)",
                link=entry.get("link"),
                published=published,
                description=_text(entry.get("summary") or ""),
                transcript_url=found[0] if found else None,
                transcript_type=found[1] if found else None,
                audio_url=_audio_enclosure(entry),
            )
        )
    return Feed(url=url, title=parsed.feed.get("title") or url, episodes=tuple(episodes))


AUDIO_SUFFIXES = (".mp3", ".m4a", ".mp4", ".aac", ".ogg", ".opus", ".oga", ".wav", ".flac")


def _audio_enclosure(entry: Any) -> str | None:
    """The first enclosure that is audio (or video, which has a sound track) by its type, or
    by its file name when the type is missing."""
    for enclosure in entry.get("enclosures") or ():
        url = enclosure.get("href") or ""
        kind = (enclosure.get("type") or "").lower()
        path = url.split("?", 1)[0].lower()
        if url and (kind.startswith(("audio/", "video/")) or path.endswith(AUDIO_SUFFIXES)):
            return str(url)
    return None


def _bounded_tree(data: bytes, url: str) -> ET.Element | None:
    """The feed's XML tree, read by a hardened parser that stops at the first element past
    the limits; None when it is not well-formed XML (then its bytes are counted)."""
    elements, root = 0, None
    try:
        for _event, element in SafeET.iterparse(io.BytesIO(data), ("start",), forbid_dtd=True):
            elements += 1
            if elements > MAX_ELEMENTS:
                raise _too_big(url, f"more than {MAX_ELEMENTS:,} XML elements")
            if len(element.attrib) > MAX_ATTRIBUTES:
                raise _too_big(url, f"an element with more than {MAX_ATTRIBUTES} attributes")
            if elements == 1:
                root = element
    except DefusedXmlException:
        raise FeedError(
            f"{url} declares a DOCTYPE or XML entities, which podbrief refuses "
            "(they are used for XML bomb and external entity attacks)"
        ) from None
    except (ET.ParseError, LookupError, UnicodeError, ValueError):
        # not well-formed: feedparser may still read it, once its size is known to be sane
        if more_than(_TAG_START, data, MAX_ELEMENTS):
            raise _too_big(url, f"more than {MAX_ELEMENTS:,} XML elements") from None
        if _MANY_ATTRIBUTES.search(data):
            raise _too_big(url, f"an element with more than {MAX_ATTRIBUTES} attributes") from None
        return None
    return root


def _too_big(url: str, what: str) -> FeedError:
    return FeedError(
        f"{url} holds {what}: no podcast feed is shaped like that, so podbrief does not read it"
    )


def _transcripts(root: ET.Element) -> dict[str, tuple[str, str]]:
    """guid (or link) -> the preferred (url, type) among an item's podcast:transcript tags."""
    out: dict[str, tuple[str, str]] = {}
    for item in root.iter("item"):
        key = (item.findtext("guid") or item.findtext("link") or "").strip()
        options = [
            (t.get("url", ""), (t.get("type") or "").split(";")[0].strip().lower())
            for t in item.findall(f"{{{PODCAST_NS}}}transcript")
            if t.get("url")
        ]
        if key and options:
            out[key] = min(
                options,
                key=lambda o: (
                    TRANSCRIPT_PREFERENCE.index(o[1])
                    if o[1] in TRANSCRIPT_PREFERENCE
                    else len(TRANSCRIPT_PREFERENCE)
                ),
            )
    return out


def _utc(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's UTC time tuple as a datetime; None when absent or out of range."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^<>]*>", " ", html).split())


FeedParser = Callable[[bytes, str], Awaitable[Feed]]
"""Parses feed bytes off the event loop: `Summaries.parse_feed` (the worker processes, with
their time limit) in the bot, `parse_in_thread` without workers."""

# feedparser is pure Python: a feed of thousands of episodes takes a second or more, which
# on the event loop would stall every chat command (Slack wants its ack in 3 s). Without
# worker processes, feeds are parsed in one thread of their own: the default thread pool
# is where aiohttp resolves host names, and parses filling it stalled every fetch and post.
_FEED_THREAD = ThreadPoolExecutor(1, thread_name_prefix="podbrief-feeds")


async def parse_in_thread(data: bytes, url: str) -> Feed:
    return await asyncio.get_running_loop().run_in_executor(_FEED_THREAD, parse_feed, data, url)


class FeedCycle:
    """One digest cycle's feed requests: subscriptions that would send the same request
    (same feed, same validators) share one, so a feed many channels follow is fetched once
    a cycle, not once a channel. A failure reaches every subscription that asked."""

    def __init__(self, fetcher: SafeFetcher, parse: FeedParser = parse_in_thread) -> None:
        self._fetcher = fetcher
        self._parse = parse
        self._requests: dict[tuple[str, str | None, str | None], asyncio.Future[Feed]] = {}

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Feed:
        key = (url, etag, last_modified)
        request = self._requests.get(key)
        if request is None:
            request = asyncio.ensure_future(
                fetch_feed(
                    self._fetcher, url, parse=self._parse, etag=etag, last_modified=last_modified
                )
            )
            self._requests[key] = request
        return await asyncio.shield(request)


async def fetch_feed(
    fetcher: SafeFetcher,
    url: str,
    *,
    parse: FeedParser = parse_in_thread,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Feed:
    """Fetch and parse a feed, with a conditional request when validators are known."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    fetched = await fetcher.get(url, headers or None)
    if fetched.status == 304:
        return Feed(url=url, title=url, etag=etag, last_modified=last_modified, not_modified=True)
    feed = await parse(fetched.data, url)
    return Feed(feed.url, feed.title, feed.episodes, fetched.etag, fetched.last_modified)
