"""Each transcript format loads into the same segments, speakers and times."""

from __future__ import annotations

import json
import warnings

import pytest

from bot.sources.readers import load_bytes, load_path
from bot.sources.readers.load import detect_format
from summarizers.clean import clean, norm
from summarizers.extractive import ExtractiveSummarizer
from tests.support.data import FIXTURES

FIRST = "Welcome back to Compost Corner. Today I'm talking with Tom Reyes about hot composting."
LAST = "Tom Reyes, thank you for joining us."


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("episode.srt", "srt"),
        ("episode.vtt", "vtt"),
        ("episode_bracket.vtt", "vtt"),
        ("episode.json", "json"),
        ("episode_labelled.txt", "text"),
        ("episode_names.txt", "text"),
        ("episode.html", "html"),
        ("episode_rev.txt", "text"),
        ("episode_otter.txt", "text"),
        ("episode_zoom.vtt", "vtt"),
        ("episode_whisper.json", "json"),
        ("episode_cite.html", "html"),  # the Podcasting 2.0 HTML transcript layout
        ("episode.ttml", "ttml"),
    ],
)
def test_speaker_formats_give_the_same_turns(name: str, fmt: str) -> None:
    t = load_path(FIXTURES / name)
    assert t.format == fmt
    assert len(t.segments) == 9
    assert t.segments[0].text == FIRST
    assert t.segments[-1].text == LAST
    assert [s.speaker for s in t.segments[:3]] == ["Priya", "Tom", "Priya"]
    for seg in t.segments:
        assert t.text[seg.offset : seg.offset + len(seg.text)] == seg.text


def test_a_bare_list_of_json_segments_loads_like_the_full_document() -> None:
    whole = load_path(FIXTURES / "episode.json")
    bare = json.dumps(json.loads((FIXTURES / "episode.json").read_text())["segments"])
    t = load_bytes(bare.encode(), source="segments.json")
    assert t.format == "json"
    assert [(s.text, s.speaker, s.start) for s in t.segments] == [
        (s.text, s.speaker, s.start) for s in whole.segments
    ]


@pytest.mark.parametrize(
    "name",
    [
        "episode.srt",
        "episode.vtt",
        "episode.json",
        "episode_labelled.txt",
        "episode_rev.txt",
        "episode_otter.txt",
        "episode_zoom.vtt",
        "episode_whisper.json",
        "episode_cite.html",
        "episode.ttml",
        "episode_apple.ttml",
    ],
)
def test_timed_formats_keep_start_times(name: str) -> None:
    t = load_path(FIXTURES / name)
    starts = [s.start for s in t.segments]
    assert starts[:4] == [0.0, 6.5, 15.0, 22.0] or starts[:4] == [0.0, 6.0, 15.0, 22.0]
    assert t.duration_seconds is not None
    assert t.duration_seconds >= 78


def test_untimed_names_have_no_times() -> None:
    t = load_path(FIXTURES / "episode_names.txt")
    assert all(s.start is None for s in t.segments)
    assert t.duration_seconds is None


def test_html_keeps_visible_text_only() -> None:
    t = load_path(FIXTURES / "episode.html")
    assert t.title == "Compost Corner: Hot Composting"
    for hidden in ("tracking", "margin", "Home | Episodes", "Copyright"):
        assert hidden not in t.text
    assert "Compost Corner: Hot Composting" not in t.text  # the title is not a line of speech


def test_ttml_times_count_from_their_parent_in_every_time_expression() -> None:
    # clock time, "6s", "15000ms", ticks at ttp:tickRate, and a div at 20 s holding a div
    # at 10 s (30 s in all) with a <p> at "00:00:04.000" and dur="12s" inside it
    t = load_path(FIXTURES / "episode.ttml")
    assert t.title == "Hot composting"
    assert [(s.start, s.end) for s in t.segments[:5]] == [
        (0.0, 6.0),
        (6.0, 15.0),
        (15.0, 22.0),
        (22.0, 34.0),
        (34.0, 46.0),
    ]
    # <br/> is a space, styling spans add nothing
    assert t.segments[4].text.startswith(
        "A pile that smells like ammonia has too much nitrogen, and"
    )


