"""localise check: each kind of mistake planted into real sample units is caught by its check,
and its correct twin raises nothing. Then the command: exit codes, formats, filters, flags."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import catalog
from toolkit.checks import REGISTRY, all_checks
from toolkit.checks.content import EntryContext
from toolkit.glossary import Glossary

from .conftest import ROOT

GLOSSARY = Glossary.load(ROOT / "glossary.csv")
all_checks()


def run(name, msgid, msgstr, locale="nl", flags=(), previous=None, foreign=None):
    entry = polib.POEntry(msgid=msgid, msgstr=msgstr, flags=list(flags), previous_msgid=previous)
    ctx = EntryContext(locale, "en", "article", "file.po", GLOSSARY, foreign or {})
    return [message for message, _ in REGISTRY[name].func(ctx, entry)]


ZINC = "Zinc (30\u202fmg) – Essential for hair‑follicle health."
VITD = "Vitamin D (1000‑2000 IU daily) – Supports immune regulation."
STRONG = "Treating <strong>autoimmune disease balding</strong> requires a dual approach."
TPO = "Elevated TSH, anti‑TPO antibodies"


@pytest.mark.parametrize(
    "check, msgid, bad, good",
    [
        (
            "markup",
            STRONG,
            "De behandeling van <strong>auto-immuunkaalheid vraagt om een dubbele aanpak.",
            "Een dubbele aanpak is nodig bij <strong>auto-immuunkaalheid</strong>.",
        ),
        (
            "markup",
            STRONG,
            'De behandeling van <strong class="x">auto-immuunkaalheid</strong> vraagt veel.',
            "<strong>Auto-immuunkaalheid</strong> behandelen vraagt om een dubbele aanpak.",
        ),
        (
            "markup",
            STRONG,
            "De behandeling van <strong>auto-immuunkaalheid</strong><script>x()</script>.",
            "De behandeling van <STRONG>auto-immuunkaalheid</STRONG> vraagt om een dubbele aanpak.",
        ),
        (
            "markup",
            STRONG,
            "De <b>behandeling</b> van <strong>auto-immuunkaalheid</strong>.",
            "De behandeling van <strong>auto-immuunkaalheid</strong> vraagt om een dubbele aanpak.",
        ),
        (
            "numbers",
            ZINC,
            "Zink (300\u202fmg) – essentieel voor gezonde haarzakjes.",
            "Zink (30\u202fmg) – essentieel voor gezonde haarzakjes.",
        ),
        (
            "numbers",
            "Apply 2.5 ml twice a day.",
            "Breng twee keer per dag 25 ml aan.",
            "Breng twee keer per dag 2,5 ml aan.",
        ),
        (
            "numbers",
            "About 1,500 patients took part.",
            "Ongeveer 1.600 patiënten deden mee.",
            "Ongeveer 1.500 patiënten deden mee.",
        ),
        ("numbers", "up to 70 % regrowth", "tot 7% hergroei", "tot 70\u00a0% hergroei"),
        (
            "units",
            ZINC,
            "Zink (30\u202fg) – essentieel voor gezonde haarzakjes.",
            "Zink (30 mg) – essentieel voor gezonde haarzakjes.",
        ),
        (
            "units",
            VITD,
            "Vitamine D (1000-2000 mg per dag) – ondersteunt de afweer.",
            "Vitamine D (1000-2000 IE per dag) – ondersteunt de afweer.",
        ),
        ("units", "Take 30 µg daily.", "Neem dagelijks 30 mg.", "Neem dagelijks 30 mcg."),
        (
            "frequency",
            "Take methotrexate 15 mg once weekly, never daily.",
            "Neem eenmaal dagelijks 15 mg methotrexaat, nooit per maand.",
            "Neem eenmaal per week 15 mg methotrexaat, nooit dagelijks.",
        ),
        (
            "frequency",
            VITD,
            "Vitamine D (1000‑2000 IE per week) – ondersteunt de afweer.",
            "Vitamine D (1000‑2000 IE dagelijks) – ondersteunt de afweer.",
        ),
        (
            "dnt",
            "Contact Gold City Medical Center today.",
            "Neem vandaag contact op met Gouden Stad Medisch Centrum.",
            "Neem vandaag contact op met Gold City Medical Center.",
        ),
        (
            "glossary",
            "Hair loss is common.",
            "Kaalheid komt vaak voor.",
            "Haaruitval komt vaak voor.",
        ),
        (
            "glossary",
            "It attacks hair follicles.",
            "Het valt de wortels aan.",
            "Het valt de haarzakjes aan.",
        ),
        (
            "forbidden",
            "Corticosteroids reduce inflammation.",
            "Corticosteroiden remmen de ontsteking.",
            "Corticosteroïden remmen de ontsteking.",
        ),
        (
            "acronyms",
            TPO,
            "Verhoogd TSH, antistoffen tegen schildklierperoxidase",
            "Verhoogd TSH, anti‑TPO-antistoffen",
        ),
        (
            "urls",
            "See https://www.ncbi.nlm.nih.gov/pmc/articles/PMC10015649/ for more.",
            "Zie https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1001564/ voor meer.",
            "Zie https://www.ncbi.nlm.nih.gov/pmc/articles/PMC10015649/ voor meer.",
        ),
        (
            "urls",
            "Call +31 20 123 4567 or mail info@clinic.nl.",
            "Bel +31 20 123 4568 of mail info@clinic.nl.",
            "Bel +31 20 123 4567 of mail info@clinic.nl.",
        ),
        (
            "control-characters",
            ZINC,
            "Zink (\u202e30\u202fmg) – essentieel voor gezonde haarzakjes.",
            "Zink (30\u202fmg) – essentieel voor gezonde haarzakjes.",
        ),
        (
            "control-characters",
            "Take 30 mg with water.",
            "Neem 30 mg\x08 met water.",
            "Neem 30\u00a0mg met water.",
        ),
        (
            "copied-source",
            "Low‑level laser therapy improves cellular metabolism.",
            "Low‑level laser therapy improves cellular metabolism.",
            "Laagvermogen-lasertherapie verbetert de celstofwisseling.",
        ),
        (
            "punctuation",
            "Can thyroid disorders cause hair loss?",
            "Schildklieraandoeningen kunnen haaruitval veroorzaken.",
            "Kunnen schildklieraandoeningen haaruitval veroorzaken?",
        ),
        (
            "length",
            "Early diagnosis can help prevent further hair loss and promote regrowth.",
            "Vroeg.",
            "Een vroege diagnose kan verder haarverlies helpen voorkomen en de hergroei bevorderen.",
        ),
    ],
)
def test_planted_mistake_is_caught_and_correct_twin_is_silent(check, msgid, bad, good):
    assert run(check, msgid, bad), f"{check} missed: {bad}"
    assert run(check, msgid, good) == [], f"{check} cried wolf on: {good}"


def test_german_decimal_comma_and_french_thousands_are_silent():
    assert run("numbers", "Use 2.5 mg.", "2,5 mg verwenden.", locale="de") == []
    assert run("numbers", "1,500 IU", "1\u202f500 UI", locale="fr") == []
    assert run("units", "1,500 IU", "1\u202f500 UI", locale="fr") == []


def test_reordered_placeholders_and_identical_terms_are_silent():
    msgid = "In <strong>autoimmune disease balding</strong>, <em>alopecia areata</em> is common."
    msgstr = "<em>Alopecia areata</em> komt vaak voor bij <strong>auto-immuunkaalheid</strong>."
    for name in ("markup", "numbers", "units", "dnt", "acronyms", "urls"):
        assert run(name, msgid, msgstr) == [], name


def test_esr_translated_as_bse_is_not_a_missing_acronym():
    assert (
        run("acronyms", "Inflammatory markers (CRP, ESR).", "Ontstekingswaarden (CRP, BSE).") == []
    )


def test_fuzzy_numbers_only_when_numbers_changed():
    assert run(
        "fuzzy-numbers",
        "Zinc (25\u202fmg)",
        "Zink (30\u202fmg)",
        flags=["fuzzy"],
        previous="Zinc (30\u202fmg)",
    )
    assert (
        run(
            "fuzzy-numbers",
            "Zinc (30\u202fmg) daily",
            "Zink (30\u202fmg)",
            flags=["fuzzy"],
            previous="Zinc (30\u202fmg)",
        )
        == []
    )


def test_copied_dutch_source_heading_is_not_copied_source():
    assert (
        run(
            "copied-source",
            "Belangrijkste opmerkingen in het kort",
            "Belangrijkste opmerkingen in het kort",
            foreign={"Belangrijkste opmerkingen in het kort": "nl"},
        )
        == []
    )


@pytest.mark.parametrize(
    "locale, bad, good",
    [
        ("de", "Zweimal pro Woche auftragen.", "Zweimal täglich auftragen."),
        ("de", "2 mg/Woche auftragen.", "2 mg/d auftragen."),
        ("fr", "Appliquer deux fois par semaine.", "Appliquer deux fois par jour."),
        ("es", "Aplicar dos veces a la semana.", "Aplicar dos veces al día."),
        ("it", "Applicare due volte alla settimana.", "Applicare due volte al giorno."),
        ("pt", "Aplicar duas vezes por semana.", "Aplicar duas vezes ao dia."),
        ("tr", "Haftada iki kez uygulayın.", "Günde iki kez uygulayın."),
        ("nl", "Twee keer per maand aanbrengen.", "Twee keer daags aanbrengen."),
    ],
)
def test_a_changed_dosing_period_is_caught_in_each_known_language(locale, bad, good):
    source = "Apply twice a day."
    assert run("frequency", source, bad, locale=locale), f"{locale} missed: {bad}"
    assert run("frequency", source, good, locale=locale) == [], f"{locale}: {good}"


def test_durations_and_unknown_wording_are_not_periods():
    silent = [
        # A duration in the source or the translation is no period.
        ("Take 10 mg a day for a week.", "Neem een week lang 10 mg per dag.", "nl"),
        ("Results show within a month.", "Resultaten zijn er per week of vier.", "nl"),
        ("Take 10 mg daily.", "7 günlük tedavi boyunca her gün 10 mg alın.", "tr"),
        # A period worded in a way not known: silence, not an alarm.
        ("Take it weekly.", "Neem het om de zeven dagen.", "nl"),
        # A language not known.
        ("Take it weekly.", "Ota se päivittäin.", "fi"),
    ]
    for source, target, locale in silent:
        assert run("frequency", source, target, locale=locale) == [], target
    assert run("frequency", "Take it once in a month.", "Neem het eenmaal per week.") == [
        '"a month" (per month) in the source is "per week" (per week) in the translation'
    ]


def test_bidirectional_marks_are_for_right_to_left_translations_and_overrides_for_none():
    rlm, isolate, override = "\u200f", "\u2067", "\u202e"
    arabic = f"خذ {isolate}30 mg{rlm} يوميًا"
    assert run("control-characters", "Take 30 mg daily.", arabic, locale="ar") == []
    assert run("control-characters", "Take 30 mg daily.", arabic, locale="nl") == [
        "invisible U+2067 (RIGHT-TO-LEFT ISOLATE) not in the source",
        "invisible U+200F (RIGHT-TO-LEFT MARK) not in the source",
    ]
    assert run("control-characters", "Take 30 mg daily.", f"{override}30 mg", locale="ar") == [
        "invisible U+202E (RIGHT-TO-LEFT OVERRIDE) not in the source"
    ]
    # What the source holds, the translation may keep; tabs and line breaks are text.
    assert run("control-characters", f"Take{rlm} 30 mg.", f"Neem{rlm} 30 mg.") == []
    assert run("control-characters", "Take\t30 mg.", "Neem\t30 mg,\nelke dag.") == []


def test_every_check_has_an_explanation_and_severity():
    checks = all_checks()
    required = {
        "untranslated",
        "fuzzy",
        "markup",
        "numbers",
        "units",
        "fuzzy-numbers",
        "frequency",
        "dnt",
        "glossary",
        "forbidden",
        "acronyms",
        "urls",
        "control-characters",
        "copied-source",
        "wrong-language",
        "punctuation",
        "length",
        "inconsistent",
        "po-syntax",
        "mixed-source",
        "leftover",
    }
    assert required <= {c.name for c in checks}
    for c in checks:
        assert len(c.explanation) > 40, c.name
        assert c.severity in ("error", "warning", "info")


# -- the command ------------------------------------------------------------------------------


def project_with(
    project_dir, cli, translations: dict[str, str], slug="autoimmune-related-balding", flags=()
):
    shutil.rmtree(project_dir / "locales", ignore_errors=True)
    cli(project_dir, "extract")
    cli(project_dir, "init", "nl")
    path = project_dir / "locales/nl" / f"{slug}.po"
    po = catalog.load(path)
    for e in po:
        if e.msgid in translations:
            e.msgstr = translations[e.msgid]
            e.flags = list(flags)
    catalog.write(po, path, "PO-Revision-Date")
    return path


def findings(result):
    return json.loads(result.output)["findings"]


def test_exit_codes_and_json_schema(project_dir, cli):
    project_with(
        project_dir, cli, {ZINC: "Zink (300\u202fmg) – essentieel voor gezonde haarzakjes."}
    )
    result = cli(
        project_dir, "check", "--format", "json", "--only", "numbers", "--only", "untranslated"
    )
    assert result.exit_code == 1
    data = json.loads(result.output)
    errors = [f for f in data["findings"] if f["severity"] == "error"]
    assert {f["check"] for f in errors} == {"numbers"} and len(errors) == 2  # 30 missing, 300 extra
    assert {f["check"] for f in data["findings"]} == {"numbers", "untranslated"}
    listed = cli(project_dir, "check", "--format", "json", "--only", "numbers,untranslated")
    assert listed.output == result.output
    error = errors[0]
    for key in (
        "check",
        "severity",
        "locale",
        "article",
        "msgid",
        "msgstr",
        "message",
        "file",
        "line",
    ):
        assert key in error
    assert (
        error["check"] == "numbers"
        and error["file"] == "locales/nl/autoimmune-related-balding.po"
        and error["line"] > 1
    )
    assert "300 mg" in error["message"].replace("\u202f", " ")
    assert data["summary"]["error"] == 2
    ok = cli(project_dir, "check", "--only", "numbers")
    assert ok.exit_code == 1
    assert cli(project_dir, "check", "--only", "untranslated").exit_code == 0
    assert cli(project_dir, "check", "--only", "untranslated", "--strict").exit_code == 1
    assert (
        cli(
            project_dir,
            "check",
            "--skip",
            "numbers",
            "--skip",
            "leftover",
            "--skip",
            "wrong-language",
        ).exit_code
        == 0
    )


def test_flag_silences_one_check_for_one_entry(project_dir, cli):
    project_with(
        project_dir,
        cli,
        {ZINC: "Zink (300\u202fmg) – essentieel voor gezonde haarzakjes."},
        flags=["no-check-numbers"],
    )
    assert cli(project_dir, "check", "--only", "numbers").exit_code == 0


def test_text_output_groups_by_file_with_lines(project_dir, cli):
    project_with(
        project_dir, cli, {ZINC: "Zink (300\u202fmg) – essentieel voor gezonde haarzakjes."}
    )
    out = cli(project_dir, "check", "--only", "numbers").output
    assert out.startswith("locales/nl/autoimmune-related-balding.po\n")
    assert "locales/nl/autoimmune-related-balding.po:" in out and "error: [numbers]" in out


def test_html_report_is_self_contained(project_dir, cli, tmp_path):
    project_with(
        project_dir, cli, {ZINC: "Zink (300\u202fmg) – essentieel voor gezonde haarzakjes."}
    )
    out = tmp_path / "report.html"
    result = cli(
        project_dir, "check", "--format", "html", "--output", str(out), "--only", "numbers"
    )
    assert result.exit_code == 1
    page = out.read_text()
    assert "<mark>300\u202fmg</mark>" in page and "<link" not in page and "<script" not in page
    assert "autoimmune-related-balding" in page


def test_wrong_language_and_inconsistent(project_dir, cli):
    english = "Autoimmune disease balding occurs when the immune system mistakenly attacks hair follicles."
    msgid = "Autoimmune disease balding occurs when the immune system mistakenly attacks hair follicles, leading to inflammation and premature entry of follicles into the resting (telogen) phase."
    project_with(project_dir, cli, {msgid: english, "Laboratory Tests": "Laboratoriumonderzoek"})
    other = project_dir / "locales/nl/autoimmune-disease-and-hair-loss-link.po"
    po = catalog.load(other)
    po.append(
        polib.POEntry(
            msgid="Laboratory Tests", msgstr="Labtests", occurrences=[("content/x/h3[1]", "")]
        )
    )
    catalog.write(po, other, "PO-Revision-Date")
    found = findings(
        cli(
            project_dir,
            "check",
            "--format",
            "json",
            "--only",
            "wrong-language",
            "--only",
            "inconsistent",
        )
    )
    assert any(f["check"] == "wrong-language" and "English" in f["message"] for f in found)
    assert sum(f["check"] == "inconsistent" for f in found) == 2


def test_broken_po_is_a_finding_and_exit_2(project_dir, cli):
    path = project_with(project_dir, cli, {})
    path.write_text('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b" junk\n')
    result = cli(project_dir, "check", "--format", "json", "--only", "po-syntax")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["findings"][0]["check"] == "po-syntax" and data["findings"][0]["line"] == 5


def test_header_language_mismatch(project_dir, cli):
    path = project_with(project_dir, cli, {})
    path.write_text(path.read_text().replace('"Language: nl\\n"', '"Language: de\\n"'))
    found = findings(cli(project_dir, "check", "--format", "json", "--only", "po-syntax"))
    assert any("Language: de" in f["message"] for f in found)


def test_mixed_language_source_names_the_language(project_dir, cli):
    found = findings(cli(project_dir, "check", "--format", "json", "--only", "mixed-source"))
    dutch = {f["msgid"] for f in found if "Dutch" in f["message"]}
    assert "Belangrijkste opmerkingen" in dutch
    assert any(m.startswith("Nationaal Centrum voor Biotechnologie-informatie") for m in dutch)
    assert all(f["severity"] == "info" for f in found)
    assert not any(f["msgid"] in ("FAQ", "Alopecia Areata", "Lupus Hair Loss") for f in found)


def test_page_audit_lists_the_english_paragraphs_of_the_nl_post(cli, project_dir):
    result = cli(
        project_dir,
        "check",
        "--page",
        str(project_dir / "source/post-autoimmune-disease-and-hair-loss-link.txt"),
        "--lang",
        "nl",
        "--format",
        "json",
    )
    assert result.exit_code == 1
    found = findings(result)
    texts = [f["msgid"] for f in found]
    assert any(
        t.startswith("For many women, hair loss can be a distressing experience") for t in texts
    )
    assert not any(
        t.startswith("Nationaal Centrum") or t == "Belangrijkste opmerkingen" for t in texts
    )


def test_leftover_fragments_in_built_pages(project_dir, cli):
    project_with(project_dir, cli, {})
    cli(project_dir, "build")
    found = findings(cli(project_dir, "check", "--format", "json", "--only", "leftover"))
    assert any(
        f["file"] == "dist/nl/autoimmune-related-balding.html" and f["line"] > 1 for f in found
    )


def test_leftover_english_anywhere_a_reader_sees_it(cli, tmp_path):
    english = {
        "aside": "Ask your doctor before you stop taking any of these medicines.",
        "strong in section": "Hair usually grows back within six months of treatment.",
        "span in div": "Contact the clinic if the rash spreads to your face or hands.",
        "img alt": "A picture of a doctor looking at the hair of a woman.",
        "meta description": "How autoimmune diseases cause hair loss and how to treat it.",
    }
    dutch = "De meeste patiënten zien binnen enkele maanden weer haargroei op de hoofdhuid."
    page = tmp_path / "page.html"
    page.write_text(
        '<!DOCTYPE html>\n<html lang="nl"><head><title>Haaruitval</title>\n'
        f'<meta name="description" content="{english["meta description"]}"></head>\n'
        f"<body><article><section><strong>{english['strong in section']}</strong>\n"
        f"<p>{dutch}</p></section>\n<aside>{english['aside']}</aside>\n"
        f"<div><span>{english['span in div']}</span>\n<p>{dutch}</p></div>\n"
        f'<p>{dutch} <img src="a.jpg" alt="{english["img alt"]}"></p>\n'
        "<pre>Code stays as it is: print the dose for every patient</pre>\n"
        "</article></body></html>\n",
        encoding="utf-8",
    )
    result = cli(tmp_path, "check", "--page", str(page), "--lang", "nl", "--format", "json")
    assert result.exit_code == 1
    found = {f["msgid"]: (f["line"], f["message"]) for f in findings(result)}
    assert set(found) == set(english.values())
    assert found[english["img alt"]][0] == 9 and "(img alt)" in found[english["img alt"]][1]
    assert found[english["aside"]][0] == 6


def test_a_page_is_read_in_the_words_a_reader_sees():
    from toolkit.pages import Page

    page = Page.from_html(
        "<div>Auto<em>immuun</em>ziekte<br>en <code>x()</code> haar<p>Blok</p>staart</div>",
        "page.html",
        "nl",
    )
    assert [f.text for f in page.fragments] == ["Autoimmuunziekte en haar staart", "Blok"]


def test_a_page_nested_deeply_is_read_to_its_end_or_refused_by_name():
    from toolkit.errors import SourceError
    from toolkit.pages import Page

    deep = "<div>" * 1000 + "<p>Diep</p>" + "</div>" * 1000
    page = Page.from_html(f"<html><body>{deep}<p>Na de blokken.</p></body></html>", "p.html", "nl")
    assert [f.text for f in page.fragments] == ["Diep", "Na de blokken."]
    with pytest.raises(SourceError) as e:
        Page.from_html("<div>\n" * 2100, "dist/nl/p.html", "nl")
    assert str(e.value).startswith("dist/nl/p.html:2047: markup nested too deeply")


def test_checks_command_lists_every_check(cli, project_dir):
    out = cli(project_dir, "checks").output
    for c in all_checks():
        assert f"{c.name} [{c.severity}]" in out


def test_committed_sample_translations_have_no_errors(project_dir, cli):
    """The sample Dutch translations are correct: no error-level finding in the catalogs, and
    no leftover English on the pages of the articles that are complete."""
    result = cli(project_dir, "check", "--format", "json", "--no-pages")
    errors = [f for f in findings(result) if f["severity"] == "error"]
    assert errors == []
    cli(project_dir, "build")
    found = findings(cli(project_dir, "check", "--format", "json", "--only", "leftover"))
    complete = ("autoimmune-related-balding", "dermatomyositis-hair-loss-causes")
    assert [f for f in found if f["article"] in complete] == []


# --- language identification: once per text, and remembered across runs --------------------


def test_language_cache_answers_a_second_run_without_the_detector(tmp_path):
    from toolkit.language import _Detector

    texts = [
        "Hair loss in autoimmune disease is often reversible with treatment.",
        "Haaruitval bij auto-immuunziekten is vaak omkeerbaar met behandeling.",
    ]
    cache = tmp_path / "language.sqlite"
    first = _Detector(("de", "en", "nl"))
    first.use_cache(cache)
    values = first.confidences(texts + texts)  # a repeated text is identified once
    assert values[0] == values[2] and values[0][1] > 0.9 and values[1][2] > 0.9

    class Refuses:
        def compute_language_confidence_values_in_parallel(self, texts):
            raise AssertionError(f"identified again: {texts}")

    second = _Detector(("de", "en", "nl"))
    second._lingua, second.every_model = Refuses(), True
    second.use_cache(cache)
    assert second.confidences(texts) == values[:2]
    # Another set of languages gives other values: it does not share the cached answers.
    other = _Detector(("en", "fr", "nl"))
    other._lingua, other.every_model = Refuses(), True
    other.use_cache(cache)
    with pytest.raises(AssertionError, match="identified again"):
        other.confidences(texts[:1])


def test_unusable_language_cache_costs_only_time(tmp_path):
    from toolkit.language import _Detector

    cache = tmp_path / "language.sqlite"
    cache.write_bytes(b"this is not a database" * 100)
    detector = _Detector(("en", "nl"))
    detector.use_cache(cache)
    (values,) = detector.confidences(["Hair loss in autoimmune disease is often reversible."])
    assert values[0] > 0.9


def test_a_damaged_language_cache_row_is_identified_again(tmp_path):
    """A confidence value with one bit changed would make or lose a wrong-language finding:
    each row is sealed, and a row that does not match its seal is a miss."""
    import sqlite3

    from toolkit.language import _Detector

    text = "Hair loss in autoimmune disease is often reversible with treatment."
    cache = tmp_path / "language.sqlite"
    first = _Detector(("en", "nl"))
    first.use_cache(cache)
    (values,) = first.confidences([text])
    first.use_cache(None)
    with sqlite3.connect(cache) as conn:
        ((key, value),) = conn.execute("SELECT key, value FROM language").fetchall()
        damaged = bytearray(value)
        damaged[-1] ^= 0x40  # the last byte of the last confidence
        conn.execute("UPDATE language SET value = ? WHERE key = ?", (bytes(damaged), key))
    again = _Detector(("en", "nl"))
    again.use_cache(cache)
    # Identified again, not read damaged (lingua's last digits may differ from run to run).
    (found,) = again.confidences([text])
    assert found == pytest.approx(values, rel=1e-9)


def test_check_twice_same_report_and_cache_written(project_dir, cli):
    first = cli(project_dir, "check", "--format", "json")
    assert (project_dir / ".localise/cache/language.sqlite").is_file()
    second = cli(project_dir, "check", "--format", "json")
    assert first.exit_code == second.exit_code
    assert first.output == second.output


def test_reports_written_in_chunks_are_the_whole_reports(project_dir, cli, monkeypatch):
    import json as _json

    from toolkit import report
    from toolkit.checks.run import run
    from toolkit.project import load_project

    res = run(load_project(project_dir), ["nl"])
    monkeypatch.setattr(report, "_BATCH", 3)  # many chunks
    assert len(res.findings) > 10
    assert len(list(report.json_chunks(res))) > 4
    whole = {
        "version": report.SCHEMA_VERSION,
        "findings": [f.as_dict() for f in res.findings],
        "summary": res.summary(),
        "problems": [str(p) for p in res.problems],
    }
    assert report.as_json(res) == _json.dumps(whole, ensure_ascii=False, indent=2) + "\n"
    for chunks in (report.text_chunks, report.html_chunks):
        assert "".join(chunks(res)).endswith("\n")
    empty = type(res)()
    assert _json.loads(report.as_json(empty))["findings"] == []
    assert (
        report.as_json(empty)
        == _json.dumps(
            {"version": 1, "findings": [], "summary": empty.summary(), "problems": []},
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )


def test_report_file_rewritten_only_when_it_changes(project_dir, cli):
    out = project_dir / "report.json"
    cli(project_dir, "check", "--format", "json", "--output", str(out))
    stamp = out.stat().st_mtime_ns
    cli(project_dir, "check", "--format", "json", "--output", str(out))
    assert out.stat().st_mtime_ns == stamp
    assert not list(project_dir.glob(".report.json.*"))  # no temporary file left


@pytest.mark.parametrize("span", [None, (0, 5), (12, 140)])
def test_finding_json_is_json_dumps(span):
    from toolkit import report
    from toolkit.model import Finding

    f = Finding(
        "numbers",
        "error",
        'dose "30\u202fmg" → 300 mg\n\ttab \\ slash \u2028 é',
        locale="nl",
        msgid="<b>x</b>",
        msgstr="\x00\x1f",
        file="locales/nl/a.po",
        line=7,
        span=span,
    )
    expected = json.dumps(f.as_dict(), ensure_ascii=False, indent=2).replace("\n", "\n    ")
    assert report._finding_json(f) == expected


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.text(), min_size=7, max_size=7),
    line=st.integers(0, 10**9) | st.none(),
    span=st.none() | st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)),
)
def test_finding_json_is_json_dumps_for_any_text(texts, line, span):
    from toolkit import report
    from toolkit.model import Finding

    check, severity, message, locale, article, msgid, msgstr = texts
    f = Finding(check, severity, message, locale, article, msgid, msgstr, "f.po", line, span)
    expected = json.dumps(f.as_dict(), ensure_ascii=False, indent=2).replace("\n", "\n    ")
    assert report._finding_json(f) == expected


def test_check_jobs_same_report(project_dir, cli):
    assert cli(project_dir, "build", "-q").exit_code in (0, 1)
    po = next((project_dir / "locales/nl").glob("*.po"))
    broken = project_dir / "locales/nl/zz-broken.po"
    broken.write_text('msgid "a"\nmsgstr "b\n', "utf-8")  # no closing quote
    cache = project_dir / ".localise" / "cache"
    # Cold first (lingua's models loaded before the workers fork), then warm, then one process.
    shutil.rmtree(cache, ignore_errors=True)
    two = cli(project_dir, "check", "--format", "json", "-j", "2")
    again = cli(project_dir, "check", "--format", "json", "-j", "2")
    shutil.rmtree(cache, ignore_errors=True)
    one = cli(project_dir, "check", "--format", "json", "-j", "1")
    assert one.exit_code == two.exit_code == again.exit_code == 2
    assert one.output == two.output == again.output
    data = json.loads(one.output[: one.output.rindex("}") + 1])
    assert data["summary"]["pages"] > 0 and data["summary"]["catalogs"] >= 1
    assert any(f["file"].endswith("zz-broken.po") for f in data["findings"])
    files = {f["file"] for f in data["findings"]}
    assert "locales/nl/autoimmune-disease-and-hair-loss-link.po" in files  # half translated
    assert any(f.startswith("dist/nl/") for f in files) and po.exists()


# -- the forbidden check's screen --------------------------------------------------------------


def _screened_by_each_term(glossary, locale, text):
    """The screen's definition: the terms with a form whose first four letters are in the text."""
    from toolkit.checks.content import _fold_hyphens

    lowered = _fold_hyphens(text.lower())
    return [
        (t, bad)
        for t, bad in glossary.forbidden_terms(locale)
        if any(_fold_hyphens(f.lower())[:4] in lowered for f in bad)
    ]


