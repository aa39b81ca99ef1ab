"""Numbers and quantities in msgids and msgstrs, read per locale, and source/translation checks.

A changed number, dose or unit in a medical translation is a patient-safety bug, so this module
finds every number in a text (with the unit that follows it, if any), reading decimal and group
separators with the locale's conventions from Babel (English "1,500.5" is Dutch "1.500,5" and
French "1 500,5"), and compares the numbers of a source text with those of its translation as a
multiset: digits may move within the sentence, but every source number must be in the
translation, no new number may appear, and a dose must keep its unit (5 mg must not become 5 g).
Placeholders (``<a2>``, ``<h3>``), URLs and e-mail addresses carry no numbers. Digits glued to
letters (``T4``, ``IL-23``, ``COVID-19``) do count: they must survive translation. The
``signature`` of a text (its numbers and units) lets fuzzy matching refuse to reuse a translation
whose numbers differ ("numbers-safe" matching).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol

from toolkit.placeholders import PLACEHOLDER_RE


@dataclass(frozen=True)
class Quantity:
    """A number found in a text, with its canonical unit if one follows it.

    ``text`` is the exact substring of the original text (``text[start:end]``): the number plus
    its unit when the unit is written right after it ("30 mg", "%70"). The first number of a
    range takes the unit written after the second ("1000‑2000 IU": 1000 IU and 2000 IU); its
    ``text`` is then the number alone.
    """

    value: Decimal  # the number's value (sign ignored: ranges use dashes)
    unit: str | None  # canonical unit ("mg", "µg", "g", "IU", "ml", "%", ...) or None
    text: str  # the exact substring matched (number plus unit if any)
    start: int  # offset in the original text
    end: int


@dataclass(frozen=True)
class NumberProblem:
    """A difference between the numbers of a source text and those of its translation."""

    kind: str  # "missing", "extra" or "unit"
    message: str  # one readable sentence for an editor
    source: Quantity | None
    target: Quantity | None


# ---------------------------------------------------------------------------------------------
# Masking: placeholders, URLs and e-mail addresses are blanked out, keeping every offset.

_MASK = "\ue000"  # a private-use character: neither a digit, a letter nor a space
_URL_RE = re.compile(
    r"(?:\b[A-Za-z][A-Za-z0-9+.-]*://|\bwww\.)[^\s<>\"'()\[\]{}]*[^\s<>\"'()\[\]{}.,;:!?]"
)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _blank(m: re.Match[str]) -> str:
    return _MASK * (m.end() - m.start())


def _mask(text: str) -> str:
    """The text with placeholders, URLs and e-mail addresses replaced by as many mask characters,
    so that offsets into it are offsets into the original."""
    if "<" in text:
        # The placeholder grammar of toolkit.placeholders; strip() would shift offsets.
        text = PLACEHOLDER_RE.sub(_blank, text)
    if "/" in text or "www." in text or "WWW." in text:
        text = _URL_RE.sub(_blank, text)
    if "@" in text:
        text = _EMAIL_RE.sub(_blank, text)
    return text


# ---------------------------------------------------------------------------------------------
# Number formats.

_SPACES = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break space, thin space
_APOSTROPHES = "'\u2019"


class _Convention(NamedTuple):
    decimal: str
    groups: frozenset[str]  # characters accepted between groups of three digits


_EN = _Convention(".", frozenset(","))
_CONTINENTAL = _Convention(",", frozenset("."))


def _locale(locale: str) -> Locale:
    return Locale.parse(locale.replace("-", "_"))


@lru_cache(maxsize=256)
def _convention(locale: str) -> _Convention:
    """The locale's decimal symbol and group separators, from Babel (CLDR)."""
    loc = _locale(locale)
    decimal = get_decimal_symbol(loc)
    group = get_group_symbol(loc)
    groups = {group}
    if group in _SPACES or group.isspace():
        groups |= set(_SPACES)  # Babel says U+202F or U+00A0; people type a plain space too
    if group in _APOSTROPHES:
        groups |= set(_APOSTROPHES)
    return _Convention(decimal, frozenset(groups - {decimal}))


