"""The findings of a check kept on disk beyond a bound: read back exactly as a stable sort of
everything in memory would give them, and the check's reports the same whether or not any
finding went to disk."""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import spill
from toolkit.spill import Shelf, SortedSpill

from .conftest import refuse_temporary_files


def _spill(limit: int) -> SortedSpill:
    # Items are (key, serial): equal keys tell whether the order of adding was kept.
    return SortedSpill(lambda item: item[0], list, tuple, limit=limit)


@settings(max_examples=300, deadline=None)
@given(
    limit=st.integers(1, 7),
    groups=st.lists(
        st.tuples(st.sampled_from(["append", "extend", "iadd"]), st.lists(st.integers(0, 5))),
        max_size=12,
    ),
)
def test_reads_back_a_stable_sort_of_everything_added(limit, groups):
    bag = _spill(limit)
    added = []
    for how, keys in groups:
        items = [(k, len(added) + i) for i, k in enumerate(keys)]
        added += items
        if how == "append":
            for item in items:
                bag.append(item)
        elif how == "extend":
            bag.extend(iter(items))
        else:
            bag += items
        assert len(bag._items) < limit  # never more than the bound in memory
    assert len(bag._runs) == len(added) // limit  # the rest was written out
    expected = sorted(added, key=lambda item: item[0])
    assert len(bag) == len(added)
    assert list(bag) == expected
    assert list(bag) == expected  # read again: the runs are read afresh


def test_iterations_may_nest():
    bag = _spill(3)
    bag.extend((k % 4, k) for k in range(10))
    assert len(bag._runs) == 3
    pairs = [(a, b) for a in bag for b in bag]
    expected = sorted(((k % 4, k) for k in range(10)), key=lambda item: item[0])
    assert pairs == [(a, b) for a in expected for b in expected]


def test_nothing_is_written_below_the_bound():
    bag = _spill(100)
    bag.extend((k, k) for k in range(99))
    assert bag._runs == [] and bag._files == []


def test_close_frees_the_runs_and_the_spill_stays_usable():
    bag = _spill(2)
    bag.extend((k, k) for k in range(5))
    files = list(bag._files)
    assert len(files) == 2
    bag.close()
    assert all(f.closed for f in files) and len(bag) == 0 and list(bag) == []
    bag.extend([(1, 0), (0, 1), (0, 2)])
    assert list(bag) == [(0, 1), (0, 2), (1, 0)]


def test_a_limit_of_zero_still_keeps_every_item():
    bag = _spill(0)
    bag.extend([(2, 0), (1, 1)])
    bag.append((0, 2))
    assert list(bag) == [(0, 2), (1, 1), (2, 0)]


@pytest.mark.parametrize("fmt", ["json", "text", "html"])
def test_check_reports_are_the_same_when_findings_go_to_disk(
    project_dir, cli, monkeypatch, tmp_path, fmt
):
    shutil.rmtree(project_dir / "locales" / "nl")
    assert cli(project_dir, "init", "nl").exit_code == 0  # untranslated: a finding per entry
    in_memory = cli(project_dir, "check", "--format", fmt)
    if fmt == "json":
        assert len(json.loads(in_memory.output)["findings"]) > 100
    import tempfile

    monkeypatch.setattr(spill, "LIMIT", 7)  # a run to disk every 7 findings
    runs = []
    spill_once = SortedSpill._spill
    monkeypatch.setattr(SortedSpill, "_spill", lambda self: runs.append(1) or spill_once(self))
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    on_disk = cli(project_dir, "check", "--format", fmt)
    assert len(runs) > 10
    assert on_disk.exit_code == in_memory.exit_code
    assert on_disk.output == in_memory.output
    assert list(temporary.iterdir()) == []  # nothing left behind


def test_translations_that_differ_are_found_when_the_index_goes_to_disk(
    project_dir, cli, monkeypatch
):
    """The check across catalogs (the same text translated differently) finds the same,
    whether the locale's entries are held in memory or mostly on disk."""
    from toolkit import catalog

    nl = project_dir / "locales" / "nl"
    original = catalog.load(nl / "autoimmune-related-balding.po")
    translated = [e for e in original if e.msgstr and not e.obsolete and "fuzzy" not in e.flags]
    assert len(translated) > 20
    for copy, changed in (("copy-a", 0), ("copy-b", 5)):
        po = catalog.load(nl / "autoimmune-related-balding.po")
        for e in [e for e in po if e.msgid in {t.msgid for t in translated[::4]}][:changed]:
            e.msgstr = f"{e.msgstr} (anders)"
        catalog.write(po, nl / f"{copy}.po", "PO-Revision-Date")
    args = ("check", "nl", "--only", "inconsistent", "--format", "json", "--no-pages")
    in_memory = cli(project_dir, *args)
    found = json.loads(in_memory.output)["findings"]
    assert len(found) == 15  # 5 texts, each in 3 catalogs
    assert {f["article"] for f in found} == {"autoimmune-related-balding", "copy-a", "copy-b"}
    monkeypatch.setattr(spill, "LIMIT", 3)
    assert cli(project_dir, *args).output == in_memory.output


