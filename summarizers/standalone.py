"""Whether a spoken sentence stands on its own for a reader who never heard the episode.

A line that leans on what came before ("…for them to bring their kettles to", "I think
that would change…") or on the room it was said in ("over there", "you guys") needs its
context; a speaker's own story ("I usually…", "I'm enjoying it here") informs nobody. Both
read as weak takeaways and flat quotes. These are word-level signs, not a parse: they
weigh a line down, they never remove it.
"""

from __future__ import annotations

import re

from summarizers.clean import norm
from summarizers.lexicon import DEMONSTRATIVES, LEADS, STOPWORDS

Words = tuple[str, ...] | list[str]

# third-person pronouns: who "they" are is in an earlier line
PRONOUNS = frozenset(
    """they them theirs they're they've they'll they'd themselves he him he's he'd he'll
    himself she hers she's she'd she'll herself""".split()
)
# possessives point back only when no noun came before them in the line ("the council, in
# its wisdom," names its council)
POSSESSIVES = frozenset("their his her its".split())
# "it" is often no reference at all ("it's hard to…", "make it work"): half a reference
IT = frozenset("it its it's itself".split())
# a demonstrative that points at the conversation ("that would", "this is")
POINTING_VERBS = frozenset(
    """is was are were would will could should might can means meant made makes 's has had
    have do does did""".split()
)
# "take that into account", "do this for": a demonstrative standing for a thing said, after a
# verb that takes it as its object ("expecting that by spring…" is a clause's "that")
VERBS_OF = frozenset(
    """take took taken takes do did does done doing make made makes see saw seen like need
    want get got put use used try tried change changed said say hear heard all of about
    with for from than""".split()
)
TIME_LINKS = frozenset("after before beyond besides despite since".split())
COUNTED = frozenset("two three four both".split())  # "combining these two"
TIMES = frozenset("time times point stage moment day days era period year years".split())
OBJECT_AFTER = frozenset(
    """into to for in on with about from of at than as by over up out away off again too
    either anyway happen happened happens""".split()
)
POINTING_CONTRACTIONS = frozenset("that's that'll that'd this'll those're these're".split())
# "there" that is a place (not "there is"), "here" and "then" as a time in the story
DEICTIC = frozenset("here there".split())
NEAR = frozenset("this these".split())  # "this regulation", "these countries"
THIS_NOUN = 0.25  # ...a noun the line points at without saying which
COMPARED = frozenset(
    "different better worse similar bigger smaller higher lower easier harder cheaper".split()
)
COMPARED_WITH = frozenset("than from to as with if when once but because".split())
DEFINERS = frozenset("that which who whose where to called".split())  # "this idea that…"
EXISTENTIAL = frozenset(
    """is are was were 's 're will would might may must can could has have had seems
    seem used isn't aren't wasn't weren't""".split()
)
# opinion and forecast openers: what follows them is the claim ("I think repair pays…")
OPINION_VERBS = frozenset(
    """think believe suspect expect agree disagree argue reckon feel suppose bet
    predict doubt""".split()
)
OPINION_ADVERBS = frozenset("do don't not really strongly actually genuinely also".split())
OPINION_STATES = frozenset(
    "sure convinced confident certain expecting optimistic skeptical sceptical worried".split()
)
INTERJECTIONS = frozenset("exactly yeah yes okay ok well sure alright right no oh".split())
FIRST_PERSON = frozenset("i i'm i've i'd i'll".split())
SMALL_TALK = re.compile(
    r"\b(you guys|dude|i dunno|i'm loving|loving it|fair enough|no idea|to be honest|"
    r"i had to admit|i have to admit|i must say|it was (fun|cool|nice|great)|"
    r"(so|really|pretty) (cool|fun)|i'm (glad|happy|excited|sorry)|good luck|"
    r"my (first|last) (time|day)|the first time i|i (really )?hope|hope i.m not)\b",
    re.IGNORECASE,
)
AUXILIARIES = frozenset(
    """is are was were am be been 's 're 'm 've 'd 'll has have had do does did can could
    will would shall should may might must isn't aren't wasn't weren't hasn't haven't
    hadn't don't doesn't didn't can't couldn't won't wouldn't shouldn't""".split()
)
SUBJECT_PRONOUNS = frozenset("i we you they he she it".split())
CLAUSE_OPENERS = frozenset("which who whom whose whilst while whereas because".split())
OPENERS_WITHOUT_SUBJECT = frozenset(
    "at in on of for from with by about into onto over under after before during".split()
)
SIGNPOST = re.compile(
    r"(?:first of all|to begin with|to start with|let me (?:just )?(?:explain|say|start|put|"
    r"begin|add)|secondly|thirdly|lastly|finally|one more thing|as you (?:can )?(?:see|tell)|"
    r"(?:just )?(?:remember|imagine|consider|notice|think about|look at)\b|"
    r"the way (?:\w+ ){1,3}works,? is\b)\b",  # "The way farming works is, okay, you own…"
    re.IGNORECASE,
)
CONVERSATIONAL = frozenset("we we're we've we'd you you're you've you'd".split())
KNOWING = frozenset("know knew found find learned learnt see saw".split())
FIGURE = re.compile(
    r"\d|\b(?:percent|per cent|hundred|thousand|million|billion|crore|lakh)\b", re.IGNORECASE
)
# a sentence opening with a bare verb and no "you" is usually clipped ("[It'd] be a bit
# odd to…", "[We'd] have a small hook on the back…"), seldom advice
SENTENCE_ADVERBS = frozenset("overall basically essentially generally ultimately".split())
BARE_VERBS = frozenset("be have get make take give put keep try go do let".split())
ARTICLES = frozenset("the a an".split())
# a noun phrase's opener ("our expert…"), and what "it's" is said of ("It's a huge city")
DETERMINERS = frozenset("a an the this that my our your his her their one".split())
RELATIVES = frozenset("that which who".split())
# verbs said without an ending: the present of plural subjects and the irregular pasts
COMMON_VERBS = frozenset(
    """love need want work make take get have do go come say know think see use find give
    tell call try ask feel leave keep let begin seem help show hear play run move live
    believe bring happen write sit stand lose pay meet learn change lead understand watch
    follow stop create speak read spend grow open walk win offer remember buy wait serve die
    send expect build stay fall cut reach kill remain rise fix fail matter mean cost
    lent went came made took gave got said told thought knew saw found left felt kept
    brought began became ran wrote put set won lost paid sold built bought held meant sent
    spent stood grew drew fell rose broke chose spoke led met hit""".split()
)
PRESENT = frozenset(
    """is are isn't aren't 's 're can can't cannot will won't should shouldn't must need
    needs does doesn't""".split()
)
POINTED_PRESENT = frozenset("it's that's they're he's she's".split())
POINTED_SUBJECTS = frozenset("it that they he she".split())
PAST = frozenset("was were wasn't weren't had hadn't did didn't".split())


