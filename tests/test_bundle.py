"""localise bundle: finished locales published as reproducible archives that a pipeline can
verify; unfinished ones held back with the reason; pages that know their siblings."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile

import pytest

from toolkit import catalog
from toolkit.fsutil import write_atomic

from .conftest import ROOT

DERMA = "dermatomyositis-hair-loss-causes"
BALD = "autoimmune-related-balding"
LINK_P = "See <a>our article on dermatomyositis</a>."
LINK_NL = "Lees ook <a>ons artikel over dermatomyositis</a>."


@pytest.fixture
def site(tmp_path, cli):
    """Two complete Dutch articles, one linking to the other; German half pseudo-translated."""
    root = tmp_path / "site"
    (root / "source").mkdir(parents=True)
    shutil.copy(ROOT / "source/dermatomyositis-hair-loss-causes.txt", root / "source")
    post = json.loads((ROOT / "source/post-autoimmune-related-balding.txt").read_text())
    post["content"]["rendered"] += (
        '\n<p>See <a href="https://goldcitymedicalcenter.nl/en/dermatomyositis-hair-loss-causes/">our article on dermatomyositis</a>.</p>\n'
    )
    (root / "source/post-autoimmune-related-balding.txt").write_text(json.dumps(post))
    shutil.copy(ROOT / "glossary.csv", root)
    (root / "localise.toml").write_text(
        'locales = ["nl", "de"]\n'
        'url_pattern = "https://goldcitymedicalcenter.nl/{locale}/{slug}/"\n'
        'source_url_pattern = "https://goldcitymedicalcenter.nl/en/{slug}/"\n'
    )
    (root / "locales/nl").mkdir(parents=True)
    for slug in (DERMA, BALD):
        shutil.copy(ROOT / f"locales/nl/{slug}.po", root / "locales/nl")
    assert cli(root, "extract").exit_code == 0
    assert cli(root, "update").exit_code == 0
    po_path = root / f"locales/nl/{BALD}.po"
    po = catalog.load(po_path)
    po.find(LINK_P).msgstr = LINK_NL
    catalog.write(po, po_path, "PO-Revision-Date")
    assert cli(root, "translate", "de", "--provider", "pseudo", "--article", DERMA).exit_code == 0
    return root


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_bundle_end_to_end(site, cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    result = cli(site, "bundle")
    assert result.exit_code == 0, result.output
    assert "nl: published dist/bundles/nl.tar.gz" in result.output
    assert "de: held back: completion" in result.output

    index = json.loads((site / "dist/bundles/index.json").read_text())
    [entry] = index["bundles"]
    assert (
        entry["locale"] == "nl"
        and entry["file"] == "nl.tar.gz"
        and entry["completion"] == 100.0
        and entry["articles"] == 2
    )
    [held] = index["held_back"]
    assert held["locale"] == "de" and held["completion"] < 100 and "completion" in held["reason"]

    archive = (site / "dist/bundles" / entry["file"]).read_bytes()
    assert sha(archive) == entry["sha256"] and len(archive) == entry["size"]

    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        names = tar.getnames()
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
        assert all(m.mtime == 1767225600 and m.uid == 0 and m.uname == "" for m in tar.getmembers())
    assert names == sorted(names)
    assert set(names) == {
        "manifest.json",
        f"html/{BALD}.html",
        f"html/{DERMA}.html",
        f"wordpress/{BALD}.json",
        f"wordpress/{DERMA}.json",
    }

    manifest = json.loads(files["manifest.json"])
    assert (
        manifest["locale"] == "nl"
        and manifest["source_language"] == "en"
        and manifest["toolkit"].startswith("localise ")
    )
    assert len(manifest["inputs_sha256"]) == 64
    for info in manifest["articles"].values():
        assert info["completion"] == 100.0
        for name, digest in info["files"].items():
            assert sha(files[name]) == digest, name

    page = files[f"html/{BALD}.html"].decode()
    assert '<html lang="nl" dir="ltr">' in page
    assert (
        f'<link rel="alternate" hreflang="nl" href="https://goldcitymedicalcenter.nl/nl/{BALD}/">'
        in page
    )
    assert (
        f'<link rel="alternate" hreflang="x-default" href="https://goldcitymedicalcenter.nl/en/{BALD}/">'
        in page
    )
    assert 'hreflang="de"' not in page  # de is not published
    assert (
        f'href="https://goldcitymedicalcenter.nl/nl/{DERMA}/">ons artikel over dermatomyositis</a>'
        in page
    )
    assert "Vitamine D (1000" in page

    payload = json.loads(files[f"wordpress/{BALD}.json"])
    assert (
        payload["slug"] == BALD and payload["lang"] == "nl" and payload["translation_of"] == 24365
    )
    assert (
        payload["title"] == "Kaalheid door een auto-immuunziekte: oorzaken, diagnose en behandeling"
    )
    assert set(payload["meta"]) == {
        "rank_math_title",
        "rank_math_description",
        "rank_math_focus_keyword",
    }
    assert f"https://goldcitymedicalcenter.nl/nl/{DERMA}/" in payload["content"]
    assert json.loads(files[f"wordpress/{DERMA}.json"])["translation_of"] is None

    # the same inputs give the same bytes
    assert cli(site, "bundle").exit_code == 0
    assert (site / "dist/bundles/nl.tar.gz").read_bytes() == archive


def test_threshold_per_locale_and_warnings(site, cli):
    with open(site / "localise.toml", "a") as f:
        f.write("min_completion = { default = 100, de = 10 }\n")
    result = cli(site, "bundle", "de")
    assert (
        "de: held back: completion 0.0 % is below 10 %" in result.output
    )  # fuzzy suggestions do not count
    result = cli(site, "bundle", "nl", "--min-completion", "100")
    assert "nl: published" in result.output


def test_error_holds_a_locale_back_and_removes_its_old_bundle(site, cli):
    assert "nl: published" in cli(site, "bundle", "nl").output
    po_path = site / f"locales/nl/{BALD}.po"
    po = catalog.load(po_path)
    zinc = po.find("Zinc (30\u202fmg) – Essential for hair‑follicle health.")
    zinc.msgstr = zinc.msgstr.replace("30", "300")
    catalog.write(po, po_path, "PO-Revision-Date")
    result = cli(site, "bundle", "nl")
    assert "nl: held back" in result.output and "errors" in result.output
    assert not (site / "dist/bundles/nl.tar.gz").exists()
    assert json.loads((site / "dist/bundles/index.json").read_text())["bundles"] == []


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "index.json"
    write_atomic(path, b"old")

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["index.json"]


@pytest.mark.parametrize("value", ["nan", "150", "inf"])
def test_min_completion_out_of_range_is_a_usage_error(empty_project, cli, value):
    result = cli(empty_project, "bundle", "--min-completion", value)
    assert result.exit_code == 2 and "Invalid value for '--min-completion'" in result.output


def test_an_input_that_cannot_be_read_holds_back_the_locales_it_concerns(site, cli):
    """An unreadable glossary left the glossary checks unrun, yet the locale was published."""
    assert "nl: published" in cli(site, "bundle", "nl").output
    glossary = site / "glossary.csv"
    kept = glossary.read_bytes()
    glossary.write_bytes(kept + b"Biotin,\x00\n")
    result = cli(site, "bundle", "nl")
    assert result.exit_code == 2
    assert "nl: held back" in result.output and "1 input file could not be read" in result.output
    assert not (site / "dist/bundles/nl.tar.gz").exists()
    # Another locale's unreadable catalog does not hold nl back; its own does.
    glossary.write_bytes(kept)
    (site / f"locales/de/{BALD}.po").write_text('msgid "a"\nmsgstr "b\n')
    result = cli(site, "bundle", "nl", "de")
    assert result.exit_code == 2 and "nl: published" in result.output
    (site / f"locales/nl/{BALD}.po").write_text('msgid "a"\nmsgstr "b\n')
    assert "nl: held back" in cli(site, "bundle", "nl").output
