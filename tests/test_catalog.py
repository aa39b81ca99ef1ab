"""Catalog lifecycle: update like msgmerge (fuzzy, previous, obsolete), numbers-safe fuzzy,
gettext fidelity, hand-edited files, errors, MO files, stats and the lock."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import catalog
from toolkit.errors import CatalogError
from toolkit.model import Unit

POST = "source/post-autoimmune-related-balding.txt"
SLUG = "autoimmune-related-balding"
ZINC = "Zinc (30\u202fmg) – Essential for hair‑follicle health."
ZINC_NL = "Zink (30\u202fmg) – essentieel voor gezonde haarzakjes."
STRESS = "Stress Reduction Techniques"
STRESS_P = "Chronic stress can exacerbate autoimmune flare‑ups."


def fresh(project_dir: Path, cli) -> Path:
    """A sample project with its own templates and an nl catalog holding a few translations."""
    shutil.rmtree(project_dir / "locales", ignore_errors=True)
    assert cli(project_dir, "extract").exit_code == 0
    assert cli(project_dir, "init", "nl").exit_code == 0
    po_path = project_dir / "locales/nl" / f"{SLUG}.po"
    po = catalog.load(po_path)
    for entry in po:
        if entry.msgid == ZINC:
            entry.msgstr = ZINC_NL
        elif entry.msgid == STRESS:
            entry.msgstr = "Technieken om stress te verminderen"
        elif entry.msgid.startswith(STRESS_P):
            entry.msgstr = "Chronische stress kan auto-immuunopvlammingen verergeren. (vertaald)"
    catalog.write(po, po_path, "PO-Revision-Date")
    return po_path


def edit_source(project_dir: Path, old: str, new: str) -> None:
    path = project_dir / POST
    data = json.loads(path.read_text())
    assert old in data["content"]["rendered"]
    data["content"]["rendered"] = data["content"]["rendered"].replace(old, new)
    path.write_text(json.dumps(data, ensure_ascii=False))


def entry(po_path: Path, msgid: str, obsolete: bool = False):
    for e in catalog.load(po_path):
        if e.msgid == msgid and e.obsolete == obsolete:
            return e
    return None


def test_lifecycle_edit_remove_add_restore(project_dir, cli):
    po_path = fresh(project_dir, cli)
    stress_block = '<h3 class="wp-block-heading">Stress Reduction Techniques</h3>'
    # 1. a dose changes, a heading is removed, a paragraph is added
    edit_source(project_dir, "Zinc (30\u202fmg)", "Zinc (25\u202fmg)")
    edit_source(project_dir, stress_block, "")
    edit_source(
        project_dir,
        "<p>Key mechanisms include:</p>",
        "<p>Key mechanisms include:</p><p>A brand new paragraph about follicles.</p>",
    )
    assert cli(project_dir, "extract").exit_code == 0
    result = cli(project_dir, "update")
    assert result.exit_code == 0, result.output
    assert "review every dose" in result.output

    changed = entry(po_path, ZINC.replace("30", "25"))
    assert changed.fuzzy and changed.msgstr == ZINC_NL and changed.previous_msgid == ZINC
    assert (
        "numbers changed since the suggested translation: 30 mg → 25 mg"
        in changed.comment.replace("\u202f", " ")
    )
    assert entry(po_path, ZINC) is None  # consumed by the suggestion, as msgmerge does
    removed = entry(po_path, STRESS, obsolete=True)
    assert removed is not None and removed.msgstr == "Technieken om stress te verminderen"
    added = entry(po_path, "A brand new paragraph about follicles.")
    assert added is not None and added.msgstr == "" and not added.fuzzy
    unchanged = next(e for e in catalog.load(po_path) if e.msgid.startswith(STRESS_P))
    assert unchanged.msgstr.endswith("(vertaald)") and not unchanged.fuzzy

    # 2. the removed heading comes back: its translation comes back with it
    edit_source(project_dir, "<p>Chronic stress", stress_block + "<p>Chronic stress")
    assert cli(project_dir, "extract").exit_code == 0
    assert cli(project_dir, "update").exit_code == 0
    back = entry(po_path, STRESS)
    assert (
        back is not None and back.msgstr == "Technieken om stress te verminderen" and not back.fuzzy
    )
    assert entry(po_path, STRESS, obsolete=True) is None
    check_gettext(po_path)


def check_msgfmt(path: Path) -> None:
    """GNU gettext's msgfmt accepts the file, a catalog with no warning."""
    proc = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    if path.suffix == ".po":
        assert proc.stderr == ""


