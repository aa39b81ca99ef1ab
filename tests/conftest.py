"""Shared fixtures: a copy of the real sample project, and helpers to run the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "source").iterdir())


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A copy of the repository's sample project (sources, catalogs, glossary, settings)."""
    dest = tmp_path / "project"
    dest.mkdir()
    shutil.copytree(ROOT / "source", dest / "source")
    if (ROOT / "locales").is_dir():
        shutil.copytree(ROOT / "locales", dest / "locales")
    for name in ("glossary.csv", "pyproject.toml"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, dest / name)
    return dest


@pytest.fixture
def empty_project(tmp_path: Path) -> Path:
    dest = tmp_path / "empty"
    (dest / "source").mkdir(parents=True)
    (dest / "localise.toml").write_text('source_language = "en"\nlocales = ["nl"]\n')
    return dest


def run_cli(project: Path, *args: str, input: str | None = None):
    from cli import main

    return CliRunner().invoke(
        main, ["-C", str(project), *args], input=input, catch_exceptions=False
    )


@pytest.fixture
def cli():
    return run_cli


def refuse_temporary_files(monkeypatch) -> None:
    """Make every ``tempfile.TemporaryFile`` fail as on a full disk."""

    def refused(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tempfile.TemporaryFile", refused)
