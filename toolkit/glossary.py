"""The clinic's terminology glossary: reading and checking ``glossary.csv``, and finding its terms.

This module loads the glossary, reports what is wrong with it (for ``localise glossary check``),
finds the glossary's terms in source-language text (so translators get hints and the QA checks
know which approved translations to expect), and decides whether an approved translation -- or a
forbidden variant -- occurs in a translated text. Matching is by word, tolerant of inflection
(Snowball stemming via PyStemmer), of typographic variants (curly apostrophes, non-breaking
hyphens and spaces) and of the placeholders of :mod:`toolkit.placeholders`; in Dutch and German a
term is also found inside a compound word.

The file format
---------------

``glossary.csv`` is UTF-8 CSV (a byte-order mark is allowed) with a header row. Its columns, in
any order:

``term`` (required)
    The source-language term in its base form (``hair follicle``, ``ANA``).
one column per locale code (``nl``, ``de``, ``fr``, ``tr``, ``pt-BR``, ...)
    The approved translation. Accepted alternatives follow after ``|``, the first one is the
    preferred form: ``haaruitval|haarverlies``. Any column whose name babel accepts as a locale
    (``babel.Locale.parse(name.replace("-", "_"))``) and that is not a reserved name is a locale.
``dnt``
    ``yes``: do not translate -- the term must appear verbatim in every translation. ``no`` or
    empty: translate it.
``case``
    ``yes``: match the term case-sensitively (acronyms such as ``ANA``, ``CRP``); otherwise
    matching ignores case.
``forbidden:<locale>`` (``forbidden:nl``)
    ``|``-separated variants that must not be used in that locale.
``pos``, ``note``
    Informational; the note is shown to translators in the hints.

Any other column is an error (``nll`` is a typo, not a locale). Line numbers are those of the
file, the header being line 1. :meth:`Glossary.load` loads what it can and raises
:class:`~toolkit.errors.GlossaryError` only when the file cannot be read at all;
:meth:`Glossary.validate` lists every problem of the content.

Matching
--------

Texts and forms are normalised (NFC; ``’ ‘ ʼ `` `` → ``'``; U+2010-2013 and U+2212 → ``-``;
no-break spaces → space; soft hyphens and zero-width joiners dropped) with a map back to the
original offsets. Placeholders (``<strong>``, ``</a2>``, ``<br/>``) count as spaces. Words are
runs of letters, digits and combining marks, with internal apostrophes (``Hashimoto's``,
``l'alopécie`` also match on either side of the apostrophe); hyphens separate words, and a
hyphen and a space are interchangeable between the words of a term (``hair-loss`` matches
``hair loss``), except for verbatim (do-not-translate) matching.

Words are compared by Snowball stem of their lower-case form (the stemmer named after the
locale's language; a language without one is compared by lower-case form only). A term marked
``case`` is compared by its exact surface form, without stemming, and never inside another word.
A do-not-translate term is compared verbatim (ignoring case unless ``case``), without stemming.
In Dutch and German (:data:`COMPOUNDING_LANGUAGES`) a single-word form is also found inside a
compound (its stem or lower-case form at the start or the end of the word, or anywhere when it
has at least five letters, and the rest of the word at least three letters; a stem that is not
how the word begins -- the stemmer rewrote it, ``immuniteit`` -> ``immuun`` -- only at the end),
and the last word of a multi-word form may be the head of a compound. A hyphenated form
(``auto-immuun``) is one word: when the text hyphenates it too, its last word may also start a
compound (``auto-immuunziekte``). Dutch and German words also match their regular inflections,
which the stemmer does not always bring back to the same stem: each word of a form (of at least
three letters, not an acronym or symbol) is inflected by the language's spelling rules -- Dutch
plurals in -en/-n/-s/-ën with an opened syllable's single vowel (``antigeen`` -> ``antigenen``),
a doubled consonant (``cel`` -> ``cellen``) and f/s -> v/z, and the -e of an adjective before
its noun (``vrij radicaal`` -> ``vrije radicalen``); German plural and case endings, and another
ending for an adjective before its noun (``freies Radikal`` -> ``freie Radikale``) -- and a text
word written as one of those (or a compound ending with one) matches. In agglutinative languages
(:data:`AGGLUTINATIVE_LANGUAGES`) a word may carry suffixes the stemmer does not remove. A
case-sensitive form whose first word is written in lower case (``veelgestelde vragen``) may start
a sentence with a capital, unless it is a do-not-translate term (``mg`` is not ``Mg``). These
compound, inflection, suffix and capital rules apply to :meth:`Glossary.contains` and
:meth:`Glossary.find_forms` (for checking translations);
:meth:`Glossary.find_source_terms` compares whole words only.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

import Stemmer
from babel import Locale, UnknownLocaleError

from toolkit.errors import GlossaryError, decode_text, nul_line, read_bytes
from toolkit.placeholders import PLACEHOLDER_RE

RESERVED_COLUMNS = ("term", "dnt", "case", "pos", "note")
FORBIDDEN_PREFIX = "forbidden:"
# Languages that write compounds as one word: a form may be found inside a longer word.
COMPOUNDING_LANGUAGES = frozenset({"nl", "de"})
# Languages that stack suffixes: a word may begin with the form's stem or surface form.
AGGLUTINATIVE_LANGUAGES = frozenset({"tr", "fi", "hu", "et"})

_YES_NO = {"yes": True, "no": False, "": False}
_MIN_COMPOUND_PART = 3  # letters of the form, and of the rest of the compound
_MIN_INFIX = 5  # a form this long may sit anywhere inside a compound
_MIN_AGGLUTINATIVE = 4  # a form this long may carry unknown suffixes


# --------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Term:
    """One row of the glossary."""

    term: str
    translations: dict[str, tuple[str, ...]] = field(hash=False)  # locale -> preferred first
    dnt: bool
    case_sensitive: bool
    forbidden: dict[str, tuple[str, ...]] = field(hash=False)
    note: str
    line: int  # line in the CSV (header is line 1)


@dataclass(frozen=True)
class Problem:
    """A problem with the glossary's content, on a line of the file (1 = the header)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Match:
    """A term found in a text: ``text[start:end]`` is where."""

    term: Term
    start: int
    end: int