def test_apple_podcasts_ttml() -> None:
    """Apple's transcripts: times only on the words, in bare seconds and mm:ss.fff, one
    span per word with nothing between them, speakers as SPEAKER_n."""
    t = load_path(FIXTURES / "episode_apple.ttml")
    assert t.format == "ttml"
    assert t.segments[0].text == FIRST  # not "WelcomebacktoCompostCorner."
    assert [s.speaker for s in t.segments[:3]] == ["Speaker 1", "Speaker 2", "Speaker 1"]
    assert t.segments[7].start == 65.0  # "1:05.000"
    assert t.duration_seconds == 83.0
    s = ExtractiveSummarizer().run(t)
    assert all(q.verbatim in t.text for q in s.quotes)
    assert any(x.speaker == "Speaker 2" for x in s.takeaways)


def test_ttml_loads_without_beautifulsoup_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = load_bytes((FIXTURES / "episode.ttml").read_bytes(), source="captions.xml")
    assert t.format == "ttml"


def test_html_blocks_and_breaks_make_lines_however_deep() -> None:
    from bot.sources.readers.formats import html_to_lines

    page = (
        "<html><head><title>T</title></head><body>"
        "<div>Priya: Welcome back.</div>Tom: Thanks for having me."
        "<p>Priya: First question<br>about heat.</p><span>Tom: It gets </span><b>hot.</b>"
        "<script>var tracking = 1;</script></body></html>"
    )
    lines, title = html_to_lines(page)
    assert title == "T"
    assert lines == [
        "Priya: Welcome back.",
        "Tom: Thanks for having me.",
        "Priya: First question",
        "about heat.",
        "Tom: It gets hot.",
    ]
    # a hostile page nests 20,000 blocks: read in one pass (inserting the line breaks into
    # the tree took time quadratic in the depth: minutes at 100,000)
    depth = 20_000
    deep = "<html><body>" + "<div>" * depth + "<p>Priya: still here</p>" + "</div>" * depth
    lines, _ = html_to_lines(deep + "</body></html>")
    assert lines == ["Priya: still here"]


def test_caption_export_header_is_kept_out() -> None:
    t = load_path(FIXTURES / "caption_export.txt")
    assert t.title == "Hot Composting With Tom Reyes"
    assert t.show == "Compost Corner"
    for header_only in (
        "Topics Covered",
        "Browns and greens",
        "carbon to nitrogen ratio",
        "Full Transcript",
    ):
        assert header_only not in t.text
    assert t.text.startswith("Welcome back to Compost Corner.")
    # caption lines stay lines, so verbatim quotes are substrings of the file itself
    assert t.text in (FIXTURES / "caption_export.txt").read_text()


def test_detected_by_content_not_by_name() -> None:
    vtt = (FIXTURES / "episode.vtt").read_bytes()
    t = load_bytes(vtt, source="transcript.txt")
    assert t.format == "vtt"
    assert detect_format((FIXTURES / "episode.srt").read_text(), "notes.txt") == "srt"
    assert detect_format((FIXTURES / "episode.json").read_text(), "x.srt") == "json"
    assert detect_format((FIXTURES / "episode.html").read_text(), "x.txt") == "html"
    assert detect_format((FIXTURES / "episode_apple.ttml").read_text(), "x.xml") == "ttml"


def test_labelled_text_formats() -> None:
    text = "\n".join(
        [
            "(12:03) Ana: First we measured the soil temperature in every bed twice a day.",
            "(12:10) Ben: The readings showed the north beds stayed four degrees colder in spring.",
            "[01:02:03.5] Ana: So we moved the tomatoes south and the yield doubled that season.",
            "Ben: Nobody expected such a large change from such a small move in the garden plan.",
            "It also saved water, because the southern beds drained much better after heavy rain.",
        ]
    )
    t = load_bytes(text.encode())
    assert [s.speaker for s in t.segments] == ["Ana", "Ben", "Ana", "Ben", "Ben"]
    assert [s.start for s in t.segments[:3]] == [723.0, 730.0, 3723.5]
    assert t.segments[0].text.startswith("First we measured")


