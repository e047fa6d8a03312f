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
            "(PODBRIEF_MAX_TRANSCRIPT_BYTES); send a shorter transcript or raise the limit"
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
    if sample and sum(b in _BINARY_BYTES for b in sample) > max(1, len(sample) // 1000):
        raise TranscriptError(
            f"{name} looks like a binary file, not text; send a transcript as .txt, .srt, .vtt, "
            ".json or .html"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        return text, "not valid UTF-8: read as Windows-1252 (cp1252); check accented characters"
    return text, None


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1000:
        return f"{n / 1000:.0f} kB"
    return f"{n} bytes"
