"""Plain text pages, as scrapers save them.

Paragraphs are separated by blank lines; within a block of lines, hard-wrapped text (short lines)
is joined, while long lines are paragraphs of their own (some scrapers put one paragraph per line
with no blank line between). Lines that start with a bullet (``•``, ``-``, ``*``) are list items.
The first line is the title, and is not repeated as a paragraph when the text repeats it (as a
line of its own, or at the start of the first paragraph). Scraper chrome such as "top of page"
is dropped (the ``skip_lines`` setting).
"""

from __future__ import annotations

import html
import re

from ..errors import SourceError, decode_text
from ..model import Article, Field

_BULLET = re.compile(r"^\s*[•\-*‣◦▪]\s+")
_WRAP_WIDTH = 100  # lines of a hard-wrapped paragraph are shorter than this


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks, current = [], []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _paragraphs(block: list[str]) -> list[tuple[str, str]]:
    """(kind, text) pairs of one block: kind is "p" or "li"."""
    out: list[tuple[str, str]] = []
    wrapped = all(len(line.strip()) < _WRAP_WIDTH for line in block[:-1]) and len(block) > 1
    for line in block:
        stripped = line.strip()
        if _BULLET.match(line):
            out.append(("li", _BULLET.sub("", line).strip()))
        elif wrapped and out and out[-1][0] == "p":
            out[-1] = ("p", out[-1][1] + " " + stripped)
        elif wrapped and out and out[-1][0] == "li" and line[:1].isspace():
            out[-1] = ("li", out[-1][1] + " " + stripped)
        else:
            out.append(("p", stripped))
    return out


def read(data: bytes, shown: str, stem: str, skip_lines=()) -> Article:
    from . import slugify

    text = decode_text(data, "utf-8-sig", SourceError, shown, "; save the file as UTF-8")
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    skip = {s.lower() for s in skip_lines}
    lines = [ln if ln.strip().lower() not in skip else "" for ln in lines]
    paragraphs = [p for block in _blocks(lines) for p in _paragraphs(block)]
    if not paragraphs:
        raise SourceError("no text", shown)
    title = paragraphs.pop(0)[1]
    if paragraphs and paragraphs[0][1] == title:
        paragraphs.pop(0)
    elif paragraphs and paragraphs[0][0] == "p" and paragraphs[0][1].startswith(title + " "):
        paragraphs[0] = ("p", paragraphs[0][1][len(title) + 1 :].lstrip())
    parts: list[str] = []
    in_list = False
    for kind, para in paragraphs:
        if kind == "li" and not in_list:
            parts.append("<ul>")
            in_list = True
        elif kind != "li" and in_list:
            parts.append("</ul>")
            in_list = False
        parts.append(f"<{kind}>{html.escape(para, quote=False)}</{kind}>")
    if in_list:
        parts.append("</ul>")
    fields = [Field("title", "text", title), Field("content", "html", "\n".join(parts) + "\n")]
    return Article(slug=slugify(stem), path=shown, format="text", fields=fields)