# Forms whose first letters nest (ab, abcd), overlap (bcx after abc) or are short (é), which
# the repository's glossary alone does not have.
_NESTED = "term,nl,forbidden:nl\none,een,ab|abcdef\ntwo,twee,bcxy\nthree,drie,é|éa\nfour,vier,abc\n"


@pytest.mark.parametrize("source", ["repository", "nested"])
def test_forbidden_screen_finds_the_terms_each_term_test_finds(source, tmp_path):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from toolkit.checks.content import _forbidden_screen

    glossary = GLOSSARY
    if source == "nested":
        (tmp_path / "g.csv").write_text(_NESTED, encoding="utf-8")
        glossary = Glossary.load(tmp_path / "g.csv")
    locales = [loc for loc in glossary.locales() if glossary.forbidden_terms(loc)]
    assert locales
    forms = sorted({f for loc in locales for _, bad in glossary.forbidden_terms(loc) for f in bad})
    pieces = st.one_of(
        st.sampled_from(forms).flatmap(
            lambda f: st.tuples(st.integers(0, len(f)), st.integers(0, len(f))).map(
                lambda ij: f[min(ij) : max(ij)]
            )
        ),
        st.sampled_from([" ", "-", "\u2011", "A", "é", "de ", "Vitamine "]),
    )

    @settings(max_examples=500, deadline=None)
    @given(st.sampled_from(locales), st.lists(pieces, max_size=12).map("".join))
    def agree(locale, text):
        screen = _forbidden_screen(glossary, locale)
        assert screen.candidates(text) == _screened_by_each_term(glossary, locale, text)

    agree()
    for loc in locales:  # each forbidden form is a candidate for its own term
        for term, bad in glossary.forbidden_terms(loc):
            for form in bad:
                assert (term, bad) in _forbidden_screen(glossary, loc).candidates(f"x {form} y")


