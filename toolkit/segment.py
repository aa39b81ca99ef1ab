"""Article <-> units: extraction and merge-back, one skeleton, two directions.

Extraction walks the HTML tree once (lxml) and produces a *skeleton*: a list whose items are
literal markup strings and *slots*. A slot stands where translatable text was: the inner text of
a block (``<p>``, ``<li>``, ``<td>``, ...), or the value of a translatable attribute (``alt``,
``title``, ...). Merging is then only string joining: each slot is filled with its msgstr (or its
msgid, when there is no usable translation), everything else is written back as it was read. The
page is never parsed again at build time, and nothing that was not text can change.

Inline markup inside a block becomes a placeholder in the msgid (see :mod:`placeholders`); the
placeholder's real markup, attributes included, lives in the slot. When merging, only the
placeholders a msgid has can produce markup; anything else a translator typed is written as
escaped text, and a translation whose placeholders do not nest is rejected for the source text.

Skeletons are plain tuples, lists, dicts and strings, so they can be cached with :mod:`marshal`.
Slot shapes::

    ("a", msgid)                      an attribute value
    ("b", msgid, {name: (void, open_parts, close)})   a block's inner text
    ("lang",) / ("dir",)              the page's language and direction, set at build
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import SourceError
from .model import Unit
from .placeholders import MARKUP_LIKE_RE, PLACEHOLDER_RE, tokenize
from .slug import slugify

# Elements whose content is part of the surrounding text (become placeholders).
INLINE = frozenset(
    "a abbr acronym b bdi bdo big br cite data del dfn em font i img input ins mark q s small span "
    "strike strong sub sup time tt u wbr".split()
)
# Elements whose content is never translated.
PROTECTED = frozenset(
    "script style code pre kbd samp var svg math template noscript textarea iframe object canvas".split()
)
# Protected elements that sit inside running text as one placeholder (``<code/>``); the other
# protected elements (pre, script, svg, ...) stand apart like blocks.
INLINE_PROTECTED = frozenset(("code", "kbd", "samp", "var"))
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
RAW_TEXT = frozenset(("script", "style"))
HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
TRANSLATABLE_ATTRS = ("alt", "title", "aria-label", "placeholder")
META_CONTENT = frozenset(
    ("description", "og:title", "og:description", "twitter:title", "twitter:description")
)
# Set at build time on the page's <html>, so the source's own values are left out.
LANG_ATTRS = frozenset(("lang", "dir", "xml:lang"))

_WS = re.compile(r"[ \t\n\r\f]+")
_URL = re.compile(r"^(?:https?://|www\.|mailto:)\S+$|^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$", re.I)
_NOT_BLANK = re.compile(r"[^ \t\n\r\f]")


def fold(text: str) -> str:
    """Runs of ASCII whitespace to one space; no-break spaces are text and stay."""
    # Most texts have single spaces only, and nothing to fold: a few substring tests are much
    # cheaper than the substitution, which rebuilds the string at every space.
    if "\n" in text or "  " in text or "\t" in text or "\r" in text or "\f" in text:
        return _WS.sub(" ", text)
    return text


def is_translatable(text: str) -> bool:
    """Text worth a unit: it has a letter, and it is not only a URL or an e-mail address."""
    if "<" in text:  # every placeholder starts with one
        text = PLACEHOLDER_RE.sub(" ", text)
    stripped = text.strip()
    if not any(map(str.isalpha, stripped)):
        return False
    # A URL or an address has no space in it: most texts are decided without the pattern.
    return " " in stripped or not _URL.match(stripped)


def escape_text(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\u00a0", "&nbsp;")
    )


def escape_attr(text: str) -> str:
    # After escape_text every "&" is an entity's own, so the quote can come last.
    return escape_text(text).replace('"', "&quot;")


def _slugify(text: str) -> str:
    return slugify(text, "section")[:48].strip("-") or "section"


def _protects(el) -> bool:
    """An element whose content is kept as it is: a protected tag, ``translate="no"`` or the
    ``notranslate`` class. Comments and processing instructions protect nothing."""
    tag = el.tag
    if not isinstance(tag, str):
        return False
    if tag in PROTECTED:
        return True
    translate = el.get("translate")
    if translate is not None and translate.strip().lower() == "no":
        return True
    cls = el.get("class")
    return cls is not None and "notranslate" in cls and "notranslate" in cls.split()


def _reenables(el) -> bool:
    """``translate="yes"`` inside kept content. An element that also says ``notranslate``
    contradicts itself and is kept: leaving text untranslated is the safe side for a dose."""
    return el.get("translate", "").strip().lower() == "yes" and not _protects(el)


def _has_block_descendant(el) -> bool:
    if not len(el):  # most inline elements hold only text: no walk to set up
        return False
    for d in el.iterdescendants():
        tag = d.tag
        if isinstance(tag, str) and tag not in INLINE and tag not in PROTECTED:
            return True
    return False


def _in_run(el) -> bool:
    """Whether a child element is part of the running text around it (else it is a block)."""
    tag = el.tag
    if not isinstance(tag, str):
        return False
    if tag in INLINE:
        return not _has_block_descendant(el)
    return tag in INLINE_PROTECTED


def _join_strings(items: list) -> list:
    """``items`` with every run of adjacent strings joined into one and empty strings left out:
    the form a skeleton is kept in. The walk appends pieces as they come and joins them once
    here, which is cheaper than merging each piece into the previous one as it is written."""
    out: list = []
    text: list[str] = []
    for item in items:
        if isinstance(item, str):
            text.append(item)
            continue
        if text:
            joined = "".join(text)
            if joined:
                out.append(joined)
            text = []
        out.append(item)
    if text:
        joined = "".join(text)
        if joined:
            out.append(joined)
    return out


@dataclass
class Segmented:
    """The result of extraction: the skeleton and the units it refers to, in document order."""

    parts: list
    units: list[Unit] = field(default_factory=list)


class _Extractor:
    """One field's walk. The ``out`` lists it writes to take strings and slots as they come;
    whoever owns a list joins its strings at the end (:func:`_join_strings`)."""

    def __init__(self, field_name: str):
        self.field = field_name
        self.parts: list = []
        self.units: list[Unit] = []
        # The counter each unit advanced (parallel to ``units``), so that units can be taken
        # back without copying every counter of the page beforehand.
        self.unit_keys: list[tuple] = []
        self.section = "start"
        self.sections_seen: dict[str, int] = {}
        self.counters: dict[tuple, int] = {}
        prefix = field_name.replace(":", "/")
        self.location_prefix = prefix
        self.comment_prefix = (
            "" if field_name in ("content", "page") else field_name.split(":")[-1] + ": "
        )

    # -- units ------------------------------------------------------------------------------
    def add_unit(self, msgid: str, what: str, comment: str, notes=(), attr: str = "") -> None:
        key = (self.section, what, attr)
        n = self.counters.get(key, 0) + 1
        self.counters[key] = n
        location = f"{self.location_prefix}/{self.section}/{what}[{n}]" + (
            f"@{attr}" if attr else ""
        )
        self.units.append(Unit(msgid, location, self.comment_prefix + comment, list(notes)))
        self.unit_keys.append(key)

    def undo_units(self, mark: int) -> None:
        """Take back the units added since there were ``mark``, and the counts they took."""
        counters = self.counters
        for key in self.unit_keys[mark:]:
            n = counters[key] - 1
            if n:
                counters[key] = n
            else:
                del counters[key]  # as it was: never counted
        del self.units[mark:]
        del self.unit_keys[mark:]

    def enter_section(self, heading_text: str) -> None:
        slug = _slugify(heading_text)
        seen = self.sections_seen.get(slug, 0) + 1
        self.sections_seen[slug] = seen
        self.section = slug if seen == 1 else f"{slug}-{seen}"

    # -- tags -------------------------------------------------------------------------------
    def start_tag(self, el, out: list, translate: bool, lang_slots: bool = False) -> None:
        tag = el.tag
        out.append("<" + tag)
        for key, value in el.items():
            if lang_slots and key in LANG_ATTRS:
                continue
            if (
                translate
                and value
                and (key in TRANSLATABLE_ATTRS or (key == "content" and tag == "meta"))
                and _NOT_BLANK.search(value)
                and self.attribute_slot(el, key, value, out)
            ):
                continue
            if tag == "meta" and (key == "charset" or key == "content"):
                value = _declared_utf8(el, key, value)
            out.append(f' {key}="{escape_attr(value)}"')
        if lang_slots:
            out += (' lang="', ("lang",), '" dir="', ("dir",), '"')
        out.append(">")

    def attribute_slot(self, el, key: str, value: str, out: list) -> bool:
        """Write a translatable attribute with its value as a slot, and add its unit. False (and
        nothing written) when the value is not text worth translating."""
        tag = el.tag
        name_attr = (el.get("name") or el.get("property") or "").lower() if tag == "meta" else ""
        if key == "content" and name_attr not in META_CONTENT:
            return False
        msgid = fold(value).strip()
        if not is_translatable(msgid):
            return False
        lead = value[: len(value) - len(value.lstrip(" \t\n\r\f"))]
        trail = value[len(value.rstrip(" \t\n\r\f")) :]
        out += (f' {key}="{escape_attr(lead)}', ("a", msgid), f'{escape_attr(trail)}"')
        comment = f"meta {name_attr}" if tag == "meta" else f"{tag} {key}"
        self.add_unit(msgid, tag, comment, attr=key)
        return True

    def literal(self, el, out: list, translate: bool) -> None:
        """Write an element and its subtree as they are (attributes may still be slots)."""
        tag = el.tag
        if not isinstance(tag, str):
            out.append(_serialize_special(el))
            return
        if translate and _protects(el):
            translate = False
        elif not translate and _reenables(el):
            self.element(el, out)
            return
        self.start_tag(el, out, translate)
        if tag in VOID:
            return
        text = el.text
        if text:
            out.append(text if tag in RAW_TEXT else escape_text(text))
        for child in el:
            self.literal(child, out, translate)
            tail = child.tail
            if tail:
                out.append(escape_text(tail))
        out.append(f"</{tag}>")

    # -- the walk ---------------------------------------------------------------------------
    def element(self, el, out: list | None = None, lang_slots: bool = False) -> None:
        """A block-level element: its tags are literal; its children are walked."""
        out = self.parts if out is None else out
        tag = el.tag
        if not isinstance(tag, str):
            out.append(_serialize_special(el))
            return
        if _protects(el):
            self.literal(el, out, translate=False)
            return
        if tag in HEADINGS:
            self.enter_section(_text_content(el))
        self.start_tag(el, out, translate=True, lang_slots=lang_slots)
        if tag in VOID:
            return
        self.children(el, tag, out)
        out.append(f"</{tag}>")

    def children(self, el, context: str, out: list) -> None:
        """Walk an element's content as runs of inline nodes separated by block children."""
        text = el.text
        run: list = [text] if text else []  # text strings and inline elements
        for child in el:
            if _in_run(child):
                run.append(child)
            else:
                if run:
                    if len(run) == 1 and type(run[0]) is str and run[0].isspace():
                        out.append(escape_text(run[0]))  # between two blocks: the commonest
                    else:
                        self.flush(run, context, out, whole=False)
                    run = []
                self.element(child, out)
            tail = child.tail
            if tail:
                run.append(tail)
        if run:
            self.flush(run, context, out, whole=True)

    def flush(self, run: list, context: str, out: list, whole: bool) -> None:
        """Write a run: a block slot and its unit when it holds text, else as it is."""
        if not run:
            return
        mark = len(self.units)
        if len(run) == 1 and isinstance(run[0], str):
            # A lone text, most runs (texts are never next to each other in a run): nothing to
            # peel, no placeholders. Whitespace between two blocks is the commonest of all.
            text = run[0]
            if text.isspace():
                out.append(escape_text(text))
                return
            msgid_raw, names, notes = fold(_text_for_msgid(text)), {}, []
        elif self.peel(run, context, out, whole):
            return
        else:
            # Placeholders may register attribute units (an inline image's alt); if the run
            # turns out to hold no text, those are undone and the run is written literally.
            msgid_raw, names, notes = self.placeholders(run)
        if not is_translatable(msgid_raw):
            self.undo_units(mark)
            for node in run:
                if isinstance(node, str):
                    out.append(escape_text(node))
                else:
                    self.literal(node, out, translate=True)
            return
        lead = len(msgid_raw) - len(msgid_raw.lstrip(" "))
        trail = len(msgid_raw) - len(msgid_raw.rstrip(" "))
        msgid = msgid_raw.strip(" ")
        # Keep the source's own leading and trailing whitespace around the slot.
        first, last = run[0], run[-1]
        if lead and isinstance(first, str):
            out.append(first[: len(first) - len(first.lstrip(" \t\n\r\f"))])
        out.append(("b", msgid, names))
        if trail and isinstance(last, str):
            out.append(last[len(last.rstrip(" \t\n\r\f")) :])
        what = context if whole else f"{context}-text"
        self.add_unit(msgid, what, context if whole else f"{context} text", notes)

    def peel(self, run: list, context: str, out: list, whole: bool) -> bool:
        """Peel a wrapper: a run that is one paired inline element around all its text puts the
        element's tags in the skeleton, so the msgid is just the text ("Alopecia Areata", not
        "<strong>Alopecia Areata</strong>"): better matches in memory, less to retype. False
        (and nothing written) when the run is not such a wrapper."""
        elements = [n for n in run if not isinstance(n, str)]
        if not (
            len(elements) == 1
            and all(not _NOT_BLANK.search(n) for n in run if isinstance(n, str))
            and elements[0].tag not in VOID
            and not _protects(elements[0])
            and isinstance(elements[0].tag, str)
        ):
            return False
        el = elements[0]
        i = run.index(el)
        for node in run[:i]:
            out.append(escape_text(node))
        self.start_tag(el, out, translate=True)
        text = el.text
        inner = [text] if text else []
        for child in el:
            inner.append(child)
            tail = child.tail
            if tail:
                inner.append(tail)
        self.flush(inner, context, out, whole)
        out.append(f"</{el.tag}>")
        for node in run[i + 1 :]:
            out.append(escape_text(node))
        return True

    def placeholders(self, run: list) -> tuple[str, dict, list]:
        """The msgid of a run with inline elements (folded, not stripped), the placeholders'
        markup by name, and the notes on what protected placeholders hold."""
        names: dict[str, tuple] = {}
        by_signature: dict[tuple, str] = {}
        counts: dict[str, int] = {}
        notes: list[str] = []
        pieces: list[str] = []
        for node in run:
            if isinstance(node, str):
                pieces.append(_text_for_msgid(node))
            else:
                self.inline(node, pieces, names, by_signature, counts, notes)
        return fold("".join(pieces)), names, notes

    def inline(self, el, pieces, names, by_signature, counts, notes) -> None:
        """An inline element inside a unit: a placeholder in the msgid, its markup in the slot."""
        tag = el.tag
        if not isinstance(tag, str):
            # A comment inside running text: keep it, invisible to the translator.
            key = ("comment", _serialize_special(el))
            name = self._name("comment", key, names, by_signature, counts)
            names[name] = (True, [_serialize_special(el)], "")
            pieces.append(f"<{name}/>")
            return
        # A link with no children has its text as its only content: a URL, it is kept whole.
        protected = _protects(el) or (
            tag == "a" and len(el) == 0 and _URL.match((el.text or "").strip() or "-")
        )
        if protected or tag in VOID:
            parts: list = []
            if protected:
                self.literal(el, parts, translate=False)
            else:
                self.start_tag(el, parts, translate=True)
            parts = _join_strings(parts)
            key = ("void", tuple(p if isinstance(p, str) else repr(p) for p in parts))
            name = self._name(tag, key, names, by_signature, counts)
            names[name] = (True, parts, "")
            pieces.append(f"<{name}/>")
            if protected:
                text = _text_content(el)
                if text.strip():
                    shown = fold(text).strip()
                    notes.append(f"<{name}/> = {shown[:80]}{'…' if len(shown) > 80 else ''}")
            return
        open_parts: list = []
        self.start_tag(el, open_parts, translate=True)
        open_parts = _join_strings(open_parts)
        key = ("pair", tag, tuple(p if isinstance(p, str) else repr(p) for p in open_parts))
        name = self._name(tag, key, names, by_signature, counts)
        names[name] = (False, open_parts, f"</{tag}>")
        pieces.append(f"<{name}>")
        text = el.text
        if text:
            pieces.append(_text_for_msgid(text))
        for child in el:
            self.inline(child, pieces, names, by_signature, counts, notes)
            tail = child.tail
            if tail:
                pieces.append(_text_for_msgid(tail))
        pieces.append(f"</{name}>")

    @staticmethod
    def _name(tag, key, names, by_signature, counts) -> str:
        if key in by_signature:
            return by_signature[key]
        n = counts.get(tag, 0) + 1
        counts[tag] = n
        name = tag if n == 1 else f"{tag}{n}"
        by_signature[key] = name
        return name


