"""The transcript a link names: a transcript file, a file host's share page, or a podcast
feed (its newest episode with a transcript).

Share pages of file hosts wrap the file in an HTML viewer: their direct-download form is
fetched instead. Video and podcast-app pages hold no transcript podbrief can read: they
get a message saying what to send instead, before anything is downloaded. The bot and the
command line fetch links the same way.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Generic
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bot.errors import TranscriptError, UserError
from bot.sources.apple import (
    APPLE_LOOKUP,
    EPISODES_LISTED,
    AppleShow,
    apple_link,
    look_up,
)
from bot.sources.feeds import AUDIO_SUFFIXES, Feed, FeedEpisode, FeedParser, parse_in_thread
from bot.sources.fetch import Fetched, SafeFetcher
from bot.sources.readers.load import N, looks_like_feed, titled
from bot.sources.youtube import video_id

_DRIVE_FILE = re.compile(r"^/file/d/([\w-]+)")
_GOOGLE_DOC = re.compile(r"^/document/d/([\w-]+)")
_GITHUB_BLOB = re.compile(r"^/([^/]+)/([^/]+)/blob/(.+)$")

# how a chat user sends a transcript with its video's link (the command line says its own)
CHAT_SENDING = (
    "send the link followed by the pasted transcript, or attach the video's captions (.vtt) "
    "with the link"
)

_PAGES = {
    ("youtube.com", "youtu.be"): (
        "this YouTube page is not a video: send a video's link (youtube.com/watch?v=…, "
        "youtu.be/…, /shorts/… or /live/…), and its captions are summarized"
    ),
    ("open.spotify.com", "spotify.link"): (
        "Spotify keeps its episodes inside its app, where podbrief cannot read them. Send "
        "the same episode's Apple Podcasts link, the show's RSS feed link, a YouTube link, "
        "or the episode's audio file or transcript"
    ),
    ("podcasts.apple.com",): (
        "this Apple Podcasts page names no show: send a show's or an episode's link "
        "(podcasts.apple.com/…/id<number>, with ?i=<number> for an episode)"
    ),
}


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.").removeprefix("m.")


def refuse_pages(url: str, sending: str = CHAT_SENDING) -> None:
    """Raise a UserError with what to send instead for a video or podcast-app page
    (`sending`: how a transcript goes with its video's link where the user is)."""
    host = _host(url)
    for hosts, message in _PAGES.items():
        if any(host == h or host.endswith("." + h) for h in hosts):
            message = message.format(sending=sending)
            raise UserError(message[:1].upper() + message[1:] + ".")


def direct_download(url: str) -> str:
    """The direct-download form of a file host's share link; other links unchanged."""
    parts = urlsplit(url)
    host = _host(url)
    if host == "dropbox.com":
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "dl"]
        return urlunsplit(parts._replace(query=urlencode([*query, ("dl", "1")])))
    if host == "drive.google.com" and (m := _DRIVE_FILE.match(parts.path)):
        return f"https://drive.google.com/uc?export=download&id={m.group(1)}"
    if host == "docs.google.com" and (m := _GOOGLE_DOC.match(parts.path)):
        return f"https://docs.google.com/document/d/{m.group(1)}/export?format=txt"
    if host == "github.com" and (m := _GITHUB_BLOB.match(parts.path)):
        owner, repo, rest = m.groups()
        return f"https://raw.githubusercontent.com/{owner}/{repo}/{rest}"
    return url


AudioLoader = Callable[[str, list[str]], Awaitable[N]]
"""Transcribes the audio at a link, given keys that name it (`Summaries.audio`: the
transcription stored under those keys is reused, and so is one already running)."""


async def from_link(
    fetcher: SafeFetcher,
    link: str,
    load: Callable[[Fetched, str], Awaitable[N]],
    title_words: str = "",
    sending: str = CHAT_SENDING,
    parse: FeedParser = parse_in_thread,
    *,
    audio: AudioLoader[N],
    youtube: Callable[[str], Awaitable[N]],
    apple_lookup: str = APPLE_LOOKUP,
) -> tuple[N, tuple[str, ...]]:
    """The transcript `link` names, and notes about how it was found. `load` parses a
    transcript's bytes (or transcribes audio), `parse` a feed's (the bot parses in its
    worker processes), `audio` transcribes a feed episode's audio and `youtube` reads a
    video's captions. `title_words` pick a feed's episode; `sending` is how a video's
    transcript is sent with its link (see refuse_pages); `apple_lookup` is where Apple's
    podcast directory is."""
    video = video_id(link)
    if video is not None:  # (a few words after it pick nothing: a video is one episode)
        return await youtube(video), ()
    fetch = _Fetch(fetcher, load, audio)
    apple = apple_link(link)
    if apple is not None:
        show = await look_up(fetcher, apple, apple_lookup)
        if apple.episode is None:  # a show's page: its newest episode, as for its feed
            link = show.feed_url
        else:
            return await _apple_episode(show, apple.episode, parse, fetch), ()
    refuse_pages(link, sending)
    fetched = await fetcher.get(direct_download(link), audio=True)
    if fetched.file is None and looks_like_feed(fetched.data):
        return await _feed_episode(fetched.data, link, title_words, parse, fetch)
    if title_words:
        fetched.discard()
        raise UserError(
            "words after a link pick an episode of a podcast feed by its title, but this "
            "link is not a feed; send the link alone (or a transcript pasted after it)"
        )
    if fetched.file is None and urlsplit(link).path.lower().endswith(AUDIO_SUFFIXES):
        kind = fetched.content_type or "no content type"
        if "html" in kind or fetched.data.lstrip()[:1] == b"<":
            raise TranscriptError(
                f"{link} looks like an episode's audio, but it serves a web page ({kind}): "
                "the host may want a sign-in, or the link has expired; send the episode's "
                "feed or its Apple Podcasts link, or upload the audio file"
            )
    transcript = await load(fetched, link)
    return titled(transcript, link_name(link), fallback=link), ()


