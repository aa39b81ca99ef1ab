"""Checks on one PO entry: is it translated, and does the translation keep what must be kept?

Each function's docstring is the explanation ``localise checks`` shows.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from .. import frequency as periods
from ..model import has_translation, usable
from ..placeholders import MARKUP_LIKE_RE, strip, tokenize
from . import check


@dataclass
class EntryContext:
    """What an entry check may know besides the entry."""

    locale: str
    source_language: str
    article: str
    file: str
    glossary: object | None = None
    # msgids of the source that are not in the source language: msgid -> language code
    foreign_source: dict[str, str] = field(default_factory=dict)
    identifier: object | None = None  # toolkit.language.Identifier, for catalog-wide checks
    # The number problems of each (msgid, msgstr) of this catalog (two checks read them).
    number_problems: dict[tuple[str, str], tuple] = field(default_factory=dict)

    def source_is_foreign(self, msgid: str) -> bool:
        return msgid in self.foreign_source


# -- state ------------------------------------------------------------------------------------


@check("untranslated", "warning")
def untranslated(ctx, entry):
    """The entry has no translation yet: the built page shows the source text here."""
    if not has_translation(entry):
        yield "not translated yet", None


@check("fuzzy", "warning")
def fuzzy(ctx, entry):
    """The entry is marked fuzzy: a suggestion (from an earlier version of the text, the
    translation memory or a machine) that a person has not yet reviewed. The build does not
    use it; review it and remove the fuzzy flag."""
    if "fuzzy" in entry.flags and has_translation(entry):
        yield "fuzzy: review the suggestion and remove the fuzzy flag", None


# -- markup -----------------------------------------------------------------------------------


@check("markup", "error")
def markup(ctx, entry):
    """Placeholders (<strong>…</strong>, <a>…</a>, <br/>, <code/>) stand for the page's inline
    markup. The translation must have exactly the placeholders of the source, each opened and
    closed in the right order (they may move), and no other markup: anything else a translator
    types is shown as text on the page, or the unit falls back to the source."""
    if not usable(entry):
        return
    source = [t for t in tokenize(entry.msgid) if t.kind != "text"]
    names = {t.value: t.kind for t in source}
    expected: dict[str, int] = {}
    for t in source:
        key = f"{t.kind}:{t.value}"
        expected[key] = expected.get(key, 0) + 1
    seen: dict[str, int] = {}
    stack: list[tuple[str, int, int]] = []
    for t in tokenize(entry.msgstr):
        if t.kind == "text":
            m = MARKUP_LIKE_RE.search(t.value)
            if m:
                start = t.start + m.start()
                end = entry.msgstr.find(">", start)
                end = len(entry.msgstr) if end < 0 else end + 1
                yield (
                    f"markup that is not a placeholder of the source: {entry.msgstr[start:end]}",
                    (start, end),
                )
            continue
        shown = entry.msgstr[t.start : t.end]
        kind = names.get(t.value)
        if kind is None or (t.kind == "void") != (kind == "void"):
            yield f"{shown} is not a placeholder of the source", (t.start, t.end)
            continue
        key = f"{t.kind}:{t.value}"
        seen[key] = seen.get(key, 0) + 1
        if t.kind == "open":
            stack.append((t.value, t.start, t.end))
        elif t.kind == "close":
            if not stack or stack[-1][0] != t.value:
                yield (
                    f"{shown} closes a placeholder that is not open here (placeholders must nest)",
                    (t.start, t.end),
                )
            else:
                stack.pop()
    for name, start, end in stack:
        yield f"<{name}> is never closed", (start, end)
    for key, count in expected.items():
        kind, name = key.split(":", 1)
        shown = (
            f"</{name}>" if kind == "close" else (f"<{name}/>" if kind == "void" else f"<{name}>")
        )
        if seen.get(key, 0) < count:
            yield f"placeholder {shown} of the source is missing", None
        elif seen.get(key, 0) > count:
            yield f"placeholder {shown} appears more often than in the source", None


# -- numbers ----------------------------------------------------------------------------------


def _number_problems(ctx, entry) -> tuple:
    """The number problems of an entry, compared once for the checks that read them. Kept for
    the catalog only (a global cache held up to 65,536 entries of the corpus: 45 MB at 2,400
    pages)."""
    key = (entry.msgid, entry.msgstr)
    found = ctx.number_problems.get(key)
    if found is None:
        from ..numbers import compare

        found = ctx.number_problems[key] = tuple(
            compare(entry.msgid, ctx.source_language, entry.msgstr, ctx.locale)
        )
    return found


def _span(q):
    return (q.start, q.end) if q is not None else None


@check("numbers", "error")
def numbers(ctx, entry):
    """Every number of the source must be in the translation, and no other: read with each
    language's number format (2.5 = 2,5 in Dutch and German; 1,500 = 1.500), in any order,
    ranges (1000–2000), percentages, fractions (½ = 0,5) and exponents (10⁹ = 10^9)
    included. A changed number in medical text is a patient-safety error. Numbers written as
    words ("two drops") are not read."""
    if not usable(entry):
        return
    for p in _number_problems(ctx, entry):
        if p.kind in ("missing", "extra"):
            yield p.message, _span(p.target)


@check("units", "error")
def units(ctx, entry):
    """A number keeps its unit: 30 mg must not become 30 g, µg must not become mg, 2 mg/kg
    must not become 2 mg, 7 days must not become 7 hours, and 2 tablets or 5 drops must not
    become 2 mg or 5 ml. Spellings that differ by language count as the same unit (IU = IE =
    UI, ml = mL, µg = mcg, days = dagen = Tage, 5-day = 5-tägig)."""
    if not usable(entry):
        return
    for p in _number_problems(ctx, entry):
        if p.kind == "unit":
            yield p.message, _span(p.target)


@check("fuzzy-numbers", "error")
def fuzzy_numbers(ctx, entry):
    """A fuzzy suggestion made for an earlier version of the text whose numbers, doses or
    units differ from the current source (30 mg then, 25 mg now). GNU gettext would reuse the
    old dose silently; here it is an error until a person fixes the translation and removes
    the fuzzy flag."""
    if not (entry.msgstr and "fuzzy" in entry.flags and entry.previous_msgid):
        return
    from ..numbers import describe_difference

    diff = describe_difference(entry.previous_msgid, entry.msgid, ctx.source_language)
    if diff:
        yield (
            f"the suggestion was made for other numbers ({diff}): check every number and dose",
            None,
        )


@check("frequency", "error")
def frequency(ctx, entry):
    """A dosing period changed: the source says "weekly", "per day" or "2 mg/d", and the
    translation names another period ("dagelijks" for "weekly": methotrexate taken daily
    instead of weekly is an overdose). Known in English, Dutch, German, French, Spanish,
    Italian, Portuguese and Turkish; reported only when a period of the source is missing
    and the translation names one the source does not."""
    if not usable(entry):
        return
    source = ctx.foreign_source.get(entry.msgid, ctx.source_language.split("_")[0])
    for message in periods.compare(entry.msgid, source, entry.msgstr, ctx.locale.split("_")[0]):
        yield message, None


# -- glossary ---------------------------------------------------------------------------------


def _terms(ctx, entry):
    """The glossary terms of the entry's source (dnt and glossary both ask: found once)."""
    if ctx.glossary is None or not usable(entry) or ctx.source_is_foreign(entry.msgid):
        return ()
    return ctx.glossary.find_source_terms(entry.msgid)  # remembered by the glossary


