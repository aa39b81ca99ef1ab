"""localise translate: memory first, machine second (through deep-translator against a local
LibreTranslate server the test starts), never touching a person's translation."""

from __future__ import annotations

import json
import shutil

import polib
import pytest
from werkzeug import Response

from toolkit import catalog

SLUG = "autoimmune-related-balding"
LINK = "autoimmune-disease-and-hair-loss-link"


def libre(httpserver, fail_after: int | None = None):
    """A fake LibreTranslate: 'translates' by prefixing DE: and keeping every token intact."""
    seen: list[dict] = []

    def handler(request):
        form = request.values.to_dict() or json.loads(request.data or b"{}")
        seen.append(dict(form))
        if fail_after is not None and len(seen) > fail_after:
            return Response("overloaded", status=500)
        return Response(
            json.dumps({"translatedText": "DE: " + form["q"]}), content_type="application/json"
        )

    httpserver.expect_request("/translate", method="POST").respond_with_handler(handler)
    httpserver.expect_request("/languages").respond_with_json(
        [{"code": c, "name": c, "targets": ["de", "en", "nl"]} for c in ("en", "nl", "de")]
    )
    return seen


def setup_de(project_dir, cli):
    assert cli(project_dir, "init", "de").exit_code == 0


def translate_libre(project_dir, cli, url, locale, *args):
    """``localise translate LOCALE --provider libre --provider-url URL ARGS...``"""
    return cli(
        project_dir, "translate", locale, "--provider", "libre", "--provider-url", url, *args
    )


def entries(project_dir, locale, slug):
    return {e.msgid: e for e in catalog.load(project_dir / f"locales/{locale}/{slug}.po")}


def test_machine_fills_untranslated_as_fuzzy_with_origin(project_dir, cli, httpserver):
    setup_de(project_dir, cli)
    seen = libre(httpserver)
    result = translate_libre(project_dir, cli, httpserver.url_for("/"), "de", "--article", SLUG)
    assert result.exit_code == 0, result.output
    de = entries(project_dir, "de", SLUG)
    strong = next(e for m, e in de.items() if m.startswith("The immune system protects"))
    assert strong.fuzzy and strong.tcomment == "machine: libre"
    assert (
        strong.msgstr.startswith("DE: ")
        and "<strong>autoimmune disease balding</strong>" in strong.msgstr
    )
    assert all(e.fuzzy for e in de.values() if e.msgstr)
    assert seen and all(s["target"] == "de" for s in seen)
    assert "requests" in result.output and "by machine" in result.output
    # the cache makes a second run free
    for path in (project_dir / "locales/de").glob("*.po"):
        path.unlink()
    setup_de(project_dir, cli)
    before = len(seen)
    again = translate_libre(project_dir, cli, httpserver.url_for("/"), "de", "--article", SLUG)
    assert again.exit_code == 0 and len(seen) == before
    assert "0 requests" in again.output


def test_dutch_heading_is_sent_from_dutch(project_dir, cli, httpserver):
    setup_de(project_dir, cli)
    seen = libre(httpserver)
    translate_libre(project_dir, cli, httpserver.url_for("/"), "de", "--article", LINK)
    sources = {s["q"]: s["source"] for s in seen}
    assert sources["Belangrijkste opmerkingen"] == "nl"
    assert any(src == "en" for q, src in sources.items() if q.startswith("For many women"))


def test_person_translations_are_never_touched_and_memory_comes_first(project_dir, cli, httpserver):
    seen = libre(httpserver)
    before = entries(project_dir, "nl", LINK)
    result = translate_libre(project_dir, cli, httpserver.url_for("/"), "nl")
    assert result.exit_code == 0
    after = entries(project_dir, "nl", LINK)
    for msgid, e in before.items():
        if e.msgstr:
            assert after[msgid].msgstr == e.msgstr and after[msgid].flags == e.flags
    assert after["Belangrijkste opmerkingen"].msgstr == "Belangrijkste opmerkingen"
    # the Dutch heading is copied, not sent; nothing translated by a person was sent either
    assert "Belangrijkste opmerkingen" not in {s["q"] for s in seen}
    for msgid, e in before.items():
        if e.msgstr:
            assert msgid not in {s["q"] for s in seen}


def test_exact_and_numbers_safe_fuzzy_memory(project_dir, cli):
    zinc = "Zinc (30\u202fmg) – Essential for hair‑follicle health."
    (project_dir / "source/extra.html").write_text(
        "<p>" + zinc.replace("\u202f", "&#8239;") + "</p>"
        "<p>Zinc (25&#8239;mg) – Essential for hair‑follicle health.</p>"
        "<p>Zinc (30&#8239;mg) – Essential for hair‑follicle strength.</p>"
    )
    cli(project_dir, "extract")
    cli(project_dir, "update", "nl")
    # update already offers the exact match; translate fills the rest from fuzzy memory
    result = cli(project_dir, "translate", "nl", "--article", "extra")
    assert result.exit_code == 0, result.output
    extra = entries(project_dir, "nl", "extra")
    assert extra[zinc].fuzzy and extra[zinc].tcomment.startswith("memory: " + SLUG)
    assert (
        extra["Zinc (25\u202fmg) – Essential for hair‑follicle health."].msgstr == ""
    )  # other dose: not offered
    strength = extra["Zinc (30\u202fmg) – Essential for hair‑follicle strength."]
    assert strength.fuzzy and "30\u202fmg" in strength.msgstr and strength.previous_msgid == zinc
    assert "numbers or units differ" in result.output


