"""Slack rendering: any Summary fits Slack's limits; links, escaping and splitting."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.render import render
from bot.messages import Destination, Reply
from bot.output import cut, moment_link
from summarizers.model import Quote, Summary, Takeaway
from tests.support.data import ROOT
from tests.support.slack_limits import check_message
from tests.support.summaries import summaries, with_topics

HERE = Destination("slack", "C1", "T1")


@settings(max_examples=150, deadline=None)
@given(
    summaries(),
    st.sampled_from(["summary", "takeaways", "quotes"]),
    st.one_of(st.none(), st.integers(1, 10**6)),
)
def test_any_summary_fits(summary: Summary, kind: str, episode: int | None) -> None:
    messages = render(Reply(HERE, kind, summary=summary, episode_id=episode))  # type: ignore[arg-type]
    for message in messages:
        check_message(message)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=20_000))
def test_any_text_fits(text: str) -> None:
    for message in render(Reply(HERE, "text", text=text)):
        check_message(message)


def test_escaping_links_and_continuations() -> None:
    s = Summary(
        title="A <b> & B",
        source="https://youtu.be/abc",
        engine="extractive",
        transcript_sha256="0" * 64,
        takeaways=tuple(
            Takeaway(
                text=f"Point {i} <@U123> & more " + "word " * 200,
                speaker="Ana",
                start_seconds=65.0 + i,
                span=(0, 1),
            )
            for i in range(10)
        ),
        quotes=(
            Quote(
                text="Short <quote>", verbatim="x", speaker="Ben", start_seconds=125.0, span=(0, 1)
            ),
        ),
    )
    messages = render(Reply(HERE, "summary", summary=s, episode_id=7))
    assert len(messages) >= 2  # over 11,000 characters: continued in another message
    flat = str(messages)
    assert "&lt;@U123&gt;" in flat
    assert "<@U123>" not in flat
    assert "<https://youtu.be/abc?t=125s|2:05>" in flat
    assert messages[0]["blocks"][0]["text"]["text"] == "A <b> & B"  # plain_text header
    for m in messages:
        check_message(m)


def test_cut_marks_the_cut() -> None:
    assert cut("short", 10) == "short"
    out = cut("one two three four five six", 12)
    assert out.endswith("…")
    assert len(out) <= 12
    assert moment_link("https://example.com/x", 5) is None
    assert moment_link("https://www.youtube.com/watch?v=a", 61.9) == (
        "https://www.youtube.com/watch?v=a&t=61s"
    )


def test_manifest_asks_for_exactly_the_scopes_the_app_uses() -> None:

    import yaml

    from adapters.slack.app import SCOPES

    manifest = yaml.safe_load((ROOT / "adapters" / "slack" / "manifest.yml").read_text())
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(SCOPES)
    assert manifest["features"]["slash_commands"][0]["command"] == "/podbrief"
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_mention"]


def test_a_summary_lists_its_topics_with_times_linked_to_the_video() -> None:
    flat = str(render(Reply(HERE, "summary", summary=with_topics())))
    assert "*Topics*" in flat
    assert "• Browns &amp; greens _(<https://youtu.be/abc?t=0s|0:00>)_" in flat
    assert "• Turning the pile _(<https://youtu.be/abc?t=125s|2:05>)_" in flat
    for kind in ("takeaways", "quotes"):  # only the full summary has them
        assert "Turning the pile" not in str(render(Reply(HERE, kind, summary=with_topics())))