# --------------------------------------------------------------------------------------------
# Normalisation and tokenisation

_ONE_TO_ONE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u200b": " ",
        "_": " ",
    }
)
_ONE_TO_ONE_CHARS = {chr(k): v for k, v in _ONE_TO_ONE.items()}
_ONE_TO_ONE_RE = re.compile("[" + re.escape("".join(sorted(_ONE_TO_ONE_CHARS))) + "]")


def _one_to_one(text: str) -> str:
    """``text.translate(_ONE_TO_ONE)``. str.translate looks every character up in the table
    when the text is not ASCII (7 us for a paragraph with one no-break space, a tenth of a
    check's time); only the characters the table has are replaced here (1 us)."""
    get = _ONE_TO_ONE_CHARS.__getitem__
    return _ONE_TO_ONE_RE.sub(lambda m: get(m.group()), text)


_DROPPED = frozenset("\u00ad\u200c\u200d\u2060\ufeff")
_DROP_RE = re.compile("[" + "".join(sorted(_DROPPED)) + "]")


class _Normalised:
    """A normalised text and the way back to the original's offsets."""

    __slots__ = ("text", "_starts", "_ends", "_length")

    def __init__(self, text: str, starts: list[int] | None, ends: list[int] | None, length: int):
        self.text = text
        self._starts = starts  # None: offsets are the same as the original's
        self._ends = ends
        self._length = length

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of ``text[start:end]``."""
        if self._starts is None:
            return start, end
        if start >= end:
            pos = self._starts[start] if start < len(self._starts) else self._length
            return pos, pos
        return self._starts[start], self._ends[end - 1]


def _normalise(text: str) -> _Normalised:
    if text.isascii():
        if "`" in text or "_" in text:
            text = _one_to_one(text)
        return _Normalised(text, None, None, len(text))
    if unicodedata.is_normalized("NFC", text) and not _DROP_RE.search(text):
        return _Normalised(_one_to_one(text), None, None, len(text))
    # Slow path: normalise cluster by cluster (a starter and the marks after it), merging
    # clusters that compose across the boundary, and remember where each output char came from.
    clusters: list[tuple[int, int]] = []
    pos = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or unicodedata.combining(text[i]) == 0:
            clusters.append((pos, i))
            pos = i
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pending: tuple[int, int] | None = None
    pending_nfc = ""

    def flush() -> None:
        if pending is not None:
            piece = _one_to_one(pending_nfc)
            out.append(piece)
            starts.extend([pending[0]] * len(piece))
            ends.extend([pending[1]] * len(piece))

    for s, e in clusters:
        seg = "".join(c for c in text[s:e] if c not in _DROPPED)
        nfc = unicodedata.normalize("NFC", seg)
        if pending is not None:
            joined = unicodedata.normalize("NFC", pending_nfc + nfc)
            if joined != pending_nfc + nfc:
                pending, pending_nfc = (pending[0], e), joined
                continue
        flush()
        pending, pending_nfc = (s, e), nfc
    flush()
    return _Normalised("".join(out), starts, ends, len(text))


@lru_cache(maxsize=1)
def _word_re() -> re.Pattern[str]:
    """Words: letters, digits and combining marks, with internal apostrophes."""
    ranges: list[str] = []
    start = None
    for cp in range(0x10001):
        is_mark = cp < 0x10000 and unicodedata.category(chr(cp)).startswith("M")
        if is_mark and start is None:
            start = cp
        elif not is_mark and start is not None:
            ranges.append(f"{chr(start)}-{chr(cp - 1)}" if cp - 1 > start else chr(start))
            start = None
    char = r"[\w" + "".join(ranges) + "]"  # "_" is a space after normalisation
    return re.compile(rf"{char}+(?:'{char}+)*")


@lru_cache(maxsize=1)
def _split_re() -> re.Pattern[str]:
    """Splits a text into gaps and words (the words captured)."""
    return re.compile(f"({_word_re().pattern})")


def _blank_placeholders(text: str) -> str:
    if "<" not in text:
        return text
    return PLACEHOLDER_RE.sub(lambda m: " " * (m.end() - m.start()), text)


def _gap_kind(gap: str) -> str:
    """What separates two words: " " (space, placeholder), "-" (a hyphen) or "" (anything else:
    punctuation, which ends a multi-word term)."""
    if gap == " " or gap == "-":
        return gap
    core = gap.strip()
    if not core:
        return " "
    if core == "-":
        return "-"
    if not core.strip("'"):
        return " "  # "patients' hair": a possessive apostrophe, or quotes
    return ""


@lru_cache(maxsize=64)
def language_of(locale: str) -> str:
    """The lower-case language code of a locale code (``nl_BE``, ``pt-BR`` -> ``nl``, ``pt``)."""
    try:
        return Locale.parse(locale.replace("-", "_")).language.lower()
    except (ValueError, TypeError, UnknownLocaleError):
        return re.split(r"[-_]", locale, maxsplit=1)[0].lower()


@lru_cache(maxsize=64)
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    """The Snowball stemmer named after the language's English name, if there is one."""
    algorithms = set(Stemmer.algorithms())
    try:
        name = (Locale.parse(language).get_language_name("en") or "").lower()
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    for candidate in (name, name.split(" ")[0]):
        if candidate in algorithms and candidate != "porter":
            return Stemmer.Stemmer(candidate, 0)  # no cache of its own: _Language has one
    return None


def _lower(word: str, language: str) -> str:
    if language in ("tr", "az"):
        word = word.replace("I", "ı").replace("İ", "i")
    return word.lower()


# A word's keys: (stems, lower-case forms, surface forms); more than one of each when the word
# has an apostrophe (the whole word, the part before the first and the part after the last).
_Entry = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
_MAX_CACHE = 200_000
# Separates the keys of words in a haystack (see _Analysis.haystack): no word contains it.
_SEP = "\x00"


