"""Each file's check results kept from one run to the next, so that a check after a small edit
checks only what changed.

What checking a template, a catalog or a built page gave (its findings, and what the later
passes take from it) is kept in ``.localise/cache/check.sqlite`` under a digest of everything
it depends on:

- the file's bytes and its name (findings name the file);
- the checks selected and the locales checked (they decide which languages lingua compares);
- the source language (the one setting a check reads) and the glossary's bytes;
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
from pathlib import Path

# The distributions whose code or data can change a finding (all that localise depends on
# but click, the command line, and deep-translator, machine translation).
_LIBRARIES = (
    "babel",
    "polib",
    "beautifulsoup4",
    "lxml",
    "rapidfuzz",
    "lingua-language-detector",
    "PyStemmer",
)


# The modules of localise a check imports late (numbers, pages, segment, sources, when the
# first catalog or page needs them) and the rest: imported between two readings of the code,
# so that a checkout while a check runs cannot have new code's results kept under the old
# code's key (the modules imported at the start of the process were read a few milliseconds
# before the first reading).
_MODULES = (
    "toolkit.catalog",
    "toolkit.checks.content",
    "toolkit.checks.files",
    "toolkit.checks.language",
    "toolkit.checks.run",
    "toolkit.frequency",
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
    from ..state import code_digest, library_versions

    package = Path(__file__).resolve().parent.parent
    files = [(p.relative_to(package).as_posix(), p) for p in sorted(package.rglob("*.py"))]
    return code_digest(files, library_versions(_LIBRARIES))


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

    def __init__(self, code: str, project, locales, checks, glossary: bytes | None):
        from ..state import cache_store, digest

        self.store = cache_store(project.cache_dir, "check.sqlite")
        # Of the settings, only the source language reaches a check (files are named by their
        # paths within the project, in each file's key): the same project checked from
        # another folder, or moved, keeps its results.
        self.base = digest(
            code,
            project.source_language,
            ",".join(sorted(locales)),
            ",".join(sorted(c.name for c in checks)),
            b"-" if glossary is None else b"+" + glossary,
        )
        self.foreign = ""  # the templates' foreign source texts: set before the catalogs
        # Nothing kept yet (a first run, or after the cache was removed): no file is looked
        # up, only keyed, to keep what it gives.
        self.empty = self.store.empty()

    @classmethod
    def open(cls, project, locales, checks, glossary: bytes | None) -> ResultCache | None:
        """The project's result cache, or None when the code changed while the check loaded
        it (nothing is kept or taken then)."""
        code = _loaded_code_key()
        return None if code is None else cls(code, project, locales, checks, glossary)

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

    def has(self, kind: str, shown: str, key: str) -> bool:
        """Whether results are kept for the file under ``key`` (read by :meth:`get`)."""
        return not self.empty and self.store.has(f"{kind}:{shown}", key)

    def put(self, kind: str, shown: str, key: str, value) -> None:
        self.store.put(f"{kind}:{shown}", key, marshal.dumps(value))

    def close(self) -> None:
        self.store.close()
