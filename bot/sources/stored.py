"""A transcript in its stored form: what the bot process holds between loading and summarizing.

A long transcript is tens of thousands of `Segment` objects. Sent from the worker process
that loaded it to the bot process, then back to a worker to be summarized, each crossing
pickled or built them all in the bot process (about 100 ms each way for a 4 MB file), with
the interpreter lock held: every Slack ack waited. A `StoredTranscript` is the names and
counts the bot reads, and the episode's words as one JSON string (the form the episodes
table keeps): a crossing copies one string. The segments are built only where the words
are read: in a worker, or in a thread for an engine that runs in the bot process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from summarizers.model import Segment, Transcript, check_names


def stored_form(t: Transcript) -> str:
    """The transcript's words as the episodes table stores them (JSON; names are columns)."""
    return json.dumps(
        {
            "text": t.text,
            "language": t.language,
            "notes": list(t.notes),
            "transcribed_by": t.transcribed_by,
            "segments": [[s.text, s.start, s.end, s.speaker, s.offset] for s in t.segments],
        }
    )


def from_stored(
    stored: str, *, title: str | None, show: str | None, source: str, format: str
) -> Transcript:
    data = json.loads(stored)
    return Transcript(
        segments=tuple(Segment(*s) for s in data["segments"]),
        text=data["text"],
        title=title,
        show=show,
        source=source,
        format=format,
        language=data["language"],
        notes=tuple(data["notes"]),
        transcribed_by=data.get("transcribed_by"),
    )


@dataclass(frozen=True)
class StoredTranscript:
    """A transcript as JSON with its names and counts; `transcript()` builds it."""

    stored: str
    sha256: str
    word_count: int
    title: str | None
    show: str | None
    source: str
    format: str
    transcribed_by: str | None = None
    # the transcript itself where it was built in this process (no worker processes):
    # never pickled, so a crossing to a worker copies only the string
    built: Transcript | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, transcript: Transcript) -> StoredTranscript:
        return cls(
            stored=stored_form(transcript),
            sha256=transcript.sha256,
            word_count=transcript.word_count,
            title=transcript.title,
            show=transcript.show,
            source=transcript.source,
            format=transcript.format,
            transcribed_by=transcript.transcribed_by,
            built=transcript,
        )

    def transcript(self) -> Transcript:
        """The transcript (built from the JSON unless this process has it)."""
        if self.built is not None:
            return self.built
        return from_stored(
            self.stored, title=self.title, show=self.show, source=self.source, format=self.format
        )

    def renamed(self, **names: str | None) -> StoredTranscript:
        """The same words under other names (`title`, `show`, `source`)."""
        check_names(names)
        built = self.built.renamed(**names) if self.built is not None else None
        return replace(self, **names, built=built)  # type: ignore[arg-type]

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "built": None}
