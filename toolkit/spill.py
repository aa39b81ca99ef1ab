"""A collection that gives its items back sorted and holds a bounded number of them in memory.

``check`` collects every finding of a corpus to report them sorted by file and line, and a
large corpus can have millions (every entry of an untranslated locale is one). Up to
``limit`` items are kept in memory; beyond that, they are sorted and written to a temporary
file as a *run*, and reading merges the runs with what is in memory (an external merge sort).
Ties keep the order the items were added in, as :func:`sorted` does, so the result is the same
whether or not anything was written out.
"""

from __future__ import annotations

import heapq
import marshal
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

LIMIT = 200_000  # items in memory (check's findings: about 100 MB)
_BATCH = 1000  # items a run is written and read in


class SortedSpill(Generic[T]):
    """Items added with ``append``/``extend``/``+=``, read back sorted by ``key`` (stable).
    ``dump`` turns an item into something :mod:`marshal` writes (tuples of str, int, None)
    and ``load`` turns that back into the item."""

    def __init__(
        self,
        key: Callable[[T], object],
        dump: Callable[[T], object],
        load: Callable[[object], T],
        limit: int | None = None,
    ):
        self._key, self._dump, self._load = key, dump, load
        self._limit = LIMIT if limit is None else limit
        self._items: list[T] = []
        self._runs: list[Path] = []
        self._folder = None  # a TemporaryDirectory, made with the first run
        self._len = 0
        self._sorted = True  # whether ``_items`` is in order (nothing added since sorting)

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
        """The items, sorted. Each call reads the runs afresh, so iterations may nest."""
        if not self._sorted:
            self._items.sort(key=self._key)  # stable
            self._sorted = True
        if not self._runs:
            return iter(list(self._items))
        # heapq.merge takes equal items from the earlier iterable first: the runs in the order
        # they were written, then what is in memory, which is the order of adding.
        return heapq.merge(*map(self._read, self._runs), list(self._items), key=self._key)

    def _spill(self) -> None:
        import tempfile

        if not self._sorted:
            self._items.sort(key=self._key)
        dump = self._dump
        try:
            if self._folder is None:
                self._folder = tempfile.TemporaryDirectory(prefix="localise-")
            path = Path(self._folder.name) / f"run-{len(self._runs)}"
            with open(path, "wb") as f:
                for part in _batches(iter(self._items), _BATCH):
                    marshal.dump([dump(item) for item in part], f)
        except OSError as e:  # a full disk, or TMPDIR not writable: one line, not a traceback
            from .errors import LocaliseError

            raise LocaliseError(
                f"could not write to a temporary file ({e.strerror or e}); set TMPDIR to a "
                "folder with room",
                e.filename or tempfile.gettempdir(),
            ) from None
        self._runs.append(path)
        self._items = []
        self._sorted = True

    def _read(self, path: Path) -> Iterator[T]:
        load = self._load
        with open(path, "rb") as f:
            while True:
                try:
                    part = marshal.load(f)
                except EOFError:
                    return
                yield from map(load, part)


def _batches(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while part := list(islice(items, size)):
        yield part
