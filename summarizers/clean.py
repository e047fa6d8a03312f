"""Cleaning spoken transcripts while keeping the truth.

The verbatim text is never changed. Cleaning decides which words of it are
shown (rolling-caption repeats, fillers and stutters are dropped), and cuts the
kept words into sentence units, each mapped back to its verbatim character
span, its start time and its speaker.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from summarizers.lexicon import (
    ABBREVIATIONS,
    DOUBLE_OK,
    FILLERS,
    KIND_OF_NOUN,
    KNOW_OBJECT,
    KNOW_SUBJECT_CONTEXT,
    LEADS,
    MEAN_CONTEXT,
    MEAN_OBJECT,
    NAMES_A_LETTER,
    PIECE_LENGTHS,
    SENTENCE_OPENERS,
    SHORT_WORDS,
    SPLIT_BEFORE,
    STOPWORDS,
    word_lists,
)
from summarizers.model import Transcript

_WORD = re.compile(r"\S+")
_EDGE_PUNCT = "\"'“”‘’()[]{}<>.,;:!?…*_-—–"
_NOISE = re.compile(r"^[\[({<][a-z _-]*[\])}>][.,]?$", re.IGNORECASE)  # {vocalsound} [laughter]
MAX_UNIT_WORDS = 40
HARD_UNIT_WORDS = 60
PIECE_REACH = 4  # a broken piece and the word said whole: at most this many words apart

KEEP, FILLER, STUTTER, REPEAT = 0, 1, 2, 3


def norm(token: str) -> str:
    """Lower-cased word without surrounding punctuation."""
    return token.strip(_EDGE_PUNCT).lower()


@dataclass(slots=True)
class Tokens:
    """The transcript's words as parallel lists (fast for long episodes)."""

    text: list[str] = field(default_factory=list)
    norm: list[str] = field(default_factory=list)
    start: list[int] = field(default_factory=list)  # char offsets in Transcript.text
    end: list[int] = field(default_factory=list)
    seg: list[int] = field(default_factory=list)
    time: list[float | None] = field(default_factory=list)
    kind: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.text)


@dataclass(frozen=True, slots=True)
class Unit:
    """A cleaned sentence: display words plus the verbatim span they come from."""

    index: int
    words: tuple[str, ...]
    offsets: tuple[int, ...]  # start of each word in Transcript.text
    times: tuple[float | None, ...]  # start time of each word
    start_char: int
    end_char: int
    start_seconds: float | None
    speaker: str | None
    segment: int
    dropped: int  # fillers and stutters inside the span
    crosses_repeat: bool  # the span holds a rolling-caption repeat
    sentence_start: bool = True  # False for the later pieces of a split run-on sentence
    sentence_end: bool = True  # False when the unit stops before its sentence does

    @property
    def display(self) -> str:
        return detokenize(self.words)

    @property
    def is_question(self) -> bool:
        return self.words[-1].rstrip("\"')”’").endswith("?") if self.words else False


# words that cannot end a phrase: a comma after one was a dropped filler's
NEEDS_WHAT_FOLLOWS = frozenset(
    """the a an of to for with from in on at by into than and or been be is was are were
    my your our their its""".split()
)


def detokenize(words: tuple[str, ...] | list[str], *, capitalize: bool = True) -> str:
    """Join words for display, re-attaching split punctuation ("we 're on ." -> "we're on.")."""
    out: list[str] = []
    for w in words:
        if out and w == "," and out[-1][-1:] in ",;:.?!":
            continue  # a comma left by a dropped filler (", um ," -> ",,")
        if out and w in {".", "?", "!"} and out[-1][-1:] in ",;:":
            out[-1] = out[-1][:-1]  # "put away , ." ends "put away."
        if out and (w in {".", ",", "?", "!", ";", ":", "n't"} or (w[:1] == "'" and len(w) <= 3)):
            out[-1] += w
        else:
            out.append(w)
    text = " ".join(out)
    return text[:1].upper() + text[1:] if capitalize else text


def tokenize(transcript: Transcript) -> Tokens:
    """Split every segment into words with offsets and interpolated times."""
    toks = Tokens()
    for si, seg in enumerate(transcript.segments):
        span = max(len(seg.text), 1)
        timed = seg.start is not None and seg.end is not None and seg.end > seg.start
        for m in _WORD.finditer(seg.text):
            word = m.group()
            toks.text.append(word)
            toks.norm.append(norm(word))
            toks.start.append(seg.offset + m.start())
            toks.end.append(seg.offset + m.end())
            toks.seg.append(si)
            if timed:
                assert seg.start is not None
                assert seg.end is not None
                toks.time.append(seg.start + (seg.end - seg.start) * m.start() / span)
            else:
                toks.time.append(seg.start)
            toks.kind.append(KEEP)
    return toks