class _Language:
    """Per-language word analysis with a cache of analysed words."""

    def __init__(self, language: str):
        self.language = language
        self.stemmer = _stemmer(language)
        self.compounds = language in COMPOUNDING_LANGUAGES
        self.agglutinative = language in AGGLUTINATIVE_LANGUAGES
        self.cache: dict[str, _Entry] = {}
        self.pieces: dict[str, str] = {}

    def stem(self, lower: str) -> str:
        return self.stemmer.stemWord(lower) if self.stemmer is not None else lower

    def entry(self, word: str) -> _Entry:
        entry = self.cache.get(word)
        if entry is not None:
            return entry
        if "'" in word:
            parts = word.split("'")
            surfaces = tuple(dict.fromkeys(p for p in (word, parts[0], parts[-1]) if p))
        else:
            surfaces = (word,)
        lowers = tuple(dict.fromkeys(_lower(s, self.language) for s in surfaces))
        stems = tuple(dict.fromkeys(self.stem(low) for low in lowers))
        entry = (stems, lowers, surfaces)
        if len(self.cache) >= _MAX_CACHE:
            self.cache.clear()
        self.cache[word] = entry
        return entry

    def piece(self, word: str) -> str:
        """A word's part of a haystack (see _Analysis.haystack): each of its distinct keys
        after a separator."""
        stems, lowers, surfaces = self.entry(word)
        piece = _SEP + _SEP.join(dict.fromkeys(stems + lowers + surfaces))
        if len(self.pieces) >= _MAX_CACHE:
            self.pieces.clear()
        self.pieces[word] = piece
        return piece


@lru_cache(maxsize=64)
def _language(locale: str) -> _Language:
    return _Language(language_of(locale))


class _Analysis:
    """A text split into words: the words, the gaps between them, their offsets in the
    normalised text (computed when first needed), and each word's keys."""

    __slots__ = ("norm", "parts", "words", "lang", "_bounds", "_haystack")

    def __init__(self, text: str, lang: _Language):
        self.norm = _normalise(text)
        # gap, word, gap, word, ..., gap: word j is parts[2j + 1], the gap before it parts[2j]
        self.parts: list[str] = _split_re().split(_blank_placeholders(self.norm.text))
        self.words: list[str] = self.parts[1::2]
        self.lang = lang
        self._bounds: list[int] | None = None
        self._haystack: tuple[str, list[int]] | None = None

    def _end(self, k: int) -> int:
        """End offset of parts[k] in the normalised text."""
        if self._bounds is None:
            self._bounds = list(accumulate(map(len, self.parts)))
        return self._bounds[k]

    def entry(self, j: int) -> _Entry:
        """The keys of word ``j``."""
        return self.lang.entry(self.words[j])

    def gap(self, j: int) -> str:
        """The kind of gap before word ``j`` (j >= 1)."""
        return _gap_kind(self.parts[2 * j])

    def length(self, i: int, n: int) -> int:
        """Length of the normalised text covered by words i .. i+n-1."""
        return self._end(2 * (i + n) - 1) - self._end(2 * i)

    def span(self, i: int, n: int) -> tuple[int, int]:
        """Original offsets of words i .. i+n-1."""
        return self.norm.span(self._end(2 * i), self._end(2 * (i + n) - 1))

    def haystack(self) -> tuple[str, list[int]]:
        """All keys of all words (stems, lower-case and surface forms), each between two
        separators, and the offset in that string where each word's keys begin (at the
        separator before its first key): word j owns offsets starts[j] .. starts[j+1] - 1."""
        if self._haystack is None:
            cache = self.lang.pieces
            piece = self.lang.piece
            pieces = [cache.get(word) or piece(word) for word in self.words]
            starts = [0, *accumulate(map(len, pieces))]
            pieces.append(_SEP)
            self._haystack = ("".join(pieces), starts[:-1])
        return self._haystack

    def candidates(self, needles: tuple[str, ...]) -> list[int]:
        """The words, in order, that one of ``needles`` occurs in: a needle's text (without
        its separators) lies inside one key of the word. A needle with a separator at its start
        or end only matches at the start or end of a key (and with both, a whole key). A needle
        found at a separator belongs to the word of the key after it, which owns that
        separator."""
        hay, starts = self.haystack()
        found: set[int] = set()
        for needle in needles:
            at = hay.find(needle)
            while at >= 0:
                found.add(bisect_right(starts, at) - 1)
                at = hay.find(needle, at + 1)
        return sorted(found)


@lru_cache(maxsize=512)
def _analyse(text: str, locale: str) -> _Analysis:
    return _Analysis(text, _language(locale))


# --------------------------------------------------------------------------------------------
# Patterns

_STEM, _FOLD, _EXACT = 0, 1, 2  # index into an _Entry: how words are compared


class _Pattern:
    """A term or form compiled for one language: the key of each word and the gaps between."""

    __slots__ = (
        "keys",
        "lowers",
        "stems",
        "gaps",
        "mode",
        "n",
        "hyphenated",
        "inflected",
        "capital",
        "needles",
        "capital_needles",
    )

    def __init__(
        self,
        keys: tuple[str, ...],
        lowers: tuple[str, ...],
        stems: tuple[str, ...],
        gaps: tuple[str, ...],
        mode: int,
        inflected: tuple[frozenset[str], ...] = (),
        capital: str | None = None,
    ):
        self.keys = keys  # stem, lower-case or surface form of each word, as `mode` says
        self.lowers = lowers  # lower-case form of each word (for exactness and compounds)
        self.stems = stems  # stem of each word (for compounds)
        self.gaps = gaps  # " " or "-" before words 1..n-1
        self.mode = mode
        self.n = len(keys)
        self.hyphenated = self.n > 1 and all(g == "-" for g in gaps)  # auto-immuun: one word
        # Stem mode in a language with inflection rules (nl, de): for each word, its regularly
        # inflected lower-case forms (the stemmer does not bring all of them back to its stem).
        self.inflected = inflected
        # Exact mode: the first word with a capital, when the form writes it all in lower case.
        self.capital = capital
        # What a text word must contain for the first word to match it, without and with the
        # capital (see _needles); None: any word may match. Set by _compile.
        self.needles: tuple[str, ...] | None = None
        self.capital_needles: tuple[str, ...] | None = None