def check_gettext(path: Path) -> None:
    """msgfmt accepts the file, and polib and Babel read it back unchanged."""
    check_msgfmt(path)
    text = path.read_text(encoding="utf-8")
    assert str(polib.pofile(text, wrapwidth=catalog.WRAP)) + "\n" == text
    from babel.messages.pofile import read_po

    with open(path, "rb") as f:
        babel_cat = read_po(f)
    ours = {e.msgid: e.msgstr for e in polib.pofile(text) if not e.obsolete and e.msgid}
    theirs = {m.id: m.string for m in babel_cat if m.id}
    assert ours == theirs


def test_every_written_file_passes_msgfmt_and_reads_back(project_dir, cli):
    fresh(project_dir, cli)
    for path in sorted((project_dir / "locales").rglob("*.po*")):
        check_gettext(path)
    for path in sorted((ROOT_LOCALES).rglob("*.po*")):
        check_gettext(path)


ROOT_LOCALES = Path(__file__).resolve().parent.parent / "locales"


def test_nothing_is_rewritten_when_nothing_changed(project_dir, cli):
    fresh(project_dir, cli)
    assert cli(project_dir, "update").exit_code == 0
    before = {
        p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (project_dir / "locales").rglob("*.po*")
    }
    assert cli(project_dir, "extract").exit_code == 0
    result = cli(project_dir, "update")
    assert "0 updated, 0 created" in result.output
    after = {
        p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (project_dir / "locales").rglob("*.po*")
    }
    assert before == after


def test_update_keeps_the_translators_dates_and_tool_as_msgmerge_does(project_dir, cli):
    """POT-Creation-Date is the template's, PO-Revision-Date and X-Generator the translator's:
    a catalog saved in Poedit was rewritten by the next update for its X-Generator alone."""
    po = project_dir / "locales/nl/dermatomyositis-hair-loss-causes.po"
    pot = project_dir / "locales/templates/dermatomyositis-hair-loss-causes.pot"
    text = po.read_text(encoding="utf-8")
    tool = re.search(r"X-Generator: [^\\]*", text).group()
    po.write_text(text.replace(tool, 'X-Generator: Poedit 3.4\\n"\n"X-Poedit-Basepath: .'))
    saved = po.read_bytes()
    assert cli(project_dir, "update").exit_code == 0
    assert po.read_bytes() == saved
    source = project_dir / "source/dermatomyositis-hair-loss-causes.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\nA new closing paragraph.\n")
    assert cli(project_dir, "extract").exit_code == 0
    assert cli(project_dir, "update").exit_code == 0
    merged, template = catalog.load(po), catalog.load(pot)
    assert merged.find("A new closing paragraph.") is not None
    assert merged.metadata["POT-Creation-Date"] == template.metadata["POT-Creation-Date"]
    before = catalog.load(project_dir / "locales/nl/alopecia-areata-expert-qa.po")
    assert merged.metadata["X-Generator"].startswith("Poedit")
    assert "X-Poedit-Basepath" in merged.metadata
    assert (
        merged.metadata["PO-Revision-Date"]
        == polib.pofile(saved.decode()).metadata["PO-Revision-Date"]
    )
    assert before.metadata["POT-Creation-Date"]