def mark_rolling_repeats(toks: Tokens, transcript: Transcript) -> None:
    """Drop the head of a segment that repeats the tail of the previous one.

    Caption exports repeat the previous line's last words at the start of the
    next line; a repeat counts when it is 3 words or more, or the whole line.
    """
    bounds: list[tuple[int, int]] = []
    i, n = 0, len(toks)
    while i < n:
        j = i
        while j < n and toks.seg[j] == toks.seg[i]:
            j += 1
        bounds.append((i, j))
        i = j
    for (p0, p1), (c0, c1) in zip(bounds, bounds[1:], strict=False):
        if transcript.segments[toks.seg[p0]].speaker != transcript.segments[toks.seg[c0]].speaker:
            continue
        prev, cur = toks.norm[p0:p1], toks.norm[c0:c1]
        first = cur[0]
        for j, word in enumerate(prev):
            if word != first:
                continue
            length = len(prev) - j
            if length <= len(cur) and prev[j:] == cur[:length]:
                if length >= 3 or length == len(cur):
                    for k in range(c0, c0 + length):
                        toks.kind[k] = REPEAT
                break


def mark_fillers_and_stutters(toks: Tokens) -> None:
    """Mark "uh"/"um", non-speech markers and stutters ("the the", "p path") as dropped."""
    n = len(toks)
    for i in range(n):
        if toks.kind[i] == KEEP and (toks.norm[i] in FILLERS or _NOISE.match(toks.text[i])):
            toks.kind[i] = FILLER
        elif toks.kind[i] == KEEP and _partial_word(toks, i):
            toks.kind[i] = STUTTER
    for i in range(n):
        if toks.kind[i] != KEEP:
            continue
        w = toks.norm[i]
        nxt = _next_kept(toks, i)
        if nxt is None or toks.text[i][-1:] in ".?!" or not w.replace("'", "").isalpha():
            continue
        follower = toks.norm[nxt]
        doubled = w == follower and (w not in DOUBLE_OK or _stutter_is(toks, i))
        contracted = follower.split("'")[0] == w != follower  # "we we'll"
        if doubled or contracted:
            toks.kind[i] = STUTTER
        elif _restarted_around(toks, i, nxt):
            toks.kind[i] = toks.kind[nxt] = STUTTER
        elif (
            len(w) <= 2
            and w not in SHORT_WORDS
            and follower.startswith(w)
            and len(follower) > len(w)
        ):
            toks.kind[i] = STUTTER
        elif (  # a word broken off and said whole: "more comp complex"
            len(w) <= 4
            and w not in STOPWORDS
            and follower.startswith(w)
            and len(follower) >= len(w) + 2
        ):
            toks.kind[i] = STUTTER
        elif toks.text[i].endswith("-") and follower.startswith(w) and len(follower) > len(w):
            toks.kind[i] = STUTTER


def mark_broken_pieces(toks: Tokens) -> None:
    """Mark a piece of a word the speaker broke off and said whole a little later
    ("you only have to spea fill out the speaker form", "the voca the vocabulary"): a
    lower-case piece of 3 to 5 letters that is no English word (wordfreq's list) and begins
    a longer word said within a few words after it ("they zap a lot" is no piece)."""
    known = word_lists().short
    kept = [i for i in range(len(toks)) if toks.kind[i] == KEEP]
    for p, i in enumerate(kept):
        piece, said = toks.norm[i], toks.text[i]
        if len(piece) not in PIECE_LENGTHS or not said.isalpha() or not said.islower():
            continue
        if piece in known or piece in STOPWORDS:
            continue
        after = kept[p + 1 : p + 1 + PIECE_REACH]  # (the word is said whole after the break)
        if any(
            toks.norm[j].startswith(piece) and len(toks.norm[j]) > len(piece) + 1 for j in after
        ):
            toks.kind[i] = STUTTER


def broken_off(word: str) -> bool:
    """A word of one or two letters that is no English word: what is left of one the
    speaker broke off ("th", "ch"; "i" in lower-case captions is a word)."""
    unknown = word not in SHORT_WORDS and word not in FILLERS
    return len(word) <= 2 and word.isalpha() and word.islower() and unknown


