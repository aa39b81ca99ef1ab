"""What each step last did, so that a rerun with nothing changed does (almost) nothing.

A step records, per item (an article, or an article in a locale), a digest of everything the
item's output depends on, plus what it needs to report without redoing the work. When the
digest is the same on the next run and the output file is still the one written, the item is
skipped. The state lives in ``.localise/state-<step>.json``; losing it only costs time.

Because the output's digest is recorded and compared, outputs (templates, pages, caches) are
written without waiting for the disk (no ``fsync``): if a power cut leaves one truncated, it
no longer matches its digest and the next run writes it again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .fsutil import write_atomic


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8") if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()[:40]


def file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:40]
    except OSError:
        return "-"


class State:
    def __init__(self, cache_dir: Path, step: str):
        self.path = Path(cache_dir) / f"state-{step}.json"
        try:
            self.items: dict = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.items = {}
        self.seen: set[str] = set()

    def get(self, key: str, input_digest: str, output: Path | None = None):
        """The recorded report of ``key`` if its inputs and output are unchanged, else None."""
        self.seen.add(key)
        item = self.items.get(key)
        if not item or item.get("in") != input_digest:
            return None
        if output is not None and item.get("out") != file_digest(output):
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
        if output_digest is None and output is not None:
            output_digest = file_digest(output)
        self.items[key] = {
            "in": input_digest,
            "out": output_digest,
            "report": report,
        }

    def save(self) -> None:
        kept = {k: v for k, v in sorted(self.items.items()) if k in self.seen}
        try:
            write_atomic(
                self.path,
                json.dumps(kept, ensure_ascii=False, sort_keys=True) + "\n",
                durable=False,
            )
        except OSError:
            pass
