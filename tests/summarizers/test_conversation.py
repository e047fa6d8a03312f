"""Who hosts a conversation: the interviewer is the one whose turns end by asking."""

from __future__ import annotations

from summarizers.clean import clean
from summarizers.conversation import roles
from summarizers.model import RawSegment, Transcript


def _talk(turns: list[tuple[str | None, str]]) -> Transcript:
    return Transcript.build([RawSegment(text, speaker=who) for who, text in turns])


ANSWER = "We repair about forty kettles a month, mostly with new switches and seals."


def test_the_host_hands_over_with_questions() -> None:
    turns = []
    for n in range(8):
        turns.append(("Rosa", f"Your cafe opened {n + 2} years ago. What did you fix first?"))
        # the guest asks too, but mid-answer (a rhetorical question)
        turns.append(("Ivo", f"Why kettles? {ANSWER} It took {n + 3} Saturdays to learn."))
    # an announcer with a line or two (the show's intro) is neither host nor guest
    turns.insert(0, ("Announcer", "Workbench Radio, the weekly show about fixing things."))
    units = clean(_talk(turns))
    found = roles(units)
    assert (found.kind, found.host, found.guests) == ("interview", "Rosa", {"Ivo"})
    assert {u.speaker for u in units if found.is_host_line(u)} == {"Rosa", "Announcer"}


def test_four_voices_are_a_meeting_and_equals_have_no_host() -> None:
    meeting = [(who, f"{ANSWER} Shall we vote?") for who in "ABCD" * 3]
    assert roles(clean(_talk(meeting))).kind == "meeting"
    equals = [(who, f"{ANSWER} Do you agree?") for who in "AB" * 4]
    assert roles(clean(_talk(equals))).host is None
    alone = [("A", ANSWER)] * 5
    assert roles(clean(_talk(alone))).kind == "monologue"


def test_without_labels_the_framing_before_a_question_is_the_hosts() -> None:
    turns: list[tuple[str | None, str]] = []
    for n in range(4):
        turns.append((None, f"You wrote a whole book about the {n + 1} broken radios you kept."))
        turns.append((None, "So what made you keep them?"))
        turns.append((None, ANSWER))
    units = clean(_talk(turns))
    found = roles(units)
    assert found.kind == "interview"
    framed = [u.display for u in units if found.is_host_line(u)]
    assert framed
    assert all(line.startswith("You wrote") for line in framed)


def test_without_labels_a_point_put_for_agreement_before_a_question_is_the_hosts() -> None:
    turns: list[tuple[str | None, str]] = []
    for n in range(4):
        turns.append((None, "A thing every cafe argues about is spare parts, right?"))
        turns.append((None, f"And where to keep the {n + 2} drawers of them."))
        turns.append((None, "Do you have a rule for what gets kept?"))
        turns.append((None, ANSWER))
        # the guest asks for agreement too, but no question to "you" follows
        turns.append((None, "Seals are the cheapest fix there is, right?"))
        turns.append((None, ANSWER))
    units = clean(_talk(turns))
    found = roles(units)
    framed = {u.display for u in units if found.is_host_line(u)}
    assert "A thing every cafe argues about is spare parts, right?" in framed
    assert "And where to keep the 2 drawers of them." in framed
    assert not any(line.startswith(("Seals", "We repair")) for line in framed)


def test_who_opens_the_show_and_asks_is_its_host() -> None:
    """A guest who ends more turns with a (rhetorical) question than the host does is no
    host: the host is the one who opens the show and also hands over with questions."""
    turns: list[tuple[str | None, str]] = [
        ("Rosa", "Welcome to Workbench Radio, the weekly show about fixing things."),
        ("Rosa", "My guests today are Ivo and Lena, who run a repair cafe."),
    ]
    for n in range(3):
        turns.append(("Rosa", f"Ivo, what broke most often in year {n + 1}?"))
        turns.append(("Ivo", f"{ANSWER} And who would throw a kettle away for a fuse?"))
        turns.append(("Lena", f"{ANSWER} It took {n + 3} Saturdays to learn."))
        turns.append(("Rosa", f"{ANSWER} That is a lot of kettles."))
    turns.append(("Ivo", f"{ANSWER} Why buy new when the old one works?"))
    found = roles(clean(_talk(turns)))
    assert (found.kind, found.host, found.guests) == ("interview", "Rosa", {"Ivo", "Lena"})


def test_without_labels_the_opening_before_the_first_question_is_the_hosts() -> None:
    intro = [
        "Ivo Marsh has run the Mill Lane repair cafe for eleven years.",
        "We talked about kettles, seals and why spare parts are so hard to find.",
    ]
    turns: list[tuple[str | None, str]] = [(None, line) for line in intro]
    for n in range(12):
        turns.append((None, f"What did you fix in year {n + 1}?"))
        turns.append((None, ANSWER))
    units = clean(_talk(turns))
    found = roles(units)
    assert found.kind == "interview"
    assert {u.display for u in units[:2] if found.is_host_line(u)} == set(intro)
    assert not any(found.is_host_line(u) for u in units if u.display == ANSWER)
    # a first question late in the show leaves what came before it to the speakers
    opening = [f"In year {n + 1} the cafe fixed {n + 20} toasters and a radio." for n in range(30)]
    units = clean(_talk([(None, line) for line in opening] + turns[2:]))
    found = roles(units)
    assert not any(found.is_host_line(u) for u in units if u.display in opening)
