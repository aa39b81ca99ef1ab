"""How often: "weekly" must not become "dagelijks".

Methotrexate taken daily instead of weekly kills; a translation that turns a dosing period into
another is a patient-safety bug that no number shows. This module reads the dosing periods a
text names (per hour, day, week, month or year: "daily", "twice a day", "2 mg/day",
"wekelijks", "pro Woche", "par jour", ...) in the languages it knows, for the ``frequency``
check. Only a period of the translation that the source does not name, while a period of the
source is missing from the translation, is a problem: a period the translation words in a way
this module does not know is then silence, never a false alarm.
"""

from __future__ import annotations

import functools
import re

PERIODS = ("hour", "day", "week", "month", "year")

# Per language, per period: the words and phrases that say "per <period>". Durations ("for a
# week", "binnen een dag") are not periods and are left out: only "every", "per", "a/an"
# before a unit of time after a count, and the -ly adjectives and adverbs.
_WORDS: dict[str, dict[str, list[str]]] = {
    "en": {
        "hour": [r"hourly", r"(?:per|every|each)\s+hour", r"/\s?(?:hour|hr|h)"],
        "day": [
            r"daily",
            r"(?:per|every|each|a)\s+day",
            r"/\s?(?:day|d)",
        ],
        "week": [
            r"(?:once|twice)?-?weekly",
            r"(?:per|every|each|a)\s+week",
            r"/\s?(?:week|wk)",
        ],
        "month": [
            r"monthly",
            r"(?:per|every|each|a)\s+month",
            r"/\s?month",
        ],
        "year": [
            r"yearly",
            r"annually",
            r"(?:per|every|each|a)\s+year",
            r"/\s?(?:year|yr)",
        ],
    },
    "nl": {
        "hour": [r"(?:per|elk|ieder)\s+uur", r"/\s?(?:uur|u)"],
        "day": [r"dagelijks[e]?", r"(?:per|elke|iedere)\s+dag", r"daags", r"/\s?(?:dag|d)"],
        "week": [r"wekelijks[e]?", r"(?:per|elke|iedere)\s+week", r"/\s?week"],
        "month": [r"maandelijks[e]?", r"(?:per|elke|iedere)\s+maand", r"/\s?maand"],
        "year": [r"jaarlijks[e]?", r"(?:per|elk|ieder)\s+jaar", r"/\s?jaar"],
    },
    "de": {
        "hour": [r"stündlich(?:e[nrsm]?)?", r"(?:pro|jede)\s+Stunde", r"/\s?(?:Stunde|Std|h)"],
        "day": [
            r"täglich(?:e[nrsm]?)?",
            r"tägl\.",
            r"(?:pro|am|jeden)\s+Tag",
            r"/\s?(?:Tag|d)",
        ],
        "week": [
            r"wöchentlich(?:e[nrsm]?)?",
            r"(?:pro|jede)\s+Woche",
            r"die\s+Woche",
            r"/\s?Woche",
        ],
        "month": [r"monatlich(?:e[nrsm]?)?", r"(?:pro|jeden)\s+Monat", r"im\s+Monat", r"/\s?Monat"],
        "year": [r"jährlich(?:e[nrsm]?)?", r"(?:pro|jedes)\s+Jahr", r"im\s+Jahr", r"/\s?Jahr"],
    },
    "fr": {
        "hour": [r"(?:par|chaque)\s+heure", r"toutes\s+les\s+heures", r"/\s?(?:heure|h)"],
        "day": [
            r"quotidien(?:ne)?s?",
            r"quotidiennement",
            r"(?:par|chaque)\s+jour",
            r"tous\s+les\s+jours",
            r"/\s?(?:jour|j)",
        ],
        "week": [
            r"hebdomadaires?",
            r"hebdomadairement",
            r"(?:par|chaque)\s+semaine",
            r"toutes\s+les\s+semaines",
            r"/\s?semaine",
        ],
        "month": [
            r"mensuel(?:le)?s?",
            r"mensuellement",
            r"(?:par|chaque)\s+mois",
            r"tous\s+les\s+mois",
            r"/\s?mois",
        ],
        "year": [
            r"annuel(?:le)?s?",
            r"annuellement",
            r"(?:par|chaque)\s+an(?:née)?",
            r"tous\s+les\s+ans",
            r"/\s?an",
        ],
    },
    "es": {
        "hour": [r"(?:por|cada)\s+hora", r"/\s?(?:hora|h)"],
        "day": [
            r"diari[oa]s?",
            r"diariamente",
            r"(?:al|por|cada)\s+día",
            r"todos\s+los\s+días",
            r"/\s?(?:día|d)",
        ],
        "week": [
            r"semanal(?:es)?",
            r"semanalmente",
            r"(?:a\s+la|por|cada)\s+semana",
            r"todas\s+las\s+semanas",
            r"/\s?semana",
        ],
        "month": [
            r"mensual(?:es)?",
            r"mensualmente",
            r"(?:al|por|cada)\s+mes",
            r"todos\s+los\s+meses",
            r"/\s?mes",
        ],
        "year": [
            r"anual(?:es)?",
            r"anualmente",
            r"(?:al|por|cada)\s+año",
            r"todos\s+los\s+años",
            r"/\s?año",
        ],
    },
    "it": {
        "hour": [r"(?:all['’]|ogni\s+)ora", r"/\s?(?:ora|h)"],
        "day": [
            r"quotidian[oaie]",
            r"quotidianamente",
            r"giornalier[oaie]",
            r"giornalmente",
            r"(?:al|ogni)\s+giorno",
            r"/\s?(?:giorno|die)",
        ],
        "week": [
            r"settimanal[ei]",
            r"settimanalmente",
            r"(?:alla|a|ogni)\s+settimana",
            r"/\s?settimana",
        ],
        "month": [r"mensil[ei]", r"mensilmente", r"(?:al|ogni)\s+mese", r"/\s?mese"],
        "year": [r"annual[ei]", r"annualmente", r"(?:all['’]|ogni\s+)anno", r"/\s?anno"],
    },
    "pt": {
        "hour": [r"(?:por|a\s+cada)\s+hora", r"/\s?(?:hora|h)"],
        "day": [
            r"diári[oa]s?",
            r"diariamente",
            r"(?:ao|por|cada)\s+dia",
            r"todos\s+os\s+dias",
            r"/\s?(?:dia|d)",
        ],
        "week": [
            r"semana(?:l|is)",
            r"semanalmente",
            r"(?:por|cada)\s+semana",
            r"todas\s+as\s+semanas",
            r"/\s?semana",
        ],
        "month": [r"mensa(?:l|is)", r"mensalmente", r"(?:ao|por|cada)\s+mês", r"/\s?mês"],
        "year": [r"anua(?:l|is)", r"anualmente", r"(?:ao|por|cada)\s+ano", r"/\s?ano"],
    },
    "tr": {
        "hour": [r"her\s+saat", r"saatte"],
        "day": [r"her\s+gün", r"günde", r"günlük", r"/\s?gün"],
        "week": [r"her\s+hafta", r"haftada", r"haftalık", r"/\s?hafta"],
        "month": [r"her\s+ay", r"ayda", r"aylık", r"/\s?ay"],
        "year": [r"her\s+yıl", r"yılda", r"yıllık", r"/\s?yıl"],
    },
}