@check("dnt", "error")
def do_not_translate(ctx, entry):
    """A do-not-translate term of glossary.csv (brand names, the clinic's name, lab tests
    marked dnt) in the source must appear unchanged in the translation."""
    done = set()
    for m in _terms(ctx, entry):
        term = m.term
        if term.dnt and term.term not in done:
            done.add(term.term)
            if not ctx.glossary.contains(
                entry.msgstr, term.term, ctx.locale, case_sensitive=term.case_sensitive
            ):
                yield f"do-not-translate term {term.term!r} is missing or changed", None


@check("glossary", "warning")
def glossary_terms(ctx, entry):
    """A glossary term of the source is translated with the approved term or one of its
    accepted alternatives (inflected forms and compounds count)."""
    from ..glossary import lookup

    done = set()
    for m in _terms(ctx, entry):
        term = m.term
        forms = lookup(term.translations, ctx.locale)
        if term.dnt or not forms or term.term in done:
            continue
        done.add(term.term)
        if not any(
            ctx.glossary.contains(entry.msgstr, f, ctx.locale, case_sensitive=term.case_sensitive)
            for f in forms
        ):
            yield (
                f"{term.term!r} should be translated as {' or '.join(repr(f) for f in forms)}",
                None,
            )


@check("forbidden", "error")
def forbidden(ctx, entry):
    """A variant that glossary.csv forbids for this language (a false friend, a lay or
    outdated term) appears in the translation."""
    from ..glossary import lookup

    if ctx.glossary is None or not usable(entry):
        return
    for term, bad in _forbidden_screen(ctx.glossary, ctx.locale).candidates(entry.msgstr):
        hits = ctx.glossary.find_forms(
            entry.msgstr, bad, ctx.locale, case_sensitive=term.case_sensitive
        )
        if not hits:
            continue
        approved = lookup(term.translations, ctx.locale)
        # Matching is by stem: "vitamin D" (forbidden) also matches "vitamine D" (approved).
        # Text that an approved form matches is never a forbidden variant.
        good = (
            ctx.glossary.find_forms(
                entry.msgstr, approved, ctx.locale, case_sensitive=term.case_sensitive
            )
            if approved
            else []
        )
        for start, end, form in hits:
            if any(start < g_end and g_start < end for g_start, g_end, _ in good):
                continue
            instead = f"; use {approved[0]!r}" if approved else ""
            yield f"{form!r} is a forbidden variant for {term.term!r}{instead}", (start, end)