# -- form: how a text ends --------------------------------------------------------------------


def test_end_class_matches_its_definition():
    """_end_class walks back over the end of the text; its definition strips placeholders,
    then closing quotes, brackets and white space (any Unicode space), then reads the mark."""
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from toolkit.checks.content import _end_class
    from toolkit.placeholders import PLACEHOLDER_RE

    trailing = re.compile(r"[\s\"'”’»)\]]+$")

    def defined(text):
        text = trailing.sub("", PLACEHOLDER_RE.sub("", text)).rstrip()
        last = text[-1:] or "x"
        return next((k for k, marks in _MARKS.items() if last in marks), "")

    pieces = st.sampled_from(
        ["word", "?", "？", "؟", "!", "！", ":", "：", ".", "。", "…", " ", "\n", "\u00a0",
         "\u2003", '"', "'", "”", "’", "»", ")", "]", "<b>", "</b>", "<br/>", "<", ">", "x"]
    )  # fmt: skip

    @settings(max_examples=1000, deadline=None)
    @given(st.lists(pieces, max_size=10).map("".join))
    def agree(text):
        assert _end_class(text) == defined(text)

    agree()


_MARKS = {"?": "?？؟", "!": "!！", ":": ":：", ".": ".。…"}


def test_fold_hyphens_folds_only_what_it_should():
    from toolkit.checks.content import _fold_hyphens

    assert _fold_hyphens("anti\u2011TPO \u2013 x\u2212y") == "anti-TPO - x-y"
    assert _fold_hyphens("anti-TPO") == "anti-TPO"
    assert _fold_hyphens("é\u2010") == "é-"


