"""Atomic writes: the temporary file, its name and mode, the folder, and what is left behind."""

from __future__ import annotations

import os
import signal
import stat

import pytest

from toolkit import fsutil
from toolkit.fsutil import write_atomic


def test_a_missing_folder_is_made(tmp_path):
    path = tmp_path / "dist" / "nl" / "page.html"
    assert write_atomic(path, "<p>Hallo</p>")
    assert path.read_text() == "<p>Hallo</p>"
    assert os.listdir(path.parent) == ["page.html"]


def test_unchanged_bytes_leave_the_file_alone(tmp_path):
    path = tmp_path / "a.pot"
    write_atomic(path, b"same")
    before = os.stat(path)
    assert not write_atomic(path, b"same")
    assert not write_atomic(path, iter(["sa", "me"]))  # in chunks: compared after writing
    assert os.stat(path).st_ino == before.st_ino
    assert os.listdir(tmp_path) == ["a.pot"]


def test_a_temporary_file_left_by_a_dead_process_is_stepped_over(tmp_path, monkeypatch):
    """A crashed run may leave ``.<name>.<pid>-<n>.tmp``; a later process with the same pid
    must neither fail on it nor write into it."""
    path = tmp_path / "a.po"
    monkeypatch.setattr(fsutil, "_serial", 0)
    stale = tmp_path / f".a.po.{os.getpid()}-1.tmp"
    stale.write_bytes(b"half a file")
    assert write_atomic(path, b"whole")
    assert path.read_bytes() == b"whole"
    assert stale.read_bytes() == b"half a file"


def test_the_mode_is_what_the_umask_gives(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "a.html", b"x")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "a.html").st_mode & 0o777 == 0o640


def test_a_failed_write_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "a.po"
    write_atomic(path, b"old")

    def chunks():
        yield "new"
        raise RuntimeError("the renderer failed half-way")

    with pytest.raises(RuntimeError):
        write_atomic(path, chunks())
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.po"]


def test_a_folder_that_takes_no_file_is_an_error_not_a_loop(tmp_path, monkeypatch):
    """/proc/x.json: the folder "exists" after mkdir, yet no file can be made in it."""

    def refuse(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", args[0])

    monkeypatch.setattr(fsutil.os, "open", refuse)
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "report.json", "{}")


def test_a_file_the_system_refuses_is_one_line_naming_it_and_exit_2(project_dir, cli):
    (project_dir / "blocker").write_text("a file where a folder should be")
    result = cli(project_dir, "build", "--report", str(project_dir / "blocker/r.json"))
    assert result.exit_code == 2
    assert "blocker/r.json" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()[-1]) < 200


@pytest.fixture
def fifo(tmp_path):
    """A named pipe no one writes to: opening it to read waits for ever, so the test fails
    (after 10 s) instead of hanging."""
    path = tmp_path / "pipe"
    os.mkfifo(path)

    def hung(signum, frame):
        pytest.fail("blocked on the FIFO")  # not an OSError, which localise may catch

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    yield path
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize(
    "args, reason",
    [
        (["check", "--page", "{}", "--lang", "nl"], "cannot read: not a regular file"),
        (["translate", "nl", "--dry-run", "--import-tmx", "{}"], "cannot read: not a regular file"),
        (["translate", "nl", "--dry-run", "--export-tmx", "{}"], "not a regular file"),
        (["build", "--report", "{}"], "not a regular file"),
        (["check", "--output", "{}"], "not a regular file"),
    ],
)
def test_a_fifo_named_on_the_command_line_is_refused_not_waited_on(
    project_dir, cli, fifo, args, reason
):
    result = cli(project_dir, *[a.format(fifo) for a in args])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"localise: error: {fifo}: {reason}"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # a write does not replace it either


@pytest.mark.parametrize(
    "name, command",
    [
        ("glossary.csv", "glossary check"),
        ("glossary.csv", "check"),
        ("locales/nl/autoimmune-related-balding.po", "check"),
        ("locales/nl/autoimmune-related-balding.po", "build"),
        ("locales/nl/autoimmune-related-balding.po", "update"),
        ("locales/templates/autoimmune-related-balding.pot", "check"),
        ("locales/templates/autoimmune-related-balding.pot", "update"),
        ("glossary.csv", "bundle nl --min-completion 0 --allow-warnings"),
    ],
)
def test_a_fifo_in_the_project_is_refused_not_waited_on(project_dir, cli, fifo, name, command):
    (project_dir / name).unlink()
    fifo.rename(project_dir / name)
    result = cli(project_dir, *command.split())
    assert result.exit_code == 2
    assert f"{name}: " in result.output and "not a regular file" in result.output


def test_read_regular_refuses_a_folder_as_before(tmp_path):
    with pytest.raises(IsADirectoryError):
        fsutil.read_regular(tmp_path)


def test_a_device_is_not_replaced_by_a_report(project_dir, cli, tmp_path):
    """`check --output /dev/null` run as root renamed the report over /dev/null."""
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        pytest.skip("making a device needs root")
    for args in (["check", "--output", str(null)], ["build", "--report", str(null)]):
        result = cli(project_dir, *args)
        assert result.exit_code == 2
        assert result.output.splitlines()[-1] == f"localise: error: {null}: not a regular file"
        assert stat.S_ISCHR(os.stat(null).st_mode)


def test_ctrl_c_is_exit_130_and_leaves_no_temporary_file(project_dir, cli, monkeypatch):
    """Interrupted in the middle of writing a catalog: the file is whole, no .tmp is left, and
    the exit code is the shell's for Ctrl-C, not 1 (which a CI job reads as failed checks)."""
    import os

    from toolkit import fsutil

    po = project_dir / "locales/nl/dermatomyositis-hair-loss-causes.po"
    before = po.read_bytes()
    po.write_bytes(before + b"\n")  # a blank line more: update writes the file again
    real_replace = os.replace

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(fsutil.os, "replace", interrupted)
    result = cli(project_dir, "update", "--jobs", "1")
    monkeypatch.setattr(fsutil.os, "replace", real_replace)
    assert result.exit_code == 130
    assert "localise: interrupted" in result.output and "Traceback" not in result.output
    assert po.read_bytes() == before + b"\n"
    assert not list(project_dir.rglob("*.tmp"))