class _ForbiddenScreen:
    """Which forbidden terms of a locale could match a text: a form can only match where its
    first few letters are written (matching is by stem, so only the start of its first word is
    certain). One pass of one expression over the text finds every such start, where testing
    each term's forms in turn was a quarter of the forbidden check in the profile."""

    def __init__(self, terms: list):
        self.terms = terms
        self.prefixes = [{_fold_hyphens(f.lower())[:4] for f in bad} for _, bad in terms]
        every = set().union(*self.prefixes)
        # Longest first, so that each position reports its longest prefix; the shorter ones
        # there are its own prefixes (see candidates). A lookahead sees overlapping starts.
        alternatives = sorted(every, key=lambda p: (-len(p), p))
        self.expression = re.compile(
            "(?=(" + "|".join(map(re.escape, alternatives)) + "))" if alternatives else "(?!)"
        )

    def candidates(self, text: str) -> list:
        lowered = _fold_hyphens(text.lower())
        found = {""}  # (an empty form is written everywhere)
        for longest in self.expression.findall(lowered):
            found.update(longest[:k] for k in range(1, len(longest) + 1))
        pairs = zip(self.terms, self.prefixes, strict=True)
        return [term for term, prefixes in pairs if not found.isdisjoint(prefixes)]


def _forbidden_screen(glossary, locale: str) -> _ForbiddenScreen:
    screens = glossary.__dict__.setdefault("_forbidden_screens", {})
    screen = screens.get(locale)
    if screen is None:
        screen = screens[locale] = _ForbiddenScreen(glossary.forbidden_terms(locale))
    return screen


_ACRONYM = re.compile(
    r"(?<![\w‑-])(?:anti[‑-])?[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*(?:[‑-][A-Z0-9]+)*(?![\w])"
)
_ROMAN = re.compile(r"^[IVXLC]+$")


_HYPHENS = re.compile("[\u2010\u2011\u2012\u2013\u2212]")


def _fold_hyphens(text: str) -> str:
    if text.isascii():  # most English texts: nothing to look for
        return text
    # Not str.translate: it looks every character of a non-ASCII text up in its table (see
    # glossary._one_to_one), 13 against 1 us for a paragraph.
    return _HYPHENS.sub("-", text)


@check("acronyms", "warning")
def acronyms(ctx, entry):
    """Acronyms and lab tests of the source (ANA, anti-TPO, TSH, CRP) are usually the same in
    the translation; one that is missing may have been dropped or mistyped. Acronyms that
    glossary.csv translates for the language (ESR -> BSE in Dutch) are checked by the glossary
    check instead."""
    from ..glossary import lookup

    if not usable(entry) or ctx.source_is_foreign(entry.msgid):
        return
    target = _fold_hyphens(strip(entry.msgstr))
    for m in _ACRONYM.finditer(strip(entry.msgid)):
        word = _fold_hyphens(m.group(0))
        if _ROMAN.match(word) or len(word) < 2:
            continue
        if ctx.glossary is not None:
            term = ctx.glossary.term(word)
            if term is not None and lookup(term.translations, ctx.locale):
                continue
        if not re.search(r"(?<![\w])" + re.escape(word) + r"(?![\w])", target, re.I):
            yield f"acronym {m.group(0)!r} of the source is not in the translation", None


