"""Who is who in a conversation: the host of an interview, and the lines that frame a question.

The guest is who people came to hear: in an interview the host's lines are the questions and
their framing, so takeaways are drawn from the guests. A labelled transcript names its
speakers: the host is the one who opens the show ("Welcome to…", "My guest today…") and asks,
or else the one whose turns end by asking (guests ask too, but mid-answer).
An unlabelled one still has the shape: a statement addressed to "you" just before a
question is the question's preamble.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from summarizers.clean import Unit, norm
from summarizers.lexicon import HOST_INTRO, HOST_PROMPT

INTERVIEW_SPEAKERS = 4  # more speakers holding a real share of the words: a meeting
SHARE = 0.05  # a speaker holding less than this share of the words is not counted
PREAMBLE_REACH = 2  # units before a question that may be its framing
TURN_TAIL = 2  # a turn ends by asking when a question is among its last units
OPENING = 0.2  # the share of the transcript where a host opens the show
INTRO_SHARE = 0.1  # an unlabelled show's first question this early: what precedes is its intro
HOST_MARGIN = 1.3  # the host hands over with a question this many times more than the next
_SECOND_PERSON = frozenset("you your you're you've you'd yours yourself".split())
_TAGS = frozenset("right no yeah correct".split())
_ASKING = frozenset("do does did what how why would could can is are have".split())


@dataclass(frozen=True, slots=True)
class Roles:
    """What kind of conversation the transcript is, and who hosts it."""

    kind: str  # "monologue", "interview" or "meeting"
    host: str | None  # the interviewer's label, when the transcript has labels
    framing: frozenset[int]  # units (by index) that frame the question after them
    guests: frozenset[str] = frozenset()  # the other speakers who hold a real share

    def is_host_line(self, unit: Unit) -> bool:
        """The host's line, or an announcer's (a voice with a few lines that is neither
        host nor guest: the show's intro, a trailer), or a question's framing."""
        if self.kind != "interview":
            return False
        if self.host is not None:
            return unit.speaker not in self.guests
        return unit.index in self.framing


def roles(units: list[Unit]) -> Roles:
    """The conversation's kind and host (see the module's docstring)."""
    words: Counter[str] = Counter()
    hands: Counter[str] = Counter()  # turns that end by asking (the host hands over)
    asked = [asks(u) for u in units]  # (each unit's text is joined once)
    for i, u in enumerate(units):
        if u.speaker is None:
            continue
        words[u.speaker] += len(u.words)
        # a turn's end: the next unit is another speaker's, or the transcript ends
        if i + 1 == len(units) or units[i + 1].speaker not in {u.speaker, None}:
            tail = range(max(0, i - TURN_TAIL + 1), i + 1)
            hands[u.speaker] += any(asked[j] for j in tail if units[j].speaker == u.speaker)
    total = sum(words.values())
    speakers = [s for s, n in words.items() if total and n / total >= SHARE]
    if not speakers:  # no labels: the shape says whether questions are asked and answered
        if sum(asked) < 3:
            return Roles("monologue", None, frozenset())
        return Roles("interview", None, frozenset(_framing(units, asked) + _intro(units, asked)))
    if len(speakers) == 1:
        return Roles("monologue", None, frozenset())
    if len(speakers) >= INTERVIEW_SPEAKERS:
        return Roles("meeting", None, frozenset())
    opener = _opener(units, speakers)
    if opener is not None and hands[opener] >= 2:
        # the one who opens the show ("Welcome to…", "My guest today…") and asks is its
        # host, also when a guest ends more turns with a question (a rhetorical one)
        return Roles("interview", opener, frozenset(), frozenset(speakers) - {opener})
    ranked = sorted(speakers, key=lambda s: (-hands[s], s))
    host = ranked[0]
    # a host hands the turn over with a question clearly more often than anyone else;
    # a talk among equals has no host
    if hands[host] < 2 or hands[host] < HOST_MARGIN * hands[ranked[1]]:
        return Roles("meeting", None, frozenset())
    return Roles("interview", host, frozenset(), frozenset(speakers) - {host})


def _opener(units: list[Unit], speakers: list[str]) -> str | None:
    """The speaker who opens the show: most of the host's openings ("Welcome to…", "In
    today's episode…", "My guest today…") in its first part, said by no one as often."""
    said: Counter[str] = Counter()
    for u in units[: max(1, int(len(units) * OPENING))]:
        if u.speaker in speakers and HOST_INTRO.search(u.display):
            said[u.speaker] += 1
    top = said.most_common(2)
    if not top or len(top) == 2 and top[0][1] == top[1][1]:
        return None
    return top[0][0]


def asks(unit: Unit) -> bool:
    """A question, or a host's prompt said as a statement ("I'm wondering if…")."""
    return unit.is_question or bool(HOST_PROMPT.search(unit.display))


def _framing(units: list[Unit], asked: list[bool]) -> list[int]:
    """Statements addressed to "you" in the few units before a question of the same turn
    (`asked`: whether each unit asks); and a statement put to the guest for agreement ("A
    pattern everyone's after is memory, right?") with what follows it up to a question to
    "you" ("Do you have a gut feeling…?"): the host sets up the question."""
    out = []
    for i, u in enumerate(units):
        after = range(i + 1, min(len(units), i + 1 + PREAMBLE_REACH))
        same = [j for j in after if units[j].speaker == u.speaker]
        if asked[i]:
            if _tagged(u) and any(_to_you(units[j]) for j in same):
                last = next(j for j in same if _to_you(units[j]))
                out += [i, *range(i + 1, last)]
            continue
        if not any(asked[j] for j in same):
            continue
        if any(norm(w) in _SECOND_PERSON for w in u.words):
            out.append(i)
    return sorted(set(out))


def _intro(units: list[Unit], asked: list[bool]) -> list[int]:
    """The show's opening before its first question, when it comes early: the host telling
    who the guest is and what they talked about ("Oriel is the co-lead of…", "We talked
    about…"), not the guest's answers."""
    first = next((i for i, a in enumerate(asked) if a), len(units))
    return list(range(first)) if first <= len(units) * INTRO_SHARE else []


def _tagged(unit: Unit) -> bool:
    """A statement ending in a tag that asks for agreement: "…, right?", "…, no?"."""
    words = unit.words
    return len(words) > 3 and words[-2].endswith(",") and norm(words[-1]) in _TAGS


def _to_you(unit: Unit) -> bool:
    """A question put to the other person: "Do you…", "How would you…"."""
    low = [norm(w) for w in unit.words[:4]]
    return unit.is_question and bool(low) and low[0] in _ASKING and "you" in low