@lru_cache(maxsize=256)
def _language(locale: str) -> str:
    return _locale(locale).language


def _swapped(conv: _Convention) -> _Convention:
    """The other common convention: a text that breaks its locale's rules most likely used it."""
    return _EN if conv.decimal == "," else _CONTINENTAL


@lru_cache(maxsize=256)
def _chain(primary: _Convention, other: _Convention | None) -> tuple[_Convention, ...]:
    """The conventions to try, in order, for a number of a text written under ``primary``:
    its own, then the other text's (a number copied unchanged from the source), then the swapped
    one. Only the text's own convention accepts spaces as group separators ("day 3 200 mg" is
    not 3200 in English)."""
    chain = [primary]
    if other is not None:
        chain.append(_Convention(other.decimal, frozenset(other.groups - set(_SPACES))))
    chain.append(_swapped(primary))
    out: list[_Convention] = []
    for conv in chain:
        if conv not in out:
            out.append(conv)
    return tuple(out)


_FRACTION_CHARS = "\u00bc-\u00be\u2150-\u215e"  # ¼ ½ ¾ and ⅐ ... ⅞
_ANY_DIGIT_RE = re.compile(f"[0-9{_FRACTION_CHARS}]")
# Vulgar fractions, as the decimals a translation may write instead ("½" is "0,5"); the ones
# with no finite decimal to four places (a translation writing "0,33" for "⅓" is reported).
_FRACTIONS = {
    "¼": "0.25",
    "½": "0.5",
    "¾": "0.75",
    "⅐": "0.1429",
    "⅑": "0.1111",
    "⅒": "0.1",
    "⅓": "0.3333",
    "⅔": "0.6667",
    "⅕": "0.2",
    "⅖": "0.4",
    "⅗": "0.6",
    "⅘": "0.8",
    "⅙": "0.1667",
    "⅚": "0.8333",
    "⅛": "0.125",
    "⅜": "0.375",
    "⅝": "0.625",
    "⅞": "0.875",
}
_FRACTION_RE = re.compile(f"[{_FRACTION_CHARS}]")
# Superscript digits after a number are its exponent ("150 ×10⁹/L" is 150, 10 and 9, as
# "150 ×10^9/L" is); after a letter they belong to a unit or a footnote ("m²", "text¹").
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_RE = re.compile(f"(?<=[0-9])[⁻⁺]?[{_SUPERSCRIPTS}]+")
_FROM_SUPERSCRIPT = str.maketrans(_SUPERSCRIPTS, "0123456789", "⁻⁺")
_UNUSUAL_DIGIT_RE = re.compile(f"[{_FRACTION_CHARS}{_SUPERSCRIPTS}]")
_RUN_RE = re.compile(r"[0-9]+(?:[.,'\u2019 \u00a0\u202f\u2009][0-9]+)*")
_SEP_RE = re.compile(r"[^0-9]")
_DIGITS_RE = re.compile(r"[0-9]+")
_NONSPACE_RE = re.compile(r"[^ \u00a0\u202f\u2009]+")
_SPACE_SET = frozenset(_SPACES)


def _parse(run: str, conv: _Convention) -> Decimal | None:
    """The value of a run of digits and separators under a convention, or None if the run is
    not a well-formed number there (groups of three, one decimal symbol after the groups)."""
    seps = _SEP_RE.findall(run)
    if not seps:
        return Decimal(run)
    groups = _SEP_RE.split(run)
    if seps.count(conv.decimal) > 1:
        return None
    frac = ""
    if seps[-1] == conv.decimal:
        frac = groups.pop()
        seps.pop()
    if seps:
        if any(s not in conv.groups for s in seps):
            return None
        if len({" " if s in _SPACE_SET else s for s in seps}) > 1:
            return None  # one group separator per number
        first = groups[0]
        if len(first) > 3 or first[0] == "0" or any(len(g) != 3 for g in groups[1:]):
            return None
    digits = "".join(groups)
    return Decimal(f"{digits}.{frac}" if frac else digits)