# -- things that must stay the same -----------------------------------------------------------

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w‑-])(?:\+|00|0)\d[\d \u00a0().-]{6,}\d(?![\w‑-])")
# Each with what a text must hold for it to match at all.
_KEPT_AS_WRITTEN = (
    (_URL, "URL", ("http", "www.")),
    (_EMAIL, "e-mail address", ("@",)),
    (_PHONE, "phone number", ("+", "0")),
)


@check("urls", "error")
def urls(ctx, entry):
    """URLs, e-mail addresses and phone numbers of the source must appear unchanged in the
    translation."""
    if not usable(entry):
        return
    msgid = entry.msgid
    for pattern, what, needs in _KEPT_AS_WRITTEN:
        if not any(n in msgid for n in needs):  # three scans of every source text were 4 %
            continue
        for m in pattern.finditer(msgid):
            if m.group(0) not in entry.msgstr:
                yield f"{what} {m.group(0)} is missing or changed", None


# Characters that change what a reader sees without being seen: C0 and C1 controls (tab and
# newline aside) and the bidirectional overrides, which reorder what follows them ("150 mg"
# after U+202E shows as "gm 051"). The embeddings, isolates and marks do the same in a
# left-to-right text; a right-to-left translation may need them.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202d\u202e"
_CONTROL_RE = re.compile(f"[{_CONTROLS}]")
_BIDI_RE = re.compile(f"[{_CONTROLS}\u202a-\u202c\u2066-\u2069\u200e\u200f\u061c]")
_CONTROL_NAMES = {"\r": "CARRIAGE RETURN", "\x7f": "DELETE"}


@functools.cache
def _invisible_re(locale: str) -> re.Pattern[str]:
    from ..build import text_direction

    return _BIDI_RE if text_direction(locale) == "ltr" else _CONTROL_RE


def _char_name(char: str) -> str:
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "control character")
    return f"U+{ord(char):04X} ({name})"


@check("control-characters", "error")
def control_characters(ctx, entry):
    """The translation holds an invisible character the source does not: a control character,
    or a bidirectional override that reorders what follows it on the page ("150 mg" shows as
    "gm 051"). In a left-to-right language the bidirectional embeddings, isolates and marks are
    reported too; right-to-left translations may use them."""
    if not usable(entry):
        return
    for m in _invisible_re(ctx.locale).finditer(entry.msgstr):
        if m.group() not in entry.msgid:
            yield f"invisible {_char_name(m.group())} not in the source", m.span()


@check("copied-source", "warning")
def copied_source(ctx, entry):
    """The translation is identical to a source text of several words: probably copied and
    not translated. Source text that is already in the target language is not reported."""
    if not usable(entry) or entry.msgstr != entry.msgid:
        return
    if ctx.foreign_source.get(entry.msgid) == ctx.locale.split("_")[0]:
        return
    if len(re.findall(r"[^\W\d_]{2,}", strip(entry.msgid))) >= 3:
        yield "the translation is a copy of the source text", None


# -- form -------------------------------------------------------------------------------------

_TRAILING = "\"'”’»)]"  # after the last sentence mark, with white space


def _end_class(text: str) -> str:
    text = strip(text, "")
    end = len(text)
    while end and (text[end - 1].isspace() or text[end - 1] in _TRAILING):
        end -= 1
    if not end:
        return ""
    last = text[end - 1]
    if last in "?？؟":
        return "?"
    if last in "!！":
        return "!"
    if last in ":：":
        return ":"
    if last in ".。…":
        return "."
    return ""


@check("punctuation", "warning")
def punctuation(ctx, entry):
    """The translation ends like the source: a question stays a question, a heading without a
    full stop gets none, a lead-in ending in a colon keeps it."""
    if not usable(entry):
        return
    a, b = _end_class(entry.msgid), _end_class(entry.msgstr)
    if a != b and not ({a, b} <= {".", "!"}):
        names = {
            "?": "a question mark",
            "!": "an exclamation mark",
            ":": "a colon",
            ".": "a full stop",
            "": "no end punctuation",
        }
        yield (
            f"the source ends with {names[a]}, the translation with {names[b]}",
            (len(entry.msgstr) - 1, len(entry.msgstr)),
        )


@check("length", "warning")
def length(ctx, entry):
    """The translation is far shorter (under 40 %) or longer (over 250 %) than its source:
    a sentence may have been dropped or added."""
    if not usable(entry) or len(entry.msgid) < 30:
        return
    ratio = len(entry.msgstr) / len(entry.msgid)
    if ratio < 0.4 or ratio > 2.5:
        yield f"the translation is {ratio:.0%} of the length of the source", None
