"""``--jobs N``: a step's per-article work spread over N processes, results in input order.

The work of extract, build and check is independent per article (or per catalog), so each item
goes to a worker process and its result comes back to the main process, which alone writes the
step's state and the report. Results are taken in the order the items were given, so output
is the same, byte for byte, whatever N is.

Workers are forked (Linux and the BSDs), so they start with what the main process has already
loaded (settings, glossary, link maps) and only items and results travel between processes.
Items are submitted a few at a time, not all at once, so memory stays flat as the corpus
grows. Where fork is not available the work runs in one process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_work: Callable | None = None  # the function of the current map, inherited by forked workers


def _call(item):
    return _work(item)


def default_jobs() -> int:
    """The number of processes ``--jobs 0`` means: the CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def ordered_map(func: Callable[[T], R], items: Iterable[T], jobs: int) -> Iterator[R]:
    """``map(func, items)``, in ``jobs`` processes when ``jobs > 1``. ``func`` may be any
    callable (a closure too: workers are forked after it is set); items and results must
    pickle. An exception in ``func`` is raised here, as with ``map``."""
    global _work
    if jobs <= 1:
        yield from map(func, items)
        return
    # Imported here: 8 ms that a rerun with nothing to do, or --jobs 1, need not pay.
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(func, items)
        return
    previous, _work = _work, func
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            pending: deque = deque()
            window = jobs * 4
            for item in items:
                pending.append(pool.submit(_call, item))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
    finally:
        _work = previous
