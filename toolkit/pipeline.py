"""Project-level operations: the steps ``extract``, ``init``, ``update``, ``build``, ``stats``
and ``compile`` over every article of a project.

Each step takes a :class:`~toolkit.project.Project` and returns a result object: what was
written, what was found, and a list of problems (LocaliseError) for files that could not be
used. One bad file never stops the others; the command line decides the exit code.
"""

from __future__ import annotations

import json
import marshal
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CatalogError, LocaliseError, SourceError
from .fsutil import write_atomic
from .project import Project

if TYPE_CHECKING:
    from . import catalog
    from .model import Article
    from .segment import ArticleSkeleton

# -- articles --------------------------------------------------------------------------------


@dataclass
class Loaded:
    """An article of the project: its slug, its source file and the digest of its content. The
    article itself is read again only when a step needs it (an unchanged source file is known
    from the source index without reading it), and its skeleton is loaded on first use (from
    the cache when it can)."""

    slug: str
    path: str  # the source file as shown to the user (relative to the project)
    key: str  # digest of the article's content and the settings that shape its skeleton
    link: str | None  # the WordPress post's own address (links between articles point to it)
    project: Project
    source: str  # the source file (its path, as the file system gives it)
    _article: Article | None = None

    @property
    def article(self) -> Article:
        if self._article is None:
            self._article = _reread(self.project, self.source, self.slug)
        return self._article

    @property
    def skeleton(self) -> ArticleSkeleton:
        if not hasattr(self, "_skeleton"):
            self._skeleton = skeleton_for(self)
        return self._skeleton


def _settings_key(project: Project) -> str:
    from .state import code_stamp

    return json.dumps([code_stamp(), list(project.wordpress_meta_fields), list(project.skip_lines)])


def _post_link(article: Article) -> str | None:
    link = (article.post or {}).get("link")
    return link if isinstance(link, str) else None


def _reread(project: Project, source: str, slug: str) -> Article:
    from .sources import read_articles

    for article in read_articles(Path(source), project):
        if article.slug == slug:
            return article
    raise SourceError(
        f"the article {slug!r} is gone: the file changed while localise ran",
        project.relative(source),
    )


def iter_articles(project: Project, problems: list[LocaliseError]) -> Iterator[Loaded]:
    """Every article of the project, in a stable order (by file, then by position in the file).
    Unreadable files and duplicate slugs go to ``problems``.

    What a source file held (each article's slug, key and post address) is kept in
    ``.localise/sources.json`` by the file's size, modification time and inode (see
    :mod:`toolkit.state`), so an unchanged file is not read and parsed again."""
    from .state import StatCache, load_json, save_json

    index_path = project.cache_dir / "sources.json"
    data, stamp = load_json(index_path)
    settings = _settings_key(project)
    index = StatCache(data.get("files") if data.get("settings") == settings else None, stamp)
    slugs: dict[str, str] = {}
    paths = project.source_paths(problems)
    # A slug stays with the file that held it: a new file claiming it waits for that file, and
    # is skipped if it claims it again (else the article's catalogs would be merged with the
    # new file's text, its translations made obsolete). The holder is as the last run left it,
    # or, with no record of that (a fresh clone), the file the slug's template names.
    held = data.get("slugs") if isinstance(data.get("slugs"), dict) else {}
    waiting: dict[str, Loaded] = {}
    order: dict[str, int] | None = None
    for number, path in enumerate(paths):
        sig = index.stat(path)
        entries = index.get(path, sig) if sig is not None else None
        articles: list[Article] = []
        if entries is None:
            from .sources import read_articles

            try:
                articles = read_articles(Path(path), project)
            except SourceError as e:
                problems.append(e)
                continue
            entries = [[a.slug, a.path, article_key(settings, a), _post_link(a)] for a in articles]
            if sig is not None:
                index.put(path, sig, entries)
        for n, (slug, shown, key, link) in enumerate(entries):
            taken = slugs.get(slug) or (waiting[slug].path if slug in waiting else None)
            holder = held.get(slug) or _template_source(project, slug)
            if taken is not None and holder == shown and slug in waiting:
                taken = None  # the holder, come after a file that waited for it
                problems.append(_slug_taken(slug, shown, waiting.pop(slug).path))
            if taken is not None:
                problems.append(_slug_taken(slug, taken, shown))
                continue
            loaded = Loaded(
                slug, shown, key, link, project, path, articles[n] if articles else None
            )
            if holder is not None and holder != shown:
                if order is None:
                    order = {project.relative(p): i for i, p in enumerate(paths)}
                if order.get(holder, -1) > number:
                    waiting[slug] = loaded
                    continue
            slugs[slug] = shown
            yield loaded
    for slug, loaded in waiting.items():  # the file that held the slug no longer claims it
        slugs[slug] = loaded.path
        yield loaded
    files = index.kept()
    if (
        index.changed
        or index.racy
        or data.get("settings") != settings
        or data.get("slugs") != slugs
    ):
        save_json(
            index_path, {"settings": settings, "files": files, "slugs": slugs}, touch=index.racy
        )


