"""Units <-> PO and POT files, through polib: templates, new catalogs, updates, stats, MO files.

An update follows GNU gettext's ``msgmerge``: an unchanged unit keeps its translation and state;
a changed unit gets the closest earlier translation as a *fuzzy* suggestion with the previous
msgid kept (``#| msgid``); a removed unit becomes an obsolete entry (``#~``) with its
translation, and comes back with it when the text returns. Beyond msgmerge, a suggestion whose
numbers, doses or units differ from the new source says so in the entry, and ``check`` treats
it as an error until a person has fixed it: msgmerge reuses an old dose silently.

Files are written in one stable form (entries in document order, obsolete ones last, wrapped at
78 columns) and only when their content changes; header dates change only with content.
"""

from __future__ import annotations

import codecs
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import __version__, pofile
from .errors import CatalogError, decode_text, nul_line, read_bytes
from .fsutil import read_regular, write_atomic
from .model import Unit, has_translation, usable  # the rules, kept in model (callers: here)
from .placeholders import strip as strip_placeholders

WRAP = 78
NUMBERS_NOTE = "numbers changed since the suggested translation: "
FUZZY_CUTOFF = 70.0  # rapidfuzz ratio, 0-100; msgmerge's fstrcmp bound is 0.6


def now_stamp() -> str:
    """The date gettext headers use, in UTC; ``SOURCE_DATE_EPOCH`` fixes it for reproducible
    builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    t = time.gmtime(int(epoch)) if epoch and epoch.isdigit() else time.gmtime()
    return time.strftime("%Y-%m-%d %H:%M+0000", t)


def _polib():
    import polib

    return polib


# ---------------------------------------------------------------------------------------------
# Reading


def load(path: Path, shown: str | None = None, raw: bytes | None = None):
    """Read a PO or POT file. Raises CatalogError with the file and line for a syntax error or
    a duplicate msgid; the file itself is never touched. ``raw``: the file's bytes, when the
    caller has read them."""
    shown = shown or str(path)
    text, encoding = _read_text(path, shown, raw)
    po = _parse(text, shown, encoding)
    po.fpath = str(path)
    return po


def _parse(text: str, shown: str, encoding: str = "utf-8"):
    polib = _polib()
    po = pofile.parse(text, polib.detect_encoding(text), WRAP)
    try:
        if po is None:  # something only gettext's grammar, then polib, should judge
            try:
                checked = pofile.check_syntax(text, encoding)
            except pofile.SyntaxProblem as e:
                raise CatalogError(str(e), shown, e.line) from None
            if checked != text:  # escapes decoded: maybe of the common shape now
                text = checked
                po = pofile.parse(text, polib.detect_encoding(text), WRAP)
            if po is None:
                po = _polib_read(text)
    except (OSError, ValueError, UnicodeError) as e:
        message = str(e)
        m = re.search(r"\(line (\d+)\)", message)
        line = int(m.group(1)) if m else None
        message = re.sub(r"\s*\(line \d+\)", "", message).strip() or "syntax error"
        raise CatalogError(message[:1].lower() + message[1:], shown, line) from None
    if "#~|" in text:
        pofile.read_obsolete_previous(text, po)
    seen: dict[tuple, int] = {}
    for entry in po:
        key = (entry.msgctxt, entry.msgid, entry.obsolete)
        if key in seen:
            raise CatalogError(
                f"duplicate msgid {entry.msgid[:50]!r} (first at line {seen[key]})",
                shown,
                entry.linenum,
            )
        seen[key] = entry.linenum
    return po


# Where str.splitlines() breaks a line and gettext does not (\n and \r are line ends in both):
# polib would cut a msgstr there and drop the character before the cut.
_LINE_BREAKS_OF_POLIB = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_STAND_INS = "".join(chr(0xF0000 + i) for i in range(len(_LINE_BREAKS_OF_POLIB)))
_HIDE = str.maketrans(_LINE_BREAKS_OF_POLIB, _STAND_INS)
_SHOW = str.maketrans(_STAND_INS, _LINE_BREAKS_OF_POLIB)
_TEXT_FIELDS = (
    "msgid",
    "msgstr",
    "msgid_plural",
    "msgctxt",
    "previous_msgid",
    "previous_msgid_plural",
    "previous_msgctxt",
    "comment",
    "tcomment",
)


def _part_flags(po) -> None:
    """gettext parts flags at spaces as well as commas ("#, fuzzy c-format"); polib at commas."""
    for entry in po:
        if any(" " in f for f in entry.flags):
            entry.flags = [part for f in entry.flags for part in f.split()]


def _polib_read(text: str):
    """polib's reading of ``text``, with the characters it would break lines at kept whole."""
    hidden = text.translate(_HIDE)
    if any(c in text for c in _STAND_INS):
        hidden = text  # (never seen: private-use characters of plane 15)
    po = _polib().pofile(hidden, wrapwidth=WRAP, check_for_duplicates=False)
    _part_flags(po)
    if hidden == text:
        return po
    po.header = po.header.translate(_SHOW)
    po.metadata = {k.translate(_SHOW): v.translate(_SHOW) for k, v in po.metadata.items()}
    for entry in po:
        for name in _TEXT_FIELDS:
            value = getattr(entry, name)
            if value:
                setattr(entry, name, value.translate(_SHOW))
        entry.msgstr_plural = {k: v.translate(_SHOW) for k, v in entry.msgstr_plural.items()}
        entry.flags = [f.translate(_SHOW) for f in entry.flags]
        entry.occurrences = [(a.translate(_SHOW), b) for a, b in entry.occurrences]
    return po


