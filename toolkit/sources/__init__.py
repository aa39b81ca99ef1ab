"""Readers: one per input format, each turning a file into :class:`~toolkit.model.Article` objects.

The format is recognised from the content, never from the file's extension: the sample
WordPress posts are saved as ``.txt``. A file that cannot be read raises SourceError naming the
file (and line, for JSON), so the caller can report it and carry on with the next file.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import SourceError, read_bytes
from ..model import Article
from ..slug import slugify  # noqa: F401  (re-exported: callers and tests import it from here)
from . import html as html_reader
from . import text as text_reader
from . import wordpress

_HTML_START = re.compile(
    rb"^\s*(<\?xml\b[^>]*\?>\s*)?(<!--.*?-->\s*)*<(!doctype|html|head|body|meta|div|p|h[1-6]|article|section|figure|ul|ol|table|main|span|a|img|header|nav)\b",
    re.I | re.S,
)


def sniff(data: bytes) -> str:
    """The format of a file's bytes: ``wordpress``, ``html`` or ``text``."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"["):
        return "wordpress"
    if _HTML_START.match(data.lstrip(b"\xef\xbb\xbf")[:4096]):
        return "html"
    return "text"


def read_articles(path: Path, project) -> list[Article]:
    """Read one source file into its articles (a WordPress file may hold a list of posts)."""
    path = Path(path)
    shown = project.relative(path)
    return articles_in(read_bytes(path, SourceError, shown), path, shown, project)


_WIDE_BOMS = (  # UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def as_utf8(data: bytes, shown: str) -> bytes:
    """A file saved as UTF-16 or UTF-32 with its byte-order mark (Windows' "Unicode" text, as
    Notepad and Excel save it) as UTF-8 with a UTF-8 mark, which every reader honours (above
    an HTML page's declared charset); any other file as it is."""
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return codecs.BOM_UTF8 + body.decode(encoding).encode("utf-8")
            except UnicodeDecodeError as e:
                line = body[: e.start].decode(encoding, "replace").count("\n") + 1
                name = encoding[:6].upper()
                raise SourceError(
                    f"not {name} text as its byte-order mark says (bytes at offset "
                    f"{e.start + len(bom)} do not decode)",
                    shown,
                    line,
                ) from None
    return data


def articles_in(data: bytes, path: Path, shown: str, project) -> list[Article]:
    """The articles a source file's bytes hold; ``shown`` names the file in errors."""
    data = as_utf8(data, shown)
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise SourceError("empty file", shown)
    if b"\x00" in data[:8192]:
        raise SourceError("binary data, not an article (NUL bytes)", shown)
    kind = sniff(data)
    if kind == "wordpress":
        return wordpress.read(data, shown, project)
    if kind == "html":
        return [html_reader.read(data, shown, path.stem)]
    return [text_reader.read(data, shown, path.stem, project.skip_lines)]