def test_same_input_gives_identical_files(tmp_path, project_dir, cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    other = tmp_path / "other"
    shutil.copytree(project_dir, other)
    for root in (project_dir, other):
        shutil.rmtree(root / "locales", ignore_errors=True)
        cli(root, "extract")
        cli(root, "init", "nl")
        cli(root, "build")
    for path in sorted((project_dir / "locales").rglob("*")) + sorted(
        (project_dir / "dist").rglob("*")
    ):
        if path.is_file():
            assert path.read_bytes() == (other / path.relative_to(project_dir)).read_bytes(), path


def test_hand_edited_po_latin1_crlf_comments(tmp_path):
    text = (
        '# Translator comment\r\n#, fuzzy\r\nmsgid ""\r\nmsgstr ""\r\n"Content-Type: text/plain; charset=ISO-8859-1\\n"\r\n'
        '"Language: fr\\n"\r\n\r\n#. extracted\r\n#: content/x/p[1]\r\n#| msgid "Old"\r\n#, fuzzy\r\nmsgid "Caf\xe9 text that is fairly long so that wrapping would apply to it when written back out to disk"\r\n'
        'msgstr "Texte du caf\xe9"\r\n'
    )
    path = tmp_path / "fr.po"
    path.write_bytes(text.encode("latin-1"))
    po = catalog.load(path)
    e = po[0]
    assert e.msgid.startswith("Café text") and e.msgstr == "Texte du café" and e.fuzzy
    assert e.previous_msgid == "Old" and e.comment == "extracted" and e.tcomment == ""
    assert po.header == "Translator comment"
    assert catalog.load_translations(path) == ({}, {e.msgid})  # fuzzy: not for a build


def test_a_latin1_catalog_merged_is_utf8_and_says_so(empty_project, cli):
    """A translator saved the catalog in ISO-8859-1; update writes UTF-8, so the header must
    say UTF-8, or each later read would garble every accent (café, then cafÃ©, cafÃÂ©...)."""
    page = empty_project / "source/a.html"
    page.write_text("<p>Coffee at the corner shop.</p>")
    assert cli(empty_project, "extract").exit_code == 0
    assert cli(empty_project, "init", "nl").exit_code == 0
    po_path = empty_project / "locales/nl/a.po"
    text = po_path.read_text(encoding="utf-8").replace("charset=UTF-8", "charset=ISO-8859-1")
    text = text.replace('msgstr ""\n\n', 'msgstr "Koffie in het caf\u00e9 op de hoek."\n\n')
    po_path.write_bytes(text.encode("latin-1"))
    assert entry(po_path, "Coffee at the corner shop.").msgstr.endswith("café op de hoek.")
    for n in range(2):  # a merge, and another
        page.write_text(page.read_text() + f"<p>A closing paragraph, number {n}.</p>")
        assert cli(empty_project, "extract").exit_code == 0
        assert cli(empty_project, "update").exit_code == 0
        assert b"charset=UTF-8" in po_path.read_bytes()
        assert entry(po_path, "Coffee at the corner shop.").msgstr.endswith("café op de hoek.")


@pytest.mark.parametrize(
    "path",
    sorted(Path(__file__).parent.parent.glob("locales/*/*.po")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_a_build_reads_what_load_reads(path):
    po = catalog.load(path)
    fuzzy = {e.msgid for e in po if e.msgstr and e.fuzzy and not e.obsolete}
    assert catalog.load_translations(path) == (catalog.translations(po), fuzzy)


@pytest.mark.parametrize(
    "content, line, words",
    [
        (
            'msgid ""\nmsgstr ""\n"Language: nl\\n"\n\nmsgid "a"\nmsgstr "b"\nmsgid "c"\nmsgstr "d" oops\n',
            8,
            "syntax",
        ),
        (
            'msgid ""\nmsgstr ""\n"Language: nl\\n"\n\nmsgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n',
            8,
            "duplicate msgid",
        ),
    ],
)
def test_broken_po_gives_file_and_line_and_is_left_alone(project_dir, cli, content, line, words):
    fresh(project_dir, cli)
    path = project_dir / "locales/nl/autoimmune-related-balding.po"
    path.write_text(content)
    with pytest.raises(CatalogError) as err:
        catalog.load(path)
    assert err.value.line == line and words in str(err.value).lower()
    with pytest.raises(CatalogError) as err_build:  # what a build reads: the same error
        catalog.load_translations(path)
    assert str(err_build.value) == str(err.value)
    result = cli(project_dir, "update")
    assert result.exit_code == 2
    assert f"locales/nl/autoimmune-related-balding.po:{line}:" in result.output
    assert "Traceback" not in result.output
    assert path.read_text() == content
    # the other articles were still updated
    assert (project_dir / "locales/nl/dermatomyositis-hair-loss-causes.po").exists()


def test_compile_leaves_out_fuzzy(project_dir, cli):
    po_path = fresh(project_dir, cli)
    po = catalog.load(po_path)
    po.find(STRESS).flags.append("fuzzy")
    catalog.write(po, po_path, "PO-Revision-Date")
    assert cli(project_dir, "compile").exit_code == 0
    import gettext

    with open(po_path.with_suffix(".mo"), "rb") as f:
        t = gettext.GNUTranslations(f)
    assert t.gettext(ZINC) == ZINC_NL
    assert t.gettext(STRESS) == STRESS  # fuzzy: not compiled


def test_stats_text_and_json(project_dir, cli):
    fresh(project_dir, cli)
    result = cli(project_dir, "stats", "--format", "json")
    data = json.loads(result.output)
    row = data["locales"]["nl"]["articles"][SLUG]
    assert (
        row["translated"] == 3
        and row["fuzzy"] == 0
        and row["units"] == row["translated"] + row["untranslated"]
    )
    assert data["locales"]["nl"]["total"]["units"] >= row["units"]
    text = cli(project_dir, "stats").output
    assert SLUG in text and "total" in text


def test_new_article_gets_catalogs_and_gone_article_is_reported(project_dir, cli):
    fresh(project_dir, cli)
    (project_dir / "source/new-page.html").write_text(
        "<h2>New page</h2><p>Hair loss is common.</p>"
    )
    (project_dir / "source/dermatomyositis-hair-loss-causes.txt").unlink()
    cli(project_dir, "extract")
    result = cli(project_dir, "update")
    assert "created locales/nl/new-page.po" in result.output
    assert (
        "dermatomyositis-hair-loss-causes.po has no template" not in result.output
    )  # template kept
    extract_out = cli(project_dir, "extract").output
    assert "dermatomyositis-hair-loss-causes.pot has no article" in extract_out
    assert (project_dir / "locales/nl/dermatomyositis-hair-loss-causes.po").exists()


def test_memory_offers_exact_translation_from_another_article(project_dir, cli):
    fresh(project_dir, cli)
    (project_dir / "source/other.html").write_text(
        "<p>" + ZINC.replace("\u202f", "&#8239;") + "</p>"
    )
    cli(project_dir, "extract")
    cli(project_dir, "update")
    e = entry(project_dir / "locales/nl/other.po", ZINC)
    assert e.fuzzy and e.msgstr == ZINC_NL and e.tcomment == f"memory: {SLUG}"


def test_two_processes_never_corrupt_a_file(project_dir, cli):
    fresh(project_dir, cli)
    cmd = [sys.executable, "-c", "from cli import main; main()", "-C", str(project_dir), "update"]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)
    ]
    for p in procs:
        p.communicate(timeout=120)
        assert p.returncode == 0
    for path in (project_dir / "locales").rglob("*.po"):
        catalog.load(path)
        assert not list(path.parent.glob(".*.tmp"))


# -- property: an update never loses what a translator wrote ---------------------------------

SENTENCES = [
    f"Sentence number {w} about hair loss and {n} mg."
    for w in ("one", "two", "three", "four", "five", "six")
    for n in (5, 30)
]


def pot_of(texts):
    return catalog.template(
        "p", "source/p", [Unit(t, f"content/s/p[{i}]", "p") for i, t in enumerate(texts, 1)], "en"
    )


ops = st.lists(
    st.tuples(
        st.sampled_from(["edit", "remove", "add", "translate"]),
        st.integers(0, 20),
        st.sampled_from(SENTENCES),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=5, unique=True), ops)
def test_property_update_never_loses_a_translation(initial, operations):
    texts = list(initial)
    po = catalog.new_catalog(pot_of(texts), "nl")
    written: set[str] = set()
    counter = 0
    for op, index, sentence in operations:
        if op == "edit" and texts:
            i = index % len(texts)
            texts[i] = texts[i] + " Edited."
        elif op == "remove" and texts:
            texts.pop(index % len(texts))
        elif op == "add" and sentence not in texts:
            texts.append(sentence)
        elif op == "translate":
            active = [e for e in po if not e.obsolete]
            if active:
                counter += 1
                e = active[index % len(active)]
                written.discard(e.msgstr)  # the translator replaced it: theirs to lose
                e.msgstr = f"vertaling {counter}"
                if "fuzzy" in e.flags:
                    e.flags.remove("fuzzy")
                written.add(e.msgstr)
        po = catalog.merge(pot_of(list(dict.fromkeys(texts))), po, "nl").po
        po = polib.pofile(catalog.render(po))  # as written to disk and read back
        present = {e.msgstr for e in po} | {line for e in po for line in e.tcomment.split("\n")}
        present |= {x.removeprefix("earlier translation: ") for x in present}
        assert written <= present, written - present


_TRANSLATION = st.text(st.sampled_from("ab \t\n"), min_size=1, max_size=8).filter(str.strip)


@settings(max_examples=150, deadline=None)
@given(_TRANSLATION, _TRANSLATION)
def test_a_merge_of_what_a_merge_wrote_changes_nothing(active, obsolete):
    """A text that left the template, translated in an entry and, differently, in an obsolete
    one: the earlier translation is kept in a note. Merged again, as read back from disk
    (update skips a merge whose inputs are unchanged, so the bytes must already be what a
    merge gives), the catalog is the same byte for byte."""
    po = catalog.new_catalog(pot_of(["Gone.", "Kept."]), "nl")
    po[0].msgstr = active
    po.append(polib.POEntry(msgid="Gone.", msgstr=obsolete, obsolete=True))
    once = catalog.render(catalog.merge(pot_of(["Kept."]), po, "nl").po)
    again = catalog.render(
        catalog.merge(pot_of(["Kept."]), catalog.load(None, "p.po", once.encode()), "nl").po
    )
    assert again == once


def test_build_lists_every_untranslated_fragment_and_strict_fails(project_dir, cli, tmp_path):
    result = cli(project_dir, "build", "--report", str(tmp_path / "r.json"))
    assert result.exit_code == 0
    assert "nl: 136 of 221 units translated (61.5 %), 5 pages" in result.output
    listed = [line for line in result.output.splitlines() if line.startswith("  untranslated: ")]
    report = json.loads((tmp_path / "r.json").read_text())
    [nl] = report["locales"]
    assert len(listed) == len(nl["untranslated"]) >= 85
    assert cli(project_dir, "build", "--strict").exit_code == 1
    assert "untranslated:" not in cli(project_dir, "build", "--quiet").output


def test_po_entries_carry_glossary_hints_for_their_locale(project_dir, cli):
    fresh(project_dir, cli)
    cli(project_dir, "init", "de")
    nl = entry(project_dir / "locales/nl" / f"{SLUG}.po", ZINC)
    assert "glossary: hair follicle → haarzakje (also: haarfollikel)" in nl.comment
    de = entry(project_dir / "locales/de" / f"{SLUG}.po", ZINC)
    assert "glossary: hair follicle → Haarfollikel" in de.comment
    # update keeps them current: a term added to the glossary shows up in the hints
    with open(project_dir / "glossary.csv", "a", encoding="utf-8") as f:
        f.write("health,gezondheid,Gesundheit,santé,sağlık,,,,,,,noun,\n")
    cli(project_dir, "update")
    assert (
        "glossary: health → gezondheid"
        in entry(project_dir / "locales/nl" / f"{SLUG}.po", ZINC).comment
    )


# -- templates: written from the units, as polib writes the catalog -------------------------

UNIT_TEXT = st.text(st.sampled_from('ab -—\t\n"\\é\u00a0x.'), max_size=120)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Hair loss", "Zinc (30\u202fmg)", "a-b " * 30]) | UNIT_TEXT,
            st.sampled_from(["p", "h2", "img alt"]),
            st.lists(st.sampled_from(["<code/> = x", "note"]), max_size=2),
        ),
        max_size=12,
    )
)
def test_write_template_writes_the_catalog_template_makes(tmp_path_factory, units):
    """Repeated texts, comments and notes merged as template() merges them; the same bytes."""
    folder = tmp_path_factory.mktemp("pot")
    units = [
        Unit(msgid, f"content/s/{comment}[{i}]", comment, notes)
        for i, (msgid, comment, notes) in enumerate(units, 1)
    ]
    pot = catalog.template("p", "source/p", units, "en")
    catalog.write(pot, folder / "a.pot", "POT-Creation-Date", False)
    data, count = catalog.write_template(folder / "b.pot", "p", "source/p", units, "en")
    assert data == (folder / "b.pot").read_bytes() == (folder / "a.pot").read_bytes()
    assert count == len(pot)