def _restarted_around(toks: Tokens, i: int, nxt: int) -> bool:
    """ "two ch two fibers", "I th I think", "the ge the generation": a word, a piece of one
    broken off, and the word again: the speaker started over (laughter, "ha ha ha", is no
    broken word)."""
    if not broken_off(toks.text[nxt]) or toks.norm[nxt] == toks.norm[i]:
        return False
    again = _next_kept(toks, nxt)
    return again is not None and toks.norm[again] == toks.norm[i]


def _partial_word(toks: Tokens, i: int) -> bool:
    """A lone lower-case letter said before another word ("new s this", "I d I'm", "would
    l would"): a word broken off. "a", "i" and "o" are words; a letter that ends a
    sentence or stands in quotes is named, not broken off."""
    word = toks.text[i]
    if len(word) == 1 and word.isupper() and word not in "AIO":
        return _broken_opening(toks, i)
    if CONSONANTS.fullmatch(word) and word not in SAID_CONSONANTS:
        # "th", "wh", "tr": no English word, a word broken off ("we th said so"); a unit
        # after a number ("5 ml") is said whole. Before a lead ("That's th | but…") it
        # shows where the sentence starts over, which the summarizer reads (and trims)
        if i + 1 >= len(toks) or toks.seg[i + 1] != toks.seg[i] or toks.norm[i + 1] in LEADS:
            return False
        return not (toks.norm[i - 1] if i else "")[:1].isdigit()
    if not (len(word) == 1 and word.islower() and word not in "aio"):
        return False
    if i + 1 >= len(toks) or toks.seg[i + 1] != toks.seg[i]:
        return False
    before = toks.norm[i - 1] if i else ""
    return before not in NAMES_A_LETTER and toks.norm[i + 1] not in {"and", "or"}


CONSONANTS = re.compile(r"[b-df-hj-np-tv-xz]{2}")  # two lower-case letters, no vowel
SAID_CONSONANTS = frozenset("mm hm sh ml mg kg km cm mb gb kb".split())  # a sound, a unit


def _broken_opening(toks: Tokens, i: int) -> bool:
    """A capital letter opening a sentence before a word that opens one too ("W it's my
    understanding…", "N yeah but…", "S the question is…"): a word broken off at the start.
    A letter named as a subject ("B is the better plan") is followed by its verb."""
    if i + 1 >= len(toks) or toks.seg[i + 1] != toks.seg[i] or not toks.text[i + 1].islower():
        return False
    opens = i == 0 or toks.seg[i - 1] != toks.seg[i] or _ends_sentence(toks.text[i - 1])
    return opens and toks.norm[i + 1] in SENTENCE_OPENERS


def without_filler_commas(words: list[str], before_dropped: frozenset[int]) -> tuple[str, ...]:
    """The words, less the comma of a filler said between commas after a word that needs
    what follows it: "the start of, uh, modern ideas" shows "the start of modern ideas"
    (`before_dropped`: the positions right before dropped words)."""
    return tuple(
        w[:-1] if n in before_dropped and w.endswith(",") and norm(w) in NEEDS_WHAT_FOLLOWS else w
        for n, w in enumerate(words)
    )


def soft_fillers(words: tuple[str, ...] | list[str]) -> frozenset[int]:
    """Positions of fillers inside a sentence: "you know", "I mean", "kind of", "sort of".

    Only filler uses go: "you know what", "what I mean is" and "a kind of model" stay.
    The first and last words are never dropped, but a meeting's spaced comma after a filler
    is the filler's and goes with it ("and you know , not").
    """
    low = [norm(w) for w in words]
    drop: set[int] = set()
    i = 1
    while i + 2 < len(words):
        a, b, prev, nxt = low[i], low[i + 1], low[i - 1], low[i + 2]
        aside = words[i - 1].endswith(",") and words[i + 1].endswith(",")  # ", you know,"
        filler = False
        if a == "you" and b == "know":
            filler = aside or (prev not in KNOW_SUBJECT_CONTEXT and nxt not in KNOW_OBJECT)
        elif a == "i" and b == "mean":
            filler = aside or (prev not in MEAN_CONTEXT and nxt not in MEAN_OBJECT)
        elif a in {"kind", "sort"} and b == "of":
            filler = prev not in KIND_OF_NOUN
        if filler:
            drop.update((i, i + 1))
            if words[i + 2] == ",":
                drop.add(i + 2)
            i += 2
        else:
            i += 1
    return frozenset(drop)