def _text_for_msgid(text: str) -> str:
    # Literal text that would read as a placeholder is written with &lt; (see the placeholders
    # module); literal "&lt;", "&amp;lt;", ... get one "amp;" more, so that each reads back.
    if "&" in text and "lt;" in text:
        text = _LT_ENTITY_RE.sub(lambda m: "&amp;" + m.group(0)[1:], text)
    if "<" in text:
        text = PLACEHOLDER_RE.sub(lambda m: "&lt;" + m.group(0)[1:], text)
    return text


_LT_ENTITY_RE = re.compile(r"&(?:amp;)*lt;")


def _literal_text(text: str) -> str:
    """The text a msgid's text stands for: the reverse of :func:`_text_for_msgid`."""
    return _LT_ENTITY_RE.sub(lambda m: "<" if m.group(0) == "&lt;" else "&" + m.group(0)[5:], text)


def _serialize_special(node) -> str:
    """Comments and processing instructions, written as they were."""
    import lxml.etree as etree

    if isinstance(node, etree._Comment):
        return f"<!--{node.text or ''}-->"
    if isinstance(node, etree._ProcessingInstruction):
        return f"<?{node.target} {node.text or ''}>"
    if isinstance(node, etree._Entity):
        return f"&{node.name};"
    return ""


_CHARSET_IN_CONTENT = re.compile(r"(charset\s*=\s*)[^\s;\"']+", re.I)


