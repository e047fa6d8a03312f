"""Links people paste that are not transcript files themselves.

Share pages of file hosts wrap the file in an HTML viewer: their direct-download form is
fetched instead. Video and podcast-app pages hold no transcript podbrief can read: they
get a message saying what to send instead, before anything is downloaded.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.errors import UserError

_DRIVE_FILE = re.compile(r"^/file/d/([\w-]+)")
_GOOGLE_DOC = re.compile(r"^/document/d/([\w-]+)")
_GITHUB_BLOB = re.compile(r"^/([^/]+)/([^/]+)/blob/(.+)$")

_PAGES = {
    ("youtube.com", "youtu.be"): (
        "a YouTube page is a video, not a transcript. Open the video's transcript (under the "
        "description: Show transcript), copy it, and send the link followed by the pasted "
        "transcript (or attach the video's captions as a .vtt file with the link): the "
        "quotes then link to their moment in the video"
    ),
    ("open.spotify.com",): (
        "a Spotify page holds no transcript podbrief can read; send the show's RSS feed link "
        "(its newest episode with a transcript is summarized) or the episode's transcript"
    ),
    ("podcasts.apple.com",): (
        "an Apple Podcasts page holds no transcript podbrief can read; send the show's RSS "
        "feed link (its newest episode with a transcript is summarized) or the episode's "
        "transcript"
    ),
}


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.").removeprefix("m.")


def refuse_pages(url: str) -> None:
    """Raise a UserError with what to send instead for a video or podcast-app page."""
    host = _host(url)
    for hosts, message in _PAGES.items():
        if any(host == h or host.endswith("." + h) for h in hosts):
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
