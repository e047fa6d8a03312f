"""Speech-to-text on a server: any OpenAI-compatible `/v1/audio/transcriptions` endpoint
(OpenAI's whisper-1, Groq, speaches / faster-whisper-server, whisper.cpp's server, LocalAI,
vLLM) through the `openai` SDK, asking for `verbose_json` (segments with their times).

Servers limit the size of an upload (OpenAI: 25 MB). Audio larger than
`PODBRIEF_STT_MAX_UPLOAD_BYTES`, or refused with 413, is cut into chunks at quiet points and
each chunk re-encoded as 16 kHz mono FLAC with PyAV (no system ffmpeg); each chunk's times
are offset by where it starts. Timeouts, 429 and 5xx answers are retried by the SDK (with
its backoff, honouring Retry-After), then reported with what to do.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import openai

from bot.errors import TranscriptError
from bot.sources.audio import RATE, windows
from summarizers.model import RawSegment, Transcript

DEFAULT_MAX_UPLOAD = 24 * 1024 * 1024  # under OpenAI's 25 MB
BIT_RATE = 32_000  # plenty for speech at 16 kHz mono
BYTES_PER_SECOND = 5_000  # what that takes, with room to spare
SMALLEST_CHUNK = 30.0  # a server refusing half a minute is refusing everything
LONGEST_CHUNK = 1800.0  # a part's samples are held in memory: 115 MB at most


@dataclass(frozen=True)
class RemoteSpeech:
    """Where and how remote transcription is asked for (the PODBRIEF_STT_* settings)."""

    base_url: str
    model: str = "whisper-1"
    api_key: str = field(default="none", repr=False)  # never in logs
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    timeout: float = 600.0
    retries: int = 3
    language: str | None = None

    @property
    def engine(self) -> str:
        host = urlsplit(self.base_url).hostname or self.base_url
        return f"{self.model} at {host}"


@dataclass(frozen=True)
class Chunk:
    path: Path
    offset: float  # where it starts in the episode, in seconds
    seconds: float


def cut(audio: Path | bytes, name: str, most_seconds: float, where: str) -> list[Chunk]:
    """The audio as MP3 files of at most `most_seconds` each (and at most LONGEST_CHUNK),
    cut at quiet points; decoded as a stream, one part held at a time (blocking, CPU: run
    in a worker)."""
    chunks: list[Chunk] = []
    start = 0
    for samples in windows(audio, name, min(most_seconds, LONGEST_CHUNK)):
        chunks.append(_write(samples, start, where))
        start += len(samples)
    if not chunks:
        raise TranscriptError(f"{name} holds no audio to transcribe")
    return chunks


def _write(samples: Any, start: int, where: str) -> Chunk:
    handle = tempfile.NamedTemporaryFile(
        prefix="podbrief-chunk-", suffix=".mp3", dir=where, delete=False
    )
    handle.close()
    path = Path(handle.name)
    _encode(samples, path)
    return Chunk(path, start / RATE, len(samples) / RATE)


def _encode(samples: Any, path: Path) -> None:
    import av

    with av.open(str(path), "w", format="mp3") as out:
        stream: Any = out.add_stream("libmp3lame", rate=RATE, layout="mono")
        stream.bit_rate = BIT_RATE
        pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = RATE
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


class TooLarge(Exception):
    """The server refused an upload as too large (413)."""


async def transcribe_remote(
    audio: Path | bytes,
    name: str,
    remote: RemoteSpeech,
    *,
    cutter: Callable[[Path | bytes, str, float, str], Any],
    seconds: float | None = None,
    progress: Callable[[float, float], object] | None = None,
) -> Transcript:
    """The audio transcribed by the server: whole when it fits the upload limit, else in
    chunks (`cutter` runs `cut` where CPU work belongs: a worker process or a thread)."""
    client = openai.AsyncOpenAI(
        base_url=remote.base_url,
        api_key=remote.api_key,
        max_retries=remote.retries,
        timeout=remote.timeout,
    )
    size = len(audio) if isinstance(audio, bytes) else await asyncio.to_thread(_size, audio)
    most = max(SMALLEST_CHUNK, remote.max_upload_bytes / BYTES_PER_SECOND)
    try:
        if size <= remote.max_upload_bytes:
            try:
                data = audio if isinstance(audio, bytes) else await asyncio.to_thread(_read, audio)
                parts = await _ask(client, remote, name, data)
                return _transcript([(0.0, parts)], name, remote)
            except TooLarge:  # the server's limit is lower than the setting: halves at most
                most = min(most, max(SMALLEST_CHUNK, (seconds or 2 * SMALLEST_CHUNK) / 2))
        while True:
            with tempfile.TemporaryDirectory(prefix="podbrief-chunks-") as where:
                chunks: list[Chunk] = await cutter(audio, name, most, where)
                total = seconds or sum(c.seconds for c in chunks)
                try:
                    timed = []
                    for chunk in chunks:
                        data = await asyncio.to_thread(_read, chunk.path)
                        timed.append((chunk.offset, await _ask(client, remote, name, data)))
                        if progress is not None:
                            progress(chunk.offset + chunk.seconds, total)
                    return _transcript(timed, name, remote)
                except TooLarge:
                    if most <= SMALLEST_CHUNK:
                        raise TranscriptError(
                            f"the transcription server refuses even {SMALLEST_CHUNK:g}-second "
                            "parts of the audio as too large; check its upload limit and "
                            "PODBRIEF_STT_MAX_UPLOAD_BYTES"
                        ) from None
                    most = max(SMALLEST_CHUNK, most / 2)
    finally:
        await client.close()


def _upload_name(name: str, data: bytes) -> str:
    """A file name whose suffix says the format (servers go by it): chunks are MP3."""
    chunk = data[:3] == b"ID3" or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xe3")
    stem = Path(name).stem or "episode"
    return stem + ".mp3" if chunk else stem + (Path(name).suffix or ".audio")


def _size(path: Path) -> int:
    return path.stat().st_size


def _read(path: Path) -> bytes:
    return path.read_bytes()


async def _ask(
    client: openai.AsyncOpenAI, remote: RemoteSpeech, name: str, data: bytes
) -> tuple[list[RawSegment], str]:
    """(timed segments, the whole text) of one upload."""
    try:
        answer = await client.audio.transcriptions.create(
            model=remote.model,
            file=(_upload_name(name, data), data),
            response_format="verbose_json",
            timestamp_granularities=["segment"],
            language=remote.language or openai.omit,
        )
    except openai.APIStatusError as exc:
        if exc.status_code == 413:
            raise TooLarge from None
        raise TranscriptError(
            f"the transcription server ({remote.engine}) answered HTTP {exc.status_code} "
            f"after {remote.retries + 1} tries; check PODBRIEF_STT_BASE_URL, the model "
            "name and the key, or try again later"
        ) from None
    except (openai.APITimeoutError, openai.APIConnectionError) as exc:
        raise TranscriptError(
            f"the transcription server ({remote.engine}) could not be reached "
            f"({type(exc).__name__}) after {remote.retries + 1} tries; check "
            "PODBRIEF_STT_BASE_URL, or try again later"
        ) from None
    segments = [
        RawSegment(str(s.text).strip(), float(s.start), float(s.end))
        for s in (getattr(answer, "segments", None) or [])
        if str(s.text).strip()
    ]
    return segments, str(getattr(answer, "text", "") or "")


def _transcript(
    timed: list[tuple[float, tuple[list[RawSegment], str]]], name: str, remote: RemoteSpeech
) -> Transcript:
    segments: list[RawSegment] = []
    untimed = False
    for offset, (parts, text) in timed:
        if parts:
            segments += [
                RawSegment(p.text, (p.start or 0.0) + offset, (p.end or 0.0) + offset)
                for p in parts
            ]
        elif text.strip():  # a chunk's start is known; a whole file's text has no time
            untimed = True
            segments.append(RawSegment(text.strip(), offset if len(timed) > 1 else None))
    if not segments:
        raise TranscriptError(
            f"the transcription server found no speech in {name}; check that it is the "
            "episode and not silence or music"
        )
    notes: tuple[str, ...] = ()
    if untimed:
        notes = (
            "the transcription server gave no segment times: quotes carry the time of the "
            "part they are in, or none",
        )
    return Transcript.build(
        segments, source=name, format="audio", transcribed_by=remote.engine, notes=notes
    )
