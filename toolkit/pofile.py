"""PO text in and out, fast: the same objects and the same bytes as polib, in a fraction of
the time.

polib is the model: files are read into its ``POFile``/``POEntry`` objects and written in its
layout, byte for byte. But its reader is a state machine that dispatches every line through a
method call, a regular expression and an exception handler, and its writer wraps every long
field with a fresh :class:`textwrap.TextWrapper`; on a corpus of thousands of catalogs that is
most of what ``extract``, ``update``, ``build`` and ``check`` do.

:func:`parse` follows polib's grammar and quirks (the same states and transitions, line numbers,
header and metadata handling). On anything it is not sure of it gives up and returns None, and
the caller uses polib, which then also reports the syntax error. It splits lines only at
``\\n``, as gettext does; polib's ``splitlines()`` also breaks a msgstr at U+2028 and other
Unicode line separators.

:func:`render` writes entries itself and leaves the rare cases (plural forms, comments and
references longer than a line) to polib's own code. Fields are wrapped with the chunks of
``textwrap``'s own word-splitting expression, and the lines filled greedily by bisection,
which is what ``textwrap`` computes for ``drop_whitespace=False, break_long_words=False``.

``tests/test_pofile.py`` holds both to polib on every catalog in the repository and on
generated ones.
"""

from __future__ import annotations

import re
import textwrap
from bisect import bisect_right
from itertools import accumulate

import polib

# ---------------------------------------------------------------------------------------------
# Reading


class _GiveUp(Exception):
    """Not a case the fast reader handles: let polib read the file."""


_KEYWORDS = {"msgctxt": "ct", "msgid": "mi", "msgstr": "ms", "msgid_plural": "mp"}
_PREVIOUS = {"msgid_plural": "pp", "msgid": "pm", "msgctxt": "pc"}
_ALL = ("st", "he", "gc", "oc", "fl", "ct", "pc", "pm", "pp", "tc", "ms", "mp", "mx", "mi")
# polib's transitions: symbol -> the states it may follow.
_ALLOWED = {
    "gc": frozenset(_ALL),
    "oc": frozenset(_ALL),
    "fl": frozenset(_ALL),
    "pc": frozenset(_ALL),
    "pm": frozenset(_ALL),
    "pp": frozenset(_ALL),
    "ct": frozenset(("st", "he", "gc", "oc", "fl", "tc", "pc", "pm", "pp", "ms", "mx")),
    "mi": frozenset(("st", "he", "gc", "oc", "fl", "ct", "tc", "pc", "pm", "pp", "ms", "mx")),
    "mc": frozenset(("ct", "mi", "mp", "ms", "mx", "pm", "pp", "pc")),
}
# The field a continuation line extends, by state.
_CONTINUES = {
    "ct": "msgctxt",
    "mi": "msgid",
    "mp": "msgid_plural",
    "ms": "msgstr",
    "pp": "previous_msgid_plural",
    "pm": "previous_msgid",
    "pc": "previous_msgctxt",
}
_UNESCAPED_QUOTE = re.compile(r'([^\\]|^)"')
_ENDS_ENTRY = frozenset(("ms", "mx"))


def _unescape(s: str) -> str:
    return polib.unescape(s) if "\\" in s else s


def _quoted(token: str) -> str:
    inner = token[1:-1]
    if '"' in inner and _UNESCAPED_QUOTE.search(inner):
        raise _GiveUp
    return _unescape(inner)


def _entry(linenum: int) -> polib.POEntry:
    e = polib.POEntry.__new__(polib.POEntry)
    e.__dict__.update(
        msgid="",
        msgstr="",
        msgid_plural="",
        msgstr_plural={},
        msgctxt=None,
        obsolete=False,
        encoding="utf-8",
        comment="",
        tcomment="",
        occurrences=[],
        flags=[],
        previous_msgctxt=None,
        previous_msgid=None,
        previous_msgid_plural=None,
        linenum=linenum,
    )
    return e


def parse(text: str, encoding: str, wrapwidth: int) -> polib.POFile | None:
    """Read PO text (``\\n`` line ends) into polib's objects, as ``polib.pofile`` would; None
    when the text has something only polib should judge (plural forms, a syntax error, ...)."""
    try:
        return _parse(text, encoding, wrapwidth)
    except _GiveUp:
        return None


