"""A rerun with nothing changed does no work and rewrites nothing; a change redoes only what
depends on it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import toolkit.catalog
import toolkit.segment

from .conftest import refuse_temporary_files


def test_rerun_skips_unchanged_articles(project_dir, cli, monkeypatch):
    for step in ("extract", "update", "build"):
        assert cli(project_dir, step).exit_code == 0
    first_build = cli(project_dir, "build", "--report", str(project_dir / "r1.json")).output
    files = {
        p: p.read_bytes()
        for p in list((project_dir / "locales").rglob("*.po*"))
        + list((project_dir / "dist").rglob("*.html"))
    }

    calls = {"segment": 0, "merge": 0, "load": 0}
    real_segment, real_merge, real_load = (
        toolkit.segment.segment_article,
        toolkit.catalog.merge,
        toolkit.catalog.load,
    )

    def counting(name, real):
        def wrapper(*a, **k):
            calls[name] += 1
            return real(*a, **k)

        return wrapper

    monkeypatch.setattr("toolkit.segment.segment_article", counting("segment", real_segment))
    monkeypatch.setattr(toolkit.catalog, "merge", counting("merge", real_merge))
    monkeypatch.setattr(toolkit.catalog, "load", counting("load", real_load))
    assert "0 templates written" in cli(project_dir, "extract").output
    assert "0 updated, 0 created, 5 unchanged" in cli(project_dir, "update").output
    again = cli(project_dir, "build", "--report", str(project_dir / "r2.json")).output
    assert calls == {"segment": 0, "merge": 0, "load": 0}
    assert again == first_build
    assert json.loads((project_dir / "r1.json").read_text()) == json.loads(
        (project_dir / "r2.json").read_text()
    )
    for p, data in files.items():
        assert p.read_bytes() == data

    # one article changes: only it is segmented, merged and rendered again
    path = project_dir / "source/dermatomyositis-hair-loss-causes.txt"
    path.write_text(path.read_text() + "\nA new closing paragraph about hair loss.\n")
    cli(project_dir, "extract")
    cli(project_dir, "update")
    cli(project_dir, "build")
    assert calls["segment"] == 1 and calls["merge"] == 1


# --- --jobs: the same output from any number of processes -----------------------------------


def _snapshot(root):
    """Catalogs, pages and what each step recorded (not the files' stat records: their times,
    inodes and paths are the machine's, not the output's)."""
    return {
        str(p.relative_to(root)): (
            json.loads(p.read_bytes())["items"] if p.name.startswith("state-") else p.read_bytes()
        )
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and not p.name.startswith(".")
        and (p.parts[len(root.parts)] in ("locales", "dist") or p.name.startswith("state-"))
    }


def test_jobs_give_the_same_files_and_output(project_dir, cli, tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    shutil.rmtree(project_dir / "locales/templates")  # so that the workers write them
    other = tmp_path / "other"
    shutil.copytree(project_dir, other)
    outputs = {}
    for root, jobs in ((project_dir, "1"), (other, "3")):
        outputs[jobs] = [
            cli(root, "extract", "--jobs", jobs).output,
            cli(root, "update", "--jobs", jobs).output,
            cli(root, "build", "--jobs", jobs, "--report", str(root / "r.json")).output,
        ]
        # and a rerun that has nothing to do
        outputs[jobs].append(cli(root, "build", "-j", jobs).output)
    assert outputs["1"] == outputs["3"]
    assert "5 templates written" in outputs["3"][0]
    snap = _snapshot(project_dir)
    assert any(k.startswith("dist/") for k in snap) and any(k.startswith("locales/") for k in snap)
    assert snap == _snapshot(other)
    assert (project_dir / "r.json").read_bytes() == (other / "r.json").read_bytes()


def test_jobs_one_bad_file_costs_no_other_files_work(project_dir, cli):
    assert cli(project_dir, "extract").exit_code == 0
    assert cli(project_dir, "update").exit_code == 0
    (project_dir / "source/broken.json").write_text('{"title": "x", "content": ', "utf-8")
    po = next((project_dir / "locales/nl").glob("*.po"))
    po.write_text('msgid "a"\nmsgstr "b\n', "utf-8")
    extract = cli(project_dir, "extract", "-j", "2")
    assert extract.exit_code == 2 and "broken.json" in extract.output
    build = cli(project_dir, "build", "-j", "2", "-q")
    assert build.exit_code == 2 and po.name in build.output
    pages = sorted(p.stem for p in (project_dir / "dist/nl").glob("*.html"))
    templates = sorted(p.stem for p in (project_dir / "locales/templates").glob("*.pot"))
    assert pages == sorted(set(templates) - {po.stem})


def test_ordered_map_keeps_order_runs_closures_and_raises():
    import pytest

    from toolkit.parallel import ordered_map

    offset = 10

    def work(n):  # a closure: workers are forked with it
        if n == 7:
            raise ValueError("seven")
        return n + offset, __import__("os").getpid()

    results = list(ordered_map(work, range(7), 2))
    assert [r for r, _ in results] == list(range(10, 17))
    assert len({pid for _, pid in results}) >= 1
    with pytest.raises(ValueError, match="seven"):
        list(ordered_map(work, range(9), 2))
    assert list(ordered_map(lambda n: n * 2, iter(range(50)), 3)) == list(range(0, 100, 2))
    assert [r for r, _ in ordered_map(work, range(7), 2, lambda n: n % 3 == 0)] == list(
        range(10, 17)
    )


def _pids(items, jobs, light=None, before_fork=None):
    """(item, pid of the process that did it) for each item, in order."""
    import os

    from toolkit.parallel import ordered_map

    return list(ordered_map(lambda n: (n, os.getpid()), items, jobs, light, before_fork))


def test_light_items_are_done_by_the_main_process_in_order():
    import os

    out = _pids(range(40), 2, light=lambda n: n % 5 == 0)
    assert [n for n, _ in out] == list(range(40))
    assert all(pid == os.getpid() for n, pid in out if n % 5 == 0)
    assert all(pid != os.getpid() for n, pid in out if n % 5)


def test_auto_starts_workers_only_for_enough_work(monkeypatch):
    import os

    from toolkit import parallel

    monkeypatch.setattr(parallel, "default_jobs", lambda: 2)
    forks = []
    main = os.getpid()
    few = _pids(range(parallel.AUTO_MIN - 1), 0, before_fork=lambda: forks.append(1))
    assert [n for n, _ in few] == list(range(parallel.AUTO_MIN - 1))
    assert {pid for _, pid in few} == {main} and forks == []
    # A rerun: many items, all of them light: no worker either.
    rerun = _pids(range(500), 0, light=lambda n: True, before_fork=lambda: forks.append(1))
    assert {pid for _, pid in rerun} == {main} and forks == []
    many = _pids(range(200), 0, light=lambda n: n < 100, before_fork=lambda: forks.append(1))
    assert [n for n, _ in many] == list(range(200))
    assert forks == [1]  # once, before the workers were started
    assert main not in {pid for n, pid in many if n >= 100}  # the heavy ones, by workers
    assert {pid for n, pid in many if n < 100} == {main}
    monkeypatch.setattr(parallel, "default_jobs", lambda: 1)
    assert {pid for _, pid in _pids(range(200), 0)} == {main}  # one CPU: no worker
    monkeypatch.setattr(parallel, "default_jobs", lambda: 2)
    monkeypatch.setattr(parallel, "AUTO_FORKS", False)  # as on macOS
    assert {pid for _, pid in _pids(range(200), 0)} == {main}  # macOS: only when asked
    assert main not in {pid for _, pid in _pids(range(200), 2)}


def test_auto_asks_whether_an_item_is_light_once(monkeypatch):
    """Auto mode reads items ahead to decide; light() (which may read and hash a file) is
    not asked again of them."""
    from toolkit import parallel

    monkeypatch.setattr(parallel, "default_jobs", lambda: 2)
    asked = []

    def light(n):
        asked.append(n)
        return n % 3 == 0

    done = list(parallel.ordered_map(lambda n: n * 2, range(100), 0, light))
    assert done == [n * 2 for n in range(100)] and sorted(asked) == list(range(100))


# --- stat records: unchanged files are known without reading them ---------------------------


def _counting(monkeypatch, target: str):
    """Count the calls of ``module.function`` (keeps it working)."""
    import importlib

    module_name, name = target.rsplit(".", 1)
    module = importlib.import_module(module_name)
    real = getattr(module, name)
    calls = []

    def wrapper(*a, **k):
        calls.append(a)
        return real(*a, **k)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_stat_cache_reads_only_changed_and_racy_files(tmp_path, monkeypatch):
    import os

    from toolkit.state import StatCache, file_digest

    path = tmp_path / "a.po"
    path.write_text('msgid "30 mg"\nmsgstr "30 mg"\n')
    first = StatCache()
    value = first.digest(path)
    assert value == file_digest(path) and first.changed
    mtime = path.stat().st_mtime_ns
    reads = _counting(monkeypatch, "toolkit.state.file_digest")

    # Saved after the file was written: its record is trusted, the file is not read.
    assert StatCache(first.kept(), stamp=mtime + 1).digest(path) == value
    assert reads == []
    # Racy: the file is as young as the state file, so it may have changed within the same
    # tick of the clock: it is read.
    assert StatCache(first.kept(), stamp=mtime).digest(path) == value
    assert len(reads) == 1

    # A changed dose, same size, a new modification time: read again, new digest.
    path.write_text('msgid "30 mg"\nmsgstr "80 mg"\n')
    os.utime(path, ns=(mtime + 10**9, mtime + 10**9))
    cache = StatCache(first.kept(), stamp=mtime + 2 * 10**9)
    assert cache.digest(path) == file_digest(path) != value
    assert cache.changed

    path.unlink()
    assert cache.digest(path) == "-" and str(path) not in cache.kept()


def _files(root):
    """Every file under ``root`` with its bytes and identity (a rewrite changes the inode)."""
    return {
        p: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_a_first_build_records_the_catalogs_it_read(project_dir, cli, monkeypatch):
    """The catalogs of a first build are read once, where the pages are made; what they
    were is recorded all the same, so the next build knows them by stat alone."""
    import time

    for step in ("extract", "update"):
        assert cli(project_dir, step).exit_code == 0
    time.sleep(0.05)  # past the clock's tick: the records will not be racy
    digests = _counting(monkeypatch, "toolkit.state.file_digest")
    assert cli(project_dir, "build").exit_code == 0
    assert not [a for a in digests if str(a[0]).endswith(".po")]  # read once, not hashed twice
    pages = _files(project_dir / "dist")
    digests.clear()
    assert cli(project_dir, "build").exit_code == 0
    assert digests == [] and _files(project_dir / "dist") == pages
    # A translator's edit is seen: the catalog's record no longer matches its stat.
    from toolkit import catalog

    po = next((project_dir / "locales/nl").glob("*.po"))
    edited = catalog.load(po)
    entry = next(e for e in edited if catalog.usable(e))
    entry.msgstr += " (herzien)"
    catalog.write(edited, po, "PO-Revision-Date")
    assert cli(project_dir, "build").exit_code == 0
    assert [str(a[0]) for a in digests] == [str(po)]
    assert _files(project_dir / "dist") != pages


def test_rerun_reads_no_source_or_catalog_and_writes_no_file(project_dir, cli, monkeypatch):
    import time

    for step in ("extract", "update", "build"):
        assert cli(project_dir, step).exit_code == 0
    # Past the file system clock's tick, so that no record is racy after the next runs save.
    time.sleep(0.05)
    for step in ("extract", "update", "build"):
        assert cli(project_dir, step).exit_code == 0
    before = _files(project_dir)
    sources = _counting(monkeypatch, "toolkit.sources.read_articles")
    digests = _counting(monkeypatch, "toolkit.state.file_digest")
    for step in ("extract", "update", "build"):
        assert cli(project_dir, step).exit_code == 0
    assert sources == [] and digests == []
    assert _files(project_dir) == before  # state files and caches included

    # State files as old as the epoch: every record is racy, so every file is read once, and
    # the state files are touched (their bytes are the same), so the next run trusts them.
    import os

    for state in (project_dir / ".localise").glob("*.json"):
        os.utime(state, ns=(0, 0))
    time.sleep(0.05)
    for step in ("extract", "update", "build"):
        assert cli(project_dir, step).exit_code == 0
    assert sources and digests
    del sources[:], digests[:]
    for step in ("extract", "update", "build"):
        assert cli(project_dir, step).exit_code == 0
    assert sources == [] and digests == []

    # One source changes: only it is read again.
    path = project_dir / "source/dermatomyositis-hair-loss-causes.txt"
    path.write_text(path.read_text() + "\nA new closing paragraph about hair loss.\n")
    assert "1 template written" in cli(project_dir, "extract").output
    assert [a[0] for a in sources] == [path]


def test_source_index_is_dropped_when_settings_change(project_dir, cli, monkeypatch):
    assert cli(project_dir, "extract").exit_code == 0
    sources = _counting(monkeypatch, "toolkit.sources.read_articles")
    monkeypatch.setattr("toolkit.pipeline._settings_key", lambda project: "other settings")
    assert cli(project_dir, "extract").exit_code == 0
    assert len(sources) == len(list((project_dir / "source").iterdir()))


def test_another_localise_redoes_extract_update_and_build(project_dir, cli, monkeypatch):
    """Code is an input: an edited or upgraded localise (same version number) reuses nothing
    an older one made, and makes the same bytes from the same inputs."""
    import toolkit.state

    for step in ("extract", "update", "build"):
        assert cli(project_dir, step).exit_code == 0
    files = {p: p.read_bytes() for p in (project_dir / "dist").rglob("*.html")}
    segmented = _counting(monkeypatch, "toolkit.segment.segment_article")
    merged = _counting(monkeypatch, "toolkit.catalog.merge")
    pages = _counting(monkeypatch, "toolkit.build.build_page")
    monkeypatch.setattr(toolkit.state, "_CODE_STAMP", ["another localise"])
    for step in ("extract", "update", "build"):
        assert cli(project_dir, step).exit_code == 0
    articles = len(list((project_dir / "locales/templates").glob("*.pot")))
    assert len(segmented) == len(merged) == len(pages) == articles
    assert {p: p.read_bytes() for p in (project_dir / "dist").rglob("*.html")} == files


def test_the_code_stamp_follows_the_files(monkeypatch):
    import toolkit.state

    first = toolkit.state.code_stamp()
    monkeypatch.setattr(toolkit.state, "_CODE_STAMP", [])
    assert toolkit.state.code_stamp() == first
    real_stat = toolkit.state.os.stat
    edited = str(Path(toolkit.state.__file__).resolve())

    def stat(path, *a, **k):
        st = real_stat(path, *a, **k)
        if str(path) == edited:
            return os.stat_result(tuple(st[:10]), {"st_mtime_ns": st.st_mtime_ns + 1})
        return st

    monkeypatch.setattr(toolkit.state, "_CODE_STAMP", [])
    monkeypatch.setattr(toolkit.state.os, "stat", stat)
    assert toolkit.state.code_stamp() != first


# --- the skeleton store ----------------------------------------------------------------------


def test_blob_store_gives_a_blob_only_for_its_key(tmp_path):
    from toolkit.state import BlobStore

    store = BlobStore(tmp_path / ".localise/skeletons.sqlite")
    assert store.get("a", "k1") is None
    store.put("a", "k1", b"\x00one")
    store.put("b", "k1", b"two")
    assert store.get("a", "k1") == b"\x00one"
    assert store.get("a", "k2") is None  # made from another version of the article
    store.put("a", "k2", b"three")
    store.close()
    again = BlobStore(tmp_path / ".localise/skeletons.sqlite")
    assert (again.get("a", "k2"), again.get("b", "k1")) == (b"three", b"two")


def _stored(path) -> list[str]:
    """The names of the rows in a skeleton store's file, sorted (none before its table)."""
    import sqlite3

    db = sqlite3.connect(path)
    try:
        return sorted(name for (name,) in db.execute("SELECT name FROM blob"))
    except sqlite3.OperationalError:  # no table: nothing was written yet
        return []
    finally:
        db.close()


