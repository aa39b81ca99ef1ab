"""``--jobs N``: a step's per-article work spread over N processes, results in input order.

The work of extract, build and check is independent per article (or per catalog), so each item
goes to a worker process and its result comes back to the main process, which alone writes the
step's state and the report. Results are taken in the order the items were given, so output
is the same, byte for byte, whatever N is.

Workers are forked (Linux and the BSDs), so they start with what the main process has already
loaded (settings, glossary, link maps) and only items and results travel between processes.
Items travel in chunks, and only a few chunks are in flight at a time, so memory stays flat as
the corpus grows. Where fork is not available the work runs in one process.

``jobs = 0`` (the command line's default) is *auto*: a worker per CPU (at most
:data:`AUTO_MAX`) once there are :data:`AUTO_MIN` items with work to do, and the main process
alone below that, where starting workers would cost more than they save (and on macOS, where
forking is not safe with every system library, always). Items a step already
knows the result of (an unchanged article) are *light*: the main process takes them itself, so
a rerun with nothing changed never starts a worker.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

AUTO_MIN = 32  # items with work before auto mode starts workers
AUTO_MAX = 8  # workers auto mode starts at most (CPU quotas are not in the affinity mask)
CHUNK = 8  # items a worker is given at a time, at most
# On macOS forking is offered but not safe with every system library (Python itself spawns by
# default there): workers are started only when asked for with --jobs N.
AUTO_FORKS = sys.platform != "darwin"

_work: Callable | None = None  # the function of the current map, inherited by forked workers
_in_worker = False
_at_chunk_end: list[Callable[[], None]] = []  # in a worker: what to call when a chunk is done


def _call(chunk: list) -> list:
    try:
        return [_work(item) for item in chunk]
    finally:
        calls = _at_chunk_end[:]
        _at_chunk_end.clear()
        for func in calls:  # each of them, whatever one of them raises
            try:
                func()
            except Exception:  # noqa: BLE001 - what buffers write must not fail the items
                pass


def at_chunk_end(func: Callable[[], None]) -> None:
    """In a worker, call ``func`` (once) when the items of the chunk it is working on are done,
    before their results go back: a worker has no end of its own, and what it buffers must be
    written by then (see :func:`in_worker`). Outside a worker, ``func`` is called now."""
    if not _in_worker:
        func()
    elif func not in _at_chunk_end:
        _at_chunk_end.append(func)


def _mark_worker() -> None:
    global _in_worker
    _in_worker = True


def in_worker() -> bool:
    """Whether this process is a worker of :func:`ordered_map`. A worker ends without running
    ``atexit`` handlers or ``finally`` blocks of its parent's code, so whatever it buffers
    must be written before its item's result is returned."""
    return _in_worker


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def ordered_map(
    func: Callable[[T], R],
    items: Iterable[T],
    jobs: int,
    light: Callable[[T], bool] | None = None,
    before_fork: Callable[[], None] | None = None,
) -> Iterator[R]:
    """``map(func, items)``, in ``jobs`` processes when ``jobs > 1`` (``0``: auto, see the
    module's doc). ``func`` may be any callable (a closure too: workers are forked after it
    is set); items and results must pickle. ``light(item)`` is true for items the main
    process does itself. ``before_fork`` runs once, just before workers are started, and only
    then. An exception in ``func`` is raised here, as with ``map``."""
    global _work
    items = iter(items)
    # Each item with whether it is light (None: not asked yet); auto mode asks of the items it
    # reads ahead, and is not asked again (light may read and hash a file).
    marked: Iterator[tuple[T, bool | None]] = ((item, None) for item in items)
    if jobs == 0:
        jobs, head = _auto(items, light)
        marked = chain(head, marked)
    # More processes than the machine can run only cost memory and forks ("--jobs 64" ran 60
    # processes for 5 articles; a huge number failed in ProcessPoolExecutor).
    jobs = min(jobs, 4 * (os.cpu_count() or 1))
    if jobs <= 1:
        yield from (func(item) for item, _ in marked)
        return
    # Imported here: 8 ms that a rerun with nothing to do, or --jobs 1, need not pay.
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from (func(item) for item, _ in marked)
        return
    if before_fork is not None:
        before_fork()
    previous, _work = _work, func
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_mark_worker) as pool:
            # Futures of chunks, and lists of results the main process made, in input order.
            pending: deque = deque()
            window = jobs * 4
            chunk: list = []
            submitted = 0

            def submit() -> None:
                nonlocal chunk, submitted
                pending.append(pool.submit(_call, chunk))
                chunk = []
                submitted += 1

            for item, is_light in marked:
                if is_light is None:
                    is_light = light is not None and light(item)
                if is_light:
                    if chunk:
                        submit()  # the items before it come first
                    pending.append([func(item)])
                else:
                    chunk.append(item)
                    # Small chunks first, so that every worker starts at once, then larger
                    # ones: a chunk per item cost a third of a build's time in passing them.
                    if len(chunk) >= min(CHUNK, 1 + submitted // jobs):
                        submit()
                while len(pending) >= window or (pending and isinstance(pending[0], list)):
                    done = pending.popleft()
                    yield from done if isinstance(done, list) else done.result()
            if chunk:
                submit()
            while pending:
                done = pending.popleft()
                yield from done if isinstance(done, list) else done.result()
    finally:
        _work = previous


def parallel_jobs(jobs: int, items: int) -> int:
    """The processes to ask :func:`ordered_map` for (auto mode decided as it would) with
    ``items`` items that all have work to do: one for fewer than two."""
    if items < 2:
        return 1
    if jobs == 0:
        return auto_jobs() if items >= AUTO_MIN else 1
    return jobs


def auto_jobs() -> int:
    """The processes auto mode starts when it has enough to do."""
    return min(default_jobs(), AUTO_MAX) if AUTO_FORKS else 1


def _auto(
    items: Iterator[T], light: Callable[[T], bool] | None
) -> tuple[int, list[tuple[T, bool]]]:
    """The processes auto mode uses, and the items it read ahead to decide, each with whether
    it is light."""
    cpus = auto_jobs()
    head: list[tuple[T, bool]] = []
    if cpus <= 1:
        return 1, head
    heavy = 0
    for item in items:
        is_light = light is not None and light(item)
        head.append((item, is_light))
        if not is_light:
            heavy += 1
            if heavy >= AUTO_MIN:
                return cpus, head
    return 1, head  # too little to do for workers to pay