_XML_DECLARATION = re.compile(r"^(\s*)(<\?xml\b[^>]*\?>)")
_ENCODING_DECLARED = re.compile(r"""(\bencoding\s*=\s*["'])[^"']*(["'])""")


def _declared_utf8(el, key: str, value: str) -> str:
    """A ``<meta>`` tag's encoding declaration, made to say UTF-8: every page is written in
    UTF-8, and a page that kept its source's ``windows-1252`` would be shown as mojibake."""
    if key == "charset":
        return "utf-8"
    if (el.get("http-equiv") or "").lower() == "content-type":
        return _CHARSET_IN_CONTENT.sub(r"\g<1>utf-8", value)
    return value


def _text_content(el) -> str:
    """The text of an element and its descendants (``lxml.html``'s ``text_content()``)."""
    if not len(el):  # most headings: text alone, no walk to set up (1.1 against 0.1 µs)
        return el.text or ""
    return "".join(el.itertext())


def parse_html(html: str):
    """The root element of an HTML document, as ``lxml.html.document_fromstring`` gives it.
    The parser is lxml.etree's own: lxml.html's is the same libxml2 parser, but it makes a
    Python class lookup for every element the walk touches (7 % of a segmentation).

    libxml2 gives up on a document past its limits (elements nested 256 deep, a text of 10 MB)
    and returns what it has read so far, silently: ``huge_tree`` lifts them to 2048 elements
    deep and 1 GB, and a document past even those is refused (SourceError without a path,
    which the caller names) rather than read in part."""
    global _PARSER
    import lxml.etree as etree

    if _PARSER is None:
        _PARSER = etree.HTMLParser(
            remove_comments=False, remove_pis=False, default_doctype=False, huge_tree=True
        )
    m = _XML_DECLARATION.match(html)
    if m is not None:  # lxml takes no encoding declaration in a str; lines are kept
        html = m.group(1) + "\n" * m.group(2).count("\n") + html[m.end() :]
    root = etree.fromstring(html, _PARSER)
    for error in _PARSER.error_log.filter_from_fatals():
        what = "nested too deeply" if "depth" in error.message else "too large"
        detail = error.message.split(", use XML_PARSE_HUGE")[0].strip()
        raise SourceError(
            f"markup {what} for the HTML parser to read whole ({detail})",
            None,
            error.line or None,
        )
    if root is None:
        raise etree.ParserError("Document is empty")
    return root


