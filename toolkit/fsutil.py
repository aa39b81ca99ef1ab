"""Atomic, change-only file writes and the project lock.

Every file the toolkit writes goes through :func:`write_atomic`: the bytes go to a temporary file
in the same folder, which is then renamed over the target, so a reader sees the old file or the
new one and never half of one. A file whose bytes would not change is not touched at all, which
keeps modification times (and make-style tools, and git) quiet.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes | str) -> bool:
    """Write ``data`` to ``path`` atomically; return False (and write nothing) when the file
    already holds exactly these bytes."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path = Path(path)
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return True


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