# Regular inflection the Snowball stemmer does not always undo. Each function gives the
# lower-case inflected forms of a word of a glossary form; ``attributive`` says that the word is
# an adjective before its noun (a word followed by another word of the form: ``vrij radicaal``,
# ``freies Radikal``), which takes the adjective endings.
# A long vowel written double in a closed final syllable: single when the syllable opens
# (antigeen -> antigenen, radicaal -> radicalen).
_NL_LONG_VOWEL = re.compile(r"(.*[^aeiouy]|)(aa|ee|oo|uu)([^aeiouy])")
# A short vowel before a single final consonant: the consonant doubles (cel -> cellen).
_NL_SHORT_VOWEL = re.compile(r"(.*[^aeiouy]|)[aeiou]([bdfgklmnprst])")
_DE_ADJECTIVE_ENDINGS = ("es", "er", "en", "em", "e")


def _dutch_inflections(word: str, attributive: bool) -> set[str]:
    """Plurals of a Dutch word (-en, -n, -s, -ën; -heid -> -heden) and, before its noun, the
    adjective's -e (vrij -> vrije), with the spelling rules of an opened syllable: a long vowel
    written single (antigeen -> antigenen, radicaal -> radicalen), a doubled consonant after a
    short vowel (cel -> cellen), f/s -> v/z (kaas -> kazen)."""
    out = {word + "s"}
    if word[-1] in "aiouy":
        return out  # alopecia's, echo's: the apostrophe is a word boundary already
    if word.endswith("e"):
        out.add(word + "n")  # cytokine -> cytokinen, ziekte -> ziekten
        if word[-2] in "ei":
            out.add(word + "ën")  # idee -> ideeën, therapie -> therapieën
        return out
    if word.endswith("heid"):
        out.add(word[:-4] + "heden")
    bases = {word}
    m = _NL_LONG_VOWEL.fullmatch(word)
    if m:
        bases.add(m[1] + m[2][0] + m[3])
    m = _NL_SHORT_VOWEL.fullmatch(word)
    if m:
        bases.add(word + m[2])
    for base in list(bases):
        if base[-1] in "fs":
            bases.add(base[:-1] + ("v" if base[-1] == "f" else "z"))
    for base in bases:
        out.add(base + "en")
        if attributive:
            out.add(base + "e")
    return out


def _german_inflections(word: str, attributive: bool) -> set[str]:
    """Plural and case endings of a German word; an adjective before its noun changes its
    ending (freies Radikal -> freie Radikale, freien Radikalen)."""
    out = {word + e for e in ("e", "en", "n", "er", "es", "em", "s", "ern", "nen")}
    if attributive:
        for ending in _DE_ADJECTIVE_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= _MIN_COMPOUND_PART:
                base = word[: -len(ending)]
                out.update(base + e for e in ("", *_DE_ADJECTIVE_ENDINGS))
                break
    return out


_INFLECTIONS = {"nl": _dutch_inflections, "de": _german_inflections}


def _inflectable(word: str) -> bool:
    """Does a word of a form take the language's regular endings? Not a short word (``de``,
    ``T``), nor one with digits or capitals after the first letter (``ANA``, ``dsDNA``, ``T4``):
    acronyms and symbols inflect with an apostrophe, if at all."""
    return len(word) >= _MIN_COMPOUND_PART and word.isalpha() and word[1:] == word[1:].lower()


def _inflections(
    surfaces: tuple[str, ...], lowers: tuple[str, ...], gaps: tuple[str, ...], language: str
) -> tuple[frozenset[str], ...]:
    """For each word of a form, its regularly inflected lower-case forms (empty when the
    language has no rules or the word does not inflect). A word is attributive when a space
    separates it from a next word that inflects too: ``vrij radicaal``, but not ``vitamin D``
    nor the first part of ``Gottron-papel``."""
    inflect = _INFLECTIONS.get(language)
    if inflect is None:
        return ()
    ok = [_inflectable(w) for w in surfaces]
    out = []
    for k, low in enumerate(lowers):
        if not ok[k]:
            out.append(frozenset())
            continue
        attributive = k + 1 < len(ok) and ok[k + 1] and gaps[k] == " "
        out.append(frozenset(inflect(low, attributive) - {low}))
    return tuple(out)


def _capitalise(word: str, language: str) -> str:
    first = "İ" if word[0] == "i" and language in ("tr", "az") else word[0].upper()
    return first + word[1:]


def _compile(form: str, lang: _Language, mode: int) -> _Pattern | None:
    text = _blank_placeholders(_normalise(form).text)
    words = list(_word_re().finditer(text))
    if not words:
        return None
    gaps = tuple(
        _gap_kind(text[words[k - 1].end() : words[k].start()]) or " " for k in range(1, len(words))
    )
    surfaces = tuple(m.group() for m in words)
    lowers = tuple(_lower(w, lang.language) for w in surfaces)
    stems = tuple(lang.stem(w) for w in lowers)
    keys = {_STEM: stems, _FOLD: lowers, _EXACT: surfaces}[mode]
    inflected = _inflections(surfaces, lowers, gaps, lang.language) if mode == _STEM else ()
    capital = None
    if mode == _EXACT and surfaces[0].islower():
        capital = _capitalise(surfaces[0], lang.language)
    pattern = _Pattern(keys, lowers, stems, gaps, mode, inflected, capital)
    pattern.needles = _needles(pattern, lang, False)
    pattern.capital_needles = _needles(pattern, lang, True) if capital else pattern.needles
    return pattern


@lru_cache(maxsize=4096)
def _compile_cached(form: str, locale: str, mode: int) -> _Pattern | None:
    return _compile(form, _language(locale), mode)


# Where a part may sit in a compound word: at its end (the head), at either edge, or anywhere.
_HEAD, _EDGE, _ANYWHERE = 0, 1, 2


def _part_needles(part: str, where: int) -> tuple[str, ...]:
    """What a key must contain for _compound_hit(part, key, where) to hold."""
    if len(part) < _MIN_COMPOUND_PART:
        return ()
    if where == _HEAD:
        return (part + _SEP,)  # the key ends with it
    if where == _ANYWHERE and len(part) >= _MIN_INFIX:
        return (part,)
    return (_SEP + part, part + _SEP)  # the key starts or ends with it


