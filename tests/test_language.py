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


def test_lingua_starts_threads_only_where_no_worker_has_been_prepared(monkeypatch):
    """lingua's threads do not survive a fork: a ``--jobs`` worker that called into lingua's
    thread pool would wait for ever. A process with no workers prepared has lingua load every
    model at once, in its threads; ``prepare_workers`` loads them with a single-text call and
    no preloading, before the fork, and the workers' detector (``one_thread``) likewise."""
    import lingua

    from toolkit import language

    calls: list[str] = []

    class Detector:
        def compute_language_confidence_values(self, text):
            calls.append("one text")
            return []

    class Builder:
        @classmethod
        def from_iso_codes_639_1(cls, *isos):
            calls.append("builder")
            return cls()

        def with_preloaded_language_models(self):
            calls.append("preload")
            return self

        def build(self):
            calls.append("build")
            return Detector()

    monkeypatch.setattr(lingua, "LanguageDetectorBuilder", Builder)
    language._detector.cache_clear()
    try:
        main = language._Detector(("en", "nl"))
        assert main.lingua is main.lingua  # built once
        assert calls == ["builder", "preload", "build"]

        calls.clear()
        language.Identifier(["nl"]).prepare_workers()  # no cache: the models loaded now
        assert calls == ["builder", "build", "one text"]
        worker = language._detector(language.Identifier(["nl"]).codes)
        assert worker.one_thread
    finally:
        language._detector.cache_clear()