# "…improving the kettles I mean it's…": a filler between a clause and a new subject
RESTART_FILLERS = [["i", "mean"], ["you", "know"]]
CLAUSE_SUBJECTS = frozenset(
    """it's we're they're i'm you're there's he's she's we've i've you've they've that's
    we i you they he she it there""".split()
)
# "I'm sure I mean it's…", "I think you know we…": a clause may follow these words
SAYING = frozenset(
    "think thought know knew say said says guess mean feel felt believe hope sure like".split()
)


def opinion_prefix(words: Words) -> int:
    """Words of an opening "I think (that)", "I don't think", "I'm sure": the claim follows."""
    low = [norm(w) for w in words[:5]]
    k = 0
    if low[:1] == ["i"]:
        j = 1
        while j < len(low) - 1 and low[j] in OPINION_ADVERBS:
            j += 1  # "I really think", "I don't think", "I do not believe"
        if j < len(low) and low[j] in OPINION_VERBS:
            k = j + 1
        elif low[1:3] == ["would", "argue"] or low[1:3] == ["would", "say"]:
            k = 3
    elif low[:1] == ["i'm"] and len(low) > 1:
        j = 2 if low[1] in {"not", "pretty", "quite", "very", "fairly"} else 1
        if j < len(low) and low[j] in OPINION_STATES:
            k = j + 1
    elif low[:2] == ["i'd", "say"]:
        k = 2
    if k and len(low) > k and low[k] == "that":
        k += 1
    return k


def references(words: Words, low: Words | None = None) -> float:
    """How much of the line points at something the line itself does not name."""
    low = list(low) if low is not None else [norm(w) for w in words]
    score = 0.0
    named = False  # a content word said before: a possessive may be its
    for i, w in enumerate(low):
        after = low[i + 1] if i + 1 < len(low) else ""
        if w in POSSESSIVES:
            score += 0.0 if named else (0.5 if w == "its" else 1.0)
        elif w in PRONOUNS:
            score += 1.0
        elif w in POINTING_CONTRACTIONS:
            score += 0.5 if named else 1.0  # "…standard screws, and that's what kept it cheap"
        elif w in IT:
            score += 0.25 if named else 0.5  # "Repair works because it teaches…"
        elif (
            w in DEMONSTRATIVES
            and named
            and after
            and words[i][-1:] in ",;:"
            and i
            and low[i - 1] in TIME_LINKS
        ):
            score += 0.25  # "The first repair is the hardest; after that, every…"
        elif w in DEMONSTRATIVES and (
            after in POINTING_VERBS
            or not after
            or words[i][-1:] in ",.;:!?"
            or (after in OBJECT_AFTER and w in {"that", "this"} and i and low[i - 1] in VERBS_OF)
            or after in TIMES
            or after in COUNTED
            or after[:1].isdigit()  # "out of these 1.5 crore"
        ):
            score += 1.0  # "that would…", "…like that.", "to do this, …", "at that time"
        elif w in DEICTIC and (after not in EXISTENTIAL or _after_noun(words, low, i)):
            score += 0.5  # "over there", "the idea here", "the main group there is…"
        elif w in NEAR and after.isalpha() and after not in STOPWORDS and after not in low[:i]:
            # "this regulation": which one, the line does not say ("this idea that…" does)
            score += 0.0 if _defined_after(low, i + 1) else THIS_NOUN
        named = named or (w not in STOPWORDS and len(w) > 2)
    return score + (1.0 if _compared_to_before(low) else 0.0)


