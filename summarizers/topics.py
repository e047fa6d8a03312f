"""Topics: the episode's sections in order, titled by their key phrases."""

from __future__ import annotations

import math
from collections import Counter

from summarizers.clean import Unit, norm
from summarizers.lexicon import STOPWORDS, stem
from summarizers.model import Topic, round_seconds

WORDS_PER_SECTION = 1500
MAX_SECTIONS = 8


def section_count(words: int) -> int:
    """About one section per 1,500 words; at least 3 once an episode has 1,000 words."""
    wanted = round(words / WORDS_PER_SECTION)
    if words >= 1000:
        wanted = max(wanted, 3)
    return max(1, min(MAX_SECTIONS, wanted))


def make_topics(units: list[Unit], terms: list[frozenset[str]]) -> list[Topic]:
    """Cut the units into sections of about equal length, each titled by what sets it apart."""
    if not units:
        return []
    total = sum(len(u.words) for u in units)
    k = section_count(total)
    bounds = [0]
    acc = 0
    for i, u in enumerate(units):
        acc += len(u.words)
        if len(bounds) < k and acc >= total * len(bounds) / k:
            bounds.append(i + 1)
    bounds.append(len(units))
    ranges = [(lo, hi) for lo, hi in zip(bounds, bounds[1:], strict=False) if hi > lo]
    counts = []
    for lo, hi in ranges:
        c: Counter[str] = Counter()
        for t in terms[lo:hi]:
            c.update(t)
        counts.append(c)
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    surface = _surface_forms(units)
    topics = []
    for (lo, hi), c in zip(ranges, counts, strict=True):
        title = _title(units[lo:hi], c, df, len(ranges), surface)
        first = units[lo]
        topics.append(
            Topic(
                title=title,
                start_seconds=round_seconds(first.start_seconds),
                span=(first.start_char, units[hi - 1].end_char),
            )
        )
    return topics


def _surface_forms(units: list[Unit]) -> dict[str, str]:
    seen: dict[str, Counter[str]] = {}
    for u in units:
        for w in u.words:
            n = norm(w)
            if n and n not in STOPWORDS:
                seen.setdefault(stem(n), Counter())[n] += 1
    return {s: c.most_common(1)[0][0] for s, c in seen.items()}


def _title(
    units: list[Unit],
    counts: Counter[str],
    df: Counter[str],
    sections: int,
    surface: dict[str, str],
) -> str:
    """Up to three key phrases: a repeated two-word phrase first, then distinctive words."""

    def weight(t: str) -> float:
        return counts[t] * math.log(1 + sections / df[t]) if len(t) > 2 else 0.0

    bigrams: Counter[tuple[str, str]] = Counter()
    for u in units:
        words = [norm(w) for w in u.words]
        for a, b in zip(words, words[1:], strict=False):
            if a not in STOPWORDS and b not in STOPWORDS and len(a) > 2 and len(b) > 2:
                bigrams[(stem(a), stem(b))] += 1
    phrases: list[str] = []
    used: set[str] = set()
    best = sorted(
        ((n * (weight(a) + weight(b)), (a, b)) for (a, b), n in bigrams.items() if n >= 2),
        reverse=True,
    )
    if best:
        a, b = best[0][1]
        phrases.append(f"{surface.get(a, a)} {surface.get(b, b)}")
        used.update((a, b))
    for term in sorted(counts, key=lambda t: (-weight(t), t)):
        if len(phrases) >= 3:
            break
        if term in used or not term.isalpha() or weight(term) <= 0:
            continue
        phrases.append(surface.get(term, term))
        used.add(term)
    title = ", ".join(phrases) or "Conversation"
    return title[:1].upper() + title[1:]