# Per language, what every one of its words above holds (lower-cased): a text with none of
# these names no period, and is not searched (a search is 35 µs, this test 1 µs).
_STEMS: dict[str, tuple[str, ...]] = {
    "en": ("/", "hour", "dai", "day", "week", "month", "year", "annual"),
    "nl": ("/", "uur", "dag", "daags", "week", "wekelijk", "maand", "jaar"),
    "de": ("/", "stund", "stünd", "tag", "tägl", "woche", "wöchent", "monat", "jahr", "jährl"),
    "fr": ("/", "heure", "jour", "quotidien", "semaine", "hebdo", "mois", "mensuel", "an"),
    "es": ("/", "hora", "día", "diari", "semana", "mes", "mensual", "año", "anual"),
    "it": ("/", "ora", "giorn", "quotidian", "settiman", "mese", "mensil", "anno", "annual"),
    "pt": ("/", "hora", "dia", "diári", "semana", "mês", "mensa", "ano", "anua"),
    "tr": ("/", "saat", "gün", "hafta", "ay", "yıl"),
}

# Turkish adjectives that are durations after a count ("7 günlük tedavi": a 7-day treatment).
_DURATION_AFTER_COUNT = re.compile(r"(?:gün|hafta|ay|yıl)lık", re.IGNORECASE)
# "for a week", "within a day": an English "a <period>" after these is a duration.
_DURATION_A = re.compile(r"a\s", re.IGNORECASE)
_DURATION_WORD_BEFORE = re.compile(
    r"(?<![^\W\d_])(?:for|within|after|in|over|than|about|least|nearly|almost|half|past|last|"
    r"next)\s+$",
    re.IGNORECASE,
)
_TIMES_IN_BEFORE = re.compile(r"(?:once|twice|times)\s+in\s+$", re.IGNORECASE)
_COUNT_BEFORE = re.compile(r"\d[\s\u00a0\u202f-]*$")
_LETTER_BEFORE = r"(?<![^\W\d_])"


@functools.cache
def _pattern(language: str) -> re.Pattern[str] | None:
    words = _WORDS.get(language)
    if words is None:
        return None
    groups = []
    for period in PERIODS:
        # A word starts at a word's edge; "/d" follows anything ("2 mg/d").
        forms = [w if w.startswith("/") else _LETTER_BEFORE + w for w in words[period]]
        groups.append(f"(?P<{period}>{'|'.join(forms)})")
    return re.compile(rf"(?:{'|'.join(groups)})(?![^\W\d_])", re.IGNORECASE)


def knows(language: str) -> bool:
    return language in _WORDS


def periods(text: str, language: str) -> dict[str, str]:
    """The dosing periods ``text`` names: period -> the first words that name it. Empty for a
    language this module does not know."""
    pattern = _pattern(language)
    found: dict[str, str] = {}
    if pattern is None:
        return found
    lower = text.lower()
    if not any(stem in lower for stem in _STEMS[language]):
        return found
    for m in pattern.finditer(text):
        period = m.lastgroup
        words = m.group()
        if period is None or period in found:
            continue
        if _DURATION_AFTER_COUNT.fullmatch(words) and _COUNT_BEFORE.search(text, 0, m.start()):
            continue
        if (
            language == "en"
            and _DURATION_A.match(words)
            and _DURATION_WORD_BEFORE.search(text, 0, m.start())
            and not _TIMES_IN_BEFORE.search(text, 0, m.start())
        ):
            continue
        found[period] = words
    return found


def compare(source: str, source_language: str, target: str, target_language: str) -> list[str]:
    """The period changes of a translation: each period the translation names and the source
    does not, while a period of the source is missing from the translation."""
    if not (knows(source_language) and knows(target_language)):
        return []
    src = periods(source, source_language)
    if not src:
        return []
    tgt = periods(target, target_language)
    missing = [p for p in src if p not in tgt]
    extra = [p for p in tgt if p not in src]
    if not (missing and extra):
        return []
    said = ", ".join(f'"{src[p]}" (per {p})' for p in missing)
    return [f'{said} in the source is "{tgt[p]}" (per {p}) in the translation' for p in extra]