def _read_run(run: str, offset: int, chain: tuple[_Convention, ...]) -> list[tuple]:
    """(start, end, value) of the numbers of a run: one number if a convention reads it, else
    the space-separated parts read on their own, else every digit string as an integer."""
    if run.isdigit():
        return [(offset, offset + len(run), Decimal(run))]
    for conv in chain:
        value = _parse(run, conv)
        if value is not None:
            return [(offset, offset + len(run), value)]
    parts = list(_NONSPACE_RE.finditer(run))
    if len(parts) > 1:
        out: list[tuple] = []
        for m in parts:
            out.extend(_read_run(m.group(), offset + m.start(), chain))
        return out
    return [
        (offset + m.start(), offset + m.end(), Decimal(m.group())) for m in _DIGITS_RE.finditer(run)
    ]


# ---------------------------------------------------------------------------------------------
# Units.

_GRAM = r"gram(?:mes|me|men|mi|mo|mos|m|s|os|as|o|a)?"
_LITRE = r"lit(?:er|re|ro|ri)(?:s|n|es)?"
_METRE = r"met(?:er|re|ro|ri)(?:s|n|es)?"
_MICRO = r"(?:[µμ]|micro|mikro)"

# (canonical unit, spellings, single letter?) - compound units before their first part.
_UNITS: list[tuple[str, list[str], bool]] = [
    ("mmol/l", [r"mmol\s?/\s?l"], False),
    ("µmol/l", [r"[µμu]mol\s?/\s?l"], False),
    ("nmol/l", [r"nmol\s?/\s?l"], False),
    ("pmol/l", [r"pmol\s?/\s?l"], False),
    ("mg/dl", [r"mg\s?/\s?dl"], False),
    ("g/dl", [r"g\s?/\s?dl"], False),
    ("mg/l", [r"mg\s?/\s?l"], False),
    ("µg/l", [r"(?:[µμ]g|mcg|ug)\s?/\s?l"], False),
    ("ng/ml", [r"ng\s?/\s?ml"], False),
    ("pg/ml", [r"pg\s?/\s?ml"], False),
    ("mmHg", [r"mm\s?hg"], False),
    ("mmol", [r"mmol"], False),
    ("µg", [r"[µμ]g", r"mcg", r"ug", _MICRO + _GRAM], False),
    ("mg", [r"mg", r"mil+i" + _GRAM], False),
    ("ng", [r"ng", r"nano" + _GRAM], False),
    ("kg", [r"kg", r"kilo" + _GRAM, r"kilos?"], False),
    ("kcal", [r"kcal"], False),
    (
        "IU",
        [
            # Capitals only: "the first 3 i.e. the worst" has no units.
            r"(?-i:I\.\s?U\.|I\.\s?E\.|U\.\s?I\.|IU|IE|UI)",
            r"international\s+units?",
            r"internationale\s+eenheden",
            r"internationale\s+Einheiten",
            r"unités\s+internationales",
            r"unidades\s+internacionales",
            r"unità\s+internazionali",
        ],
        False,
    ),
    (
        "U",
        [
            r"units?",
            r"eenhe(?:id|den)",
            r"einheit(?:en)?",
            r"unités?",
            r"unidad(?:es)?",
            r"unità",
            r"birim",
            r"(?-i:U)(?!\.)",  # "10 U insulin"; "5 U.S. states" has none
        ],
        False,
    ),
    ("µl", [r"[µμ]l", r"mcl", r"ul", _MICRO + _LITRE], False),
    ("ml", [r"ml", r"mil+i" + _LITRE], False),
    ("cm", [r"cm", r"[cz]enti" + _METRE], False),
    ("mm", [r"mm", r"mil+i" + _METRE], False),
    ("µm", [r"[µμ]m", _MICRO + _METRE, r"microns?"], False),
    (
        "%",
        [
            r"%",
            r"per\s?cent",
            r"procent",
            r"prozent",
            r"pour\s+cent",
            r"por\s+ciento",
            r"per\s+cento",
            r"por\s+cento",
            r"prosent",
            r"pct",
            r"prozentig(?:e[nrsm]?)?",  # "eine 5-prozentige Lösung"
            r"procents",  # "een 5-procents oplossing"
        ],
        False,
    ),
    ("‰", [r"‰", r"promille"], False),
    ("°F", [r"[°º]\s?F"], True),
    ("°C", [r"[°º]\s?C", r"(?:graden|degrees?|grad|degrés|grados|gradi)\s+Celsius", r"[°º]"], True),
    (
        "h",
        [
            r"hrs?",
            r"hours?",
            r"uurs?",
            r"std",
            r"stunden?",
            r"stündig(?:e[nrsm]?)?",
            r"heures?",
            r"saat(?:lik)?",
            r"horas?",
            r"ore",
            r"ora",
            r"h",
        ],
        True,
    ),
    # Durations: "every 7 days" must not become "elke 7 uur". Adjectives ("a 7-day course",
    # "7-tägige", "7-daagse", "7 günlük") are the same unit.
    (
        "min",
        [
            r"mins?",
            r"minut(?:es?|en|os?|i|o)",
            r"minuut",
            r"minütig(?:e[nrsm]?)?",
            r"dakika(?:l[ıi]k)?",
        ],
        False,
    ),
    (
        "s",
        [
            r"secs?",
            r"seconds?",
            r"seconden?",
            r"sekunden?",
            r"segundos?",
            r"second[io]",
            r"saniye(?:l[ıi]k)?",
        ],
        False,
    ),
    (
        "d",
        [
            r"days?",
            r"dag(?:en)?",
            r"daags(?:e)?",
            r"tag(?:e|en)?",
            r"tägig(?:e[nrsm]?)?",
            r"jours?",
            r"días?",
            r"dias?",
            r"giorn[io]",
            r"gün(?:l[üu]k)?",
            r"dygn",
            r"døgn",
        ],
        False,
    ),
    (
        "wk",
        [
            r"weeks?",
            r"weken",
            r"wochen?",
            r"wöchig(?:e[nrsm]?)?",
            r"semaines?",
            r"semanas?",
            r"settiman[ae]",
            r"hafta(?:l[ıi]k)?",
        ],
        False,
    ),
    (
        "mo",
        [
            r"months?",
            r"maand(?:en)?",
            r"monat(?:e|en)?",
            r"monatig(?:e[nrsm]?)?",
            r"mois",
            r"mes(?:es)?",
            r"mês",
            r"mes[ei]",
            r"ay(?:l[ıi]k)?",
        ],
        False,
    ),
    (
        "yr",
        [
            r"years?",
            r"yrs?",
            r"jaar",
            r"jaren",
            r"jarig(?:e|en)?",
            r"jahr(?:e|en)?",
            r"jährig(?:e[nrsm]?)?",
            r"ans?",
            r"années?",
            r"años?",
            r"ann[io]",
            r"anos?",
            r"yıl(?:l[ıi]k)?",
        ],
        False,
    ),
    ("g", [r"gr", _GRAM, r"g"], True),
    ("l", [_LITRE, r"l"], True),
]