def _slug_taken(slug: str, holder: str, shown: str) -> SourceError:
    return SourceError(f"slug {slug!r} is already used by {holder}; the article is skipped", shown)


_TEMPLATE_SOURCE = re.compile(
    r"# Translation template for the article .*, extracted from (.+) by localise\.\n"
)


def _template_source(project: Project, slug: str) -> str | None:
    """The source file the slug's template says it was extracted from, if it has one."""
    try:
        with open(project.template_path(slug), encoding="utf-8", errors="replace") as f:
            m = _TEMPLATE_SOURCE.match(f.readline())
    except OSError:
        return None
    return m.group(1) if m else None


def article_key(settings: str, article: Article) -> str:
    """Digest of an article's fields and the project's settings key (:func:`_settings_key`)."""
    from .state import digest

    # The fields' parts straight into the hash, their lengths first so that no two lists of
    # fields give the same bytes: a JSON payload was 60 % of the key's cost.
    parts = [settings]
    for f in article.fields:
        parts += (f"{len(f.name)},{len(f.kind)},{len(f.value)}", f.name, f.kind, f.value)
    return digest(*parts)[:32]


def skeleton_for(loaded: Loaded) -> ArticleSkeleton:
    """The article's skeleton, from the cache when the source has not changed (keyed by the
    article's content and the settings that shape it)."""
    from .segment import ArticleSkeleton, segment_article

    store = _skeleton_store(loaded.project)
    data = store.get(loaded.slug, loaded.key)
    if data is not None:
        try:
            return ArticleSkeleton.from_data(marshal.loads(data))
        except (ValueError, EOFError, TypeError, KeyError):
            pass
    article = loaded.article
    try:
        skeleton = segment_article(article)
    except RecursionError:
        raise SourceError("markup nested too deeply to segment", article.path) from None
    except SourceError:
        raise
    except Exception as e:  # a bug must cost this article, not the run, and not a traceback
        raise SourceError(
            f"could not be segmented ({type(e).__name__}: {e}); this is a bug in localise, "
            "please report it with this file",
            article.path,
        ) from e
    store.put(loaded.slug, loaded.key, marshal.dumps(skeleton.to_data()))
    return skeleton


_store = None


def _skeleton_store(project: Project):
    """The project's skeleton cache (``.localise/skeletons.sqlite``). One store is kept open:
    a process works on one project (the tests on many, one after another)."""
    global _store
    from .state import BlobStore

    path = project.cache_dir / "skeletons.sqlite"
    if _store is None or _store.path != path:
        if _store is not None:
            _store.close()
        else:  # once per process: rows not yet written, when a step did not flush them
            import atexit

            atexit.register(_close_store)
        _store = BlobStore(path)
        old = project.cache_dir / "skeletons"  # the cache's former layout: a file per article
        if old.is_dir():
            import shutil

            shutil.rmtree(old, ignore_errors=True)
    return _store


def _close_store() -> None:
    if _store is not None:
        _store.close()


def flush_skeletons() -> None:
    """Write the skeletons made in this step to the store (see ``BlobStore.flush``)."""
    if _store is not None:
        _store.flush()


# -- extract ---------------------------------------------------------------------------------


@dataclass
class ExtractResult:
    templates: dict[str, int] = field(default_factory=dict)  # slug -> units
    written: list[str] = field(default_factory=list)
    problems: list[LocaliseError] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)  # templates whose article is gone


def extract(project: Project, jobs: int = 1) -> ExtractResult:
    from .parallel import ordered_map
    from .state import State, bytes_digest, file_digest

    res = ExtractResult()
    state = State(project.cache_dir, "extract")

    def items():
        for loaded in iter_articles(project, res.problems):
            slug = loaded.slug
            inputs = loaded.key + loaded.path
            known = state.get(slug, inputs, project.template_path(slug))
            yield slug, inputs, known, loaded if known is None else None  # only changed ones

    def work(item):
        slug, inputs, known, loaded = item
        if loaded is None:
            return slug, inputs, known, None, None, None
        from . import catalog  # (not before: a rerun with nothing to do need not load it)

        try:
            units = loaded.skeleton.units()
        except SourceError as e:
            return slug, inputs, None, None, None, e
        path = project.template_path(slug)
        data, count = catalog.write_template(
            path, slug, loaded.path, units, project.source_language
        )
        out = file_digest(path) if data is None else bytes_digest(data)
        return slug, inputs, count, data is not None, out, None

    def light(item) -> bool:  # unchanged: the main process reports it itself
        return item[3] is None

    def before_fork() -> None:
        """The modules every worker needs and lxml's parser, loaded once before the workers
        are forked rather than by each of them; the skeleton store's file made."""
        from . import catalog  # noqa: F401
        from .segment import prepare

        prepare()
        _skeleton_store(project).open()

    for slug, inputs, count, written, out, problem in ordered_map(
        work, items(), jobs, light, before_fork
    ):
        if problem is not None:
            res.problems.append(problem)
            continue
        res.templates[slug] = count
        if written is None:
            continue
        path = project.template_path(slug)
        if written:
            res.written.append(project.relative(path))
        state.put(slug, inputs, path, count, out)
    state.save()
    flush_skeletons()
    if project.templates_dir.is_dir() and not any(isinstance(p, SourceError) for p in res.problems):
        for pot_path in sorted(project.templates_dir.glob("*.pot")):
            if pot_path.stem not in res.templates:
                res.orphans.append(project.relative(pot_path))
    return res


