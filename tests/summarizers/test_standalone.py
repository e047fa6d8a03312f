"""The signs that a spoken line does not stand alone, on lines written for the project."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from summarizers.clean import soft_fillers
from summarizers.standalone import (
    bare_noun_phrase,
    clipped,
    concrete,
    conversational,
    general_claim,
    opinion_prefix,
    personal,
    references,
    restarted_at_filler,
    restarts,
    signpost,
    verbless,
)
from tests.support.data import ROOT


def _w(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize(
    ("line", "least"),
    [
        ("The easiest people for them to bring their kettles to is the library.", 1.0),
        ("I think that would change the way people see repair.", 1.0),
        ("At that time the shop sold only new bicycles.", 1.0),
        ("You have to take that into account when you price a repair.", 1.0),
        ("Volunteers keep a drawer of spare parts over there by the door.", 0.5),
        ("The main volunteer group there is the retired electricians.", 0.5),
    ],
)
def test_a_line_pointing_at_what_it_does_not_name(line: str, least: float) -> None:
    assert references(_w(line)) >= least


@pytest.mark.parametrize(
    ("line", "pointing"),
    [
        ("The chances of a repair at the cafe were much higher.", True),
        ("The nature of the repairs and the parts are very different.", True),
        ("Repairs at the cafe are much cheaper than new kettles.", False),
        ("If we add a fuse, the repair costs are higher.", False),
        ("Kettles are cheap but toasters are different.", False),
    ],
)
def test_a_comparison_with_what_the_line_does_not_say_points_back(
    line: str, pointing: bool
) -> None:
    assert (references(_w(line)) >= 1) is pointing


def test_this_and_a_noun_point_a_little_unless_the_line_named_it() -> None:
    assert references(_w("The problem with this regulation is that kettles break.")) == 0.25
    assert references(_w("These volunteers fix most kettles in an hour.")) == 0.25
    assert references(_w("A new regulation came, and this regulation bans glue.")) == 0.0
    assert references(_w("There's this idea that every kettle needs a new switch.")) == 0.0


@pytest.mark.parametrize(
    "line",
    [
        "A repair cafe teaches people that a toaster is not a mystery.",
        "The council, in its wisdom, charges for bulky waste collection.",
        "The first repair is the hardest; after that, every broken lamp looks like a puzzle.",
        "I'm expecting that by spring the parts drawer will be full again.",
        "There is a shortage of spare valves for old radios.",
        "I think there is a shortage of spare valves for old radios.",
        "In 2019, there was a shortage of spare valves for old radios.",
    ],
)
def test_a_line_that_names_what_it_speaks_of(line: str) -> None:
    assert references(_w(line)) < 1


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("I usually might start with the kettles on a Saturday.", True),
        ("I'll send the list of parts to Marcus tomorrow.", True),
        ("I dunno about you guys but the room was cold.", True),
        ("Exactly, I will save this into the shared folder.", True),
        ("I think repair pays for itself within a year.", False),
        ("I don't think a glued case can ever be opened safely.", False),
        ("I'm sure standard screws would make every repair faster.", False),
        ("I think hope I'm not breaking the soldering iron.", True),
        ("I hope the council keeps the depot open next year.", True),
        ("Most broken lamps need nothing more than a new switch.", False),
    ],
)
def test_the_speakers_own_story_or_small_talk(line: str, expected: bool) -> None:
    assert personal(_w(line)) is expected


def test_an_opinion_prefix_is_read_past() -> None:
    assert opinion_prefix(_w("I think that repair pays.")) == 3
    assert opinion_prefix(_w("I don't really believe it.")) == 4
    assert opinion_prefix(_w("I'm not convinced of that.")) == 3
    assert opinion_prefix(_w("I fixed it yesterday.")) == 0


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Fixing old radios, kettles and so on.", True),
        ("At the back of the toaster itself.", True),
        ("And then just to put the main rule of the cafe in words.", True),
        ("Keeping the parts drawer full which might help the volunteers.", True),
        ("Fixing old radios is the best way to learn soldering.", False),
        ("In the first year we repaired four hundred lamps.", False),
        ("Most broken lamps need a new switch.", False),
        # a name in -ed is no past tense
        ("At least in the United Kingdom, which is where most kettles get fixed.", True),
        ("In the United Kingdom the council opened a repair depot.", False),
    ],
)
def test_a_phrase_with_no_finite_verb(line: str, expected: bool) -> None:
    assert verbless(_w(line)) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("The blue switch at the back and the fuse.", True),
        ("A little rubber foot for the bottom of the toaster.", True),
        ("The council lent the depot for a year.", False),
        ("The kids love old radios.", False),
        ("The volunteers fixed forty kettles.", False),
        ("The toaster is older than me.", False),
        # (a known limit: a plural further on reads as a verb)
        ("Most broken lamps and the blue switch.", False),
        # the verbs after "that"/"who" are a relative clause's; an opening -ed is the noun's
        ("The added charge that goes with every repair that doesn't last.", True),
        ("The cost that goes with every repair is small.", False),
        ("The reason that it breaks is the fuse.", False),
        # a determiner opens it too; the plural right after it is the noun
        ("Our repair expert Sam Okafor on the kettle watching.", True),
        ("Our volunteers fix kettles on Saturdays.", False),
        ("Our volunteers repaired forty lamps.", False),
        # a participle is no finite verb
        ("The fact that there is no spare fuse before the opening.", True),
        ("The volunteer holding the kettle by its broken handle.", True),
    ],
)
def test_a_bare_noun_phrase(line: str, expected: bool) -> None:
    assert bare_noun_phrase(_w(line)) is expected


def test_signposts_the_room_and_clipped_openers() -> None:
    assert signpost("First of all, let me explain what a repair cafe is.")
    assert signpost("As you can see, the toaster has a removable crumb tray.")
    assert not signpost("The first repair is the hardest.")
    assert signpost("The way a repair cafe works is, okay, you bring your kettle.")
    assert not signpost("The way to fix a kettle is to replace its switch.")
    assert conversational(_w("You can have volunteers who fix lamps."))
    assert conversational(_w("We could try that with the radios."))
    assert not conversational(_w("We know that most lamps need a switch."))
    assert clipped(_w("Be a bit odd to have a gold kettle."))
    assert clipped(_w("Overall have a big effect on how long kettles last."))
    assert not clipped(_w("Bring your broken toaster, and you will learn how it works."))
    assert restarts(_w("We sorted the valves by size, but Sure."))
    assert not restarts(_w("We sorted the valves with Marcus and I counted them."))


@pytest.mark.parametrize(
    ("line", "started_over"),
    [
        ("We keep improving the kettles I mean it's amazing how long they last.", True),
        ("We fixed the toaster you know we're getting faster at it.", True),
        ("I think you know it's the switch that goes first.", False),  # a clause after "think"
        ("We fixed the toaster, I mean, it's the third one this week.", False),  # an aside
        ("The kettle I mean the red one has a broken switch.", False),  # no new subject
    ],
)
def test_a_filler_between_a_clause_and_a_new_subject_starts_the_sentence_over(
    line: str, started_over: bool
) -> None:
    words = _w(line)
    assert restarted_at_filler(words, soft_fillers(words)) is started_over


def test_claims_and_concrete_statements() -> None:
    assert general_claim(_w("Standard screws are the reason old bicycles can be fixed."))
    assert not general_claim(_w("Standard screws were the reason we could fix it."))
    assert not general_claim(_w("I think standard screws are the reason."))
    # said of what the line does not name
    assert not general_claim(_w("Edible kettles, it's the future of repair."))
    assert not general_claim(_w("Solar toasters, they are the next thing."))
    assert general_claim(_w("The best part of it is that kettles are cheap to fix."))
    line = "Volunteers fixed 41 of 60 items brought to Lisbon last month."
    assert concrete(line, _w(line)) == 2
    line = "volunteers fix most lamps."
    assert concrete(line, _w(line)) == 0


_NOUNS = (
    "kettle toaster lamp radio bicycle blender heater kettlebell sewing-machine vacuum "
    "headphone clock camera printer speaker drill mixer fan iron guitar"
).split()


def _even_episode() -> str:
    """Twenty things each named in exactly three lines: which of them are the episode's
    subject is decided by a tie."""
    lines = []
    for i in range(len(_NOUNS)):
        a, b, c = _NOUNS[i], _NOUNS[(i + 7) % len(_NOUNS)], _NOUNS[(i + 13) % len(_NOUNS)]
        lines.append(
            f"Dana: The {a} on the second table needed a new {b} part, so the volunteers "
            f"borrowed one from the {c} drawer before lunch."
        )
    return "\n".join(lines) + "\n"


def test_the_summary_is_the_same_whatever_the_hash_seed(tmp_path: Path) -> None:
    """Ties between equally said words are broken by the word, not by a set's order: two
    processes with different hash seeds give the same summary."""
    episode = tmp_path / "even.txt"
    episode.write_text(_even_episode())
    script = (
        "import json, sys\n"
        "from bot.sources.readers import load_path\n"
        "from summarizers.base import SummaryOptions\n"
        "from summarizers.extractive import ExtractiveSummarizer\n"
        "s = ExtractiveSummarizer().run(load_path(sys.argv[1]), SummaryOptions(quotes=8))\n"
        "print(json.dumps([t.text for t in s.takeaways] + [q.text for q in s.quotes]))\n"
    )
    outs = set()
    for seed in ("1", "2", "3", "4", "5", "6"):
        done = subprocess.run(
            [sys.executable, "-c", script, str(episode)],
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=ROOT,
            check=True,
            timeout=60,
        )
        outs.add(done.stdout)
    assert len(outs) == 1, outs
    assert b"volunteers" in outs.pop()