def prepare() -> None:
    """Load lxml and make the parser now (before ``--jobs`` workers are forked, so that they
    share it rather than each loading it)."""
    parse_html("<html></html>")


def _parse_fragment(html: str):
    return parse_html("<html><body>" + html + "</body></html>").find("body")


_PARSER = None

# The walk recurses twice per level of nesting, and the parser reads markup up to 2048 levels
# deep: Python's default limit of 1000 calls would refuse a page nested 500 deep. Python calls
# from Python take no C stack (3.11), so a higher limit costs nothing until it is used.
if sys.getrecursionlimit() < 10_000:
    sys.setrecursionlimit(10_000)


def segment_html(html: str, field_name: str = "content") -> Segmented:
    """Segment an HTML fragment (a post's content, an excerpt)."""
    body = _parse_fragment(html)
    ex = _Extractor(field_name)
    if body is None:
        return Segmented([html] if html else [], [])
    ex.children(body, "body", ex.parts)
    return Segmented(_join_strings(ex.parts), ex.units)


def segment_page(html: str) -> Segmented:
    """Segment a whole HTML page: everything but its text is kept, and ``<html>`` gets the
    page's language and direction at build time."""
    root = parse_html(html)
    ex = _Extractor("page")
    doctype = root.getroottree().docinfo.doctype
    m = _XML_DECLARATION.match(html)  # an XHTML page's: kept, saying UTF-8 as the page is
    declaration = _ENCODING_DECLARED.sub(r"\g<1>utf-8\g<2>", m.group(2)) + "\n" if m else ""
    ex.parts.append(declaration + (doctype or "<!DOCTYPE html>") + "\n")
    for sib in reversed(list(root.itersiblings(preceding=True))):
        ex.parts.append(_serialize_special(sib) + "\n")
    ex.element(root, lang_slots=True)
    ex.parts.append("\n")
    return Segmented(_join_strings(ex.parts), ex.units)


