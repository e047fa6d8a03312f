"""Damaged inputs for property tests: bytes cut out, and pieces of a format's own syntax
(so mutations reach a parser's rarer paths) or random noise put in their place."""

from __future__ import annotations

from hypothesis import strategies as st

Edit = tuple[float, int, bytes]  # where (share of the length), bytes cut, bytes put in


def edits(pieces: list[bytes], noise: int = 8) -> st.SearchStrategy[list[Edit]]:
    """One to eight edits, each putting in one of `pieces` or up to `noise` random bytes."""
    edit = st.tuples(
        st.floats(min_value=0, max_value=1),
        st.integers(min_value=0, max_value=40),
        st.one_of(st.sampled_from(pieces), st.binary(min_size=1, max_size=noise)),
    )
    return st.lists(edit, min_size=1, max_size=8)


def damage(data: bytes, changes: list[Edit]) -> bytes:
    out = bytearray(data)
    for where, cut, piece in changes:
        i = int(where * len(out))
        out[i : i + cut] = piece
    return bytes(out)
