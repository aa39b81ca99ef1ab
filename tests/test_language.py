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


def test_models_load_in_parallel_only_where_no_worker_will_be_forked():
    """lingua's threads do not survive a fork: a ``--jobs`` worker that called into lingua's
    thread pool would wait for ever. The main process loads every model at once, in lingua's
    threads; a worker (``one_thread``, set before the fork) builds a plain detector."""
    from toolkit.language import _Detector

    class Builder:
        def __init__(self, calls: list):
            self.calls = calls

        def with_preloaded_language_models(self):
            self.calls.append("preload")
            return self

        def build(self):
            self.calls.append("build")
            return object()

    for one_thread, expected in ((False, ["preload", "build"]), (True, ["build"])):
        detector = _Detector(("en", "nl"))
        detector.one_thread = one_thread
        calls: list = []
        detector._builder = Builder(calls)
        assert detector.lingua is detector.lingua  # built once
        assert calls == expected
