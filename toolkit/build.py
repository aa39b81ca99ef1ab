"""PO + article skeleton -> localised HTML page, and what was left untranslated.

A page is the article's own skeleton with every slot filled: translated text where the catalog
has a finished (translated, not fuzzy) entry, the source text elsewhere. Every fallback is
reported, and so is every translation that could not be used as written (see
:func:`segment.render_block`). A WordPress post, a text page or a fragment is wrapped in a
minimal HTML5 page; a full HTML page keeps its own ``<head>`` and only gets ``lang``/``dir``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .placeholders import MARKUP_LIKE_RE
from .segment import ArticleSkeleton, Rejection, escape_attr, escape_text, fold, render_parts

_TAG = re.compile(r"<[^>]*>")


@dataclass
class Fragment:
    """A unit that the page shows in the source language."""

    article: str
    location: str
    text: str
    state: str  # "untranslated" or "fuzzy"

    def as_dict(self) -> dict:
        return {
            "article": self.article,
            "location": self.location,
            "state": self.state,
            "text": self.text,
        }


@dataclass
class PageResult:
    slug: str
    locale: str
    html: str
    units: int = 0
    translated: int = 0
    untranslated: list[Fragment] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


@lru_cache(maxsize=64)
def text_direction(locale: str) -> str:
    from babel import Locale

    return "rtl" if Locale.parse(locale).text_direction == "rtl" else "ltr"


def html_lang(locale: str) -> str:
    """BCP 47 form of a gettext locale code (``pt_BR`` -> ``pt-BR``)."""
    return locale.replace("_", "-")


def build_page(
    skeleton: ArticleSkeleton,
    locale: str,
    translations: dict[str, str],
    fuzzy: set[str] | frozenset = frozenset(),
    alternates: list[tuple[str, str]] = (),
    link_map=None,
) -> PageResult:
    """Fill an article's skeleton with a locale's translations.

    ``alternates`` are (hreflang, href) pairs for ``<link rel="alternate">``; ``link_map`` maps
    an ``href`` of the source to the localised address (or None to leave it)."""
    rejected: list[Rejection] = []
    lookup = translations.get
    lang, direction = html_lang(locale), text_direction(locale)
    fields = skeleton.fields

    def fill(name: str) -> str | None:
        seg = fields.get(name)
        if seg is None:
            return None
        return render_parts(seg.parts, lookup, rejected, lang, direction)

    def plain(name: str) -> str:
        return fill_field(skeleton, name, lookup, rejected) or ""

    result = PageResult(skeleton.slug, locale, "")
    if "page" in fields:
        page = fill("page")
        if alternates:
            links = "".join(
                f'<link rel="alternate" hreflang="{escape_attr(h)}" href="{escape_attr(u)}">\n'
                for h, u in alternates
            )
            page = page.replace("</head>", links + "</head>", 1)
    else:
        title = plain("title")
        head_title = plain("meta:rank_math_title") or title
        if "meta:rank_math_description" in fields:
            description = plain("meta:rank_math_description")
        elif "excerpt" in fields:
            # Only HTML's white space is folded: str.split() would also take the no-break
            # spaces of "30\u202fmg" and "70\u00a0%".
            text = fold(_TAG.sub(" ", fill("excerpt")))
            description = html.unescape(text.strip(" "))
        else:
            description = ""
        content = fill("content") or ""
        if link_map is not None:
            content = _rewrite_links(content, link_map)
        head = [
            "<!DOCTYPE html>",
            f'<html lang="{escape_attr(lang)}" dir="{direction}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape_text(head_title)}</title>",
        ]
        if description:
            head.append(f'<meta name="description" content="{escape_attr(description)}">')
        for hreflang, href in alternates:
            head.append(
                f'<link rel="alternate" hreflang="{escape_attr(hreflang)}" href="{escape_attr(href)}">'
            )
        head += ["</head>", "<body>", "<article>"]
        if title and not re.search(r"<h1[\s>]", content):
            head.append(f"<h1>{escape_text(title)}</h1>")
        page = "\n".join(head) + "\n" + content.strip("\n") + "\n</article>\n</body>\n</html>\n"
    result.html = page
    result.rejected = rejected

    # Count each distinct text once, as the catalog does; list every place it stands.
    counted: set[str] = set()
    for unit in skeleton.units():
        first = unit.msgid not in counted
        counted.add(unit.msgid)
        if unit.msgid in translations:
            result.translated += first
            result.units += first
            continue
        result.units += first
        state = "fuzzy" if unit.msgid in fuzzy else "untranslated"
        text = unit.msgid if len(unit.msgid) <= 70 else unit.msgid[:69] + "…"
        result.untranslated.append(Fragment(skeleton.slug, unit.location, text, state))
    return result


def fill_field(
    skeleton: ArticleSkeleton, name: str, lookup, rejected: list | None = None
) -> str | None:
    """A field of the article with its translations: plain text for a text field (a title, an
    SEO field), HTML for an HTML field; None when the article has no such field."""
    seg = skeleton.fields.get(name)
    if seg is None:
        return None
    if len(seg.parts) == 1 and type(seg.parts[0]) is not str and seg.parts[0][0] == "t":
        msgid = seg.parts[0][1]
        msgstr = lookup(msgid)
        if msgstr and rejected is not None and MARKUP_LIKE_RE.search(msgstr):
            rejected.append(
                Rejection(msgid, msgstr, "markup in a plain-text field is shown as text", False)
            )
        return msgstr or msgid
    if all(type(p) is str for p in seg.parts) and name not in ("content", "excerpt", "page"):
        return html.unescape("".join(seg.parts))  # a text field with nothing to translate
    return render_parts(seg.parts, lookup, rejected)


_HREF = re.compile(r'(<a\b[^>]*?\shref=")([^"]*)(")')


def _rewrite_links(content: str, link_map) -> str:
    def sub(m):
        new = link_map(html.unescape(m.group(2)))
        return m.group(0) if new is None else m.group(1) + escape_attr(new) + m.group(3)

    return _HREF.sub(sub, content)