def _needles(p: _Pattern, lang: _Language, sentence_case: bool) -> tuple[str, ...] | None:
    """The strings of which a text word must contain one (in the haystack of
    _Analysis.haystack, where each key has a separator before and after it) for word 0 of the
    pattern to match it in _match_at -- with ``lang``'s compound, inflection and suffix rules,
    and the capital when ``sentence_case`` -- or None (any word may match) when one of them
    would be empty.

    Every way word 0 matches: its key is one of the word's keys of the pattern's mode, or (in
    sentence case) its capital is one of its surface forms; or, in stem mode, through
    _loose_word: an inflected form is one of the word's lower-case forms; in a compounding
    language, when the pattern has only the one word, its stem or lower-case form sits in a
    stem or lower-case form as _compound_hit allows (anywhere when the part is long enough,
    else at the start or end, or -- a rewritten stem -- at the end), or an inflected form ends
    a lower-case form; in an agglutinative language, a stem or lower-case form starts with the
    pattern's stem or lower-case form (when that is long enough)."""
    found = {_SEP + p.keys[0] + _SEP}
    if sentence_case and p.capital is not None:
        found.add(_SEP + p.capital + _SEP)
    if p.mode == _STEM:
        stem, low = p.stems[0], p.lowers[0]
        compound = lang.compounds and p.n == 1
        for form in p.inflected[0] if p.inflected else ():
            found.add(form + _SEP if compound else _SEP + form + _SEP)
        if compound:
            found.update(_part_needles(stem, _ANYWHERE if low.startswith(stem) else _HEAD))
            found.update(_part_needles(low, _ANYWHERE))
        if lang.agglutinative and len(low) >= _MIN_AGGLUTINATIVE:
            found.update((_SEP + stem, _SEP + low))
    if any(not needle.strip(_SEP) for needle in found):
        return None  # an empty key: no text to look for
    # A needle containing another is found only where that one is: keep the shortest.
    out: list[str] = []
    for needle in sorted(found, key=len):
        if not any(shorter in needle for shorter in out):
            out.append(needle)
    return tuple(out)


def _compound_hit(part: str, whole: str, where: int) -> bool:
    """Is ``part`` a member of the compound ``whole``, in a place ``where`` allows?"""
    if len(part) < _MIN_COMPOUND_PART or len(whole) - len(part) < _MIN_COMPOUND_PART:
        return False
    if whole.endswith(part):
        return True
    if where == _HEAD:
        return False
    return whole.startswith(part) or (
        where == _ANYWHERE and len(part) >= _MIN_INFIX and part in whole
    )


def _loose_word(p: _Pattern, k: int, entry: _Entry, lang: _Language, hyphenated: bool) -> bool:
    """Word k of a stem-mode pattern against a word that does not share its stem: an inflected
    form the stemmer does not undo (nl, de), a compound (nl, de) or a word with more suffixes
    (tr, ...). ``hyphenated``: the pattern and the text join all the words by hyphens."""
    stems, lowers, _ = entry
    inflected = p.inflected[k] if p.inflected else frozenset()
    if inflected and not inflected.isdisjoint(lowers):
        return True
    if lang.compounds:
        n = p.n
        if n == 1 or k == n - 1:
            # A single word may sit anywhere in a compound; the last word of a hyphenated form
            # (auto-immuun) at either edge (auto-immuunziekte); of other forms only at the end,
            # as the head the words before it describe.
            where = _ANYWHERE if n == 1 else _EDGE if hyphenated else _HEAD
            # A stem is looked for before or inside other parts only when it is how the word
            # begins (Zelle: zell-); one the stemmer rewrote (immuniteit: immuun) only at the end.
            stem_where = where if p.lowers[k].startswith(p.stems[k]) else _HEAD
            for whole in stems:
                if _compound_hit(p.stems[k], whole, stem_where):
                    return True
            for whole in lowers:
                if _compound_hit(p.lowers[k], whole, where):
                    return True
                # An inflected form only as the head: inflection is at the end of the word.
                for form in inflected:
                    if _compound_hit(form, whole, _HEAD):
                        return True
    if lang.agglutinative and len(p.lowers[k]) >= _MIN_AGGLUTINATIVE:
        for whole in stems:
            if whole.startswith(p.stems[k]):
                return True
        for whole in lowers:
            if whole.startswith(p.lowers[k]):
                return True
    return False


_SENTENCE_END = frozenset(".!?:\n")


def _starts_sentence(a: _Analysis, j: int) -> bool:
    """Is word ``j`` the first of the text or of a sentence (after . ! ? : or a line break)?"""
    return j == 0 or not _SENTENCE_END.isdisjoint(a.parts[2 * j])


def _match_at(
    p: _Pattern,
    a: _Analysis,
    i: int,
    lang: _Language | None,
    first_exact: int | None = None,
    sentence_case: bool = False,
) -> int | None:
    """Does pattern p match the words of a from word i on? Returns how many words match their
    lower-case form exactly (to rank competing terms), or None. ``lang`` enables the compound,
    inflection and suffix rules; ``first_exact`` says the first word is known to match (and
    how exactly); ``sentence_case`` lets an exact-mode pattern whose first word is in lower case
    match it capitalised at the start of a sentence."""
    n = p.n
    if i + n > len(a.words):
        return None
    mode = p.mode
    verbatim = mode != _STEM
    hyphenated = p.hyphenated  # and so far the text too
    exact = 0
    for k in range(n):
        j = i + k
        if k:
            kind = a.gap(j)
            if not kind or (verbatim and kind != p.gaps[k - 1]):
                return None
            if hyphenated and kind != "-":
                hyphenated = False
        elif first_exact is not None:
            exact = first_exact
            continue
        entry = a.entry(j)
        if p.keys[k] in entry[mode]:
            if p.lowers[k] in entry[_FOLD]:
                exact += 1
        elif (
            k == 0
            and sentence_case
            and p.capital is not None
            and p.capital in entry[_EXACT]
            and _starts_sentence(a, j)
        ):
            continue
        elif lang is None or verbatim or not _loose_word(p, k, entry, lang, hyphenated):
            return None
    return exact


def _select(candidates: list[tuple[int, int, int, int, int, object]], count: int) -> list:
    """Resolve overlaps: the longest span wins, then the leftmost; of candidates for the same
    span, the most exactly written, then the first in the glossary. Each candidate is
    (length, exactness, -order, first word, word count, payload)."""
    candidates.sort(key=lambda c: (-c[0], c[3], -c[1], -c[2]))
    used = bytearray(count)
    chosen = []
    for c in candidates:
        i, n = c[3], c[4]
        if any(used[i : i + n]):
            continue
        used[i : i + n] = b"\x01" * n
        chosen.append(c)
    chosen.sort(key=lambda c: c[3])
    return chosen