def link_name(link: str) -> str:
    """The file name a link ends with (a title for what it serves, when nothing names it)."""
    return urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1]


class _Fetch(Generic[N]):
    """How a feed episode's transcript or audio is fetched and read."""

    def __init__(
        self,
        fetcher: SafeFetcher,
        load: Callable[[Fetched, str], Awaitable[N]],
        audio: AudioLoader[N],
    ) -> None:
        self.fetcher, self.load, self.audio = fetcher, load, audio

    async def episode(self, feed: Feed, episode: FeedEpisode) -> N:
        """The episode's transcript: its <podcast:transcript>, else its audio transcribed."""
        if episode.transcript_url:
            url = urljoin(feed.url, episode.transcript_url)
            transcript = await self.load(await self.fetcher.get(url), url)
        else:
            assert episode.audio_url is not None
            url = urljoin(feed.url, episode.audio_url)
            transcript = await self.audio(url, episode_keys(feed.url, episode.guid))
        return transcript.renamed(title=episode.title, show=feed.title)


async def _apple_episode(
    show: AppleShow, episode_id: str, parse: FeedParser, fetch: _Fetch[N]
) -> N:
    """The Apple Podcasts episode in its show's feed (by its GUID, else its title and
    day), or, when the feed no longer lists it, the audio Apple's directory names."""
    listed = show.episode
    if listed is None:
        raise UserError(
            f"Apple's directory does not list this episode among the {EPISODES_LISTED} newest "
            f"of “{show.title}”; send the show's feed link ({show.feed_url}) followed by "
            "words from the episode's title, or the episode's audio file."
        )
    feed = await parse((await fetch.fetcher.get(show.feed_url)).data, show.feed_url)
    found = next((e for e in feed.episodes if listed.guid and e.guid == listed.guid), None)
    if found is None:
        title = listed.title.casefold().strip()
        found = next(
            (
                e
                for e in feed.episodes
                if e.title.casefold().strip() == title
                and (
                    listed.released is None
                    or e.published is None
                    or abs((e.published - listed.released).total_seconds()) < 86400
                )
            ),
            None,
        )
    if found is not None and found.readable:
        return await fetch.episode(feed, found)
    if listed.audio_url:  # not in the feed (or no audio there): the directory's audio link
        transcript = await fetch.audio(listed.audio_url, [f"apple:{episode_id}"])
        return transcript.renamed(title=listed.title, show=feed.title)
    raise UserError(
        f"“{listed.title}” has neither a transcript nor audio in the feed of “{feed.title}”; "
        "send the episode's audio file or transcript instead."
    )


def episode_keys(feed_url: str, guid: str) -> list[str]:
    """What names a feed episode's audio besides its address (a GUID is unique in its feed)."""
    return [f"guid:{feed_url} {guid}"]


async def _feed_episode(
    data: bytes,
    link: str,
    title_words: str,
    parse: FeedParser,
    fetch: _Fetch[N],
) -> tuple[N, tuple[str, ...]]:
    """A podcast feed's newest episode with a transcript or audio, among those whose title
    holds every one of `title_words` (all episodes when there are none)."""
    feed = await parse(data, link)
    newest_first = sorted(feed.episodes, key=lambda e: e.sort_time, reverse=True)
    wanted = title_words.casefold().split()
    matching = [e for e in newest_first if all(w in e.title.casefold() for w in wanted)]
    if not matching:
        recent = "; ".join(f"“{e.title}”" for e in newest_first[:5])
        raise UserError(
            f"no episode of “{feed.title}” has “{title_words}” in its title. "
            f"The newest: {recent or 'none'}."
        )
    readable = [e for e in matching if e.readable]
    if not readable:
        which = f"none of its {len(feed.episodes)} episodes"
        if wanted:
            which = f"no episode with “{title_words}” in its title"
        raise UserError(
            f"“{feed.title}” is a podcast feed, but {which} links a transcript "
            "(<podcast:transcript>) or audio (<enclosure>). Send the episode's transcript "
            "or audio file, or its link, instead."
        )
    episode = readable[0]
    transcript = await fetch.episode(feed, episode)
    skipped = matching.index(episode)
    notes: tuple[str, ...] = ()
    if skipped:
        notes = (
            f"the newest episode with a transcript or audio in the feed; the {skipped} newer "
            f"one{'s' if skipped != 1 else ''} link{'' if skipped != 1 else 's'} neither",
        )
    return transcript, notes
