"""Platform-neutral types shared by every engine: transcripts in, summaries out."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field


def round_seconds(seconds: float | None) -> float | None:
    """Times in output are kept to the hundredth of a second."""
    return None if seconds is None else round(seconds, 2)


def check_names(names: Iterable[str]) -> None:
    """`renamed()` changes a transcript's names (title, show, source), never its words."""
    unknown = set(names) - {"title", "show", "source"}
    if unknown:
        raise TypeError(f"renamed() takes title, show and source, not {sorted(unknown)}")


@dataclass(frozen=True, slots=True)
class Segment:
    """One stretch of the transcript: a cue, a turn or a line of text."""

    text: str
    start: float | None = None
    end: float | None = None
    speaker: str | None = None
    offset: int = 0  # where `text` starts in Transcript.text


@dataclass(frozen=True, slots=True)
class RawSegment:
    """A segment as a loader reads it, before it is placed in the transcript text."""

    text: str
    start: float | None = None
    end: float | None = None
    speaker: str | None = None


@dataclass(frozen=True)
class Transcript:
    """A loaded transcript: metadata, ordered segments and the verbatim text they form.

    `text` is the segments joined in order; every quote's `verbatim` is a substring
    of it, and `Segment.offset` maps each segment back into it.
    """

    segments: tuple[Segment, ...]
    text: str
    title: str | None = None
    show: str | None = None
    source: str = "-"
    format: str = "text"
    language: str | None = None
    notes: tuple[str, ...] = ()  # what the loader had to assume, shown to the user
    transcribed_by: str | None = None  # the speech-to-text engine and model, for audio

    @classmethod
    def build(
        cls,
        parts: Iterable[RawSegment],
        *,
        keep_line_breaks: bool = False,
        **meta: object,
    ) -> Transcript:
        """Join raw segments into one text, recording each segment's offset.

        Segments of the same speaker are joined by a space (cues of one turn),
        a change of speaker starts a new line; with `keep_line_breaks` every
        segment is a line, as in the source file.
        """
        segments: list[Segment] = []
        chunks: list[str] = []
        pos = 0
        prev: RawSegment | None = None
        for raw in parts:
            text = raw.text.strip()
            if not text:
                continue
            if prev is not None:
                same_turn = raw.speaker == prev.speaker and not keep_line_breaks
                sep = " " if same_turn else "\n"
                chunks.append(sep)
                pos += len(sep)
            segments.append(Segment(text, raw.start, raw.end, raw.speaker, pos))
            chunks.append(text)
            pos += len(text)
            prev = raw
        return cls(segments=tuple(segments), text="".join(chunks), **meta)  # type: ignore[arg-type]

    @cached_property
    def sha256(self) -> str:
        """Hash of the verbatim text: the cache key's transcript part."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def duration_seconds(self) -> float | None:
        """Last known end (or start) time, if the source had timestamps."""
        for seg in reversed(self.segments):
            if seg.end is not None:
                return seg.end
            if seg.start is not None:
                return seg.start
        return None

    @cached_property
    def word_count(self) -> int:
        return len(self.text.split())

    def renamed(self, **names: str | None) -> Transcript:
        """The same words under other names (`title`, `show`, `source`). What is computed
        from the words (hash, word count) is kept: computed once, in the worker process
        that loaded the transcript (it is pickled with it), never again on the event loop."""
        check_names(names)
        new = replace(self, **names)  # type: ignore[arg-type]
        for key in ("sha256", "word_count"):
            if key in self.__dict__:
                new.__dict__[key] = self.__dict__[key]
        return new


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Takeaway(_Out):
    """A key statement of the episode, with the transcript span that supports it."""

    text: str
    speaker: str | None = None
    start_seconds: float | None = None
    span: tuple[int, int] = Field(description="character offsets in the transcript text")


class Quote(_Out):
    """A notable line: `verbatim` is exact transcript text, `text` only drops fillers."""

    text: str
    verbatim: str
    speaker: str | None = None
    start_seconds: float | None = None
    span: tuple[int, int]


class Topic(_Out):
    """A section of the episode, in order."""

    title: str
    start_seconds: float | None = None
    span: tuple[int, int]


class Usage(BaseModel):
    """What a model-backed summary cost: completed calls and tokens."""

    model: str | None = None
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, usage: object | None) -> None:
        """Count one completed call and the token usage the server reported for it."""
        self.calls += 1
        self.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
        self.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)


class Summary(_Out):
    """What an engine makes of a transcript. `model_dump(mode="json")` is the stable schema."""

    title: str | None = None
    show: str | None = None
    source: str | None = None
    duration_seconds: float | None = None
    engine: str
    model: str | None = None
    transcript_sha256: str
    takeaways: tuple[Takeaway, ...] = ()
    quotes: tuple[Quote, ...] = ()
    topics: tuple[Topic, ...] = ()
    notes: tuple[str, ...] = ()
    usage: Usage | None = None
    transcription: str | None = None  # the speech-to-text engine and model, for audio
