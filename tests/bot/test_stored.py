"""A transcript as the bot holds it: names, counts and one JSON string; built where read."""

from __future__ import annotations

import pickle

import pytest

from bot.sources.readers import load_path
from bot.sources.stored import StoredTranscript
from tests.support.data import FIXTURES


def test_the_stored_form_builds_the_same_transcript() -> None:
    transcript = load_path(FIXTURES / "episode.vtt")
    stored = StoredTranscript.of(transcript)
    assert stored.sha256 == transcript.sha256
    assert stored.word_count == transcript.word_count
    crossed = pickle.loads(pickle.dumps(stored))
    assert crossed.built is None  # built again from the string where it is read
    assert crossed.transcript() == transcript
    assert crossed == stored


def test_a_crossing_to_a_worker_copies_the_string_not_the_segments() -> None:
    stored = StoredTranscript.of(load_path(FIXTURES / "episode.vtt"))
    data = pickle.dumps(stored)
    assert b"Segment" not in data
    assert stored.built is not None  # this process keeps what it built


def test_renaming_keeps_the_words_and_what_is_counted_from_them() -> None:
    transcript = load_path(FIXTURES / "episode.vtt")
    words, digest = transcript.word_count, transcript.sha256
    renamed = transcript.renamed(title="Compost Corner 3", show="Compost Corner")
    assert (renamed.title, renamed.show, renamed.text) == (
        "Compost Corner 3",
        "Compost Corner",
        transcript.text,
    )
    assert renamed.__dict__["word_count"] == words  # carried, not counted again
    assert renamed.__dict__["sha256"] == digest
    stored = StoredTranscript.of(transcript).renamed(source="https://x.test/ep")
    assert stored.source == "https://x.test/ep"
    assert stored.transcript().source == "https://x.test/ep"
    assert pickle.loads(pickle.dumps(stored)).transcript().source == "https://x.test/ep"
    with pytest.raises(TypeError, match="takes title, show and source"):
        transcript.renamed(text="other words")
    with pytest.raises(TypeError, match="takes title, show and source"):
        stored.renamed(sha256="x")
