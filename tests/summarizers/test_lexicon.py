"""The quote lexicon: strong words that are not everyday speech, read from the packages."""

from __future__ import annotations

import wordfreq

from summarizers.lexicon import vivid, word_lists


def test_vivid_words_are_strong_and_not_everyday() -> None:
    words = vivid()
    for strong in ("greedy", "devastating", "ridiculous", "brilliant"):
        assert words[strong] >= 1.0, strong
    for everyday in ("better", "problem", "honestly", "interest", "good"):
        assert everyday not in words, everyday
    assert "kettle" not in words  # no judgement at all


def test_short_english_words_are_known_and_broken_pieces_are_not() -> None:
    short = word_lists().short
    for word in ("tick", "zoo", "poet", "rent", "lamps"):
        assert word in short, word
    for piece in ("spea", "voca", "diffe", "anoth"):
        assert piece not in short, piece


def test_the_word_list_is_not_kept_in_memory_once_read() -> None:
    word_lists.cache_clear()
    vivid()
    assert wordfreq.get_frequency_dict.cache_info().currsize == 0
    assert wordfreq.get_frequency_list.cache_info().currsize == 0