def test_blob_store_writes_rows_in_batches_and_on_flush(tmp_path):
    from toolkit.state import BlobStore

    path = tmp_path / "skeletons.sqlite"
    store = BlobStore(path)
    store.batch = 3

    store.put("a", "k", b"1")
    store.put("b", "k", b"2")
    assert store.get("a", "k") == b"1" and store.get("a", "x") is None  # not written yet
    assert _stored(path) == []
    store.put("c", "k", b"3")  # a full batch
    assert _stored(path) == ["a", "b", "c"]
    store.put("d", "k", b"4")
    store.flush()
    assert _stored(path) == ["a", "b", "c", "d"]
    store.put("e", "k", b"5")
    store.close()
    assert _stored(path) == ["a", "b", "c", "d", "e"]


def test_a_jobs_worker_writes_its_rows_before_its_results_go_back(tmp_path):
    """A worker ends with os._exit, so nothing it keeps for later is ever written: rows of a
    store it inherited and of one it made itself go to the file when its chunk is done; the
    rows its parent had pending when it forked are the parent's to write."""
    from toolkit.parallel import ordered_map
    from toolkit.state import BlobStore

    inherited, own = tmp_path / "inherited.sqlite", tmp_path / "own.sqlite"
    store = BlobStore(inherited)
    store.put("parent", "k", b"p")  # pending in the parent when it forks

    def work(n):
        store.put(f"w{n}", "k", b"x")
        BlobStore(own).put(f"w{n}", "k", b"x")  # never flushed or closed by the worker
        return n

    assert list(ordered_map(work, range(4), 2)) == list(range(4))

    assert _stored(inherited) == _stored(own) == ["w0", "w1", "w2", "w3"]
    store.close()
    assert _stored(inherited) == ["parent", "w0", "w1", "w2", "w3"]