def test_numbers_are_compared_once_per_entry_and_kept_for_the_catalog_only(monkeypatch):
    """The numbers and units checks share one comparison per entry, and what a catalog's
    comparisons found is not kept beyond it (a cache over the corpus grew with it)."""
    import toolkit.numbers

    calls = []
    compare = toolkit.numbers.compare
    monkeypatch.setattr(
        toolkit.numbers, "compare", lambda *args: calls.append(args) or compare(*args)
    )
    entry = polib.POEntry(msgid=ZINC, msgstr="Zink (300\u202fmg) – essentieel voor de haarzakjes.")
    for catalog_number in (1, 2):
        ctx = EntryContext("nl", "en", "article", f"file{catalog_number}.po", GLOSSARY, {})
        found = [m for name in ("numbers", "units") for m, _ in REGISTRY[name].func(ctx, entry)]
        assert found and any("30" in m for m in found)  # 30 mg became 300 mg
        assert len(calls) == catalog_number  # once for both checks, again in the next catalog


# -- results kept between runs (toolkit/checks/cache.py) ----------------------------------------


def _json_report(result) -> dict:
    return json.loads(result.output[: result.output.rindex("}") + 1])


@pytest.fixture
def checked_files(monkeypatch):
    """The files the checks actually read in this process (not taken from the cache)."""
    from toolkit.checks import run

    seen: list[str] = []
    for kind in ("_template", "_catalog"):
        original = getattr(run._Runner, kind)

        def spy(self, *args, _original=original):
            seen.append(Path(args[-2]).name)  # the path comes before the file's bytes
            return _original(self, *args)

        monkeypatch.setattr(run._Runner, kind, spy)
    return seen


