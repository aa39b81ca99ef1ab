"""The shared vocabulary: articles, units and findings. Plain data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter

SEVERITIES = ("error", "warning", "info")


@dataclass
class Field:
    """One translatable field of an article: ``html`` content (segmented into units) or plain
    ``text`` (one unit)."""

    name: str  # "title", "content", "excerpt", "meta:rank_math_title", ...
    kind: str  # "html" or "text"
    value: str


@dataclass
class Article:
    """An article as a reader found it, before segmentation."""

    slug: str
    path: str  # the source file, relative to the project when it can be
    format: str  # "wordpress", "html", "text"
    fields: list[Field]
    post: dict | None = None  # the WordPress post object, for the bundle payload
    page: str | None = None  # the whole HTML page a fragment came from, when it was a page

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


@dataclass(slots=True)
class Unit:
    """A translatable unit: the msgid (plain text with placeholders), where it is, and what it is."""

    msgid: str
    location: str  # stable reference, e.g. "content/how-autoimmune-disorders/p2"
    comment: str  # what the unit is: "h2", "img alt", "meta description", ...
    notes: list[str] = field(default_factory=list)  # e.g. what a protected placeholder holds


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a check found. ``span`` marks the offending part of ``msgstr`` (or of ``msgid``
    when ``msgstr`` is empty) for highlighting."""

    check: str
    severity: str  # "error", "warning" or "info"
    message: str
    locale: str = ""
    article: str = ""
    msgid: str = ""
    msgstr: str = ""
    file: str = ""
    line: int = 0
    span: tuple[int, int] | None = None

    def __reduce__(self):
        # Pickled as its fields (findings travel from --jobs workers by the hundred thousand):
        # the default for a frozen dataclass with slots took 0.43 s to write and 0.44 s to
        # read 148,000 of them, this 0.18 s and 0.23 s.
        return Finding, finding_fields(self)

    def as_dict(self) -> dict:
        d = {
            "check": self.check,
            "severity": self.severity,
            "locale": self.locale,
            "article": self.article,
            "msgid": self.msgid,
            "msgstr": self.msgstr,
            "message": self.message,
            "file": self.file,
            "line": self.line,
        }
        if self.span is not None:
            d["span"] = list(self.span)
        return d


# A finding's fields, in order, as a tuple (``Finding(*finding_fields(f)) == f``).
finding_fields = attrgetter(*(f.name for f in fields(Finding)))


def has_translation(entry) -> bool:
    """Whether a PO entry has a translation, reviewed or fuzzy: its msgstr or, in an entry
    with plural forms (another tool's catalog may have them; no unit does), every form."""
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def usable(entry) -> bool:
    """Whether a PO entry's translation may be used (by a build, the memory, the checks of
    translations): it has one, reviewed (not fuzzy), and it is not obsolete. Here, with no
    imports, so that the checks have it without loading the catalog module."""
    return bool(entry.msgstr) and not entry.obsolete and "fuzzy" not in entry.flags
