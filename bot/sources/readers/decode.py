"""Bytes to text: size cap, binary detection and encoding detection."""

from __future__ import annotations

import codecs

from bot.errors import TranscriptError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters that never occur in text files (tab, LF, CR, FF are fine).
_BINARY_BYTES = frozenset(range(0, 9)) | frozenset(range(14, 32)) - {27}


def decode(data: bytes, *, max_bytes: int, name: str = "transcript") -> tuple[str, str | None]:
    """Return (text, note); the note says when an encoding had to be guessed."""
    if len(data) > max_bytes:
        raise TranscriptError(
            f"{name} is {_size(len(data))}, over the {_size(max_bytes)} limit "
            "(PODBRIEF_MAX_TRANSCRIPT_BYTES); use a shorter transcript or raise the limit"
        )
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), None
            except UnicodeDecodeError as exc:
                raise TranscriptError(
                    f"{name} starts with a {encoding.upper()} byte-order mark but is not valid "
                    f"{encoding.upper()} (byte {exc.start}); re-save it as UTF-8"
                ) from None
    sample = data[:65536]
    utf16 = _bomless_utf16(sample)
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            text = ""  # not UTF-16 after all: judged as bytes below
        if text and not any(ord(ch) in _BINARY_BYTES for ch in text[:32768]):
            return text, f"no byte-order mark: read as {utf16.upper()}"
    if sample and sum(b in _BINARY_BYTES for b in sample) > max(1, len(sample) // 1000):
        kind = _known_binary(sample)
        raise TranscriptError(
            f"{name} is {kind or 'a binary file'}, not a transcript; podbrief reads "
            "transcripts as .txt, .srt, .vtt, .json, .ttml or .html"
            + (" (it does not transcribe audio)" if kind and "audio" in kind else "")
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        return text, "not valid UTF-8: read as Windows-1252 (cp1252); check accented characters"
    return text, None


_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (a .docx, .xlsx or .zip file)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"ID3", "an audio file (MP3)"),
    (b"\xff\xfb", "an audio file (MP3)"),
    (b"\xff\xf3", "an audio file (MP3)"),
    (b"OggS", "an audio file (Ogg)"),
    (b"fLaC", "an audio file (FLAC)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


def _known_binary(sample: bytes) -> str | None:
    """Name the common files people send by mistake (an episode's audio, a PDF, a .docx)."""
    for magic, kind in _MAGIC:
        if sample.startswith(magic):
            return kind
    if sample[:4] == b"RIFF" and sample[8:12] == b"WAVE":
        return "an audio file (WAV)"
    if sample[4:8] == b"ftyp":
        return "an audio or video file (MP4/M4A)"
    return None


def _bomless_utf16(sample: bytes) -> str | None:
    """UTF-16 without a byte-order mark: in mostly-ASCII text every other byte is zero."""
    pairs = len(sample) // 2
    if pairs < 8:
        return None
    even = sum(1 for b in sample[0 : 2 * pairs : 2] if b == 0)
    odd = sum(1 for b in sample[1 : 2 * pairs : 2] if b == 0)
    if odd >= 0.9 * pairs and even == 0:
        return "utf-16-le"
    if even >= 0.9 * pairs and odd == 0:
        return "utf-16-be"
    return None


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1000:
        return f"{n / 1000:.0f} kB"
    return f"{n} bytes"
