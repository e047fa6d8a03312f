"""Loading transcripts from bytes in any supported format."""

from bot.transcripts.load import load_bytes, load_path

__all__ = ["load_bytes", "load_path"]