# -- catalogs --------------------------------------------------------------------------------


def template_paths(project: Project) -> list[Path]:
    if not project.templates_dir.is_dir():
        return []
    return sorted(project.templates_dir.glob("*.pot"))


@dataclass
class InitResult:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    problems: list[LocaliseError] = field(default_factory=list)


def init(project: Project, locale: str) -> InitResult:
    """Create ``locales/<locale>/<slug>.po`` for every template; never overwrite one."""
    from . import catalog

    res = InitResult()
    hints = _hints(_load_glossary(project, res.problems), locale)
    for pot_path in template_paths(project):
        po_path = project.catalog_path(locale, pot_path.stem)
        if po_path.exists():
            res.existing.append(project.relative(po_path))
            continue
        try:
            pot = catalog.load(pot_path, project.relative(pot_path))
        except CatalogError as e:
            res.problems.append(e)
            continue
        po = catalog.new_catalog(pot, locale)
        if hints:
            for e in po:
                extra = hints(e.msgid)
                if extra:
                    e.comment = "\n".join([e.comment] + extra) if e.comment else "\n".join(extra)
        catalog.write(po, po_path, "PO-Revision-Date")
        res.created.append(project.relative(po_path))
    return res


_NOT_LOADED = object()


def _load_glossary(project: Project, problems: list):
    """The project's glossary, or None (and a problem) when it cannot be read."""
    from .errors import GlossaryError
    from .glossary import Glossary

    try:
        return Glossary.load(
            project.glossary_path,
            project.source_language,
            project.relative(project.glossary_path),
        )
    except GlossaryError as e:
        problems.append(e)
        return None


def _no_hints(msgid: str) -> list[str]:
    return []


def _asking(hints, asked: dict, msgid: str) -> list[str]:
    """``hints(msgid)``, kept in ``asked``."""
    found = asked[msgid] = hints(msgid)
    return found


def _hints_digest(pot, hints) -> str:
    """A digest of the hints a merge writes for a template's entries: what a catalog's merge
    takes from the glossary."""
    from .state import digest

    return digest(json.dumps([[t.msgid, hints(t.msgid)] for t in pot], ensure_ascii=False))


def _hints(glossary, locale: str):
    """Glossary hints for the PO entries of a locale, or None without glossary terms."""
    if glossary is None or not glossary.terms:
        return None

    def hints(msgid: str) -> list[str]:
        return ["glossary: " + h for h in glossary.hints(msgid, locale)]

    return hints


@dataclass
class UpdateResult:
    updated: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    unchanged: int = 0
    orphans: list[str] = field(default_factory=list)  # PO files whose template is gone (kept)
    problems: list[LocaliseError] = field(default_factory=list)
    fuzzy_from_previous: int = 0
    fuzzy_from_memory: int = 0
    numbers_changed: int = 0
    resurrected: int = 0
    obsoleted: int = 0


