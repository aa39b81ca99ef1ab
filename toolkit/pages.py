"""Reading a finished page back, to audit what a reader would see.

Works on any page (ours in dist/, or one from the live site), and on the article formats the
readers know (a WordPress post's JSON, a text page), so an editor can audit what is published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError, read_bytes
from .segment import HEADINGS, PROTECTED, fold

_BLOCKS = (
    frozenset(
        "p li td th dt dd figcaption caption blockquote summary button label option title h1 h2 h3 h4 h5 h6 div section article".split()
    )
    | HEADINGS
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
        from .sources import sniff

        kind = sniff(data) if data.strip() else "empty"
        if kind == "empty":
            raise SourceError("empty file", shown)
        if kind == "html":
            from .sources.html import decode

            return cls(shown, locale, list(_html_fragments(decode(data, shown))))
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
        return cls(shown, locale, list(_html_fragments(html)))

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
    import lxml.html

    root = lxml.html.document_fromstring(html)
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag not in _BLOCKS:
            continue
        if (
            any(a.tag in PROTECTED or a.get("translate") == "no" for a in el.iterancestors())
            or el.tag in PROTECTED
        ):
            continue
        if any(isinstance(d.tag, str) and d.tag in _BLOCKS for d in el.iterdescendants()):
            # Only direct text of a container: its blocks are fragments of their own.
            text = fold(" ".join([el.text or ""] + [c.tail or "" for c in el])).strip()
        else:
            text = fold(el.text_content()).strip()
        if text and re.search(r"[^\W\d_]", text):
            yield Fragment(text, el.sourceline or 1)
