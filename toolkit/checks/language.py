"""Checks that read languages: translations in the wrong language, source text that is not in
the source language, and built pages with fragments left in another language."""

from __future__ import annotations

from ..model import usable
from . import check


@check("wrong-language", "error", scope="catalog")
def wrong_language(ctx, po):
    """The translation is not in the catalog's language (identified by lingua, offline). Only
    texts of a few words or more, identified with high confidence, are judged, so one-word
    headings, names and terms never raise this."""
    entries = [e for e in po if usable(e)]
    expected = ctx.locale.split("_")[0]
    for entry, found in zip(
        entries, ctx.identifier.identify_many([e.msgstr for e in entries], expected), strict=True
    ):
        if found and found.language != expected and found.target_confidence < 0.1:
            from ..language import language_name

            yield (
                entry,
                f"the translation looks like {language_name(found.language)}, not {language_name(expected)} ({found.confidence:.0%} sure)",
                None,
            )


@check("mixed-source", "info", scope="source")
def mixed_source(ctx, pot):
    """A unit of a source article is not in the source language (a Dutch heading in an English
    post). Not an error: it tells translators and machine translation to treat it differently."""
    for entry, lang in ctx.foreign_in(pot):
        from ..language import language_name

        yield (
            entry,
            f"this source text is in {language_name(lang)}, not {language_name(ctx.source_language)}",
            None,
        )


@check("leftover", "error", scope="page")
def leftover(ctx, page):
    """A text fragment of a built page (dist/<locale>/) is not in the page's language: a
    paragraph left in the source language, or text that bypassed the catalogs. Every text a
    reader meets is read: the running text of any element, alt and title attributes, the
    page's description. Run on any page with `localise check --page FILE --lang LOCALE`."""
    yield from page.foreign_fragments(ctx.identifier)