def segment_text(text: str, field_name: str) -> Segmented:
    """A plain-text field (a title, an SEO description): one unit, or none."""
    msgid = fold(text).strip()
    ex = _Extractor(field_name)
    if not is_translatable(msgid):
        return Segmented([escape_text(text)], [])
    ex.parts.append(("t", msgid))
    comment = {
        "title": "title",
        "meta:rank_math_title": "SEO title (rank_math_title)",
        "meta:rank_math_description": "SEO description (rank_math_description)",
        "meta:rank_math_focus_keyword": "SEO focus keywords, comma-separated (rank_math_focus_keyword)",
    }.get(field_name, field_name.replace("meta:", "meta field "))
    ex.units.append(Unit(msgid, field_name.replace(":", "/"), comment))
    return Segmented(ex.parts, ex.units)


# ---------------------------------------------------------------------------------------------
# Merge


@dataclass
class Rejection:
    """A translation that could not be used as written."""

    msgid: str
    msgstr: str
    reason: str
    fallback: bool  # True: the source text was used instead; False: stray markup was escaped


def render_block(slot, msgstr: str, lookup, rejections: list | None) -> str | None:
    """A block slot filled with ``msgstr``. Returns None when the placeholders do not nest (the
    caller then uses the msgid); text and unknown markup are escaped."""
    if "<" not in msgstr and "lt;" not in msgstr:
        return escape_text(msgstr)  # no markup, written or escaped: what the loop would give
    names = slot[2]
    out: list[str] = []
    stack: list[str] = []
    escaped: list[str] = []
    for tok in tokenize(msgstr):
        if tok.kind == "text":
            text = tok.value
            # Markup typed as such (not a placeholder: "<img src=x>"); "&lt;b>" is text.
            if rejections is not None and "<" in text and MARKUP_LIKE_RE.search(text):
                escaped.append(text)
            if "lt;" in text:
                text = _literal_text(text)
            out.append(escape_text(text))
            continue
        ph = names.get(tok.value)
        if ph is None or (tok.kind == "void") != ph[0]:
            escaped.append(msgstr[tok.start : tok.end])
            out.append(escape_text(msgstr[tok.start : tok.end]))
            continue
        if tok.kind == "open":
            stack.append(tok.value)
            out.append(render_parts(ph[1], lookup, rejections))
        elif tok.kind == "close":
            if not stack or stack[-1] != tok.value:
                return None
            stack.pop()
            out.append(ph[2])
        else:
            out.append(render_parts(ph[1], lookup, rejections))
    if stack:
        return None
    if escaped and rejections is not None:
        rejections.append(
            Rejection(
                slot[1],
                msgstr,
                "markup that is not a placeholder of the msgid was escaped: " + ", ".join(escaped),
                False,
            )
        )
    return "".join(out)


