"""Apple Podcasts links: Apple's directory (the iTunes Lookup API) names the show's feed and
the episode's GUID, title, date and audio; the episode is then read from the feed like any
feed episode (its transcript, else its audio).

`PODBRIEF_APPLE_LOOKUP_URL` says where the directory is (the tests' local one). Lookups go
through the safe fetcher, like every other download.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.errors import UserError
from bot.sources.fetch import SafeFetcher

APPLE_LOOKUP = "https://itunes.apple.com/lookup"
EPISODES_LISTED = 200  # the most episodes the directory lists with a show
_SHOW_ID = re.compile(r"/id(\d+)/?$")


@dataclass(frozen=True)
class AppleLink:
    show: str
    episode: str | None  # the `?i=` track id; None for a show's page


@dataclass(frozen=True)
class AppleEpisode:
    """What Apple's directory says of an episode."""

    title: str
    guid: str | None
    audio_url: str | None
    released: datetime | None


@dataclass(frozen=True)
class AppleShow:
    feed_url: str
    title: str
    episode: AppleEpisode | None  # the one the link names, when it names one and is listed


def apple_link(url: str) -> AppleLink | None:
    """The show (and episode) an Apple Podcasts link names, else None."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or host not in (
        "podcasts.apple.com",
        "itunes.apple.com",
    ):
        return None
    show = _SHOW_ID.search(parts.path)
    if show is None:
        return None
    episode = (parse_qs(parts.query).get("i") or [""])[0]
    return AppleLink(show.group(1), episode if episode and episode.isdigit() else None)


async def look_up(fetcher: SafeFetcher, link: AppleLink, lookup: str = APPLE_LOOKUP) -> AppleShow:
    """The show's feed from Apple's directory, and the episode the link names."""
    query = {"id": link.show, "entity": "podcastEpisode", "limit": str(EPISODES_LISTED)}
    fetched = await fetcher.get(f"{lookup}?{urlencode(query)}")
    try:
        results = json.loads(fetched.data).get("results", [])
    except (ValueError, AttributeError):
        raise UserError(
            "Apple's podcast directory gave an answer podbrief cannot read; try again later, "
            "or send the show's RSS feed link."
        ) from None
    shows = [r for r in results if isinstance(r, dict) and r.get("kind") == "podcast"]
    feed = next((s.get("feedUrl") for s in shows if s.get("feedUrl")), None)
    if not isinstance(feed, str) or not feed.startswith(("http://", "https://")):
        if not shows:
            raise UserError(
                "Apple's podcast directory has no show with this link's id; check the link, "
                "or send the show's RSS feed link."
            )
        raise UserError(
            "this show is on Apple Podcasts only (Apple lists no public feed for it, as for "
            "Apple Podcasts Subscriptions shows): podbrief cannot read it; send the "
            "episode's audio file or transcript instead."
        )
    title = str(shows[0].get("collectionName") or feed)
    episode = None
    if link.episode is not None:
        found = next(
            (
                r
                for r in results
                if isinstance(r, dict)
                and r.get("wrapperType") == "podcastEpisode"
                and str(r.get("trackId")) == link.episode
            ),
            None,
        )
        if found is not None:
            episode = AppleEpisode(
                title=str(found.get("trackName") or ""),
                guid=_text(found.get("episodeGuid")),
                audio_url=_text(found.get("episodeUrl")),
                released=_date(found.get("releaseDate")),
            )
    return AppleShow(feed, title, episode)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
