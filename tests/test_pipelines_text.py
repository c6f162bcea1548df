"""The text normalization every rule shares (``pipelines.text``)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.text import normalize_space

# Spaces of every kind (ASCII, no-break, ideographic, line separator), letters that compose
# under NFC (e + combining acute), and long runs without any of them.
ALPHABET = st.sampled_from(["a", "b", ".", " ", "\t", "\n", "\x0c", "\x1f", "\xa0", "\u3000"])
TEXT = st.lists(st.one_of(ALPHABET, st.just("e\u0301"), st.just("word " * 20)), max_size=30).map(
    "".join
)


@given(TEXT)
def test_normalize_space_is_nfc_then_split_and_join(text: str) -> None:
    assert normalize_space(text) == " ".join(unicodedata.normalize("NFC", text).split())


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("word " * 20 + "end", "word " * 20 + "end"),  # long, ASCII, already one line
        ("  " + "word " * 20, ("word " * 20).strip()),
        ("Caf\u0065\u0301  au\tlait", "Caf\u00e9 au lait"),
        ("a\u00a0b", "a b"),
    ],
)
def test_normalize_space_table(text: str, want: str) -> None:
    assert normalize_space(text) == want
