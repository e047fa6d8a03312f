"""The terminal chat: local files by any spelling, the command line's words for a
missing file or a directory, and episode links (YouTube, Apple Podcasts)."""

from __future__ import annotations

import asyncio
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from adapters.console.app import SYNTAX, ConsoleAdapter
from bot.sources.fetch import SafeFetcher
from bot.sources.youtube import YouTubeSettings
from bot.storage import Database
from tests.support.core import service_for
from tests.support.data import AUDIO, ROOT
from tests.support.fakes.apple_server import SHOW as APPLE_SHOW
from tests.support.fakes.apple_server import fake_apple
from tests.support.fakes.local import serve
from tests.support.fakes.youtube_server import fake_youtube

EXAMPLE = ROOT / "examples" / "repair-cafe.txt"


def chat(tmp_path: Path, lines: str) -> str:
    return asyncio.run(chat_with(tmp_path, lines))


async def chat_with(tmp_path: Path, lines: str, **summaries: Any) -> str:
    """What the terminal chat answers to `lines`; `summaries` set the summarize operation
    (where YouTube and Apple's directory are) and then local links are allowed."""
    db = Database(f"sqlite:///{tmp_path / 'console.db'}")
    await db.upgrade()
    local = frozenset({"127.0.0.1"}) if summaries else frozenset()
    fetcher = SafeFetcher(max_bytes=200_000, allow_hosts=local)
    out = io.StringIO()
    service = service_for(db, fetcher, syntaxes={"console": SYNTAX}, **summaries)
    try:
        await ConsoleAdapter(service, stdin=io.StringIO(lines), stdout=out).run()
    finally:
        await fetcher.close()
        await db.close()
    return out.getvalue()


def test_help_is_written_for_the_terminal(tmp_path: Path) -> None:
    text = chat(tmp_path, "help\n")
    assert "summarize <file | link" in text
    assert "/podbrief" not in text
    assert "needs rights" not in text


def test_missing_files_and_directories_say_so(tmp_path: Path) -> None:
    text = chat(tmp_path, f"summarize {tmp_path / 'gone.txt'}\nquotes {tmp_path}\n")
    assert f"error: no such file: {tmp_path / 'gone.txt'}" in text
    assert f"error: {tmp_path} is a directory, not a transcript file" in text
    assert "is not a link" not in text


def test_quoted_and_home_paths_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spaced = tmp_path / "my episode.txt"
    shutil.copy(EXAMPLE, spaced)
    monkeypatch.setenv("HOME", str(tmp_path))
    text = chat(tmp_path, f'takeaways "{spaced}"\nquotes ~/my\\ episode.txt\n')
    assert text.count("Fix It Forward") == 2
    assert "error" not in text


def test_youtube_and_apple_podcasts_links_are_summarized_in_the_terminal(tmp_path: Path) -> None:
    async def go() -> str:
        async with fake_youtube() as youtube, fake_apple() as apple:
            lines = (
                "summarize https://www.youtube.com/shorts/creatorcap1\n"
                f"summarize {APPLE_SHOW}?i=1000000002\n"
                "summarize https://www.youtube.com/watch?v=nocaptions1\n"
            )
            return await chat_with(
                tmp_path,
                lines,
                youtube=YouTubeSettings(base_url=youtube.base),
                apple_lookup=apple.lookup_url,
            )

    text = asyncio.run(go())
    assert "Why Repair Beats Replace" in text
    assert "Hot composting" in text
    assert text.count("KEY TAKEAWAYS") == 2
    assert "has no captions" in text


def test_an_audio_file_is_transcribed_in_the_terminal_chat(tmp_path: Path) -> None:
    audio = AUDIO / "tool-library.opus"
    text = chat(tmp_path, f"summarize {audio}\nhelp\n")
    assert "transcribed by faster-whisper tiny.en" in text
    assert "KEY TAKEAWAYS" in text
    assert "summarize" in text.split("transcribed by", 1)[1]  # the next command answered


def test_an_audio_link_is_transcribed_in_the_terminal_chat(tmp_path: Path) -> None:
    async def go() -> str:
        app = web.Application()
        audio = (AUDIO / "tool-library.opus").read_bytes()

        async def episode(_: web.Request) -> web.Response:
            return web.Response(body=audio, content_type="audio/ogg")

        app.router.add_get("/episode.opus", episode)
        runner, port = await serve(app)
        try:
            link = f"http://127.0.0.1:{port}/episode.opus"
            return await chat_with(tmp_path, f"summarize {link}\n", max_bytes=200_000)
        finally:
            await runner.cleanup()

    text = asyncio.run(go())
    assert "transcribed by faster-whisper tiny.en" in text
    assert "KEY TAKEAWAYS" in text
