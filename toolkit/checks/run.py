"""Running the checks over a project (or one page) and collecting findings.

The runner loads what the checks need once (templates, catalogs, glossary, the language
identifier), calls every selected check in its scope, applies the per-entry ``no-check-<name>``
flags, and returns findings sorted by file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from .. import catalog
from ..errors import CatalogError, GlossaryError, LocaliseError
from ..fsutil import read_regular
from ..model import Finding, finding_fields
from ..spill import SortedSpill
from . import Check, all_checks
from .content import EntryContext


@dataclass
class LoadedCatalog:
    """A catalog as the project-wide checks see it: its translated entries (those whose msgid
    the locale translates in more than one way, see :class:`_LocaleEntries`). From a worker,
    the entries are plain ``(msgid, msgstr, flags, line)`` tuples, cheaper to pass."""

    locale: str
    article: str
    file: str
    po: list


@dataclass
class PageContext:
    """What a page check may know besides the page."""

    identifier: object  # toolkit.language.Identifier


def _findings() -> SortedSpill[Finding]:
    """The findings of a run: read back sorted by file and line, and a bounded number of them
    in memory however large the corpus (see :mod:`toolkit.spill`)."""
    return SortedSpill(_order, finding_fields, _from_tuple)  # as marshal writes it


def _from_tuple(t) -> Finding:
    return Finding(*t)


@dataclass
class CheckResult:
    findings: SortedSpill[Finding] = field(default_factory=_findings)
    problems: list[LocaliseError] = field(default_factory=list)
    catalogs: int = 0
    entries: int = 0
    pages: int = 0
    _tallied: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def counts(self) -> dict[str, int]:
        return dict(self._tally()[0])

    def _tally(self) -> tuple[dict, dict]:
        """Findings by severity, and by locale and article: one pass over the findings (which
        may be read back from disk), remembered until more are added."""
        if self._tallied is not None and self._tallied[0] == len(self.findings):
            return self._tallied[1]
        out = {"error": 0, "warning": 0, "info": 0}
        per: dict[str, dict] = {}
        for f in self.findings:
            out[f.severity] += 1
            loc = per.setdefault(
                f.locale or "source", {"error": 0, "warning": 0, "info": 0, "articles": {}}
            )
            loc[f.severity] += 1
            art = loc["articles"].setdefault(
                f.article or "-", {"error": 0, "warning": 0, "info": 0}
            )
            art[f.severity] += 1
        self._tallied = (len(self.findings), (out, per))
        return out, per

    def summary(self) -> dict:
        counts, per = self._tally()
        per = {  # a copy: what a caller does with it must not change the next summary
            loc: {**d, "articles": {a: dict(c) for a, c in d["articles"].items()}}
            for loc, d in per.items()
        }
        return {
            **counts,
            "catalogs": self.catalogs,
            "entries": self.entries,
            "pages": self.pages,
            "unusable_files": len(self.problems),
            "by_locale": per,
        }


def select(only=(), skip=()) -> list[Check]:
    """The checks to run: ``only`` and ``skip`` are names, each also a comma-separated list."""
    only = {n.strip() for names in only for n in names.split(",") if n.strip()}
    skip = {n.strip() for names in skip for n in names.split(",") if n.strip()}
    checks = all_checks()
    names = {c.name for c in checks}
    for name in sorted(only | skip):
        if name not in names:
            raise LocaliseError(f"unknown check {name!r}; `localise checks` lists them")
    return [c for c in checks if (not only or c.name in only) and c.name not in skip]


def _silenced(entry, check: Check) -> bool:
    return entry is not None and f"no-check-{check.name}" in entry.flags


@dataclass
class _SourceContext:
    """What a source check may know besides the template: its units that are not in the
    source language, each with the language they are in."""

    source_language: str
    foreign: list  # (entry, language code)

    def foreign_in(self, pot):
        return self.foreign


def _foreign_units(identifier, pot, source_language: str) -> list:
    src = source_language.split("_")[0]
    entries = [e for e in pot if e.msgid]
    found = identifier.identify_many([e.msgid for e in entries], src)
    return [
        (e, f.language)
        for e, f in zip(entries, found, strict=True)
        if f and f.language != src and f.target_confidence < 0.1
    ]


@dataclass(frozen=True, slots=True)
class _Kept:
    """What a project-wide check needs of an entry, once its catalog is released."""

    msgid: str
    msgstr: str
    flags: tuple[str, ...]
    linenum: int
    obsolete: bool = False


class _LocaleEntries:
    """One locale's translated entries, for the project-wide checks, which compare the
    translations of one msgid across catalogs. They are kept sorted by msgid (beyond a bound,
    on disk: :mod:`toolkit.spill`), so that only the msgids present in more than one form come
    back into memory: the index of a large corpus does not have to fit in it."""

    def __init__(self):
        self.catalogs: list[tuple[str, str, str]] = []  # (locale, article, file) by number
        # (msgid, msgstr, flags, line, catalog number), in the order of the catalogs' entries
        self.rows: SortedSpill[tuple] = SortedSpill(itemgetter(0), _as_is, _as_is)

    def add(self, cat: LoadedCatalog) -> None:
        n = len(self.catalogs)
        self.catalogs.append((cat.locale, cat.article, cat.file))
        self.rows += ((*row, n) for row in cat.po)

    def close(self) -> None:
        self.rows.close()

    def translated_differently(self) -> list[LoadedCatalog]:
        """The catalogs with their entries whose msgid has more than one translation in the
        locale, in the order they came in: all that a project-wide check (the same text
        translated differently, :func:`toolkit.checks.files.inconsistent`) can find anything
        in."""
        picked = []
        for _msgid, group in groupby(self.rows, key=itemgetter(0)):
            rows = list(group)
            if len(rows) > 1 and any(r[1] != rows[0][1] for r in rows):
                picked += rows
        picked.sort(key=itemgetter(4, 3))  # back in catalog order, then line order
        return [
            LoadedCatalog(*self.catalogs[n], [_Kept(r[0], r[1], r[2], r[3]) for r in rows])
            for n, rows in groupby(picked, key=itemgetter(4))
        ]


def _as_is(row):
    return row


def _finding(c: Check, locale, article, file, entry, message, span) -> Finding | None:
    if _silenced(entry, c):
        return None
    return Finding(
        check=c.name,
        severity=c.severity,
        message=message,
        locale=locale,
        article=article,
        msgid=entry.msgid if entry is not None else "",
        msgstr=entry.msgstr if entry is not None else "",
        file=file,
        line=entry.linenum if entry is not None else 1,
        span=span,
    )


@dataclass
class _FileResult:
    """What checking one template, catalog or page gives back (from a worker, with --jobs)."""

    findings: list[Finding] = field(default_factory=list)
    problems: list[LocaliseError] = field(default_factory=list)
    foreign: dict[str, str] = field(default_factory=dict)  # templates: msgid -> language
    # catalogs: for the project-wide checks, each entry as (msgid, msgstr, flags, line)
    kept: LoadedCatalog | None = None
    entries: int = 0

    def add(self, *args) -> None:
        f = _finding(*args)
        if f is not None:
            self.findings.append(f)


class _Runner:
    """The checks of one run, file by file."""

    def __init__(self, project, locales, checks):
        from ..language import Identifier

        self.project = project
        self.last_locale = locales[-1] if locales else None  # whose catalogs come last
        self.problems: list[LocaliseError] = []
        self.glossary = None
        try:
            from ..glossary import Glossary

            self.glossary = Glossary.load(
                project.glossary_path,
                project.source_language,
                project.relative(project.glossary_path),
            )
        except GlossaryError as e:
            self.problems.append(e)
        languages = [project.source_language, *locales]
        cache = project.cache_dir / "cache" / "language.sqlite"
        self.identifier = Identifier(languages, cache_path=cache)
        self.source_identifier = Identifier(
            languages, min_words=2, min_letters=10, min_confidence=0.9, cache_path=cache
        )
        self.by_scope: dict[str, list[Check]] = {}
        for c in checks:
            self.by_scope.setdefault(c.scope, []).append(c)
        self.wants_syntax = any(c.name == "po-syntax" for c in checks)
        self.foreign: dict[str, str] = {}  # msgid -> language, over all templates
        self.cache = None
        # The keys of the files `known` found kept, not yet taken: keys, not results, as auto
        # --jobs may look far ahead (a rerun with nothing changed: every file of the project).
        self.hits: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, path) -> (shown, key)
        if not self.problems:  # with an unusable glossary, every file is checked again
            from .cache import ResultCache

            # Keyed on the very bytes the glossary was read from (see Glossary.load).
            self.cache = ResultCache.open(project, locales, checks, self.glossary.raw)

    def _load(self, out: _FileResult, path: Path, locale: str, raw: bytes | None = None):
        shown = self.project.relative(path)
        try:
            return catalog.load(path, shown, raw), shown
        except CatalogError as e:
            out.problems.append(e)
            if self.wants_syntax or not locale:
                out.findings.append(
                    Finding(
                        "po-syntax",
                        "error",
                        e.message,
                        locale=locale,
                        article=path.stem if locale else "",
                        file=shown,
                        line=e.line or 0,
                    )
                )
            return None, shown

    # -- results kept from the last run (toolkit.checks.cache) ---------------------------------

    def _lookup(self, kind: str, path: Path) -> tuple[bytes | None, str, str | None]:
        """The file's bytes, its name as shown and its key in the cache (no bytes and no key:
        no cache, or a file that cannot be read, which is checked as usual and reported)."""
        shown = self.project.relative(path)
        if self.cache is None:
            return None, shown, None
        try:
            raw = read_regular(path)
        except OSError:  # read again by the check, which reports it
            return None, shown, None
        return raw, shown, self.cache.key(kind, shown, raw)

    def known(self, kind: str, path: Path) -> bool:
        """Whether the cache holds the file's results (asked in the main process, for each
        file, by :func:`toolkit.parallel.ordered_map`). For a file it holds, the name and key
        are remembered, and the results are read when the file's turn comes."""
        if (kind, str(path)) in self.hits:
            return True
        if self.cache is None or self.cache.empty:
            return False  # no need to read the file here: the one that checks it will
        _raw, shown, key = self._lookup(kind, path)
        if key is None or not self.cache.has(kind, shown, key):
            return False
        self.hits[kind, str(path)] = (shown, key)
        return True

    def _restore(self, kind: str, locale: str, path: Path, shown: str, cached) -> _FileResult:
        findings = [_from_tuple(t) for t in cached[0]]
        if kind == "template":
            return _FileResult(findings, foreign=cached[1])
        if kind == "catalog":
            kept = LoadedCatalog(locale, path.stem, shown, cached[2])
            return _FileResult(findings, kept=kept, entries=cached[1])
        return _FileResult(findings)

    def _cached(self, kind: str, locale: str, path: Path):
        """(result, bytes, name, key): the result when the cache has it, else the file's
        bytes, name and key, to check it and keep what it gives."""
        hit = self.hits.pop((kind, str(path)), None)
        if hit is not None:
            cached = self.cache.get(kind, *hit)
            if cached is not None:
                return self._restore(kind, locale, path, hit[0], cached), None, hit[0], None
        raw, shown, key = self._lookup(kind, path)  # a miss (or damaged since `known`)
        cached = None if key is None else self.cache.get(kind, shown, key)
        if cached is not None:
            return self._restore(kind, locale, path, shown, cached), None, shown, None
        return None, raw, shown, key

    # -- the checks, file by file ---------------------------------------------------------------

    def _through_cache(self, kind: str, locale: str, path: Path, check, rest) -> _FileResult:
        """The file's results: kept ones, when the cache has them; else ``check(raw, shown)``'s,
        kept with ``rest(out)`` (what else a later run needs) when the file had no problem."""
        hit, raw, shown, key = self._cached(kind, locale, path)
        if hit is not None:
            return hit
        out = check(raw, shown)
        if key is not None and not out.problems:
            findings = [finding_fields(f) for f in out.findings]
            self.cache.put(kind, shown, key, (findings, *rest(out)))
        return out

    def template(self, pot_path: Path) -> _FileResult:
        """Languages of the source units (needed by the entry checks), and the source checks."""
        return self._through_cache(
            "template",
            "",
            pot_path,
            lambda raw, _shown: self._template(pot_path, raw),
            lambda out: (out.foreign,),
        )

    def _template(self, pot_path: Path, raw: bytes | None) -> _FileResult:
        out = _FileResult()
        pot, shown = self._load(out, pot_path, "", raw)
        if pot is not None:
            language = self.project.source_language
            source_ctx = _SourceContext(
                language, _foreign_units(self.source_identifier, pot, language)
            )
            out.foreign = {e.msgid: lang for e, lang in source_ctx.foreign}
            for c in self.by_scope.get("source", []):
                for entry, message, span in c.func(source_ctx, pot):
                    out.add(c, "", pot_path.stem, shown, entry, message, span)
        return out

    def catalog(self, locale: str, po_path: Path) -> _FileResult:
        # (kept is None only when the catalog could not be read: a problem, so not kept)
        return self._through_cache(
            "catalog",
            locale,
            po_path,
            lambda raw, _shown: self._catalog(locale, po_path, raw),
            lambda out: (out.entries, out.kept.po),
        )

    def _catalog(self, locale: str, po_path: Path, raw: bytes | None) -> _FileResult:
        out = _FileResult()
        po, shown = self._load(out, po_path, locale, raw)
        if po is None:
            return out
        article = po_path.stem
        ctx = EntryContext(
            locale,
            self.project.source_language,
            article,
            shown,
            self.glossary,
            self.foreign,
            self.identifier,
        )
        entries = [e for e in po if e.msgid and not e.obsolete]
        out.entries = len(entries)
        for c in self.by_scope.get("entry", []):
            for entry in entries:
                if _silenced(entry, c):
                    continue
                for message, span in c.func(ctx, entry):
                    out.add(c, locale, article, shown, entry, message, span)
        for c in self.by_scope.get("catalog", []):
            for entry, message, span in c.func(ctx, po):
                out.add(c, locale, article, shown, entry, message, span)
        if self.glossary is not None and locale == self.last_locale:
            # The terms found in its texts are remembered for the same texts in the next
            # locales' catalogs; after the last locale's, nothing asks again (kept, they were
            # most of a one-locale check's growth with the corpus).
            self.glossary.forget()
        # What the project-wide checks compare (as tuples: they travel back from a worker),
        # only when one runs.
        rows = (
            [(e.msgid, e.msgstr, tuple(e.flags), e.linenum) for e in entries if catalog.usable(e)]
            if "project" in self.by_scope
            else []
        )
        out.kept = LoadedCatalog(locale, article, shown, rows)
        return out

    def page(self, locale: str, page_path: Path) -> _FileResult:
        return self._through_cache(
            "page",
            locale,
            page_path,
            lambda raw, shown: self._page(locale, page_path, raw, shown),
            lambda out: (),
        )

    def _page(self, locale: str, page_path: Path, raw: bytes | None, shown: str) -> _FileResult:
        out = _FileResult()
        try:
            out.findings = _check_page(
                self.by_scope.get("page", []),
                shown,
                page_path,
                locale,
                self.identifier,
                page_path.stem,
                raw,  # the bytes the key was made from
            )
        except LocaliseError as e:  # an unusable page costs itself, not the other files
            out.problems.append(e)
        return out


