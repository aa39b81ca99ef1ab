"""Tests of toolkit.glossary: the CSV format, validation, and matching terms in texts."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import GlossaryError
from toolkit.glossary import Glossary, Match, Problem, Term

REAL_GLOSSARY = Path(__file__).resolve().parent.parent / "glossary.csv"

HEADER = "term,nl,de,dnt,case,forbidden:nl,pos,note\n"


def write(tmp_path: Path, text: str, name: str = "glossary.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def glossary(tmp_path: Path, rows: str, header: str = HEADER) -> Glossary:
    path = write(tmp_path, header + rows)
    assert Glossary.validate(path) == [], Glossary.validate(path)
    return Glossary.load(path)


def found(g: Glossary, text: str) -> list[tuple[str, str]]:
    """(term, matched text) pairs of find_source_terms."""
    return [(m.term.term, text[m.start : m.end]) for m in g.find_source_terms(text)]


@pytest.fixture
def medical(tmp_path: Path) -> Glossary:
    return glossary(
        tmp_path,
        "hair follicle,haarzakje|haarfollikel,Haarfollikel,,,,noun,\n"
        "thyroid gland,schildklier,Schilddrüse,,,,noun,\n"
        "scalp,hoofdhuid,Kopfhaut,,,,noun,\n"
        "hair loss,haaruitval|haarverlies,Haarausfall,,,kaalheid,noun,Lay term.\n"
        "alopecia,alopecia,Alopezie,,,,noun,\n"
        "scarring alopecia,littekenalopecia,vernarbende Alopezie,,,,noun,\n"
        "Hashimoto's thyroiditis,ziekte van Hashimoto,Hashimoto-Thyreoiditis,,,,noun,\n"
        "anti-TPO,,,yes,,,acronym,\n"
        "ANA,ANA,ANA,,yes,,acronym,Antinuclear antibodies.\n"
        "Gold City,,,yes,,,proper noun,\n"
        "eye,oog,Auge,,,,noun,\n"
        "ear,oor,Ohr,,,,noun,\n",
    )


# --------------------------------------------------------------------------------------------
# The format


def test_parse_all_columns(tmp_path: Path) -> None:
    g = glossary(
        tmp_path,
        "hair loss,haaruitval | haarverlies,Haarausfall,,,kaalheid|haarval,noun,Lay term.\n"
        "ANA,ANA,ANA,no,yes,,acronym,\n"
        '"anti-TPO",,,yes,,,acronym,"Two\nlines"\n'
        "scalp,hoofdhuid,,,,,,\n",
    )
    assert g.locales() == ["nl", "de"]
    hair, ana, tpo, scalp = g.terms
    assert hair == Term(
        term="hair loss",
        translations={"nl": ("haaruitval", "haarverlies"), "de": ("Haarausfall",)},
        dnt=False,
        case_sensitive=False,
        forbidden={"nl": ("kaalheid", "haarval")},
        note="Lay term.",
        line=2,
    )
    assert (ana.case_sensitive, ana.dnt, ana.line) == (True, False, 3)
    assert (tpo.dnt, tpo.translations, tpo.note, tpo.line) == (True, {}, "Two\nlines", 4)
    assert scalp.line == 6  # the quoted note of the row before spans two lines
    assert scalp.translations == {"nl": ("hoofdhuid",)}
    assert len({hair, ana, hair}) == 2  # terms are hashable


def test_bom_and_flag_case_and_locale_variants(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_bytes("\ufeffterm,pt-BR,dnt,case\nCRP,,YES,Yes\n".encode())
    g = Glossary.load(path)
    assert g.locales() == ["pt-BR"]
    assert g.terms[0].dnt and g.terms[0].case_sensitive
    assert Glossary.validate(path) == []


def test_missing_file_is_an_empty_glossary(tmp_path: Path) -> None:
    g = Glossary.load(tmp_path / "nope.csv")
    assert g.terms == () and g.locales() == []
    assert g.find_source_terms("hair loss") == []
    assert [p.line for p in Glossary.validate(tmp_path / "nope.csv")] == [0]


def test_not_utf8_raises_with_line(tmp_path: Path) -> None:
    path = tmp_path / "glossary.csv"
    path.write_bytes(b"term,nl\nscalp,hoofdhuid\ncaf\xe9,caf\xe9\n")
    with pytest.raises(GlossaryError) as e:
        Glossary.load(path)
    assert e.value.line == 3 and e.value.path == str(path)
    assert str(e.value).startswith(f"{path}:3: ")
    assert [p.line for p in Glossary.validate(path)] == [3]


@pytest.mark.parametrize("text", ["", "nl,de\nhaar,Haar\n", "Term2,nl\nx,y\n"])
def test_no_term_column_raises(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(GlossaryError) as e:
        Glossary.load(path)
    assert e.value.line == 1 and "term" in e.value.message
    [problem] = Glossary.validate(path)
    assert problem.line == 1 and "term" in problem.message


def test_unreadable_path_raises(tmp_path: Path) -> None:
    with pytest.raises(GlossaryError):
        Glossary.load(tmp_path)  # a directory


# --------------------------------------------------------------------------------------------
# Validation


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("term,nl\nhair loss,haaruitval\nscalp,hoofdhuid\nHair Loss,haarverlies\n", 4, ["2"]),
        ("term,nl\nscalp,hoofdhuid\n,haaruitval\n", 3, ["no term"]),
        ("term,nl\nscalp,hoofdhuid\n,\n", 3, ["empty"]),
        ("term,nll\nscalp,hoofdhuid\n", 1, ["unknown column 'nll'", "locale code"]),
        ("term,nl,dnt\nANA,,ja\n", 2, ["dnt", "'ja'"]),
        ("term,nl,case\nANA,,x\n", 2, ["case", "'x'"]),
        ("term,nl,dnt\nANA,ANA,yes\n", 2, ["do-not-translate", "nl"]),
        ("term,nl,forbidden:xx\nscalp,hoofdhuid,\n", 1, ["forbidden:xx"]),
        ("term,nl\nhair loss,haaruitval||haarverlies\n", 2, ["empty alternative"]),
        ("term,nl\nhair loss,haaruitval|\n", 2, ["empty alternative"]),
        ("term,nl,forbidden:nl\nscalp,,a||b\n", 2, ["forbidden:nl", "empty alternative"]),
        (
            "term,nl,forbidden:nl\nhair loss,haaruitval|kaalheid,Kaalheid\n",
            2,
            ["forbidden:nl", "'Kaalheid'", "approved"],
        ),
        ("term,nl,nl\nscalp,hoofdhuid,hoofdhuid\n", 1, ["duplicate column"]),
    ],
)
def test_validation_problems(tmp_path: Path, text: str, line: int, words: list[str]) -> None:
    path = write(tmp_path, text)
    problems = Glossary.validate(path)
    assert len(problems) == 1, problems
    assert problems[0].line == line
    for word in words:
        assert word in problems[0].message
    Glossary.load(path)  # content problems never stop loading


def test_duplicate_message_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "term,nl\nhair loss,haaruitval\nscalp,hoofdhuid\nHAIR LOSS,x\n")
    [problem] = Glossary.validate(path)
    assert problem.line == 4 and "line 2" in problem.message
    assert str(problem).startswith("line 4: ")


def test_validation_finds_every_problem_in_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "term,nl,nll,dnt,forbidden:zz\nscalp,hoofdhuid,,,\nANA,ANA,,yes,\nScalp,x,,maybe,\n,,,,\n",
    )
    problems = Glossary.validate(path)
    assert [p.line for p in problems] == [1, 1, 3, 4, 5]
    assert all(isinstance(p, Problem) for p in problems)


def test_load_keeps_what_it_can(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "term,nl,nll,forbidden:nl\n"
        "hair loss,haaruitval||haarverlies,x,haaruitval|kaalheid\n"
        ",orphan,,\n"
        "Hair loss,dubbel,,\n",
    )
    g = Glossary.load(path)
    assert [t.term for t in g.terms] == ["hair loss"]
    assert g.locales() == ["nl"]
    assert g.terms[0].translations == {"nl": ("haaruitval", "haarverlies")}
    assert g.terms[0].forbidden == {"nl": ("kaalheid",)}


# --------------------------------------------------------------------------------------------
# Matching in the source language


def test_english_inflection(medical: Glossary) -> None:
    text = "Hair follicles shrink when the thyroid glands fail; one hair follicle."
    assert found(medical, text) == [
        ("hair follicle", "Hair follicles"),
        ("thyroid gland", "thyroid glands"),
        ("hair follicle", "hair follicle"),
    ]


def test_matches_are_sorted_and_typed(medical: Glossary) -> None:
    matches = medical.find_source_terms("scalp and hair loss")
    assert all(isinstance(m, Match) for m in matches)
    assert [m.start for m in matches] == sorted(m.start for m in matches)
    assert [(m.start, m.end) for m in matches] == [(0, 5), (10, 19)]


def test_longest_match_wins(medical: Glossary) -> None:
    text = "Scarring alopecia differs from alopecia areata."
    assert found(medical, text) == [
        ("scarring alopecia", "Scarring alopecia"),
        ("alopecia", "alopecia"),
    ]


def test_exactly_written_term_wins_a_shared_stem(tmp_path: Path) -> None:
    # The Snowball stemmer gives "thyroid" for both words; the exact spelling decides.
    g = glossary(tmp_path, "thyroid,schildklier,,,,,,\nthyroiditis,thyreoïditis,,,,,,\n")
    assert found(g, "thyroiditis, thyroid") == [
        ("thyroiditis", "thyroiditis"),
        ("thyroid", "thyroid"),
    ]


def test_multi_word_terms_do_not_cross_punctuation(medical: Glossary) -> None:
    assert found(medical, "the hair. Loss of") == []
    assert found(medical, "hair-loss") == [("hair loss", "hair-loss")]


def test_case_sensitive_acronym(medical: Glossary) -> None:
    assert found(medical, "An ANA test.") == [("ANA", "ANA")]
    assert found(medical, "a banana, Ana and ana") == []
    assert found(medical, "ANA's titre") == [("ANA", "ANA's")]


def test_dnt_is_verbatim(medical: Glossary) -> None:
    assert found(medical, "Welcome to gold city!") == [("Gold City", "gold city")]
    assert found(medical, "Gold Cities") == []  # no stemming
    assert found(medical, "Gold-City") == []  # not the same spelling


def test_normalisation_of_typography(medical: Glossary) -> None:
    text = "Hashimoto\u2019s thyroiditis raises anti\u2011TPO levels."
    assert found(medical, text) == [
        ("Hashimoto's thyroiditis", "Hashimoto\u2019s thyroiditis"),
        ("anti-TPO", "anti\u2011TPO"),
    ]
    assert found(medical, "hair\u00a0loss") == [("hair loss", "hair\u00a0loss")]


def test_offsets_map_back_through_unicode_normalisation(medical: Glossary) -> None:
    text = "Caf\u0065\u0301 hair\u00adloss, cafe\u0301 scalp"  # NFD é and a soft hyphen
    assert unicodedata.normalize("NFC", text) != text
    assert found(medical, text) == [("scalp", "scalp")]
    assert found(medical, "e\u0301 hair loss") == [("hair loss", "hair loss")]


def test_placeholders_are_word_boundaries(medical: Glossary) -> None:
    assert found(medical, "<strong>hair loss</strong>") == [("hair loss", "hair loss")]
    assert found(medical, "the<br/>scalp</a2>") == [("scalp", "scalp")]
    assert found(medical, "hair <em>loss</em>") == [("hair loss", "hair <em>loss")]


def test_possessive_matches_the_base_form(tmp_path: Path) -> None:
    g = glossary(tmp_path, "Hashimoto,,,,,,,\n")
    assert found(g, "Hashimoto's disease") == [("Hashimoto", "Hashimoto's")]


def test_hints(medical: Glossary) -> None:
    text = "Hair loss, ANA, hair loss again and anti-TPO; also the scalp."
    assert medical.hints(text, "nl") == [
        "hair loss → haaruitval (also: haarverlies) — Lay term.",
        "ANA → ANA — Antinuclear antibodies.",
        "anti-TPO → anti-TPO (do not translate)",
        "scalp → hoofdhuid",
    ]
    assert medical.hints(text, "fr") == ["anti-TPO → anti-TPO (do not translate)"]
    assert medical.hints("nothing here", "nl") == []


def test_hints_locale_fallback(medical: Glossary) -> None:
    assert medical.hints("the scalp", "nl_BE") == ["scalp → hoofdhuid"]


# --------------------------------------------------------------------------------------------
# Matching translations


@pytest.mark.parametrize(
    "locale, form, text",
    [
        ("nl", "haarzakje", "De haarzakjes zijn ontstoken."),
        ("nl", "haarzakje", "Een haarzakje."),
        ("nl", "hoofdhuid", "Op de hoofdhuiden van patiënten."),
        ("nl", "schildklier", "Beide schildklieren."),
        ("de", "Haarfollikel", "In den Haarfollikeln."),
        ("de", "Kopfhaut", "Die Kopfhäute."),
        ("de", "Schilddrüse", "Die Schilddrüsen."),
        ("en", "thyroid gland", "both thyroid glands"),
        ("fr", "follicule pileux", "les follicules pileux"),
        ("nl", "ziekte van Hashimoto", "de ziekte van Hashimoto\u2019s"),
    ],
)
def test_inflected_translations(medical: Glossary, locale: str, form: str, text: str) -> None:
    assert medical.contains(text, form, locale)


@pytest.mark.parametrize(
    "locale, form, text",
    [
        ("nl", "haarzakje", "Een haarzakjesontsteking."),
        ("nl", "hoofdhuid", "Hoofdhuidproblemen en jeuk."),
        ("nl", "ontsteking", "Een darmontsteking."),
        ("nl", "ontsteking", "De ontstekingsreactie."),
        ("nl", "chronische ontsteking", "Een chronische darmontsteking."),
        ("de", "Haarfollikel", "Ein Haarfollikelschaden."),
        ("de", "Schilddrüse", "Eine Schilddrüsenunterfunktion."),
        ("de", "Kopfhaut", "Kinderkopfhäute."),
    ],
)
def test_compounds(medical: Glossary, locale: str, form: str, text: str) -> None:
    assert medical.contains(text, form, locale)


@pytest.mark.parametrize(
    "locale, form, text",
    [
        ("nl", "oog", "Het is hoog."),  # a short stem at the end of an unrelated word
        ("nl", "oog", "Een hooggevoelige test."),  # ... inside one
        ("de", "Ohr", "Das Rohr."),
        ("de", "Ohr", "Die Rohrzange."),
        ("nl", "chronische ontsteking", "Een chronische ontstekingsreactie."),  # not a head
        ("en", "hair", "haircut"),  # English does not build compounds
        ("fr", "follicule", "folliculite"),
        ("nl", "haarzakje", "De haar zakt."),
    ],
)
def test_no_false_compounds(medical: Glossary, locale: str, form: str, text: str) -> None:
    assert not medical.contains(text, form, locale)


@pytest.mark.parametrize(
    "locale, form, text",
    [
        ("nl", "auto-immuun", "Verschillende auto-immuunziekten."),
        ("nl", "auto-immuun", "Hoe Auto-immuunreacties de haarzakjes aanvallen"),
        ("nl", "auto-immuun", "Een andere auto-immuunaandoening."),
        ("nl", "auto-immuun", "De auto-immuunontsteking."),
        ("nl", "T-cel", "De T-celreceptor."),
        ("de", "T-Zelle", "Die T-Zellrezeptoren."),  # by its stem: Zelle -> Zell-
        ("nl", "auto-immuun", "Een niet-auto-immuun proces."),
    ],
)
def test_hyphenated_form_starts_a_compound(
    medical: Glossary, locale: str, form: str, text: str
) -> None:
    assert medical.contains(text, form, locale)


def test_hyphenated_compound_span(medical: Glossary) -> None:
    text = "Hoe auto-immuunreacties de haarzakjes aanvallen"
    spans = medical.find_forms(text, ["auto-immuun"], "nl")
    assert [text[s:e] for s, e, _ in spans] == ["auto-immuunreacties"]


@pytest.mark.parametrize(
    "locale, form, text",
    [
        ("nl", "auto-immuun", "Een auto immuunziekte."),  # the text must hyphenate it too
        ("nl", "auto-immuun", "De auto-ontimmuunziekte."),  # not inside the other part
        ("nl", "chronische ontsteking", "Een chronische ontstekingsreactie."),  # not hyphenated
        # A stem the stemmer rewrote (immuniteit -> immuun) is not looked for at the start.
        ("nl", "auto-immuniteit", "Een auto-immuunziekte."),
        ("nl", "immuniteit", "Een immuunziekte."),
    ],
)
def test_hyphenated_form_no_false_compounds(
    medical: Glossary, locale: str, form: str, text: str
) -> None:
    assert not medical.contains(text, form, locale)


@pytest.mark.parametrize(
    "locale, form, text",
    [
        ("nl", "cytokine", "Cytokinen en auto-antistoffen."),
        ("nl", "cytokine", "Afgifte van ontstekingsbevorderende cytokinen."),
        ("nl", "cytokine", "Ontstekingscytokinen."),  # a compound's head
        ("nl", "antigeen", "Een kruisreactie met antigenen."),  # antigeen -> antigenen
        ("nl", "antigeen", "Zelfantigenen."),
        ("nl", "vrij radicaal", "Er ontstaan vrije radicalen."),  # vrij -> vrije before a noun
        ("nl", "klinisch onderzoek", "Twee klinische onderzoeken."),
        ("nl", "kaas", "Harde kazen."),  # s -> z
        ("nl", "stoornis", "Hormonale stoornissen."),  # a doubled consonant
        ("nl", "therapie", "Nieuwe therapieën."),
        ("nl", "kaalheid", "Verschillende kaalheden."),
        ("de", "freies Radikal", "Es entstehen freie Radikale."),
        ("de", "freies Radikal", "Schutz vor freien Radikalen."),
    ],
)
def test_regular_inflection(medical: Glossary, locale: str, form: str, text: str) -> None:
    assert medical.contains(text, form, locale)


@pytest.mark.parametrize(
    "locale, form, text",
    [
        ("nl", "vitamine D", "Neem vitamin D."),  # another spelling, not an inflection
        ("nl", "vitamin D", "Neem vitamine D."),  # a noun takes no -e (D is not its noun)
        ("nl", "been", "Ik ben moe."),  # benen has a single vowel, ben is another word
        ("nl", "maan", "De man."),
        ("nl", "antigeen", "Een antigenetisch verschil."),
        ("nl", "cytokine", "Cytokininen."),
        ("nl", "vitamine D", "Vitamine de."),  # a letter or acronym is not inflected
        ("nl", "radicaal", "De radicalere aanpak."),  # only the plural, not a comparative
        ("de", "Vitamin D", "Vitamin De."),
    ],
)
def test_no_false_inflection(medical: Glossary, locale: str, form: str, text: str) -> None:
    assert not medical.contains(text, form, locale)


def test_case_sensitive_form_in_lower_case_may_start_a_sentence(tmp_path: Path) -> None:
    g = glossary(
        tmp_path,
        "FAQ,veelgestelde vragen|FAQ,häufig gestellte Fragen|FAQ,,yes,,acronym,\n"
        "mg,,,yes,yes,,unit,\n",
    )
    form = "veelgestelde vragen"
    assert g.contains("Veelgestelde vragen", form, "nl", case_sensitive=True)
    assert g.contains("Zie hieronder. Veelgestelde vragen", form, "nl", case_sensitive=True)
    assert g.contains("Lees de veelgestelde vragen.", form, "nl", case_sensitive=True)
    assert g.contains("Häufig gestellte Fragen", "häufig gestellte Fragen", "de", True)
    assert not g.contains("Lees de Veelgestelde vragen.", form, "nl", case_sensitive=True)
    assert not g.contains("VEELGESTELDE VRAGEN", form, "nl", case_sensitive=True)
    assert not g.contains("Veelgestelde Vragen", form, "nl", case_sensitive=True)
    assert g.contains("FAQ", "FAQ", "nl", case_sensitive=True)
    assert not g.contains("Faq", "FAQ", "nl", case_sensitive=True)
    # A do-not-translate term is verbatim: Mg is magnesium, not milligram.
    assert not g.contains("Mg is een mineraal.", "mg", "nl", case_sensitive=True)
    assert g.contains("Neem 5 mg.", "mg", "nl", case_sensitive=True)


def test_contains_case_sensitive(medical: Glossary) -> None:
    assert medical.contains("Een ANA-test.", "ANA", "nl", case_sensitive=True)
    assert not medical.contains("Een banaan, ana.", "ANA", "nl", case_sensitive=True)
    assert not medical.contains("BANANA", "ANA", "nl", case_sensitive=True)
    assert medical.contains("Een ana-test.", "ANA", "nl")


def test_contains_dnt_terms_verbatim(medical: Glossary) -> None:
    assert medical.contains("Anti-TPO-Antikörper", "anti-TPO", "de")
    assert medical.contains("anti\u2011TPO", "anti-TPO", "nl")
    assert not medical.contains("anti TPO", "anti-TPO", "nl")  # a dnt term: verbatim
    assert medical.contains("anti TPO", "anti-TPO", "nl", verbatim=False)
    assert not medical.contains("Gold Cities", "Gold City", "nl")


def test_find_forms_spans(medical: Glossary) -> None:
    text = "De <b>haarzakjes</b> en haarverlies; haarzakjesontsteking."
    spans = medical.find_forms(text, ["haarzakje", "haarverlies"], "nl")
    assert [(text[s:e], form) for s, e, form in spans] == [
        ("haarzakjes", "haarzakje"),
        ("haarverlies", "haarverlies"),
        ("haarzakjesontsteking", "haarzakje"),
    ]
    assert medical.find_forms("", ["haarzakje"], "nl") == []


def test_find_forms_longest_wins(medical: Glossary) -> None:
    text = "littekenalopecia en alopecia"
    spans = medical.find_forms(text, ["alopecia", "littekenalopecia"], "nl")
    assert [(text[s:e], f) for s, e, f in spans] == [
        ("littekenalopecia", "littekenalopecia"),
        ("alopecia", "alopecia"),
    ]


def test_unsupported_language_compares_lower_case(medical: Glossary) -> None:
    assert medical.contains("Mwanzo wa NYWELE", "nywele", "sw")
    assert not medical.contains("nyweleni", "nywele", "sw")


def test_turkish_suffixes(medical: Glossary) -> None:
    assert medical.contains("Saçları döküldü.", "saç", "tr")
    assert medical.contains("Tiroidin işlevi.", "tiroid", "tr")


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("hair los scp<>/bg'’‑-\u00a0 .e\u0301ANA")), max_size=60)
)
def test_matches_are_well_formed(text: str) -> None:
    g = _HYPOTHESIS_GLOSSARY
    matches = g.find_source_terms(text)
    ends = [0]
    for m in matches:
        assert ends[-1] <= m.start < m.end <= len(text)
        ends.append(m.end)
    for s, e, _ in g.find_forms(text, ["hair", "scalp loss"], "nl"):
        assert 0 <= s < e <= len(text)


_HYPOTHESIS_GLOSSARY = Glossary(
    [
        Term("hair loss", {"nl": ("haaruitval",)}, False, False, {}, "", 2),
        Term("hair", {"nl": ("haar",)}, False, False, {}, "", 3),
        Term("ANA", {}, True, True, {}, "", 4),
        Term("scalp", {}, False, False, {}, "", 5),
    ]
)


# --------------------------------------------------------------------------------------------
# The project's glossary


@pytest.mark.skipif(not REAL_GLOSSARY.exists(), reason="no glossary.csv yet")
def test_the_real_glossary() -> None:
    problems = Glossary.validate(REAL_GLOSSARY)
    assert problems == [], "\n".join(map(str, problems))
    g = Glossary.load(REAL_GLOSSARY)
    assert len(g.terms) >= 80
    assert g.locales()


@pytest.mark.skipif(not REAL_GLOSSARY.exists(), reason="no glossary.csv yet")
@pytest.mark.parametrize(
    "form, text",
    [
        ("auto-immuun", "auto-immuunziekten"),
        ("auto-immuun", "Hoe auto-immuunreacties de haarzakjes aanvallen"),
        ("auto-immuun", "een andere auto-immuunaandoening"),
        ("auto-immuun", "meerdere oorzaken: auto-immuunontsteking, aantasting van de huid"),
        ("cytokine", "Afgifte van ontstekingsbevorderende cytokinen"),
        ("antigeen", "een kruisreactie aangaan met antigenen in het haarzakje"),
        ("vrij radicaal", "Bij chronische ontsteking ontstaan vrije radicalen"),
    ],
)
def test_the_real_glossary_dutch_forms(form: str, text: str) -> None:
    assert Glossary.load(REAL_GLOSSARY).contains(text, form, "nl")


@pytest.mark.skipif(not REAL_GLOSSARY.exists(), reason="no glossary.csv yet")
def test_the_real_glossary_faq() -> None:
    g = Glossary.load(REAL_GLOSSARY)
    faq = g.term("FAQ")
    assert faq is not None and faq.case_sensitive and not faq.dnt
    assert faq.translations["nl"] == ("veelgestelde vragen", "FAQ")
    assert faq.translations["tr"] == ("sıkça sorulan sorular", "SSS")
    assert [m.term.term for m in g.find_source_terms("FAQ")] == ["FAQ"]
    assert g.find_source_terms("the faq page") == []
    assert g.contains("Veelgestelde vragen", "veelgestelde vragen", "nl", case_sensitive=True)


# --------------------------------------------------------------------------------------------
# The prefilter of find_forms: a pattern is tried only at the words that could match its first
# word. It must never change a result: compare with trying every word.

_PREFILTER_GLOSSARY = Glossary(
    [
        Term("ANA", {"nl": ("ANA",)}, False, True, {}, "", 2),
        Term("anti-TPO", {}, True, False, {}, "", 3),
        Term("mg", {}, True, True, {}, "", 4),
        Term("Gold City", {}, True, False, {}, "", 5),
    ]
)

_PREFILTER_FORMS = [
    "auto-immuun",
    "immuun",
    "immuniteit",
    "auto-immuniteit",
    "ziekte",
    "auto-immuunziekte",
    "antigeen",
    "cytokine",
    "vrij radicaal",
    "chronische ontsteking",
    "ontsteking",
    "haarzakje",
    "kaas",
    "stoornis",
    "therapie",
    "kaalheid",
    "oog",
    "veelgestelde vragen",
    "ziekte van Hashimoto",
    "ıslak",
    "freies Radikal",
    "Radikal",
    "Zelle",
    "T-Zelle",
    "T-cel",
    "Schilddrüse",
    "Kopfhaut",
    "Ohr",
    "häufig gestellte Fragen",
    "alopécie",
    "l'alopécie",
    "follicule pileux",
    "saç",
    "tiroid",
    "insülin",
    "ilacı",
    "sıkça sorulan sorular",
    "SSS",
    "ANA",
    "anti-TPO",
    "mg",
    "Gold City",
]

_PREFILTER_WORDS = [
    "auto",
    "immuun",
    "auto-immuunziekten",
    "Auto-immuunreacties",
    "auto-ontimmuunziekte",
    "immuunziekte",
    "immuniteit",
    "Ziekten",
    "antigenen",
    "Zelfantigenen",
    "cytokinen",
    "Ontstekingscytokinen",
    "vrije",
    "radicalen",
    "chronische",
    "darmontsteking",
    "ontstekingsreactie",
    "haarzakjesontsteking",
    "darmontstekingsreactie",
    "darmimmuun",
    "Islak",
    "Kazen",
    "stoornissen",
    "therapieën",
    "kaalheden",
    "hoog",
    "hooggevoelige",
    "Veelgestelde",
    "veelgestelde",
    "vragen",
    "Hashimoto’s",
    "ziekte",
    "van",
    "Freie",
    "Radikale",
    "freien",
    "Radikalen",
    "T-Zellrezeptoren",
    "T-celreceptor",
    "Schilddrüsenunterfunktion",
    "Kinderkopfhäute",
    "Rohrzange",
    "Ohren",
    "Häufig",
    "gestellte",
    "Fragen",
    "l'alopécie",
    "alopécies",
    "follicules",
    "pileux",
    "Saçları",
    "Tiroidin",
    "İnsülinin",
    "ilacıları",
    "Sıkça",
    "sorulan",
    "soruları",
    "SSS'ler",
    "ANA",
    "ana-test",
    "BANANA",
    "anti",
    "TPO",
    "Mg",
    "mg",
    "Gold",
    "Cities",
    "City",
]

_PREFILTER_GAPS = [" ", " ", "-", "\u2011", ". ", ", ", "'", "’", "\n", " <b>", "</b> ", ": "]


def assert_prefilter_keeps_results(
    g: Glossary, text: str, forms: list[str], locale: str, case_sensitive: bool, verbatim
) -> list[tuple[int, int, str]]:
    """find_forms and contains with the prefilter give what trying every word gives; returns
    the reference matches."""
    from toolkit.glossary import _analyse, _select

    a = _analyse(text, locale)
    slow = g._candidates(a, forms, locale, case_sensitive, verbatim, prefilter=False)
    fast = g._candidates(a, forms, locale, case_sensitive, verbatim)
    assert fast == slow
    reference = [(*a.span(c[3], c[4]), c[5]) for c in _select(slow, len(a.words))]
    assert g.find_forms(text, forms, locale, case_sensitive, verbatim=verbatim) == reference
    for form in forms:
        one = g._candidates(a, [form], locale, case_sensitive, verbatim, prefilter=False)
        assert g.contains(text, form, locale, case_sensitive, verbatim=verbatim) == bool(one)
    return reference


@pytest.mark.parametrize(
    "locale, form, text, case_sensitive",
    [
        ("nl", "auto-immuun", "Verschillende auto-immuunziekten.", False),  # hyphenated compound
        ("nl", "auto-immuun", "Hoe Auto-immuunreacties de haarzakjes aanvallen", False),
        ("nl", "immuun", "Een auto-immuunziekte.", False),  # inside a compound (edge)
        ("nl", "ontsteking", "De darmontsteking.", False),  # the head of a compound
        ("nl", "ontsteking", "Een ontstekingsreactie.", False),  # the start of a compound
        ("nl", "haarzakje", "Een haarzakjesontsteking.", False),  # anywhere (long enough)
        ("nl", "ontsteking", "Een darmontstekingsreactie.", False),  # ... in the middle
        ("nl", "immuniteit", "Het darmimmuun.", False),  # a rewritten stem (immuun): the head
        ("nl", "immuniteit", "Een auto-immuniteit.", False),
        ("nl", "antigeen", "Zelfantigenen.", False),  # an inflected head
        ("nl", "antigeen", "Met antigenen.", False),  # an inflected form
        ("nl", "cytokine", "Ontstekingscytokinen.", False),
        ("nl", "vrij radicaal", "Er ontstaan vrije radicalen.", False),  # inflected first word
        ("nl", "kaas", "Harde kazen.", False),
        ("nl", "therapie", "Nieuwe therapieën.", False),
        ("nl", "kaalheid", "Verschillende kaalheden.", False),
        ("nl", "ziekte van Hashimoto", "de ziekte van Hashimoto’s", False),
        ("nl", "veelgestelde vragen", "Zie hieronder. Veelgestelde vragen", True),  # capital
        ("nl", "veelgestelde vragen", "Veelgestelde vragen", True),
        ("nl", "ıslak", "Islak zemin.", True),  # a capital whose lower case is another word
        ("nl", "ANA", "Een ANA-test.", True),
        ("nl", "anti-TPO", "anti\u2011TPO", False),  # do-not-translate: verbatim
        ("de", "freies Radikal", "Schutz vor freien Radikalen.", False),
        ("de", "T-Zelle", "Die T-Zellrezeptoren.", False),  # a stem starting a compound
        ("de", "Schilddrüse", "Eine Schilddrüsenunterfunktion.", False),
        ("de", "Kopfhaut", "Kinderkopfhäute.", False),
        ("de", "häufig gestellte Fragen", "Häufig gestellte Fragen", True),
        ("fr", "alopécie", "Les alopécies.", False),
        ("fr", "alopécie", "Contre l'alopécie.", False),  # either side of an apostrophe
        ("fr", "l'alopécie", "Contre l’alopécie.", False),
        ("fr", "follicule pileux", "Les follicules pileux.", False),
        ("tr", "saç", "Saçları döküldü.", False),  # a suffix the stemmer removes
        ("tr", "tiroid", "Tiroidin işlevi.", False),  # agglutinative: more suffixes
        ("tr", "insülin", "İnsülinin etkisi.", False),  # Turkish dotted capital I
        ("tr", "ilacı", "Bu ilacıları.", False),  # by its lower-case form (stem: ilaç)
        ("tr", "sıkça sorulan sorular", "Sıkça sorulan sorular.", True),
        ("tr", "SSS", "SSS'ler", True),
    ],
)
def test_prefilter_keeps_each_kind_of_match(
    locale: str, form: str, text: str, case_sensitive: bool
) -> None:
    g = _PREFILTER_GLOSSARY
    # Each case matches: the prefilter must not skip the word it matches at.
    assert assert_prefilter_keeps_results(g, text, [form], locale, case_sensitive, None)
    assert_prefilter_keeps_results(g, text, _PREFILTER_FORMS, locale, case_sensitive, None)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_PREFILTER_GAPS), st.sampled_from(_PREFILTER_WORDS)),
        max_size=8,
    ),
    st.sampled_from(["nl", "de", "fr", "tr", "en"]),
    st.booleans(),
    st.sampled_from([None, False, True]),
    st.booleans(),
)
def test_prefilter_never_changes_a_result(
    pieces: list[tuple[str, str]], locale: str, case_sensitive: bool, verbatim, capital: bool
) -> None:
    text = "".join(gap + word for gap, word in pieces).lstrip()
    if capital:
        text = text[:1].upper() + text[1:]
    assert_prefilter_keeps_results(
        _PREFILTER_GLOSSARY, text, _PREFILTER_FORMS, locale, case_sensitive, verbatim
    )


def test_source_terms_are_found_once_per_text(medical: Glossary, monkeypatch) -> None:
    calls = []
    real = medical._find_source_terms
    monkeypatch.setattr(medical, "_find_source_terms", lambda t: calls.append(t) or real(t))
    text = "Alopecia areata and minoxidil."
    first = medical.find_source_terms(text)
    first.clear()  # a caller's list is its own
    again = medical.find_source_terms(text)
    assert calls == [text] and again and again == real(text)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.sampled_from(
            "ab `_'\u2019\u2018\u02bc\u2010\u2011\u2013\u2212\u00a0\u202f\u2007\u200bé\u00ad"
        ),
        max_size=60,
    )
)
def test_one_to_one_is_the_translate_table(text):
    from toolkit.glossary import _ONE_TO_ONE, _one_to_one

    assert _one_to_one(text) == text.translate(_ONE_TO_ONE)


def test_a_nul_byte_in_the_glossary_is_refused_before_it_reaches_a_catalog(project_dir, cli):
    (project_dir / "glossary.csv").write_bytes(b"term,nl\nhair loss,haar\x00uitval\n")
    check = cli(project_dir, "glossary", "check")
    assert check.exit_code == 2 and "glossary.csv:2: a NUL byte" in check.output
    update = cli(project_dir, "update")
    assert update.exit_code == 2 and "glossary.csv:2: a NUL byte" in update.output
    for path in (project_dir / "locales").rglob("*.po"):
        assert b"\x00" not in path.read_bytes()
    assert cli(project_dir, "stats").exit_code == 0  # every catalog still reads


def test_a_quote_that_does_not_end_its_cell_is_an_error_not_a_lost_quote(project_dir, cli):
    # Read laxly (Python's csv default), this row is the term 'minoxidil 5 %'.
    (project_dir / "glossary.csv").write_text('term,nl,dnt\n"minoxidil" 5 %,,yes\n')
    for command in (("glossary", "check"), ("update",), ("check",)):
        result = cli(project_dir, *command)
        assert result.exit_code == 2
        # Named as the user knows it, not by the absolute path -C made of it.
        assert "localise: error: glossary.csv:2: not valid CSV: ',' expected after '\"'" in (
            result.output.splitlines()
        )


def test_a_byte_order_mark_inside_the_glossary_is_left_out_and_reported(tmp_path):
    path = tmp_path / "glossary.csv"
    path.write_bytes("\ufeffterm,nl\nscalp,hoofdhuid\n\ufeffzinc,zink\n".encode())
    assert [t.term for t in Glossary.load(path).terms] == ["scalp", "zinc"]
    [problem] = Glossary.validate(path)
    assert problem.line == 3 and "byte-order mark (U+FEFF)" in problem.message