def test_provider_failure_saves_what_was_done_and_exits_non_zero(project_dir, cli, httpserver):
    setup_de(project_dir, cli)
    libre(httpserver, fail_after=5)
    result = translate_libre(project_dir, cli, httpserver.url_for("/"), "de", "--article", SLUG)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("localise: error:")]
    assert len(errors) == 1 and "HTTP 500" in errors[0]
    done = [e for e in entries(project_dir, "de", SLUG).values() if e.msgstr]
    assert 1 <= len(done) <= 5


def test_refused_connection_is_one_line(project_dir, cli):
    setup_de(project_dir, cli)
    result = translate_libre(project_dir, cli, "http://127.0.0.1:9", "de", "--article", SLUG)
    assert result.exit_code == 1
    assert "connection refused" in result.output and "Traceback" not in result.output


def test_dry_run_writes_nothing(project_dir, cli):
    setup_de(project_dir, cli)
    path = project_dir / f"locales/de/{SLUG}.po"
    before = path.read_bytes()
    result = cli(project_dir, "translate", "de", "--provider", "pseudo", "--dry-run")
    assert "would fill" in result.output
    assert path.read_bytes() == before


def test_a_catalog_given_no_suggestion_is_not_rewritten(project_dir, cli):
    """A comment polib writes otherwise ("##", trailing spaces) stays as the translator typed
    it in a catalog that translate had nothing for."""
    complete = [
        p
        for p in sorted((project_dir / "locales/nl").glob("*.po"))
        if all(e.msgstr or e.obsolete for e in polib.pofile(str(p)) if e.msgid)
    ]
    path = complete[0]
    path.write_text(path.read_text(encoding="utf-8").replace("\nmsgid ", "\n## noted  \nmsgid ", 3))
    before = path.read_bytes()
    result = cli(project_dir, "translate", "nl", "--provider", "pseudo")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == before


def test_pseudo_keeps_placeholders_and_numbers(project_dir, cli):
    setup_de(project_dir, cli)
    assert (
        cli(project_dir, "translate", "de", "--provider", "pseudo", "--article", SLUG).exit_code
        == 0
    )
    de = entries(project_dir, "de", SLUG)
    zinc = de["Zinc (30\u202fmg) – Essential for hair‑follicle health."]
    assert "30\u202fmg" in zinc.msgstr and zinc.msgstr.startswith("[")
    result = cli(
        project_dir, "check", "de", "--only", "markup", "--only", "numbers", "--only", "units"
    )
    assert result.exit_code == 0  # fuzzy entries are not checked; unfuzzy them and check again
    po = catalog.load(project_dir / f"locales/de/{SLUG}.po")
    for e in po:
        if "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
    catalog.write(po, project_dir / f"locales/de/{SLUG}.po", "PO-Revision-Date")
    assert (
        cli(
            project_dir, "check", "de", "--only", "markup", "--only", "numbers", "--only", "units"
        ).exit_code
        == 0
    )


def test_tmx_export_and_import(project_dir, cli, tmp_path):
    out = tmp_path / "nl.tmx"
    assert cli(project_dir, "translate", "nl", "--dry-run", "--export-tmx", str(out)).exit_code == 0
    text = out.read_text()
    assert '<tuv xml:lang="nl">' in text and "Volledig bloedbeeld" in text
    fresh = tmp_path / "fresh"
    shutil.copytree(project_dir, fresh)
    shutil.rmtree(fresh / "locales/nl")
    cli(fresh, "init", "nl")
    result = cli(fresh, "translate", "nl", "--import-tmx", str(out), "--article", SLUG)
    assert result.exit_code == 0
    nl = entries(fresh, "nl", SLUG)
    assert all(e.msgstr and e.fuzzy for e in nl.values())
    assert nl["Laboratory Tests"].tcomment == "memory: nl.tmx"


@pytest.mark.parametrize("bad", [b"<tmx><body><tu>", b"not xml"])
def test_bad_tmx_is_one_line(project_dir, cli, tmp_path, bad):
    path = tmp_path / "bad.tmx"
    path.write_bytes(bad)
    result = cli(project_dir, "translate", "nl", "--dry-run", "--import-tmx", str(path))
    assert result.exit_code == 2 and "not a valid TMX file" in result.output


@pytest.mark.parametrize("value", ["500", "-1", "inf", "nan", "NaN"])
def test_threshold_out_of_range_is_a_usage_error(project_dir, cli, value):
    result = cli(project_dir, "translate", "nl", "--dry-run", "--threshold", value)
    assert result.exit_code == 2 and "Invalid value for '--threshold'" in result.output
    assert "Traceback" not in result.output


def test_unknown_article_is_an_error_naming_it(project_dir, cli):
    path = project_dir / f"locales/nl/{SLUG}.po"
    before = path.read_bytes()
    result = cli(
        project_dir, "translate", "nl", "--article", SLUG, "--article", "autoimune-related"
    )
    assert result.exit_code == 2
    assert result.output == (
        "localise: error: locales/nl: no article 'autoimune-related' to translate; "
        f"closest: {SLUG}\n"
    )
    assert path.read_bytes() == before
    (project_dir / "locales/templates/new-article.pot").write_bytes(b"")
    result = cli(project_dir, "translate", "nl", "--article", "new-article")
    assert result.exit_code == 2 and "run `localise update nl`" in result.output
