"""Audio transcribed offline by the bundled Whisper model: the project's own spoken episodes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.errors import TranscriptError
from bot.sources.audio import SpeechSettings, duration_of, looks_like_audio, transcribe
from bot.sources.fetch import SafeFetcher
from bot.summaries import FileSource
from bot.workers import WorkerPool
from tests.support.core import summaries_for
from tests.support.data import AUDIO, EXAMPLE, FIXTURES, OPUS

SPEECH = SpeechSettings(threads=2)


@pytest.mark.parametrize("name", ["short.mp3", "short.wav", "tool-library.opus"])
def test_each_format_is_transcribed_with_times(name: str) -> None:
    transcript = transcribe((AUDIO / name).read_bytes(), name, SPEECH)
    words = transcript.text.lower()
    assert "saturday" in words  # both scripts say it
    assert transcript.format == "audio"
    assert transcript.transcribed_by == "faster-whisper tiny.en"
    starts = [s.start for s in transcript.segments]
    assert all(t is not None for t in starts)
    assert starts == sorted(starts)  # type: ignore[type-var]
    assert all(s.speaker is None for s in transcript.segments)  # speakers are not told apart


def test_the_episode_is_heard_word_for_word_mostly() -> None:
    transcript = transcribe(OPUS, "tool-library.opus", SPEECH)
    heard = set(transcript.text.lower().replace(",", " ").replace(".", " ").split())
    script = (AUDIO / "tool-library.txt").read_text().lower().replace(",", " ").replace(".", " ")
    said = set(script.split())
    assert len(heard & said) / len(said) > 0.8
    for word in ("library", "drill", "membership", "volunteers", "cleaner"):
        assert word in heard, word
    assert transcript.duration_seconds is not None
    assert 45 < transcript.duration_seconds < 52  # the file is 49.9 s


def test_audio_is_told_by_its_first_bytes() -> None:
    for name in ("short.mp3", "short.wav", "tool-library.opus", "no-audio.webm"):
        assert looks_like_audio((AUDIO / name).read_bytes()[:64]), name
    for data in (EXAMPLE, (FIXTURES / "episode.vtt").read_bytes(), b"%PDF-1.7", b"\xff\xfe\x00h"):
        assert not looks_like_audio(data[:64])


def test_a_video_without_sound_says_so() -> None:
    with pytest.raises(TranscriptError, match="video with no sound track"):
        transcribe((AUDIO / "no-audio.webm").read_bytes(), "clip.webm", SPEECH)


def test_damaged_audio_gets_a_message() -> None:
    garbage = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 40
    with pytest.raises(TranscriptError, match="cannot be read|no speech|too short"):
        transcribe(garbage, "broken.mp3", SPEECH)
    # an MP3 cut short: what is left is transcribed (and judged later like any transcript)
    whole = transcribe((AUDIO / "short.mp3").read_bytes(), "short.mp3", SPEECH)
    cut = transcribe((AUDIO / "short.mp3").read_bytes()[:6000], "cut.mp3", SPEECH)
    assert 0 < cut.word_count < whole.word_count


def test_audio_over_the_length_limit_is_refused_before_transcribing() -> None:
    assert 45 < duration_of(OPUS, "x.opus") < 52
    with pytest.raises(TranscriptError, match=r"0:49 long, over the 0:10 limit"):
        transcribe(OPUS, "tool-library.opus", SpeechSettings(max_seconds=10))


def test_a_model_that_is_not_there_is_named_never_downloaded(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="PODBRIEF_STT_MODEL"):
        transcribe(OPUS, "x.opus", SpeechSettings(model=str(tmp_path / "no-such-model")))
    with pytest.raises(TranscriptError, match="PODBRIEF_STT_MODEL"):
        transcribe(OPUS, "x.opus", SpeechSettings(model="large-v3"))  # not in any local cache


def test_in_the_bot_audio_is_transcribed_in_a_worker_and_the_summary_says_so(
    database_url: str,
) -> None:
    from bot.storage import Database

    # this process runs the model first: a worker forked from it would hang in CTranslate2
    # (its inference threads are not copied); workers come from the fork server instead
    assert transcribe((AUDIO / "short.wav").read_bytes(), "short.wav", SPEECH).segments

    async def go(pool: WorkerPool) -> None:
        db = Database(database_url)
        await db.upgrade()
        fetcher = SafeFetcher(max_bytes=200_000)
        summaries = summaries_for(db, fetcher, workers=pool, max_audio_bytes=1_000_000)
        try:
            done = await summaries.summarize(FileSource("tool-library.opus", OPUS))
            assert done.summary.transcription == "faster-whisper tiny.en"
            assert done.summary.takeaways
            assert done.summary.title == "tool library"
            stored = await db.episode(done.episode_id or 0)
            assert stored is not None
            assert stored.transcribed_by == "faster-whisper tiny.en"
            again = await summaries.summarize(FileSource("again.opus", OPUS))
            assert again.cached
            assert again.episode_id == done.episode_id
            with pytest.raises(TranscriptError, match="PODBRIEF_MAX_AUDIO_BYTES"):
                await summaries.summarize(FileSource("long.opus", OPUS + bytes(1_000_000)))
        finally:
            await fetcher.close()
            await db.close()

    pool = WorkerPool(1)
    try:
        asyncio.run(go(pool))
    finally:
        pool.shutdown()