def _read_text(path: Path, shown: str, raw: bytes | None = None) -> tuple[str, str]:
    """A catalog's text, decoded as its header declares, with ``\\n`` line ends, and that
    charset. ``raw``: the file's bytes, when the caller has read them."""
    if raw is None:
        raw = read_bytes(path, CatalogError, shown)
    line = nul_line(raw)
    if line is not None:
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or raw.count(b"\x00") > len(raw) // 8:
            raise CatalogError("binary data (or UTF-16), not a PO file", shown)
        raise CatalogError(
            "a NUL byte, which no PO file may hold (msgfmt refuses it too)", shown, line
        )
    encoding = _declared_charset(raw)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise CatalogError(f"unknown charset {encoding!r} in the header", shown) from None
    text = decode_text(raw, encoding, CatalogError, shown, ", as its header declares")
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def load_translations(
    path: Path, shown: str | None = None, raw: bytes | None = None
) -> tuple[dict[str, str], set[str]]:
    """What a build takes from a catalog: :func:`translations` of it, and the msgids of its
    fuzzy entries. Read without making polib's objects when the file's shape allows (see
    :func:`toolkit.pofile.translations`); raises CatalogError as :func:`load` does. ``raw``:
    the file's bytes, when the caller has read them."""
    shown = shown or str(path)
    text, encoding = _read_text(path, shown, raw)
    found = pofile.translations(text)
    if found is not None:
        return found
    po = _parse(text, shown, encoding)
    fuzzy = {
        e.msgid
        for e in po
        if e.msgstr and "fuzzy" in e.flags and not e.obsolete and e.msgctxt is None
    }
    return translations(po), fuzzy


_CHARSET = re.compile(r"charset=([A-Za-z0-9_.:-]*)")
# The charset a catalog is read in: its header's Content-Type's, and no other "charset=" (a
# header comment, or an article's text about HTML, may have one too).
# The header comes first: the first Content-Type is its (after any length of header comment),
# and its charset may be on the next line of the string (msgcat -w 40 wraps it there).
_DECLARED = re.compile(
    rb'"Content-Type:[^"\n]*?(?:"[ \t]*\r?\n[ \t]*"[^"\n]*?)?charset=([A-Za-z0-9_.:-]+)'
)