def _parse(text: str, encoding: str, wrapwidth: int) -> polib.POFile:
    po = polib.POFile(wrapwidth=wrapwidth, encoding=encoding, check_for_duplicates=False)
    entries: list[polib.POEntry] = []
    header = ""
    state = "st"
    entry = _entry(0)
    tokens: list[str] = []
    lines = text.split("\n")
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    number = 0
    for line in lines:
        number += 1
        line = line.strip()
        if not line:
            continue
        if line[0] == '"':
            tokens = ['"']
        else:
            tokens = line.split(None, 2)
            head = tokens[0]
            if head == "#~|":
                continue
            obsolete = False
            if head == "#~" and len(tokens) > 1:
                line = line[3:].strip()
                tokens = tokens[1:]
                head = tokens[0]
                obsolete = True
        if line[0] == '"':
            # A continuation line (msgid, msgstr, ... or, under #~, an obsolete one).
            if state not in _ALLOWED["mc"] or line[-1] != '"' or len(line) < 2:
                raise _GiveUp
            field = _CONTINUES.get(state)
            if field is None:
                raise _GiveUp
            entry.__dict__[field] += _quoted(line)
            continue
        if head in _KEYWORDS and len(tokens) > 1:
            symbol = _KEYWORDS[head]
            if symbol == "mp" or (symbol == "ms" and state not in ("mi", "tc")):
                raise _GiveUp  # plural forms, and msgstr in odd places: polib's business
            if symbol != "ms" and state not in _ALLOWED[symbol]:
                raise _GiveUp
            token = line[len(head) :].lstrip()
            if len(token) < 2 or token[0] != '"' or token[-1] != '"':
                raise _GiveUp
            value = _quoted(token)
            if symbol == "ms":
                entry.msgstr = value
            else:
                if state in _ENDS_ENTRY:
                    entries.append(entry)
                    entry = _entry(number)
                if symbol == "mi":
                    entry.obsolete = obsolete
                    entry.msgid = value
                else:
                    entry.msgctxt = value
            state = symbol
            continue
        if obsolete:
            raise _GiveUp  # "#~ #, fuzzy" and the like
        # A comment line: see that polib accepts it, then start a new entry if the last one
        # is complete, as polib does.
        if head in ("#:", "#,", "#."):
            if len(tokens) <= 1:
                continue
        elif head == "#" or head.startswith("##"):
            if state == "st" or state == "he":
                # polib adds a line break only after a non-empty header
                header = header + "\n" + line[2:] if header else line[2:]
                state = "he"
                continue
            if state == "ct":
                raise _GiveUp
        elif head == "#|":
            if len(tokens) < 2:
                raise _GiveUp
            line = line[2:].lstrip()
            if tokens[1].startswith('"'):
                # A continuation of the previous msgid (or msgctxt): polib does not look
                # for unescaped quotes here.
                field = _CONTINUES.get(state)
                if state not in _ALLOWED["mc"] or field is None:
                    raise _GiveUp
                entry.__dict__[field] += _unescape(line[1:-1])
                continue
            if len(tokens) < 3 or tokens[1] not in _PREVIOUS:
                raise _GiveUp
            line = line[len(tokens[1]) :].lstrip()
            if len(line) < 2 or line[0] != '"' or line[-1] != '"':
                raise _GiveUp
        else:
            raise _GiveUp
        if state in _ENDS_ENTRY:
            entries.append(entry)
            entry = _entry(number)
        if head == "#:":
            for occurrence in line[3:].split():
                fil, sep, num = occurrence.rpartition(":")
                if sep and num.isdigit():
                    entry.occurrences.append((fil, num))
                else:
                    entry.occurrences.append((occurrence, ""))
            state = "oc"
        elif head == "#,":
            entry.flags += [c.strip() for c in line[3:].split(",")]
            state = "fl"
        elif head == "#.":
            comment = line[3:]
            entry.comment = entry.comment + "\n" + comment if entry.comment else comment
            state = "gc"
        elif head == "#|":
            state = _PREVIOUS[tokens[1]]
            entry.__dict__[_CONTINUES[state]] = _unescape(line[1:-1])
        else:
            comment = line.lstrip("#")
            if comment.startswith(" "):
                comment = comment[1:]
            entry.tcomment = entry.tcomment + "\n" + comment if entry.tcomment else comment
            state = "tc"
    if tokens and not tokens[0].startswith("#"):
        entries.append(entry)
    po.header = header
    blank = [e for e in entries if e.msgid == "" and not e.obsolete]
    if len(blank) > 1:
        raise _GiveUp
    if blank:
        entries.remove(blank[0])  # as polib does (by equality: normally the first entry)
        _metadata(po, blank[0])
    po.extend(entries)
    return po


def _metadata(po: polib.POFile, entry: polib.POEntry) -> None:
    po.metadata_is_fuzzy = entry.flags
    key = None
    for msg in entry.msgstr.splitlines():
        try:
            key, val = msg.split(":", 1)
            po.metadata[key] = val.strip()
        except (ValueError, KeyError):
            if key is not None:
                po.metadata[key] += "\n" + msg.strip()


# ---------------------------------------------------------------------------------------------
# Writing

_SPECIAL = ("\\", "\n", "\r", "\t", "\v", "\b", "\f", '"')
# textwrap's chunks: its whitespace is ASCII only, and a run of other characters is one chunk
# unless it has a hyphen (then textwrap's own expression splits it: "anti-dsDNA", "--").
_SPACES = re.compile(r"([\t\n\x0b\x0c\r ]+)")
_WORDSEP = textwrap.TextWrapper.wordsep_re


def _escape(s: str) -> str:
    for c in _SPECIAL:
        if c in s:
            return polib.escape(s)
    return s


