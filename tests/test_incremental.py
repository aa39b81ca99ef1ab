"""A rerun with nothing changed does no work and rewrites nothing; a change redoes only what
depends on it."""

from __future__ import annotations

import json

import toolkit.catalog
import toolkit.segment


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

    monkeypatch.setattr("toolkit.pipeline.segment_article", counting("segment", real_segment))
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
    return {
        str(p.relative_to(root)): p.read_bytes()
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
            cli(root, "update").output,
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
    po.write_text('msgid "a"\nmsgstr "b" "c"\n', "utf-8")
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
