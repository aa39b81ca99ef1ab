"""What each step last did, so that a rerun with nothing changed does (almost) nothing.

A step records, per item (an article, or an article in a locale), a digest of everything the
item's output depends on, plus what it needs to report without redoing the work. When the
digest is the same on the next run and the output file is still the one written, the item is
skipped. The state lives in ``.localise/state-<step>.json``; losing it only costs time.

Because the output's digest is recorded and compared, outputs (templates, pages, caches) are
written without waiting for the disk (no ``fsync``): if a power cut leaves one truncated, it
no longer matches its digest and the next run writes it again.

Files are not read again to learn that they have not changed. As git's index does, the state
keeps each file's size, modification time and inode next to its digest, and a file whose
``stat`` still gives the same three has the same digest. One case ``stat`` cannot tell: a file
changed again within the same tick of the file system's clock as the ``stat`` that was
recorded. So a record is trusted only when the file is older than the state file that holds it
(written after every record in it); a younger one is *racy* and its file is read and hashed.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

from .fsutil import read_regular, write_atomic

try:  # hashlib would load OpenSSL first: 2.5 ms of a 30 ms rerun, for a hash we have anyway
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter built without it
    from hashlib import blake2b


def digest(*parts: str | bytes) -> str:
    h = blake2b(digest_size=20)
    for p in parts:
        h.update(p.encode("utf-8") if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()


def file_digest(path: Path) -> str:
    try:
        return bytes_digest(read_regular(path))  # a FIFO: "-", and its reader says why
    except OSError:
        return "-"


def bytes_digest(data: bytes) -> str:
    """The :func:`file_digest` of a file holding ``data``."""
    return blake2b(data, digest_size=20).hexdigest()


def _signature(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def read_signed(path: Path) -> tuple[list[int] | None, bytes | None]:
    """A file's signature and bytes, the signature taken first (a change in between leaves
    a signature that no longer matches the file); (None, None) when it cannot be read or is
    no regular file (a FIFO, opened without waiting for a writer: its reader says why)."""
    try:
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), "rb") as f:
            st = os.fstat(f.fileno())
            return (_signature(st), f.read()) if stat.S_ISREG(st.st_mode) else (None, None)
    except OSError:
        return None, None


class StatCache:
    """File digests that cost a ``stat`` while the file is unchanged (see the module's doc).

    ``records`` maps a path to ``[size, mtime_ns, inode, digest]``; ``stamp`` is the
    modification time of the file they were saved in (0: trust none)."""

    def __init__(self, records: dict | None = None, stamp: int = 0):
        self.records: dict[str, list] = records if isinstance(records, dict) else {}
        self.stamp = stamp
        self.seen: set[str] = set()
        self.changed = False
        self.racy = False

    def digest(self, path: Path) -> str:
        """The file's :func:`file_digest`, from its record when ``stat`` shows it unchanged."""
        sig = self.stat(path)
        if sig is None:
            return "-"
        known = self.get(path, sig)
        if known is not None:
            return known
        # Stat first, then read: a change in between leaves a record that no longer matches.
        value = file_digest(path)
        if value != "-":
            self.put(path, sig, value)
        return value

    def stat(self, path: Path) -> list[int] | None:
        """The file's signature, or None (and its record dropped) when it cannot be read."""
        key = str(path)
        self.seen.add(key)
        try:
            return _signature(os.stat(key))
        except OSError:
            if self.records.pop(key, None) is not None:
                self.changed = True
            return None

    def get(self, path: Path, sig: list[int]):
        """The value recorded for the file, when its signature is the same and not racy."""
        record = self.records.get(str(path))
        if record is not None and record[:3] == sig and sig[1] < self.stamp:
            return record[3]
        return None

    def put(self, path: Path, sig: list[int], value) -> None:
        """Record ``value`` (a digest, or what was read from the file) for the file as ``sig``
        shows it."""
        self._set(str(path), sig + [value])

    def known(self, path: Path, sig: list[int], value) -> None:
        """Remember ``value`` for the file as ``sig`` showed it, in another process perhaps
        (a worker that read the file): the file counts as asked about in this run."""
        self.seen.add(str(path))
        self.put(path, sig, value)

    def record(self, path: Path, value: str) -> None:
        """Remember that ``path``, as it is now, has the digest ``value`` (a file just written:
        its digest is known without reading it back)."""
        sig = self.stat(path)
        if sig is not None:
            self.put(path, sig, value)

    def _set(self, key: str, record: list) -> None:
        if self.records.get(key) != record:
            self.records[key] = record
            self.changed = True
        elif record[1] >= self.stamp:
            # Read again only because it was racy: once the state file is saved (or touched)
            # after this, it is older than the state file and the next run can trust it.
            self.racy = True

    def kept(self) -> dict[str, list]:
        """The records of the files asked about in this run (others are dropped)."""
        if self.records.keys() - self.seen:
            self.changed = True
        return {k: v for k, v in sorted(self.records.items()) if k in self.seen}


def load_json(path: Path) -> tuple[dict, int]:
    """A cache file's JSON object and its modification time; ``({}, 0)`` when it cannot be
    used."""
    try:
        with open(path, "rb") as f:
            stamp = os.fstat(f.fileno()).st_mtime_ns
            data = json.loads(f.read())
    except (OSError, ValueError):
        return {}, 0
    return (data, stamp) if isinstance(data, dict) else ({}, 0)


def save_json(path: Path, data: dict, touch: bool = False) -> None:
    """Write a cache file (left alone when its bytes are the same). ``touch``: make its
    modification time now even then, so that records of files read because they were racy
    become older than it."""
    try:
        text = json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n"
        if not write_atomic(path, text, durable=False) and touch:
            os.utime(path)
    except OSError:
        pass  # a cache that cannot be written costs time, not correctness


class State:
    def __init__(self, cache_dir: Path, step: str):
        self.path = Path(cache_dir) / f"state-{step}.json"
        data, stamp = load_json(self.path)
        items, files = data.get("items"), data.get("files")
        self.items: dict = items if isinstance(items, dict) else {}
        self.files = StatCache(files, stamp)
        self.seen: set[str] = set()
        self.changed = not data

    def file_digest(self, path: Path) -> str:
        return self.files.digest(path)

    def knows(self, key: str) -> bool:
        """Whether ``key`` has a record at all (if not, no input digest can match one)."""
        return key in self.items

    def get(self, key: str, input_digest: str, output: Path | None = None):
        """The recorded report of ``key`` if its inputs and output are unchanged, else None."""
        self.seen.add(key)
        item = self.items.get(key)
        if not item or item.get("in") != input_digest:
            return None
        if output is not None and item.get("out") != self.files.digest(output):
            return None
        return item.get("report", {})

    def put(
        self,
        key: str,
        input_digest: str,
        output: Path | None = None,
        report=None,
        output_digest: str | None = None,
    ) -> None:
        """Record ``key`` as done; ``report`` (never None) is what :meth:`get` gives back.
        ``output_digest``: the output's :func:`file_digest`, when the caller has it."""
        self.seen.add(key)
        report = {} if report is None else report
        if output is not None:
            if output_digest is None:
                output_digest = self.files.digest(output)
            else:
                self.files.record(output, output_digest)
        item = {"in": input_digest, "out": output_digest, "report": report}
        if self.items.get(key) != item:
            self.items[key] = item
            self.changed = True

    def outside(self, in_scope: Callable[[str], bool]) -> None:
        """Keep the records of keys this run is not about (``in_scope(key)`` false): the
        other locales' of ``update nl``, the other articles' of a build of one. A record
        neither asked about nor kept is dropped at :meth:`save` (an article or locale gone)."""
        self.seen.update(k for k in self.items if not in_scope(k))

    def save(self) -> None:
        """Write the state, unless nothing in it changed (a rerun that did nothing writes
        nothing)."""
        files = self.files.kept()
        if self.items.keys() - self.seen:
            self.changed = True
        if not (self.changed or self.files.changed or self.files.racy):
            return
        items = {k: v for k, v in sorted(self.items.items()) if k in self.seen}
        save_json(self.path, {"items": items, "files": files}, touch=self.files.racy)


_CODE_STAMP: list[str] = []


def code_stamp() -> str:
    """What tells this localise from another for the caches of extract, update and build:
    its version, Python's, and the size and modification time of each of its source files.
    An edited or upgraded localise (a ``git pull`` keeps the version number) thus never reuses
    what an older one made. The files' times, not their bytes: 0.1 ms against 40 ms when they
    are not in the page cache; a file touched but not changed costs only a rebuild. The
    libraries that read and write what these commands make (lxml, Babel, polib) count too."""
    if not _CODE_STAMP:
        import sys

        from . import __version__

        package = Path(__file__).resolve().parent
        files = []
        for folder, dirs, names in os.walk(package):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in names:
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    st = os.stat(path)
                    files.append(f"{os.path.relpath(path, package)} {st.st_size} {st.st_mtime_ns}")
        libraries = library_versions(("lxml", "babel", "polib"))
        _CODE_STAMP.append(digest(__version__, sys.version, *sorted(files), *libraries))
    return _CODE_STAMP[0]


def code_digest(files, versions: tuple[str, ...] = ()) -> str:
    """A digest of the code a cache's values were made by: localise's version, Python's (its
    Unicode data and regular expressions decide what a word, a letter or a digit is), each of
    ``files`` (``(name, path)``: its name and bytes) and the libraries' ``versions``."""
    import sys

    from . import __version__

    parts: list[str | bytes] = [__version__, sys.version]
    for name, path in files:
        parts += (name, Path(path).read_bytes())
    return digest(*parts, *versions)


def library_versions(names: tuple[str, ...]) -> tuple[str, ...]:
    """``"<name> <version>"`` for each installed distribution of ``names`` (``"<name> -"``
    when it is not installed), for the keys of caches. Read from the name of its
    ``.dist-info`` (or ``.egg-info``) folder, the first on ``sys.path``, as
    ``importlib.metadata`` finds it, without importing that: its imports (email, zipfile,
    csv) and its reading of every ``METADATA`` file were 15 ms of a check that found nothing
    changed. A distribution found no such way is asked of ``importlib.metadata``."""
    found = _installed()
    out = []
    for name in names:
        version = found.get(_canonical(name))
        if version is None:
            from importlib.metadata import PackageNotFoundError
            from importlib.metadata import version as metadata_version

            try:
                version = metadata_version(name)
            except PackageNotFoundError:
                version = "-"
        out.append(f"{name} {version}")
    return tuple(out)


def _canonical(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "_", name).lower()


_installed_found: dict[str, str] | None = None


def _installed() -> dict[str, str]:
    """Canonical distribution name -> version, from the folder names on ``sys.path`` (the
    first of each name wins, as with ``importlib.metadata``); read once a process."""
    global _installed_found
    if _installed_found is None:
        import re
        import sys

        folder = re.compile(r"([^-]+)-([^-]+?)(?:-py\d[^-]*)?\.(?:dist|egg)-info")
        found: dict[str, str] = {}
        for entry in sys.path:
            try:
                names = sorted(os.listdir(entry or "."))
            except OSError:  # a zip file, a path hook, a folder gone
                continue
            for name in names:
                m = folder.fullmatch(name)
                if m is not None:
                    found.setdefault(_canonical(m.group(1)), m.group(2))
        _installed_found = found
    return _installed_found


def cache_store(cache_dir: Path, name: str) -> BlobStore:
    """A store of ``<cache_dir>/cache/``, for values a run makes again when they are lost: no
    ``fsync``, and another process's lock waited for 2 s at most (see :class:`BlobStore`)."""
    return BlobStore(Path(cache_dir) / "cache" / name, timeout=2.0, durable=False)


_INHERITED: list = []  # connections a forked process got from its parent, never touched


def set_aside(db) -> None:
    """Keep a connection this process inherited from its parent (a ``--jobs`` worker after
    the fork) out of use and open: sqlite forbids using it across a fork, and closing it could
    checkpoint and remove the log the parent is using. Forked workers end with os._exit."""
    if db is not None:
        _INHERITED.append(db)


class BlobStore:
    """A cache of blobs by name, each under the key it was made from, in one sqlite file.

    One file, not one per article: a cold extract created 400 skeleton files, and creating a
    file cost 0.05 ms on a quiet disk but up to 0.9 ms while another process flushed to the
    same disk (measured), a third of the extract. An sqlite write ahead log takes the rows
    with no file created and no ``fsync`` per row (``synchronous = NORMAL``: a power cut may
    lose the last rows, never the file's consistency).

    Each process has its own connection (forked ``--jobs`` workers open theirs), and sqlite
    serialises their writes. A store that cannot be opened, read or written is an empty one:
    it costs time, never correctness. A write that waited ``timeout`` seconds in vain (another
    process holds the store) is the last this process tries.

    ``durable=False``: no ``fsync`` at all (``synchronous = OFF``), for a cache whose rows a
    run makes again: a power cut may then damage the file, which is found out (sqlite's
    error, or a blob that does not match its seal) and costs one run its hits.

    Each blob is sealed with a digest of its name, key and bytes, checked when it is read:
    sqlite does not check what it stores, and a damaged blob (a bad disk, a careless hand) is a miss, not a
    skeleton or a finding with one character changed."""

    timeout = 30.0  # seconds to wait for another process's write
    batch = 100  # rows written in one transaction

    def __init__(self, path: Path, timeout: float | None = None, durable: bool = True):
        self.path = Path(path)
        if timeout is not None:
            self.timeout = timeout
        self.durable = durable
        self._given_up = False  # a write timed out: no more writes from this process
        self._db = None
        self._pid = 0
        # Rows not written yet, by name. A transaction of its own for each row was 0.11 ms a
        # row, a quarter of the cost of segmenting a page, against 0.03 ms in one of 100.
        self._pending_rows: dict[str, tuple[str, bytes]] = {}
        self._owner = os.getpid()

    @property
    def _pending(self) -> dict[str, tuple[str, bytes]]:
        """This process's rows not written yet: a forked process starts with none, as the
        parent's rows are the parent's to write."""
        if self._owner != os.getpid():
            self._pending_rows, self._owner = {}, os.getpid()
        return self._pending_rows

    def _connection(self):
        if self._pid != os.getpid():  # never use a connection across a fork
            set_aside(self._db)
            self._pid, self._db = os.getpid(), None
            self._db = self._open()
        return self._db

    def open(self) -> bool:
        """Open the store now (before ``--jobs`` workers fork, so that they find the file
        made); False when it cannot be used."""
        return self._connection() is not None

    def _open(self):
        import sqlite3
        import time

        deadline = time.monotonic() + self.timeout
        broken = False
        while True:
            db = None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
                db.execute("PRAGMA journal_mode = WAL")
                db.execute(f"PRAGMA synchronous = {'NORMAL' if self.durable else 'OFF'}")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS blob (name TEXT PRIMARY KEY, key TEXT, data BLOB)"
                )
                return db
            except sqlite3.OperationalError as e:
                if db is not None:
                    db.close()
                # Two processes making the file at once: switching it to WAL may fail at once
                # with "database is locked", busy timeout or not (2 opens in 80, measured).
                if "locked" in str(e) and time.monotonic() < deadline:
                    time.sleep(0.005)
                    continue
                return None  # read-only, no room, locked too long: no store this run, file kept
            except sqlite3.DatabaseError:
                if db is not None:
                    db.close()
                if broken:
                    return None
                broken = True
                self._broken()  # a file sqlite cannot use is removed, and made again
            except (sqlite3.Error, OSError):
                if db is not None:
                    db.close()
                return None

    def close(self) -> None:
        self.flush()
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None
        self._pid = 0

    def _broken(self) -> None:
        """A store sqlite cannot use (not a database, corrupt): start a new one next run."""
        self._db = None
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except OSError:
                pass

    def empty(self) -> bool:
        """Whether the store holds nothing (or cannot be read): every ``get`` would miss."""
        import sqlite3

        if self._pending:
            return False
        db = self._connection()
        if db is None:
            return True
        try:
            return db.execute("SELECT 1 FROM blob LIMIT 1").fetchone() is None
        except sqlite3.DatabaseError:
            return True

    def get(self, name: str, key: str) -> bytes | None:
        """The blob stored for ``name`` if it was made from ``key``."""
        pending = self._pending.get(name)
        if pending is not None:
            return pending[1] if pending[0] == key else None
        row = self._row("key, data", name)
        if row is None or row[0] != key + _SEALED:
            return None
        return _unseal(name, key, row[1])

    def has(self, name: str, key: str) -> bool:
        """Whether a blob made from ``key`` is stored for ``name``, without reading it (a
        damaged one is found out by :meth:`get`)."""
        pending = self._pending.get(name)
        if pending is not None:
            return pending[0] == key
        row = self._row("key", name)
        return row is not None and row[0] == key + _SEALED

    def _row(self, columns: str, name: str):
        import sqlite3

        db = self._connection()
        if db is None:
            return None
        try:
            return db.execute(f"SELECT {columns} FROM blob WHERE name = ?", (name,)).fetchone()
        except sqlite3.OperationalError:
            return None  # locked or unreadable for now: a miss
        except sqlite3.DatabaseError:
            self._broken()  # not a database, or a corrupt one
            return None

    def put(self, name: str, key: str, data: bytes) -> None:
        """Store a blob. Rows are written ``batch`` at a time, and by :meth:`flush` (or
        :meth:`close`) at the end of a step; a ``--jobs`` worker, which has no end of its own,
        writes them when the chunk of items it was given is done, before their results go back
        (:func:`toolkit.parallel.at_chunk_end`): a transaction per chunk, not per row."""
        from .parallel import at_chunk_end, in_worker

        if self._given_up:
            return
        pending = self._pending
        pending[name] = (key, data)
        if len(pending) >= self.batch:
            self.flush()
        elif in_worker():
            at_chunk_end(self.flush)

    def flush(self) -> None:
        """Write the rows not written yet, in one transaction. A store that cannot take them
        loses them: the next run makes them again."""
        import sqlite3

        if not self._pending:
            return
        rows = [
            (name, key + _SEALED, _seal(name, key, data))
            for name, (key, data) in self._pending_rows.items()
        ]
        self._pending_rows = {}
        db = self._connection()
        if db is None:
            return
        try:
            with db:  # a transaction: committed, or rolled back on an error
                # IMMEDIATE: the write lock is taken (waiting as long as the busy timeout
                # allows) before anything is read, so another writer's commit in between
                # cannot make the transaction fail at once.
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT OR REPLACE INTO blob VALUES (?, ?, ?)", rows)
        except sqlite3.OperationalError as e:
            # Read-only, full, or locked for too long: the next run makes them again. Locked:
            # each later write would wait as long again, so this process writes no more.
            if "locked" in str(e) or "busy" in str(e):
                self._given_up = True
        except sqlite3.DatabaseError:
            self._broken()