def _unit_alternation() -> str:
    parts = []
    for i, (_canonical, spellings, single) in enumerate(_UNITS):
        # A unit ends where a word ends; "5 L-carnitine" and "5 l'an" are no litres.
        stop = r"(?![\w'\u2019\-\u2010\u2011])" if single else r"(?![\w'\u2019])"
        alts = "|".join(f"(?:{s}{stop})" if s[-1] not in "%‰°º]" else f"(?:{s})" for s in spellings)
        parts.append(f"(?P<u{i}>{alts})")
    return "|".join(parts)


# A unit right after a number: after nothing, spaces (or blanked placeholders), or a hyphen
# ("a 5-mg tablet").
_UNIT_RE = re.compile(
    r"(?:[\s" + _MASK + r"]*|[-\u2010\u2011])(?:" + _unit_alternation() + ")", re.IGNORECASE
)
_UNIT_NAMES = {f"u{i}": canonical for i, (canonical, _s, _x) in enumerate(_UNITS)}
# A dose per kilogram of body weight or per square metre of body surface is another dose:
# "2 mg/kg" must not become "2 mg". (Per day and per week are not read: "30 mg daily" and
# "30 mg/dag" are the same dose, and words say how often as often as units do.)
_PER_BODY_RE = re.compile(
    r"(?:[\s" + _MASK + r"]*/[\s" + _MASK + r"]*|\s+(?:per|pro|je|par|por|a)\s+)"
    r"(?:(?P<kg>kg|kilo(?:gram\w*)?)|(?P<m2>m²|m2|m\^2))(?![\w'\u2019])",
    re.IGNORECASE,
)
_PER_BODY_NAMES = {"kg": "kg", "m2": "m²"}
_DOSES = frozenset(("mg", "µg", "g", "ng", "IU", "U", "ml", "µl", "l", "mmol", "kcal"))
# Percent written before the number: Turkish "%70", "% 70", "yüzde 70".
_PREFIX_PERCENT_RE = re.compile(r"(?:%|(?<![^\W\d_])yüzde)[ \u00a0\u202f]?\Z", re.IGNORECASE)