def run(
    project, locales: list[str], only=(), skip=(), pages: bool = True, jobs: int = 1
) -> CheckResult:
    """Run the checks over the project: one template, catalog or page at a time, so that memory
    grows slowly with the corpus. What outlives a file, the findings and the entries the
    project-wide checks compare, is kept on disk beyond a bound (:mod:`toolkit.spill`). With
    ``jobs`` > 1 (or 0, auto: see :mod:`toolkit.parallel`) the files are checked in that many
    processes; the findings are the same."""
    import gc

    # A check keeps what it found alive to the end (findings, each text's results), and at the
    # default thresholds the collector went over all of it again and again: 1 s of a 5 s check
    # of 400 pages. Its data holds no cycles worth collecting early (peak memory is the same
    # with the collector off), so young objects are collected far less often while it runs,
    # for every caller (check, and bundle's check).
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        return _run(project, locales, only, skip, pages, jobs)
    finally:
        gc.set_threshold(*thresholds)


def _run(project, locales, only, skip, pages, jobs) -> CheckResult:
    res = CheckResult()
    runner = _Runner(project, locales, select(only, skip))
    try:
        return _run_with(runner, res, project, locales, pages, jobs)
    finally:
        if runner.cache is not None:
            runner.cache.close()


def _run_with(runner, res, project, locales, pages, jobs) -> CheckResult:
    from ..parallel import ordered_map

    res.problems += runner.problems
    # Before workers are forked (both identifiers share the detector).
    before_fork = runner.identifier.prepare_workers

    def collect(out: _FileResult) -> None:
        res.findings += out.findings
        res.problems += out.problems

    # Templates first: the entry checks need to know which source units are foreign.
    templates = project.templates_dir
    pot_paths = sorted(templates.glob("*.pot")) if templates.is_dir() else []

    # A file whose results the cache holds is taken by this process: a check after a small
    # edit starts no worker and loads no language model for the rest.
    template_known = partial(runner.known, "template")
    for out in ordered_map(runner.template, pot_paths, jobs, template_known, before_fork):
        collect(out)
        runner.foreign.update(out.foreign)
    if runner.cache is not None:
        runner.cache.set_foreign(runner.foreign)

    # Then each locale's catalogs, the project-wide checks over them, and its pages.
    # (Workers are forked again here, so that they have every template's results.)
    def files():
        for locale in locales:
            folder = project.locales_dir / locale
            for po_path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
                yield "catalog", locale, po_path
            yield "end", locale, None
            page_dir = project.dist_dir / locale
            if pages and page_dir.is_dir():
                for page_path in sorted(page_dir.glob("*.html")):
                    yield "page", locale, page_path

    def work(item):
        kind, locale, path = item
        return kind, locale, None if kind == "end" else getattr(runner, kind)(locale, path)

    def known(item) -> bool:
        kind, locale, path = item
        return kind == "end" or runner.known(kind, path)

    project_checks = runner.by_scope.get("project", [])
    kept = _LocaleEntries()
    for kind, locale, out in ordered_map(work, files(), jobs, known, before_fork):
        if kind == "end":
            differing = kept.translated_differently() if project_checks else []
            kept.close()
            for c in project_checks:
                for cat, entry, message, span in c.func(None, differing):
                    f = _finding(c, locale, cat.article, cat.file, entry, message, span)
                    if f is not None:
                        res.findings.append(f)
            kept = _LocaleEntries()
            continue
        collect(out)
        if kind == "catalog" and out.kept is not None:
            res.catalogs += 1
            res.entries += out.entries
            if project_checks:  # else nothing reads the index
                kept.add(out.kept)
        elif kind == "page" and not out.problems:
            res.pages += 1
    return res


def _order(f: Finding):
    return (f.file, f.line, ("error", "warning", "info").index(f.severity), f.check, f.message)


def _check_page(checks, shown, path, locale, identifier, article="", data=None) -> list[Finding]:
    from ..pages import Page

    page = Page.read(path, shown, locale, data)
    return [
        Finding(
            c.name,
            c.severity,
            f.message,
            locale=locale,
            article=article,
            msgid=f.text,
            file=shown,
            line=f.line,
        )
        for c in checks
        for f in c.func(PageContext(identifier), page)
    ]


def audit_page(path: Path, shown: str, locale: str, source_languages=()) -> CheckResult:
    """``localise check --page FILE --lang LOCALE``: every fragment of any page that is not in
    the page's language."""
    from ..language import Identifier

    res = CheckResult()
    checks = [c for c in all_checks() if c.scope == "page"]
    identifier = Identifier([locale, *source_languages])
    res.pages = 1
    try:
        res.findings += _check_page(
            checks, shown, path, locale, identifier, re.sub(r"\.[^.]+$", "", Path(path).name)
        )
    except LocaliseError as e:
        res.problems.append(e)
    return res
