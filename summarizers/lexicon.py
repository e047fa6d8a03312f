"""Word lists for spoken English: stopwords, discourse markers, boilerplate patterns."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
from wordfreq import get_frequency_dict, get_frequency_list

STOPWORDS = frozenset(
    """
a about above after again against all also am an and any are aren't as at be because been
before being below between both but by can can't cannot could couldn't did didn't do does
doesn't doing don't down during each few for from further had hadn't has hasn't have haven't
having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll
i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor
not of off on once only or other ought our ours ourselves out over own same shan't she she'd
she'll she's should shouldn't so some such than that that's the their theirs them themselves
then there there's these they they'd they'll they're they've this those through to too under
until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where
where's which while who who's whom why why's with won't would wouldn't you you'd you'll you're
you've your yours yourself yourselves
yeah yes okay ok oh uh um like know just really actually basically kind sort gonna wanna
gotta thing things stuff lot lots right well mean going get got getting go goes say said says
saying think thought guess maybe probably pretty quite something anything everything nothing
someone anyone everyone way ways much many also even still back one two able around bit
little sure yep hmm mm alright anyway whatever though although however whether yet already
now today always never ever again us let make makes made want wants wanted need needs see
look come came take took give put tell told talk talking talked good great thanks thank
will shall may might must can could would should does doing done being been
""".split()
)

# Words that carry weight in a sentence but say nothing as a topic's title ("Law, design,
# first"): vague adjectives and adverbs, ordinals and number words.
TITLE_SKIP = frozenset(
    """