_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212~\uff5e\u301c"
# Words joining the two ends of a range ("1000 tot 2000 IE") or two numbers sharing a unit.
_RANGE_WORDS = {
    "en": ["to", "and", "or", "through", "till"],
    "nl": ["tot en met", "t/m", "tot", "à", "en", "of"],
    "de": ["bis", "und", "oder"],
    "fr": ["à", "a", "et", "ou"],
    "es": ["a", "y", "o"],
    "it": ["a", "e", "o"],
    "pt": ["a", "e", "ou"],
    "tr": ["ile", "ve", "veya"],
    "sv": ["till", "och", "eller"],
    "da": ["til", "og", "eller"],
    "nb": ["til", "og", "eller"],
    "pl": ["do", "i", "lub"],
}


@lru_cache(maxsize=64)
def _range_re(language: str) -> re.Pattern[str]:
    gap = r"[\s" + _MASK + "]"
    dash = f"{gap}*[{re.escape(_DASHES)}]{gap}*"
    words = _RANGE_WORDS.get(language)
    if not words:
        return re.compile(dash)
    alts = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return re.compile(f"{dash}|{gap}+(?:{alts}){gap}+", re.IGNORECASE)


def _glued(masked: str, start: int) -> bool:
    """Whether the number at ``start`` is part of a name ("T4", "IL-23", "COVID-19")."""
    if start == 0:
        return False
    before = masked[start - 1]
    if before.isalpha():
        return True
    return before in _DASHES and start > 1 and masked[start - 2].isalpha()


# ---------------------------------------------------------------------------------------------
# Scanning.


