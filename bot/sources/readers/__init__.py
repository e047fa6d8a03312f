"""Loading transcripts from bytes in any supported format."""

from bot.sources.readers.load import load_bytes, load_path

__all__ = ["load_bytes", "load_path"]
