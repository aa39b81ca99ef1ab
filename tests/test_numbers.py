"""Tests for toolkit.numbers: numbers and quantities per locale, and source/translation checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_decimal, parse_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.numbers import (
    NumberProblem,
    Quantity,
    compare,
    describe_difference,
    quantities,
    signature,
)

NNBSP = "\u202f"  # narrow no-break space
NBSP = "\u00a0"  # no-break space
NBHY = "\u2011"  # non-breaking hyphen


def found(text: str, locale: str = "en") -> list[tuple[str, str | None]]:
    """(value, unit) of every quantity, values as plain strings."""
    return [(format(q.value, "f"), q.unit) for q in quantities(text, locale)]


def kinds(problems: list[NumberProblem]) -> list[str]:
    return [p.kind for p in problems]


# ---------------------------------------------------------------------------------------------
# quantities(): the examples of the sample articles and the rules


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        (f"up to 2{NNBSP}% of patients", "en", [("2", "%")]),
        (f"Minoxidil 5{NBSP}% solution", "en", [("5", "%")]),
        ("Minoxidil 5 % solution", "en", [("5", "%")]),
        ("Minoxidil 5% solution", "en", [("5", "%")]),
        (f"Minoxidil 5{NNBSP}% solution", "en", [("5", "%")]),
        (f"Vitamin D (1000{NBHY}2000 IU daily)", "en", [("1000", "IU"), ("2000", "IU")]),
        (f"Vitamin D (1000{NBHY}2000{NNBSP}IU daily)", "en", [("1000", "IU"), ("2000", "IU")]),
        ("Zinc (30 mg)", "en", [("30", "mg")]),
        (f"Zinc (30{NNBSP}mg)", "en", [("30", "mg")]),
        (f"Interleukin{NBHY}17", "en", [("17", None)]),
        (f"IL{NBHY}23", "en", [("23", None)]),
        ("IL-23", "en", [("23", None)]),
        ("free T4", "en", [("4", None)]),
        (f"omega{NBHY}3 fatty acids", "en", [("3", None)]),
        ("COVID-19", "en", [("19", None)]),
        ("SALT score", "en", []),
        ("85.5% of patients", "en", [("85.5", "%")]),
        ("About 1/3 of patients", "en", [("1", None), ("3", None)]),
        ("72.4%", "en", [("72.4", "%")]),
        ("at least 12 months", "en", [("12", "mo")]),
        (f"at least 12{NNBSP}months", "en", [("12", "mo")]),
        ("May 23", "en", [("23", None)]),
        ("In the past 3 years", "en", [("3", "yr")]),
        ("4 experts", "en", [("4", None)]),
        ("in 2026", "en", [("2026", None)]),
        ("1000 patients", "nl", [("1000", None)]),
        ("1000 patients", "fr", [("1000", None)]),
    ],
)
def test_sample_examples(text, locale, expected):
    assert found(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1,500.5", "en", "1500.5"),
        ("1,500", "en", "1500"),
        ("1.500,5", "nl", "1500.5"),
        ("1.500,5", "de", "1500.5"),
        ("1.500,5", "tr", "1500.5"),
        ("1.500", "nl", "1500"),
        ("1.500", "de", "1500"),
        (f"1{NNBSP}500,5", "fr", "1500.5"),
        (f"1{NBSP}500,5", "fr", "1500.5"),
        ("1 500,5", "fr", "1500.5"),
        ("12 345 678", "fr", "12345678"),
        ("2,5", "nl", "2.5"),
        ("2,5", "de", "2.5"),
        ("2,5", "fr", "2.5"),
        ("2.5", "en", "2.5"),
        ("0,5", "nl", "0.5"),
        ("1.234.567,891", "nl", "1234567.891"),
        ("1,234,567.891", "en", "1234567.891"),
        # Not well formed in the locale: read with the other convention.
        ("2.5", "nl", "2.5"),
        ("2.5", "de", "2.5"),
        ("1,5", "en", "1.5"),
        ("0.500", "nl", "0.500"),  # a group never starts with 0
        ("1000", "en", "1000"),
        ("2026", "nl", "2026"),
    ],
)
def test_locale_formats(text, locale, expected):
    qs = quantities(text, locale)
    assert len(qs) == 1
    assert qs[0].value == Decimal(expected)


def test_swiss_apostrophe_grouping():
    assert found("1’234.5", "de_CH") == [("1234.5", None)]
    assert found("1'234.5", "de_CH") == [("1234.5", None)]


def test_locale_spellings():
    assert found("1,5 mg", "pt-BR") == [("1.5", "mg")]
    assert found("1,5 mg", "pt_BR") == [("1.5", "mg")]


def test_space_groups_only_in_space_locales():
    # "day 3 200 mg" is not 3200 in English; in French "3 200" is 3200.
    assert found("on day 3 200 mg", "en") == [("3", None), ("200", "mg")]
    assert found("3 200 mg", "fr") == [("3200", "mg")]
    # A group needs exactly three digits, the first group one to three.
    assert found("en 2020 500 patients", "fr") == [("2020", None), ("500", None)]
    assert found("en 2020 1,5 mg", "fr") == [("2020", None), ("1.5", "mg")]


def test_unreadable_runs_become_integers():
    assert found("23.05.2026", "de") == [("23", None), ("5", None), ("2026", None)]
    assert found("version 1.2.3", "en") == [("1", None), ("2", None), ("3", None)]
    assert found("14:30", "en") == [("14", None), ("30", None)]


def test_sentence_punctuation_is_not_part_of_a_number():
    assert found("It was 5. Then 10, 20 and 30.", "en") == [
        ("5", None),
        ("10", None),
        ("20", None),
        ("30", None),
    ]
    assert found("1, 2, 3", "en") == [("1", None), ("2", None), ("3", None)]


def test_signs_are_ignored():
    assert found("-5 °C", "en") == [("5", "°C")]
    assert found("−1.234,5", "de") == [("1234.5", None)]
    assert found("1000-2000", "en") == [("1000", None), ("2000", None)]


@pytest.mark.parametrize(
    ("text", "locale", "unit"),
    [
        ("5 mg", "en", "mg"),
        ("5mg", "en", "mg"),
        ("5 Mg", "en", "mg"),
        ("5 milligrams", "en", "mg"),
        ("5 milligram", "nl", "mg"),
        ("5 Milligramm", "de", "mg"),
        ("a 5-mg tablet", "en", "mg"),
        ("5 g", "en", "g"),
        ("5 grams", "en", "g"),
        ("5 kg", "en", "kg"),
        ("5 ng", "en", "ng"),
        ("5 µg", "en", "µg"),  # U+00B5 micro sign
        ("5 μg", "en", "µg"),  # U+03BC Greek mu
        ("5 mcg", "en", "µg"),
        ("5 ug", "en", "µg"),
        ("5 micrograms", "en", "µg"),
        ("5 IU", "en", "IU"),
        ("5 IE", "nl", "IU"),
        ("5 I.E.", "de", "IU"),
        ("5 UI", "fr", "IU"),
        ("5 I.U.", "en", "IU"),
        ("5 ml", "en", "ml"),
        ("5 mL", "en", "ml"),
        ("5 ML", "en", "ml"),
        ("5 l", "en", "l"),
        ("5 L", "en", "l"),
        ("5 mmol", "en", "mmol"),
        ("5 mmol/l", "en", "mmol/l"),
        ("5 mmol/L", "en", "mmol/l"),
        ("5 mg/dl", "en", "mg/dl"),
        ("5 mg/dL", "en", "mg/dl"),
        ("5 µmol/l", "en", "µmol/l"),
        ("5 mg/kg", "en", "mg/kg"),
        ("5 mg / kg", "en", "mg/kg"),
        ("5 mg per kg", "nl", "mg/kg"),
        ("5 mg pro Kilogramm", "de", "mg/kg"),
        ("5 mg/m²", "en", "mg/m²"),
        ("5 mg/m2", "en", "mg/m²"),
        ("5 mg/day", "en", "mg"),  # how often is not a unit (see _PER_BODY_RE)
        ("5 µl", "en", "µl"),
        ("5 microliter", "nl", "µl"),
        ("5 units", "en", "U"),
        ("5 eenheden", "nl", "U"),
        ("5 Einheiten", "de", "U"),
        ("5 U", "en", "U"),
        ("5 days", "en", "d"),
        ("a 5-day course", "en", "d"),
        ("5 dagen", "nl", "d"),
        ("een 5-daagse kuur", "nl", "d"),
        ("5 Tage", "de", "d"),
        ("eine 5-tägige Kur", "de", "d"),
        ("5 jours", "fr", "d"),
        ("5 günlük", "tr", "d"),
        ("5 weeks", "en", "wk"),
        ("5 weken", "nl", "wk"),
        ("5 months", "en", "mo"),
        ("5 maanden", "nl", "mo"),
        ("5 years", "en", "yr"),
        ("5 jaar", "nl", "yr"),
        ("5-jarige", "nl", "yr"),
        ("5 min", "en", "min"),
        ("5 minuten", "nl", "min"),
        ("5 seconds", "en", "s"),
        ("eine 5-prozentige Lösung", "de", "%"),
        ("5-uurs", "nl", "h"),
        ("5 %", "en", "%"),
        ("5 percent", "en", "%"),
        ("5 per cent", "en", "%"),
        ("5 procent", "nl", "%"),
        ("5 Prozent", "de", "%"),
        ("5 pour cent", "fr", "%"),
        ("%5", "tr", "%"),
        ("% 5", "tr", "%"),
        ("yüzde 5", "tr", "%"),
        ("37 °C", "en", "°C"),
        ("37°C", "en", "°C"),
        ("5 cm", "en", "cm"),
        ("5 mm", "en", "mm"),
        ("5 µm", "en", "µm"),
        ("120 mmHg", "en", "mmHg"),
        ("2 h", "en", "h"),
        ("2 hours", "en", "h"),
        ("2 uur", "nl", "h"),
        ("2 Std.", "de", "h"),
        ("2 Stunden", "de", "h"),
        ("2 heures", "fr", "h"),
        ("2 saat", "tr", "h"),
    ],
)
def test_units(text, locale, unit):
    qs = quantities(text, locale)
    assert [q.unit for q in qs] == [unit]
    assert qs[0].value == 5 or qs[0].value in (37, 120, 2)


@pytest.mark.parametrize(
    "text",
    [
        "4 experts",
        "5 patients",
        "5 L-carnitine",
        "5 l'an",
        "5 mgs",
        "5 gene",
        "5 hair",
        "5 Meters",  # not a unit we know
        "5 U.S. states",
        "5 weekends",
        "5 minister",
        "5 dagger",
        "5 tags",
        "5 dailies",
        "the first 3 i.e. the worst",
        "3 ie",
    ],
)
def test_ordinary_words_are_not_units(text):
    assert [q.unit for q in quantities(text, "en")] == [None]


def test_ranges_share_the_unit_of_their_second_number():
    assert found("1000-2000 IU") == [("1000", "IU"), ("2000", "IU")]
    assert found("1000–2000 IU") == [("1000", "IU"), ("2000", "IU")]
    assert found("1000 - 2000 IU") == [("1000", "IU"), ("2000", "IU")]
    assert found("1000 to 2000 IU") == [("1000", "IU"), ("2000", "IU")]
    assert found("between 1000 and 2000 IU") == [("1000", "IU"), ("2000", "IU")]
    assert found("1000 tot 2000 IE", "nl") == [("1000", "IU"), ("2000", "IU")]
    assert found("1000 tot en met 2000 IE", "nl") == [("1000", "IU"), ("2000", "IU")]
    assert found("2 à 3 mg", "nl") == [("2", "mg"), ("3", "mg")]
    assert found("1000 bis 2000 I.E.", "de") == [("1000", "IU"), ("2000", "IU")]
    assert found("1000 à 2000 UI", "fr") == [("1000", "IU"), ("2000", "IU")]
    assert found("10–20%", "en") == [("10", "%"), ("20", "%")]
    assert found("%10-20", "tr") == [("10", "%"), ("20", "%")]
    # A number of a name does not take the unit of the next one.
    assert found("COVID-19 and 5 mg") == [("19", None), ("5", "mg")]
    # A number with its own unit keeps it.
    assert found("5 g to 10 mg") == [("5", "g"), ("10", "mg")]
    # A comma is no range.
    assert found("5, 10 mg") == [("5", None), ("10", "mg")]


def test_range_quantity_text_and_offsets():
    text = f"Vitamin D (1000{NBHY}2000{NNBSP}IU daily)"
    first, second = quantities(text, "en")
    assert first.text == "1000"
    assert second.text == f"2000{NNBSP}IU"
    for q in (first, second):
        assert text[q.start : q.end] == q.text


def test_quantity_offsets_refer_to_the_original_text():
    text = f"<strong>Zinc</strong> (30{NNBSP}mg), %70, <a2>see</a2> 2,5 g"
    qs = quantities(text, "nl")
    assert [q.text for q in qs] == [f"30{NNBSP}mg", "%70", "2,5 g"]
    for q in qs:
        assert text[q.start : q.end] == q.text
    assert isinstance(qs[0], Quantity)
    assert qs[0] == Quantity(Decimal("30"), "mg", f"30{NNBSP}mg", 23, 28)


def test_placeholders_carry_no_numbers():
    assert found("<a2>Read more</a2> in <h3>the heading</h3><br/><h2>") == []
    assert found("</a12><strong>x</strong><br />") == []


def test_a_unit_may_follow_behind_a_placeholder():
    assert found("<strong>30</strong> mg") == [("30", "mg")]


def test_urls_and_emails_carry_no_numbers():
    assert found("See https://example.com/page-12?id=5 for details") == []
    assert found("See http://www.site2.nl/3/4.html.") == []
    assert found("Visit www.clinic24.nl/p/6474 today") == []
    assert found("Mail info2@clinic3.nl or dr.5@x9.com") == []
    assert found("See https://example.com/1 and take 5 mg") == [("5", "mg")]


def test_non_ascii_digits_are_ignored():
    assert found("① ② ٥ ۵ ५ ²") == []
    assert found("m² 5 mg/m²") == [("5", "mg/m²")]


def test_text_without_digits_is_empty():
    assert quantities("", "en") == []
    assert quantities("Hair loss and stress", "nl") == []


# ---------------------------------------------------------------------------------------------
# compare(): silent where the numbers are the same


@pytest.mark.parametrize(
    ("source", "source_locale", "target", "target_locale"),
    [
        ("Take 2.5 mg daily.", "en", "Neem dagelijks 2,5 mg.", "nl"),
        ("Take 2.5 mg daily.", "en", "Täglich 2,5 mg einnehmen.", "de"),
        ("Take 2.5 mg daily.", "en", "Prendre 2,5 mg par jour.", "fr"),
        ("Take 2.5 mg daily.", "en", "Günde 2,5 mg alın.", "tr"),
        # English convention left in the Dutch text: read as the source writes it.
        ("Take 2.5 mg daily.", "en", "Neem dagelijks 2.5 mg.", "nl"),
        ("1,500 patients", "en", "1.500 patiënten", "nl"),
        ("1,500 patients", "en", "1.500 Patienten", "de"),
        ("1,500 patients", "en", "1 500 patients", "fr"),
        ("1,500 patients", "en", f"1{NNBSP}500 patients", "fr"),
        ("1,500 patients", "en", f"1{NBSP}500 patients", "fr"),
        ("1,500 patients", "en", "1500 patiënten", "nl"),
        ("1,500.5 ml", "en", "1.500,5 ml", "nl"),
        ("1,500.5 ml", "en", "1 500,5 ml", "fr"),
        ("1.500,5 ml", "nl", "1,500.5 ml", "en"),
        ("2,5 mg", "nl", "2,5 mg", "de"),
        ("2,5 mg", "de", "2.5 mg", "en"),
        (f"Vitamin D (1000{NBHY}2000 IU daily)", "en", "Vitamine D (1000-2000 IE per dag)", "nl"),
        (f"Vitamin D (1000{NBHY}2000 IU daily)", "en", "Vitamine D (1000 tot 2000 IE)", "nl"),
        (f"Vitamin D (1000{NBHY}2000 IU daily)", "en", "Vitamin D (1000–2000 I.E.)", "de"),
        (f"Vitamin D (1000{NBHY}2000 IU daily)", "en", "Vitamine D (1000 à 2000 UI)", "fr"),
        ("70 % regrowth", "en", "70% hergroei", "nl"),
        (f"70{NNBSP}% regrowth", "en", "70 procent hergroei", "nl"),
        ("70 % regrowth", "en", "%70 yeniden büyüme", "tr"),
        ("70 % regrowth", "en", "yüzde 70 yeniden büyüme", "tr"),
        ("70 % regrowth", "en", f"70{NNBSP}% de repousse", "fr"),
        ("10–20% of patients", "en", "%10-20 hasta", "tr"),
        ("at least 12 months", "en", "minstens 12 maanden", "nl"),
        ("In the past 3 years", "en", "In de afgelopen 3 jaar", "nl"),
        ("On May 23, four experts met.", "en", "Op 23 mei kwamen vier experts samen.", "nl"),
        ("About 1/3 of patients", "en", "Ongeveer 1/3 van de patiënten", "nl"),
        ("85.5% of patients", "en", "85,5% van de patiënten", "nl"),
        ("Elevated IL-23, free T4", "en", f"Verhoogd IL{NBHY}23, vrij T4", "nl"),
        (f"Interleukin{NBHY}17 and omega{NBHY}3", "en", "Interleukine-17 en omega-3", "nl"),
        (f"Zinc (30{NNBSP}mg)", "en", "Zink (30 mg)", "nl"),
        ("Zinc (30 mg)", "en", "Zink (30 milligram)", "nl"),
        ("30 µg", "en", "30 mcg", "nl"),
        ("30 µg", "en", "30 μg", "nl"),
        ("5 ml", "en", "5 mL", "nl"),
        ("5 mmol/l", "en", "5 mmol/L", "de"),
        ("after 2 h", "en", "na 2 uur", "nl"),
        ("after 2 hours", "en", "nach 2 Std.", "de"),
        # A unit the translation names where the source leaves it implicit is no problem.
        ("5 to 10", "en", "5 tot 10 mg", "nl"),
        # Numbers moved within the sentence.
        ("Take 5 mg, then 10 mg after 3 days.", "en", "Na 3 dagen 10 mg, eerst 5 mg.", "nl"),
        ("5 and 5", "en", "5 en 5", "nl"),
        # Placeholders and URLs contribute nothing, even when they differ.
        ("<a2>Read</a2> the <h3>guide</h3>", "en", "<a>Lees</a> de <h2>gids</h2>", "nl"),
        ("See https://x.com/a1", "en", "Zie https://x.nl/b2/c3", "nl"),
        ("No numbers", "en", "Geen getallen", "nl"),
        # Fractions as decimals, exponents with a caret or in superscript, doses per body
        # size spelled out, durations and percentages as adjectives.
        ("Take ½ tablet", "en", "Neem 0,5 tablet", "nl"),
        ("Take 1½ tablets", "en", "Neem 1 ½ tablet", "nl"),
        ("150 ×10^9/L", "en", "150 ×10⁹/l", "nl"),
        ("Take 2 mg/kg daily", "en", "Neem dagelijks 2 mg per kg lichaamsgewicht", "nl"),
        ("Apply a 5% solution", "en", "Eine 5-prozentige Lösung auftragen", "de"),
        ("Apply a 5% solution", "en", "Een 5%-oplossing aanbrengen", "nl"),
        ("a 7-day course", "en", "eine 7-tägige Kur", "de"),
        ("a 7-day course", "en", "een kuur van 7 dagen", "nl"),
        ("for 2 weeks", "en", "2 hafta boyunca", "tr"),
        ("Take 2 tablets of 5 mg", "en", "Neem 2 tabletten van 5 mg", "nl"),
        ("aged 5 and over", "en", "vanaf 5 jaar", "nl"),
        ("", "en", "", "nl"),
    ],
)
def test_compare_silent(source, source_locale, target, target_locale):
    assert compare(source, source_locale, target, target_locale) == []


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("0.5 mg", "0,5 mg", []),
        ("0.5 mg", "0.5 mg", []),
        ("0.5 mg", "5 mg", ["missing", "extra"]),
        ("0.5 mg", "0,05 mg", ["missing", "extra"]),
        # "1.000 mg" is 1 mg in English but 1000 mg to a Dutch reader.
        ("1.000 mg", "1.000 mg", ["missing", "extra"]),
        ("10,000 IU", "10.000 IE", []),
        ("10,000 IU", "10 000 IE", ["missing", "extra", "extra"]),
    ],
)
def test_decimal_and_group_symbols_en_to_nl(source, target, expected):
    assert kinds(compare(source, "en", target, "nl")) == expected


def test_pofilter_false_positive_is_avoided():
    # Translate Toolkit's pofilter flags "2.5" vs "2,5"; the Dutch comma is right.
    assert compare("2.5", "en", "2,5", "nl") == []
    assert compare("2,5", "nl", "2.5", "en") == []


# ---------------------------------------------------------------------------------------------
# compare(): caught


def test_changed_dose_is_missing_and_extra():
    problems = compare("Zinc (30 mg)", "en", "Zink (300 mg)", "nl")
    assert kinds(problems) == ["missing", "extra"]
    missing, extra = problems
    assert missing.source is not None and missing.source.value == 30
    assert missing.source.unit == "mg" and missing.target is None
    assert extra.target is not None and extra.target.value == 300
    assert extra.target.unit == "mg" and extra.source is None
    assert missing.message.startswith("30 mg in the source is missing from the translation")
    assert "300 mg" in missing.message
    assert extra.message.startswith("300 mg in the translation is not in the source")
    assert "30 mg" in extra.message


def test_changed_unit_is_a_unit_problem():
    (problem,) = compare("5 mg", "en", "5 g", "nl")
    assert problem.kind == "unit"
    assert problem.source is not None and problem.source.unit == "mg"
    assert problem.target is not None and problem.target.unit == "g"
    assert problem.message == "5 mg in the source is 5 g in the translation"


def test_micrograms_become_milligrams():
    (problem,) = compare("30 µg", "en", "30 mg", "nl")
    assert problem.kind == "unit"
    assert problem.message == "30 µg in the source is 30 mg in the translation"


def test_dropped_unit_is_a_unit_problem():
    (problem,) = compare("Take 5 mg", "en", "Neem 5", "nl")
    assert problem.kind == "unit"
    assert problem.target is not None and problem.target.unit is None
    assert "without a unit" in problem.message


def test_range_with_another_unit():
    problems = compare(f"1000{NBHY}2000 IU", "en", "1000-2000 mg", "nl")
    assert kinds(problems) == ["unit", "unit"]
    assert [p.source.value for p in problems if p.source] == [1000, 2000]
    assert all(p.target and p.target.unit == "mg" for p in problems)


def test_range_that_lost_its_unit():
    problems = compare(f"1000{NBHY}2000 IU", "en", "1000-2000", "nl")
    assert kinds(problems) == ["unit", "unit"]


def test_changed_percentage():
    problems = compare("70 %", "en", "7 %", "nl")
    assert kinds(problems) == ["missing", "extra"]
    assert problems[0].message.startswith("70% in the source")
    assert problems[1].message.startswith("7% in the translation")


def test_dutch_reading_of_copied_english_grouping_is_caught():
    # "1,500" left unchanged in a Dutch text reads 1.5 to a Dutch reader.
    assert kinds(compare("1,500 patients", "en", "1,500 patiënten", "nl")) == ["missing", "extra"]
    # and in French as well.
    assert kinds(compare("1,500 patients", "en", "1,500 patients", "fr")) == ["missing", "extra"]


def test_multiset_needs_every_occurrence():
    problems = compare("5 mg and 5 mg", "en", "5 mg", "nl")
    assert kinds(problems) == ["missing"]
    assert problems[0].source is not None and problems[0].source.start == 9
    assert problems[0].message == "5 mg in the source is missing from the translation"


def test_extra_number():
    problems = compare("Take zinc", "en", "Neem 30 mg zink", "nl")
    assert kinds(problems) == ["extra"]
    assert problems[0].message == "30 mg in the translation is not in the source"


def test_number_written_as_a_word_is_reported():
    assert kinds(compare("3 JAK inhibitors", "en", "drie JAK-remmers", "nl")) == ["missing"]


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        # Found by a review: each passed before.
        ("Inject 5 µl of the solution.", "Injecteer 5 ml van de oplossing.", "5 µl … 5 ml"),
        ("Inject 10 units of insulin.", "Spuit 10 ml insuline.", "10 U … 10 ml"),
        ("Take one tablet every 7 days.", "Neem elke 7 uur één tablet.", "7 d … 7 h"),
        ("Take 2 mg/kg of prednisone.", "Neem 2 mg prednison.", "2 mg/kg … 2 mg"),
        (
            "Dosage is 100 mg/m² per cycle.",
            "De dosering is 100 mg per cyclus.",
            "100 mg/m² … 100 mg",
        ),
        ("Take 2 tablets at night.", "Neem 's avonds 2 mg.", "2 tablets … 2 mg"),
        ("Use 5 drops daily.", "Gebruik dagelijks 5 ml.", "5 drops … 5 ml"),
    ],
)
def test_a_unit_changed_where_the_source_counts_or_names_it(source, target, message):
    (problem,) = compare(source, "en", target, "nl")
    before, after = message.split(" … ")
    assert problem.kind == "unit"
    assert problem.message == f"{before} in the source is {after} in the translation"


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("Take ½ tablet daily.", "Neem dagelijks ¼ tablet."),
        ("Take 1½ tablets daily.", "Neem dagelijks 1¼ tabletten."),
        ("A platelet count below 150 ×10⁹/L.", "Een aantal onder 150 ×10¹²/l."),
    ],
)
def test_changed_fractions_and_exponents_are_caught(source, target):
    assert kinds(compare(source, "en", target, "nl")) == ["missing", "extra"]


def test_fractions_and_exponents_are_read_with_their_offsets():
    text = "Take 1½ tablets, then ½, count 150 ×10⁹/L and 5 m²."
    qs = quantities(text, "en")
    assert [(format(q.value, "f"), q.text) for q in qs] == [
        ("1.5", "1½"),
        ("0.5", "½"),
        ("150", "150"),
        ("10", "10"),
        ("9", "⁹"),
        ("5", "5"),
    ]
    for q in qs:
        assert text[q.start : q.end] == q.text
    assert describe_difference("Take ½ tablet.", "Take ¼ tablet.", "en") == "½ → ¼"


def test_glued_numbers_must_survive():
    assert kinds(compare("free T4", "en", "vrij T3", "nl")) == ["missing", "extra"]
    assert kinds(compare("IL-23", "en", "IL", "nl")) == ["missing"]


def test_problems_are_ordered_and_deterministic():
    source = "1 mg, 2 mg, 3 mg, 4 mg"
    target = "9 mg, 4 g, 2 mg, 8 mg"
    problems = compare(source, "en", target, "nl")
    assert kinds(problems) == ["missing", "missing", "unit", "extra", "extra"]
    assert [p.source.value for p in problems if p.source] == [1, 3, 4]
    assert [p.target.value for p in problems if p.kind == "extra" and p.target] == [9, 8]
    assert compare(source, "en", target, "nl") == problems


def test_messages_are_single_sentences():
    for problem in compare("5 mg, 30 mg, 70 %", "en", "5 g, 300 mg, 7 %, 12", "nl"):
        assert problem.message
        assert "\n" not in problem.message
        assert not problem.message.endswith(".")


# ---------------------------------------------------------------------------------------------
# signature() and describe_difference()


def test_signature_differs_for_changed_dose():
    assert signature("Zinc (30 mg)", "en") != signature("Zinc (25 mg)", "en")
    assert describe_difference("Zinc (30 mg)", "Zinc (25 mg)", "en") == "30 mg → 25 mg"


def test_signature_equal_for_reworded_text():
    old = f"Zinc (30{NNBSP}mg) – essential for hair, 2 times a day"
    new = "Twice (2) a day, take zinc, 30 mg: it is essential for hair"
    assert signature(old, "en") == signature(new, "en")
    assert describe_difference(old, new, "en") is None


def test_signature_is_a_sorted_multiset():
    sig = signature("10 mg, 2.50 %, 5, 5, 1,500 IU", "en")
    assert sig == (
        (Decimal("2.5"), "%"),
        (Decimal("5"), None),
        (Decimal("5"), None),
        (Decimal("10"), "mg"),
        (Decimal("1500"), "IU"),
    )
    assert signature("5 mg", "en") != signature("5 g", "en")
    assert signature("", "en") == ()
    assert hash(signature("1,500 IU", "en")) == hash(signature("1500 IU", "en"))


def test_signature_across_locales():
    assert signature("2.5 mg and 1,500 IU", "en") == signature("1.500 IE en 2,5 mg", "nl")


def test_describe_difference_lists_both_sides():
    assert describe_difference("5 mg", "5 g", "en") == "5 mg → 5 g"
    assert describe_difference("5 mg and 10 mg", "5 mg", "en") == "10 mg → (none)"
    assert describe_difference("Take zinc", "Take 30 mg zinc", "en") == "(none) → 30 mg"
    assert describe_difference("70 %", "7 %", "en") == "70% → 7%"
    assert describe_difference("1 and 2", "3 and 4", "en") == "1, 2 → 3, 4"


# ---------------------------------------------------------------------------------------------
# Properties

_LOCALES = ["nl", "de", "fr", "tr", "es", "it", "pt", "pl", "sv", "ru", "de_CH", "da", "nb"]
_decimals = st.decimals(
    min_value=Decimal("-1e12"),
    max_value=Decimal("1e12"),
    allow_nan=False,
    allow_infinity=False,
    places=4,
)


@settings(max_examples=300, deadline=None)
@given(value=_decimals, locale=st.sampled_from(_LOCALES))
def test_babel_renderings_compare_equal(value, locale):
    en = format_decimal(value, locale="en")
    other = format_decimal(value, locale=locale)
    assert compare(en, "en", other, locale) == []
    assert compare(other, locale, en, "en") == []


@settings(max_examples=200, deadline=None)
@given(
    value=_decimals,
    locale=st.sampled_from(_LOCALES),
    unit=st.sampled_from(["mg", "µg", "IU", "ml", "%", "g", "kg", "mmol/l"]),
    space=st.sampled_from(["", " ", NBSP, NNBSP]),
)
def test_babel_renderings_with_units_compare_equal(value, locale, unit, space):
    en = f"Take {format_decimal(value, locale='en')}{space}{unit} daily."
    other = f"Neem {format_decimal(value, locale=locale)}{space}{unit} dagelijks."
    assert compare(en, "en", other, locale) == []
    assert signature(en, "en") == signature(other, locale)


@settings(max_examples=200, deadline=None)
@given(value=_decimals, locale=st.sampled_from(["en", *_LOCALES]))
def test_quantities_reads_babel_renderings(value, locale):
    text = format_decimal(value, locale=locale)
    (q,) = quantities(text, locale)
    assert q.value == abs(parse_decimal(text, locale=locale, strict=False))


@settings(max_examples=200, deadline=None)
@given(
    low=st.integers(min_value=0, max_value=10**6),
    high=st.integers(min_value=0, max_value=10**6),
    locale=st.sampled_from(_LOCALES),
    dash=st.sampled_from(["-", "–", NBHY, " - "]),
)
def test_ranges_compare_equal(low, high, locale, dash):
    en = f"{format_decimal(low, locale='en')}{dash}{format_decimal(high, locale='en')} IU"
    other = f"{format_decimal(low, locale=locale)}{dash}{format_decimal(high, locale=locale)} IU"
    assert compare(en, "en", other, locale) == []


_text = st.text(
    alphabet=st.sampled_from(
        list("0123456789 .,-–/%<>a2bIUmgµlLhT:") + [NBSP, NNBSP, NBHY, "'", "’", "\n", "é"]
    ),
    max_size=60,
)


@settings(max_examples=400, deadline=None)
@given(text=_text, locale=st.sampled_from(["en", "nl", "fr", "tr", "de_CH"]))
def test_quantities_are_well_formed_on_any_text(text, locale):
    qs = quantities(text, locale)
    for q in qs:
        assert text[q.start : q.end] == q.text
        assert q.value >= 0
        assert any(c in "0123456789" for c in q.text)
    assert [q.start for q in qs] == sorted(q.start for q in qs)
    assert compare(text, locale, text, locale) == []
    assert describe_difference(text, text, locale) is None


@settings(max_examples=200, deadline=None)
@given(a=_text, b=_text)
def test_signature_equality_means_no_problems(a, b):
    same = signature(a, "en") == signature(b, "en")
    assert (describe_difference(a, b, "en") is None) == same
    if same:
        assert compare(a, "en", b, "en") == []


def test_long_numbers_stay_exact():
    long = "12345678901234567890123456789012.50"
    (q,) = quantities(long, "en")
    assert q.value == Decimal(long)
    assert signature(long, "en") == ((Decimal("12345678901234567890123456789012.5"), None),)
    assert signature(long, "en") != signature("12345678901234567890123456789013", "en")
    assert signature("0.000", "en") == ((Decimal(0), None),)


def test_a_number_copied_as_it_stands_is_told_to_read_otherwise_in_the_target():
    [missing, extra] = compare(
        "The maximum is 1,000 mg per day.", "en", "Het maximum is 1,000 mg per dag.", "nl"
    )
    for problem in (missing, extra):
        assert problem.message.endswith(
            "(written alike, but 1,000 reads as 1 with the nl decimal sign ',', and the source "
            "means 1000)"
        )
    [missing, extra] = compare("Take 2.5 mg.", "en", "Neem 25 mg.", "nl")
    assert (
        missing.message
        == "2.5 mg in the source is missing from the translation, which has 25 mg instead"
    )
