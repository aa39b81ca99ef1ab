"""Language identification's text preparation: what is cleaned and which texts are judged."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.language import _clean, _eligible
from toolkit.placeholders import strip

_WORD = re.compile(r"[^\W\d_]{2,}")
_URLISH = re.compile(r"\S+://\S+|www\.\S+|\S+@\S+")


def _clean_reference(text: str) -> str:
    return " ".join(_URLISH.sub(" ", strip(text)).split())


def _eligible_reference(text: str, min_words: int, min_letters: int) -> bool:
    words = _WORD.findall(text)
    return len(words) >= min_words and sum(map(len, words)) >= min_letters


_PIECES = st.sampled_from(
    ["word", "Zorg", "é", "ab", "a", "3", "mg", " ", "\n", "<b>", "</b>", "<br/>", "<", "@", "x@y.nl",
     "://", "https://x.nl/a", "www.", "www.x.nl", ".", "-", "_", "ß"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join), st.integers(0, 5), st.integers(0, 30))
def test_cleaning_and_eligibility_match_their_definitions(text, min_words, min_letters):
    cleaned = _clean(text)
    assert cleaned == _clean_reference(text)
    assert _eligible(cleaned, min_words, min_letters) == _eligible_reference(
        cleaned, min_words, min_letters
    )
