"""Topics: the episode's sections in order, each titled as a person would head it."""

from __future__ import annotations

import math
from collections import Counter

from summarizers.clean import Unit, detokenize, norm
from summarizers.lexicon import STOPWORDS, TITLE_SKIP, stem
from summarizers.model import Topic, round_seconds

_EDGE = "\"'“”‘’()[]{}<>.,;:!?…*_-—–"
WORDS_PER_SECTION = 1500
MAX_SECTIONS = 8


# Chosen on QMSum val's topic spans (bench/quality.py, "topic boundaries"): equal sections
# start within 2% of a true topic start 20% of the time, snapped ones 29%.
SNAP = 0.5  # a boundary may move up to half a section's length to a topic shift
MIN_SECTION = 0.3  # ...leaving every section at least this share of the even length
WINDOW_WORDS = 200  # words compared on each side of a gap (TextTiling's blocks)


def section_count(words: int) -> int:
    """About one section per 1,500 words; at least 3 once an episode has 1,000 words."""
    wanted = round(words / WORDS_PER_SECTION)
    if words >= 1000:
        wanted = max(wanted, 3)
    return max(1, min(MAX_SECTIONS, wanted))


def make_topics(
    units: list[Unit],
    terms: list[frozenset[str]],
    *,
    snap: float = SNAP,
    skip: frozenset[str] = frozenset(),
) -> list[Topic]:
    """Cut the units into sections, each titled by what sets it apart.

    Sections start about evenly spaced, then each boundary moves (by up to `snap` of a
    section's length) to the nearby point where the vocabulary changes most.
    """
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
    bounds = snap_to_shifts(bounds, units, terms, snap)
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
    taken = set(skip)  # the show's own name titles no section
    for (lo, hi), c in zip(ranges, counts, strict=True):
        title = _title(units[lo:hi], c, df, len(ranges), surface, taken)
        first = units[lo]
        topics.append(
            Topic(
                title=title,
                start_seconds=round_seconds(first.start_seconds),
                span=(first.start_char, units[hi - 1].end_char),
            )
        )
    return topics


def snap_to_shifts(
    bounds: list[int], units: list[Unit], terms: list[frozenset[str]], snap: float = SNAP
) -> list[int]:
    """Move each inner boundary to the nearby gap where the vocabulary changes most.

    TextTiling (Hearst, 1997): the words of the window before a gap are compared with
    the window after it; a gap whose similarity is a deep valley is a topic shift.
    """
    n = len(units)
    if len(bounds) <= 2 or n < 8 or snap <= 0:
        return bounds
    depth = _depths(units, terms)
    width = n / (len(bounds) - 1)
    reach = int(snap * width)
    least = max(1, int(MIN_SECTION * width))
    out = [0]
    inner = bounds[1:-1]
    for j, b in enumerate(inner):
        lo = max(out[-1] + least, b - reach)
        hi = min(n - least * (len(inner) - j), b + reach)
        if hi < lo:
            out.append(max(b, out[-1] + 1))
            continue
        out.append(max(range(lo, hi + 1), key=lambda g: (depth[g], -abs(g - b))))
    out.append(n)
    return out


def _depths(units: list[Unit], terms: list[frozenset[str]]) -> list[float]:
    """Depth score of the gap before each unit (0 for the first)."""
    n = len(units)
    sizes = [max(1, len(u.words)) for u in units]
    sims = [0.0] * (n + 1)
    for g in range(1, n):
        left = _window(terms, sizes, range(g - 1, -1, -1))
        right = _window(terms, sizes, range(g, n))
        dot = sum(v * right[t] for t, v in left.items() if t in right)
        norms = math.sqrt(sum(v * v for v in left.values()) * sum(v * v for v in right.values()))
        sims[g] = dot / norms if norms else 0.0
    smooth = sims[:]
    for g in range(1, n):  # a moving average over three gaps, as TextTiling smooths
        near = sims[max(1, g - 1) : min(n - 1, g + 1) + 1]
        smooth[g] = sum(near) / len(near)
    # the peak reached climbing left (right) from a gap while the similarity does not drop:
    # a gap next to a higher-or-equal one shares that one's peak (one pass each way)
    left_peak = smooth[:]
    for g in range(2, n):
        if smooth[g - 1] >= smooth[g]:
            left_peak[g] = left_peak[g - 1]
    right_peak = smooth[:]
    for g in range(n - 2, 0, -1):
        if smooth[g + 1] >= smooth[g]:
            right_peak[g] = right_peak[g + 1]
    depth = [0.0] * (n + 1)
    for g in range(1, n):
        depth[g] = left_peak[g] + right_peak[g] - 2 * smooth[g]
    return depth