@lru_cache(maxsize=65536)
def _scan(text: str, chain: tuple[_Convention, ...], language: str) -> tuple[Quantity, ...]:
    if not _ANY_DIGIT_RE.search(text):
        return ()
    masked = _mask(text)
    pieces: list[tuple] = []
    for m in _RUN_RE.finditer(masked):
        pieces.extend(_read_run(m.group(), m.start(), chain))
    if _UNUSUAL_DIGIT_RE.search(masked):
        pieces = _fractions_and_exponents(masked, pieces)
    if not pieces:
        return ()

    n = len(pieces)
    units: list[str | None] = [None] * n
    starts = [p[0] for p in pieces]
    ends = [p[1] for p in pieces]
    how = [""] * n  # "post": unit written after, "pre": percent before, "range": shared
    consumed = 0
    dropped: set[int] = set()  # digits inside a unit ("mg/m2")
    for i, (start, end, _value) in enumerate(pieces):
        if i in dropped:
            continue
        um = _UNIT_RE.match(masked, end)
        if um and (i + 1 == n or um.end() <= pieces[i + 1][0]):
            units[i] = _UNIT_NAMES[um.lastgroup or ""]
            ends[i] = um.end()
            if units[i] in _DOSES:
                per = _PER_BODY_RE.match(masked, um.end())
                if per is not None:
                    units[i] += "/" + _PER_BODY_NAMES[per.lastgroup or ""]
                    ends[i] = per.end()
                    dropped.update(j for j in range(i + 1, n) if pieces[j][0] < per.end())
            how[i] = "post"
            consumed = ends[i]
            continue
        pm = _PREFIX_PERCENT_RE.search(masked, max(consumed, start - 8), start)
        if pm:
            units[i] = "%"
            starts[i] = pm.start()
            how[i] = "pre"

    range_re = _range_re(language)
    # Turkish "%10-20": the percent sign before the first number covers the second.
    for i in range(n - 1):
        if how[i] in ("pre", "range-pre") and units[i + 1] is None:
            if range_re.fullmatch(masked, pieces[i][1], pieces[i + 1][0]):
                units[i + 1] = units[i]
                how[i + 1] = "range-pre"
    # "1000‑2000 IU": the unit after the second number covers the first.
    for i in range(n - 2, -1, -1):
        if (
            units[i] is None
            and how[i + 1] in ("post", "range")
            and not _glued(masked, pieces[i][0])
        ):
            if range_re.fullmatch(masked, pieces[i][1], pieces[i + 1][0]):
                units[i] = units[i + 1]
                how[i] = "range"

    return tuple(
        Quantity(
            value=pieces[i][2],
            unit=units[i],
            text=text[starts[i] : ends[i]],
            start=starts[i],
            end=ends[i],
        )
        for i in range(n)
        if i not in dropped
    )


def _fractions_and_exponents(masked: str, pieces: list[tuple]) -> list[tuple]:
    """``pieces`` with the vulgar fractions of the text (on their own, "½", or after a whole
    number, "1½" and "1 ½") and the superscript exponents of its numbers, in text order."""
    by_end = {end: k for k, (_start, end, _value) in enumerate(pieces)}
    out = list(pieces)
    for m in _FRACTION_RE.finditer(masked):
        value = Decimal(_FRACTIONS[m.group()])
        at = m.start()
        k = by_end.get(at)
        if k is None and at > 0 and masked[at - 1] in _SPACE_SET:
            k = by_end.get(at - 1)
        if k is not None and out[k][2] == out[k][2].to_integral_value():
            start, _end, whole = out[k]
            out[k] = (start, m.end(), whole + value)
        else:
            out.append((at, m.end(), value))
    for m in _SUPERSCRIPT_RE.finditer(masked):
        out.append((m.start(), m.end(), Decimal(m.group().translate(_FROM_SUPERSCRIPT))))
    out.sort()
    return out


def quantities(text: str, locale: str) -> list[Quantity]:
    """Numbers in text, read with the locale's number format via Babel
    (babel.numbers.get_decimal_symbol / get_group_symbol for Locale.parse(locale)).

    A number that is not well formed in the locale ("2.5" in Dutch, where "." groups thousands)
    is read with the other common convention (2.5); one that no convention reads is split into
    its integers ("23.05.2026" is 23, 5 and 2026). Signs are ignored. Returned in text order.
    """
    conv = _convention(locale)
    return list(_scan(text, _chain(conv, None), _language(locale)))