def test_a_worker_calls_what_waits_for_the_chunk_end_once_before_its_results_go_back(tmp_path):
    """What a worker buffers (a store's rows) is written once per chunk of items, not per
    item, and always before the chunk's results reach the main process."""
    from toolkit.parallel import at_chunk_end, ordered_map

    log = tmp_path / "log"

    def lines() -> int:
        return log.read_text().count("\n") if log.exists() else 0

    def flush():
        with open(log, "a") as f:
            f.write("flushed\n")

    def work(n):
        at_chunk_end(flush)
        at_chunk_end(flush)  # asked for twice: called once
        return n, lines()

    received = []
    for n, seen in ordered_map(work, range(40), 2):
        assert lines() > seen  # this item's chunk was flushed before its result came back
        received.append(n)
    assert received == list(range(40))
    assert 2 <= lines() < 40  # a call per chunk, and chunks grow past one item


def test_workers_making_a_new_store_at_once_lose_no_row(tmp_path):
    """Switching a new file to WAL can fail at once with "database is locked" when another
    process does the same (busy timeout or not): 12 trials in 30 lost a row before."""
    from toolkit.parallel import ordered_map
    from toolkit.state import BlobStore

    for trial in range(20):
        path = tmp_path / f"{trial}.sqlite"

        def work(n, path=path):
            BlobStore(path).put(f"w{n}", "k", b"x")
            return n

        list(ordered_map(work, range(4), 2))
        assert _stored(path) == ["w0", "w1", "w2", "w3"], trial