def _chosen(a: _Analysis, candidates: list) -> Iterator[tuple[int, int, object]]:
    """The candidates _select keeps, each as (start, end, payload) in original offsets."""
    if not candidates:
        return
    for c in _select(candidates, len(a.words)):
        start, end = a.span(c[3], c[4])
        yield start, end, c[5]


def _as_list(forms: str | Iterable[str]) -> list[str]:
    return [forms] if isinstance(forms, str) else list(forms)


# --------------------------------------------------------------------------------------------
# Reading the CSV


def _nfc(value: str) -> str:
    # U+FEFF inside a file is a byte-order mark pasted in with another file: invisible, and a
    # term holding it would match nothing. It is left out (and reported, see _parse).
    return unicodedata.normalize("NFC", value.replace("\ufeff", "").strip())


def _alternatives(value: str) -> tuple[tuple[str, ...], bool]:
    """Split ``a|b`` into forms; the flag says whether an alternative was empty."""
    value = _nfc(value)
    if not value:
        return (), False
    parts = [p.strip() for p in value.split("|")]
    forms = tuple(dict.fromkeys(p for p in parts if p))
    return forms, "" in parts


def _is_locale(name: str) -> bool:
    if not name or any(c.isspace() for c in name):
        return False
    try:
        return Locale.parse(name.replace("-", "_")).language not in (None, "root")
    except (ValueError, TypeError, UnknownLocaleError):
        return False


def _key(term: str) -> str:
    return " ".join(_normalise(term).text.split()).casefold()


def _read_rows(
    path: Path, raw: bytes | None = None, shown: str | None = None
) -> list[tuple[int, list[str]]]:
    """The CSV's rows with the line each starts on; GlossaryError (naming the file ``shown``) if
    it cannot be read. ``raw``: the file's bytes, when the caller has read them."""
    shown = shown or str(path)
    if raw is None:
        raw = read_bytes(path, GlossaryError, shown, " the glossary")
    line = nul_line(raw)
    if line is not None:  # it would reach every catalog's hints
        raise GlossaryError("a NUL byte, which no glossary may hold", shown, line)
    text = decode_text(raw, "utf-8-sig", GlossaryError, shown)
    # strict: a quote that closes a cell must end it. Read laxly, '"minoxidil" 5 %' would be
    # the term 'minoxidil 5 %', a quote quietly lost, rather than a line to fix.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as e:
        raise GlossaryError(f"not valid CSV: {e}", shown, line) from e
    return rows


def _parse(
    path: Path, raw: bytes | None = None, shown: str | None = None
) -> tuple[list[Term], list[str], list[Problem]]:
    """Terms, locale columns and problems of a glossary file (GlossaryError, naming the file
    ``shown``, if unreadable)."""
    shown = shown or str(path)
    rows = _read_rows(path, raw, shown)
    problems: list[Problem] = [
        Problem(
            line,
            "a byte-order mark (U+FEFF) inside the file, left out: pasted in with another file?",
        )
        for line, row in rows
        if any("\ufeff" in c for c in row)
    ]
    if not rows:
        raise GlossaryError(
            "the glossary is empty; expected a header row with a 'term' column", shown, 1
        )
    _, header = rows[0]
    names = [_nfc(h) for h in header]
    columns: dict[str, int] = {}  # reserved name -> index
    locale_cols: dict[str, int] = {}
    forbidden_cols: dict[str, int] = {}
    seen: set[str] = set()
    expected = ", ".join(RESERVED_COLUMNS) + ", " + FORBIDDEN_PREFIX + "<locale>"
    for index, name in enumerate(names):
        lowered = name.lower()
        if lowered in seen:
            problems.append(Problem(1, f"duplicate column {name!r}"))
            continue
        seen.add(lowered)
        if lowered in RESERVED_COLUMNS:
            columns[lowered] = index
        elif lowered.startswith(FORBIDDEN_PREFIX):
            loc = name[len(FORBIDDEN_PREFIX) :].strip()
            if _is_locale(loc):
                forbidden_cols[loc] = index
            else:
                problems.append(Problem(1, f"column {name!r}: {loc!r} is not a valid locale code"))
        elif _is_locale(name):
            locale_cols[name] = index
        elif not name:
            problems.append(Problem(1, f"column {index + 1} has no name"))
        else:
            problems.append(
                Problem(1, f"unknown column {name!r}; expected a locale code or one of {expected}")
            )
    if "term" not in columns:
        raise GlossaryError(f"no 'term' column in the header; expected one of {expected}", shown, 1)

    def cell(row: list[str], index: int | None) -> str:
        return row[index] if index is not None and index < len(row) else ""

    def alternatives(row: list[str], index: int | None, line: int, label: str):
        forms, empty_alt = _alternatives(cell(row, index))
        if empty_alt:
            problems.append(Problem(line, f"{label}: an empty alternative in {cell(row, index)!r}"))
        return forms

    terms: list[Term] = []
    first_line: dict[str, int] = {}
    for line, row in rows[1:]:
        term = _nfc(cell(row, columns["term"]))
        if not term:
            what = "empty row" if not any(c.strip() for c in row) else "row has no term"
            problems.append(Problem(line, what))
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
            problems.append(
                Problem(line, f"row has {len(row)} cells but the header has {len(header)}")
            )
        key = _key(term)
        if key in first_line:
            problems.append(
                Problem(line, f"duplicate term {term!r}: also on line {first_line[key]}")
            )
            continue
        first_line[key] = line
        flags = {}
        for flag in ("dnt", "case"):
            value = _nfc(cell(row, columns.get(flag))).lower()
            if value not in _YES_NO:
                problems.append(Problem(line, f"{flag} is {value!r}; expected yes, no or empty"))
            flags[flag] = _YES_NO.get(value, False)
        translations: dict[str, tuple[str, ...]] = {}
        for loc, index in locale_cols.items():
            forms = alternatives(row, index, line, loc)
            if forms:
                translations[loc] = forms
        if flags["dnt"] and translations:
            problems.append(
                Problem(
                    line,
                    f"{term!r} is do-not-translate but has translations "
                    f"({', '.join(translations)})",
                )
            )
        forbidden: dict[str, tuple[str, ...]] = {}
        for loc, index in forbidden_cols.items():
            forms = alternatives(row, index, line, f"forbidden:{loc}")
            approved = {f.casefold() for f in translations.get(loc, ())}
            clash = [f for f in forms if f.casefold() in approved]
            for f in clash:
                problems.append(
                    Problem(line, f"forbidden:{loc}: {f!r} is also an approved translation")
                )
            forms = tuple(f for f in forms if f.casefold() not in approved)
            if forms:
                forbidden[loc] = forms
        note = _nfc(cell(row, columns.get("note")))
        terms.append(Term(term, translations, flags["dnt"], flags["case"], forbidden, note, line))
    return terms, list(locale_cols), problems