def test_write_template_keeps_an_unchanged_file_and_its_date(tmp_path, monkeypatch):
    units = [Unit(ZINC, "content/s/p[1]", "p"), Unit(STRESS, "content/s/h2[1]", "h2")]
    path = tmp_path / "p.pot"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first, count = catalog.write_template(path, "p", "source/p", units, "en")
    assert first is not None and count == 2
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert catalog.write_template(path, "p", "source/p", units, "en") == (None, 2)
    assert path.read_bytes() == first  # the old date is kept
    changed, _ = catalog.write_template(path, "p", "source/p", units[:1], "en")
    assert changed == path.read_bytes() and b"2027-01-15" in changed


def test_an_obsolete_fuzzy_entry_keeps_its_previous_msgid_through_merges(empty_project, cli):
    """gettext writes an obsolete fuzzy entry's previous msgid as ``#~| msgid``; polib does
    not read it back, so each merge of a catalog we had written dropped it: a merge was not
    idempotent (losing the update state changed the catalog)."""
    page = empty_project / "source/a.html"
    po_path = empty_project / "locales/nl/a.po"
    old, new = "Take 30\u00a0mg of zinc daily.", "Take 30\u00a0mg of zinc every day."
    for html in (f"<p>{old}</p><p>Eat well.</p>", f"<p>{new}</p><p>Eat well.</p>"):
        page.write_text(html)
        assert cli(empty_project, "extract").exit_code == 0
        assert cli(empty_project, "update").exit_code == 0
        if html.startswith(f"<p>{old}"):
            po = catalog.load(po_path)
            next(e for e in po if e.msgid == old).msgstr = "Neem dagelijks 30\u00a0mg zink."
            catalog.write(po, po_path, "PO-Revision-Date")
    page.write_text("<p>Eat well.</p>")  # the fuzzy entry leaves the template
    assert cli(empty_project, "extract").exit_code == 0
    assert cli(empty_project, "update").exit_code == 0
    gone = entry(po_path, new, obsolete=True)
    assert gone.fuzzy and gone.previous_msgid == old and gone.msgstr.startswith("Neem")
    written = po_path.read_bytes()
    assert '#~| msgid "Take 30\u00a0mg of zinc daily."'.encode() in written
    (empty_project / ".localise/state-update.json").unlink()  # every catalog merged again
    assert "0 updated" in cli(empty_project, "update").output
    assert po_path.read_bytes() == written


