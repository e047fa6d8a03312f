"""Markdown, text and JSON renderings of a Summary."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.output import clock, pack, to_json, to_markdown, to_text
from summarizers.model import Quote, Summary, Takeaway, Topic


def _summary() -> Summary:
    return Summary(
        title="Soil Talk",
        show="Garden Hour",
        duration_seconds=3725.0,
        engine="extractive",
        transcript_sha256="ab" * 32,
        takeaways=(
            Takeaway(
                text="Mulch keeps roots cool.", speaker="Ana", start_seconds=65.0, span=(0, 10)
            ),
            Takeaway(text="Water early in the day.", span=(20, 30)),
        ),
        quotes=(
            Quote(
                text="Soil is alive.",
                verbatim="Soil is, uh, alive.",
                speaker="Ben",
                start_seconds=3605.5,
                span=(40, 58),
            ),
        ),
        topics=(Topic(title="Mulch, roots", start_seconds=0.0, span=(0, 30)),),
        notes=("read as cp1252",),
    )


def test_clock() -> None:
    assert clock(None) == ""
    assert clock(5) == "0:05"
    assert clock(65.9) == "1:05"
    assert clock(3725) == "1:02:05"


def test_markdown() -> None:
    md = to_markdown(_summary())
    assert md.startswith("# Soil Talk\n")
    assert "Garden Hour · 1:02:05 · extractive engine" in md
    assert "- Mulch keeps roots cool. _(Ana, 1:05)_" in md
    assert "- Water early in the day.\n" in md
    assert "> “Soil is alive.”\n> — Ben, 1:00:05" in md
    assert "1. Mulch, roots (0:00)" in md
    assert "read as cp1252" in md


def test_text() -> None:
    text = to_text(_summary())
    assert "1. Mulch keeps roots cool. (Ana, 1:05)" in text
    assert '"Soil is alive." - Ben, 1:00:05' in text
    assert "[0:00] Mulch, roots" in text


def test_json_round_trip() -> None:
    data = json.loads(to_json(_summary()))
    assert data["quotes"][0]["verbatim"] == "Soil is, uh, alive."
    assert data["takeaways"][1]["speaker"] is None
    assert Summary.model_validate(data) == _summary()


@given(
    st.lists(st.integers(min_value=0, max_value=120)),
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=1, max_value=300),
)
def test_pack_keeps_order_and_limits(sizes: list[int], most: int, total: int) -> None:
    items = list(enumerate(sizes))  # distinct items, so order and loss are visible
    groups = pack(items, lambda item: item[1], most, total)
    assert [x for g in groups for x in g] == items
    assert all(g for g in groups) or groups == [[]]
    for g in groups:
        assert len(g) <= most
        assert len(g) == 1 or sum(n for _, n in g) <= total
    # greedy: a group was closed only because the next item would not fit
    for g, nxt in zip(groups, groups[1:], strict=False):
        assert len(g) == most or sum(n for _, n in g) + nxt[0][1] > total


def test_markdown_quote_without_speaker_or_time_has_no_empty_line() -> None:
    bare = Quote(text="Compost is patience.", verbatim="Compost is patience.", span=(60, 80))
    md = to_markdown(_summary().model_copy(update={"quotes": (bare,)}))
    assert "> “Compost is patience.”\n\n" in md
    assert "\n>\n" not in md