def test_extract_with_workers_stores_every_skeleton(project_dir, cli):
    assert cli(project_dir, "extract", "--jobs", "2").exit_code == 0
    templates = sorted(p.stem for p in (project_dir / "locales/templates").glob("*.pot"))
    assert _stored(project_dir / ".localise/skeletons.sqlite") == templates


def test_a_broken_skeleton_store_costs_time_not_correctness(project_dir, cli, monkeypatch):
    from toolkit import pipeline

    assert cli(project_dir, "extract").exit_code == 0
    cli(project_dir, "update")
    first = {p.name: p.read_bytes() for p in _built(project_dir, cli)}
    pipeline._store.close()
    (project_dir / ".localise/skeletons.sqlite").write_bytes(b"not a database " * 100)
    for suffix in ("-wal", "-shm"):
        (project_dir / f".localise/skeletons.sqlite{suffix}").unlink(missing_ok=True)
    segmented = []
    real = toolkit.segment.segment_article
    monkeypatch.setattr(
        "toolkit.segment.segment_article", lambda a: segmented.append(a.slug) or real(a)
    )
    assert {p.name: p.read_bytes() for p in _built(project_dir, cli, force=True)} == first
    assert len(segmented) == 5  # the store was unusable: every article segmented again
    pipeline._store.close()
    segmented.clear()
    _built(project_dir, cli, force=True)
    assert segmented == []  # and the store was made again