def test_an_obsolete_entry_with_a_wrapped_context_keeps_its_own_previous_msgid(tmp_path):
    """Two obsolete entries with the same msgid: one with an empty context, one with a context
    long enough to be wrapped (as gettext and polib write it); the previous msgid is the second's."""
    path = tmp_path / "nl.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#~ msgctxt ""\n#~ msgid "Close"\n#~ msgstr "Sluiten"\n\n'
        '#, fuzzy\n#~| msgid ""\n#~| "Close the window, "\n#~| "then the door"\n#~ msgctxt ""\n'
        '#~ "Dosage table, second column: the amount for adults over sixty-five "\n'
        '#~ "years"\n#~ msgid "Close"\n#~ msgstr "Sluit"\n',
        encoding="utf-8",
    )
    first, second = catalog.load(path)
    assert first.msgctxt == "" and first.previous_msgid is None
    assert second.msgctxt.startswith("Dosage table")
    assert second.previous_msgid == "Close the window, then the door"
    again = tmp_path / "again.po"
    catalog.write(catalog.load(path), again, "PO-Revision-Date")
    once = again.read_bytes()
    catalog.write(catalog.load(again), again, "PO-Revision-Date")
    assert again.read_bytes() == once and b'#~| msgid "Close the window, then the door"' in once


