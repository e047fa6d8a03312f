"""Cleaning drops repeats, fillers and stutters, and never loses the way back."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizers.clean import MAX_UNIT_WORDS, clean, norm, soft_fillers
from summarizers.model import RawSegment, Transcript


def _t(*lines: str, speaker: str | None = None, keep_lines: bool = True) -> Transcript:
    return Transcript.build(
        [RawSegment(line, speaker=speaker) for line in lines], keep_line_breaks=keep_lines
    )


def _display(t: Transcript) -> str:
    return " ".join(u.display for u in clean(t))


def test_rolling_caption_tail_is_dropped() -> None:
    t = _t(
        "the compost pile needs air and water to stay warm. We turn it",
        "We turn it every four days with a fork.",
    )
    assert _display(t) == (
        "The compost pile needs air and water to stay warm. We turn it every four days with a fork."
    )


def test_line_equal_to_previous_tail_is_dropped() -> None:
    t = _t("Microbes do the work. And so we wait.", "And so we wait.", "Then we sift it.")
    assert _display(t).count("And so we wait") == 1


def test_two_word_overlap_is_not_a_repeat() -> None:
    t = _t("I put it in the bin", "in the morning before work.")
    assert "in the bin in the morning" in _display(t)


def test_fillers_and_stutters_are_dropped_for_display() -> None:
    t = _t("So uh the the pile gets um really hot, p pretty quickly in in the summer.")
    assert _display(t) == "So the pile gets really hot, pretty quickly in the summer."


def test_phrase_repeats_are_dropped() -> None:
    t = _t("We talked about the research behind it in the in the space of models.")
    assert "in the space of models" in _display(t)
    assert "in the in the" not in _display(t)


def test_grammatical_doubles_are_kept() -> None:
    t = _t("I know that that is true, and what he had had was enough for the season.")
    assert "that that" in _display(t)
    assert "had had" in _display(t)


def test_is_is_is_a_stutter_unless_it_closes_a_clause() -> None:
    assert "reality is is" not in _display(_t("The reality is is that soil is alive."))
    assert "what it is is" in _display(_t("I know what it is is a question of water."))


def test_doubled_contractions_and_so_are_stutters() -> None:
    shown = _display(_t("We'll we'll sift it and so so the worms stay, that's that's the trick."))
    assert shown == "We'll sift it and so the worms stay, that's the trick."


def _kept(sentence: str) -> str:
    words = sentence.split()
    drop = soft_fillers(words)
    return " ".join(w for i, w in enumerate(words) if i not in drop)


def test_soft_fillers_go_only_where_they_are_fillers() -> None:
    assert _kept("the pile, you know, gets hot") == "the pile, gets hot"
    assert _kept("we turn it you know every week") == "we turn it every week"
    assert _kept("it is I mean mostly leaves") == "it is mostly leaves"
    assert _kept("the soil was kind of dry") == "the soil was dry"
    assert _kept("the pile is warm and you know , damp") == "the pile is warm and damp"
    assert _kept("we sort of gave up on it") == "we gave up on it"
    # verbs and nouns stay
    for kept in (
        "do you know what it needs",
        "if you know the answer say it",
        "what I mean is simple",
        "a kind of fungus grows",
        "what sort of bin works",
        "as you know the bins are full",
    ):
        assert _kept(kept) == kept
    # never the first or the last words
    assert _kept("you know it works") == "you know it works"
    assert _kept("it works, you know") == "it works, you know"


def test_run_on_sentences_are_split() -> None:
    words = (
        "we planted beans along the fence and the beans climbed the wire and then the "
        "squirrels found them so we put a net over them but the net tore in the wind "
        "because it was cheap and we learned to buy better nets for next year"
    )
    units = clean(_t(words + "."))
    assert len(units) > 1
    assert all(len(u.words) <= 60 for u in units)
    assert max(len(u.words) for u in units) <= MAX_UNIT_WORDS + 20


def test_sentences_split_at_speaker_change() -> None:
    t = Transcript.build(
        [
            RawSegment("I think the soil is ready", speaker="A"),
            RawSegment("it still looks wet to me", speaker="B"),
        ]
    )
    units = clean(t)
    assert [u.speaker for u in units] == ["A", "B"]


def test_units_map_back_to_verbatim_span_time_and_speaker() -> None:
    t = Transcript.build(
        [
            RawSegment(
                "Um, hello there. The the bins are full.", start=10.0, end=14.0, speaker="Ana"
            ),
            RawSegment("We emptied them on Tuesday.", start=14.0, end=16.0, speaker="Ben"),
        ]
    )
    units = clean(t)
    assert [u.display for u in units] == [
        "Hello there.",
        "The bins are full.",
        "We emptied them on Tuesday.",
    ]
    second = units[1]
    # the span starts at the first kept word: the stutter before it is not part of it
    assert t.text[second.start_char : second.end_char] == "the bins are full."
    assert second.speaker == "Ana"
    assert second.start_seconds is not None
    assert 10.0 < second.start_seconds < 14.0
    assert units[2].start_seconds == 14.0
    assert units[2].speaker == "Ben"


def test_noise_markers_are_dropped() -> None:
    t = _t("OK , so {disfmarker} we 're on {vocalsound} . Check the mike .")
    assert "disfmarker" not in _display(t)
    assert "vocalsound" not in _display(t)
    assert "we're on." in _display(t)


_WORD = st.sampled_from(
    "the a uh um so and compost pile heat the the water air I you know p pretty in in "
    "worms soil. leaves, carbon? nitrogen!".split()
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(_WORD, min_size=1, max_size=25).map(" ".join), min_size=1, max_size=12),
    st.booleans(),
)
def test_cleaning_never_invents_words(lines: list[str], keep_lines: bool) -> None:
    t = _t(*lines, keep_lines=keep_lines)
    source_words = [norm(w) for w in t.text.split()]
    for u in clean(t):
        verbatim = t.text[u.start_char : u.end_char]
        assert verbatim
        verbatim_words = [norm(w) for w in verbatim.split()]
        # display words are the verbatim words, in order, with some left out
        it = iter(verbatim_words)
        assert all(norm(w) in it for w in u.words)
        for w in u.words:
            assert norm(w) in source_words
        assert all(t.text[o:].startswith(w) for o, w in zip(u.offsets, u.words, strict=True))


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=400))
def test_cleaning_survives_any_text(text: str) -> None:
    t = _t(*text.splitlines() or [text])
    for u in clean(t):
        assert t.text[u.start_char : u.end_char].strip()
        assert re.sub(r"\s+", " ", u.display).strip()


def test_a_word_said_again_around_a_broken_piece_is_said_once() -> None:
    shown = _display(_t("Each shelf holds two sh two kettles, and I th I think that is plenty."))
    assert shown == "Each shelf holds two kettles, and I think that is plenty."
    # laughter is no broken word, and a real short word between two says stays
    assert "ha ha ha" in _display(_t("He laughed ha ha ha and went home."))
    assert "day by day" in _display(_t("It grows day by day in the shed."))


def test_a_piece_of_a_word_said_whole_after_it_leaves_the_display() -> None:
    shown = _display(
        _t("You only have to spea fill out the speaker form once, the voca vocabulary too.")
    )
    assert shown == "You only have to fill out the speaker form once, the vocabulary too."
    # a real short word before a longer one stays, and so does a piece said whole before it
    assert "they tick the ticket" in _display(_t("So they tick the ticket box at the door."))
    assert "the speaker said spea" in _display(_t("Then the speaker said spea to the room."))


def test_broken_off_letters_and_doubled_commas_leave_the_display() -> None:
    shown = _display(_t("We bought the new s this blue kettle, and it would l would last a year."))
    assert " s " not in f" {shown} "
    assert " l " not in f" {shown} "
    assert "new this blue kettle" in shown
    # meeting transcripts space their punctuation: ", um ," would show as ",,"
    assert ",," not in _display(_t("yeah , um , the kettle works fine now ."))
    assert "a and b" in _display(_t("Plan a and b are both fine."))  # "a" is a word
    # a word broken off and said whole; a short word before a longer one stays
    assert "more complex for" in _display(_t("It is more comp complex for most of us."))
    assert "to today's" in _display(_t("We go to today's fair and the car carries tools."))


def test_a_capital_letter_broken_off_at_a_sentence_start_leaves_the_display() -> None:
    assert _display(_t("W it's my guess that the kettle needs a fuse.")).startswith("It's my")
    assert _display(_t("The fuse went. S the question is where.")).endswith(
        ". The question is where."
    )
    # a letter named as the subject, or a letter inside a sentence, stays
    assert _display(_t("B is the better plan for the kettles.")).startswith("B is")
    assert "plan B the volunteers" in _display(_t("We chose plan B the volunteers liked."))


def test_two_letters_with_no_vowel_are_a_word_broken_off() -> None:
    assert _display(_t("We fixed it and th now the kettle holds.")) == (
        "We fixed it and now the kettle holds."
    )
    # a sound and a unit after a number are said whole
    assert "add 5 ml of oil" in _display(_t("Then add 5 ml of oil to the hinge."))
    assert "sh the" in _display(_t("She said sh the baby sleeps."))


def test_a_filler_said_between_commas_takes_its_comma_along() -> None:
    assert _display(_t("The start of, uh, modern repair cafes was in Amsterdam.")) == (
        "The start of modern repair cafes was in Amsterdam."
    )
    # an aside that stays keeps its commas; a comma after a word that can end a phrase stays
    assert "instead of, say, a kettle" in _display(_t("Bring a toaster instead of, say, a kettle."))
    assert "toasters, kettles" in _display(_t("We fix toasters, um, kettles and lamps."))


def test_units_know_whether_they_end_their_sentence() -> None:
    words = " and ".join(["the kettle was fixed by the volunteers at the library"] * 8)
    units = clean(_t(words + "."))
    assert len(units) > 1
    assert [u.sentence_end for u in units] == [False] * (len(units) - 1) + [True]
    assert [u.sentence_start for u in units] == [True] + [False] * (len(units) - 1)


def test_a_sentence_never_ends_comma_full_stop() -> None:
    assert "away,." not in _display(_t("it slides back in when it is put away , ."))
    assert _display(_t("it slides back in when it is put away , .")).endswith("away.")