def _built(root, cli, force=False):
    import shutil

    if force:
        shutil.rmtree(root / "dist")
    assert cli(root, "build").exit_code == 0
    return sorted((root / "dist/nl").glob("*.html"))


def test_a_locked_skeleton_store_is_a_miss_and_is_kept(tmp_path):
    """Only a file that is not a database is removed, not one another process holds."""
    import sqlite3

    from toolkit.state import BlobStore, _seal

    path = tmp_path / "skeletons.sqlite"
    # A rollback journal: opening the file in WAL mode needs its lock.
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE blob (name TEXT PRIMARY KEY, key TEXT, data BLOB)")
    sealed = ("a", "k|sealed", _seal("a", "k", b"kept"))
    other.execute("INSERT INTO blob VALUES (?, ?, ?)", sealed)
    other.execute("BEGIN EXCLUSIVE")
    store = BlobStore(path)
    store.timeout = 0.05
    assert store.get("a", "k") is None  # locked: a miss
    store.put("b", "k", b"lost")
    store.flush()  # and no error
    other.execute("ROLLBACK")
    other.close()
    again = BlobStore(path)
    assert (again.get("a", "k"), again.get("b", "k")) == (b"kept", None)


def test_a_blob_is_sealed_with_its_name_and_key_and_old_rows_are_misses(tmp_path):
    """A row whose key or name changed under its blob (a torn write), and a row written
    before the seals (by an older localise), are misses; an older localise reading a
    sealed row finds no row of its key."""
    import sqlite3

    from toolkit.state import BlobStore

    path = tmp_path / "store.sqlite"
    store = BlobStore(path)
    store.put("a", "k", b"blob")
    store.close()
    assert BlobStore(path).get("a", "k") == b"blob"
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT key FROM blob").fetchone() == ("k|sealed",)  # not "k"
        conn.execute("UPDATE blob SET key = 'other|sealed'")
    assert BlobStore(path).get("a", "other") is None
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE blob SET key = 'k|sealed', name = 'b'")
    assert BlobStore(path).get("b", "k") is None
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO blob VALUES ('old', 'k', ?)", (b"unsealed",))
    assert BlobStore(path).get("old", "k") is None


# --- update: a change redoes the articles it touches, and no other ---------------------------


def test_a_translators_edit_is_merged_alone_and_no_catalog_else_is_read(
    project_dir, cli, monkeypatch
):
    """A catalog's merge depends on the other catalogs (the memory) only through template
    texts it does not have yet: one edited catalog is merged again, and the memory of the
    whole locale is not read for it."""
    from toolkit import catalog

    for step in ("extract", "update"):
        assert cli(project_dir, step).exit_code == 0
    po = project_dir / "locales/nl/autoimmune-related-balding.po"
    edited = catalog.load(po)
    entry = next(e for e in edited if catalog.usable(e))
    entry.msgstr += " (herzien)"
    catalog.write(edited, po, "PO-Revision-Date")
    merges = _counting(monkeypatch, "toolkit.catalog.merge")
    loads = _counting(monkeypatch, "toolkit.catalog.load")
    assert "0 updated, 0 created, 5 unchanged" in cli(project_dir, "update").output
    assert len(merges) == 1 and sorted(str(a[0]) for a in loads) == sorted(
        [str(po), str(project_dir / "locales/templates/autoimmune-related-balding.pot")]
    )


MOVED = "Take 30\u00a0mg of zinc daily, with food."
MOVED_NL = "Neem dagelijks 30\u00a0mg zink, bij het eten."


def _pages(root, cli, steps=("extract", "update"), **pages: str) -> None:
    """Write source articles (name -> HTML), then run ``steps``."""
    for name, html in pages.items():
        (root / "source" / f"{name}.html").write_text(html)
    for step in steps:
        assert cli(root, step).exit_code == 0


def _translate(po_path, msgid: str, msgstr: str) -> None:
    """A translator's edit."""
    from toolkit import catalog

    po = catalog.load(po_path)
    next(e for e in po if e.msgid == msgid).msgstr = msgstr
    catalog.write(po, po_path, "PO-Revision-Date")


def _entry(po_path, msgid: str):
    from toolkit import catalog

    return next(e for e in catalog.load(po_path) if e.msgid == msgid)


@pytest.mark.parametrize("temporary_files", [True, False])
def test_text_moved_to_another_article_takes_its_translation_along(
    empty_project, cli, monkeypatch, temporary_files
):
    """A paragraph moved from article a to article b: a's catalog keeps it as obsolete and b's
    gets it as a fuzzy suggestion from a, as the locale's catalogs were before the update
    (a is merged, and rewritten, before b asks the memory; its entries from before wait in a
    temporary file, or in memory where none can be made)."""
    if not temporary_files:
        refuse_temporary_files(monkeypatch)
    nl = empty_project / "locales/nl"
    _pages(empty_project, cli, a=f"<p>{MOVED}</p><p>Zinc is a trace element.</p>", b="<p>Hi.</p>")
    _translate(nl / "a.po", MOVED, MOVED_NL)
    _pages(empty_project, cli, a="<p>Zinc is a trace element.</p>", b=f"<p>Hi.</p><p>{MOVED}</p>")
    old, new = _entry(nl / "a.po", MOVED), _entry(nl / "b.po", MOVED)
    assert old.obsolete and old.msgstr == MOVED_NL
    assert new.fuzzy and new.msgstr == MOVED_NL and new.tcomment == "memory: a"
    # and the next update has nothing to do
    assert "0 updated, 0 created, 2 unchanged" in cli(empty_project, "update").output


