"""Token counting for prompt budgets: tiktoken when it can load, a safe estimate otherwise."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from functools import lru_cache

logger = logging.getLogger(__name__)
CHARS_PER_TOKEN_SAFE = 3.0  # English averages ~4 characters a token; 3 over-counts, which is safe


def estimate_tokens(text: str) -> int:
    """An over-estimate for models tiktoken does not know (or when it cannot load)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN_SAFE) if text else 0


@lru_cache(maxsize=16)
def counter_for(model: str) -> Callable[[str], int]:
    """A function counting the tokens `model` sees in a text.

    tiktoken downloads its tables on first use; where it cannot (no network, unknown
    model) the safe estimate is used and the reason is logged once.
    """
    try:
        import tiktoken

        try:
            encoding = tiktoken.encoding_for_model(model)
        except KeyError:
            encoding = tiktoken.get_encoding("o200k_base")
        encoding.encode("probe")
    except Exception as exc:  # tiktoken raises network and file errors of several kinds
        logger.info(
            "tiktoken unavailable for %s (%s); using a safe estimate", model, type(exc).__name__
        )
        return estimate_tokens
    return lambda text: len(encoding.encode(text, disallowed_special=()))
