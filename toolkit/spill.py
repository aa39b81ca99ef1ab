"""Collections that hold a bounded amount in memory, the rest in temporary files: one that
gives its items back sorted (:class:`SortedSpill`), and one of values by name (:class:`Shelf`).

``check`` collects every finding of a corpus to report them sorted by file and line, and a
large corpus can have millions (every entry of an untranslated locale is one). Up to
``limit`` items are kept in memory; beyond that, they are sorted and written to a temporary
file as a *run*, and reading merges the runs with what is in memory (an external merge sort),
a batch of each run at a time. Ties keep the order the items were added in, as
:func:`sorted` does, so the result is the same whether or not anything was written out.

The runs are anonymous temporary files (``tempfile.TemporaryFile``: on POSIX systems the name
is removed as soon as the file is made), so nothing is left behind however the process ends.
"""

from __future__ import annotations

import heapq
import marshal
import os
import weakref
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Generic, TypeVar

from .errors import LocaliseError

T = TypeVar("T")

LIMIT = 200_000  # items in memory (check's findings: about 100 MB)
_BATCH = 1000  # items a run is written and read in


class SortedSpill(Generic[T]):
    """Items added with ``append``/``extend``/``+=``, read back sorted by ``key`` (stable).
    ``dump`` turns an item into something :mod:`marshal` writes (tuples of str, int, None)
    and ``load`` turns that back into the item. ``close()`` frees the runs at once (else they
    go with the object)."""

    def __init__(
        self,
        key: Callable[[T], object],
        dump: Callable[[T], object],
        load: Callable[[object], T],
        limit: int | None = None,
    ):
        self._key, self._dump, self._load = key, dump, load
        self._limit = max(1, LIMIT if limit is None else limit)
        self._items: list[T] = []
        self._sorted = True  # whether ``_items`` is in order (nothing added since sorting)
        self._len = 0
        # Each run: its file and where each batch of it starts and ends.
        self._runs: list[tuple[object, list[tuple[int, int]]]] = []
        self._files: list = []
        weakref.finalize(self, _close_all, self._files)

    def append(self, item: T) -> None:
        self._items.append(item)
        self._len += 1
        self._sorted = False
        if len(self._items) >= self._limit:
            self._spill()

    def extend(self, items: Iterable[T]) -> None:
        items = iter(items)
        while part := list(islice(items, self._limit - len(self._items))):
            self._items += part
            self._len += len(part)
            self._sorted = False
            if len(self._items) >= self._limit:
                self._spill()

    def __iadd__(self, items: Iterable[T]) -> SortedSpill[T]:
        self.extend(items)
        return self

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[T]:
        """The items, sorted. Each read of a run seeks to its batch first, so iterations may
        nest or interleave."""
        if not self._sorted:
            self._items.sort(key=self._key)  # stable
            self._sorted = True
        if not self._runs:
            return iter(list(self._items))
        # heapq.merge takes equal items from the earlier iterable first: the runs in the order
        # they were written, then what is in memory, which is the order of adding.
        runs = (self._read(f, batches) for f, batches in self._runs)
        return heapq.merge(*runs, list(self._items), key=self._key)

    def close(self) -> None:
        """Free the runs on disk; the spill is empty after it."""
        _close_all(self._files)  # the finalizer made in __init__ still holds the list
        self._runs, self._items, self._len, self._sorted = [], [], 0, True

    def _spill(self) -> None:
        import tempfile

        if not self._sorted:
            self._items.sort(key=self._key)
        dump = self._dump
        batches = []
        try:
            f = tempfile.TemporaryFile(prefix="localise-")
            self._files.append(f)
            for i in range(0, len(self._items), _BATCH):
                data = marshal.dumps([dump(item) for item in self._items[i : i + _BATCH]])
                batches.append((f.tell(), len(data)))
                f.write(data)
            f.flush()
        except OSError as e:  # a full disk, or no folder for temporary files: one line
            where = str(e.filename or "TMPDIR")
            if os.path.basename(where).startswith("localise-"):
                where = os.path.dirname(where)  # the folder, not the file's random name
            raise LocaliseError(
                f"could not write to a temporary file ({e.strerror or e}); set TMPDIR to a "
                "folder with room",
                where,
            ) from None
        self._runs.append((f, batches))
        self._items = []
        self._sorted = True

    def _read(self, f, batches: list[tuple[int, int]]) -> Iterator[T]:
        load = self._load
        for offset, length in batches:
            f.seek(offset)
            yield from map(load, marshal.loads(f.read(length)))


_POSITIONED = hasattr(os, "pwrite") and hasattr(os, "pread")  # POSIX; elsewhere, in memory


class Shelf:
    """Values by name (what :mod:`marshal` writes), each written to an anonymous temporary file
    as it is put, so that only their places are held in memory. A value is written whole at
    once, unbuffered and at its own place (``os.pwrite``; read back with ``os.pread``: no file
    position is shared with a forked process that inherits the file). Where one cannot be
    written whole (a full disk, no folder for temporary files), it and every later one are held
    in memory instead: the memory grows, the result is the same."""

    def __init__(self):
        self._at: dict[str, tuple[int, int]] = {}  # name -> where its value is in the file
        self._held: dict[str, object] = {}  # name -> its value, where the file took none
        self._files: list = []  # the file, once a value is put
        self._end = 0  # where the next value goes
        self._usable = _POSITIONED  # and no write has failed
        weakref.finalize(self, _close_all, self._files)

    def __contains__(self, name: str) -> bool:
        return name in self._at or name in self._held

    def names(self) -> set[str]:
        return self._at.keys() | self._held.keys()

    def put(self, name: str, value) -> None:
        import tempfile

        self._at.pop(name, None)
        self._held.pop(name, None)
        if self._usable:
            data = marshal.dumps(value)
            try:
                if not self._files:
                    self._files.append(tempfile.TemporaryFile(prefix="localise-", buffering=0))
                written = os.pwrite(self._files[0].fileno(), data, self._end)
            except OSError:
                written = -1
            if written == len(data):
                self._at[name] = (self._end, written)
                self._end += written
                return
            self._usable = False  # the disk is full: no more tries
        self._held[name] = value

    def get(self, name: str):
        """The value put last under ``name``, or None."""
        if name in self._held:
            return self._held[name]
        at = self._at.get(name)
        if at is None:
            return None
        start, size = at
        try:
            data = os.pread(self._files[0].fileno(), size, start)
        except OSError as e:
            raise LocaliseError(
                f"could not read back a temporary file ({e.strerror or e})", "TMPDIR"
            ) from None
        if len(data) != size:
            raise LocaliseError("a temporary file was cut short", "TMPDIR")
        return marshal.loads(data)

    def close(self) -> None:
        """Free the file; the shelf is empty after it."""
        _close_all(self._files)
        self._at, self._held, self._end, self._usable = {}, {}, 0, _POSITIONED


def _close_all(files: list) -> None:
    for f in files:
        try:
            f.close()
        except OSError:  # a buffered run's last bytes that a full disk refuses: gone anyway
            pass
    files.clear()