def _moved_text_project(root, cli) -> None:
    """Articles a and b; b's translator translates a sentence; b gets a new paragraph (its
    merge reads the memory, and keeps the entries of b as written); then the sentence moves
    from b to a."""
    _pages(root, cli, a="<p>Hi.</p>", b=f"<p>{MOVED}</p><p>Zinc is a trace element.</p>")
    _translate(root / "locales/nl/b.po", MOVED, MOVED_NL)
    _pages(root, cli, b=f"<p>{MOVED}</p><p>Zinc is a trace element.</p><p>See a doctor.</p>")
    _pages(root, cli, ("extract",), a=f"<p>Hi.</p><p>{MOVED}</p>", b="<p>See a doctor.</p>")


def test_the_memory_reads_only_catalogs_changed_since_it_was_kept(empty_project, cli, monkeypatch):
    _moved_text_project(empty_project, cli)
    assert (empty_project / ".localise/cache/memory.sqlite").is_file()
    loads = _counting(monkeypatch, "toolkit.catalog.load")
    assert cli(empty_project, "update").exit_code == 0
    # The templates and catalogs of a and b, to merge them, and nothing for the memory: a's
    # entries were kept when it was read, b's when it was written.
    read = sorted(Path(a[0]).relative_to(empty_project).as_posix() for a in loads)
    assert read == [
        "locales/nl/a.po",
        "locales/nl/b.po",
        "locales/templates/a.pot",
        "locales/templates/b.pot",
    ]
    new = _entry(empty_project / "locales/nl/a.po", MOVED)
    assert new.fuzzy and new.msgstr == MOVED_NL and new.tcomment == "memory: b"


def test_a_damaged_memory_store_costs_time_not_a_suggestion(empty_project, cli):
    _moved_text_project(empty_project, cli)
    (empty_project / ".localise/cache/memory.sqlite").write_bytes(b"\0garbage" * 512)
    assert cli(empty_project, "update").exit_code == 0
    new = _entry(empty_project / "locales/nl/a.po", MOVED)
    assert new.fuzzy and new.msgstr == MOVED_NL and new.tcomment == "memory: b"


def test_a_catalog_edited_since_its_entries_were_kept_is_read_again(
    empty_project, cli, monkeypatch
):
    _moved_text_project(empty_project, cli)
    _translate(empty_project / "locales/nl/b.po", MOVED, "Neem elke dag 30\u00a0mg zink.")
    loads = _counting(monkeypatch, "toolkit.catalog.load")
    assert cli(empty_project, "update").exit_code == 0
    assert [Path(a[0]).name for a in loads].count("b.po") == 2  # to merge, and for the memory
    new = _entry(empty_project / "locales/nl/a.po", MOVED)
    assert (
        new.fuzzy and new.msgstr == "Neem elke dag 30\u00a0mg zink." and new.tcomment == "memory: b"
    )


def test_the_memory_offers_the_first_catalog_by_name(empty_project, cli):
    nl = empty_project / "locales/nl"
    _pages(empty_project, cli, c=f"<p>{MOVED}</p>", b=f"<p>{MOVED}</p>")
    _translate(nl / "c.po", MOVED, "Neem elke dag 30\u00a0mg zink.")
    _translate(nl / "b.po", MOVED, MOVED_NL)
    _pages(empty_project, cli, a=f"<p>{MOVED}</p>", d=f"<p>{MOVED}</p>")
    for name in ("a", "d"):
        new = _entry(nl / f"{name}.po", MOVED)
        assert new.fuzzy and new.msgstr == MOVED_NL and new.tcomment == "memory: b"


def test_a_locale_named_twice_is_worked_on_once(project_dir, cli):
    for step in ("extract", "update"):
        assert cli(project_dir, step).exit_code == 0
    assert "0 updated, 0 created, 5 unchanged" in cli(project_dir, "update", "nl", "nl").output
    once = cli(project_dir, "build", "nl", "--report", str(project_dir / "once.json"))
    twice = cli(project_dir, "build", "nl", "NL", "--report", str(project_dir / "twice.json"))
    assert once.exit_code == twice.exit_code == 0
    assert (project_dir / "once.json").read_bytes() == (project_dir / "twice.json").read_bytes()


# --- update after a glossary edit: the catalogs whose hints it changes, and no other ---------

GLOSSARY = "term,nl,note\nzinc,zink,\nbiotin,biotine,\n"


def _glossary_project(root, cli) -> None:
    (root / "glossary.csv").write_text(GLOSSARY)
    _pages(
        root,
        cli,
        a=f"<p>{MOVED}</p><p>Biotin is a vitamin.</p>",
        b="<p>Biotin is a vitamin too.</p>",
        c="<p>Iron is a mineral.</p>",
    )


