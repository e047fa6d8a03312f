"""Every kind of bad input gets a clear one-line message."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import TranscriptError
from bot.sources.readers import load_bytes, load_path
from summarizers.extractive import ExtractiveSummarizer
from tests.support.damage import Edit, damage, edits
from tests.support.data import FIXTURES


def _error(data: bytes, **kw: object) -> str:
    with pytest.raises(TranscriptError) as info:
        load_bytes(data, **kw)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("data", [b"", b"   \n\t  \r\n"])
def test_empty(data: bytes) -> None:
    assert "empty" in _error(data)


def test_binary() -> None:
    data = bytes(range(256)) * 40
    assert "binary" in _error(data, source="upload.mp3")


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio"),
        (b"\x00\x00\x00\x20ftypM4A ", "audio or video"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", ".docx"),
    ],
)
def test_common_wrong_files_are_named(head: bytes, kind: str) -> None:
    message = _error(head + bytes(range(256)) * 40, source="episode")
    assert kind in message
    assert "transcript" in message


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(encoding: str) -> None:
    text = (FIXTURES / "episode_names.txt").read_text()
    t = load_bytes(text.encode(encoding))
    assert t.text == load_bytes(text.encode()).text
    assert any(encoding.upper() in note for note in t.notes)


def test_too_large_is_refused_with_the_setting_name() -> None:
    data = (FIXTURES / "episode.vtt").read_bytes()
    message = _error(data, max_bytes=100)
    assert "limit" in message
    assert "PODBRIEF_MAX_TRANSCRIPT_BYTES" in message


def test_too_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 5000)
    with pytest.raises(TranscriptError, match="over the"):
        load_path(big, max_bytes=1000)


def test_utf16_with_bom() -> None:
    text = (FIXTURES / "episode_names.txt").read_text()
    for encoding in ("utf-16-le", "utf-16-be"):
        bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
        t = load_bytes(bom + text.encode(encoding))
        assert t.segments[0].text.startswith("Welcome back")
        assert t.notes == ()


def test_utf8_bom_is_not_text() -> None:
    t = load_bytes(codecs.BOM_UTF8 + (FIXTURES / "episode.vtt").read_bytes())
    assert t.format == "vtt"
    assert "\ufeff" not in t.text


def test_cp1252_fallback_says_so() -> None:
    text = (FIXTURES / "episode_names.txt").read_text().replace("Reyes", "Réyes")
    t = load_bytes(text.encode("cp1252"))
    assert "Réyes" in t.text
    assert any("cp1252" in note for note in t.notes)


def test_malformed_srt_names_the_line() -> None:
    good = (FIXTURES / "episode.srt").read_text()
    lines = good.splitlines()
    lines[5] = "00:00:06,500 -> garbage"  # second cue's timing line
    message = _error("\n".join(lines).encode())
    assert "SubRip" in message
    assert "line 6" in message  # the broken timing line itself


def test_srt_cue_without_timing_names_the_line() -> None:
    """The srt library would fold such a cue into the one before it (number and all)."""
    lines = (FIXTURES / "episode.srt").read_text().splitlines()
    assert lines[4] == "2"
    del lines[5]  # the second cue's timing line
    message = _error("\n".join(lines).encode())
    assert "line 6" in message
    assert "cue 2" in message


def test_malformed_vtt_names_the_line() -> None:
    lines = (FIXTURES / "episode.vtt").read_text().splitlines()
    lines[6] = "00:00:06.500 --> 00:00:1"
    message = _error("\n".join(lines).encode())
    assert "WebVTT" in message
    assert "line 7" in message


def test_vtt_cue_without_timing_names_the_line() -> None:
    """webvtt-py skips a block with no timing line: its words would be lost silently."""
    lines = (FIXTURES / "episode.vtt").read_text().splitlines()
    assert "-->" in lines[5]
    del lines[5]  # the second cue's timing line
    message = _error("\n".join(lines).encode())
    assert "WebVTT" in message
    assert "line 6" in message


def test_vtt_notes_and_styles_are_not_cues() -> None:
    good = (FIXTURES / "episode.vtt").read_text()
    assert good.startswith("WEBVTT\n\n")
    extra = "WEBVTT\nKind: captions\n\nSTYLE\n::cue { color: lime }\n\nNOTE made for the tests\n\n"
    text = extra + good.removeprefix("WEBVTT\n\n")
    assert load_bytes(text.encode()).text == load_bytes(good.encode()).text


def test_vtt_without_header() -> None:
    text = (FIXTURES / "episode.vtt").read_text().replace("WEBVTT", "")
    assert "WEBVTT" in _error(text.encode(), source="x.vtt")


@pytest.mark.parametrize("time", ["NaN", "-5", "Infinity", "1e300"])
def test_json_times_must_be_real_seconds(time: str) -> None:
    body = " ".join(["word"] * 80)
    data = '{"segments": [{"startTime": ' + time + ', "endTime": 9, "body": "' + body + '"}]}'
    message = _error(data.encode())
    assert "segment 0" in message
    assert "negative, not a number or out of range" in message


_TT = '<tt xmlns="http://www.w3.org/ns/ttml"><body><div>{}</div></body></tt>'


def test_malformed_ttml_names_the_line() -> None:
    data = ('<?xml version="1.0"?>\n' + _TT.format("\n<p begin='1s'>Hi</span>\n")).encode()
    message = _error(data, source="captions.ttml")
    assert "malformed TTML file at line 3" in message


def test_ttml_entities_are_refused() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE tt [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n' + _TT.format("<p>&b;</p>")
    )
    assert "DOCTYPE" in _error(bomb.encode(), source="captions.ttml")


def test_ttml_nested_thousands_deep() -> None:
    deep = _TT.format("<p>" + "<span>" * 50_000 + "x" + "</span>" * 50_000 + "</p>")
    assert "nests too deeply" in _error(deep.encode(), source="captions.ttml")


def test_ttml_without_paragraphs_has_no_words() -> None:
    assert "no words" in _error(_TT.format("").encode(), source="captions.ttml")


def test_ttml_metadata_inside_a_paragraph_is_not_speech() -> None:
    words = " ".join(["compost"] * 70)
    cue = f'<p begin="1s"><metadata>caption by the night editor</metadata>{words}</p>'
    t = load_bytes(_TT.format(cue).encode(), source="captions.ttml")
    assert t.text == words


def test_ttml_times_it_cannot_read_are_left_out() -> None:
    words = " ".join(["compost"] * 70)
    cues = f'<p begin="soon" end="-5s">{words}</p><p begin="99999999h">{words}</p>'
    t = load_bytes(_TT.format(cues).encode(), source="captions.ttml")
    assert [s.start for s in t.segments] == [None, None]


def test_malformed_json() -> None:
    assert "JSON" in _error(b'{"segments": [{"body": "hi"}')


def test_json_nested_thousands_deep() -> None:
    deep = b'{"segments": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert "nests too deeply" in _error(deep, source="x.json")


def test_json_without_segments() -> None:
    assert "segments" in _error(b'{"words": []}')


def test_json_segment_without_text() -> None:
    message = _error(b'{"segments": [{"startTime": 0, "words": ["hi"]}]}')
    assert "segment 0 has no text" in message
    assert "'body'" in message
    assert "'text'" in message
    assert "segment 1 is not an object" in _error(b'{"segments": [{"text": "hi"}, "hi"]}')


def test_json_with_bad_time() -> None:
    assert "segment 0" in _error(b'{"segments": [{"body": "hello there", "startTime": "soon"}]}')


def test_a_page_of_more_elements_than_any_transcript_page_is_refused() -> None:
    # a 20 MB page of unclosed tags cost 86 s and 4.8 GB; refused before it is parsed
    unclosed = b"<html><body>" + b"<p><b>word " * 100_000
    assert "more than 100,000 HTML elements" in _error(unclosed, source="page.html")
    nested = b"<html><body>" + b"<div>" * 200_000 + b"words" + b"</div>" * 200_000
    assert "more than 100,000 HTML elements" in _error(nested, source="page.html")
    # a long page of a few thousand paragraphs is what transcript pages are
    page = b"<html><body>" + b"<p>Ana: the compost is warm today, she said.</p>" * 5_000
    assert load_bytes(page, source="page.html").word_count == 35_000  # (labels are not words)


def test_more_words_than_any_episode_are_refused() -> None:
    # a 20 MB single line took 42 s and 1 GB to summarize; counted before it is parsed
    line = b"word " * 4_000_000
    assert "far more than 500,000 words" in _error(line, source="one.txt")
    # past the limit by less than the pieces counted before parsing: the words count
    many = b"Ana: the compost is warm today.\n" * 104_000
    assert "holds 520,000 words" in _error(many, source="lines.txt")
    cues = b"".join(
        b"%d\n00:00:%02d,000 --> 00:00:%02d,500\nthe compost is warm today\n\n"
        % (n + 1, n % 60, n % 60)
        for n in range(101_000)
    )
    assert "holds 505,000 words" in _error(cues, source="cues.srt")


def test_too_short() -> None:
    message = _error(b"Hello there. This is short.")
    assert "too short" in message
    assert "5 words" in message


@pytest.mark.parametrize(
    "line",
    [
        "我们今天讨论堆肥。堆肥需要氮和碳的正确比例，还需要足够的水和空气。",  # Chinese
        "今日は堆肥について話します。堆肥には窒素と炭素の正しい割合が必要です。",  # Japanese
        "วันนี้เราคุยเรื่องปุ๋ยหมัก ปุ๋ยหมักต้องการไนโตรเจนและคาร์บอนในสัดส่วนที่ถูกต้อง",  # Thai
    ],
)
def test_a_language_without_spaces_between_words_is_named(line: str) -> None:
    # split on spaces, a whole sentence is one "word": not "too short (1 word)"
    message = _error((line * 40).encode())
    assert "without spaces between words" in message
    assert "too short" not in message


def test_spaced_languages_with_a_few_ideographs_are_read() -> None:
    text = "Heute sprechen wir über Kompost und das richtige Verhältnis (比例) von Stickstoff. "
    assert load_bytes((text * 10).encode()).word_count == 120


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="no such file"):
        load_path(tmp_path / "nope.srt")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="not a file|directory"):
        load_path(tmp_path)


_SAMPLES = sorted(
    p for p in FIXTURES.iterdir() if p.suffix in {".srt", ".vtt", ".json", ".html", ".txt", ".ttml"}
)
# pieces of the formats' own syntax, so mutations reach the parsers' rarer paths
_PIECES = [
    b"\n",
    b"\n\n",
    b" --> ",
    b"00:00:01,000",
    b"00:00:01.000",
    b"WEBVTT\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b":",
    b"<v ",
    b">",
    b"NOTE",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\x00",
    b"1e400",
    b"NaN",
    b"-1",
    b"<html>",
    b"<script>",
    b"Full Transcript\n",
    b"[00:12:03] ",
    b"(12:03) Bob:",
    b"Bob: ",
    b"?",
    b"uh the the ",
    b'<p begin="',
    b'" end="',
    b"</p>",
    b"<span>",
    b"<br/>",
    b'ttm:agent="',
    b"1:02.5",
    b"250t",
    b"<!ENTITY",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_SAMPLES),
    edits(_PIECES, noise=8),
    st.sampled_from(["x.srt", "x.vtt", "x.json", "x.html", "x.ttml", "x.txt", "-"]),
)
def test_damaged_files_get_a_message_or_a_summary(
    sample: Path, changes: list[Edit], name: str
) -> None:
    """Fixtures with bytes cut out and pieces of syntax or noise put in: the loader raises
    only TranscriptError (a one-line message), or the summary's quotes are verbatim."""
    try:
        transcript = load_bytes(damage(sample.read_bytes(), changes), source=name)
    except TranscriptError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert "\n" not in message
        return
    summary = ExtractiveSummarizer().run(transcript)
    assert all(q.verbatim in transcript.text for q in summary.quotes)


def test_a_feed_file_is_not_a_transcript() -> None:
    feed = (FIXTURES / "feed.xml").read_bytes()
    message = _error(feed, source="shows/feed.xml")
    assert message.startswith("feed.xml is a podcast feed (RSS or Atom), not a transcript")
    assert "summarize <feed link>" in message