def _chunks(text: str) -> list[str]:
    """``TextWrapper._split`` of a text: the same chunks, found faster."""
    chunks = []
    for piece in _SPACES.split(text):
        if "-" in piece:
            chunks += [c for c in _WORDSEP.split(piece) if c]
        elif piece:
            chunks.append(piece)
    return chunks


def _wrap(text: str, width: int) -> list[str]:
    """``textwrap.wrap(text, width, drop_whitespace=False, break_long_words=False)`` for a
    text without tabs or line breaks (an escaped PO string): lines filled greedily with whole
    chunks, a chunk longer than a line standing alone."""
    ends = list(accumulate(map(len, _chunks(text))))
    lines = []
    start = 0
    k = 0  # chunks before k are placed
    total = len(ends)
    while k < total:
        j = bisect_right(ends, start + width, k)  # chunks k..j-1 fit on this line
        if j == k:
            j = k + 1
        end = ends[j - 1]
        lines.append(text[start:end])
        start = end
        k = j
    return lines


def _field(name: str, delflag: str, value: str, wrapwidth: int, measured: str = "") -> list[str]:
    """polib's ``_BaseEntry._str_field`` without a plural index. ``measured`` is the name polib
    measures the line with (``previous_msgid`` for a ``#| msgid`` line)."""
    lines = value.splitlines(True)
    if len(lines) > 1:
        lines[0:0] = [""]
    else:
        escaped = _escape(value)
        special = 0 if escaped is value else sum(value.count(c) for c in _SPECIAL)
        if wrapwidth > 0 and len(value) > wrapwidth - len(measured or name) - 3 + special:
            parts = _wrap(escaped, wrapwidth - 2)
            if escaped is value:  # nothing to unescape and escape again
                return [f'{delflag}{name} ""'] + [f'{delflag}"{p}"' for p in parts]
            lines = ["", *(polib.unescape(p) for p in parts)]
        else:
            return [f'{delflag}{name} "{escaped}"']
    out = [f'{delflag}{name} "{_escape(lines[0])}"']
    out += [f'{delflag}"{_escape(line)}"' for line in lines[1:]]
    return out


def _comment_lines(value: str, prefix: str, wrapwidth: int) -> list[str]:
    out = []
    for comment in value.split("\n"):
        if wrapwidth > 0 and len(comment) + len(prefix) > wrapwidth:
            out += textwrap.wrap(
                comment,
                wrapwidth,
                initial_indent=prefix,
                subsequent_indent=prefix,
                break_long_words=False,
            )
        else:
            out.append(prefix + comment)
    return out


def render_entry(e: polib.POEntry, wrapwidth: int) -> str:
    """``POEntry.__unicode__(wrapwidth)``, byte for byte."""
    if e.msgid_plural or e.msgstr_plural:
        return e.__unicode__(wrapwidth)
    out: list[str] = []
    obsolete = e.obsolete
    if e.tcomment:
        out += _comment_lines(e.tcomment, "# ", wrapwidth)
    if not obsolete:
        if e.comment:
            out += _comment_lines(e.comment, "#. ", wrapwidth)
        if e.occurrences:
            refs = " ".join(f"{p}:{n}" if n else p for p, n in e.occurrences)
            if wrapwidth > 0 and len(refs) + 3 > wrapwidth:
                out += [
                    line.replace("*", "-")
                    for line in textwrap.wrap(
                        refs.replace("-", "*"),
                        wrapwidth,
                        initial_indent="#: ",
                        subsequent_indent="#: ",
                        break_long_words=False,
                    )
                ]
            else:
                out.append("#: " + refs)
    if e.flags:
        out.append("#, " + ", ".join(e.flags))
    prefix = "#~| " if obsolete else "#| "
    if e.previous_msgctxt is not None:
        out += _field("msgctxt", prefix, e.previous_msgctxt, wrapwidth, "previous_msgctxt")
    if e.previous_msgid is not None:
        out += _field("msgid", prefix, e.previous_msgid, wrapwidth, "previous_msgid")
    if e.previous_msgid_plural is not None:
        out += _field(
            "msgid_plural", prefix, e.previous_msgid_plural, wrapwidth, "previous_msgid_plural"
        )
    delflag = "#~ " if obsolete else ""
    if e.msgctxt is not None:
        out += _field("msgctxt", delflag, e.msgctxt, wrapwidth)
    out += _field("msgid", delflag, e.msgid, wrapwidth)
    out += _field("msgstr", delflag, e.msgstr, wrapwidth)
    out.append("")
    return "\n".join(out)


def render(po: polib.POFile) -> str:
    """``POFile.__unicode__()``, byte for byte."""
    width = po.wrapwidth
    head = polib.POFile(wrapwidth=width, encoding=po.encoding)
    head.header = po.header
    head.metadata = po.metadata
    head.metadata_is_fuzzy = po.metadata_is_fuzzy
    parts = [head.__unicode__()]  # the header comment and the metadata entry, by polib
    parts += [render_entry(e, width) for e in po if not e.obsolete]
    parts += [render_entry(e, width) for e in po if e.obsolete]
    return "\n".join(parts)