def _hints(po_path, msgid: str) -> list[str]:
    return [c for c in _entry(po_path, msgid).comment.split("\n") if c.startswith("glossary:")]


def _merged(root, cli, monkeypatch, glossary: str) -> list[str]:
    """Edit the glossary, update: the catalogs read (to be merged again)."""
    (root / "glossary.csv").write_text(glossary)
    loads = _counting(monkeypatch, "toolkit.catalog.load")
    assert cli(root, "update").exit_code == 0
    monkeypatch.undo()
    return sorted(Path(a[0]).stem for a in loads if Path(a[0]).suffix == ".po")


def test_a_glossary_edit_merges_only_the_catalogs_whose_hints_it_changes(
    empty_project, cli, monkeypatch
):
    _glossary_project(empty_project, cli)
    nl = empty_project / "locales/nl"
    assert _hints(nl / "a.po", MOVED) == ["glossary: zinc → zink"]
    # A term no text has, a note of a term in a only, a term in a and b, a new term in c.
    assert _merged(empty_project, cli, monkeypatch, GLOSSARY + "ferritin,ferritine,\n") == []
    assert _merged(empty_project, cli, monkeypatch, GLOSSARY.replace("zink,", "zink,Dose!")) == [
        "a"
    ]
    assert _hints(nl / "a.po", MOVED) == ["glossary: zinc → zink — Dose!"]
    assert _merged(
        empty_project, cli, monkeypatch, "term,nl\nzinc,zink\nbiotin,biotine|vitamine B8\n"
    ) == ["a", "b"]
    assert _merged(
        empty_project, cli, monkeypatch, "term,nl\nzinc,zink\niron,ijzer\nbiotin,biotine\n"
    ) == ["a", "b", "c"]
    # What these merges wrote is what a first update writes with that glossary.
    kept = {p.name: p.read_bytes() for p in nl.glob("*.po")}
    shutil.rmtree(empty_project / ".localise")
    for p in nl.glob("*.po"):
        p.write_bytes(p.read_bytes().replace(b"#. glossary:", b"#. was:"))
    assert cli(empty_project, "update").exit_code == 0
    assert {p.name: p.read_bytes() for p in nl.glob("*.po")} == kept


def test_a_glossary_that_cannot_be_read_merges_as_no_glossary(empty_project, cli):
    """As before the hints were compared: an unreadable glossary gives no hints (and an error),
    and the catalogs lose theirs until it is mended."""
    _glossary_project(empty_project, cli)
    (empty_project / "glossary.csv").write_text("word,nl\nzinc,zink\n")
    result = cli(empty_project, "update")
    assert result.exit_code == 2 and "glossary.csv" in result.output
    assert _hints(empty_project / "locales/nl/a.po", MOVED) == []
    (empty_project / "glossary.csv").write_text(GLOSSARY)
    assert cli(empty_project, "update").exit_code == 0
    assert _hints(empty_project / "locales/nl/a.po", MOVED) == ["glossary: zinc → zink"]


def test_a_step_on_one_locale_keeps_the_other_locales_records(empty_project, cli, monkeypatch):
    """`update nl` (or `build nl`) does not forget what it knew of de: de's next run has
    nothing to do."""
    (empty_project / "localise.toml").write_text('source_language = "en"\nlocales = ["nl", "de"]\n')
    _pages(empty_project, cli, ("extract", "update", "build"), a="<p>Zinc.</p>", b="<p>Iron.</p>")
    for step in ("update", "build"):
        assert cli(empty_project, step, "nl").exit_code == 0
    loads = _counting(monkeypatch, "toolkit.catalog.load")
    pages = _counting(monkeypatch, "toolkit.build.build_page")
    assert "0 updated, 0 created, 2 unchanged" in cli(empty_project, "update", "de").output
    assert cli(empty_project, "build", "de").exit_code == 0
    assert loads == [] and pages == []