def test_a_merge_keeps_contexts_plural_forms_and_their_previous_text(empty_project, cli):
    """A catalog from another tool (gettext, Translate Toolkit's --duplicates=msgctxt) may have
    contexts and plural forms, which no unit has. An update used to drop an obsolete entry's
    context (and so merge two entries into one), every ``#~| msgctxt``, and every plural
    entry with its translations. Now each is kept, obsolete, as msgmerge keeps it; a text
    that a unit has, in another context, is a fuzzy suggestion, not a reviewed translation;
    and with --jobs, a catalog whose unit's text is there only in another context waits
    for the memory like a new text (a worker asking it would fail)."""
    for name, texts in (("a", ["Eat vegetables every day.", "Sleep well."]), ("b", ["Rest."])):
        (empty_project / f"source/{name}.html").write_text("".join(f"<p>{t}</p>" for t in texts))
    assert cli(empty_project, "extract").exit_code == 0
    assert cli(empty_project, "update").exit_code == 0
    po_path = empty_project / "locales/nl/a.po"
    header = po_path.read_text(encoding="utf-8").split("\n\n")[0] + "\n"  # Plural-Forms too
    po_path.write_text(
        header + '\nmsgctxt "menu"\nmsgid "Eat vegetables every day."\nmsgstr ""\n'
        '\n#, fuzzy\n#| msgctxt "old menu"\n#| msgid "Sleep."\n'
        'msgctxt "menu"\nmsgid "Sleep well."\nmsgstr "Slaap lekker."\n'
        '\nmsgid "One tablet"\nmsgid_plural "%d tablets"\n'
        'msgstr[0] "Eén tablet"\nmsgstr[1] "%d tabletten"\n'
        '\n#~ msgctxt "sidebar"\n#~ msgid "Close."\n#~ msgstr "Sluiten."\n'
        '\n# a translator\'s note\n#~ msgctxt "footer"\n#~ msgid "Close."\n#~ msgstr "Dicht."\n'
        '\n#, fuzzy\n#~| msgctxt "older"\n#~| msgid "One capsule"\n'
        '#~| msgid_plural "%d capsules"\n#~ msgid "One pill"\n#~ msgid_plural "%d pills"\n'
        '#~ msgstr[0] "Eén pil"\n#~ msgstr[1] "%d pillen"\n',
        encoding="utf-8",
    )
    check_msgfmt(po_path)
    other = empty_project / "locales/nl/b.po"  # two catalogs to merge: workers do it
    other.write_text(other.read_text().replace('"Rest."\nmsgstr ""', '"Rest."\nmsgstr "Rust."'))
    result = cli(empty_project, "update", "--jobs", "2")
    assert result.exit_code == 0, result.output
    merged = catalog.load(po_path)
    found = {(e.msgctxt, e.msgid, e.obsolete): e for e in merged}
    eat = found[None, "Eat vegetables every day.", False]
    assert eat.msgstr == "" and not eat.fuzzy
    sleep = found[None, "Sleep well.", False]
    assert sleep.fuzzy and sleep.msgstr == "Slaap lekker."
    assert (sleep.previous_msgctxt, sleep.previous_msgid) == ("menu", "Sleep well.")
    tablets = found[None, "One tablet", True]
    assert tablets.msgid_plural == "%d tablets"
    assert tablets.msgstr_plural == {0: "Eén tablet", 1: "%d tabletten"}
    assert found["sidebar", "Close.", True].msgstr == "Sluiten."
    footer = found["footer", "Close.", True]
    assert footer.msgstr == "Dicht." and footer.tcomment == "a translator's note"
    pills = found[None, "One pill", True]
    assert pills.fuzzy and pills.msgstr_plural == {0: "Eén pil", 1: "%d pillen"}
    assert (pills.previous_msgctxt, pills.previous_msgid) == ("older", "One capsule")
    assert pills.previous_msgid_plural == "%d capsules"
    assert len(merged) == 6  # the two units and four obsolete entries: "menu"s went
    check_msgfmt(po_path)
    written = po_path.read_bytes()
    (empty_project / ".localise/state-update.json").unlink()  # every catalog merged again
    assert "0 updated" in cli(empty_project, "update").output
    assert po_path.read_bytes() == written


