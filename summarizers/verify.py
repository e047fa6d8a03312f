"""Quotes come from the transcript: render them from unit ids, or align model text to it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from summarizers.clean import Unit, detokenize

MAX_QUOTE_UNITS = 3
ALIGN_MIN_SCORE = 90.0  # rapidfuzz ratio (0-100) a near match needs to be replaced
_NON_WORD = re.compile(r"[^\w\s]")


def normalize(text: str) -> str:
    """Lower case, no punctuation, single spaces: for comparing model text to the transcript."""
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """A quote as consecutive units: its exact transcript span and display text."""

    first: int
    last: int
    start_char: int
    end_char: int
    text: str


def whole_sentences(units: list[Unit], first: int, last: int) -> tuple[int, int] | None:
    """Units first..last widened to whole sentences (back to where the first one's sentence
    starts, on to where the last one's ends); when that is too long, narrowed to the whole
    sentences inside; None when there are none."""
    a, b = first, last
    while a > 0 and not units[a].sentence_start and units[a - 1].speaker == units[a].speaker:
        a -= 1
    while (
        b + 1 < len(units)
        and not units[b].sentence_end
        and not units[b + 1].sentence_start
        and units[b + 1].speaker == units[b].speaker
    ):
        b += 1
    if b - a + 1 <= MAX_QUOTE_UNITS:
        return a, b
    starts = [i for i in range(first, last + 1) if units[i].sentence_start]
    ends = [i for i in range(first, last + 1) if units[i].sentence_end]
    if not starts or not ends or ends[-1] < starts[0]:
        return None
    return starts[0], ends[-1]


def span_from_ids(units: list[Unit], first: int, last: int) -> QuoteSpan | None:
    """The quote made of units first..last, in whole sentences (see `whole_sentences`), or
    None if the ids are not a valid short run."""
    if not (0 <= first <= last < len(units)) or last - first + 1 > MAX_QUOTE_UNITS:
        return None
    whole = whole_sentences(units, first, last)
    if whole is None:
        return None
    first, last = whole
    words = tuple(w for u in units[first : last + 1] for w in u.words)
    return QuoteSpan(
        first,
        last,
        units[first].start_char,
        units[last].end_char,
        detokenize(words, capitalize=False),
    )


def align(units: list[Unit], text: str, *, min_score: float = ALIGN_MIN_SCORE) -> QuoteSpan | None:
    """Find the run of units a model's quote text came from; None if nothing is close enough.

    An exact normalized match wins; otherwise the best rapidfuzz ratio over runs of one to
    three units (the window must be about as long as the text), if it reaches `min_score`.
    """
    target = normalize(text)
    if not target:
        return None
    normalized = [normalize(u.display) for u in units]
    best: tuple[float, int, int] | None = None
    size = len(target)
    for first in range(len(units)):
        joined = ""
        for last in range(first, min(first + MAX_QUOTE_UNITS, len(units))):
            joined = f"{joined} {normalized[last]}".strip()
            if target in joined and len(joined) <= size * 1.6 + 10:
                return span_from_ids(units, first, last)
            if abs(len(joined) - size) > size * 0.5:
                continue
            score = fuzz.ratio(joined, target)
            if best is None or score > best[0]:
                best = (score, first, last)
    if best is not None and best[0] >= min_score:
        return span_from_ids(units, best[1], best[2])
    return None