def _say_utf8(po) -> None:
    """Make the header say UTF-8, which the bytes we write are, whatever charset the file was
    read in (a translator's Latin-1 file, merged): else the next read would garble every
    accent in it. A header saying UTF-8 in any spelling is left as it is."""
    content_type = po.metadata.get("Content-Type")
    m = None if content_type is None else _CHARSET.search(content_type)
    if m is not None and m.group(1).lower().replace("-", "") != "utf8":
        po.metadata["Content-Type"] = _CHARSET.sub("charset=UTF-8", content_type)


def _declared_charset(raw: bytes) -> str:
    m = _DECLARED.search(raw)
    if not m:
        return "utf-8"
    name = m.group(1).decode("ascii").lower()
    return "utf-8" if name == "charset" else name


# ---------------------------------------------------------------------------------------------
# Writing


def render(po) -> str:
    return pofile.render(po)


def write(po, path: Path, date_key: str | None, durable: bool = True) -> bytes | None:
    """Write a catalog atomically when its content changed; ``date_key`` (POT-Creation-Date
    or PO-Revision-Date) is set to now only then (None: the header's dates are the caller's).
    Returns the bytes written, or None when the file already held the catalog.
    ``durable=False`` for templates, which the next extract rebuilds (see write_atomic)."""
    po.wrapwidth = WRAP
    _say_utf8(po)
    if date_key is None:
        data = (render(po) + "\n").encode("utf-8")
        return data if write_atomic(path, data, durable) else None

    def text(date: str) -> bytes:
        po.metadata[date_key] = date
        return (render(po) + "\n").encode("utf-8")

    return _write_dated(text, Path(path), date_key, durable)


def _write_dated(text: Callable[[str], bytes], path: Path, date_key: str, durable: bool):
    """Write ``text(date)`` to ``path`` when it differs from what the file holds with the
    file's own date under ``date_key``; the date is now only when the content changed."""
    try:
        old = read_regular(path)  # read once: for the old date and to compare
    except OSError:  # none, or a FIFO (which the write replaces)
        old = None
    m = None
    if old is not None:
        m = re.search(rf'"{date_key}: ([^\\"]*)\\n"', old.decode("utf-8", errors="replace"))
    if m is not None and text(m.group(1)) == old:
        return None
    data = text(now_stamp())
    if data == old:
        return None
    # Compared here already: write_atomic need not read the file a second time.
    write_atomic(path, data, durable, compare=False)
    return data


def _header(po, metadata: dict) -> None:
    po.metadata = dict(metadata)


def _template_header(slug: str, source: str, source_language: str):
    """A template with its header comment and metadata, and no entries."""
    polib = _polib()
    pot = polib.POFile(wrapwidth=WRAP)
    pot.header = (
        f"Translation template for the article {slug!r}, extracted from {source} by localise."
    )
    _header(
        pot,
        {
            "Project-Id-Version": slug,
            "Report-Msgid-Bugs-To": "",
            "POT-Creation-Date": now_stamp(),
            "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
            "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
            "Language-Team": "LANGUAGE <LL@li.org>",
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "X-Generator": f"localise {__version__}",
            "X-Source-Language": source_language,
        },
    )
    pot.metadata_is_fuzzy = True
    return pot


def _template_entries(units: Iterable[Unit]) -> list[tuple[str, str, list]]:
    """(msgid, extracted comment, references) of each distinct text, in the order the texts
    first come: one entry per text, with every location it has and each comment line once."""
    by_msgid: dict[str, tuple[list[str], list[tuple[str, str]]]] = {}
    for unit in units:
        found = by_msgid.get(unit.msgid)
        if found is None:
            found = by_msgid[unit.msgid] = ([], [])
        lines, refs = found
        for line in (unit.comment, *unit.notes):
            if line not in lines:
                lines.append(line)
        refs.append((unit.location, ""))
    return [(msgid, "\n".join(lines), refs) for msgid, (lines, refs) in by_msgid.items()]


