"""Reading a finished page back, to audit what a reader would see.

Works on any page (ours in dist/, or one from the live site), and on the article formats the
readers know (a WordPress post's JSON, a text page), so an editor can audit what is published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError, read_bytes
from .segment import (
    INLINE,
    INLINE_PROTECTED,
    META_CONTENT,
    PROTECTED,
    TRANSLATABLE_ATTRS,
    fold,
    parse_html,
)


@dataclass
class Fragment:
    text: str
    line: int
    message: str = ""


@dataclass
class Page:
    path: str
    locale: str
    fragments: list[Fragment]

    @classmethod
    def read(cls, path: Path, shown: str, locale: str, data: bytes | None = None) -> Page:
        """The page at ``path`` (``data``: its bytes, when the caller has read them); a page
        that cannot be used raises SourceError naming it ``shown``."""
        if data is None:
            data = read_bytes(path, SourceError, shown, missing="no such file")
        from .sources import as_utf8, sniff

        data = as_utf8(data, shown)
        kind = sniff(data) if data.strip() else "empty"
        if kind == "empty":
            raise SourceError("empty file", shown)
        if kind == "html":
            from .sources.html import decode

            return cls.from_html(decode(data, shown), shown, locale)
        # WordPress JSON or text: read it as an article, and audit its fields' units.
        from .project import Project
        from .segment import segment_article
        from .sources import articles_in

        project = Project(root=Path.cwd())  # the default settings: any file, any folder
        fragments = []
        for article in articles_in(data, Path(path), shown, project):
            for unit in segment_article(article).units():
                fragments.append(Fragment(unit.msgid, 1, unit.location))
        return cls(shown, locale, fragments)

    @classmethod
    def from_html(cls, html: str, shown: str, locale: str) -> Page:
        try:
            return cls(shown, locale, list(_html_fragments(html)))
        except SourceError as e:  # past the parser's limits: named here, where the file is known
            raise SourceError(e.message, shown, e.line) from None

    def foreign_fragments(self, identifier):
        from .language import language_name

        expected = self.locale.split("_")[0]
        found = identifier.identify_many([f.text for f in self.fragments], expected)
        for frag, ident in zip(self.fragments, found, strict=True):
            if ident and ident.language != expected and ident.target_confidence < 0.1:
                where = f" ({frag.message})" if frag.message else ""
                short = frag.text if len(frag.text) <= 80 else frag.text[:79] + "…"
                yield Fragment(
                    frag.text,
                    frag.line,
                    f"{language_name(ident.language)} text on a {language_name(expected)} page{where}: {short}",
                )


def _html_fragments(html: str):
    """What a reader of the page sees, as fragments: the running text of every element that is
    not inline (its own text with that of its inline descendants, up to the next element that
    is not inline), its translatable attributes (alt, title, ...) and the head's descriptions.
    Protected content (code, scripts, ``translate="no"``) is left out."""
    root = parse_html(html)
    stack = [root]
    while stack:
        el = stack.pop()
        tag = el.tag
        if not isinstance(tag, str) or tag in PROTECTED or el.get("translate") == "no":
            continue
        line = el.sourceline or 1
        for name in TRANSLATABLE_ATTRS:
            value = el.get(name)
            if value and _LETTER.search(value):
                yield Fragment(fold(value).strip(), line, f"{tag} {name}")
        if tag == "meta" and (el.get("name") or el.get("property")) in META_CONTENT:
            value = el.get("content") or ""
            if _LETTER.search(value):
                yield Fragment(
                    fold(value).strip(), line, f"meta {el.get('name') or el.get('property')}"
                )
        if tag not in INLINE:
            parts: list[str] = []
            _running_text(el, parts)
            text = fold("".join(parts)).strip()
            if text and _LETTER.search(text):
                yield Fragment(text, line)
        stack.extend(reversed(el))


_LETTER = re.compile(r"[^\W\d_]")


def _running_text(el, parts: list[str]) -> None:
    """The text of ``el`` outside its descendants that are not inline (or are protected)."""
    parts.append(el.text or "")
    for child in el:
        tag = child.tag
        if (
            isinstance(tag, str)
            and tag in INLINE
            and tag not in INLINE_PROTECTED
            and tag != "br"
            and child.get("translate") != "no"
        ):
            _running_text(child, parts)
        else:
            parts.append(" ")  # a block between two runs of text (or a <br>) parts words
        parts.append(child.tail or "")