class _MergeMemory:
    """Exact translations in a locale, for update's merges to offer (:class:`memory.Memory`'s
    exact matches, from every finished entry, the first in the order of the catalogs' names).

    Read only when a merge asks (a merge asks only for template texts its catalog does not
    have yet: an edited catalog, or an unchanged one merged again, asks nothing), and then as
    the catalogs were before this update: those merged by then are taken as they were read
    (:meth:`before_update`). Each catalog's finished entries are kept in
    ``.localise/cache/memory.sqlite`` under a digest of its bytes and of the code that reads
    them, as read there or as an update writes the catalog (:meth:`written`): a new paragraph
    in one article reads the catalogs that changed since, not the whole locale."""

    def __init__(self, project: Project, locale: str, files):
        from .spill import Shelf

        self.project = project
        self.locale = locale
        self.folder = project.locales_dir / locale
        self.files = files  # the update's StatCache: digests a stat confirms
        self.index = None  # a memory.Memory, once a merge asks
        # File name -> its finished entries before this update (each catalog merged until the
        # memory is read; with workers, each rewritten one), on disk: an update that merged
        # every catalog again held them all, 55 MB at 1,600 pages.
        self.earlier = Shelf()
        self._store = None
        self._code = ""

    def before_update(self, po_path: Path, entries: Callable[[], list]) -> None:
        """``entries()`` gives the finished entries ``po_path`` held before this update (none:
        it did not exist), read to be merged; called only while they are wanted (the memory
        not read yet)."""
        if self.index is None and po_path.name not in self.earlier:
            self.earlier.put(po_path.name, entries())

    def written(self, po_path: Path, entries: list, written: str) -> None:
        """``po_path`` was just written, with these finished entries, as bytes of digest
        ``written``. (Not called when the file held the bytes already: those compared are not
        at hand, and hashing the file again could take a translator's save made in between
        for them.)"""
        store, code = self._kept()
        store.put(f"{self.locale}/{po_path.name}", f"{code} {written}", marshal.dumps(entries))

    def read(self) -> None:
        """Read the memory now (before ``--jobs`` workers that will ask it are forked)."""
        if self.index is None:
            self.index = self._read()
            self.earlier.close()

    def get(self, msgid: str, slug: str) -> tuple[str, str] | None:
        """The translation of ``msgid`` in another article, as ``(msgstr, article)``."""
        self.read()
        found = self.index.exact(msgid, exclude=slug)
        return None if found is None else (found.msgstr, found.origin)

    def close(self) -> None:
        self.earlier.close()
        if self._store is not None:
            self._store.close()

    def _kept(self):
        """The store of kept entries, and the digest of the code they were made by."""
        if self._store is None:
            import sys

            from . import catalog, errors, model, pofile
            from .state import cache_store, code_digest

            self._store = cache_store(self.project.cache_dir, "memory.sqlite")
            # The modules that read a catalog and judge an entry finished (this one too), and
            # polib. (localise's whole code, on which check keys its results, takes 40 ms to
            # read: a third of an update after a new paragraph.)
            modules = (catalog, errors, model, pofile, sys.modules[__name__])
            polib = f"polib {catalog._polib().__version__}"
            self._code = code_digest([(m.__name__, m.__file__) for m in modules], (polib,))
        return self._store, self._code

    def _read(self):
        from .memory import Memory

        index = Memory(self.project.source_language, self.locale)
        names = {p.name for p in self.folder.glob("*.po")} if self.folder.is_dir() else set()
        for name in sorted(names | self.earlier.names()):
            entries = self.earlier.get(name)
            if entries is None:
                entries = self._entries(name)
            stem = name[: -len(".po")]
            for msgid, msgstr in entries:
                index.add(msgid, msgstr, stem)
        return index

    def _entries(self, name: str) -> list:
        """A catalog's finished entries, as ``(msgid, msgstr)``: kept ones while its bytes are
        the same, else read (none when it cannot be: it is reported where it is merged). The
        file is read once at most: its digest is a stat's, or that of the bytes parsed."""
        from . import catalog
        from .state import bytes_digest, read_signed

        store, code = self._kept()
        po_path = self.folder / name
        row = f"{self.locale}/{name}"
        sig = self.files.stat(po_path)
        known = None if sig is None else self.files.get(po_path, sig)
        if known is not None and (kept := store.get(row, f"{code} {known}")) is not None:
            return marshal.loads(kept)
        sig, raw = read_signed(po_path)
        if raw is None:
            return []
        held = bytes_digest(raw)
        self.files.put(po_path, sig, held)
        if (kept := store.get(row, f"{code} {held}")) is not None:
            return marshal.loads(kept)
        try:
            entries = _finished(catalog.load(po_path, self.project.relative(po_path), raw))
        except CatalogError:
            return []
        store.put(row, f"{code} {held}", marshal.dumps(entries))
        return entries


def _finished(po) -> list[tuple[str, str]]:
    """A catalog's finished entries (see ``usable``), as ``(msgid, msgstr)``."""
    from .model import usable

    return [(e.msgid, e.msgstr) for e in po if usable(e)]