def _compared_to_before(low: Words) -> bool:
    """Ends comparing with what it does not say: "Chances of an allotment were much higher.",
    "The costs are very different." ("…higher than…", "If we add it, costs are higher."
    say it)."""
    said = [w for w in low if any(ch.isalnum() for ch in w)]
    return bool(said) and said[-1] in COMPARED and not COMPARED_WITH.intersection(said)


def _defined_after(low: Words, j: int) -> bool:
    """The noun phrase from position j is said what it is right after it: "this idea | that
    we need…", "this desire | to tinker…" ("this part | of it" is not)."""
    while j < len(low) and low[j] not in STOPWORDS:
        j += 1
    return j + 1 < len(low) and low[j] in DEFINERS


def _after_noun(words: Words, low: Words, i: int) -> bool:
    """The word before position i is a content word in the same clause ("the group | there
    is", not "In 2013, | there was")."""
    return i > 0 and low[i - 1] not in STOPWORDS and words[i - 1][-1:] not in ",;:"


def personal(words: Words) -> bool:
    """The speaker's own story or small talk, not a claim about the episode's subject:
    "I usually might start…", "I'm enjoying it here", "I dunno about you guys…"."""
    text = " ".join(words)
    if SMALL_TALK.search(text):
        return True
    low = [norm(w) for w in words[:4]]
    if low and low[0] in INTERJECTIONS:
        low, words = low[1:], words[1:]
    if not low or low[0] not in FIRST_PERSON:
        return False
    # "I think X", "I'm sure X", "I'd say X": a claim; "I'll send mail…", "I usually…": the
    # speaker
    return not opinion_prefix(words)


def verbless(words: Words, low: Words | None = None) -> bool:
    """A phrase with no sign of a finite verb that opens with a gerund, a participle or a
    preposition ("Fixing old radios, kettles and so on.", "At the back of the toaster
    itself.", "Opted for very large screws…"). A sign is an
    auxiliary, a contraction, a pronoun subject or a past tense in -ed; a bare lexical verb
    ("the library lent…") is not seen, so this only weighs a line down."""
    low = list(low) if low is not None else [norm(w) for w in words]
    lead = 0
    while lead < len(low) - 1 and low[lead] in LEADS:
        lead += 1
    low, shown = low[lead:], list(words[lead:])
    if not low:
        return True
    first = low[0]
    if not (
        (first.endswith(("ing", "ed")) and len(first) > 4)
        or first in OPENERS_WITHOUT_SUBJECT
        or first == "to"
    ):
        return False
    for i, w in enumerate(low):
        if w in CLAUSE_OPENERS:
            return True  # the verbs after "which…", "while…" are that clause's
        if w in AUXILIARIES or "'" in w:
            return False
        named = i < len(shown) and shown[i][:1].isupper()  # "the United States"
        if i and w.endswith("ed") and len(w) > 4 and not named:
            return False
        if w in SUBJECT_PRONOUNS and i + 1 < len(low):
            return False
    return True


def bare_noun_phrase(words: Words, low: Words | None = None) -> bool:
    """ "The blue key at the bottom and F eight.": a noun phrase said as an answer, no verb in
    it. Only for a line opening with an article or a determiner ("Our expert Sam on…"); a
    sign of a verb is an auxiliary, a contraction, a pronoun, a word in -s or -ed (a
    participle in -ing is no finite verb; the word right after the opener is its noun or
    adjective: "our experts", "the associated cost"), or a common verb ("The kids
    love…", "The council lent…"), but not the first one after "that", "which" or "who":
    that verb is the relative clause's ("The corruption that goes with the process that
    doesn't end.")."""
    low = list(low) if low is not None else [norm(w) for w in words]
    if not low or low[0] not in DETERMINERS:
        return False
    relative = False  # inside "that goes with…": its verb is the relative clause's
    for i, w in enumerate(low[1:], start=1):
        if i == 1 and w.endswith(("ed", "ing", "s")) and w not in AUXILIARIES:
            continue  # "the associated cost", "many experiments": said of, or is, the noun
        if w in RELATIVES:
            relative = True
            continue
        if w in SUBJECT_PRONOUNS:
            if not relative:
                return False
            continue  # "the reason that it bothers me…": the clause's subject
        sign = w in AUXILIARIES or w in COMMON_VERBS or "'" in w
        ending = w.endswith("ed") or w.endswith("s") and not w.endswith(("ss", "is"))
        if sign or len(w) > 3 and ending:
            if not relative:
                return False
            relative = False
    return True


