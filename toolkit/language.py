"""Language identification for short texts (lingua), with the restraint a QA tool needs.

A finding about language must never fire on a one-word heading, a drug name or a term that is
the same in both languages. So a text is only identified when it has enough words and letters,
and only when the detector is confident; otherwise the answer is "don't know" (None).

Identification is the dearest part of ``check``, so a text is identified once: the detector's
confidence values are kept per text for the run (a source text, its untranslated copy and the
same text on a built page are one identification), and, given a cache file, across runs
(``.localise/cache/language.sqlite``): a check after a small edit identifies only what changed.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .placeholders import strip as strip_placeholders
from .state import seal, unseal

_WORD = re.compile(r"[^\W\d_]{2,}")
_URLISH = re.compile(r"\S+://\S+|www\.\S+|\S+@\S+")
EXTRA_LANGUAGES = ("en", "nl", "de", "fr", "es", "it", "pt", "tr")


@dataclass(frozen=True)
class Identified:
    language: str  # ISO 639-1 code
    confidence: float
    target_confidence: float  # the confidence for the language the text should be in


_MEMO_SIZE = 100_000


class _Detector:
    """lingua over a fixed set of languages, with each text's confidence values remembered:
    for the run, and in ``cache_path`` (sqlite) across runs when one is given."""

    def __init__(self, codes: tuple[str, ...]):
        from lingua import IsoCode639_1

        from .state import library_versions

        isos = []
        for code in codes:
            try:
                isos.append(getattr(IsoCode639_1, code.upper()))
            except AttributeError:
                continue
        self.codes = tuple(i.name.lower() for i in isos)
        self._isos = isos
        self._lingua = None  # built when a text is first identified (see lingua)
        self.one_thread = False  # see Identifier.prepare_workers
        self.every_model = False  # whether lingua's models for short texts are loaded
        self.memo: dict[str, tuple[float, ...]] = {}
        # What the cached values depend on: the detector's version and languages.
        [lingua] = library_versions(("lingua-language-detector",))
        self.salt = f"{lingua.split()[1]}|{','.join(self.codes)}|".encode()
        self._row = struct.Struct(f"<{len(self.codes)}d")
        self._db: sqlite3.Connection | None = None
        self._db_path: Path | None = None
        self._db_pid = 0

    @property
    def lingua(self):
        """lingua's detector, loading its models when a text first needs them: a text that
        lingua scores by trigrams alone (long ones: see :func:`_by_trigrams`) needs only the
        small models (50 ms, 40 MB); a short one, scored with every n-gram length, needs them
        all (1.1 s one after another, 200 MB more; see :meth:`load_every_model`)."""
        if self._lingua is None:
            from lingua import LanguageDetectorBuilder

            self._lingua = LanguageDetectorBuilder.from_iso_codes_639_1(*self._isos).build()
        return self._lingua

    def load_every_model(self) -> None:
        """Load lingua's models for short texts now. Until ``--jobs`` workers are prepared
        (``one_thread`` false), lingua loads them at once over its thread pool: 0.6 s of wall
        time on 2 cores against 1.1 s one after another, a check after an edit's longest wait.
        Once they are (before a fork, and in a worker), one at a time, by a single-text call
        that starts no thread (see :meth:`Identifier.prepare_workers`). lingua keeps its models
        for the process, not per detector, and a detector built to preload them scores as the
        lazy one does (the same languages and mode): it becomes this detector."""
        if self.every_model:
            return
        if self.one_thread:
            # A short text is scored with every n-gram length: every model gets loaded.
            self.lingua.compute_language_confidence_values("the models are loaded now")
        else:
            from lingua import LanguageDetectorBuilder

            builder = LanguageDetectorBuilder.from_iso_codes_639_1(*self._isos)
            self._lingua = builder.with_preloaded_language_models().build()
        self.every_model = True

    def use_cache(self, path: Path | None) -> None:
        # A connection of this process's own: the detector lives as long as the process, and
        # a --jobs worker forked after the main process opened the cache must not use the
        # parent's connection (sqlite forbids it); the inherited one is left alone.
        if path is None or (self._db_path == path and self._db_pid == os.getpid()):
            return
        if self._db_pid != os.getpid():
            from .state import set_aside

            set_aside(self._db)  # the parent's (see there)
        self._db = self._db_path = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=30)
            # A cache: a write lost to a power cut costs one identification, so no waiting for
            # the disk at each commit (600 commits took 0.74 s of a 400-page check).
            db.execute("PRAGMA synchronous = OFF")
            db.execute("CREATE TABLE IF NOT EXISTS language (key BLOB PRIMARY KEY, value BLOB)")
        except sqlite3.Error:
            return  # a cache that cannot be opened is no cache: identify everything
        self._db, self._db_path, self._db_pid = db, path, os.getpid()

    def _key(self, text: str) -> bytes:
        return hashlib.blake2b(
            self.salt + text.encode("utf-8", "surrogatepass"), digest_size=16
        ).digest()

    # A row's value is sealed with a digest of its key and bytes: sqlite does not check what it
    # stores, and a damaged confidence must be a miss, not a language finding made or lost.
    _SEAL = 8

    def _unseal(self, key: bytes, value) -> tuple[float, ...] | None:
        packed = unseal(self._SEAL, value, key)
        return None if packed is None or len(packed) != self._row.size else self._row.unpack(packed)

    def confidences(self, texts: list[str]) -> list[tuple[float, ...]]:
        """Each text's confidence for each of ``codes``, in that order."""
        memo = self.memo
        if len(memo) > _MEMO_SIZE:
            memo.clear()  # memory stays bounded; the cache file still has them
        todo = list(dict.fromkeys(t for t in texts if t not in memo))
        if todo and self._db is not None:
            keys = {self._key(t): t for t in todo}
            found = []
            key_list = list(keys)
            try:
                for i in range(0, len(key_list), 500):
                    part = key_list[i : i + 500]
                    marks = ",".join("?" * len(part))
                    found += self._db.execute(
                        f"SELECT key, value FROM language WHERE key IN ({marks})", part
                    ).fetchall()
            except sqlite3.Error:
                found = []  # an unreadable cache: identify them
            for key, value in found:
                values = self._unseal(key, value)
                if values is not None:
                    memo[keys[key]] = values
            todo = [t for t in todo if t not in memo]
        if todo:
            if not self.every_model and not all(map(_by_trigrams, todo)):
                self.load_every_model()
            rows = []
            index = {code: i for i, code in enumerate(self.codes)}
            if self.one_thread:
                found = map(self.lingua.compute_language_confidence_values, todo)
            else:
                found = self.lingua.compute_language_confidence_values_in_parallel(todo)
            for text, conf in zip(todo, found, strict=True):
                values = [0.0] * len(self.codes)
                for c in conf:
                    values[index[c.language.iso_code_639_1.name.lower()]] = c.value
                memo[text] = tuple(values)
                key = self._key(text)
                rows.append((key, seal(self._SEAL, self._row.pack(*values), key)))
            if self._db is not None:
                try:
                    with self._db:
                        self._db.executemany("INSERT OR REPLACE INTO language VALUES (?, ?)", rows)
                except sqlite3.Error:
                    pass  # read-only or full: the answers still hold for this run
        return [memo[t] for t in texts]