def template(slug: str, source: str, units: Iterable[Unit], source_language: str):
    """The POT of one article, as a polib catalog (see :func:`write_template`)."""
    polib = _polib()
    pot = _template_header(slug, source, source_language)
    for msgid, comment, refs in _template_entries(units):
        pot.append(polib.POEntry(msgid=msgid, msgstr="", comment=comment, occurrences=refs))
    return pot


def write_template(
    path: Path, slug: str, source: str, units: Iterable[Unit], source_language: str
) -> tuple[bytes | None, int]:
    """Write the POT of one article as :func:`write` writes :func:`template`'s catalog, byte
    for byte, without making an entry object for each text: the entries are rendered from
    the units once, and only the header is rendered again for the date. Returns the bytes
    written (None when unchanged) and the number of entries."""
    header = _template_header(slug, source, source_language)
    entries = _template_entries(units)
    body = "".join(["\n" + pofile.render_template_entry(m, c, r, WRAP) for m, c, r in entries])

    def text(date: str) -> bytes:
        header.metadata["POT-Creation-Date"] = date
        return (pofile.render(header) + body + "\n").encode("utf-8")

    return _write_dated(text, Path(path), "POT-Creation-Date", False), len(entries)


def language_team(locale: str) -> str:
    from babel import Locale

    return Locale.parse(locale).english_name


def plural_forms(locale: str) -> str:
    from babel.messages.plurals import get_plural

    return get_plural(locale).plural_forms


def new_catalog(pot, locale: str):
    """A fresh PO for ``locale`` from a template: full header from Babel, no translations."""
    polib = _polib()
    po = polib.POFile(wrapwidth=WRAP)
    slug = pot.metadata.get("Project-Id-Version", "")
    po.header = f"{language_team(locale)} translation of the article {slug!r}."
    _header(
        po,
        {
            "Project-Id-Version": slug,
            "Report-Msgid-Bugs-To": "",
            "POT-Creation-Date": pot.metadata.get("POT-Creation-Date", now_stamp()),
            "PO-Revision-Date": now_stamp(),
            "Last-Translator": "",
            "Language-Team": language_team(locale),
            "Language": locale,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "Plural-Forms": plural_forms(locale),
            "X-Generator": f"localise {__version__}",
        },
    )
    for t in pot:
        po.append(
            polib.POEntry(
                msgid=t.msgid, msgstr="", occurrences=list(t.occurrences), comment=t.comment
            )
        )
    return po


# ---------------------------------------------------------------------------------------------
# Update


@dataclass
class MergeResult:
    po: object
    fuzzy_from_previous: int = 0
    fuzzy_from_memory: int = 0
    resurrected: int = 0
    obsoleted: int = 0
    numbers_changed: int = 0


def message_key(entry) -> tuple[str | None, str]:
    """What tells one message from another, as in gettext: its context and its msgid."""
    return entry.msgctxt, entry.msgid


def _shown(entry) -> str:
    """An entry's translation as one text: its msgstr, or its plural forms in order."""
    if entry.msgid_plural:
        return " | ".join(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural))
    return entry.msgstr


def _tool_comment(template_comment: str, extra: list[str]) -> str:
    lines = [ln for ln in template_comment.split("\n") if ln]
    return "\n".join(lines + extra)