def test_speaker_headings_above_their_turns() -> None:
    """Exports that put the speaker (and time) on a line of its own, the words below it."""
    text = "\n".join(
        [
            "Hot Beds Episode 4",
            "",
            "*Ana (1:02:03)*",
            "First we measured the soil temperature in every bed twice a day,",
            "morning and evening, for a whole month.",
            "",
            "Ben [01:02:20]",
            "The readings showed the north beds stayed four degrees colder in spring.",
            "",
            "ANA:",
            "So we moved the tomatoes south and the yield doubled that season.",
            "Ben (01:03:10): Nobody expected such a large change from such a small move in "
            "the garden plan.",
        ]
    )
    t = load_bytes(text.encode())
    assert [(s.speaker, s.start) for s in t.segments] == [
        (None, None),
        ("Ana", 3723.0),
        ("Ben", 3740.0),
        ("ANA", None),
        ("Ben", 3790.0),
    ]
    assert t.segments[1].text == (
        "First we measured the soil temperature in every bed twice a day, morning and "
        "evening, for a whole month."
    )
    # a heading's line is a label, never words of the turn
    for label in ("(1:02:03)", "Ben [", "ANA:"):
        assert label not in t.text
    assert t.segments[-1].text.startswith("Nobody expected")


def test_inline_name_and_time_labels() -> None:
    text = "\n".join(
        [
            "Ana (12:03): First we measured the soil temperature in every bed twice a day.",
            "Ben [00:12:10]: The readings showed the north beds stayed four degrees colder.",
            "Ana (12:31): So we moved the tomatoes south and the yield doubled that season.",
        ]
    )
    t = load_bytes(text.encode() * 2)
    assert [(s.speaker, s.start) for s in t.segments[:3]] == [
        ("Ana", 723.0),
        ("Ben", 730.0),
        ("Ana", 751.0),
    ]
    assert t.segments[0].text.startswith("First we measured")


def test_prose_with_headings_is_not_split_into_turns() -> None:
    """Short lines of prose ("Introduction") are not speaker headings, and a paper's
    section titles with no words under them do not make one."""
    para = "It has several lines of ordinary prose that mention no speakers at all. " * 3
    text = "\n".join(["Introduction", para, "Methods", para, "Results", para])
    t = load_bytes(text.encode())
    assert all(s.speaker is None for s in t.segments)
    assert t.text.startswith("Introduction")
    text = "\n".join(["Contents:", "Part One:", para, "Part Two:", para, "Part Three:", para])
    t = load_bytes(text.encode())
    assert all(s.speaker is None for s in t.segments)
    assert t.text.startswith("Contents:\nPart One:")


def test_cues_with_one_name_label_keep_their_text() -> None:
    """One cue that starts "Note: ..." in a subtitle file without speakers stays text."""
    cues = [
        "Note: the first frost came early this year, so we covered the beds.",
        "The covers kept the soil warm enough for the roots to keep growing.",
        "Most of the lettuce made it through the cold week without damage.",
        "Next spring we will start the seedlings a fortnight later than usual.",
        "The garlic went in before the frost and should be ready by early summer.",
        "We will also try a second cover over the carrots to see if it helps them.",
    ]
    vtt = "WEBVTT\n\n" + "".join(
        f"00:00:{i * 5:02d}.000 --> 00:00:{i * 5 + 5:02d}.000\n{c}\n\n" for i, c in enumerate(cues)
    )
    t = load_bytes(vtt.encode())
    assert all(s.speaker is None for s in t.segments)
    assert t.segments[0].text.startswith("Note: the first frost")


def test_prose_with_a_colon_is_not_speaker_labelled() -> None:
    text = (
        "Note: this is an essay rather than a conversation between people. " * 3
        + "\n"
        + "It has several lines of ordinary prose that mention no speakers at all. " * 3
        + "\n"
        + "A third line keeps going with more words about nothing in particular. " * 3
    )
    t = load_bytes(text.encode())
    assert all(s.speaker is None for s in t.segments)
    assert t.segments[0].text.startswith("Note: this is an essay")


def test_youtube_automatic_captions() -> None:
    """YouTube's automatic captions: each cue starts with a line of one space, repeats the
    previous cue's line above the new words, and times each word with inline tags; a 10 ms
    cue in between repeats the line again. Every word is read once, in order."""
    t = load_path(FIXTURES / "episode_youtube.vtt")
    assert t.format == "vtt"
    assert "<c>" not in t.text
    assert "00:00" not in t.text
    labelled = (FIXTURES / "episode_labelled.txt").read_text()
    said = [norm(w) for line in labelled.splitlines() for w in line.split(": ", 1)[1].split()]
    heard = [norm(w) for u in clean(t) for w in u.words]
    assert heard == [w for w in said if w]
    assert t.segments[2].start == 2.51
    # without punctuation, sentence ends are guessed: the summary says so
    assert any("almost no punctuation" in note for note in t.notes)
    assert not load_path(FIXTURES / "episode.vtt").notes
    assert not load_path(FIXTURES / "caption_export.txt").notes


