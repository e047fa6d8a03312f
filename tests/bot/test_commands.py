"""What people type after the command: names, links and ids, whatever the text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot import commands


@given(st.text())
def test_any_text_parses_without_error(text: str) -> None:
    parsed = commands.parse(text)
    assert parsed.name == parsed.name.strip().lower()
    link = commands.link_of(text)
    assert link is None or link.startswith(("http://", "https://"))
    key = commands.row_id(text)
    assert key is None or 0 < key <= commands.MAX_ID


def test_the_name_ends_at_any_whitespace() -> None:
    for text in (
        "summarize https://x.test/a",
        "summarize\thttps://x.test/a",
        "Summarize\n\nhttps://x.test/a",
    ):
        assert commands.parse(text) == commands.Parsed("summarize", "https://x.test/a")
    pasted = commands.parse("summarize\nFirst line of the transcript.\nSecond line.")
    assert pasted == commands.Parsed("summarize", "First line of the transcript.\nSecond line.")


def test_row_ids() -> None:
    assert commands.row_id(" 12 ") == 12
    assert commands.row_id("#7") == 7
    assert commands.row_id(str(commands.MAX_ID)) == commands.MAX_ID
    for odd in ("", "0", "-3", "1.5", "²", "٣", "12abc", str(commands.MAX_ID + 1), "9" * 40):
        assert commands.row_id(odd) is None, odd