def update(project: Project, locales: list[str], jobs: int = 1) -> UpdateResult:
    from .parallel import ordered_map, parallel_jobs
    from .state import State, code_stamp, digest

    res = UpdateResult()
    state = State(project.cache_dir, "update")
    state.outside(lambda key: key.split("/", 1)[0] in locales)
    pot_paths = {p.stem: p for p in template_paths(project)}
    pot_digests = {slug: state.file_digest(p) for slug, p in pot_paths.items()}
    glossary_digest = state.file_digest(project.glossary_path)
    source = project.source_language

    # What a merge reads: the template, the catalog, the source language and, through the
    # hints, the glossary. The other catalogs (the memory) are asked only for texts the
    # catalog does not have yet, which a change of its template or of the catalog itself
    # brings: they are not inputs, and a translator's edit to one catalog merges that one
    # alone. Nor is the glossary file itself: each record keeps the digest of the hints its
    # merge wrote, and after a glossary edit only the catalogs whose hints it changes are
    # merged again (a new term, of the thousands of catalogs, touches the few with that word).
    code = code_stamp()

    def inputs(locale: str, slug: str) -> str:
        po_digest = state.file_digest(project.catalog_path(locale, slug))
        return digest(code, pot_digests[slug], po_digest, source)

    todo: dict[str, list] = {}  # slug -> (locale, its record when only the glossary changed)
    for locale in locales:
        for slug in pot_paths:
            known = state.get(f"{locale}/{slug}", inputs(locale, slug))
            if known is None or known.get("glossary") != glossary_digest:
                todo.setdefault(slug, []).append((locale, known))
            else:
                res.unchanged += 1
    hints = {}
    glossary = None
    if todo:
        glossary = _load_glossary(project, res.problems)
        hints = {locale: _hints(glossary, locale) or _no_hints for locale in locales}
    merger = _Merger(project, pot_paths, hints, glossary_digest, glossary)
    memories = {locale: _MergeMemory(project, locale, state.files) for locale in locales}
    # What the report lists, by locale and slug: "created", "updated", or an error (the
    # rest is counted as it comes: a result is not held).
    listed: dict[tuple[str, str], object] = {}
    broken: set[str] = set()  # templates that cannot be read: reported once

    def handle(locale: str, slug: str, kind: str, value) -> None:
        key = f"{locale}/{slug}"
        if kind == "merged":
            if value.written is not None:
                po_path = project.catalog_path(locale, slug)
                memories[locale].written(po_path, value.after, value.written)
            report = {"glossary": glossary_digest, "hints": value.hints}
            state.put(key, inputs(locale, slug), report=report)
            for k, n in zip(_COUNTS, value.counts, strict=True):
                setattr(res, k, getattr(res, k) + n)
            if value.outcome == "unchanged":
                res.unchanged += 1
            else:
                listed[locale, slug] = value.outcome
        elif kind == "same hints":
            state.put(key, inputs(locale, slug), report=value)
            res.unchanged += 1
        elif kind == "catalog":
            listed[locale, slug] = value
        elif kind == "template" and slug not in broken:  # in its first locale only
            broken.add(slug)
            listed[locale, slug] = value

    try:
        # Spread over processes (or here), first an article's catalogs whose merges cannot
        # ask the memory (their template has no text they lack); then, with the memory read
        # here as the catalogs were before this update and shared with the workers forked
        # after it, those whose merges may (a new paragraph, a new article). In one process
        # each merge asks the memory as it needs, and none waits.
        processes = parallel_jobs(jobs, len(todo))  # as ordered_map's auto mode counts
        merger.memories = memories if processes <= 1 else {}
        deferred: dict[str, list] = {}
        for slug, results in ordered_map(
            merger.article, todo.items(), processes, None, merger.prepare
        ):
            for locale, kind, value in results:
                if kind == "deferred":
                    deferred.setdefault(slug, []).append((locale, None))
                    continue
                if kind == "merged" and value.before is not None:  # as it was
                    po_path = project.catalog_path(locale, slug)
                    memories[locale].before_update(po_path, value.before.copy)
                handle(locale, slug, kind, value)
        if deferred:
            merger.memories = memories

            def read_memories() -> None:
                for locale in {locale for items in deferred.values() for locale, _ in items}:
                    memories[locale].read()
                merger.prepare()

            for slug, results in ordered_map(
                merger.article, deferred.items(), processes, None, read_memories
            ):
                for locale, kind, value in results:
                    handle(locale, slug, kind, value)
    finally:
        for memory in memories.values():
            memory.close()  # the entries kept so far, written

    # Listed by locale, in the templates' order, however they were merged.
    for locale in locales:
        for slug in pot_paths:
            what = listed.get((locale, slug))
            if isinstance(what, CatalogError):
                res.problems.append(what)
            elif what is not None:
                shown = project.relative(project.catalog_path(locale, slug))
                (res.created if what == "created" else res.updated).append(shown)
        folder = project.locales_dir / locale
        if folder.is_dir():
            for po_path in sorted(folder.glob("*.po")):
                if po_path.stem not in pot_paths:
                    res.orphans.append(project.relative(po_path))
    state.save()
    return res


_COUNTS = (
    "fuzzy_from_previous",
    "fuzzy_from_memory",
    "numbers_changed",
    "resurrected",
    "obsoleted",
)


