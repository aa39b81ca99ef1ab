"""Running the checks over a project (or one page) and collecting findings.

The runner loads what the checks need once (templates, catalogs, glossary, the language
identifier), calls every selected check in its scope, applies the per-entry ``no-check-<name>``
flags, and returns findings sorted by file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import catalog
from ..errors import CatalogError, GlossaryError, LocaliseError
from ..model import Finding
from . import Check, all_checks
from .content import EntryContext


@dataclass
class LoadedCatalog:
    """A catalog as the project-wide checks see it: its translated entries."""

    locale: str
    article: str
    file: str
    po: list


@dataclass
class PageContext:
    """What a page check may know besides the page."""

    identifier: object  # toolkit.language.Identifier


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    problems: list[LocaliseError] = field(default_factory=list)
    catalogs: int = 0
    entries: int = 0
    pages: int = 0

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] += 1
        return out

    def summary(self) -> dict:
        per: dict[str, dict] = {}
        for f in self.findings:
            loc = per.setdefault(
                f.locale or "source", {"error": 0, "warning": 0, "info": 0, "articles": {}}
            )
            loc[f.severity] += 1
            art = loc["articles"].setdefault(
                f.article or "-", {"error": 0, "warning": 0, "info": 0}
            )
            art[f.severity] += 1
        return {
            **self.counts(),
            "catalogs": self.catalogs,
            "entries": self.entries,
            "pages": self.pages,
            "unusable_files": len(self.problems),
            "by_locale": per,
        }


def select(only=(), skip=()) -> list[Check]:
    checks = all_checks()
    names = {c.name for c in checks}
    for name in list(only) + list(skip):
        if name not in names:
            raise LocaliseError(f"unknown check {name!r}; `localise checks` lists them")
    return [c for c in checks if (not only or c.name in only) and c.name not in skip]


def _silenced(entry, check: Check) -> bool:
    return entry is not None and f"no-check-{check.name}" in entry.flags


class _SourceContext:
    """Languages of the source units, identified once for all locales."""

    def __init__(self, project, identifier):
        self.source_language = project.source_language
        self.foreign: dict[str, str] = {}  # msgid -> language, over all templates
        self._source = project.source_language.split("_")[0]
        self._identifier = identifier
        self._hits: list = []

    def read(self, pot) -> None:
        """Identify the units of one template (before its source checks run)."""
        src = self._source
        entries = [e for e in pot if e.msgid]
        found = self._identifier.identify_many([e.msgid for e in entries], src)
        self._hits = [
            (e, f.language)
            for e, f in zip(entries, found, strict=True)
            if f and f.language != src and f.target_confidence < 0.1
        ]
        for e, lang in self._hits:
            self.foreign[e.msgid] = lang

    def foreign_in(self, pot):
        return self._hits


@dataclass(frozen=True, slots=True)
class _Kept:
    """What a project-wide check needs of an entry, once its catalog is released."""

    msgid: str
    msgstr: str
    flags: tuple[str, ...]
    linenum: int
    obsolete: bool = False


def run(project, locales: list[str], only=(), skip=(), pages: bool = True) -> CheckResult:
    """Run the checks over the project: one template, catalog or page at a time (only what the
    project-wide checks need of each catalog is kept), so memory does not grow with the
    corpus beyond the findings themselves."""
    from ..language import Identifier

    checks = select(only, skip)
    res = CheckResult()
    glossary = None
    try:
        from ..glossary import Glossary

        glossary = Glossary.load(project.glossary_path, project.source_language)
    except GlossaryError as e:
        res.problems.append(e)
    languages = [project.source_language, *locales]
    cache = project.cache_dir / "cache" / "language.sqlite"
    identifier = Identifier(languages, cache_path=cache)
    source_identifier = Identifier(
        languages, min_words=2, min_letters=10, min_confidence=0.9, cache_path=cache
    )

    by_scope: dict[str, list[Check]] = {}
    for c in checks:
        by_scope.setdefault(c.scope, []).append(c)
    wants_syntax = any(c.name == "po-syntax" for c in checks)

    def add(c: Check, locale, article, file, entry, message, span):
        if _silenced(entry, c):
            return
        res.findings.append(
            Finding(
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
        )

    def load(path: Path, locale: str):
        shown = project.relative(path)
        try:
            return catalog.load(path, shown), shown
        except CatalogError as e:
            res.problems.append(e)
            if wants_syntax or not locale:
                res.findings.append(
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

    # The templates: languages of the source (needed by the entry checks), source checks.
    source_ctx = _SourceContext(project, source_identifier)
    templates = project.templates_dir
    for pot_path in sorted(templates.glob("*.pot")) if templates.is_dir() else []:
        pot, shown = load(pot_path, "")
        if pot is None:
            continue
        source_ctx.read(pot)
        for c in by_scope.get("source", []):
            for entry, message, span in c.func(source_ctx, pot):
                add(c, "", pot_path.stem, shown, entry, message, span)

    for locale in locales:
        kept: list[LoadedCatalog] = []
        folder = project.locales_dir / locale
        for po_path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
            po, shown = load(po_path, locale)
            if po is None:
                continue
            res.catalogs += 1
            article = po_path.stem
            ctx = EntryContext(
                locale,
                project.source_language,
                article,
                shown,
                glossary,
                source_ctx.foreign,
                identifier,
            )
            entries = [e for e in po if e.msgid and not e.obsolete]
            res.entries += len(entries)
            for c in by_scope.get("entry", []):
                for entry in entries:
                    if _silenced(entry, c):
                        continue
                    for message, span in c.func(ctx, entry):
                        add(c, locale, article, shown, entry, message, span)
            for c in by_scope.get("catalog", []):
                for entry, message, span in c.func(ctx, po):
                    add(c, locale, article, shown, entry, message, span)
            light = [
                _Kept(e.msgid, e.msgstr, tuple(e.flags), e.linenum)
                for e in entries
                if e.msgstr and "fuzzy" not in e.flags
            ]
            kept.append(LoadedCatalog(locale, article, shown, light))
        for c in by_scope.get("project", []):
            for cat, entry, message, span in c.func(None, kept):
                add(c, locale, cat.article, cat.file, entry, message, span)
        if pages:
            page_dir = project.dist_dir / locale
            for page_path in sorted(page_dir.glob("*.html")) if page_dir.is_dir() else []:
                res.pages += 1
                _check_page(
                    res,
                    by_scope.get("page", []),
                    project.relative(page_path),
                    page_path,
                    locale,
                    identifier,
                    page_path.stem,
                )
    res.findings.sort(key=_order)
    return res


def _order(f: Finding):
    return (f.file, f.line, ("error", "warning", "info").index(f.severity), f.check, f.message)


def _check_page(res, checks, shown, path, locale, identifier, article=""):
    from ..pages import Page

    page = Page.read(path, shown, locale)
    for c in checks:
        for f in c.func(PageContext(identifier), page):
            res.findings.append(
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
            )


def audit_page(path: Path, shown: str, locale: str, source_languages=()) -> CheckResult:
    """``localise check --page FILE --lang LOCALE``: every fragment of any page that is not in
    the page's language."""
    from ..language import Identifier

    res = CheckResult()
    checks = [c for c in all_checks() if c.scope == "page"]
    identifier = Identifier([locale, *source_languages])
    res.pages = 1
    try:
        _check_page(
            res, checks, shown, path, locale, identifier, re.sub(r"\.[^.]+$", "", Path(path).name)
        )
    except LocaliseError as e:
        res.problems.append(e)
    res.findings.sort(key=_order)
    return res
