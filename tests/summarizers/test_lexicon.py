"""The quote lexicon: strong words that are not everyday speech, read from the packages."""

from __future__ import annotations

import wordfreq

from summarizers.lexicon import vivid


def test_vivid_words_are_strong_and_not_everyday() -> None:
    words = vivid()
    for strong in ("greedy", "devastating", "ridiculous", "brilliant"):
        assert words[strong] >= 1.0, strong
    for everyday in ("better", "problem", "honestly", "interest", "good"):
        assert everyday not in words, everyday
    assert "kettle" not in words  # no judgement at all


def test_the_word_list_is_not_kept_in_memory_once_read() -> None:
    vivid.cache_clear()
    vivid()
    assert wordfreq.get_frequency_dict.cache_info().currsize == 0
    assert wordfreq.get_frequency_list.cache_info().currsize == 0