def test_update_with_jobs_merges_as_in_one_process(empty_project, cli, tmp_path, monkeypatch):
    """Workers merge the catalogs whose merge cannot ask the memory; then, forked again after
    this process read the memory as the catalogs were before the update, those that may (a
    new article, a new or moved paragraph): the same catalogs, records and output as one
    process, through translators' edits, moved text, a new article, glossary edits and files
    that cannot be read."""
    from toolkit import pipeline

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = empty_project
    (root / "localise.toml").write_text('source_language = "en"\nlocales = ["nl", "de"]\n')
    (root / "glossary.csv").write_text(GLOSSARY)
    body = "".join(f"<p>Sentence {n} about zinc.</p>" for n in range(3))
    pages = {f"a{i}": f"<h1>A{i}</h1>{body}" for i in range(6)}
    _pages(root, cli, ("extract", "update"), **pages | {"a1": pages["a1"] + f"<p>{MOVED}</p>"})
    _translate(root / "locales/nl/a1.po", MOVED, MOVED_NL)
    _translate(root / "locales/nl/a2.po", "Sentence 2 about zinc.", "Zin 2 over zink.")
    other = tmp_path / "other"
    shutil.copytree(root, other)
    in_main: dict[str, list] = {"1": [], "3": []}
    real = pipeline._Merger.update

    def counting(self, slug, locale, known, memory):
        if memory is not None:  # a merge that may ask the memory: in this process
            in_main[jobs].append(slug)
        return real(self, slug, locale, known, memory)

    monkeypatch.setattr(pipeline._Merger, "update", counting)
    outputs = {}
    for project, jobs in ((root, "1"), (other, "3")):

        def edit(name: str, html: str, project=project) -> None:
            (project / "source" / f"{name}.html").write_text(html)

        def step(*args, project=project, jobs=jobs) -> str:
            result = (
                cli(project, *args, "--jobs", jobs) if args[0] == "update" else cli(project, *args)
            )
            return f"{result.exit_code} {result.output}"

        out = []
        # A paragraph moves from a1 (rewritten by a worker) to a3, a new article, a new
        # paragraph in a4.
        edit("a1", pages["a1"])
        edit("a3", pages["a3"] + f"<p>{MOVED}</p>")
        edit("b", "<h1>B</h1><p>Sentence 2 about zinc.</p>")
        edit("a4", f"<h1>A4</h1>{body}<p>Iron too.</p>")
        out += [step("extract"), step("update")]
        # A translator's edit in de, a glossary edit, a catalog and a template unreadable.
        _translate(project / "locales/de/a0.po", "Sentence 0 about zinc.", "Satz 0 über Zink.")
        (project / "glossary.csv").write_text(GLOSSARY.replace("zink,", "zink,Dose!"))
        (project / "locales/nl/a5.po").write_text('msgid "a"\nmsgstr "b\n')
        (project / "locales/templates/a2.pot").write_text('msgid "a"\nmsgstr "b\n')
        out += [step("update"), step("update")]
        outputs[jobs] = out
    assert outputs["1"] == outputs["3"]
    assert "2 created" in outputs["1"][1] and "a5.po" in outputs["1"][2]
    assert _snapshot(root) == _snapshot(other)
    moved = _entry(other / "locales/nl/a3.po", MOVED)
    assert moved.fuzzy and moved.msgstr == MOVED_NL and moved.tcomment == "memory: a1"
    # One process merged every catalog, asking the memory as it needed; with workers, the
    # workers did (they share the memory, read here first), and this process none.
    assert len(in_main["1"]) > 12 and in_main["3"] == []


def test_update_forgets_each_articles_texts_once_merged(empty_project, cli, monkeypatch):
    """update's memory stays flat as the corpus grows: the glossary's terms found in a text
    (asked for each locale's hints) are forgotten once the article's catalogs are merged, not
    held for the whole corpus (70 MB at 1,600 pages)."""
    from toolkit.glossary import Glossary

    (empty_project / "localise.toml").write_text('source_language = "en"\nlocales = ["nl", "de"]\n')
    (empty_project / "glossary.csv").write_text(GLOSSARY)
    memo_sizes = []
    real = Glossary.forget

    def forget(self):
        memo_sizes.append(len(self._source_terms))
        real(self)

    monkeypatch.setattr(Glossary, "forget", forget)
    _pages(empty_project, cli, a="<p>Zinc daily.</p>", b="<p>More zinc.</p><p>Less zinc.</p>")
    # Once per article, each time with that article's texts alone (a title-less page: its
    # paragraphs), asked for both locales.
    assert memo_sizes == [1, 2]


def test_a_huge_jobs_number_is_capped_at_what_the_machine_runs(project_dir, cli):
    for step in ("extract", "update"):
        assert cli(project_dir, step).exit_code == 0
    result = cli(project_dir, "build", "--jobs", "99999999999999999999")
    assert result.exit_code == 0, result.output
    assert len(list((project_dir / "dist/nl").glob("*.html"))) == 5


@pytest.mark.parametrize("state", [False, True])
def test_a_new_file_never_takes_an_articles_slug(project_dir, cli, state):
    """A new file sorted before an article's own, with the same slug, took it: the article was
    skipped and its catalogs merged with the new text, every translation made obsolete. The
    slug stays with the file that held it (by the last run's record, or in a fresh clone by
    its template's header), and the new file is the one reported and skipped."""
    slug = "dermatomyositis-hair-loss-causes"
    if state:
        assert cli(project_dir, "extract").exit_code == 0
    catalog = project_dir / f"locales/nl/{slug}.po"
    template = project_dir / f"locales/templates/{slug}.pot"
    before = (catalog.read_bytes(), template.read_bytes())
    (project_dir / "source/a").mkdir()
    (project_dir / f"source/a/{slug}.html").write_text("<p>A different article altogether.</p>")
    result = cli(project_dir, "extract")
    assert result.exit_code == 2
    assert (
        f"source/a/{slug}.html: slug '{slug}' is already used by source/{slug}.txt" in result.output
    )
    assert cli(project_dir, "update").exit_code == 0
    assert (catalog.read_bytes(), template.read_bytes()) == before
    # The article's own file gone, the slug is free for the other one.
    (project_dir / f"source/{slug}.txt").unlink()
    result = cli(project_dir, "extract")
    assert result.exit_code == 0, result.output
    assert "A different article altogether." in template.read_text(encoding="utf-8")