def render_parts(
    parts: list,
    lookup: Callable[[str], str | None],
    rejections: list | None = None,
    lang: str = "",
    direction: str = "ltr",
) -> str:
    """Fill a skeleton: ``lookup(msgid)`` gives the translation or None for the source text."""
    out: list[str] = []
    append = out.append
    for part in parts:
        if type(part) is str:
            append(part)
            continue
        kind = part[0]
        if kind == "b":
            msgstr = lookup(part[1])
            text = None
            if msgstr is not None:
                text = render_block(part, msgstr, lookup, rejections)
                if text is None and rejections is not None:
                    rejections.append(
                        Rejection(
                            part[1],
                            msgstr,
                            "placeholders are missing a partner or do not nest; the source text was used",
                            True,
                        )
                    )
            if text is None:
                text = render_block(part, part[1], lookup, None)
            append(text)
        elif kind == "a":
            msgstr = lookup(part[1])
            append(escape_attr(msgstr if msgstr is not None else part[1]))
        elif kind == "t":
            msgstr = lookup(part[1])
            append(escape_text(msgstr if msgstr is not None else part[1]))
        elif kind == "lang":
            append(escape_attr(lang))
        elif kind == "dir":
            append(direction)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Articles


@dataclass
class ArticleSkeleton:
    """Every field of an article segmented: what extraction produces and the build consumes."""

    slug: str
    fields: dict[str, Segmented]

    def units(self) -> list[Unit]:
        return [u for seg in self.fields.values() for u in seg.units]

    def to_data(self) -> dict:
        return {
            "slug": self.slug,
            "fields": {
                k: [v.parts, [(u.msgid, u.location, u.comment, u.notes) for u in v.units]]
                for k, v in self.fields.items()
            },
        }

    @classmethod
    def from_data(cls, data: dict) -> ArticleSkeleton:
        fields = {
            k: Segmented(parts, [Unit(*u) for u in units])
            for k, (parts, units) in data["fields"].items()
        }
        return cls(data["slug"], fields)


def segment_article(article) -> ArticleSkeleton:
    """Segment every field of an article, in the article's field order."""
    fields: dict[str, Segmented] = {}
    for f in article.fields:
        try:
            if f.kind == "page":
                fields[f.name] = segment_page(f.value)
            elif f.kind == "html":
                fields[f.name] = segment_html(f.value, f.name)
            else:
                fields[f.name] = segment_text(f.value, f.name)
        except SourceError as e:
            if e.path is not None:
                raise
            # A page's lines are the file's; a post's field has lines of its own.
            own = f.kind == "page" or article.format == "html"
            where = "" if own else f" (in its {f.name}, line {e.line})"
            line = e.line if own else None
            raise SourceError(e.message + where, article.path, line) from None
    return ArticleSkeleton(article.slug, fields)