def test_a_rerun_takes_every_file_from_the_cache_and_reports_the_same(
    project_dir, cli, checked_files
):
    first = cli(project_dir, "check", "--format", "json")
    assert checked_files and (project_dir / ".localise/cache/check.sqlite").is_file()
    checked_files.clear()
    again = cli(project_dir, "check", "--format", "json")
    assert checked_files == []
    assert again.exit_code == first.exit_code and again.output == first.output


def test_a_changed_dose_is_caught_after_a_cached_run(project_dir, cli, checked_files):
    """The patient-safety case: a catalog edited after a check is checked again; the others,
    unchanged, come from the cache."""
    po = project_dir / "locales/nl/autoimmune-related-balding.po"
    before = _json_report(cli(project_dir, "check", "--format", "json"))
    assert not any("Zink (300" in f["msgstr"] for f in before["findings"])
    checked_files.clear()
    text = po.read_text("utf-8")
    assert "Zink (30\u202fmg)" in text  # a narrow no-break space, as in the source
    po.write_text(text.replace("Zink (30\u202fmg)", "Zink (300\u202fmg)"), "utf-8")
    after = _json_report(cli(project_dir, "check", "--format", "json"))
    assert checked_files == [po.name]
    assert any(f["check"] == "numbers" and "Zink (300" in f["msgstr"] for f in after["findings"])
    assert after["summary"]["error"] > before["summary"]["error"]