def _window(terms: list[frozenset[str]], sizes: list[int], order: range) -> Counter[str]:
    words: Counter[str] = Counter()
    seen = 0
    for i in order:
        if seen >= WINDOW_WORDS:
            break
        words.update(terms[i])
        seen += sizes[i]
    return words


def _surface_forms(units: list[Unit]) -> dict[str, str]:
    """Each term's usual spelling, its case kept from inside sentences ("Milton Friedman",
    "GST"): a sentence's first word is capitalized whatever it is."""
    seen: dict[str, Counter[str]] = {}
    for u in units:
        for i, w in enumerate(u.words):
            n = norm(w)
            if n and n not in STOPWORDS:
                form = w.strip(_EDGE)
                seen.setdefault(stem(n), Counter())[form if i else n] += 1
    forms = {}
    for s, c in seen.items():
        best = c.most_common(1)[0][0]
        # lower case unless the word is cased inside sentences more often than not
        forms[s] = best if best[:1].isupper() or best.isupper() else best.lower()
    return forms


NAME_WEIGHT = 1.5  # a term written with a capital inside sentences: a name
QUESTION_TITLE_WORDS = 10  # an opening question this short may title its section
QUESTION_TERMS = 8  # ...and names one of the section's most said words
QUESTION_REACH = 10  # ...when it is among the section's first units
_WH = frozenset("what why how who which where when".split())
_POINTING = frozenset("that this it them there left here so".split())


def _title(
    units: list[Unit],
    counts: Counter[str],
    df: Counter[str],
    sections: int,
    surface: dict[str, str],
    taken: set[str],
) -> str:
    """A heading a person would write: the section's opening question when it is short and
    on the section's subject, else its key phrase (a repeated two-word phrase, or two
    distinctive words joined by "and"). Words that titled an earlier section are left to it.
    """

    def weight(t: str) -> float:
        if len(t) <= 2 or surface.get(t, t) in TITLE_SKIP or t in taken:
            return 0.0
        # a word said in every section titles none of them; names title best
        named = NAME_WEIGHT if surface.get(t, t)[:1].isupper() else 1.0
        if sections == 1:
            return named * counts[t]
        return named * counts[t] * math.log((sections + 1) / df[t])

    bigrams: Counter[tuple[str, str]] = Counter()
    for u in units:
        words = [norm(w) for w in u.words]
        for a, b in zip(words, words[1:], strict=False):
            if all(w not in STOPWORDS and w not in TITLE_SKIP and len(w) > 2 for w in (a, b)):
                bigrams[(stem(a), stem(b))] += 1
    ranked = sorted(counts, key=lambda t: (-weight(t), t))
    # the question is on the section's subject when it names one of its most said or most
    # distinctive words
    said = [t for t, _ in counts.most_common(QUESTION_TERMS) if weight(t) > 0 and t.isalpha()]
    top = set(said) | {t for t in ranked[:QUESTION_TERMS] if weight(t) > 0}
    question = _opening_question(units, top)
    if question is not None:
        taken.update(t for t in top if t in {stem(norm(w)) for w in question.split()})
        return question
    best = sorted(
        (
            (n * (weight(a) + weight(b)), (a, b))
            for (a, b), n in bigrams.items()
            if n >= 2 and a != b and weight(a) > 0 and weight(b) > 0
        ),
        reverse=True,
    )
    if best:
        a, b = best[0][1]
        taken.update((a, b))
        title = f"{surface.get(a, a)} {surface.get(b, b)}"
    else:
        words = [t for t in ranked if t.isalpha() and weight(t) > 0][:2]
        taken.update(words)
        title = " and ".join(surface.get(t, t) for t in words) or "Conversation"
    return title[:1].upper() + title[1:]


def _opening_question(units: list[Unit], top: set[str]) -> str | None:
    """A short wh-question among the section's first units that names one of its key terms
    ("Why do farmers stay poor?")."""
    for u in units[:QUESTION_REACH]:
        words = [w for w in u.words if any(ch.isalnum() for ch in w)]
        if not words or not u.is_question or not u.sentence_start:
            continue
        if len(words) > QUESTION_TITLE_WORDS:
            continue
        if norm(words[0]) not in _WH or norm(words[-1]) in _POINTING:
            continue  # "How do you feel about that?" names nothing
        if top & {stem(norm(w)) for w in words}:
            return detokenize(u.words)
    return None