def test_plural_forms_count_as_translated_and_get_no_suggestion(empty_project, cli):
    """Before an update makes them obsolete, another tool's entries with plural forms are
    translated when every form is: stats and check say so, and translate leaves them be."""
    (empty_project / "source/a.html").write_text("<p>Eat vegetables every day.</p>")
    assert cli(empty_project, "extract").exit_code == 0
    assert cli(empty_project, "update").exit_code == 0
    po_path = empty_project / "locales/nl/a.po"
    po_path.write_text(
        po_path.read_text(encoding="utf-8") + '\nmsgid "One tablet"\nmsgid_plural "%d tablets"\n'
        'msgstr[0] "Eén tablet"\nmsgstr[1] "%d tabletten"\n'
        '\nmsgid "One pill"\nmsgid_plural "%d pills"\nmsgstr[0] "Eén pil"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    stats = json.loads(cli(empty_project, "stats", "--format", "json").output)
    a = stats["locales"]["nl"]["articles"]["a"]
    assert (a["units"], a["translated"], a["untranslated"]) == (3, 1, 2)
    found = cli(empty_project, "check", "--only", "untranslated", "--no-pages").output
    assert "One pill" in found and "One tablet" not in found
    before = po_path.read_bytes()
    result = cli(empty_project, "translate", "nl", "--provider", "pseudo")
    assert result.exit_code == 0, result.output
    after = catalog.load(po_path)
    assert [e.msgstr_plural for e in after if e.msgid_plural] == [
        {0: "Eén tablet", 1: "%d tabletten"},
        {0: "Eén pil", 1: ""},
    ]
    assert [(e.msgstr, e.flags, e.tcomment) for e in after if e.msgid_plural] == [("", [], "")] * 2
    assert po_path.read_bytes() != before  # the unit got its suggestion


_CONTEXTS = st.sampled_from([None, "", "menu"])
_TEXTS = st.sampled_from(["Close.", "Close the door.", "Take 30 mg daily.", "Rest."])
_ENTRY = st.tuples(
    _CONTEXTS,
    _TEXTS,
    st.booleans(),  # plural
    st.sampled_from(["", "vertaling", "andere vertaling"]),
    st.booleans(),  # obsolete
    st.one_of(st.none(), st.tuples(_CONTEXTS, _TEXTS)),  # fuzzy, with the previous text
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ENTRY, max_size=8), st.lists(_TEXTS, max_size=3, unique=True))
def test_property_a_merge_loses_no_context_or_plural_form(entries, texts):
    """Any catalog with contexts, plural forms and previous texts, merged into any template:
    every translation written is still in the catalog (in an entry, a plural form or a note),
    each kept obsolete entry has its context and previous text, and a merge of what a merge
    wrote changes nothing."""
    po = catalog.new_catalog(pot_of([]), "nl")
    written, seen = set(), set()
    for n, (ctxt, msgid, plural, msgstr, obsolete, previous) in enumerate(entries):
        if (ctxt, msgid, obsolete) in seen:
            continue
        seen.add((ctxt, msgid, obsolete))
        e = polib.POEntry(msgctxt=ctxt, msgid=msgid, obsolete=obsolete)
        if plural:
            e.msgid_plural = f"{msgid} (%d)"
            e.msgstr_plural = {0: msgstr and f"{msgstr} {n}", 1: msgstr and f"{msgstr} {n}s"}
            written |= {v for v in e.msgstr_plural.values() if v}
        else:
            e.msgstr = msgstr and f"{msgstr} {n}"
            written |= {e.msgstr} - {""}
        if previous is not None:
            e.flags = ["fuzzy"]
            e.previous_msgctxt, e.previous_msgid = previous
        po.append(e)
    po = catalog.load(None, "p.po", catalog.render(po).encode())  # as a file holds it
    once = catalog.render(catalog.merge(pot_of(texts), po, "nl").po)
    merged = catalog.load(None, "p.po", once.encode())
    present = {e.msgstr for e in merged} | {v for e in merged for v in e.msgstr_plural.values()}
    notes = "\n".join(e.tcomment for e in merged)
    assert all(w in present or w in notes for w in written), written - present
    # Each obsolete entry is one of the catalog's, with its context and previous text.
    before = {(e.msgctxt, e.msgid, e.previous_msgctxt, e.previous_msgid) for e in po}
    for e in merged:
        if e.obsolete:
            assert (e.msgctxt, e.msgid, e.previous_msgctxt, e.previous_msgid) in before
    again = catalog.render(catalog.merge(pot_of(texts), merged, "nl").po)
    assert again == once