def test_what_every_catalog_depends_on_checks_them_all_again(project_dir, cli, checked_files):
    """The glossary, the checks selected and the locales checked are inputs of every result."""
    cli(project_dir, "check", "--format", "json")
    catalogs = sorted(p.name for p in (project_dir / "locales/nl").glob("*.po"))

    def checked_again(*args) -> list[str]:
        checked_files.clear()
        cli(project_dir, "check", "--format", "json", *args)
        return sorted(n for n in checked_files if n.endswith(".po"))

    with open(project_dir / "glossary.csv", "a", encoding="utf-8") as f:
        f.write("\n")  # any change to its bytes
    assert checked_again() == catalogs
    assert checked_again() == []
    assert checked_again("--skip", "length") == catalogs
    assert checked_again("nl") == catalogs  # the locales checked: here nl only, not all


def test_a_template_whose_source_language_changes_checks_the_catalogs_again(
    project_dir, cli, checked_files
):
    """The entry checks read which source texts are in another language, over all templates:
    a template that changes that changes the key of every catalog."""
    cli(project_dir, "check", "--format", "json")
    pot = next((project_dir / "locales/templates").glob("*.pot"))
    with open(pot, "a", encoding="utf-8") as f:
        f.write('\nmsgid "Dit is een Nederlandse zin over haaruitval bij vrouwen."\nmsgstr ""\n')
    checked_files.clear()
    cli(project_dir, "check", "--format", "json")
    assert pot.name in checked_files
    assert sum(n.endswith(".po") for n in checked_files) == len(
        list((project_dir / "locales/nl").glob("*.po"))
    )


