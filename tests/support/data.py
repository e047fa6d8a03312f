"""Where the project's own test material lives, and the files several helpers serve: the demo
episode and the invented episode's captions."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"
EXAMPLE = (EXAMPLES / "repair-cafe.txt").read_bytes()
VTT = (FIXTURES / "episode.vtt").read_bytes()

__all__ = ["EXAMPLE", "EXAMPLES", "FIXTURES", "ROOT", "VTT"]
