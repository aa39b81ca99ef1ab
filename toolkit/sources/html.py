"""HTML pages and fragments.

The encoding comes from a byte-order mark, else ``<meta charset>`` or ``http-equiv``, else UTF-8
(read as BeautifulSoup's EncodingDetector reads the declarations). A full page is kept whole: its
``<title>`` and description meta tag are units like any other, and the build writes the page back
with only its text changed. A fragment is treated like a WordPress post's content.
"""

from __future__ import annotations

import codecs
import re

from ..errors import SourceError, decode_text
from ..model import Article, Field

_FULL_PAGE = re.compile(
    r"^\s*(<\?xml\b[^>]*\?>\s*)?(<!--.*?-->\s*)*<(!doctype|html|head)\b", re.I | re.S
)


# EncodingDetector.find_declared_encoding's expressions and windows (bs4.dammit), here so that
# reading a page does not import BeautifulSoup (80 ms at each check of built pages and
# each extract of an HTML source).
# tests/test_sources.py holds them against bs4's own.
_XML_ENCODING = re.compile(rb"""^\s*<\?.*encoding=['"](.*?)['"].*\?>""", re.I)
_HTML_META = re.compile(rb"""<\s*meta[^>]+charset\s*=\s*["']?([^>]*?)[ /;'">]""", re.I)


def declared_encoding(data: bytes) -> str | None:
    """The encoding an HTML document declares (XML declaration, else ``<meta>``) in its
    first bytes, lower-cased; None when it declares none."""
    m = _XML_ENCODING.search(data, endpos=1024) or _HTML_META.search(
        data, endpos=max(2048, int(len(data) * 0.05))
    )
    found = m.group(1) if m is not None else None
    return found.decode("ascii", "replace").lower() if found else None


def decode(data: bytes, shown: str) -> str:
    """HTML bytes to text, by BOM, then declared charset, then UTF-8."""
    bom_encoding = None
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            bom_encoding, data = name, data[len(bom) :]
            break
    encoding = bom_encoding or declared_encoding(data)
    encoding = (encoding or "utf-8").lower()
    if encoding in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        # What browsers do (WHATWG Encoding): these labels mean windows-1252.
        encoding = "cp1252"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise SourceError(f"unknown charset {encoding!r} declared", shown) from None
    return decode_text(data, encoding, SourceError, shown)


def read(data: bytes, shown: str, stem: str) -> Article:
    from . import slugify

    text = decode(data, shown)
    if _FULL_PAGE.match(text):
        return Article(
            slug=slugify(stem),
            path=shown,
            format="html",
            fields=[Field("page", "page", text)],
            page=text,
        )
    return Article(
        slug=slugify(stem), path=shown, format="html", fields=[Field("content", "html", text)]
    )
