"""The defects of ../shared/READER.md that can be counted by rule, over a corpus run.

Each rule is the table's, written as a test on one output line; bench/quality.py counts them
for podbrief and for LexRank (the peer's picks as its takeaways) on the whole corpus. A rule
is a reader's shortcut, not a reader: the closing notes also score outputs by reading them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from summarizers.clean import norm
from summarizers.lexicon import STOPWORDS

SEENUNSEEN_HOST = "Amit Varma"

_END = re.compile(r"[.!?…][\"'”’)\]]*$")
AD = re.compile(
    r"(https?://|www\.|\b[\w-]+\.(?:com|org|net|io|in|co|fm|ly)\b|promo code|discount code|"
    r"\bsponsor|brought to you by|\bsubscribe|download the app|\bpatreon|rate and review|"
    r"leave (?:us )?a review|show ?notes)",
    re.IGNORECASE,
)
_POINTER = frozenset("it he she they them him which".split())
_DEMONSTRATIVE = frozenset("this that these those".split())
_CONJUNCTION = frozenset("and but so because or".split())


def fragment(text: str) -> bool:
    """Does not end a sentence, or ends in a comma, semicolon or colon."""
    text = text.rstrip()
    return not _END.search(text) or text.endswith((",", ";", ":"))


def pointing_back(text: str) -> bool:
    """Opens with a pronoun, or a demonstrative with no noun of its own ("That is why…",
    "This is…"; "This rule…" names its subject)."""
    words = [norm(w) for w in text.split()[:2]]
    if not words:
        return False
    first = words[0]
    if first in _POINTER or first in {"that's", "it's", "they're", "he's", "she's", "this's"}:
        return True
    if first in _DEMONSTRATIVE:
        return len(words) < 2 or words[1] in STOPWORDS
    return False


def other_language(text: str) -> bool:
    """Most words are not English: fewer than one word in five is an English function word
    (English sentences of eight words or more run at about two in five)."""
    words = [norm(w) for w in text.split() if any(ch.isalpha() for ch in w)]
    if len(words) < 6:
        return False
    return sum(w in STOPWORDS for w in words) / len(words) < 0.2


def quote_mid_sentence(text: str) -> bool:
    """Starts with a lower-case letter, or with and / but / so / because / or."""
    stripped = text.lstrip("\"'“‘([ ")
    if not stripped:
        return True
    first = norm(stripped.split()[0])
    return stripped[0].islower() or first in _CONJUNCTION


def keyword_list(title: str) -> bool:
    """A bare list ("A, b, c") rather than a phrase."""
    return "," in title


@dataclass
class Counts:
    """Defects over the lines of one method: how many lines, how many of each defect."""

    takeaways: int = 0
    interview_takeaways: int = 0  # takeaways in labelled interviews (where the host is known)
    quotes: int = 0
    titles: int = 0
    found: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def _hit(self, defect: str, line: str) -> None:
        self.found[defect] += 1
        self.examples.setdefault(defect, [])
        if len(self.examples[defect]) < 3:
            self.examples[defect].append(line)

    def takeaway(self, text: str, speaker: str | None, host: str | None) -> None:
        self.takeaways += 1
        if fragment(text):
            self._hit("fragment", text)
        if AD.search(text):
            self._hit("ad / housekeeping", text)
        if pointing_back(text):
            self._hit("pointing back", text)
        if other_language(text):
            self._hit("other language", text)
        if host is not None:
            self.interview_takeaways += 1
            if speaker == host:
                self._hit("host line", text)

    def quote(self, text: str) -> None:
        self.quotes += 1
        if quote_mid_sentence(text):
            self._hit("quote mid-sentence", text)
        if AD.search(text):
            self._hit("ad / housekeeping", text)

    def title(self, text: str) -> None:
        self.titles += 1
        if keyword_list(text):
            self._hit("keyword-list title", text)

    def share(self, defect: str) -> str:
        """The defect's count and its share of the lines it is counted over."""
        base = {
            "host line": self.interview_takeaways,
            "quote mid-sentence": self.quotes,
            "keyword-list title": self.titles,
        }.get(defect, self.takeaways)
        if defect == "ad / housekeeping":
            base = self.takeaways + self.quotes
        if not base:
            return "n/a"
        n = self.found[defect]
        return f"{n} ({100 * n / base:.0f}%)"


DEFECTS = (
    "fragment",
    "host line",
    "ad / housekeeping",
    "pointing back",
    "other language",
    "quote mid-sentence",
    "keyword-list title",
)
