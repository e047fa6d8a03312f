"""Discord rendering: every message passes a validator of all Discord limits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.render import render
from bot.messages import Destination, Reply
from tests.support.discord_limits import check_message
from tests.support.summaries import summaries, with_topics

HERE = Destination("discord", "1", "2")


@settings(max_examples=200, deadline=None)
@given(
    summaries(),
    st.sampled_from(["summary", "takeaways", "quotes"]),
    st.one_of(st.none(), st.integers(1, 10**6)),
)
def test_any_summary_fits(summary, kind, episode) -> None:  # type: ignore[no-untyped-def]
    for message in render(Reply(HERE, kind, summary=summary, episode_id=episode)):
        check_message(message)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=9000))
def test_any_text_fits(text: str) -> None:
    for message in render(Reply(HERE, "text", text=text)):
        check_message(message)


def test_mentions_cannot_ping() -> None:
    out = render(Reply(HERE, "text", text="hi"))
    assert out[0]["content"] == "hi"
    from adapters.discord.render import escape

    assert "@everyone" not in escape("@everyone")


def test_a_full_first_line_makes_no_empty_message() -> None:
    from adapters.discord.render import CONTENT, text_content

    assert text_content("y" * CONTENT) == ["y" * CONTENT]
    assert text_content("y" * CONTENT + "\nnext") == ["y" * CONTENT, "next"]


def test_a_summary_lists_its_topics_with_times_linked_to_the_video() -> None:

    flat = str(render(Reply(HERE, "summary", summary=with_topics())))
    assert "**Topics**" in flat
    assert "• Turning the pile ([2:05](https://youtu.be/abc?t=125s))" in flat
    for kind in ("takeaways", "quotes"):
        assert "Turning the pile" not in str(render(Reply(HERE, kind, summary=with_topics())))
