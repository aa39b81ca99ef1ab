"""Finished locale bundles and the index that publishing pipelines read.

A locale is *finished* when its completion (translated, not fuzzy) reaches its threshold and
``check`` finds no error in it (nor a warning, unless warnings are allowed). Untranslated units
count against completion only: they are not also counted as errors or warnings. Each finished
locale becomes one ``.tar.gz`` under ``dist/bundles/`` with the built pages, WordPress payloads
and a manifest of checksums; ``dist/bundles/index.json`` lists what exists.

Archives are byte-identical for the same inputs: sorted entries, fixed times and owners, gzip
without a timestamp. Every file is written atomically, the index last, so a pipeline reading
during a run sees the old bundle or the new one.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import LocaliseError
from .fsutil import read_regular, write_atomic
from .report import counted

PAYLOAD_KEYS = ("title", "content", "excerpt")


@dataclass
class LocaleDecision:
    locale: str
    completion: float
    errors: int
    warnings: int
    threshold: float
    published: bool = False
    reason: str = ""
    file: str = ""
    sha256: str = ""
    size: int = 0
    articles: int = 0
    unread: int = 0  # input files that could not be read and concern the locale


@dataclass
class BundleResult:
    decisions: list[LocaleDecision] = field(default_factory=list)
    problems: list[LocaliseError] = field(default_factory=list)
    index: str = ""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _epoch() -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH", "")
    return int(value) if value.isdigit() else 0


def make_archive(files: dict[str, bytes]) -> bytes:
    """A reproducible .tar.gz of ``files`` (name -> bytes)."""
    raw = io.BytesIO()
    mtime = _epoch()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(files):
            data = files[name]
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = mtime
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=mtime, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def wordpress_payload(
    article, skeleton, locale: str, translations: dict, link_map, source_language: str
) -> dict:
    """The translated post as a WordPress REST API payload for a multilingual plugin."""
    from .build import _rewrite_links, fill_field, html_lang
    from .segment import escape_text

    payload: dict = {"slug": article.slug, "lang": html_lang(locale), "status": "draft"}
    for key in PAYLOAD_KEYS:
        value = fill_field(skeleton, key, translations.get)
        if value is not None:
            if key == "content" and link_map is not None:
                value = _rewrite_links(value, link_map)
            elif key == "title":  # plain text, and WordPress takes a title as HTML
                value = escape_text(value)
            payload[key] = value
    meta = {}
    for name in skeleton.fields:
        if name.startswith("meta:"):
            meta[name[5:]] = fill_field(skeleton, name, translations.get)
    if meta:
        payload["meta"] = meta
    payload["translation_of"] = (article.post or {}).get("id")
    payload["source_language"] = source_language.replace("_", "-")
    return payload


def bundle(
    project, locales: list[str], min_completion: float | None = None, allow_warnings: bool = False
) -> BundleResult:
    from .build import build_page
    from .checks.run import run as run_checks
    from .pages import Page
    from .pipeline import iter_articles, load_translations
    from .placeholders import strip
    from .publish import alternates_for, link_map_for
    from .segment import fold

    res = BundleResult()
    loaded = list(iter_articles(project, res.problems))
    per_locale: dict[str, dict] = {}
    for locale in locales:
        data = {"articles": {}, "translated": 0, "units": 0, "untranslated_text": set()}
        for item in loaded:
            got = load_translations(project, locale, item.slug, res.problems)
            translations, _fuzzy = got if got is not None else ({}, set())
            msgids = {u.msgid for u in item.skeleton.units()}
            done = sum(1 for m in msgids if m in translations)
            data["articles"][item.slug] = (translations, done, len(msgids))
            data["translated"] += done
            data["units"] += len(msgids)
            data["untranslated_text"] |= {
                fold(strip(m, "")).strip() for m in msgids if m not in translations
            }
        per_locale[locale] = data

    checked = run_checks(project, locales, skip=("untranslated", "fuzzy", "leftover"), pages=False)
    res.problems += checked.problems

    decisions: dict[str, LocaleDecision] = {}
    by_locale = checked.summary()["by_locale"]  # the findings counted in one pass
    for locale in locales:
        data = per_locale[locale]
        completion = 100.0 * data["translated"] / data["units"] if data["units"] else 100.0
        threshold = (
            min_completion
            if min_completion is not None
            else project.completion_threshold(locale, 100.0)
        )
        found = by_locale.get(locale, {})
        d = LocaleDecision(
            locale, round(completion, 1), found.get("error", 0), found.get("warning", 0), threshold
        )
        d.unread = sum(1 for p in res.problems if _concerns(project, p, locale))
        decisions[locale] = d

    # Pages are built for the locales that pass so far, then read back for leftover text that
    # did not come from an untranslated unit (that is completion's business, not an error).
    candidates = [
        loc
        for loc, d in decisions.items()
        if d.completion >= d.threshold
        and d.errors == 0
        and (allow_warnings or d.warnings == 0)
        and not d.unread
    ]
    link_maps = link_map_for(project, loaded, candidates)
    alternates = alternates_for(project, candidates)
    built: dict[str, dict[str, bytes]] = {}
    for locale in candidates:
        files: dict[str, bytes] = {}
        manifest_articles = {}
        identifier_pages = []
        for item in loaded:
            translations, done, total = per_locale[locale]["articles"][item.slug]
            link_map = link_maps(locale) if link_maps else None
            page = build_page(
                item.skeleton,
                locale,
                translations,
                (),
                alternates(item, locale) if alternates else (),
                link_map,
            )
            html_bytes = page.html.encode("utf-8")
            payload = (
                json.dumps(
                    wordpress_payload(
                        item.article,
                        item.skeleton,
                        locale,
                        translations,
                        link_map,
                        project.source_language,
                    ),
                    ensure_ascii=False,
                    indent=2,
                    sort_keys=True,
                ).encode("utf-8")
                + b"\n"
            )
            files[f"html/{item.slug}.html"] = html_bytes
            files[f"wordpress/{item.slug}.json"] = payload
            identifier_pages.append((item.slug, page.html))
            manifest_articles[item.slug] = {
                "completion": round(100.0 * done / total, 1) if total else 100.0,
                "files": {
                    f"html/{item.slug}.html": _sha(html_bytes),
                    f"wordpress/{item.slug}.json": _sha(payload),
                },
            }
        leftovers = _leftovers(
            identifier_pages,
            locale,
            per_locale[locale]["untranslated_text"],
            project.source_language,
            Page,
        )
        if leftovers:
            decisions[locale].errors += len(leftovers)
            continue
        manifest = {
            "locale": locale,
            "source_language": project.source_language,
            "toolkit": f"localise {__version__}",
            "inputs_sha256": _inputs_hash(project),
            "completion": decisions[locale].completion,
            "articles": manifest_articles,
        }
        files["manifest.json"] = (
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
            + b"\n"
        )
        built[locale] = files

    out_dir = project.bundles_dir
    index_entries = []
    for locale, d in decisions.items():
        if locale in built:
            archive = make_archive(built[locale])
            name = f"{locale}.tar.gz"
            write_atomic(out_dir / name, archive)
            d.published, d.file, d.sha256, d.size = True, name, _sha(archive), len(archive)
            d.articles = len(loaded)
            index_entries.append(
                {
                    "locale": locale,
                    "file": name,
                    "sha256": d.sha256,
                    "size": d.size,
                    "completion": d.completion,
                    "articles": d.articles,
                }
            )
        else:
            reasons = []
            if d.completion < d.threshold:
                reasons.append(f"completion {d.completion:.1f} % is below {d.threshold:g} %")
            if d.errors:
                reasons.append(f"{counted(d.errors, 'check error')}")
            if d.warnings and not allow_warnings:
                reasons.append(
                    f"{counted(d.warnings, 'check warning')} (--allow-warnings to accept them)"
                )
            if d.unread:
                reasons.append(
                    f"{counted(d.unread, 'input file')} could not be read (see the errors)"
                )
            d.reason = "; ".join(reasons) or "not finished"
        res.decisions.append(d)
    index = {
        "toolkit": f"localise {__version__}",
        "source_language": project.source_language,
        "bundles": sorted(index_entries, key=lambda e: e["locale"]),
        "held_back": [
            {
                "locale": d.locale,
                "completion": d.completion,
                "errors": d.errors,
                "warnings": d.warnings,
                "reason": d.reason,
            }
            for d in sorted(res.decisions, key=lambda d: d.locale)
            if not d.published
        ],
    }
    res.index = json.dumps(index, ensure_ascii=False, indent=2) + "\n"
    write_atomic(out_dir / "index.json", res.index)
    # Archives of locales no longer published go after the index stops naming them.
    for d in res.decisions:
        if not d.published:
            stale = out_dir / f"{d.locale}.tar.gz"
            if stale.exists():
                stale.unlink()
    return res


def _concerns(project, problem: LocaliseError, locale: str) -> bool:
    """Whether an input that could not be read leaves ``locale``'s bundle incomplete or
    unchecked: its own catalogs, and what every locale depends on (a source file, a template,
    the glossary, the settings); not another locale's catalogs."""
    if not problem.path:
        return True
    parts = Path(project.relative(Path(problem.path))).parts
    top = Path(project.relative(project.locales_dir)).parts
    n = len(top)
    return not (len(parts) > n + 1 and parts[:n] == top and parts[n] not in (locale, "templates"))


def _leftovers(pages, locale, untranslated_text: set[str], source_language: str, page_cls) -> list:
    from .language import Identifier

    identifier = Identifier([locale, source_language])
    found = []
    for slug, html in pages:
        page = page_cls.from_html(html, f"{locale}/{slug}.html", locale)
        for frag in page.foreign_fragments(identifier):
            if frag.text not in untranslated_text:
                found.append((slug, frag))
    return found


def _inputs_hash(project) -> str:
    """One hash of everything a bundle is built from: the sources and the catalogs."""
    h = hashlib.sha256()
    files = list(project.source_files())
    if project.locales_dir.is_dir():
        files += sorted(p for p in project.locales_dir.rglob("*.po*") if p.is_file())
    if project.glossary_path.exists():
        files.append(project.glossary_path)
    for path in sorted(files, key=lambda p: project.relative(p)):
        h.update(project.relative(path).encode("utf-8") + b"\0")
        h.update(read_regular(path))
        h.update(b"\0")
    return h.hexdigest()
