"""Where the project's own test material lives, and the files several helpers serve: the demo
episode and the invented episode's captions."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"
EXAMPLE = (EXAMPLES / "repair-cafe.txt").read_bytes()
VTT = (FIXTURES / "episode.vtt").read_bytes()
AUDIO = FIXTURES / "audio"  # episodes written for the project, spoken by espeak-ng
OPUS = (AUDIO / "tool-library.opus").read_bytes()  # 50 s, the script in tool-library.txt

__all__ = ["AUDIO", "EXAMPLE", "EXAMPLES", "FIXTURES", "OPUS", "ROOT", "VTT"]