def merge(
    pot,
    old,
    locale: str,
    hints: Callable[[str], list[str]] | None = None,
    memory: Callable[[str], tuple[str, str] | None] | None = None,
    source_language: str = "en",
) -> MergeResult:
    """Merge a template into an existing PO the way msgmerge does (see the module doc).

    ``hints(msgid)`` gives glossary hints for the entry; ``memory(msgid)`` gives an exact
    translation of the same text elsewhere in the locale, as ``(translation, where)``."""
    from rapidfuzz import fuzz, process

    from .numbers import describe_difference

    polib = _polib()
    po = polib.POFile(wrapwidth=WRAP)
    po.header = old.header
    po.metadata = dict(old.metadata)
    po.metadata_is_fuzzy = old.metadata_is_fuzzy
    po.metadata["POT-Creation-Date"] = pot.metadata.get(
        "POT-Creation-Date", po.metadata.get("POT-Creation-Date", "")
    )
    po.metadata.setdefault("Language", locale)
    po.metadata.setdefault("Plural-Forms", plural_forms(locale))
    # The tool the translator saved with (Poedit, Weblate) stays named, as msgmerge leaves it.
    po.metadata.setdefault("X-Generator", f"localise {__version__}")
    result = MergeResult(po)

    # Messages are told apart as gettext does, by context and msgid. An entry with plural
    # forms matches no unit (units have none): its translation is kept as it is, obsolete.
    singular = [e for e in old if e.msgid and not e.msgid_plural]
    active = {message_key(e): e for e in singular if not e.obsolete}
    obsolete = {message_key(e): e for e in singular if e.obsolete}
    in_template = {message_key(t) for t in pot}
    # Earlier translations that no longer have a unit: candidates for fuzzy suggestions.
    candidates = {
        key: e
        for key, e in [*active.items(), *obsolete.items()]
        if e.msgstr and key not in in_template
    }
    consumed: set[int] = set()  # the entries suggested, by id
    cand_keys = list(candidates)
    cand_msgids = [msgid for _, msgid in cand_keys]

    used: dict[tuple, str] = {}  # what each unit's entry took from the catalog's entry

    for t in pot:
        extra = list(hints(t.msgid)) if hints else []
        key = message_key(t)
        # An untranslated entry gives way to an obsolete one of the same text that has a
        # translation (a catalog edited by hand, or by another tool, may have both).
        prior = active.get(key)
        if prior is None or (not prior.msgstr and key in obsolete and obsolete[key].msgstr):
            prior = obsolete.get(key, prior)
        if prior is not None:
            used[key] = prior.msgstr
            entry = polib.POEntry(
                msgctxt=t.msgctxt,
                msgid=t.msgid,
                msgstr=prior.msgstr,
                flags=list(prior.flags),
                tcomment=prior.tcomment,
                previous_msgctxt=prior.previous_msgctxt if prior.fuzzy else None,
                previous_msgid=prior.previous_msgid if prior.fuzzy else None,
            )
            if prior.obsolete:
                result.resurrected += 1
            if prior.fuzzy and prior.previous_msgid:
                diff = describe_difference(prior.previous_msgid, t.msgid, source_language)
                if diff:
                    extra.append(NUMBERS_NOTE + diff)
        else:
            entry = polib.POEntry(msgctxt=t.msgctxt, msgid=t.msgid, msgstr="")
            match = (
                process.extractOne(
                    t.msgid, cand_msgids, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
                )
                if cand_msgids
                else None
            )
            if match is not None:
                source = candidates[cand_keys[match[2]]]
                entry.msgstr = source.msgstr
                entry.flags = ["fuzzy"] + [f for f in source.flags if f != "fuzzy"]
                # The same text in another context is a suggestion too, as with msgmerge.
                entry.previous_msgctxt = source.msgctxt
                entry.previous_msgid = source.msgid
                entry.tcomment = source.tcomment
                consumed.add(id(source))
                result.fuzzy_from_previous += 1
                diff = describe_difference(source.msgid, t.msgid, source_language)
                if diff:
                    extra.append(NUMBERS_NOTE + diff)
                    result.numbers_changed += 1
            elif memory is not None:
                found = memory(t.msgid)
                if found:
                    entry.msgstr, where = found
                    entry.flags = ["fuzzy"]
                    entry.tcomment = f"memory: {where}"
                    result.fuzzy_from_memory += 1
        entry.occurrences = list(t.occurrences)
        entry.comment = _tool_comment(t.comment, extra)
        po.append(entry)

    # Obsolete entries: those already obsolete, then those that just left the template, each
    # with all a translator wrote (context, plural forms, previous text, comments, flags).
    # Nothing translated is dropped; a translation consumed as a fuzzy suggestion lives on in
    # that suggestion, as with msgmerge.
    kept: dict[tuple, object] = {}
    for e in [e for e in old if e.obsolete] + [e for e in old if not e.obsolete]:
        key = message_key(e)
        if not e.msgid or not (e.msgstr or any(e.msgstr_plural.values())):
            continue
        if not e.msgid_plural and (
            # Its translation is the unit's (one that differs is kept, obsolete).
            (key in in_template and used.get(key) == e.msgstr)
            or (id(e) in consumed and not e.obsolete)
        ):
            continue
        if key in kept:
            earlier = kept[key]
            if _shown(earlier) != _shown(e):
                # As a comment reads back: a line's trailing blanks are not kept, and a
                # merge of what a merge wrote must change nothing (update skips it).
                note = f"earlier translation: {_shown(earlier)}"
                note = "\n".join(line.rstrip() for line in note.split("\n"))
                e.tcomment = "\n".join(x for x in (e.tcomment, note) if x)
        if not e.obsolete:
            result.obsoleted += 1
        kept[key] = polib.POEntry(
            msgctxt=e.msgctxt,
            msgid=e.msgid,
            msgstr=e.msgstr,
            msgid_plural=e.msgid_plural,
            msgstr_plural=dict(e.msgstr_plural),
            flags=list(e.flags),
            tcomment=e.tcomment,
            obsolete=True,
            previous_msgctxt=e.previous_msgctxt,
            previous_msgid=e.previous_msgid,
            previous_msgid_plural=e.previous_msgid_plural,
        )
    for o in kept.values():
        po.append(o)
    return result