# --------------------------------------------------------------------------------------------
# The glossary


class Glossary:
    """The terms of a glossary, compiled for matching in the source language."""

    def __init__(
        self,
        terms: Iterable[Term] = (),
        source_language: str = "en",
        locales: Iterable[str] | None = None,
    ):
        self.source_language = source_language
        self.raw: bytes | None = None  # the file's bytes, when read from one (see load)
        self.terms: tuple[Term, ...] = tuple(terms)
        if locales is None:
            locales = dict.fromkeys(loc for t in self.terms for loc in t.translations)
        self._locales = list(locales)
        self._lang = _language(source_language)
        # First key of each term's pattern -> [(pattern, order, term)], one index per mode.
        self._index: tuple[dict[str, list[tuple[_Pattern, int, Term]]], ...] = ({}, {}, {})
        self._verbatim: dict[str, Term] = {}
        self._first: dict[str, tuple[tuple[_Pattern, int, Term, int], ...]] = {}
        # Text -> its terms: a source text is asked about once per locale and per check.
        self._source_terms: dict[str, tuple[Match, ...]] = {}
        for order, term in enumerate(self.terms):
            pattern = _compile(term.term, self._lang, self._mode(term))
            if pattern is not None:
                self._index[pattern.mode].setdefault(pattern.keys[0], []).append(
                    (pattern, order, term)
                )
            if term.dnt:
                self._verbatim.setdefault(_key(term.term), term)

    @staticmethod
    def _mode(term: Term) -> int:
        if term.case_sensitive:
            return _EXACT
        return _FOLD if term.dnt else _STEM

    def __len__(self) -> int:
        return len(self.terms)

    def __repr__(self) -> str:
        return f"<Glossary {self.source_language}: {len(self.terms)} terms, {self._locales}>"

    @classmethod
    def load(
        cls, path: str | Path, source_language: str = "en", shown: str | None = None
    ) -> Glossary:
        """Read a glossary file, once. A missing file is an empty glossary; content problems
        are skipped (see :meth:`validate`); an unreadable file (not UTF-8, not CSV, no ``term``
        column) raises :class:`GlossaryError` with the path and line. The bytes it was read
        from are kept as ``raw`` (None: no file), for what is keyed on the glossary. Errors name
        the file ``shown`` (the path as the user should see it), else ``path``."""
        from .fsutil import read_regular

        path = Path(path)
        shown = shown or str(path)
        try:
            raw = read_regular(path)
        except FileNotFoundError:
            return cls((), source_language, ())
        except OSError as e:
            raise GlossaryError(f"cannot read the glossary: {e.strerror or e}", shown) from None
        terms, locales, _ = _parse(path, raw, shown)
        glossary = cls(terms, source_language, locales)
        glossary.raw = raw
        return glossary

    @classmethod
    def validate(cls, path: str | Path, source_language: str = "en") -> list[Problem]:
        """Every problem of a glossary file, in order of line, for ``localise glossary check``.
        A file that cannot be read is one problem on the line where reading failed."""
        path = Path(path)
        if not path.exists():
            return [Problem(0, f"no glossary file at {path}")]
        try:
            _, _, problems = _parse(path)
        except GlossaryError as e:
            return [Problem(e.line or 0, e.message)]
        return sorted(problems, key=lambda p: p.line)

    def forbidden_terms(self, locale: str) -> list[tuple[Term, tuple[str, ...]]]:
        """The terms that forbid variants in ``locale``, each with those variants."""
        cache = self.__dict__.setdefault("_forbidden", {})
        if locale not in cache:
            cache[locale] = [
                (t, lookup(t.forbidden, locale)) for t in self.terms if lookup(t.forbidden, locale)
            ]
        return cache[locale]

    def locales(self) -> list[str]:
        """The locale columns of the glossary, in the file's order."""
        return list(self._locales)

    def term(self, text: str) -> Term | None:
        """The term whose source form is ``text`` (ignoring case and spacing), if any."""
        index = self.__dict__.get("_by_key")
        if index is None:  # the first term of a key wins, as in the file's order
            index = self.__dict__["_by_key"] = {}
            for t in self.terms:
                index.setdefault(_key(t.term), t)
        return index.get(_key(text))

    def _starting_with(self, word: str) -> tuple[tuple[_Pattern, int, Term, int], ...]:
        """The terms whose first word matches ``word``, each with its pattern, its order in the
        glossary and whether the word is written exactly as in the term (1) or not (0)."""
        found = self._first.get(word)
        if found is not None:
            return found
        entry = self._lang.entry(word)
        out = []
        for mode, index in enumerate(self._index):
            for key in entry[mode]:
                for pattern, order, term in index.get(key, ()):
                    out.append((pattern, order, term, int(pattern.lowers[0] in entry[_FOLD])))
        found = tuple(sorted({c[1]: c for c in out}.values(), key=lambda c: c[1]))
        if len(self._first) >= _MAX_CACHE:
            self._first.clear()
        self._first[word] = found
        return found

    def forget(self) -> None:
        """Forget the terms found in the texts asked about so far. A caller done with its texts
        calls it to keep its memory flat: update, after each article (the memo held every text of
        the corpus up to 200,000 of them, 70 MB at 1,600 pages)."""
        self._source_terms.clear()

    def find_source_terms(self, text: str) -> list[Match]:
        """The glossary's terms in a source-language text, sorted by start. Where matches
        overlap the longest wins (``scarring alopecia`` over ``alopecia``); between terms
        matching the same words, the one written exactly like the text wins."""
        found = self._source_terms.get(text)
        if found is None:
            found = tuple(self._find_source_terms(text))
            if len(self._source_terms) >= _MAX_CACHE:
                self._source_terms.clear()
            self._source_terms[text] = found
        return list(found)

    def _find_source_terms(self, text: str) -> list[Match]:
        a = _analyse(text, self.source_language)
        words = a.words
        found_at = list(map(self._first.get, words))
        if None in found_at:
            found_at = [
                f if f is not None else self._starting_with(w)
                for f, w in zip(found_at, words, strict=True)
            ]
        hits = [i for i, f in enumerate(found_at) if f]
        if not hits:
            return []
        cache = self._lang.cache
        entry = self._lang.entry
        candidates = []
        for i in hits:
            for pattern, order, term, exact in found_at[i]:
                n = pattern.n
                if n > 1:
                    # Cheap test of the second word before the full one.
                    if i + 1 >= len(words):
                        continue
                    second = cache.get(words[i + 1]) or entry(words[i + 1])
                    if pattern.keys[1] not in second[pattern.mode]:
                        continue
                    exact = _match_at(pattern, a, i, None, exact)
                    if exact is None:
                        continue
                candidates.append((a.length(i, n), exact, -order, i, n, term))
        return [Match(term, start, end) for start, end, term in _chosen(a, candidates)]

    def find_forms(
        self,
        text: str,
        forms: str | Iterable[str],
        locale: str,
        case_sensitive: bool = False,
        *,
        verbatim: bool | None = None,
    ) -> list[tuple[int, int, str]]:
        """Where any of ``forms`` occurs in ``text`` (written in ``locale``): (start, end, form)
        in original offsets, sorted by start, the longest winning where they overlap. A match
        inside a compound covers the whole compound word. ``case_sensitive`` compares exact
        surface forms, except that a form written in lower case may start a sentence with a
        capital (unless it is verbatim); ``verbatim`` compares without stemming (default: when
        the form is a do-not-translate term of this glossary)."""
        a = _analyse(text, locale)
        return list(_chosen(a, self._candidates(a, forms, locale, case_sensitive, verbatim)))

    def _is_verbatim(self, form: str) -> bool:
        """Is ``form`` a do-not-translate term of this glossary?"""
        cache = self.__dict__.setdefault("_verbatim_forms", {})
        found = cache.get(form)
        if found is None:
            if len(cache) >= _MAX_CACHE:
                cache.clear()
            found = cache[form] = _key(form) in self._verbatim
        return found

    def _candidates(
        self,
        a: _Analysis,
        forms: str | Iterable[str],
        locale: str,
        case_sensitive: bool,
        verbatim: bool | None,
        first: bool = False,
        prefilter: bool = True,
    ) -> list[tuple[int, int, int, int, int, str]]:
        """Every match of each of ``forms`` in ``a``, as candidates for _select (the first one
        only, when ``first``). The pattern is tried only at the words that could match its first
        word (see _needles), unless ``prefilter`` is false (the reference for tests)."""
        count = len(a.words)
        if not count:
            return []
        lang = _language(locale)
        candidates = []
        for order, form in enumerate(_as_list(forms)):
            if verbatim is None:
                form_verbatim = self._is_verbatim(form)
            else:
                form_verbatim = verbatim
            mode = _EXACT if case_sensitive else _FOLD if form_verbatim else _STEM
            pattern = _compile_cached(form, locale, mode)
            if pattern is None:
                continue
            sentence_case = pattern.capital is not None and not form_verbatim
            n = pattern.n
            last = count - n
            if last < 0:
                continue
            needles = pattern.capital_needles if sentence_case else pattern.needles
            if prefilter and needles is not None:
                positions: Iterable[int] = a.candidates(needles)
            else:
                positions = range(last + 1)
            for i in positions:
                if i > last:
                    break
                exact = _match_at(pattern, a, i, lang, None, sentence_case)
                if exact is not None:
                    candidates.append((a.length(i, n), exact, -order, i, n, form))
                    if first:
                        return candidates
        return candidates

    def contains(
        self,
        text: str,
        form: str,
        locale: str,
        case_sensitive: bool = False,
        *,
        verbatim: bool | None = None,
    ) -> bool:
        """Whether ``form`` (a translation, possibly several words) occurs in ``text`` written
        in ``locale``: inflected, and in Dutch and German inside a compound. See
        :meth:`find_forms` for ``case_sensitive`` and ``verbatim``."""
        a = _analyse(text, locale)
        return bool(self._candidates(a, [form], locale, case_sensitive, verbatim, first=True))

    def hints(self, text: str, locale: str) -> list[str]:
        """Translator hints for the glossary terms in a source text, one per distinct term in
        order of appearance: ``hair loss → haaruitval (also: haarverlies)``, or
        ``ANA → ANA (do not translate)``; a term's note follows after `` — ``. Terms without an
        approved translation for the locale are left out."""
        hints: list[str] = []
        done: set[int] = set()
        for m in self.find_source_terms(text):
            term = m.term
            if id(term) in done:
                continue
            done.add(id(term))
            if term.dnt:
                hint = f"{term.term} → {term.term} (do not translate)"
            else:
                forms = lookup(term.translations, locale)
                if not forms:
                    continue
                hint = f"{term.term} → {forms[0]}"
                if len(forms) > 1:
                    hint += f" (also: {', '.join(forms[1:])})"
            if term.note:
                hint += " — " + " ".join(term.note.split())
            hints.append(hint)
        return hints


def lookup(mapping: dict[str, tuple[str, ...]], locale: str) -> tuple[str, ...]:
    """A term's forms for a locale: the exact locale code, else the same code written
    differently (``pt_BR``/``pt-br``), else the bare language (``nl`` for ``nl_BE``)."""
    if locale in mapping:
        return mapping[locale]
    wanted = locale.replace("-", "_").lower()
    for key, value in mapping.items():
        if key.replace("-", "_").lower() == wanted:
            return value
    language = language_of(locale)
    for key, value in mapping.items():
        if key.replace("-", "_").lower() == language:
            return value
    return ()