# ---------------------------------------------------------------------------------------------
# Comparing.

_NUMBER_TEXT_RE = re.compile(
    f"[0-9{_FRACTION_CHARS}{_SUPERSCRIPTS}]"
    f"(?:[0-9.,'\u2019 \u00a0\u202f\u2009]*[0-9{_FRACTION_CHARS}{_SUPERSCRIPTS}])?"
)
_SPACE_TRANS = str.maketrans({c: " " for c in _SPACES})


def _show(q: Quantity, with_unit: bool = True) -> str:
    """A quantity as an editor reads it: the number as written, then its unit."""
    m = _NUMBER_TEXT_RE.search(q.text)
    number = (m.group() if m else str(q.value)).translate(_SPACE_TRANS)
    if not with_unit or q.unit is None:
        return number
    return f"{number}{q.unit}" if q.unit in ("%", "‰") else f"{number} {q.unit}"


def _key(q: Quantity) -> tuple:
    return (q.value, q.unit)


def _match_exact(
    left: list[Quantity], right: list[Quantity]
) -> tuple[list[int | None], list[bool]]:
    """Pair equal (value, unit) quantities, first with first."""
    index: dict[tuple, deque[int]] = {}
    for j, q in enumerate(right):
        index.setdefault(_key(q), deque()).append(j)
    pairs: list[int | None] = [None] * len(left)
    used = [False] * len(right)
    for i, q in enumerate(left):
        queue = index.get(_key(q))
        if queue:
            j = queue.popleft()
            pairs[i] = j
            used[j] = True
    return pairs, used


def compare(
    source: str, source_locale: str, target: str, target_locale: str
) -> list[NumberProblem]:
    """The number problems of a translation: source numbers it lacks ("missing"), numbers the
    source lacks ("extra"), and numbers whose unit changed or was dropped ("unit").

    Numbers are compared as a multiset of values and may move within the sentence. Each text is
    read with its locale's format; a target number not well formed in the target locale is read
    as the source would write it. A value found in both with different units, or with a unit in
    the source and none in the translation, is a "unit" problem. Problems come in order: those
    anchored in the source by source position, then the extras by target position.
    """
    sconv, tconv = _convention(source_locale), _convention(target_locale)
    src = list(_scan(source, _chain(sconv, tconv), _language(source_locale)))
    tgt = list(_scan(target, _chain(tconv, sconv), _language(target_locale)))
    pairs, used = _match_exact(src, tgt)

    problems: list[tuple[tuple, NumberProblem]] = []
    missing: list[int] = []
    for i, q in enumerate(src):
        if pairs[i] is not None:
            continue
        j = next((j for j, t in enumerate(tgt) if not used[j] and t.value == q.value), None)
        if j is None:
            missing.append(i)
            continue
        used[j] = True
        t = tgt[j]
        if q.unit is None:
            # The translation may name a unit the source leaves implicit ("5 to 10 mg", "5 tot
            # 10 mg"), but not a dose where the source counts things ("2 tablets", "5 drops",
            # "5 µl" before it was a unit we know): "2 mg" is another dose.
            counted = _counted(source, q, _language(source_locale))
            if counted and t.unit is not None and t.unit.split("/")[0] in _DOSES | {"%"}:
                message = f"{_show(q)} {counted} in the source is {_show(t)} in the translation"
                problems.append(((0, q.start), NumberProblem("unit", message, q, t)))
            continue
        if t.unit is None:
            message = f"{_show(q)} in the source is {_show(t)} without a unit in the translation"
        else:
            message = f"{_show(q)} in the source is {_show(t)} in the translation"
        problems.append(((0, q.start), NumberProblem("unit", message, q, t)))

    extra = [j for j, u in enumerate(used) if not u]
    partner_of_missing: dict[int, int] = {}
    free = list(extra)
    for same_unit in (True, False):
        for i in missing:
            if i in partner_of_missing:
                continue
            j = next((j for j in free if not same_unit or tgt[j].unit == src[i].unit), None)
            if j is not None:
                partner_of_missing[i] = j
                free.remove(j)
    partner_of_extra = {j: i for i, j in partner_of_missing.items()}

    for i in missing:
        q = src[i]
        message = f"{_show(q)} in the source is missing from the translation"
        if i in partner_of_missing:
            t = tgt[partner_of_missing[i]]
            message += f", which has {_show(t)} instead" + _misread(q, t, target_locale, tconv)
        problems.append(((0, q.start), NumberProblem("missing", message, q, None)))
    for j in extra:
        t = tgt[j]
        message = f"{_show(t)} in the translation is not in the source"
        if j in partner_of_extra:
            q = src[partner_of_extra[j]]
            message += f", which has {_show(q)} instead" + _misread(q, t, target_locale, tconv)
        problems.append(((1, t.start), NumberProblem("extra", message, None, t)))

    problems.sort(key=lambda p: p[0])
    return [p for _, p in problems]