# lingua scores a text of 120 characters or more (as it counts them, after taking out
# punctuation and numbers) by its trigrams alone, backed off to bigrams and single letters; a
# shorter one with every n-gram length, up to five, whose models are most of lingua's load.
_TRIGRAMS_FROM = 120


def _by_trigrams(text: str) -> bool:
    """Whether lingua surely scores ``text`` by trigrams alone: its letters alone reach the
    length. Only time depends on it: a text it misses loads the models for short texts, one
    after another, when it is scored."""
    return len(text) >= _TRIGRAMS_FROM and sum(map(str.isalpha, text)) >= _TRIGRAMS_FROM


@lru_cache(maxsize=8)
def _detector(codes: tuple[str, ...]) -> _Detector:
    return _Detector(codes)


# A text is cleaned and measured in the source pass, again as its untranslated copy in each
# catalog, and again on each built page: once is enough (a tenth of a check's time).
@lru_cache(maxsize=65536)
def _clean(text: str) -> str:
    text = strip_placeholders(text)
    if "://" in text or "www." in text or "@" in text:  # what _URLISH needs to match
        text = _URLISH.sub(" ", text)
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def _eligible(text: str, min_words: int, min_letters: int) -> bool:
    # Words are counted until there are enough: most texts have after three or four.
    words = letters = 0
    for m in _WORD.finditer(text):
        words += 1
        letters += m.end() - m.start()
        if words >= min_words and letters >= min_letters:
            return True
    return words >= min_words and letters >= min_letters


class Identifier:
    """Identifies the language of texts among the project's languages and a few common ones."""

    def __init__(
        self,
        languages,
        min_words: int = 3,
        min_letters: int = 20,
        min_confidence: float = 0.75,
        cache_path: Path | None = None,
    ):
        codes = {c.split("_")[0].lower() for c in languages} | set(EXTRA_LANGUAGES)
        self.codes = tuple(sorted(codes))
        self.min_words = min_words
        self.min_letters = min_letters
        self.min_confidence = min_confidence
        self.cache_path = cache_path

    def prepare_workers(self) -> None:
        """Before ``--jobs`` workers are forked: from now on, each identification in this
        process and its workers uses one thread (the workers are the parallelism; lingua's
        pool of threads in each would only compete). With no cache yet, every text will be
        identified, so lingua's models are loaded here once and shared by the workers
        (copy-on-write) rather than loaded by each of them (a second of CPU and 200 MB per
        worker and step); with a cache, most runs need no model. They are loaded with
        lingua's single-text call, which starts no thread: a forked child has none of its
        parent's threads, and a call into lingua's thread pool there would wait for ever; and
        Python warns (3.12 on) when a process with threads forks. (A check whose templates
        were identified in this process before the fork has had lingua's threads started
        already; its workers, too, only make single-text calls.)"""
        detector = _detector(self.codes)
        detector.one_thread = True  # before load_every_model: no preloading threads
        if self.cache_path is None or not self.cache_path.exists():
            detector.load_every_model()

    def identify_many(self, texts: list[str], expected: str) -> list[Identified | None]:
        """The language of each text, or None where the text is too short or the detector is
        not confident. ``expected`` is the language the texts should be in."""
        cleaned = [_clean(t) for t in texts]
        todo = [i for i, t in enumerate(cleaned) if _eligible(t, self.min_words, self.min_letters)]
        results: list[Identified | None] = [None] * len(texts)
        if not todo:
            return results
        detector = _detector(self.codes)
        detector.use_cache(self.cache_path)
        expected = expected.split("_")[0].lower()
        codes = detector.codes
        target = codes.index(expected) if expected in codes else None
        for i, values in zip(todo, detector.confidences([cleaned[i] for i in todo]), strict=True):
            best = max(range(len(values)), key=values.__getitem__)
            if values[best] >= self.min_confidence and values[best] > 0.0:
                results[i] = Identified(
                    codes[best], values[best], values[target] if target is not None else 0.0
                )
        return results


@lru_cache(maxsize=64)
def language_name(code: str) -> str:
    from babel import Locale

    try:
        return Locale.parse(code).english_name
    except Exception:
        return code
