"""The placeholder syntax of msgids and msgstrs.

Inline markup of a block (``<strong>``, ``<a href=...>``, ``<br>``, ...) appears in a msgid as a
tag-like placeholder that carries no attributes: ``<strong>…</strong>``, ``<a>…</a>``, ``<br/>``.
When one unit holds two inline elements with the same name but different attributes, the second
is ``<a2>``, the third ``<a3>``. Content that must stay as it is (``code``, ``translate="no"``, a
link whose text is a URL) is one self-closing placeholder (``<code/>``) whose content lives in the
template. Names are matched case-insensitively, like HTML tag names.

Text that would read as a placeholder (the words "<b>" on the page) is written with ``&lt;`` for
its "<" (``&lt;b>``); text that reads "&lt;" is written ``&amp;lt;``, "&amp;lt;" as
``&amp;amp;lt;``, and so on: every text has one spelling, and reads back as itself.

This module only knows the grammar; which names a unit may use is the segmenter's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A placeholder: <name>, </name> or <name/>; nothing else inside the brackets.
PLACEHOLDER_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(\s*/)?>")
# Anything that looks like markup: a '<' that starts a tag, comment or declaration.
MARKUP_LIKE_RE = re.compile(r"<[/!?]?[A-Za-z!]")


@dataclass(frozen=True)
class Token:
    """A piece of a msgid or msgstr: text, or a placeholder (open, close or void)."""

    kind: str  # "text", "open", "close", "void"
    value: str  # the text, or the placeholder's name (lower case)
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split text into text runs and placeholders. Every ``<name>``-shaped token is returned as a
    placeholder; the caller decides whether its name is one the unit knows."""
    tokens: list[Token] = []
    pos = 0
    for m in PLACEHOLDER_RE.finditer(text):
        if m.start() > pos:
            tokens.append(Token("text", text[pos : m.start()], pos, m.start()))
        kind = "close" if m.group(1) else ("void" if m.group(3) else "open")
        tokens.append(Token(kind, m.group(2).lower(), m.start(), m.end()))
        pos = m.end()
    if pos < len(text):
        tokens.append(Token("text", text[pos:], pos, len(text)))
    return tokens


def placeholders(text: str) -> list[str]:
    """The placeholders of a text, each written canonically (``<a>``, ``</a>``, ``<br/>``)."""
    out = []
    for t in tokenize(text):
        if t.kind == "open":
            out.append(f"<{t.value}>")
        elif t.kind == "close":
            out.append(f"</{t.value}>")
        elif t.kind == "void":
            out.append(f"<{t.value}/>")
    return out


def strip(text: str, replacement: str = " ") -> str:
    """The text with every placeholder replaced (by a space by default), for word counts,
    language identification and number parsing."""
    if "<" not in text:  # most texts have none: no pass of the expression over them
        return text
    return PLACEHOLDER_RE.sub(replacement, text)