@dataclass
class _Merged:
    """What merging one catalog did: created, updated or unchanged (the same bytes); the
    digest of the bytes written (None: none were); the catalog's finished entries before
    (merged in a worker and rewritten, else None) and after (None: not rewritten); the digest
    of the glossary hints it wrote; and its counts for :class:`UpdateResult`."""

    outcome: str
    written: str | None
    before: list | None
    after: list | None
    hints: str
    counts: tuple[int, ...]  # in the order of _COUNTS


class _Merger:
    """update's merges, in this process or in ``--jobs`` workers (forked after it was made:
    they share its glossary hints). An article's catalogs are merged one after another, its
    template read once for them."""

    def __init__(self, project: Project, pot_paths: dict, hints: dict, glossary: str, terms):
        self.project = project
        self.pot_paths = pot_paths
        self.hints = hints  # locale -> the glossary hints of a text
        self.glossary = glossary  # the glossary file's digest, for the records
        self.terms = terms  # the Glossary the hints come from, or None
        self.templates: dict[str, object] = {}  # the last slug's template, or its error
        self.memories: dict[str, _MergeMemory] = {}  # by locale, for the merges that ask one

    def prepare(self) -> None:
        """Before workers are forked: what every merge imports, imported once."""
        import rapidfuzz.fuzz  # noqa: F401
        import rapidfuzz.process  # noqa: F401

        from . import catalog, numbers  # noqa: F401

    def article(self, item) -> tuple[str, list]:
        """:meth:`update` for each of an article's catalogs (``item``: the slug, and
        ``(locale, record)`` pairs), as ``(locale, kind, value)``, with the memories of
        :attr:`memories` (none: the merges that may ask one wait)."""
        slug, items = item
        results = [
            (locale, *self.update(slug, locale, known, self.memories.get(locale)))
            for locale, known in items
        ]
        if self.terms is not None:
            self.terms.forget()  # its texts, asked about for each locale, are done with
        return slug, results

    def update(self, slug: str, locale: str, known, memory: _MergeMemory | None):
        """``(kind, value)`` for a catalog to update (``known``: its record when only the
        glossary changed since, else None): ``"same hints"`` and the record's new report
        when the catalog's hints did not change; ``"merged"`` and a :class:`_Merged`;
        without a ``memory``, ``"deferred"`` when the merge may ask it; or ``"template"`` or
        ``"catalog"``, and the :class:`CatalogError` of a file that cannot be read."""
        from . import catalog

        pot = self._template(slug)
        if isinstance(pot, CatalogError):
            return "template", pot
        hints = self.hints[locale]
        if known is not None and known.get("hints") == _hints_digest(pot, hints):
            return "same hints", known | {"glossary": self.glossary}
        po_path = self.project.catalog_path(locale, slug)
        created = not po_path.exists()
        if created:
            if memory is None:
                return "deferred", None
            old = catalog.new_catalog(pot, locale)
            del old[:]  # merged against nothing, so memory can offer suggestions
        else:
            try:
                old = catalog.load(po_path, self.project.relative(po_path))
            except CatalogError as e:
                return "catalog", e
        if memory is None:
            # As the merge matches them (see catalog.merge): by context and msgid.
            have = {
                catalog.message_key(e)
                for e in old
                if not e.obsolete and e.msgid and not e.msgid_plural
            }
            if any(catalog.message_key(t) not in have for t in pot):
                return "deferred", None
            return "merged", self._merge(pot, old, locale, po_path, created, _never_asked, True)
        memory.before_update(po_path, lambda: [] if created else _finished(old))
        ask = partial(memory.get, slug=slug)
        return "merged", self._merge(pot, old, locale, po_path, created, ask, False)

    def _template(self, slug: str):
        """The template, or the CatalogError of reading it."""
        from . import catalog

        if slug not in self.templates:  # the article's merges are one after another
            path = self.pot_paths[slug]
            try:
                self.templates = {slug: catalog.load(path, self.project.relative(path))}
            except CatalogError as e:
                self.templates = {slug: e}
        return self.templates[slug]

    def _merge(self, pot, old, locale, po_path: Path, created: bool, ask, keep_before: bool):
        """The merge, written. ``ask(msgid)``: the memory's translation of a text; with
        ``keep_before``, the catalog's entries before, when it is rewritten (for the memory
        of this update, read in the main process)."""
        from . import catalog
        from .state import bytes_digest

        asked: dict[str, list[str]] = {}
        merged = catalog.merge(
            pot,
            old,
            locale,
            partial(_asking, self.hints[locale], asked),
            ask,
            self.project.source_language,
        )
        # As msgmerge: POT-Creation-Date is the template's (see catalog.merge), and
        # PO-Revision-Date the translator's, so an update sets no date of its own.
        data = catalog.write(merged.po, po_path, "PO-Revision-Date" if created else None)
        return _Merged(
            "unchanged" if not data else "created" if created else "updated",
            None if not data else bytes_digest(data),
            _finished(old) if keep_before and data and not created else None,
            None if not data else _finished(merged.po),
            _hints_digest(pot, asked.get),
            tuple(getattr(merged, k) for k in _COUNTS),
        )


