"""Language identification's text preparation: what is cleaned and which texts are judged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
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
    thread pool would wait for ever. A process with no workers prepared has lingua load its
    models for short texts at once, in its threads, when a short text first comes (long ones
    need only the small models, loaded as they are used); ``prepare_workers`` loads them with a
    single-text call and no preloading, before the fork, and the workers' detector
    (``one_thread``) likewise."""
    import lingua

    from toolkit import language

    calls: list[str] = []

    class Detector:
        def compute_language_confidence_values(self, text):
            calls.append("one text")
            return []

        def compute_language_confidence_values_in_parallel(self, texts):
            calls.append(f"{len(texts)} texts")
            return [[] for _ in texts]

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
    long_text = "Hair loss in autoimmune disease is often reversible with treatment. " * 3
    try:
        main = language._Detector(("en", "nl"))
        assert main.lingua is main.lingua  # built once
        assert calls == ["builder", "build"]
        calls.clear()
        main.confidences([long_text])
        assert calls == ["1 texts"]  # no preloading for texts scored by trigrams
        calls.clear()
        main.confidences(["A short heading", long_text + "again"])
        assert calls == ["builder", "preload", "build", "2 texts"]
        calls.clear()
        main.confidences(["Another short heading"])
        assert calls == ["1 texts"]  # loaded once

        calls.clear()
        language.Identifier(["nl"]).prepare_workers()  # no cache: the models loaded now
        assert calls == ["builder", "build", "one text"]
        worker = language._detector(language.Identifier(["nl"]).codes)
        assert worker.one_thread and worker.every_model
    finally:
        language._detector.cache_clear()


# The peak of this process's own memory (VmHWM: getrusage's ru_maxrss would count the pytest
# process the child was forked from).
_MODELS_PROBE = """
import re, sys
from toolkit.language import _detector
detector = _detector(("de", "en", "es", "fr", "it", "nl", "pt", "tr"))
detector.one_thread = True  # lingua's single-text call, as in a --jobs worker
texts = sys.stdin.read().split("\\0")
detector.confidences(texts)
with open("/proc/self/status") as status:
    print(int(re.search(r"VmHWM:\\s*(\\d+) kB", status.read()).group(1)) // 1024)
"""


def _peak_mb(texts: list[str]) -> int:
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", _MODELS_PROBE],
        input="\0".join(texts),
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    return int(out.stdout)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_texts_scored_by_trigrams_load_only_the_small_models():
    """What lets a check after a paragraph's edit skip lingua's big models: every text of the
    sample templates that ``_by_trigrams`` calls long is scored without them (lingua loads
    models as texts need them, so a long text it scored as short would load them: 200 MB)."""
    import polib

    from toolkit.language import _by_trigrams, _clean

    root = Path(__file__).resolve().parent.parent
    texts = [
        _clean(e.msgid)
        for pot in sorted((root / "locales" / "templates").glob("*.pot"))
        for e in polib.pofile(str(pot))
    ]
    long_texts = [t for t in texts if _by_trigrams(t)]
    short = [t for t in texts if not _by_trigrams(t) and len(t.split()) >= 3]
    assert len(long_texts) >= 20 and short
    small = _peak_mb(long_texts)
    every = _peak_mb(long_texts + short[:1])
    assert small + 100 < every, (small, every)
