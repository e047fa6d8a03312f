"""Planning for the LLM engine: chunks by token budget, whole-episode coverage, fills."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Protocol

from summarizers.clean import Unit
from summarizers.llm_prompt import unit_lines
from summarizers.model import Takeaway, Transcript

FIFTHS = 5


class _Cites(Protocol):
    unit_ids: list[int]


def plan_chunks(
    units: list[Unit], budget: int, count: Callable[[str], int]
) -> list[tuple[int, int]]:
    """Consecutive unit ranges whose numbered lines fit `budget` tokens each."""
    lines = unit_lines(units, 0, len(units))
    chunks: list[tuple[int, int]] = []
    start, used = 0, 0
    for i, line in enumerate(lines):
        cost = count(line) + 1
        if used and used + cost > budget:
            chunks.append((start, i))
            start, used = i, 0
        used += cost
    chunks.append((start, len(units)))
    return chunks


def fifths_hit(units: list[Unit], takeaways: Sequence[_Cites]) -> set[int]:
    """Which fifths of the episode the takeaways' supporting units fall in."""
    n = len(units)
    return {min(FIFTHS - 1, i * FIFTHS // n) for t in takeaways for i in t.unit_ids if 0 <= i < n}


def coverage_fifths(units: list[Unit], takeaways: Sequence[_Cites]) -> int:
    return len(fifths_hit(units, takeaways))


def _fifth(transcript: Transcript, t: Takeaway) -> int:
    return min(FIFTHS - 1, t.span[0] * FIFTHS // max(1, len(transcript.text)))


def fill_takeaways(
    transcript: Transcript, takeaways: list[Takeaway], extractive: Sequence[Takeaway], k: int
) -> list[Takeaway]:
    """Make takeaways cover at least 4 of 5 fifths, filling from extractive ones.

    For each uncovered fifth an extractive takeaway from it is added; to keep k, the
    model's takeaways are dropped from the most crowded fifth.
    """
    out = list(takeaways)
    covered = {_fifth(transcript, t) for t in out}
    added: list[Takeaway] = []
    for fifth in range(FIFTHS):
        if len(covered) >= FIFTHS - 1:
            break
        if fifth in covered:
            continue
        fill = next((t for t in extractive if _fifth(transcript, t) == fifth), None)
        if fill is not None:
            added.append(fill)
            covered.add(fifth)
    out += added
    while len(out) > k:
        crowd = Counter(_fifth(transcript, t) for t in out)
        fifth, size = crowd.most_common(1)[0]
        if size < 2:
            break
        victim = next(t for t in reversed(out) if _fifth(transcript, t) == fifth and t not in added)
        out.remove(victim)
    return sorted(out, key=lambda t: t.span)
