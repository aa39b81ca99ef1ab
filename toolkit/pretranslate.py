"""Pre-translation: fill untranslated units with suggestions a translator reviews.

Order: the translation memory (exact, then numbers-safe fuzzy), then the source itself when it is
already in the target language (the Dutch headings of an English post), then machine
translation. Every suggestion is fuzzy and says where it came from in a translator comment
(``memory: other-article``, ``machine: libre``). Entries that have a translation, even a fuzzy
one, are never touched. When the machine fails, what was translated so far is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import catalog
from .errors import CatalogError, LocaliseError, MachineError
from .memory import Memory


@dataclass
class TranslateResult:
    locale: str
    from_memory: int = 0
    from_fuzzy_memory: int = 0
    copied: int = 0
    from_machine: int = 0
    dropped: list[tuple[str, str, str]] = field(default_factory=list)  # (article, msgid, reason)
    numbers_blocked: int = 0
    untouched: int = 0
    requests: int = 0
    characters: int = 0
    cache_hits: int = 0
    written: list[str] = field(default_factory=list)
    machine_error: MachineError | None = None
    problems: list[LocaliseError] = field(default_factory=list)
    queued: int = 0


def translate(
    project,
    locale: str,
    provider: str | None = None,
    url: str | None = None,
    articles: list[str] | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    on_queue: Callable[[int], None] | None = None,
    tmx: list | None = None,
    fuzzy_threshold: float = 80.0,
    export_tmx=None,
) -> TranslateResult:
    from .language import Identifier

    res = TranslateResult(locale)
    folder = project.locales_dir / locale
    catalogs = []
    po_paths = sorted(folder.glob("*.po")) if folder.is_dir() else []
    for po_path in po_paths:
        try:
            catalogs.append((po_path, catalog.load(po_path, project.relative(po_path))))
        except CatalogError as e:
            res.problems.append(e)
    _check_articles(project, locale, articles or [], [p.stem for p in po_paths])
    if not catalogs and not res.problems:
        res.problems.append(
            LocaliseError(
                f"no catalogs for {locale}: run `localise init {locale}` first",
                project.relative(folder),
            )
        )
    memory = Memory.from_catalogs(
        [(p.stem, po) for p, po in catalogs], project.source_language, locale
    )
    for path in tmx or []:
        try:
            memory.import_tmx(path, project.relative(path))
        except LocaliseError as e:
            res.problems.append(e)
    if export_tmx is not None:
        from .fsutil import write_atomic

        write_atomic(export_tmx, memory.to_tmx())

    selected = [(p, po) for p, po in catalogs if not articles or p.stem in articles]
    todo = [
        (p, po, e)
        for p, po in selected
        for e in po
        # Plural forms are a person's work (no unit has them): no suggestion for them.
        if e.msgid and not e.obsolete and not e.msgstr and not e.msgid_plural
    ]
    source = project.source_language.split("_")[0]
    target = locale.split("_")[0]
    identifier = Identifier(
        [project.source_language, locale], min_words=2, min_letters=10, min_confidence=0.9
    )
    languages = identifier.identify_many([e.msgid for _, _, e in todo], source)

    queue: list[tuple] = []
    filled: set = set()  # the catalogs given a suggestion: the others are not rewritten
    for (path, _po, entry), found in zip(todo, languages, strict=True):
        lang = (
            found.language
            if found and found.language != source and found.target_confidence < 0.1
            else None
        )
        if (s := memory.exact(entry.msgid, exclude=path.stem)) is not None:
            _suggest(entry, s.msgstr, f"memory: {s.origin}", filled, path)
            res.from_memory += 1
        elif lang == target:
            _suggest(entry, entry.msgid, f"copied: the source is already in {target}", filled, path)
            res.copied += 1
        elif (s := memory.fuzzy(entry.msgid, fuzzy_threshold)) is not None:
            _suggest(entry, s.msgstr, f"memory: {s.origin} ({s.score:.0f} %)", filled, path)
            entry.previous_msgid = s.source
            res.from_fuzzy_memory += 1
        elif provider:
            queue.append((path, entry, lang))
        else:
            res.untouched += 1
    res.numbers_blocked = memory.numbers_blocked
    res.queued = len(queue)
    if on_queue:
        on_queue(len(queue))

    if queue:
        from .glossary import Glossary
        from .machine import MachineConfig, MachineTranslator, Request

        try:
            glossary = Glossary.load(
                project.glossary_path,
                project.source_language,
                project.relative(project.glossary_path),
            )
            protected = [t.term for t in glossary.terms if t.dnt]
        except LocaliseError as e:
            res.problems.append(e)
            protected = []
        settings = project.machine
        config = MachineConfig(
            provider=provider,
            source=project.source_language,
            target=locale,
            url=url or settings.get("url"),
            concurrency=int(settings.get("concurrency", 4)),
            timeout=float(settings.get("timeout", 20.0)),
            cache_path=str(project.cache_dir / "machine.sqlite") if not dry_run else None,
        )
        project.cache_dir.mkdir(parents=True, exist_ok=True)
        translator = MachineTranslator(config, protected)
        try:
            results = translator.translate(
                [Request(e.msgid, lang) for _, e, lang in queue], progress
            )
        except MachineError as e:
            res.machine_error = e
            results = list(getattr(e, "partial", None) or [None] * len(queue))
        finally:
            stats = translator.stats
            res.requests, res.characters, res.cache_hits = (
                stats.requests,
                stats.characters,
                stats.cache_hits,
            )
            translator.close()
        for (path, entry, _lang), result in zip(queue, results, strict=True):
            if result is None:
                res.untouched += 1
            elif result.text is None:
                res.dropped.append((path.stem, entry.msgid, result.error or "no answer"))
            else:
                _suggest(entry, result.text, f"machine: {provider}", filled, path)
                res.from_machine += 1

    if not dry_run:
        for path, po in selected:
            if path in filled and catalog.write(po, path, "PO-Revision-Date"):
                res.written.append(project.relative(path))
    return res


def _check_articles(project, locale: str, articles: list[str], slugs: list[str]) -> None:
    """An article asked for that has no catalog is an error: translating nothing with exit 0
    hid a typo in the slug."""
    import difflib

    for slug in articles:
        if slug in slugs or not slugs:  # no catalogs at all: translate says so
            continue
        if project.template_path(slug).is_file():
            hint = f"; it has no catalog yet: run `localise update {locale}`"
        else:
            close = difflib.get_close_matches(slug, slugs)
            hint = f"; closest: {', '.join(close)}" if close else ""
        raise LocaliseError(
            f"no article {slug!r} to translate{hint}",
            project.relative(project.locales_dir / locale),
        )


def _suggest(entry, text: str, origin: str, filled: set, path) -> None:
    filled.add(path)
    entry.msgstr = text
    if "fuzzy" not in entry.flags:
        entry.flags.insert(0, "fuzzy")
    entry.tcomment = "\n".join(x for x in (entry.tcomment, origin) if x)
