"""Share links rewritten to their file, and pages that hold no transcript refused early."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from bot.sources.links import direct_download, refuse_pages


@pytest.mark.parametrize(
    ("link", "direct"),
    [
        (
            "https://www.dropbox.com/scl/fi/abc123/episode.vtt?rlkey=k9&dl=0",
            "https://www.dropbox.com/scl/fi/abc123/episode.vtt?rlkey=k9&dl=1",
        ),
        ("https://dropbox.com/s/abc/ep.srt", "https://dropbox.com/s/abc/ep.srt?dl=1"),
        (
            "https://drive.google.com/file/d/1AbC-d_9/view?usp=sharing",
            "https://drive.google.com/uc?export=download&id=1AbC-d_9",
        ),
        (
            "https://docs.google.com/document/d/1XyZ_2/edit#heading=h.1",
            "https://docs.google.com/document/d/1XyZ_2/export?format=txt",
        ),
        (
            "https://github.com/someone/show-notes/blob/main/ep12/transcript.vtt",
            "https://raw.githubusercontent.com/someone/show-notes/main/ep12/transcript.vtt",
        ),
        ("https://example.com/episode.vtt?dl=0", "https://example.com/episode.vtt?dl=0"),
        (
            "https://drive.google.com/drive/folders/xyz",
            "https://drive.google.com/drive/folders/xyz",
        ),
    ],
)
def test_share_links_become_direct_downloads(link: str, direct: str) -> None:
    assert direct_download(link) == direct


@pytest.mark.parametrize(
    ("link", "says"),
    [
        # (video links are read: tests/bot/sources/test_youtube.py)
        ("https://www.youtube.com/@workbench", "not a video"),
        ("https://m.youtube.com/playlist?list=PL1", "not a video"),
        ("https://open.spotify.com/episode/4xyz", "Apple Podcasts link"),
        # (show and episode links are read: tests/bot/sources/test_apple.py)
        ("https://podcasts.apple.com/us/browse", "names no show"),
    ],
)
def test_video_and_app_pages_say_what_to_send(link: str, says: str) -> None:
    with pytest.raises(UserError) as info:
        refuse_pages(link)
    assert says in str(info.value)


@pytest.mark.parametrize(
    "link",
    ["https://example.com/watch?v=1", "https://notyoutube.com/x", "https://spotify.example/ep"],
)
def test_other_links_pass(link: str) -> None:
    refuse_pages(link)  # raises nothing
    assert direct_download(link) == link