def _said(name: str = "episode_labelled.txt") -> str:
    """The invented episode's words, without labels, in one line."""
    lines = (FIXTURES / name).read_text().splitlines()
    return " ".join(line.split(": ", 1)[1] for line in lines if line.strip())


def test_times_on_lines_of_their_own() -> None:
    """A transcript copied from YouTube's transcript panel: a time, then the words said from
    then on. The times are read as times, never as words."""
    t = load_path(FIXTURES / "episode_timestamps.txt")
    assert " ".join(s.text for s in t.segments) == _said()
    assert [s.start for s in t.segments[:4]] == [0.0, 4.0, 6.0, 10.0]
    assert all(s.speaker is None for s in t.segments)
    assert t.duration_seconds is not None
    assert t.duration_seconds >= 78
    # newer copies add the time in words under each time; with labels, speakers are kept
    lines = (FIXTURES / "episode_timestamps.txt").read_text().splitlines()
    spoken = []
    for line in lines:
        spoken.append(line)
        if ":" in line and line.replace(":", "").isdigit():
            minutes, seconds = line.split(":")
            spoken.append(f"{int(minutes)} minutes, {int(seconds)} seconds")
    t = load_bytes("\n".join(spoken).encode())
    assert " ".join(s.text for s in t.segments) == _said()
    labelled = (FIXTURES / "episode_labelled.txt").read_text().splitlines()
    timed = []
    for line in labelled:
        hours, minutes, seconds = (int(x) for x in line[1:9].split(":"))
        timed += [f"{hours * 60 + minutes}:{seconds:02d}", line[11:]]  # "0:06", "Tom: ..."
    t = load_bytes("\n".join(timed).encode())
    assert [s.speaker for s in t.segments[:3]] == ["Priya", "Tom", "Priya"]
    assert [s.start for s in t.segments[:3]] == [0.0, 6.0, 15.0]
    # a time under a speaker's heading goes on with that speaker
    pieces = _said().split(". ")
    mixed = ["Priya (0:00):", pieces[0], "0:05", pieces[1], "Tom (0:09):", pieces[2]]
    mixed += ["0:14", ". ".join(pieces[3:])]
    t = load_bytes("\n".join(mixed).encode())
    assert [(s.speaker, s.start) for s in t.segments] == [
        ("Priya", 0.0),
        ("Priya", 5.0),
        ("Tom", 9.0),
        ("Tom", 14.0),
    ]


def test_hostile_spacing_is_read_in_one_pass() -> None:
    """Thousands of spaces after a name or a time, or before anything in the first lines
    (where a "Full Transcript" marker is looked for): each pattern reads a line once
    (several `\\s*` in a row backtracked in cubic or quadratic time: 400 spaces after a
    name took 12 s, 40,000 spaces before a word 13 s)."""
    lines = (FIXTURES / "episode_timestamps.txt").read_text().splitlines()
    hostile = ["Ana" + " " * 5000 + "said this", "0:01" + "\t" * 5000 + "x", " \t" * 200_000 + "x"]
    t = load_bytes("\n".join(hostile + lines).encode())
    assert t.text.startswith("Ana")
    assert " ".join(s.text for s in t.segments).endswith(_said())


def test_a_cue_of_unclosed_tags_is_read_in_one_pass() -> None:
    """Tags are cut from cue text with a pattern that stops at the next "<": `<[^>]+>`
    rescanned the rest of the cue from every "<" (20,000 of them took 1.7 s)."""
    vtt = (FIXTURES / "episode.vtt").read_text()
    hostile = vtt + "\n00:01:30.000 --> 00:01:31.000\n" + "<!--" * 200_000 + "\n"
    t = load_bytes(hostile.encode())
    assert t.segments[-1].text.startswith("<!--<!--")
    assert t.segments[0].text == FIRST
