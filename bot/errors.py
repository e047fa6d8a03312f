"""Errors whose message is meant for the person who asked."""

from __future__ import annotations

from summarizers.model import Summary


class UserError(Exception):
    """Something the user can fix; `str(error)` is a one-line message saying what and how."""


class TranscriptError(UserError):
    """The transcript could not be read or is not usable."""


def require_content(summary: Summary) -> Summary:
    """The summary, unless it holds neither a takeaway nor a quote (a transcript of
    fragments, or one phrase over and over): then a TranscriptError saying so."""
    if not summary.takeaways and not summary.quotes:
        raise TranscriptError(
            "nothing in this transcript can be a takeaway or a quote: no sentence has 8 or "
            "more words with several different content words. Check that it holds the "
            "episode's spoken words"
        )
    return summary
