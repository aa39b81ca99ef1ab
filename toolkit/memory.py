"""Translation memory: exact and fuzzy reuse of what is already translated.

The memory of a locale is every finished translation (translated, not fuzzy) in the project's
catalogs of that locale, plus any TMX file imported. Fuzzy matches (rapidfuzz) are offered only
when the candidate carries the same numbers, doses and units and the same placeholders as the new
source: a "95 % similar" sentence with another dose is not a suggestion, it is a trap.

TMX (Translation Memory eXchange 1.4) is the industry's exchange format; segments are written as
plain text, so the placeholders of our msgids appear literally in them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .errors import LocaliseError, read_bytes
from .placeholders import placeholders

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Suggestion:
    msgstr: str
    origin: str  # the article (or TMX file) it comes from
    score: float  # 100 for an exact match
    source: str  # the msgid it was a translation of


class Memory:
    def __init__(self, source_language: str, locale: str):
        self.source_language = source_language
        self.locale = locale
        self.units: dict[str, tuple[str, str]] = {}  # msgid -> (msgstr, origin)
        self.numbers_blocked = 0

    def add(self, msgid: str, msgstr: str, origin: str) -> None:
        if msgid and msgstr and msgid not in self.units:
            self.units[msgid] = (msgstr, origin)

    @classmethod
    def from_catalogs(cls, catalogs, source_language: str, locale: str) -> Memory:
        """``catalogs``: (article, polib file) pairs, in a stable order."""
        from .model import usable

        memory = cls(source_language, locale)
        for article, po in catalogs:
            for e in po:
                if usable(e):
                    memory.add(e.msgid, e.msgstr, article)
        return memory

    def exact(self, msgid: str, exclude: str | None = None) -> Suggestion | None:
        found = self.units.get(msgid)
        if found and found[1] != exclude:
            return Suggestion(found[0], found[1], 100.0, msgid)
        return None

    def fuzzy(self, msgid: str, cutoff: float = 80.0) -> Suggestion | None:
        """The closest earlier translation above ``cutoff`` (0-100) whose numbers, units and
        placeholders equal the new source's."""
        from rapidfuzz import fuzz, process

        from .numbers import signature

        if not self.units:
            return None
        want_numbers = signature(msgid, self.source_language)
        want_marks = sorted(placeholders(msgid))
        for candidate, score, _ in process.extract(
            msgid, list(self.units), scorer=fuzz.ratio, score_cutoff=cutoff, limit=5
        ):
            if candidate == msgid:
                continue
            if signature(candidate, self.source_language) != want_numbers:
                self.numbers_blocked += 1
                continue
            if sorted(placeholders(candidate)) != want_marks:
                continue
            msgstr, origin = self.units[candidate]
            return Suggestion(msgstr, origin, round(score, 1), candidate)
        return None

    # -- TMX -------------------------------------------------------------------------------

    def to_tmx(self) -> bytes:
        from . import __version__

        root = ET.Element("tmx", version="1.4")
        ET.SubElement(
            root,
            "header",
            {
                "creationtool": "localise",
                "creationtoolversion": __version__,
                "datatype": "plaintext",
                "segtype": "paragraph",
                "adminlang": "en",
                "srclang": self.source_language.replace("_", "-"),
                "o-tmf": "localise",
            },
        )
        body = ET.SubElement(root, "body")
        for msgid in sorted(self.units):
            msgstr, origin = self.units[msgid]
            tu = ET.SubElement(body, "tu")
            prop = ET.SubElement(tu, "prop", type="x-origin")
            prop.text = origin
            for lang, text in ((self.source_language, msgid), (self.locale, msgstr)):
                tuv = ET.SubElement(tu, "tuv", {XML_LANG: lang.replace("_", "-")})
                ET.SubElement(tuv, "seg").text = text
        ET.indent(root)
        return (
            b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode").encode("utf-8")
            + b"\n"
        )

    def import_tmx(self, path: Path, shown: str | None = None) -> int:
        """Add the TMX file's units for this language pair; returns how many were added."""
        shown = shown or str(path)
        data = read_bytes(path, LocaliseError, shown)  # a FIFO is refused, not waited on
        try:
            tree = ET.ElementTree(ET.fromstring(data))
        except ET.ParseError as e:
            raise LocaliseError(f"not a valid TMX file: {e}", shown, e.position[0]) from None
        src, tgt = _lang(self.source_language), _lang(self.locale)
        added = 0
        origin = Path(path).name
        for tu in tree.iter("tu"):
            segs = {}
            for tuv in tu.iter("tuv"):
                lang = tuv.get(XML_LANG) or tuv.get("lang") or ""
                seg = tuv.find("seg")
                if seg is not None:
                    segs[_lang(lang)] = "".join(seg.itertext())
            if segs.get(src) and segs.get(tgt) and segs[src] not in self.units:
                self.add(segs[src], segs[tgt], origin)
                added += 1
        return added


def _lang(code: str) -> str:
    return code.replace("_", "-").split("-")[0].lower()
