"""The offline extractive engine: no network, no key, deterministic.

Takeaways: the episode is cut into as many equal slices as takeaways are asked
for, and each slice gives its most informative self-contained statement (weighted
by how central its words are to the whole episode and to the slice). On spoken
text this beats pure centrality (LexRank/TextRank), which picks generic lines.
Quotes: short complete lines with a stance, a contrast, uncommon words or a strong
judgement in words of their own ("a greedy rent rise"), spread across the episode but
drawn to where the strong lines are (a takeaway far stronger as a quote becomes one), with
their exact transcript text; a line weaker than a plain statement is no quote, so a flat
meeting may give fewer than asked.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from summarizers.base import SummaryOptions
from summarizers.clean import (
    Unit,
    broken_off,
    clean,
    detokenize,
    norm,
    soft_fillers,
    without_filler_commas,
)
from summarizers.conversation import roles
from summarizers.lexicon import (
    BACK_REFERENCE,
    BOILERPLATE,
    CLAUSE_JOINERS,
    CONTRAST,
    DECISION,
    DEMONSTRATIVES,
    DISCOURSE_MARKERS,
    EVALUATIVE,
    HEDGES,
    HOST_PROMPT,
    LEADS,
    POINTERS,
    PROCEDURAL,
    PRONOUN_START,
    PROPOSAL,
    QUESTION_START,
    RAMBLE,
    RESTARTS,
    SPECULATIVE,
    STANCE,
    STOPWORDS,
    SUBORDINATORS,
    TAG_QUESTIONS,
    content_terms,
    false_start,
    vivid,
)
from summarizers.model import Quote, Summary, Takeaway, Transcript, round_seconds
from summarizers.standalone import (
    FIGURE,
    bare_noun_phrase,
    clipped,
    concrete,
    conversational,
    general_claim,
    personal,
    references,
    referential_it,
    restarted_at_filler,
    restarts,
    signpost,
    verbless,
)
from summarizers.topics import make_topics

ENGINE = "extractive"
VERSION = "12"  # part of the cache key: bump when the output changes
_MARKERS = tuple(tuple(m.split()) for m in DISCOURSE_MARKERS)
_LOWER_I = re.compile(r"^i(?:['’](?:m|ve|d|ll))?[,.;:!?]?$")
# Tuned on QMSum val with bench/quality.py (see the closing notes of issue 2).
LENGTH_EXPONENT = 0.7  # informativeness is divided by words ** this
# a meeting's short lines are its asides ("I'll send mail."): its longer ones carry the
# decision with its reasons and figures
MEETING_LENGTH_EXPONENT = 0.5
LOCAL_WEIGHT = 0.5  # weight of a word's frequency within the slice vs. the whole episode
REDUNDANT_JACCARD = 0.4
REDUNDANT_OVERLAP = 0.5  # ...or more than half the shorter line's word roots
REDUNDANT_SHARED = 3  # ...and at least this many of them
ROOT = 6  # letters that make a word's root ("standar-dize", "standar-dizing")
PRONOUN_PENALTY = 0.75
POINTING_PENALTY = 0.5  # "That's why…", "It is…": a subject the reader was never given
SPECULATIVE_PENALTY = 0.5  # a takeaway opening with "Perhaps"/"Maybe" (not a proposal)
MAX_TAKEAWAY_WORDS = 40
SHORT_EPISODE_KEEPS = 5  # takeaways a short episode keeps when one gives way to a quote
SPEAKER_SPREAD = 0.3  # words that several speakers use are the discussion's words
DECISION_WEIGHT = 1.3  # a meeting's decisions, figures and action items are its news
RAMBLE_PENALTY = 0.9
CENTRAL_TERMS = 15  # the episode's most said content words: its subject…
CENTRAL_MIN = 3  # …said this often at least
OFF_SUBJECT = 0.85  # a line with none of the episode's central words: an aside
REFERENCE_PENALTY = 0.7  # per word pointing at what the line does not name
PERSONAL_PENALTY = 0.5  # the speaker's own story or small talk
CONVERSATIONAL_PENALTY = 0.8  # "You can have volunteers who…", "We could try that…"
CLAIM_WEIGHT = 1.3  # a claim in the present about the subject, not a story
CONCRETE_BONUS = 1.1  # a figure, a name: a statement a reader can hold on to
SIGNPOST_PENALTY = 0.6  # "First of all, let me explain…"
DEFER_PENALTY = 0.6  # "…we'll learn more about the impact": news still to come
VERBLESS_PENALTY = 0.5  # "Fixing old radios, kettles and so on."
SWAP_SHARE = 0.5  # a slice's pick below this share of a line elsewhere gives way to it
WEAK_QUALITY = 0.5  # ...as does a pick that reads this badly alone (see _quality)...
GOOD_QUALITY = 0.7  # ...to a line that reads at least this well
RESTART_PENALTY = 0.8  # "…a spare valve, but Sure."
SEQUEL_PENALTY = 0.8  # a line opened by "(and) then", left out of the takeaway
HOST_WEIGHT = 0.3  # an interview's host line: the guest is who people came to hear
PUNCTUATED = 0.3  # units ending a sentence, at least this share: the transcript is punctuated
ENGLISH = 0.3  # function words, at least this share of an episode's words: it is English
LANGUAGE_SAMPLE = 5000  # words read to tell the episode's language
FOREIGN = 0.2  # ... and below this share in a line of it: the line is in another language
VIVID_SAID = 3  # a vivid word said at most this often in the episode: the line's own
STRENGTH_WEIGHT = 0.25  # a quote's score gains this per unit of strength...
STRENGTH_CAP = 4.0  # ...up to this much strength
QUOTE_FLOOR = 2.0  # a quote scoring less is flat (a plain sentence scores about 2)
QUOTE_PROMOTE = 4.25  # a takeaway scoring this as a quote may be the quote instead
QUOTE_SWAP = 1.0  # a quarter's quote gives way to a line elsewhere scoring this much more


@dataclass(slots=True)
class _Cand:
    unit: Unit
    skip: int  # leading discourse-marker words trimmed
    words: tuple[str, ...]  # shown words: markers, a trailing tag and soft fillers left out
    terms: frozenset[str]
    text: str
    n: int  # words, not counting lone punctuation tokens
    end: int  # end of the last shown word in the transcript text
    tagged: bool = False  # a statement whose trailing ", right?" was cut
    whole: bool = True  # a whole sentence, or the main clause of a run-on cut at a joiner
    host: bool = False  # an interview host's line (or the framing of a question)
    foreign: bool = False  # most of its words are not the episode's language
    settles: bool = False  # in a meeting: a decision, a figure or an action item
    meeting: bool = False  # said in a meeting (several voices, none the host)
    roots: frozenset[str] = frozenset()  # the terms cut to their first ROOT letters
    refs: float = 0.0  # how much it points at what it does not name ("for them", "that would")
    personal: bool = False  # the speaker's own story or small talk
    # the speaker started over: a common word capitalized mid-sentence ("…a spare valve, but
    # Sure."), or a new clause after "I mean" ("…the kettles I mean it's…")
    restarts: bool = False
    chores: bool | None = None  # an intro, a sponsor read or procedure (see _housekeeping)
    claim: bool = False  # a claim in the present, not a story (see general_claim)
    quality: float = 1.0  # how well it reads alone (see _quality)
    verbless: bool = False  # no finite verb: a gerund/preposition opener or a bare noun phrase
    strength: float = 0.0  # how strongly it judges in words of its own (see _strength)
    low: tuple[str, ...] = ()  # the shown words normalized (once, for every test)
    sequel: bool = False  # "And then the kettle becomes…": a step of a story told before


def _trim_markers(words: tuple[str, ...]) -> int:
    """How many leading words are discourse markers ("So", "And I mean", "you know,")."""
    low = [norm(w) for w in words]
    k = 0
    while k < len(words) - 1:
        if not any(ch.isalnum() for ch in words[k]):  # ", and the…" after a dropped "um"
            k += 1
            continue
        if low[k] == "see" and words[k].endswith(","):  # "See, the real problem…"
            k += 1
            continue
        for marker in _MARKERS:
            size = len(marker)
            if tuple(low[k : k + size]) == marker and k + size < len(words):
                k += size
                break
        else:
            return k
    return k


FRAME_REACH = 7  # "The other reason that it bothers me | is that": at most this many words…
FRAME_REST = 6  # …and the statement after it at least this many
FRAME_OPENERS = frozenset("the one my our".split())
FRAME_NOUNS = frozenset("thing fact point reason truth part".split())  # ("the problem": news)
FRAME_WORDS = FRAME_NOUNS | frozenset(
    """the one my our other main real big simple short basic funny interesting important key
    whole unseen of it this that why here there really obviously actually me bothers""".split()
)
VERBISH = frozenset("which that who is was are were has have had".split())  # (not a blend)
FALSE_START_REACH = 8  # an abandoned start ("I think the I'd say...") within these words


def _trim_false_start(words: tuple[str, ...]) -> int:
    """How many leading words a speaker abandoned: up to the article of an article-plus-
    function-word pair near the start ("But I think the | I'd say a kettle...")."""
    for j, w in enumerate(words[1:FALSE_START_REACH], start=1):
        # a capitalized opener mid-sentence after a broken-off word: "This doe | This is…",
        # "I tho | It's probably better…" (the restart is where the sentence begins)
        opener = w[:1].isupper() and not (len(w) > 1 and w.isupper())  # not "IT"
        titled = words[j - 1][:1].isupper()  # "Fix It Forward": a name, not a restart
        if opener and not titled and norm(w) in RESTARTS and words[j - 1][-1:] not in ",.;:!?":
            return j if j < len(words) - 1 else 0
        if norm(w) in LEADS and broken_off(words[j - 1]):
            return j if j < len(words) - 1 else 0  # "That's th | but we have data…"
    head = " ".join(words[:FALSE_START_REACH])
    match = false_start(head)
    if match is None:
        return 0
    restart = len(head[: match.start(2)].split())
    return restart if restart < len(words) - 1 else 0


def _frame_length(words: tuple[str, ...]) -> int:
    """How many leading words only announce the statement: "The other reason that it
    bothers me is that | our history is littered with bad incentives", "The fact is that |
    …". The frame names nothing of its own (a word like "reason", "thing", "problem" and
    function words), or it is an existential run into the statement ("There is a huge
    ballast is that | the views…"); a statement that points back ("…is that it forces…")
    keeps it."""
    low = [norm(w) for w in words[: FRAME_REACH + 3]]
    for k in range(2, min(FRAME_REACH + 2, len(words) - FRAME_REST)):
        if low[k] != "that" or low[k - 1] not in {"is", "was"}:
            continue
        frame = set(low[: k - 1])
        announces = low[0] in FRAME_OPENERS and frame & FRAME_NOUNS and frame <= FRAME_WORDS
        # "There is a huge social ballast is that | the views…": two sentences run together
        opens = 1 if low[0] == "there's" else 2 if low[:2] == ["there", "is"] else 0
        blended = bool(opens) and not set(low[opens : k - 1]) & VERBISH
        points = low[k + 1] in PRONOUN_START | POINTERS  # "…is that it forces…"
        return k + 1 if (announces or blended) and not points else 0
    return 0


def _candidates(units: list[Unit]) -> list[_Cand]:
    cands = []
    who = roles(units)
    punctuated = sum(u.sentence_end for u in units) >= PUNCTUATED * len(units)
    # (a sample of the episode's words says its language as well as all of them)
    every = [w for u in units for w in u.words]
    english = _function_share(every[:: max(1, len(every) // LANGUAGE_SAMPLE)]) >= ENGLISH
    for u in units:
        skip = _trim_markers(u.words)
        restart = _trim_false_start(u.words[skip:])
        if restart:
            skip += restart
            skip += _trim_markers(u.words[skip:])
        skip += _frame_length(u.words[skip:])
        words = u.words[skip:]
        tag = _tag_length(words)
        end = u.end_char
        if tag:
            words = words[:-tag]
            last = skip + len(words) - 1
            end = u.offsets[last] + len(u.words[last].rstrip(",;:"))
        drop = soft_fillers(words)
        restarted = restarted_at_filler(words, drop)
        if drop:
            words = without_filler_commas(list(words), frozenset(i - 1 for i in drop))
            words = tuple(w for i, w in enumerate(words) if i not in drop)
        # a comma left in front by a dropped filler or marker ("Um, my idea" -> ", my idea")
        while len(words) > 1 and not any(ch.isalnum() for ch in words[0]):
            words = words[1:]
        low = tuple(norm(w) for w in words)  # (normalized once for every test below)
        terms = frozenset(content_terms(list(low)))
        n = sum(1 for w in words if any(ch.isalnum() for ch in w))
        # "i think" in lower-case captions reads "I think" in a takeaway (quotes keep the words)
        text = detokenize(tuple(w.capitalize() if _LOWER_I.match(w) else w for w in words))
        whole, cut = _wholeness(units, u, words, low, punctuated)
        if tag or cut or not punctuated:
            text = _full_stop(text)
        cand = _Cand(u, skip, words, terms, text, n, end, bool(tag), whole, low=low)
        cand.host = who.is_host_line(u)
        cand.meeting = who.kind == "meeting"
        cand.settles = cand.meeting and bool(DECISION.search(text))
        cand.foreign = english and len(words) >= 6 and _function_share(low, normed=True) < FOREIGN
        cand.refs = references(words, low)
        cand.roots = frozenset(t[:ROOT] for t in terms)
        cand.restarts = restarted or restarts(words)
        cand.sequel = any(norm(w) == "then" for w in u.words[:skip])
        cand.personal = personal(words)
        cand.verbless = verbless(words, low) or bare_noun_phrase(words, low)
        cand.quality = _quality(cand)
        cand.claim = general_claim(words, low)
        cands.append(cand)
    said = Counter(w for c in cands for w in c.low)
    for cand in cands:
        cand.strength = _strength(cand.low, said)
    return cands


def _strength(low: tuple[str, ...], said: Counter[str]) -> float:
    """How strongly a line judges in words of its own ("a greedy landlord", "a devastating
    rent rise"): the summed strength of its vivid words (lexicon.vivid: strong and not
    everyday English) that the episode says at most VIVID_SAID times."""
    words = vivid()
    return math.fsum(words[w] for w in low if w in words and said[w] <= VIVID_SAID)


def _name_terms(transcript: Transcript) -> frozenset[str]:
    """The content words of the show's name: said in every greeting, they title nothing."""
    return frozenset(content_terms([norm(w) for w in (transcript.show or "").split()]))


def _wholeness(
    units: list[Unit], u: Unit, words: tuple[str, ...], low: tuple[str, ...], punctuated: bool
) -> tuple[bool, bool]:
    """(whole, cut): whether the unit's words stand as a statement of their own, and
    whether they do only as the main clause of a longer sentence cut before a joiner
    ("…, and", "…, but"), which then ends with a full stop. Unpunctuated transcripts
    (automatic captions) have no sentences to judge: every unit stands. `low`: the words
    normalized."""
    if not punctuated:
        return True, False
    if not u.sentence_start or not words:
        return False, False
    after = units[u.index + 1] if u.index + 1 < len(units) else None
    if after is not None and after.speaker == u.speaker and _pair_goes_on(low, after):
        return False, False
    if u.sentence_end:
        return _stands_alone(words), False
    if (
        after is None
        or after.sentence_start
        or norm(after.words[0]) not in CLAUSE_JOINERS
        or norm(words[0]) in SUBORDINATORS
        or not _stands_alone(words)
    ):
        return False, False
    return True, True


def _pair_goes_on(low: tuple[str, ...], after: Unit) -> bool:
    """ "…we not only read the manuals." + "But we also…": the first half of a "not only… but"
    pair whose second half is the next sentence (`low`: the first sentence's words,
    normalized)."""
    pairs = [i for i in range(len(low) - 1) if low[i : i + 2] == ("not", "only")]
    return (
        bool(pairs)
        and "but" not in low[pairs[-1] :]
        and "but" in (norm(w) for w in after.words[:PAIR_REACH])
    )


def _stands_alone(words: tuple[str, ...]) -> bool:
    """A whole sentence that is not a piece of a longer thought: not a wh-clause with no
    verb of its own ("How much investment there has been…"), not a reason or a condition
    with no main clause ("'Cause it's important that…", "If we add it, so that…"), not a
    "which"/"of" continuation, not trailing off ("…", "…this mode where.")."""
    if words[-1].endswith(("…", "...")):
        return False
    lowered = [norm(w) for w in words]
    said = [w for w in lowered if any(ch.isalnum() for ch in w)]
    if said and said[-1] in TRAILING:
        return False  # "…flip into this mode where.", "…media reports and—."
    lead = 0  # "And then just to put it in words.": judged from "to"
    while lead < len(words) - 1 and lowered[lead] in LEADS and not words[lead].endswith(","):
        lead += 1
    if lowered[lead : lead + 2] in OPINION and lead + 3 < len(words):
        lead += 2  # "I think 'cause the meetings were so regular.": judged from "'cause"
    words, lowered = words[lead:], lowered[lead:]
    first = lowered[0]
    if first in CONTINUATIONS:
        return False
    if first in WH_OPENERS:
        return any(w in COPULAS for w in lowered[2:])
    # the commas that could close a clause: not those around "I think" or "you know"
    # (spaced punctuation, "was , I think , more", gives the closing comma a token of its own)
    aside = {j for i in range(len(words)) if lowered[i : i + 2] in ASIDES for j in (i - 1, i + 1)}
    aside |= {j + 1 for j in list(aside) if words[j + 1 : j + 2] == (",",)}
    commas = [i for i, w in enumerate(words[:-1]) if w.endswith(",") and i not in aside]
    if first in REASONS or lowered[:2] == ["rather", "than"]:
        return bool(commas)  # "Rather than having three things to do." is half a sentence
    if first in SUBORDINATORS and len(commas) == 1:
        return lowered[commas[0] + 1] not in SUBORDINATORS | CLAUSE_JOINERS
    if first in SUBORDINATORS and not commas:
        # "Once you take into account my guess is that…": the condition runs into the frame
        # of the main clause, whose subject it swallowed (a blend, no sentence)
        return not any(
            lowered[i] in FRAME_COPULAS and lowered[i + 1] == "that"
            for i in range(1, len(lowered) - 1)
        )
    return True


def _full_stop(text: str) -> str:
    """The text ending a sentence: a trailing comma, semicolon or colon becomes a full stop."""
    text = text.rstrip(",;:- ")
    return text if text[-1:] in ".!?…" else text + "."


def _function_share(words: tuple[str, ...] | list[str], *, normed: bool = False) -> float:
    """The share of words that are English function words (English runs at two in five);
    `normed`: the words are normalized already."""
    alpha = [w if normed else norm(w) for w in words if any(ch.isalpha() for ch in w)]
    return sum(w in STOPWORDS for w in alpha) / len(alpha) if alpha else 1.0


def _tag_length(words: tuple[str, ...]) -> int:
    """Words in a trailing tag question ("AGI is here, right?") of a longer statement."""
    for tag in TAG_QUESTIONS:
        size = len(tag)
        if len(words) > size + 6 and tuple(w.lower() for w in words[-size:]) == tag:
            if words[-size - 1].endswith(","):
                return size
    return 0


def _is_question(c: _Cand) -> bool:
    """A question or a host's prompt: never a takeaway or a quote. A statement that only
    ends in a tag ("AGI is here, right?") is a statement: the tag is cut from its text."""
    return (
        (c.unit.is_question and not c.tagged)
        or bool(HOST_PROMPT.search(c.text))
        or (c.low[0] in QUESTION_START and "you" in c.low[:4])
        or _asks_unmarked(c.low)
    )


def _asks_unmarked(low: tuple[str, ...]) -> bool:
    """ "What's the best thing about old radios." — a question written without its mark: a
    wh-word and a verb open it and no clause follows ("What's odd is that…" states), or a
    verb before its subject ("Could we…", "Is there…");
    `low`: the line's words, normalized."""
    if low[0] in INVERTED and len(low) > 2 and low[1] in ASKED:
        return True  # "Could we train on every video ever made."
    if low[0] in WH_IS:
        rest = low[1:]
    elif low[0] in WH_OPENERS and len(low) > 1 and low[1] in COPULAS | {"do", "does", "did"}:
        rest = low[2:]
    else:
        return False
    return not COPULAS.intersection(rest)


class ExtractiveSummarizer:
    """Takeaways, quotes and topics picked from the transcript itself."""

    name = ENGINE
    model: str | None = None

    def cache_key(self, transcript_sha256: str, options: SummaryOptions) -> str:
        return f"{transcript_sha256}:{ENGINE}:v{VERSION}:{options.takeaways}:{options.quotes}"

    async def summarize(self, transcript: Transcript, options: SummaryOptions) -> Summary:
        return await asyncio.to_thread(self.run, transcript, options)

    def cpu_job(self) -> Callable[[Transcript, SummaryOptions], Summary]:
        return summarize_offline

    async def aclose(self) -> None:
        """Nothing to release."""

    def run(self, transcript: Transcript, options: SummaryOptions | None = None) -> Summary:
        """Summarize synchronously (CPU-bound; the bot runs it off the event loop)."""
        options = options or SummaryOptions()
        units = clean(transcript)
        cands = _candidates(units)
        tf: Counter[str] = Counter()
        for c in cands:
            tf.update(c.terms)
        central = _central(tf)
        takeaways = self._takeaways(cands, tf, central, options.takeaways)
        chosen = {c.unit.index for c in takeaways}
        quotes = self._quotes(cands, tf, central, options.quotes, chosen)
        promoted = _promote(takeaways, quotes, tf, central, options.quotes)
        if promoted is not None:
            # a takeaway that says far more as a quote is the quote ("The council, in its
            # wisdom, …"); its section gives its next best line as the takeaway
            quotes = promoted
            held = {c.unit.index for c in quotes}
            takeaways = self._takeaways(cands, tf, central, options.takeaways, held)
        if options.quotes and not quotes and len(takeaways) > SHORT_EPISODE_KEEPS:
            # a short episode whose every line is a takeaway: its most quotable line says
            # more as a quote than as the last of six takeaways
            quotable = [
                c for c in takeaways if _quote_ok(c) and _quote_score(c, tf, central) >= QUOTE_FLOOR
            ]
            if quotable:
                best = max(quotable, key=lambda c: (_quote_score(c, tf, central), -c.unit.index))
                takeaways = [c for c in takeaways if c is not best]
                quotes = [best]
        return Summary(
            title=transcript.title,
            show=transcript.show,
            source=transcript.source,
            duration_seconds=transcript.duration_seconds,
            engine=ENGINE,
            transcript_sha256=transcript.sha256,
            takeaways=tuple(
                Takeaway(
                    text=c.text,
                    speaker=c.unit.speaker,
                    start_seconds=round_seconds(c.unit.times[c.skip]),
                    span=(c.unit.offsets[c.skip], c.end),
                )
                for c in takeaways
            ),
            quotes=tuple(
                Quote(
                    text=detokenize(c.words),
                    verbatim=transcript.text[c.unit.offsets[c.skip] : c.unit.end_char],
                    speaker=c.unit.speaker,
                    start_seconds=round_seconds(c.unit.times[c.skip]),
                    span=(c.unit.offsets[c.skip], c.unit.end_char),
                )
                for c in quotes
            ),
            topics=tuple(
                make_topics(units, [c.terms for c in cands], skip=_name_terms(transcript))
            ),
            notes=transcript.notes,
        )

    # -- takeaways -------------------------------------------------------------------------

    def _takeaways(
        self,
        cands: list[_Cand],
        tf: Counter[str],
        central: frozenset[str],
        k: int,
        quoted: frozenset[int] | set[int] = frozenset(),
    ) -> list[_Cand]:
        eligible = [c for c in cands if _takeaway_ok(c) and c.unit.index not in quoted]
        users: dict[str, set[str | None]] = {}
        for c in cands:
            for t in c.terms:
                users.setdefault(t, set()).add(c.unit.speaker)
        weight = {t: math.log1p(n) * len(users[t]) ** SPEAKER_SPREAD for t, n in tf.items()}
        picked: list[_Cand] = []
        score: dict[int, float] = {}  # each eligible line, weighed within its slice
        slice_of: dict[int, int] = {}
        for s, (lo, hi) in enumerate(_slices(cands, k)):
            counts: Counter[str] = Counter()
            for c in cands[lo:hi]:
                counts.update(c.terms)
            local = {t: math.log1p(n) for t, n in counts.items()}
            pool = [c for c in eligible if lo <= c.unit.index < hi]
            for c in pool:
                score[c.unit.index] = _info(c, weight, local, central)
                slice_of[c.unit.index] = s
            ranked = sorted(pool, key=lambda c: (-score[c.unit.index], c.unit.index))
            for c in ranked:
                if not any(_redundant(c, p) for p in picked):
                    picked.append(c)
                    break
        best = sorted(eligible, key=lambda c: (-score[c.unit.index], c.unit.index))
        picked = _swap_weak(picked, best, score, slice_of)
        if len(picked) < k:  # short or uneven episodes: fill from the best left anywhere
            ranked = sorted(eligible, key=lambda c: (-_info(c, weight, {}, central), c.unit.index))
            for c in ranked:
                if len(picked) >= k:
                    break
                if c not in picked and not any(_redundant(c, p) for p in picked):
                    picked.append(c)
        return sorted(picked, key=lambda c: c.unit.index)

    # -- quotes ----------------------------------------------------------------------------

    def _quotes(
        self,
        cands: list[_Cand],
        tf: Counter[str],
        central: frozenset[str],
        k: int,
        taken: set[int],
    ) -> list[_Cand]:
        pool = [c for c in cands if _quote_ok(c) and c.unit.index not in taken]
        n = max(1, len(cands))
        # the first and last moments are intros and outros: rarely what people quote
        scored = {
            c.unit.index: _quote_score(c, tf, central)
            - (1.0 if not 0.02 <= c.unit.index / n <= 0.97 else 0.0)
            for c in pool
        }
        # a flat line is no quote: fewer quotes rather than ones nobody would repost
        pool = [c for c in pool if scored[c.unit.index] >= QUOTE_FLOOR]
        picked: list[_Cand] = []
        for lo, hi in _slices(cands, k):
            local = [c for c in pool if lo <= c.unit.index < hi]
            local.sort(key=lambda c: (-scored[c.unit.index], c.unit.index))
            for c in local:
                if not any(_redundant(c, p) for p in picked):
                    picked.append(c)
                    break
        rest = sorted(pool, key=lambda c: (-scored[c.unit.index], c.unit.index))
        picked = _swap_flat(picked, rest, scored, cands, k)
        for c in rest:
            if len(picked) >= k:
                break
            if c not in picked and not any(_redundant(c, p) for p in picked):
                picked.append(c)
        return sorted(picked, key=lambda c: c.unit.index)


def _swap_weak(
    picked: list[_Cand], best: list[_Cand], score: dict[int, float], slice_of: dict[int, int]
) -> list[_Cand]:
    """A slice whose best line is an aside (a meeting's small talk, its evaluation of
    itself) gives its place to a much stronger line of another slice, at most two a slice:
    the takeaways still come from across the episode."""
    return _give_way(
        picked,
        best,
        score,
        slice_of,
        # a pick that reads badly alone (quality < WEAK_QUALITY) gives way whatever it says
        stronger=lambda weak, c: (
            weak.quality < WEAK_QUALITY or score[c.unit.index] * SWAP_SHARE > score[weak.unit.index]
        ),
        fits=lambda c: c.quality >= GOOD_QUALITY,
    )


def _give_way(
    picked: list[_Cand],
    best: list[_Cand],
    score: dict[int, float],
    section: dict[int, int],
    stronger: Callable[[_Cand, _Cand], bool],
    fits: Callable[[_Cand], bool] = lambda c: True,
) -> list[_Cand]:
    """Each pick, the lowest scored first, gives its place to the first line of `best` (in
    its order, until one is not `stronger` than the pick) that `fits`, says something new
    and comes from a section (`section`: a line's) holding fewer than two picks."""
    out = list(picked)
    for weak in sorted(picked, key=lambda c: score[c.unit.index]):
        held = Counter(section[c.unit.index] for c in out)
        for c in best:
            if not stronger(weak, c):
                break
            if c in out or held[section[c.unit.index]] >= 2 or not fits(c):
                continue
            rest = [p for p in out if p is not weak]
            if not any(_redundant(c, p) for p in rest):
                out = rest + [c]
                break
    return out


def _promote(
    takeaways: list[_Cand],
    quotes: list[_Cand],
    tf: Counter[str],
    central: frozenset[str],
    k: int,
) -> list[_Cand] | None:
    """The quotes with the takeaway that scores at least QUOTE_PROMOTE as a quote and
    QUOTE_SWAP more than the weakest quote in place of that quote (or added, when there
    are fewer than k); None when no takeaway does."""
    scored = [(_quote_score(c, tf, central), -c.unit.index, c) for c in takeaways if _quote_ok(c)]
    if not scored:
        return None
    score, _, best = max(scored, key=lambda x: (x[0], x[1]))
    if score < QUOTE_PROMOTE:
        return None
    if len(quotes) < k:
        return sorted([*quotes, best], key=lambda c: c.unit.index)
    weakest_score, _, weakest = min((_quote_score(c, tf, central), c.unit.index, c) for c in quotes)
    if score < weakest_score + QUOTE_SWAP:
        return None
    return sorted([c for c in quotes if c is not weakest] + [best], key=lambda c: c.unit.index)


def _swap_flat(
    picked: list[_Cand], best: list[_Cand], scored: dict[int, float], cands: list[_Cand], k: int
) -> list[_Cand]:
    """A quarter whose best quote is flat gives its place to a much stronger line of
    another quarter (two a quarter at most): memorable lines come in runs."""
    quarter = {
        c.unit.index: s for s, (lo, hi) in enumerate(_slices(cands, k)) for c in cands[lo:hi]
    }
    return _give_way(
        picked,
        best,
        scored,
        quarter,
        stronger=lambda flat, c: scored[c.unit.index] >= scored[flat.unit.index] + QUOTE_SWAP,
    )


def _central(tf: Counter[str]) -> frozenset[str]:
    """The episode's subject: its most said words."""
    # ties broken by the word, not by the order a set gave the words (the hash seed)
    said = sorted(
        (t for t, n in tf.items() if n >= CENTRAL_MIN and t not in PROCEDURAL),
        key=lambda t: (-tf[t], t),
    )
    return frozenset(said[:CENTRAL_TERMS])


def _slices(cands: list[_Cand], k: int) -> list[tuple[int, int]]:
    """k index ranges of about equal word count."""
    total = sum(c.unit.end_char - c.unit.start_char for c in cands) or 1
    bounds = [0]
    acc = 0
    target = 1
    for i, c in enumerate(cands):
        acc += c.unit.end_char - c.unit.start_char
        if target < k and acc >= total * target / k:
            bounds.append(i + 1)
            target += 1
    while len(bounds) < k + 1:
        bounds.append(len(cands))
    bounds[-1] = len(cands)
    return list(zip(bounds, bounds[1:], strict=False))


def _takeaway_ok(c: _Cand) -> bool:
    return (
        8 <= c.n <= MAX_TAKEAWAY_WORDS
        and c.whole
        and not c.foreign
        and len(c.terms) >= 3
        and not _is_question(c)
        and not _housekeeping(c)
    )


def _housekeeping(c: _Cand) -> bool:
    """An intro, sponsor read or procedure, also when its opening ("Welcome to…") was
    trimmed off the shown words."""
    if c.chores is None:  # (asked for takeaways and again for quotes: the pattern is long)
        c.chores = bool(
            BOILERPLATE.search(c.text) or (c.skip and BOILERPLATE.search(c.unit.display))
        )
    return c.chores


def _info(
    c: _Cand, weight: dict[str, float], local: dict[str, float], central: frozenset[str]
) -> float:
    """How much the line says of the episode's subject, times how well it reads alone."""
    # fsum: the same total in whatever order a set gives the terms (the hash seed decides)
    score = math.fsum(weight[t] + LOCAL_WEIGHT * local.get(t, 0.0) for t in c.terms)
    if not c.terms & central:
        score *= OFF_SUBJECT
    score *= CONCRETE_BONUS ** concrete(c.text, c.words)
    score /= c.n ** (MEETING_LENGTH_EXPONENT if c.meeting else LENGTH_EXPONENT)
    if c.settles:
        score *= DECISION_WEIGHT
    if c.claim:
        score *= CLAIM_WEIGHT
    return float(score * c.quality)


def _quality(c: _Cand) -> float:
    """How well the line reads alone, 1 at best: what weighs a takeaway down whatever it
    says (pointing back, the speaker's own story, no verb, hedges, the host, rambling)."""
    words = c.low
    q = REFERENCE_PENALTY**c.refs
    if c.personal:
        q *= PERSONAL_PENALTY
    if c.verbless:
        q *= VERBLESS_PENALTY
    if signpost(c.text) or EXAMPLE_OPENER.match(c.text) or _counts_steps(c.words):
        q *= SIGNPOST_PENALTY
    if conversational(c.words):
        q *= CONVERSATIONAL_PENALTY
    if norm(c.words[0]) in PRONOUN_START:
        q *= PRONOUN_PENALTY
    if _points_back(c.words) or LEANS_BACK.match(c.text) or BACK_REFERENCE.search(c.text):
        q *= POINTING_PENALTY
    q *= 0.85 ** len(HEDGES.findall(c.text))
    if DEFERS.search(c.text):
        q *= DEFER_PENALTY
    if SPECULATIVE.match(c.text) and not PROPOSAL.match(c.text):
        q *= SPECULATIVE_PENALTY
    if c.host:
        q *= HOST_WEIGHT
    if c.restarts:
        q *= RESTART_PENALTY
    if c.sequel:
        q *= SEQUEL_PENALTY
    # a ramble ("it's like, like, like"): filler words and words said again
    q *= RAMBLE_PENALTY ** sum(1 for w in words if w in RAMBLE)
    q *= RAMBLE_PENALTY ** (2 * (len(words) - len(set(words))) / max(1, len(words)) * 5)
    return float(q)


def _counts_steps(words: tuple[str, ...]) -> bool:
    """ "First, we…", "Second is that…", "Another reason is…": a step of an argument ("Next
    time I'd plant…" is not)."""
    if len(words) > 2 and norm(words[0]) == "the" and norm(words[1]) in ORDINALS:
        return True  # "The fourth unseen effect, again, …"
    if norm(words[0]) not in SIGNPOSTS or len(words) < 2:
        return False
    return words[0].endswith(",") or norm(words[1]) in STEP_WORDS


def _points_back(words: tuple[str, ...]) -> bool:
    """Opens with a pronoun or contraction ("That's why…", "It's…"), with a demonstrative
    that names nothing ("This is…"; "This rule…" names its subject), or with a part of what
    was said before ("Out of these…", "Among them…")."""
    first = norm(words[0])
    if first in POINTERS:
        return True
    low = [norm(w) for w in words[:3]]
    lead = 2 if low[:2] == ["out", "of"] else 1 if first in PARTITIVES else 0
    if lead and len(low) > lead and low[lead] in WHOLES_SAID:
        return True  # "Out of these 1.5 crore, …", "Among them…": a part of a whole said before
    return first in DEMONSTRATIVES and (len(words) < 2 or norm(words[1]) in STOPWORDS)


def _redundant(a: _Cand, b: _Cand) -> bool:
    """The same point twice: many shared words, or most of the shorter line's words said
    again ("standardizing the parts of every bicycle" / "standardize bicycle parts")."""
    if not a.terms or not b.terms:
        return False
    if len(a.terms & b.terms) / len(a.terms | b.terms) > REDUNDANT_JACCARD:
        return True
    x, y = a.roots, b.roots
    return len(x & y) >= REDUNDANT_SHARED and len(x & y) / min(len(x), len(y)) > REDUNDANT_OVERLAP


def _quote_ok(c: _Cand) -> bool:
    """A whole sentence as said (not the tail of one, nor a clause cut from it), that does
    not lean on the sentence before it."""
    return (
        8 <= c.n <= 30
        and c.whole
        and c.unit.sentence_end
        and c.text.count(",") <= QUOTE_COMMAS  # "sleek, stylish, so something that's, a…"
        and not c.foreign
        and c.low[0] not in SUBORDINATORS | CLAUSE_JOINERS | REASONS
        and not _against_before(c.words)
        and not c.sequel
        and not _said_of_before(c.words)
        and not c.unit.crosses_repeat
        and not c.tagged
        and not _is_question(c)
        and len(c.terms) >= 3
        and len(c.terms - PROCEDURAL) >= 2  # "…some general discussion at the end" (a meeting's)
        and not _housekeeping(c)
        # read alone, a quote must mean something: nothing it points at, no speaker's aside
        and c.refs < 1
        and not c.personal
        and not c.verbless  # (a bare noun phrase included)
        and not c.restarts
        and not clipped(c.words)
        and not referential_it(c.words)
    )


def _against_before(words: tuple[str, ...]) -> bool:
    """ "Later the production…", "Even the money…", "The opposite happens…": said against
    what came before ("Even if…" is a condition of its own)."""
    first = [norm(w) for w in words[:2]]
    if first[0] == "even":
        return len(first) < 2 or first[1] not in SUBORDINATORS
    return first[0] in CONTEXT_OPENERS or first in RELATIVE


def _said_of_before(words: tuple[str, ...]) -> bool:
    """ "That's a lot of…", "They're all…", "I think that would…": a line about what was
    said before it ("It's hard to…" is not; nor "I think that it's…", where "that" only
    joins the clause)."""
    said = words[2:] if [norm(w) for w in words[:2]] in OPINION else words
    if said and norm(said[0]) == "that" and len(said) > 1 and norm(said[1]) in SUBJECTS:
        said = said[1:]
    return bool(said) and _points_back(said) and norm(said[0]) not in {"it", "it's"}


# openers of a sentence that is only part of one (see _stands_alone)
WH_OPENERS = frozenset("how what why where whether".split())
COPULAS = frozenset("is was are were means".split())
WH_IS = frozenset("what's how's where's who's why's".split())
INVERTED = frozenset("can could would should will shall do does did is are was were".split())
ASKED = frozenset("i we you they it he she there that this".split())  # "Could we…", "Is it…"
PAIR_REACH = 6  # "But also…", "And their parents, but…": the pair's "but" within these words
PARTITIVES = frozenset("of among from".split())  # "Among these, …"
WHOLES_SAID = DEMONSTRATIVES | frozenset("them which".split())  # "…of these", "…among them"
FRAME_COPULAS = frozenset("is was".split())  # "…my guess is that…"
REASONS = frozenset("because cause cos coz".split())  # ("'cause" is said "cause")
CONTINUATIONS = frozenset("which of".split())
# a last word that needs another after it: the speaker trailed off
TRAILING = frozenset("the a an and or but where which whose because if than my your our".split())
SUBJECTS = frozenset(
    """i i'm i've i'd i'll we we're we've we'll we'd you you're you've you'll they they're
    they've they'll he she he's she's it's there's""".split()
)
CONTEXT_OPENERS = frozenset(
    "later then also again still besides otherwise likewise similarly anyway meanwhile "
    "instead".split()
)
RELATIVE = [["the", "opposite"], ["the", "same"], ["the", "other"], ["the", "latter"]]
OPINION = [["i", "think"], ["i", "believe"], ["i", "guess"], ["i", "feel"]]
ASIDES = [*OPINION, ["you", "know"], ["i", "mean"]]  # said between commas inside a clause
STEP_WORDS = frozenset("is of thing point one reason".split())
SIGNPOSTS = frozenset("first second third fourth another next finally secondly lastly".split())
ORDINALS = frozenset("second third fourth fifth sixth".split())  # "The first…" often is a claim
EXAMPLE_OPENER = re.compile(r"(?:for (?:example|instance)|like|say|e\.g\.)\b", re.IGNORECASE)
# "…over time we'll learn more about the impact": what is not known yet
DEFERS = re.compile(
    r"\bwe(?:'ll| will) (?:learn|know|see|find out)(?: \w+){0,4}? (?:more|what|how|whether|if)\b",
    re.I,
)
UNSURE = re.compile(r"\b(?:probably|perhaps|maybe|i guess|i suppose|or something)\b", re.I)
QUOTE_COMMAS = 3  # a quote with more commas is a list or a spoken tangle
LEANS_BACK = re.compile(
    r"(?:as \w+ (?:mentioned|said|pointed out)|continuing|to go back|you take another|"
    r"just imagine|(?:if|when|once) (?:that|this|it) (?:happens|is|was)|i've not)\b",
    re.IGNORECASE,
)


def _quote_score(c: _Cand, tf: Counter[str], central: frozenset[str]) -> float:
    text = c.text
    rare = sum(1 for t in c.terms if tf[t] <= 2 and len(t) >= 5)
    stances = {m.group(0).lower() for m in STANCE.finditer(text)}  # "every…, every…": one
    score = min(len(stances), 2) * 1.0 + min(len(CONTRAST.findall(text)), 1) * 0.8
    score += 2.0 * rare / c.n + 1.5 * len(c.terms) / c.n
    score += 0.4 if text.count(",") <= 2 else -0.3 * (text.count(",") - 2)
    score += 0.5 if c.words[-1][-1:] in ".!" else 0.0
    score += 0.4 if 12 <= c.n <= 25 else 0.0
    # a judgement is repeated, a figure is looked up: figures make takeaways
    score += 0.6 if EVALUATIVE.search(text) else 0.0
    score += STRENGTH_WEIGHT * min(c.strength, STRENGTH_CAP)
    score -= 0.6 if FIGURE.search(text) else 0.0
    score -= 0.6 * len(HEDGES.findall(text)) + 0.3 * c.unit.dropped
    score -= 0.6 * len(UNSURE.findall(text))  # a line worth repeating is said with conviction
    score -= 1.5 if BACK_REFERENCE.search(text) else 0.0
    score -= 1.0 if false_start(text) else 0.0
    if norm(c.words[0]) in PRONOUN_START:
        score -= 0.4
    score -= 0.8 * sum(1 for w in c.words if w in {"-", "--"})  # a word broken off: "Becau -"
    if c.host:  # the guest is who people came to hear
        score -= 1.5
    # a quote should be a whole sentence as said, not the tail of a run-on or a ramble
    if not c.unit.sentence_start or c.skip == 0 and c.words[0][:1].islower():
        score -= 0.8
    score -= 0.4 * sum(1 for w in c.words if norm(w) in RAMBLE)
    # a quote is read alone: a half reference ("it") already weighs it down
    score -= 1.2 * c.refs
    if EXAMPLE_OPENER.match(text):
        score -= 1.0  # "For example the hinges…": an example of something said before
    words = c.low
    score -= 0.5 * (len(words) - len(set(words))) / max(1, len(words)) * 10
    # on the episode's subject: a line with its central words is what a reader reposts
    score += 0.5 * min(2, sum(1 for t in c.terms if t in central))
    if norm(c.words[0]) in SIGNPOSTS or LEANS_BACK.match(c.text) or _counts_steps(c.words):
        score -= 1.0  # "Second is that…", "You take another area…": a step in an argument
    return score


def summarize_offline(transcript: Transcript, options: SummaryOptions) -> Summary:
    """The extractive summary as a plain function (picklable: worker processes run it)."""
    return ExtractiveSummarizer().run(transcript, options)
