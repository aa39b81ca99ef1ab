"""Checks on whole catalogs and across catalogs: well-formed PO files, consistent translations."""

from __future__ import annotations

import re

from ..model import usable
from . import check


@check("po-syntax", "error", scope="catalog")
def po_syntax(ctx, po):
    """The PO file is well formed: it parses (no syntax error, no duplicate msgid), its header
    names the catalog's language, declares UTF-8 or another real charset, and has Plural-Forms
    that agree with the language's plural rules (Babel's CLDR data)."""
    from babel.messages.plurals import get_plural

    meta = po.metadata
    language = meta.get("Language", "")
    if not language:
        yield None, "the header has no Language", None
    elif language.replace("-", "_").lower() != ctx.locale.lower():
        yield (
            None,
            f"the header says Language: {language}, but the file is in locales/{ctx.locale}/",
            None,
        )
    content_type = meta.get("Content-Type", "")
    if "charset=" not in content_type or "CHARSET" in content_type:
        yield None, "the header declares no charset in Content-Type", None
    forms = meta.get("Plural-Forms", "")
    m = re.search(r"nplurals\s*=\s*(\d+)", forms)
    if not m:
        yield None, "the header has no valid Plural-Forms", None
    else:
        try:
            expected = get_plural(ctx.locale).num_plurals
        except (ValueError, KeyError):
            expected = None
        if expected is not None and int(m.group(1)) != expected:
            yield (
                None,
                f"Plural-Forms has nplurals={m.group(1)}, but {ctx.locale} has {expected} plural forms",
                None,
            )


@check("inconsistent", "warning", scope="project")
def inconsistent(ctx, catalogs):
    """The same source text is translated differently in different articles of a locale.
    Sometimes that is right (context), often it is an oversight that confuses readers."""
    by_msgid: dict[str, dict[str, list]] = {}
    for cat in catalogs:
        for entry in cat.po:
            if usable(entry):
                by_msgid.setdefault(entry.msgid, {}).setdefault(entry.msgstr, []).append(
                    (cat, entry)
                )
    for _msgid, variants in by_msgid.items():
        if len(variants) < 2:
            continue
        for msgstr, places in variants.items():
            others = [s for s in variants if s != msgstr]
            where = ", ".join(sorted({c.article for s in others for c, _ in variants[s]}))
            for cat, entry in places:
                yield cat, entry, f"translated differently in {where}: {others[0]!r}", None
