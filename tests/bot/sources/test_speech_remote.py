"""The remote speech-to-text engine: the real `openai` SDK against a local server."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.errors import TranscriptError
from bot.sources.audio import duration_of
from bot.sources.fetch import SafeFetcher
from bot.sources.speech_remote import SMALLEST_CHUNK, RemoteSpeech, cut, transcribe_remote
from bot.summaries import FileSource
from tests.support.core import summaries_for
from tests.support.data import AUDIO, OPUS
from tests.support.fakes.speech_server import EVERY, FakeSpeech, fake_speech

SECONDS = duration_of(OPUS, "tool-library.opus")


async def in_thread(audio: Path | bytes, name: str, most: float, where: str) -> Any:
    return await asyncio.to_thread(cut, audio, name, most, where)


def scenario(test: Callable[[FakeSpeech, RemoteSpeech], Awaitable[None]], **fake: Any) -> None:
    async def go() -> None:
        async with fake_speech(**fake) as server:
            remote = RemoteSpeech(base_url=server.url, api_key="sk-test", retries=2, timeout=10)
            await test(server, remote)

    asyncio.run(go())


def test_a_file_that_fits_is_sent_whole_and_its_segments_kept() -> None:
    async def t(server: FakeSpeech, remote: RemoteSpeech) -> None:
        transcript = await transcribe_remote(OPUS, "tool-library.opus", remote, cutter=in_thread)
        assert len(server.uploads) == 1
        assert server.uploads[0][0] == len(OPUS)
        assert server.forms[0]["response_format"] == "verbose_json"
        assert server.forms[0]["model"] == "whisper-1"
        starts = [s.start for s in transcript.segments]
        assert starts == [n * EVERY for n in range(len(starts))]
        assert transcript.segments[-1].end == pytest.approx(SECONDS, abs=0.1)
        assert transcript.transcribed_by == "whisper-1 at 127.0.0.1"
        assert "tool library" in transcript.text

    scenario(t)


def test_audio_over_the_upload_limit_goes_in_parts_cut_at_quiet_points_with_offsets() -> None:
    async def t(server: FakeSpeech, remote: RemoteSpeech) -> None:
        small = replace(remote, max_upload_bytes=100_000)  # the opus file is 136 kB
        transcript = await transcribe_remote(
            OPUS, "tool-library.opus", small, cutter=in_thread, seconds=SECONDS
        )
        lengths = [seconds for _, seconds in server.uploads]
        assert len(lengths) >= 2
        assert all(length <= SMALLEST_CHUNK + 0.2 for length in lengths)  # 30 s at most
        assert sum(lengths) == pytest.approx(SECONDS, abs=0.3)
        assert all(size <= 100_000 for size, _ in server.uploads)
        starts = [s.start for s in transcript.segments]
        assert starts == sorted(starts)
        # each part's segments start where the part does, in the episode's time
        first = 0
        for n, length in enumerate(lengths):  # the server gave one segment per 10 s of a part
            assert transcript.segments[first].start == pytest.approx(sum(lengths[:n]), abs=0.3)
            first += math.ceil(length / EVERY)
        assert first == len(transcript.segments)
        assert transcript.segments[-1].end == pytest.approx(SECONDS, abs=0.3)

    scenario(t)


def test_a_413_for_the_whole_file_gives_parts() -> None:
    async def t(server: FakeSpeech, remote: RemoteSpeech) -> None:
        transcript = await transcribe_remote(
            OPUS, "tool-library.opus", remote, cutter=in_thread, seconds=SECONDS
        )
        sizes = [size for size, _ in server.uploads]
        assert sizes[0] == len(OPUS)  # refused: 413
        assert all(size <= 125_000 for size in sizes[1:])
        assert len(sizes) >= 3
        assert transcript.segments[-1].end == pytest.approx(SECONDS, abs=0.2)

    scenario(t, limit=125_000)


def test_a_server_that_refuses_every_part_says_to_check_its_limit() -> None:
    async def t(server: FakeSpeech, remote: RemoteSpeech) -> None:
        with pytest.raises(TranscriptError, match="PODBRIEF_STT_MAX_UPLOAD_BYTES"):
            await transcribe_remote(OPUS, "x.opus", remote, cutter=in_thread, seconds=SECONDS)

    scenario(t, limit=20_000)


def test_no_segments_gives_an_untimed_transcript_with_a_note() -> None:
    async def t(server: FakeSpeech, remote: RemoteSpeech) -> None:
        transcript = await transcribe_remote(OPUS, "x.opus", remote, cutter=in_thread)
        assert transcript.segments[0].start is None
        assert any("no segment times" in note for note in transcript.notes)

    scenario(t, mode="no_segments")


def test_429_is_retried_then_succeeds() -> None:
    async def t(server: FakeSpeech, remote: RemoteSpeech) -> None:
        transcript = await transcribe_remote(OPUS, "x.opus", remote, cutter=in_thread)
        assert len(server.uploads) == 2
        assert transcript.segments

    scenario(t, mode="429_then_ok")


def test_500_until_the_retries_end_gives_a_clear_message() -> None:
    async def t(server: FakeSpeech, remote: RemoteSpeech) -> None:
        with pytest.raises(TranscriptError, match="HTTP 500 after 3 tries"):
            await transcribe_remote(OPUS, "x.opus", remote, cutter=in_thread)
        assert len(server.forms) == 3
        assert "sk-test" not in repr(remote)  # the key stays out of logs

    scenario(t, mode="500")


def test_in_the_bot_a_file_is_summarized_from_the_servers_transcript(tmp_path: Path) -> None:
    async def t(server: FakeSpeech, remote: RemoteSpeech) -> None:
        fetcher = SafeFetcher(max_bytes=200_000)
        try:
            summaries = summaries_for(None, fetcher, remote_speech=remote)
            done = await summaries.summarize(FileSource("tool-library.opus", OPUS))
            assert done.summary.transcription == "whisper-1 at 127.0.0.1"
            assert done.summary.takeaways
            with pytest.raises(TranscriptError, match="no sound track"):
                await summaries.summarize(
                    FileSource("no-audio.webm", (AUDIO / "no-audio.webm").read_bytes())
                )
        finally:
            await fetcher.close()
        assert len(server.uploads) == 1

    scenario(t)


def test_in_the_bot_the_parts_sent_are_reported_as_progress() -> None:
    async def t(server: FakeSpeech, remote: RemoteSpeech) -> None:
        fetcher = SafeFetcher(max_bytes=200_000)
        seen: list[tuple[float, float]] = []
        try:
            small = replace(remote, max_upload_bytes=100_000)  # the opus file is 136 kB
            summaries = summaries_for(None, fetcher, remote_speech=small)
            await summaries.summarize(
                FileSource("tool-library.opus", OPUS), progress=lambda d, t: seen.append((d, t))
            )
        finally:
            await fetcher.close()
        assert len(seen) == len(server.uploads) >= 2  # one report a part
        assert [done for done, _ in seen] == sorted(done for done, _ in seen)
        assert all(total == pytest.approx(SECONDS, abs=0.1) for _, total in seen)
        assert seen[-1][0] == pytest.approx(SECONDS, abs=0.3)

    scenario(t)
