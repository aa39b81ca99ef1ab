"""Atomic, change-only file writes and the project lock.

Every file the toolkit writes goes through :func:`write_atomic`: the bytes go to a temporary file
in the same folder, which is then renamed over the target, so a reader sees the old file or the
new one and never half of one. A file whose bytes would not change is not touched at all, which
keeps modification times (and make-style tools, and git) quiet.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Iterable
from pathlib import Path


def read_regular(path) -> bytes:
    """A file's bytes, refused (OSError) unless it is a regular file: reading a FIFO would wait
    for ever for a writer, and a device may never end. Opened without blocking, then asked."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with open(fd, "rb") as f:
        _check_regular(os.fstat(fd).st_mode, path)
        return f.read()


def _check_regular(mode: int, path) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, "not a regular file", str(path))


def write_atomic(
    path: Path, data: bytes | str | Iterable[str], durable: bool = True, compare: bool = True
) -> bool:
    """Write ``data`` (bytes, text, or text in chunks, written as they come) to ``path``
    atomically; return False (and leave the file alone) when it already holds exactly these
    bytes. ``durable`` flushes the bytes to the disk before the rename (``fsync``): files a
    person wrote or must not lose; outputs that a rerun rebuilds can skip it. ``compare=False``:
    the caller has compared ``data`` (bytes) with the file already, and it differs."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if isinstance(data, bytes):
        try:
            if compare and read_regular(path) == data:
                return False
        except FileNotFoundError:
            pass
        chunks: Iterable[bytes] = (data,)
    else:
        chunks = (c.encode("utf-8") for c in data)
    fd, tmp = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        if not isinstance(data, bytes) and _same_file(tmp, path):
            os.unlink(tmp)
            return False
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return True


_serial = 0


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new file next to ``path`` (``.<name>.<pid>-<n>.tmp``), open for writing, created as
    any file is (the umask decides its mode). The folder is made when it is missing. No
    ``tempfile``: its random names and ``chmod`` were a quarter of the cost of writing 800
    small files (measured: 0.06 ms against 0.04 ms a file)."""
    global _serial
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    made = False
    while True:
        _serial += 1
        tmp = os.path.join(path.parent, f".{path.name}.{os.getpid()}-{_serial}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue  # left by a process that died with our pid: take the next name
        except FileNotFoundError:
            if made:  # a folder that exists and takes no file (/proc): no second try
                raise
            path.parent.mkdir(parents=True, exist_ok=True)  # then try again, once
            made = True


def _same_file(a: str, b: Path) -> bool:
    try:
        target = os.stat(b)
        _check_regular(target.st_mode, b)  # a FIFO would block the read below
        if os.path.getsize(a) != target.st_size:
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                x, y = fa.read(1 << 20), fb.read(1 << 20)
                if x != y:
                    return False
                if not x:
                    return True
    except FileNotFoundError:
        return False


@contextlib.contextmanager
def project_lock(root: Path):
    """Hold an exclusive lock on the project while a command writes to it, so that two
    ``localise`` processes never interleave their writes. The lock file stays; the lock is the
    kernel's (``flock``) and is released when the process ends, however it ends."""
    lock_dir = Path(root) / ".localise"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / "lock", "a+") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
