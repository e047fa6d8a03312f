"""Files written for the project that several test helpers serve: the demo episode and the
invented episode's captions."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "examples" / "repair-cafe.txt").read_bytes()
VTT = (ROOT / "tests" / "fixtures" / "episode.vtt").read_bytes()

__all__ = ["EXAMPLE", "ROOT", "VTT"]