def _misread(q: Quantity, t: Quantity, target_locale: str, tconv: _Convention) -> str:
    """Why a number copied as it stands is another number in the translation ("1,000 mg" is
    1000 mg in English and 1 mg in Dutch): empty unless the two are written alike."""
    if _show(q) != _show(t) or q.value == t.value:
        return ""
    return (
        f" (written alike, but {_show(t, False)} reads as {_plain(t.value)} with the "
        f"{target_locale} decimal sign {tconv.decimal!r}, and the source means {_plain(q.value)})"
    )


def _plain(value: Decimal) -> str:
    """A value as digits alone, no group separators: 1000, 2.5."""
    return format(_canonical_value(value), "f")


_WORD_AFTER_RE = re.compile(r"[ \u00a0\u202f\u2009]?([^\W\d_]{3,})")


def _counted(text: str, q: Quantity, language: str) -> str | None:
    """The word after a number with no unit, when it names what is counted ("2 tablets",
    "5 drops"): a word of three letters or more that does not join a range ("5 and 10")."""
    m = _WORD_AFTER_RE.match(text, q.end)
    if m is None:
        return None
    word = m.group(1)
    if word.lower() in _RANGE_WORDS.get(language, ()):
        return None
    return word


def _canonical_value(value: Decimal) -> Decimal:
    """The value without trailing fractional zeros ("2.50" -> 2.5), computed exactly: unlike
    Decimal.normalize() it does not round to the context's 28 digits."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return value
    if not any(digits):
        return Decimal(0)
    kept = list(digits)
    while exponent < 0 and kept[-1] == 0:
        kept.pop()
        exponent += 1
    return Decimal((0, tuple(kept), exponent))


def signature(text: str, locale: str) -> tuple:
    """The sorted multiset of (value, unit) of a text's numbers: two texts with equal signatures
    carry the same numbers and units (in any order). Values are normalised ("2.50" is 2.5), so
    the signature can key a dictionary for numbers-safe fuzzy matching."""
    items = [(_canonical_value(q.value), q.unit) for q in quantities(text, locale)]
    return tuple(sorted(items, key=lambda item: (item[0], item[1] or "")))


def describe_difference(old: str, new: str, locale: str) -> str | None:
    """None when the two texts carry the same numbers and units; else what changed, in text
    order, e.g. "30 mg → 25 mg" or "5 mg, 10 mg → 5 mg" ("(none)" for an empty side)."""
    before = quantities(old, locale)
    after = quantities(new, locale)
    pairs, used = _match_exact(before, after)
    removed = [_show(q) for i, q in enumerate(before) if pairs[i] is None]
    added = [_show(q) for j, q in enumerate(after) if not used[j]]
    if not removed and not added:
        return None
    return f"{', '.join(removed) or '(none)'} → {', '.join(added) or '(none)'}"