first second third last next real big small new old good great bad better best different
certain whole true truly obviously clearly definitely literally totally exactly feel felt
bunch three four five six seven eight nine ten twenty thirty forty fifty sixty seventy
eighty ninety hundred thousand million billion half time times every welcome
""".split()
)

# Words a conversation says about itself, not its subject: never the episode's subject
# ("we went over it in the last meeting", "people", "idea").
PROCEDURAL = frozenset(
    """meeting meetings project minute minutes agenda presentation discussion question
    questions idea ideas people guy guys point points episode show podcast conversation""".split()
)

DISCOURSE_MARKERS = (
    "and so",
    "but so",
    "so yeah",
    "i mean",
    "you know",
    "you see",
    "of course",
    "in fact",
    "so",
    "and",
    "but",
    "well",
    "yeah",
    "yes",
    "okay",
    "ok",
    "oh",
    "right",
    "like",
    "now",
    "anyway",
    "also",
    "because",
    "then",
    "plus",
    "or",
    "look",
    "listen",
    "actually",
    "basically",
    "honestly",
    "um",
    "uh",
    "no",
)

BOILERPLATE = re.compile(
    r"\b(welcome (back )?to|thanks? (you )?(so much )?for (having|coming|joining|listening|"
    r"being)|(great|good|exciting|lovely|wonderful|a pleasure|fun|happy|glad|thrilled|delighted) "
    r"to (be here|have you|be with you)|nice to meet|"
    r"subscrib(e|es|ed|ing)|rate (and|&) review|sponsor|brought to you by|promo code|"
    r"discount code|patreon|"
    r"newsletter|see you next|until next time|that's (all|it) for|without further ado|"
    r"here (he|she) is|on today's (episode|show)|in this episode|let's (get started|dive in)|"
    r"check one|one,? two,? three,? four|can you hear me|is (this|the mic) on|we're (recording|on)|"
    r"leave (us )?a review|follow us|link in the (show ?notes|description)|"
    r"(our|my|the) goal (for )?(today|here|in this (episode|conversation)) is|"
    r"(today|in this (episode|conversation)),? (we|i)('ll| will| are going to|'re going to|"
    r"'m going to| want to) (talk|discuss|cover|dig|get into)|"
    r"next (week|time|episode) on (?-i:[A-Z])|(on|in) (the|our) next (episode|show)|"
    r"next week(,|'s guest| is| we have| i have| i'll| we'll)|"
    r"coming up next|if you (enjoyed|liked|enjoy|like) (listening|this (show|episode|podcast))|"
    r"check out (another|our other|my other) (great |new )?(show|podcast)|"
    r"our (weekly|daily|monthly|new) (podcast|show)|(will be|is) talking to \w+ \w+ about|"
    r"(i.m|we.re|i am|we are) (talking|speaking) (with|to) \w+ \w+ about|"
    # sponsor reads: addresses, codes, offers
    r"https?://|www\.|\b[a-z][\w-]*\.(com|org|net|io|co|fm|ly|app)\b|use (the )?code|"
    r"free trial|sign up (at|for free)|(company|startup|app) called|"
    r"(episode|show|podcast) is (sponsored|supported|made possible)|"
    # procedure: a chair calling speakers, an exercise explained
    r"(i'll|i will|let me|i'd like to|i want to) (now )?(ask|call on|invite|hand (it )?over "
    r"to|give the floor)|(give|have|take|yield) the floor|next speaker|point of order|"
    r"order, order|as a (little )?(training|exercise|warm-?up|icebreaker)|my name is|"
    # a recorded meeting's paperwork: "…two forms in front of you", "the consent form"
    r"(consent|speaker|release) forms?\b|forms?\b[\w ,]{0,25}in front of you|"
    # a meeting about itself: its agenda, its slides, its call for questions
    r"(here|today) we (have|are having|'re having) (our|the|a|this) [\w ]{0,30}meeting|"
    r"bullet point|(added|edited|next|previous|last|this|my|a|the|one) slides?\b|the agenda|"
    r"(have|got) any (other |more )?questions|here is (a|an|the|my|our) (\w+ )?overview|"
    r"(this|here) is (my|our) (presentation|slide)|"
    r"call (it|that|this|the) (meeting )?(to an end|a day)|wrap (it|this|things) up|"
    r"(end|close|finish) (the|this) meeting|thanks to (\w+'s )?(help|efforts|work) )",
    re.IGNORECASE,
)

STANCE = re.compile(
    r"\b(i (really )?(think|believe|bet|suspect|feel)|i'm (convinced|sure)|the (key|real|big|"
    r"hard|only|whole|main|biggest|hardest) \w+|the (problem|point|truth|lesson|trick|secret|"
    r"reason|question) is|never|always|nobody|no one|everyone|every|most important|what matters|"
    r"you have to|you can't|you need to|the best|the worst|should|must|matters?)\b",
    re.IGNORECASE,
)
# words that judge, the colour of a line worth repeating ("the council, in its wisdom,",
# "ridiculously cheap", "a disaster for repair shops")
EVALUATIVE = re.compile(
    r"\b(beautiful|brilliant|devastating|ridiculous(ly)?|insane(ly)?|absurd|magic(al)?|"
    r"incredibl[ey]|terrible|terribly|wonderful|disaster|disastrous|tragedy|tragic|crazy|"
    r"perverse|wisdom|foolish|stupid|genius|outstanding|extraordinar(y|ily)|"
    r"astonishing|shocking|scandal(ous)?|holier-than-thou|humble|dangerous|"
    r"fundamental(ly)?|obsess(ed|ion)?|myth|illusion|paradox|irony|ironic(ally)?|"
    r"nonsense|madness|miracle|nightmare|catastroph(e|ic))\b",
    re.IGNORECASE,
)
CONTRAST = re.compile(
    r"\b(but|instead|rather than|whereas|yet|opposite|not \w+ but|isn't|doesn't|won't|"
    r"unless|despite|actually)\b",
    re.IGNORECASE,
)
# a host opening the show: "Welcome to…", "In today's episode…", "My guest today is…"
HOST_INTRO = re.compile(
    r"\b(welcome (back )?to (the|my|our|this)|in (today['’]s|this) episode|on (today['’]s|this) "
    r"(episode|show)|my guests? (today|on|this)|joining me|i['’]?m your host)\b",
    re.IGNORECASE,
)
HOST_PROMPT = re.compile(
    r"\b(i'?m curious|i was curious|i'?m wondering|i was wondering|(i'?d|would) love to hear|"
    r"your (perspective|take|read|view)|i'?ll ask|my (first |next |last )?question|let me ask|"
    r"tell us|walk us through|what do you|how do you|do you think|how would you|"
    r"can you (talk|tell|share)|our listeners|my listeners|thanks? so much|i wonder|"
    r"(how|do) (do )?you see|you mentioned|ask (them|you)|tons of questions|"
    r"(switch|switching|shift|shifting|change|changing) gears|you called|"
    r"let'?s (talk about|move on|turn to|switch to))\b",
    re.IGNORECASE,
)
# a line about the conversation itself ("the point you raised is correct", "…the problems
# we've listed"): no quote, and a takeaway that needs what was said before
BACK_REFERENCE = re.compile(
    r"\b(you (just |also )?(said|raised|asked|brought up|pointed out|told|described|mentioned)|"
    r"the (point|story|example) you|your (question|"
    r"point)|as i (have )?(said|mentioned)|good question|that's (a )?(great|good|fair) "
    r"(point|question)|(we|i)('ve| have) (just |already |all )?(listed|discussed|talked about|"
    r"mentioned|covered|been talking about|been discussing))\b",
    re.IGNORECASE,
)
# An article followed by another article, a pronoun or a determiner ("the I think", "a you
# know", "as an anything"): a false start or a caption error, not a line to quote.
# A preposition right after an article ("A at some point…") is a restart too; after a comma
# it is not ("a, at least, first draft"), nor in a compound ("the in-laws").
FALSE_START = re.compile(
    r"\b(a|an|the)\s+(a|an|the|i|you|he|she|we|they|it|anything|something|nothing|"
    r"everything|my|your|our|their|his|her|at|in|on|of|for|with|from|by)\b(?!-)",
    re.IGNORECASE,
)


def false_start(text: str) -> re.Match[str] | None:
    """The first article-plus-function-word pair in `text`, leaving out acronyms ("the IT
    team", "an OR gate")."""
    for match in FALSE_START.finditer(text):
        word = match.group(2)
        if not (len(word) > 1 and word.isupper()):
            return match
    return None


# a statement that opens with a hedge is speculation, weaker as a takeaway than a claim
# ("Perhaps there's another layer..."); "maybe we should..." is a proposal, which in a
# meeting is often the decision, and is not speculation
SPECULATIVE = re.compile(r"(?:perhaps|maybe|possibly|you could imagine|one could imagine)\b", re.I)
PROPOSAL = re.compile(
    r"(?:perhaps|maybe|possibly),? (?:we|you|they|i) "
    r"(?:should|could|can|need|might want|have to)\b|(?:perhaps|maybe),? let's\b",
    re.I,
)
# what a meeting settles: decisions, figures, who does what next
DECISION = re.compile(
    r"\b(we('ll| will| are going to|'re going to) (go with|use|have|need|do|send|keep)|"
    r"(we|i) (decided|agreed|chose)|agreed on|let's (go with|use|do|keep)|decision|"
    r"(budget|price|cost|deadline|target) (is|was|of|will be)|action item|"
    r"(i'll|i will|you'll|he'll|she'll) (send|write|check|look into|ask|prepare|draft|do)|"
    r"\d+ ?(%|percent|euros?|dollars?|pounds?)|per cent|(euro|dollar|pound)s?\b)",
    re.IGNORECASE,
)
HEDGES = re.compile(r"\b(you know|kind of|sort of|i guess|like,|i don't know)\b", re.IGNORECASE)
PRONOUN_START = frozenset(
    {
        "it",
        "this",
        "that",
        "they",
        "he",
        "she",
        "these",
        "those",
        "there",
        "which",
        "them",
        "his",
        "her",
        "its",
    }
)


# Openers that point back to something the reader was not given: pronouns, and
# demonstratives when no noun follows ("That is why…", but "That rule…" names its subject).
POINTERS = frozenset("it he she they them him which that's it's they're he's she's this's".split())
DEMONSTRATIVES = frozenset("this that these those".split())
LEADS = frozenset("and but so then just also".split())  # said before the sentence proper
# words a speaker restarts a sentence with (capitalized mid-sentence in careful transcripts)
RESTARTS = frozenset(
    "this that it it's the we we're we've they they're there there's what so".split()
)


def stem(word: str) -> str:
    """A light suffix strip so that "models" and "model" count as one term."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def content_terms(norm_words: list[str]) -> list[str]:
    """Stemmed content words (no stopwords, numbers kept, 1-letter words dropped)."""
    return [stem(w) for w in norm_words if len(w) > 1 and w not in STOPWORDS]


# Cleaning (summarizers/clean.py): which words are dropped from the display text.
FILLERS = frozenset("uh um uhm umm uhh er erm ah hmm mm mhm uh-huh mm-hmm eh hm uh-oh".split())
# Words short enough that "p path" is a stutter only when the first is not one of them.
SHORT_WORDS = frozenset(
    """a i o an am as at be by do go he if in is it me my no of on or so to up us we
    ok oh hi ai""".split()
)
DOUBLE_OK = frozenset("that had is do ha bye no very really".split())  # "that that" can be meant
ABBREVIATIONS = frozenset(
    "mr. mrs. ms. dr. prof. st. vs. e.g. i.e. etc., no. inc. jr. sr. approx. fig. u.s. u.k.".split()
)
# words that open a sentence, never a letter's verb: "W it's…", "S the question…"
SENTENCE_OPENERS = frozenset(
    "the a an you we they it it's i he she that this what yeah yes well so if there".split()
)
# a lone letter after these is named ("plan b", "option c"), not a word broken off
NAMES_A_LETTER = frozenset(
    "and or plan option type grade vitamin point item letter section part model class "
    "column row step phase version size".split()
)
SPLIT_BEFORE = frozenset("and but so because which then whereas although".split())
# A run-on cut before one of these leaves a main clause that stands as a sentence ("X is
# true, | but…"); a sentence opening with a subordinator does not ("If X is true, | then…").
CLAUSE_JOINERS = frozenset("and but so because whereas although".split())
SUBORDINATORS = frozenset(
    """if when whenever because although though while whether as since unless which who
    whose whom where once until before after than""".split()
)
# "you know", "I mean", "kind of" said as fillers inside a sentence, not as a verb or a noun
KNOW_OBJECT = frozenset(
    "what that how why whether if when where who which it this them him her me us the a an "
    "about nothing something everything exactly".split()
)
KNOW_SUBJECT_CONTEXT = frozenset(
    "do don't did didn't if as would could to will might that what how i we they".split()
)
MEAN_CONTEXT = frozenset("what that if do don't did didn't".split())
MEAN_OBJECT = frozenset("is it that by to this was".split())
KIND_OF_NOUN = frozenset(
    "a the this that what which any some one every each same different these those of no "
    "another all".split()
)

# Ranking (summarizers/extractive.py).
QUESTION_START = frozenset(
    """what how why when where who which do does did can could would is are should will
    have has""".split()
)
RAMBLE = frozenset(
    "like right basically obviously actually possibly perhaps somehow kind sort okay yeah "
    "etc".split()
)
TAG_QUESTIONS = (
    ("right?",),
    ("you", "know?"),
    ("no?",),
    ("yeah?",),
    ("correct?",),
    ("isn't", "it?"),
    ("don't", "you", "think?"),
    # said to hold the listener, not asking: "…5.4 years in school, okay."
    ("okay.",),
    ("ok.",),
    ("right.",),
    ("yeah.",),
    ("you", "know."),
)


STRONG_VALENCE = 1.0  # a word judging at least this strongly (VADER's scale, -4 to 4)...
EVERYDAY_ZIPF = 4.6  # ...and rarer than this in English (Zipf scale: "better" 5.8, "greedy" 3.8)


KNOWN_ZIPF = 3.0  # a short lower-case word this common is English ("tick" 3.8, "spea" 1.7)
PIECE_LENGTHS = range(3, 6)  # the lengths of word a speaker breaks off and says whole after


@dataclass(frozen=True, slots=True)
class WordLists:
    vivid: Mapping[str, float]  # see vivid()
    short: frozenset[str]  # English words of PIECE_LENGTHS letters (see clean's broken pieces)


@cache
def word_lists() -> WordLists:
    """The lists read from the packages once a process (0.2 s): VADER's lexicon and
    wordfreq's English word list, nothing downloaded; wordfreq keeps its 320,000-word list
    cached (35 MB a worker), so only what is used is kept."""
    common = get_frequency_dict("en")
    floor = 10 ** (EVERYDAY_ZIPF - 9)  # Zipf = log10(frequency per word) + 9
    words = {
        word: abs(v)
        for word, v in SentimentIntensityAnalyzer().lexicon.items()
        if abs(v) >= STRONG_VALENCE and word.isalpha() and common.get(word, 0.0) < floor
    }
    known = 10 ** (KNOWN_ZIPF - 9)
    short = frozenset(
        w for w, f in common.items() if len(w) in PIECE_LENGTHS and f >= known and w.isalpha()
    )
    get_frequency_dict.cache_clear()
    get_frequency_list.cache_clear()
    return WordLists(words, short)


def vivid() -> Mapping[str, float]:
    """Words that judge strongly and are not everyday speech, with how strongly (either
    sign): "greedy" 1.3, "devastating" 3.3, "brilliant" 2.8; not "better", "problem",
    "honestly", "interest". The valence is VADER's lexicon, the rarity wordfreq's English
    word list."""
    return word_lists().vivid