def test_results_written_by_workers_are_read_by_one_process(project_dir, cli, checked_files):
    two = cli(project_dir, "check", "--format", "json", "-j", "2")
    checked_files.clear()
    one = cli(project_dir, "check", "--format", "json", "-j", "1")
    assert checked_files == [] and one.output == two.output


def test_a_damaged_result_cache_costs_time_not_findings(project_dir, cli):
    fresh = cli(project_dir, "check", "--format", "json")
    db = project_dir / ".localise/cache/check.sqlite"
    for name in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        if name.exists():
            name.unlink()
    db.write_bytes(b"not a database" * 100)
    assert cli(project_dir, "check", "--format", "json").output == fresh.output
    assert cli(project_dir, "check", "--format", "json").output == fresh.output


def test_the_result_cache_key_covers_the_code_python_and_libraries(monkeypatch):
    from toolkit.checks import cache

    before = cache.code_key()
    monkeypatch.setattr(cache, "_LIBRARIES", (*cache._LIBRARIES, "click"))
    assert cache.code_key() != before
    monkeypatch.undo()
    monkeypatch.setattr(sys, "version", "3.99.0 (a Python with other Unicode data)")
    assert cache.code_key() != before
    monkeypatch.undo()
    assert cache.code_key() == before


def test_library_versions_are_what_importlib_metadata_says(tmp_path, monkeypatch):
    """The versions in the caches' keys are read from the installed folders' names, without
    importing importlib.metadata: the same as it says, the first on sys.path winning; a
    library that is upgraded (a new folder first on the path) changes the key."""
    from importlib.metadata import version

    from toolkit import state
    from toolkit.checks import cache

    names = (*cache._LIBRARIES, "pytest-httpserver", "no-such-library")
    expected = [f"{n} {version(n)}" for n in names[:-1]] + ["no-such-library -"]
    assert list(state.library_versions(names)) == expected
    before = cache.code_key()
    (tmp_path / "Lingua_Language_Detector-99.1.dist-info").mkdir()
    (tmp_path / "PyStemmer-0.5-py3.11.egg-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    monkeypatch.setattr(state, "_installed_found", None)
    assert state.library_versions(("lingua-language-detector", "pystemmer")) == (
        "lingua-language-detector 99.1",
        "pystemmer 0.5",
    )
    assert cache.code_key() != before


def test_code_that_changes_while_a_check_starts_keeps_and_takes_no_result(
    project_dir, cli, checked_files, monkeypatch
):
    """A checkout while the check imports its modules: the code that runs may not be the
    code hashed, so nothing is taken from the cache or kept in it."""
    from toolkit.checks import cache

    real = cache.code_key
    calls = iter(range(1_000_000))
    monkeypatch.setattr(cache, "code_key", lambda: f"{real()} {next(calls)}")
    cli(project_dir, "check", "--format", "json")
    checked_files.clear()
    cli(project_dir, "check", "--format", "json")
    assert checked_files  # nothing taken
    monkeypatch.undo()
    db = project_dir / ".localise/cache/check.sqlite"
    assert not db.exists() or _stored_names(db) == []


def _stored_names(db: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM blob")]


def test_a_damaged_result_is_checked_again_not_reported(project_dir, cli, checked_files):
    """sqlite does not check what it stores: a result with one bit changed (a bad disk) must
    not become a finding with one letter, or one digit, changed."""
    import sqlite3

    fresh = cli(project_dir, "check", "--format", "json")
    db = project_dir / ".localise/cache/check.sqlite"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT name, data FROM blob").fetchall()
        assert rows
        for name, data in rows:
            flipped = bytearray(data)
            flipped[len(flipped) // 2] ^= 0x01
            conn.execute("UPDATE blob SET data = ? WHERE name = ?", (bytes(flipped), name))
    checked_files.clear()
    again = cli(project_dir, "check", "--format", "json")
    assert again.output == fresh.output
    assert checked_files  # every damaged result was checked again
    checked_files.clear()
    assert cli(project_dir, "check", "--format", "json").output == fresh.output
    assert checked_files == []  # and kept again, sound


def test_a_store_another_process_holds_is_given_up_on_at_once(tmp_path):
    import sqlite3
    import time

    from toolkit.state import BlobStore

    path = tmp_path / "held.sqlite"
    store = BlobStore(path, timeout=0.2)
    assert store.open()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        store.put("a", "k", b"x")
        store.flush()  # waits 0.2 s, then gives up
        store.put("b", "k", b"y")
        store.flush()  # does not wait again
        assert time.monotonic() - started < 1.5
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.close()
    assert _stored_names(path) == []


def test_an_unusable_page_costs_itself_not_the_check(project_dir, cli):
    assert cli(project_dir, "build", "-q").exit_code in (0, 1)
    whole = _json_report(cli(project_dir, "check", "--format", "json"))
    (project_dir / "dist/nl/zz-binary.html").write_bytes(b"\x00\x01")
    result = cli(project_dir, "check", "--format", "json")
    assert result.exit_code == 2
    data = _json_report(result)
    assert data["findings"] == whole["findings"]
    assert data["summary"]["unusable_files"] == 1
    assert any("zz-binary.html" in p for p in data["problems"])


def test_a_page_that_is_a_folder_or_not_html_is_a_problem_named_in_the_project(
    project_dir, cli, tmp_path, monkeypatch
):
    assert cli(project_dir, "build", "-q").exit_code in (0, 1)
    (project_dir / "dist/nl/zz-folder.html").mkdir()
    (project_dir / "dist/nl/zz-text.html").write_bytes(b"\x00 not a page")
    monkeypatch.chdir(tmp_path)  # the names must not depend on where the check runs
    result = cli(project_dir, "check", "--format", "json")
    assert result.exit_code == 2
    problems = _json_report(result)["problems"]
    assert any(p.startswith("dist/nl/zz-folder.html: cannot read") for p in problems), problems
    assert any(p.startswith("dist/nl/zz-text.html: ") for p in problems), problems


def test_a_locale_named_twice_is_checked_once(project_dir, cli):
    once = cli(project_dir, "check", "nl", "--format", "json")
    twice = cli(project_dir, "check", "nl", "nl", "--format", "json")
    assert twice.exit_code == once.exit_code and twice.output == once.output


def test_no_glossary_file_is_an_empty_glossary_read_once(project_dir, cli, monkeypatch):
    """The glossary the checks use is the one the results are keyed on: with no file at the
    first look, the checks have no terms, even if a file appears a moment later."""
    from toolkit import glossary

    (project_dir / "glossary.csv").unlink()

    def parse(*args, **kwargs):
        raise AssertionError("a second look at a glossary that was not there")

    monkeypatch.setattr(glossary, "_parse", parse)
    result = cli(project_dir, "check", "--format", "json")
    assert result.exit_code in (0, 1)
    assert not any(f["check"] == "glossary" for f in _json_report(result)["findings"])


def test_a_finding_pickles_as_its_fields():
    """Findings travel from --jobs workers pickled as their fields, every one of them, in
    order."""
    import pickle
    from dataclasses import fields

    from toolkit.model import Finding

    values = {f.name: f"{f.name}!" for f in fields(Finding)} | {"line": 7, "span": (1, 3)}
    finding = Finding(**values)
    assert finding.__reduce__()[1] == tuple(values[f.name] for f in fields(Finding))
    assert pickle.loads(pickle.dumps(finding, 5)) == finding


def test_check_forgets_the_glossary_terms_of_the_last_locales_texts(
    empty_project, cli, monkeypatch
):
    """A text's glossary terms are remembered for the same text in the next locales'
    catalogs, and forgotten after each catalog of the last locale, which nothing follows:
    the report is the same, and a one-locale check's memory does not grow with the corpus."""
    from toolkit.glossary import Glossary

    root = empty_project
    (root / "localise.toml").write_text('source_language = "en"\nlocales = ["nl", "de"]\n')
    (root / "glossary.csv").write_text("term,nl,de,note\nzinc,zink,Zink,\n")
    for name, text in (("a", "Take zinc daily."), ("b", "Zinc and more zinc.")):
        (root / "source" / f"{name}.html").write_text(f"<p>{text}</p>")
    for step in ("extract", "update"):
        assert cli(root, step).exit_code == 0
    from toolkit import catalog

    for locale, word in (("nl", "zink"), ("de", "Zink")):
        for name in ("a", "b"):
            path = root / "locales" / locale / f"{name}.po"
            po = catalog.load(path)
            for entry in po:
                entry.msgstr = f"{word} {entry.msgid}"  # the term's translation, and more
                if (locale, name) == ("de", "b"):
                    entry.msgstr = "Etwas anderes."  # without it: a finding to report
            catalog.write(po, path, "PO-Revision-Date")
    real = Glossary.forget
    remembered: list[int] = []

    def forget(self):
        remembered.append(len(self._source_terms))
        real(self)

    monkeypatch.setattr(Glossary, "forget", forget)
    kept = cli(root, "check", "--jobs", "1", "--format", "json").output
    # After de's a (nl's a and b asked about their texts, de's a about one of them again), and
    # after de's b (its text asked about anew).
    assert remembered == [2, 1]
    assert '"check": "glossary"' in kept and "de/b.po" in kept
    monkeypatch.setattr(Glossary, "forget", lambda self: None)
    (root / ".localise" / "cache" / "check.sqlite").unlink()
    assert cli(root, "check", "--jobs", "1", "--format", "json").output == kept


def test_every_period_word_holds_a_stem_of_its_language():
    """periods() searches only texts that hold a stem: a word without one would go unread."""
    from toolkit.frequency import _STEMS, _WORDS

    assert set(_STEMS) == set(_WORDS)
    for language, periods in _WORDS.items():
        for words in periods.values():
            for word in words:
                assert any(stem in word.lower() for stem in _STEMS[language]), (language, word)