# ---------------------------------------------------------------------------------------------
# Stats and MO files


@dataclass
class Stats:
    units: int = 0
    words: int = 0
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    translated_words: int = 0

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.units if self.units else 100.0

    def add(self, other: Stats) -> None:
        for k in ("units", "words", "translated", "fuzzy", "untranslated", "translated_words"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def as_dict(self) -> dict:
        return {
            "units": self.units,
            "words": self.words,
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "percent": round(self.percent, 1),
        }


_WORD = re.compile(r"\w+(?:[-'’‑]\w+)*")


def word_count(text: str) -> int:
    return len(_WORD.findall(strip_placeholders(text)))


def stats(po) -> Stats:
    """Units, source words, translated (fuzzy does not count), fuzzy and untranslated."""
    s = Stats()
    for e in po:
        if e.obsolete or not e.msgid:
            continue
        s.units += 1
        words = word_count(e.msgid)
        s.words += words
        if not has_translation(e):
            s.untranslated += 1
        elif "fuzzy" not in e.flags:
            s.translated += 1
            s.translated_words += words
        else:
            s.fuzzy += 1
    return s


def compile_mo(po, path: Path) -> bool:
    """Write the MO file of a PO (translated entries only: fuzzy and obsolete are left out),
    in UTF-8, its header saying so (polib would encode in the charset it found in the header,
    or UTF-8 where it finds none: ``charset=`` with no space before it)."""
    _say_utf8(po)
    po.encoding = "utf-8"
    return write_atomic(path, po.to_binary())


def translations(po) -> dict[str, str]:
    """msgid -> msgstr for the entries a build may use: translated, not fuzzy, and with no
    context (a unit has none; an entry with one, from another tool or an earlier leaflet,
    translates something else, as in the MO file)."""
    return {e.msgid: e.msgstr for e in po if usable(e) and e.msgctxt is None}