_SEAL = 16  # bytes of the digest a blob is sealed with
# Appended to the key of a sealed row: a localise from before the seals finds no row of its
# key and makes it again, rather than reading the seal as the start of its blob.
_SEALED = "|sealed"


def seal(size: int, data: bytes, *about: bytes) -> bytes:
    """``data`` as a cache stores it: a ``size``-byte digest of what it is stored under
    (``about``) and of itself, then itself. sqlite does not check what it stores."""
    return _seal_of(size, about, data) + data


def unseal(size: int, sealed, *about: bytes) -> bytes | None:
    """What :func:`seal` sealed, or None when it does not match its seal (or is not bytes)."""
    if not isinstance(sealed, bytes) or len(sealed) < size:
        return None
    data = sealed[size:]
    return data if _seal_of(size, about, data) == sealed[:size] else None


def _seal_of(size: int, about: tuple[bytes, ...], data: bytes) -> bytes:
    h = blake2b(digest_size=size)
    for part in about:
        h.update(part)
    h.update(data)
    return h.digest()


def _about(name: str, key: str) -> tuple[bytes, ...]:
    return (name.encode("utf-8", "surrogatepass"), b"\0", key.encode(), b"\0")


def _seal(name: str, key: str, data: bytes) -> bytes:
    """A blob as the store keeps it: sealed with its name and key."""
    return seal(_SEAL, data, *_about(name, key))


def _unseal(name: str, key: str, sealed) -> bytes | None:
    return unseal(_SEAL, sealed, *_about(name, key))
