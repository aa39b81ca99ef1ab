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