def _never_asked(msgid: str):
    raise AssertionError(
        f"a merge whose catalog has every template text asked the memory: {msgid!r}"
    )


# -- build -----------------------------------------------------------------------------------


@dataclass
class LocaleBuild:
    locale: str
    units: int = 0
    translated: int = 0
    pages: list[str] = field(default_factory=list)
    untranslated: list = field(default_factory=list)
    rejected: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "locale": self.locale,
            "units": self.units,
            "translated": self.translated,
            "pages": self.pages,
            "untranslated": [f.as_dict() for f in self.untranslated],
            "rejected": [
                {"article": a, "msgid": r.msgid, "msgstr": r.msgstr, "reason": r.reason}
                for a, r in self.rejected
            ],
        }


@dataclass
class BuildResult:
    locales: list[LocaleBuild] = field(default_factory=list)
    problems: list[LocaliseError] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "locales": [lb.as_dict() for lb in self.locales],
            "problems": [str(p) for p in self.problems],
        }


def load_translations(
    project: Project, locale: str, slug: str, problems: list, raw: bytes | None = None
) -> tuple[dict, set] | None:
    """(translations, fuzzy msgids) of an article's catalog; empty when there is none yet;
    None (and a problem) when it cannot be read. ``raw``: the catalog's bytes, when the
    caller has read them."""
    from . import catalog

    po_path = project.catalog_path(locale, slug)
    if raw is None and not po_path.exists():
        return {}, set()
    try:
        return catalog.load_translations(po_path, project.relative(po_path), raw)
    except CatalogError as e:
        problems.append(e)
        return None