def signpost(text: str) -> bool:
    """Opens by placing itself in the talk ("First of all, let me explain…", "Just remember
    that…"): the step of an argument, read alone."""
    return bool(SIGNPOST.match(text))


def conversational(words: Words) -> bool:
    """Said to the people in the room ("You can have volunteers who…", "We could try that…")
    rather than about the subject; "We know that…" and "We found that…" report a fact."""
    low = [norm(w) for w in words[:3]]
    if not low or low[0] not in CONVERSATIONAL:
        return False
    return not (len(low) > 1 and low[1] in KNOWING)


def concrete(text: str, words: Words) -> int:
    """Signs of a concrete statement: a figure, and a name said inside the sentence."""
    figure = bool(FIGURE.search(text))
    name = any(w[:1].isupper() and norm(w) not in STOPWORDS for w in words[1:])
    return int(figure) + int(name)


def clipped(words: Words) -> bool:
    """Opens with a bare verb whose subject was swallowed, not an instruction to "you"."""
    low = [norm(w) for w in words]
    while len(low) > 1 and (low[0] in LEADS or low[0] in SENTENCE_ADVERBS):
        low = low[1:]  # "Overall have a macro effect…"
    return bool(low) and low[0] in BARE_VERBS and not {"you", "your"} & set(low)


def restarts(words: Words) -> bool:
    """A common word capitalized mid-sentence: the speaker started over ("…a spare valve, but
    Sure."), or the captions joined two sentences."""
    for w in words[1:]:
        low = norm(w)
        if w[:1].isupper() and low in STOPWORDS and low not in FIRST_PERSON:
            return True
    return False


def restarted_at_filler(words: Words, drop: frozenset[int]) -> bool:
    """An "I mean" or "you know" between a clause and a new subject: the speaker started the
    sentence over there ("we're improving the kettles I mean it's fascinating…"). With the
    filler dropped, the two clauses would read as one sentence that says neither."""
    if not drop:
        return False
    low = [norm(w) for w in words]
    for i in sorted(drop):
        if i - 1 in drop or low[i : i + 2] not in RESTART_FILLERS:
            continue
        after = i
        while after in drop:
            after += 1
        before = low[i - 1]
        if (
            after < len(low)
            and low[after] in CLAUSE_SUBJECTS
            and before not in STOPWORDS
            and before not in SAYING
            and not words[i - 1].endswith((",", ";", ":"))
        ):
            return True
    return False


def general_claim(words: Words, low: Words | None = None) -> bool:
    """A claim in the present about the subject, not a story: "Fixing a toaster and selling
    one are two unrelated skills.", "The way to keep a bicycle running is to use standard
    parts." (no past tense, no first person singular)."""
    low = list(low) if low is not None else [norm(w) for w in words]
    if any(w in PAST or w in FIRST_PERSON or w == "i" for w in low):
        return False
    for i, w in enumerate(low):
        if w in PRESENT or w.endswith(("'s", "'re")):
            # said of what the line does not name: "Edible kettles, it's the future."
            subject = low[i - 1] if i else ""
            after_of = i > 1 and low[i - 2] in OPENERS_WITHOUT_SUBJECT  # "part of it is"
            return not (w in POINTED_PRESENT or (subject in POINTED_SUBJECTS and not after_of))
    return False


DUMMY_IT = frozenset("is was".split())


def referential_it(words: Words) -> bool:
    """Opens with an "it" that stands for something said before ("It might not even work
    with the old set."), not the "it" of "It's hard to…" or "It's useful to…"."""
    low = [norm(w) for w in words[:6]]
    if not low or low[0] not in {"it", "it's"}:
        return False
    if low[0] == "it's" or (len(low) > 1 and low[1] in DUMMY_IT):
        said = low[1:] if low[0] == "it's" else low[2:]
        if said[:1] and said[0] in DETERMINERS:
            return True  # "It's a huge city", "It is an age group to…"
        return not {"to", "that"} & set(said)  # "It's hard to…", "It is clear that…"
    return True
