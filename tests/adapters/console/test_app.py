"""The terminal chat: local files by any spelling, and the command line's words for a
missing file or a directory."""

from __future__ import annotations

import asyncio
import io
import shutil
from pathlib import Path

import pytest

from adapters.console.app import SYNTAX, ConsoleAdapter
from bot.sources.fetch import SafeFetcher
from bot.storage import Database
from tests.support.core import service_for
from tests.support.data import ROOT

EXAMPLE = ROOT / "examples" / "repair-cafe.txt"


def chat(tmp_path: Path, lines: str) -> str:
    async def go() -> str:
        db = Database(f"sqlite:///{tmp_path / 'console.db'}")
        await db.upgrade()
        fetcher = SafeFetcher(max_bytes=200_000)
        out = io.StringIO()
        service = service_for(db, fetcher, syntaxes={"console": SYNTAX})
        try:
            await ConsoleAdapter(service, stdin=io.StringIO(lines), stdout=out).run()
        finally:
            await fetcher.close()
            await db.close()
        return out.getvalue()

    return asyncio.run(go())


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