def build(
    project: Project, locales: list[str], only: set[str] | None = None, jobs: int = 1
) -> BuildResult:
    """Write ``dist/<locale>/<slug>.html`` for every article and locale. A page whose inputs
    (the article, its catalog, the site settings) have not changed is not rendered again."""
    from .parallel import ordered_map
    from .publish import alternates_for, link_map_for
    from .state import State, bytes_digest, code_stamp, digest, read_signed

    res = BuildResult()
    builds = {loc: LocaleBuild(loc) for loc in locales}
    res.locales = list(builds.values())
    state = State(project.cache_dir, "build")
    state.outside(
        lambda key: (
            key.split("/", 1)[0] in locales and (only is None or key.split("/", 1)[-1] in only)
        )
    )
    every = list(iter_articles(project, res.problems))
    loaded_all = [item for item in every if only is None or item.slug in only]
    alternates = alternates_for(project)
    link_maps = link_map_for(project, every)
    # What every page depends on: the addresses of all articles (links between them).
    site = digest(
        code_stamp(),
        str(project.url_pattern),
        str(project.source_url_pattern),
        *sorted(project.locales),
        *sorted(f"{i.slug} {i.link}" for i in every),
    )

    def items():
        for index, loaded in enumerate(loaded_all):
            slug = loaded.slug
            todo = []
            for locale in locales:
                key = f"{locale}/{slug}"
                if not state.knows(key):
                    # Never built: no digest can match, and the catalog's is taken where it
                    # is read anyway, by the worker (reading it here too was a tenth of a
                    # first build, in the one process that feeds the workers).
                    todo.append((locale, None, None))
                    continue
                po_digest = state.file_digest(project.catalog_file(locale, slug))
                inputs = digest(site, loaded.key, po_digest)
                known = state.get(key, inputs, project.page_file(locale, slug))
                todo.append((locale, inputs, known))
            yield index, todo

    def work(item):
        """Render the pages of one article whose inputs changed: (locale, inputs, report or
        None for an unreadable catalog, digest of the page written, problems, what the
        catalog's signature and digest were when read here) for each locale."""
        index, todo = item
        loaded = loaded_all[index]
        out = []
        reported = False
        for locale, inputs, known in todo:
            if known is not None:
                out.append((locale, inputs, known, None, [], None))
                continue
            raw = seen = None
            if inputs is None:
                po_path = project.catalog_path(locale, loaded.slug)
                sig, raw = read_signed(po_path)
                po_digest = "-" if raw is None else bytes_digest(raw)  # as file_digest gives
                inputs = digest(site, loaded.key, po_digest)
                seen = None if sig is None else (po_path, sig, po_digest)
            problems: list = []
            loaded_tr = load_translations(project, locale, loaded.slug, problems, raw)
            if loaded_tr is None:
                out.append((locale, inputs, None, None, problems, seen))
                continue
            translations, fuzzy = loaded_tr
            try:
                skeleton = loaded.skeleton
            except SourceError as e:
                if not reported:  # once for the article, not once per locale
                    problems.append(e)
                    reported = True
                out.append((locale, inputs, None, None, problems, seen))
                continue
            from .build import build_page

            page = build_page(
                skeleton,
                locale,
                translations,
                fuzzy,
                alternates(loaded, locale) if alternates else (),
                link_maps(locale) if link_maps else None,
            )
            path = project.page_path(locale, loaded.slug)
            data = page.html.encode("utf-8")
            write_atomic(path, data, durable=False)
            report = {
                "units": page.units,
                "translated": page.translated,
                "untranslated": [[f.location, f.text, f.state] for f in page.untranslated],
                "rejected": [[r.msgid, r.msgstr, r.reason, r.fallback] for r in page.rejected],
            }
            out.append((locale, inputs, report, bytes_digest(data), problems, seen))
        loaded.__dict__.pop("_skeleton", None)  # one article's skeleton in memory at a time
        return index, out

    shown = {loc: project.relative(project.dist_dir / loc) for loc in locales}

    def light(item) -> bool:  # every page of the article unchanged
        return all(known is not None for _, _, known in item[1])

    def before_fork() -> None:
        """What every worker needs, loaded once before they are forked rather than by each of
        them: the modules that read catalogs and build pages, Babel's locale data, the
        skeleton store's file."""
        from . import catalog  # noqa: F401
        from .build import text_direction

        for locale in locales:
            text_direction(locale)
        _skeleton_store(project).open()

    for index, out in ordered_map(work, items(), jobs, light, before_fork):
        slug = loaded_all[index].slug
        for locale, inputs, report, written, problems, seen in out:
            res.problems.extend(problems)
            if seen is not None:  # the catalog as the worker read it
                state.files.known(*seen)
            if report is None:
                continue
            if written is not None:  # rendered now: the digest of what was written
                path = project.page_path(locale, slug)
                state.put(f"{locale}/{slug}", inputs, path, report, written)
            lb = builds[locale]
            lb.units += report["units"]
            lb.translated += report["translated"]
            if report["untranslated"]:
                from .build import Fragment

                lb.untranslated.extend(
                    Fragment(slug, loc, text, st) for loc, text, st in report["untranslated"]
                )
            if report["rejected"]:
                from .segment import Rejection

                lb.rejected.extend((slug, Rejection(*r)) for r in report["rejected"])
            lb.pages.append(f"{shown[locale]}/{slug}.html")  # as project.relative gives it
    state.save()
    flush_skeletons()
    return res


# -- stats and compile -----------------------------------------------------------------------


@dataclass
class StatsResult:
    rows: dict[str, dict[str, catalog.Stats]] = field(
        default_factory=dict
    )  # locale -> slug -> stats
    totals: dict[str, catalog.Stats] = field(default_factory=dict)
    problems: list[LocaliseError] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "locales": {
                loc: {
                    "articles": {slug: s.as_dict() for slug, s in arts.items()},
                    "total": self.totals[loc].as_dict(),
                }
                for loc, arts in self.rows.items()
            },
            "problems": [str(p) for p in self.problems],
        }


def stats(project: Project, locales: list[str]) -> StatsResult:
    from . import catalog

    res = StatsResult()
    slugs = [p.stem for p in template_paths(project)]
    for locale in locales:
        rows: dict[str, catalog.Stats] = {}
        total = catalog.Stats()
        for slug in slugs:
            po_path = project.catalog_path(locale, slug)
            if po_path.exists():
                try:
                    po = catalog.load(po_path, project.relative(po_path))
                except CatalogError as e:
                    res.problems.append(e)
                    continue
            else:
                po = catalog.load(
                    project.template_path(slug), project.relative(project.template_path(slug))
                )
            s = catalog.stats(po)
            rows[slug] = s
            total.add(s)
        res.rows[locale] = rows
        res.totals[locale] = total
    return res


@dataclass
class CompileResult:
    written: list[str] = field(default_factory=list)
    problems: list[LocaliseError] = field(default_factory=list)


def compile_catalogs(project: Project, locales: list[str]) -> CompileResult:
    from . import catalog

    res = CompileResult()
    for locale in locales:
        folder = project.locales_dir / locale
        for po_path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
            try:
                po = catalog.load(po_path, project.relative(po_path))
            except CatalogError as e:
                res.problems.append(e)
                continue
            mo_path = po_path.with_suffix(".mo")
            catalog.compile_mo(po, mo_path)
            res.written.append(project.relative(mo_path))
    return res
