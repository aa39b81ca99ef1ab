"""Slugs: the names of articles and of the sections of a page. A module of its own, so that
the segmenter has it without importing every source reader."""

from __future__ import annotations

import re
import unicodedata

_NOT_SLUG = re.compile(r"[^a-zA-Z0-9]+")


def slugify(value: str, fallback: str = "article") -> str:
    """A slug safe to use as a file name: lower-case ASCII letters, digits and hyphens, never a
    path separator or ``..``."""
    if not value.isascii():  # ASCII is its own decomposition
        value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = _NOT_SLUG.sub("-", value).strip("-").lower()
    value = value[:100].strip("-")
    return value or fallback