def _stutter_is(toks: Tokens, i: int) -> bool:
    """ "is is" is a stutter unless it closes a clause ("what it is is", "the way it is is")."""
    if toks.norm[i] != "is":
        return False
    j = i - 1
    while j >= 0 and toks.kind[j] != KEEP:
        j -= 1
    return j < 0 or toks.norm[j] not in {"it", "this", "that", "what", "there", "here"}


def mark_phrase_repeats(toks: Tokens) -> None:
    """Mark a 2- or 3-word phrase said twice in a row ("in the in the") as a stutter."""
    kept = [i for i in range(len(toks)) if toks.kind[i] == KEEP]
    words = [toks.norm[i] for i in kept]
    n = len(kept)
    for size in (3, 2):
        p = 0
        while p + 2 * size <= n:
            first = words[p : p + size]
            if (
                first == words[p + size : p + 2 * size]
                and all(first)
                and toks.text[kept[p + size - 1]][-1:] not in ".?!"
                and toks.kind[kept[p]] == KEEP
            ):
                for q in range(p, p + size):
                    toks.kind[kept[q]] = STUTTER
                p += size
            else:
                p += 1


def _next_kept(toks: Tokens, i: int) -> int | None:
    for j in range(i + 1, min(i + 4, len(toks))):
        if toks.kind[j] == KEEP:
            return j
    return None


def _ends_sentence(word: str) -> bool:
    stripped = word.rstrip("\"')]”’")
    if not stripped or stripped[-1] not in ".?!…":
        return False
    low = word.lower()
    if low in ABBREVIATIONS:
        return False
    return not re.fullmatch(r"(?:[A-Za-z]\.){1,3}", word) or len(word) > 4


def split_units(toks: Tokens, transcript: Transcript) -> list[Unit]:
    """Cut kept words into sentences at end punctuation or a change of speaker."""
    sentences: list[list[int]] = []
    current: list[int] = []
    speaker: str | None = None
    for i in range(len(toks)):
        kind = toks.kind[i]
        if kind == REPEAT:
            continue
        seg_speaker = transcript.segments[toks.seg[i]].speaker
        if current and seg_speaker != speaker:
            sentences.append(current)
            current = []
        speaker = seg_speaker
        current.append(i)
        if _ends_sentence(toks.text[i]):
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)

    units: list[Unit] = []
    for sent in sentences:
        pieces = _split_run_on([i for i in sent if toks.kind[i] == KEEP], toks)
        for n, piece in enumerate(pieces):
            units.append(_make_unit(len(units), piece, toks, transcript, n == 0))
    return units


def _split_run_on(kept: list[int], toks: Tokens) -> list[list[int]]:
    """Split a sentence of more than MAX_UNIT_WORDS words at a comma or conjunction."""
    if len(kept) <= MAX_UNIT_WORDS:
        return [kept] if kept else []
    pieces: list[list[int]] = []
    current: list[int] = []
    for i in kept:
        size = len(current)
        if size >= HARD_UNIT_WORDS or (
            size >= 12
            and (toks.norm[i] in SPLIT_BEFORE or toks.text[current[-1]][-1] in ",;:")
            and size >= 20
        ):
            pieces.append(current)
            current = []
        current.append(i)
    if current:
        if pieces and len(current) < 6:
            pieces[-1].extend(current)
        else:
            pieces.append(current)
    return pieces


def _make_unit(
    index: int, kept: list[int], toks: Tokens, transcript: Transcript, sentence_start: bool
) -> Unit:
    first, last = kept[0], kept[-1]
    inside = toks.kind[first : last + 1]
    return Unit(
        index=index,
        words=without_filler_commas(
            [toks.text[i] for i in kept],
            frozenset(n for n, (i, j) in enumerate(itertools.pairwise(kept)) if j > i + 1),
        ),
        offsets=tuple(toks.start[i] for i in kept),
        times=tuple(toks.time[i] for i in kept),
        start_char=toks.start[first],
        end_char=toks.end[last],
        start_seconds=toks.time[first],
        speaker=transcript.segments[toks.seg[first]].speaker,
        segment=toks.seg[first],
        dropped=sum(1 for k in inside if k in (FILLER, STUTTER)),
        crosses_repeat=REPEAT in inside,
        sentence_start=sentence_start,
        sentence_end=_ends_sentence(toks.text[last]),
    )


def clean(transcript: Transcript) -> list[Unit]:
    """The transcript as cleaned sentence units, in order."""
    toks = tokenize(transcript)
    mark_rolling_repeats(toks, transcript)
    mark_fillers_and_stutters(toks)
    mark_broken_pieces(toks)
    mark_phrase_repeats(toks)
    return split_units(toks, transcript)
