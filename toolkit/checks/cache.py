"""Each file's check results kept from one run to the next, so that a check after a small edit
checks only what changed.

What checking a template, a catalog or a built page gave (its findings, and what the later
passes take from it) is kept in ``.localise/cache/check.sqlite`` under a digest of everything
it depends on:

- the file's bytes and its name (findings name the file);
- the checks selected and the locales checked (they decide which languages lingua compares);
- the project's settings and the glossary's bytes;
- the code that decides a finding: localise's own source files, byte for byte, Python's
  version and the versions of the libraries it depends on (lingua's models, Babel's locale
  data, the stemmer);
- for a catalog, also which source texts the templates found to be in another language (the
  entry checks read that), over all templates.

A change to any of them is a miss, and the file is checked again. Results with a problem (a
file that could not be used) are never kept. A cache that cannot be read or written is an
empty one (:class:`toolkit.state.BlobStore`): it costs time, never a finding.
"""

from __future__ import annotations

import marshal
import sys
from pathlib import Path

# The distributions whose code or data can change a finding (all that localise depends on).
_LIBRARIES = (
    "babel",
    "polib",
    "beautifulsoup4",
    "lxml",
    "rapidfuzz",
    "lingua-language-detector",
    "PyStemmer",
)


# Every module of localise a check runs: imported before the code is hashed (and hashed again
# after), so that the code that runs is the code the results are kept under, even if a
# checkout changes the files while the check runs (a module imported later would be the new
# one, its results kept under the old one's key).
_MODULES = (
    "toolkit.catalog",
    "toolkit.checks.content",
    "toolkit.checks.files",
    "toolkit.checks.language",
    "toolkit.checks.run",
    "toolkit.glossary",
    "toolkit.language",
    "toolkit.model",
    "toolkit.numbers",
    "toolkit.pages",
    "toolkit.placeholders",
    "toolkit.pofile",
    "toolkit.segment",
    "toolkit.sources",
    "toolkit.sources.html",
    "toolkit.sources.text",
    "toolkit.sources.wordpress",
    "toolkit.spill",
)


def code_key() -> str:
    """A digest of localise's source files, Python's version and its libraries' versions."""
    from importlib.metadata import PackageNotFoundError, version

    from .. import __version__
    from ..state import digest

    package = Path(__file__).resolve().parent.parent
    # Python's own version too: its Unicode data and regular expressions decide what a word,
    # a letter or a digit is.
    parts: list[str | bytes] = [__version__, sys.version]
    for path in sorted(package.rglob("*.py")):
        parts += (path.relative_to(package).as_posix(), path.read_bytes())
    for name in _LIBRARIES:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} -")
    return digest(*parts)


def _loaded_code_key() -> str | None:
    """:func:`code_key` with every module a check runs imported in between two readings of
    the files; None when they changed meanwhile (no results are kept or taken then)."""
    from importlib import import_module

    before = code_key()
    for name in _MODULES:
        import_module(name)
    return before if code_key() == before else None


class ResultCache:
    """The check results of a run's files, by kind (``template``, ``catalog``, ``page``) and
    name, each under the digest of its inputs (see the module's doc)."""

    def __init__(self, project, locales, checks, glossary: bytes | None):
        from ..state import BlobStore, digest

        code = _loaded_code_key()
        self.usable = code is not None
        # A store another process holds locked is given up on soon (see BlobStore.timeout).
        self.store = BlobStore(
            project.cache_dir / "cache" / "check.sqlite", timeout=2.0, durable=False
        )
        self.base = digest(
            code or "-",
            repr(project),
            ",".join(sorted(locales)),
            ",".join(sorted(c.name for c in checks)),
            b"-" if glossary is None else b"+" + glossary,
        )
        self.foreign = ""  # the templates' foreign source texts: set before the catalogs
        # Nothing kept yet (a first run, or after the cache was removed): no file is looked
        # up, only keyed, to keep what it gives.
        self.empty = self.store.empty()

    def set_foreign(self, foreign: dict[str, str]) -> None:
        from ..state import digest

        self.foreign = digest(*(f"{msgid}\x01{lang}" for msgid, lang in sorted(foreign.items())))

    def key(self, kind: str, shown: str, data: bytes) -> str:
        from ..state import digest

        return digest(self.base, kind, shown, self.foreign if kind == "catalog" else "", data)

    def get(self, kind: str, shown: str, key: str):
        if self.empty:
            return None
        raw = self.store.get(f"{kind}:{shown}", key)  # None if damaged (BlobStore seals rows)
        if raw is None:
            return None
        try:
            return marshal.loads(raw)
        except (ValueError, EOFError, TypeError):
            return None  # damaged: checked again, and written again

    def put(self, kind: str, shown: str, key: str, value) -> None:
        self.store.put(f"{kind}:{shown}", key, marshal.dumps(value))

    def close(self) -> None:
        self.store.close()
