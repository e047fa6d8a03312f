"""Summaries for renderer tests: any summary (a Hypothesis strategy) and a small one with
topics on a video source."""

from __future__ import annotations

from hypothesis import strategies as st

from summarizers.model import Quote, Summary, Takeaway, Topic

_text = st.text(min_size=1, max_size=5000)
_seconds = st.one_of(st.none(), st.floats(0, 20_000, allow_nan=False))


@st.composite
def summaries(draw: st.DrawFn) -> Summary:
    takeaways = draw(
        st.lists(
            st.builds(
                Takeaway,
                text=_text,
                speaker=st.one_of(st.none(), _text),
                start_seconds=_seconds,
                span=st.just((0, 1)),
            ),
            max_size=12,
        )
    )
    quotes = draw(
        st.lists(
            st.builds(
                Quote,
                text=_text,
                verbatim=_text,
                speaker=st.one_of(st.none(), _text),
                start_seconds=_seconds,
                span=st.just((0, 1)),
            ),
            max_size=10,
        )
    )
    return Summary(
        title=draw(st.one_of(st.none(), _text)),
        show=draw(st.one_of(st.none(), _text)),
        source=draw(
            st.sampled_from(
                [None, "file.txt", "https://www.youtube.com/watch?v=x", "https://example.com/ep"]
            )
        ),
        duration_seconds=draw(_seconds),
        engine="extractive",
        transcript_sha256="0" * 64,
        takeaways=tuple(takeaways),
        quotes=tuple(quotes),
        topics=tuple(
            draw(
                st.lists(
                    st.builds(Topic, title=_text, start_seconds=_seconds, span=st.just((0, 1))),
                    max_size=12,
                )
            )
        ),
        notes=tuple(draw(st.lists(_text, max_size=2))),
    )


def with_topics() -> Summary:
    return Summary(
        title="Compost",
        source="https://youtu.be/abc",
        engine="extractive",
        transcript_sha256="0" * 64,
        takeaways=(Takeaway(text="Piles need air.", start_seconds=5.0, span=(0, 1)),),
        topics=(
            Topic(title="Browns & greens", start_seconds=0.0, span=(0, 1)),
            Topic(title="Turning the pile", start_seconds=125.0, span=(2, 3)),
        ),
    )