def test_only_the_content_type_says_a_catalogs_charset(tmp_path):
    """A header comment, or an article's text, may say charset= too."""
    path = tmp_path / "nl.po"
    path.write_text(
        "# Converted from charset=ISO-8859-1 by hand.\n"
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Send it with Content-Type: text/html; charset=iso-8859-1, please."\n'
        'msgstr "Stuur het naar het café, met charset=iso-8859-1."\n',
        encoding="utf-8",
    )
    [e] = catalog.load(path)
    assert e.msgstr == "Stuur het naar het café, met charset=iso-8859-1."


@pytest.mark.parametrize("content_type", ["text/plain;charset=", "text/plain; charset="])
def test_a_latin1_catalog_compiles_to_a_utf8_mo_that_says_so(tmp_path, content_type):
    import gettext

    path = tmp_path / "nl.po"
    path.write_bytes(
        f'msgid ""\nmsgstr ""\n"Content-Type: {content_type}ISO-8859-1\\n"\n\n'
        'msgid "The cafe"\nmsgstr "Het café"\n'.encode("latin-1")
    )
    mo = tmp_path / "nl.mo"
    catalog.compile_mo(catalog.load(path), mo)
    with mo.open("rb") as f:
        assert gettext.GNUTranslations(f).gettext("The cafe") == "Het café"


def test_a_build_takes_the_entry_without_a_context(tmp_path):
    """A unit has no context: an entry with one translates something else (the MO file agrees),
    whichever comes last in the file."""
    path = tmp_path / "nl.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Take 2 tablets every day."\nmsgstr "Neem elke dag 2 tabletten."\n\n'
        'msgctxt "old leaflet"\nmsgid "Take 2 tablets every day."\n'
        'msgstr "Neem elke week 2 tabletten."\n\n'
        '#, fuzzy\nmsgctxt "old leaflet"\nmsgid "Hair loss"\nmsgstr "Haaruitval"\n',
        encoding="utf-8",
    )
    translations, fuzzy = catalog.load_translations(path)
    assert translations == {"Take 2 tablets every day.": "Neem elke dag 2 tabletten."}
    assert fuzzy == set()