def test_a_text_translated_two_ways_within_one_catalog(project_dir, cli, monkeypatch):
    """The same msgid twice in one catalog (two contexts), translated differently there only,
    is found with the index in memory and on disk alike."""
    import polib

    from toolkit import catalog

    nl = project_dir / "locales" / "nl"
    path = nl / "autoimmune-related-balding.po"
    po = catalog.load(path)
    first = next(e for e in po if e.msgstr and not e.obsolete and "fuzzy" not in e.flags)
    po.append(polib.POEntry(msgctxt="sidebar", msgid=first.msgid, msgstr=first.msgstr + " (2)"))
    catalog.write(po, path, "PO-Revision-Date")
    args = ("check", "nl", "--only", "inconsistent", "--format", "json", "--no-pages")
    in_memory = cli(project_dir, *args)
    found = json.loads(in_memory.output)["findings"]
    assert [f["article"] for f in found] == ["autoimmune-related-balding"] * 2
    assert {f["msgstr"] for f in found} == {first.msgstr, first.msgstr + " (2)"}
    monkeypatch.setattr(spill, "LIMIT", 2)
    assert cli(project_dir, *args).output == in_memory.output


def test_bundle_without_room_for_the_findings_is_one_line_and_exit_2(
    project_dir, cli, monkeypatch, tmp_path
):
    import tempfile

    monkeypatch.setattr(spill, "LIMIT", 2)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    result = cli(project_dir, "bundle", "nl")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert [ln for ln in result.output.splitlines() if "temporary file" in ln] == [
        f"localise: error: {tmp_path / 'missing'}: could not write to a temporary file "
        "(No such file or directory); set TMPDIR to a folder with room"
    ]


def test_the_summary_is_the_callers_to_change():
    from toolkit.checks.run import CheckResult
    from toolkit.model import Finding

    res = CheckResult()
    res.findings.append(Finding("numbers", "error", "m", locale="nl", article="a"))
    res.summary()["by_locale"]["nl"]["error"] = 100
    assert res.summary()["by_locale"]["nl"]["error"] == 1


def test_a_temporary_folder_that_cannot_be_written_is_one_line_and_exit_2(
    project_dir, cli, monkeypatch, tmp_path
):
    import tempfile

    shutil.rmtree(project_dir / "locales" / "nl")
    assert cli(project_dir, "init", "nl").exit_code == 0
    monkeypatch.setattr(spill, "LIMIT", 7)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    result = cli(project_dir, "check")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if "temporary file" in ln]
    assert len(lines) == 1 and str(tmp_path / "missing") in lines[0] and "TMPDIR" in lines[0]


@pytest.mark.parametrize("temporary_files", [True, False])
def test_a_shelf_gives_back_what_was_put_on_disk_or_in_memory(monkeypatch, temporary_files):
    """Values by name, the last put under a name; where no temporary file can be made, they
    are held in memory instead, with the same results."""
    if not temporary_files:
        refuse_temporary_files(monkeypatch)
    shelf = Shelf()
    entries = [("Take 30\u00a0mg of zinc.", "Neem 30\u00a0mg zink."), ("Hi.", "Hoi.")]
    shelf.put("a.po", entries)
    shelf.put("b.po", [])
    shelf.put("a.po", entries[:1])
    assert "a.po" in shelf and "c.po" not in shelf
    assert shelf.names() == {"a.po", "b.po"}
    assert (
        shelf.get("a.po") == entries[:1] and shelf.get("b.po") == [] and shelf.get("c.po") is None
    )
    assert bool(shelf._files) == temporary_files and bool(shelf._held) != temporary_files
    shelf.close()
    assert shelf.names() == set() and shelf.get("a.po") is None


@pytest.mark.parametrize("failure", ["raises", "writes half"])
def test_a_shelf_whose_disk_fills_up_keeps_what_it_wrote_and_holds_the_rest(monkeypatch, failure):
    """A full disk partway: the values written whole are read back from the file, that one
    and every later one are held in memory (no write is tried again), and closing works."""
    import os

    real = os.pwrite
    offsets = []

    def pwrite(fd, data, offset):
        offsets.append(offset)
        if len(offsets) <= 2:
            return real(fd, data, offset)
        if failure == "raises":
            raise OSError(28, "No space left on device")
        return real(fd, data[: len(data) // 2], offset)

    monkeypatch.setattr(os, "pwrite", pwrite)
    shelf = Shelf()
    values = {f"{n}.po": [(f"text {n}", "x" * n)] for n in range(6)}
    for name, value in values.items():
        shelf.put(name, value)
    assert {name: shelf.get(name) for name in values} == values
    assert sorted(shelf._at) == ["0.po", "1.po"] and len(offsets) == 3
    shelf.close()
    assert shelf.get("0.po") is None


def test_a_shelf_without_positioned_writes_holds_its_values(monkeypatch):
    """Where the system has no os.pwrite (Windows), the values are held in memory."""
    monkeypatch.setattr(spill, "_POSITIONED", False)
    shelf = Shelf()
    shelf.put("a.po", [("Hi.", "Hoi.")])
    assert shelf.get("a.po") == [("Hi.", "Hoi.")] and not shelf._files
