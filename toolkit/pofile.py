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
references longer than a line) to polib's own code (textwrap, for those). Fields are wrapped
as ``textwrap`` wraps them with ``drop_whitespace=False, break_long_words=False``: lines filled
greedily with its chunks, found by one regular expression that ends a line where a word or a
run of spaces ends, and by ``textwrap``'s own word-splitting expression in words with hyphens.
Each piece of an entry is text ending in ``\n``, so an entry is its pieces end to end.

:func:`translations` is for ``build``, which needs only the translations and the fuzzy msgids:
it reads them from the text with no objects at all, when the catalog has the common shape
(the one localise, msgmerge, Poedit and Weblate write), and gives up, as :func:`parse` does,
on everything else.

``tests/test_pofile.py`` holds all three to polib on every catalog in the repository and on
generated ones.
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache

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


_POLIB_ESCAPES = re.compile(r'(?:[^\\]|\\[ntbrfv\\"])*')


def _unescape(s: str) -> str:
    """A string's content unescaped; only polib's escapes (and so gettext's reading of them):
    anything else (an octal byte, an unknown escape, a backslash at the end) is for
    ``check_syntax`` and polib to judge."""
    if "\\" not in s:
        return s
    if _POLIB_ESCAPES.fullmatch(s) is None:
        raise _GiveUp
    return polib.unescape(s)


def _quoted(token: str) -> str:
    inner = token[1:-1]
    if '"' in inner and _UNESCAPED_QUOTE.search(inner):
        raise _GiveUp
    return _unescape(inner)


# ---------------------------------------------------------------------------------------------
# gettext's grammar, before polib's: polib reads a string without its closing quote, an unknown
# escape or a msgstr[0] with no msgid_plural without a word, and loses or changes what the
# translator wrote when the catalog is written back. msgfmt refuses all of these; so do we.


class SyntaxProblem(ValueError):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


_WS = r"[ \t\f\v]*"
_KEYWORD = r"(?:msgctxt|msgid_plural|msgid|msgstr(?:\[[0-9]+\])?)"
_ESCAPE = r"\\(?:[ntbrfva\\\"?']|[0-7]{1,3}|x[0-9A-Fa-f]+)"
_STRING = rf'"[^"\\\n]*(?:{_ESCAPE}[^"\\\n]*)*"'
_STRINGS = rf"{_STRING}(?:{_WS}{_STRING})*+"
_CODE = rf"(?:{_KEYWORD}{_WS}{_STRINGS}|{_STRINGS})"
# One line, for telling what is wrong with a line.
_LINE = (
    rf"{_WS}(?:"
    rf"#(?!~)[^\n]*"  # a comment (#, #. #: #, #| ...)
    rf"|#~\|?{_WS}(?:{_CODE}{_WS})?"  # an obsolete entry's line
    rf"|(?:{_CODE}{_WS})?"  # a keyword and its strings, a continuation, nothing
    rf")"
)
_ONE_LINE = re.compile(_LINE)


def _entry_grammar(prefix: str) -> str:
    """An entry, each of its lines after ``prefix``: [msgctxt] msgid (msgstr | msgid_plural
    msgstr[0] msgstr[1] ...), each keyword's strings continued on the lines after it."""
    rest = rf"{_WS}{_STRINGS}{_WS}\n(?:{prefix}{_STRINGS}{_WS}\n)*+"
    return (
        rf"(?:{prefix}msgctxt{rest})?{prefix}msgid{rest}"
        rf"(?:{prefix}msgstr{rest}|{prefix}msgid_plural{rest}(?:{prefix}msgstr\[[0-9]+\]{rest})++)"
    )


# A catalog as gettext reads it, in one match: comments, blank lines, entries and obsolete
# entries. (A regular expression over the whole text: 60 ms for 18 MB of catalogs, where a
# loop over the lines was four times that.)
_FILE = re.compile(
    rf"(?>{_WS}#(?!~)[^\n]*\n|{_WS}#~\|[^\n]*\n|{_WS}#~{_WS}\n|{_WS}\n"
    rf"|{_entry_grammar(_WS)}|{_entry_grammar(_WS + '#~' + _WS)})*+"
)
_KEYWORD_AT = re.compile(rf"^{_WS}(#~{_WS})?({_KEYWORD})(?=[\s\"])", re.MULTILINE)
_RARE_ESCAPE = re.compile(r"\\[0-7xa?']")
# What gettext reads and polib does not, written as polib reads it, on the same line: a comment
# with no space after its mark (#,fuzzy  #.note  #:ref  #|msgid  #~msgid  #text), and a line
# of two strings or more (msgid "a" "b"), joined into one.
_TIGHT_COMMENT = re.compile(rf"^({_WS}#(?>(?:~\|?|[,.:|])?))(?=\S)", re.MULTILINE)
_STRINGS_ON_A_LINE = re.compile(
    rf"^({_WS}(?:#~\|?{_WS}|#\|{_WS})?(?:{_KEYWORD}{_WS})?)({_STRING}(?:{_WS}{_STRING})+){_WS}$",
    re.MULTILINE,
)
_BYTES_OR_RARE = re.compile(r"((?:\\[0-7]{1,3}|\\x[0-9A-Fa-f]{1,2})+)|\\([a?'])")
_STRING_RE = re.compile(_STRING)
_CODE_LINE = re.compile(rf"{_WS}(?:#~\|?{_WS})?(?:{_KEYWORD}|\")")


def check_syntax(text: str, encoding: str) -> str:
    """``text`` if it follows gettext's grammar, with the escapes polib does not know (octal and
    hex bytes, ``\\a``, ``\\?``, ``\\'``, which msgcat --escape writes) replaced by what
    they stand for; raises SyntaxProblem with the line of the first thing msgfmt would refuse."""
    body = text[1:] if text.startswith("\ufeff") else text
    if not body.endswith("\n"):
        body += "\n"
    end = _FILE.match(body).end()
    if end != len(body):
        first = body.count("\n", 0, end)  # lines before the entry that does not parse
        raise _what_is_wrong(body[end:], first)
    if "\\" in text and _RARE_ESCAPE.search(text):
        text = _decode_rare_escapes(text, encoding)
    text = _TIGHT_COMMENT.sub(r"\1 ", text)
    return _STRINGS_ON_A_LINE.sub(_one_string, text)


def _one_string(m: re.Match[str]) -> str:
    # Each string is already escaped: their insides, end to end, are one escaped string. (An
    # octal or hex escape, which a following digit could have lengthened, is decoded by now.)
    return m.group(1) + '"' + "".join(s[1:-1] for s in _STRING_RE.findall(m.group(2))) + '"'


def _what_is_wrong(rest: str, before: int) -> SyntaxProblem:
    """The problem of the entry ``rest`` starts with (``before`` lines precede it)."""
    lines = rest.split("\n")
    for number, line in enumerate(lines, before + 1):
        if _ONE_LINE.fullmatch(line) is None:
            stripped = line.strip()
            code = _CODE_LINE.match(line) is not None
            bad = re.search(r"\\(?![ntbrfva\\\"?'0-7x])(.|$)", stripped)
            if bad and code:
                what = f"unknown escape sequence \\{bad.group(1)}"
            elif code and re.search(r'"[ \t\f\v]*#', stripped):
                what = "a comment after a string (a comment takes a line of its own)"
            elif code and stripped.count('"') % 2:
                what = "a string without its closing quote"
            elif code or stripped.startswith(("msg", "#~")):
                what = "not a keyword followed by quoted strings"
            else:
                what = "neither a comment, a keyword nor a quoted string"
            return SyntaxProblem(f"syntax error: {what}", number)
        if not line.strip() and number > before + 1:
            break  # the entry ended: its lines are each fine, so its order is not
    last = None  # the last keyword, "msgstr[]" for any msgstr[n]
    number = before + 1
    for m in _KEYWORD_AT.finditer(rest):
        previous, number = number, before + 1 + rest.count("\n", 0, m.start())
        keyword = "msgstr[]" if m.group(2).startswith("msgstr[") else m.group(2)
        problem = _order_problem(last, keyword)
        if problem:
            # "msgid without a msgstr after it": at the msgid's line, as msgfmt says it.
            return SyntaxProblem(
                f"syntax error: {problem}", previous if keyword == last else number
            )
        last = keyword
    if last in ("msgctxt", "msgid", "msgid_plural"):
        return SyntaxProblem(f"syntax error: {last} without a msgstr after it", number)
    return SyntaxProblem("syntax error: an entry's lines are not in gettext's order", before + 1)


# What each keyword may follow ("msgstr[]": any msgstr[n]; None: the start of the file).
_FOLLOWS = {
    "msgctxt": (None, "msgstr", "msgstr[]"),
    "msgid": (None, "msgctxt", "msgstr", "msgstr[]"),
    "msgid_plural": ("msgid",),
    "msgstr": ("msgid",),
    "msgstr[]": ("msgid_plural", "msgstr[]"),
}


def _order_problem(last: str | None, keyword: str) -> str:
    """What is wrong with ``keyword`` after ``last``; "" when nothing is."""
    if last in _FOLLOWS[keyword]:
        return ""
    if keyword == "msgstr[]":
        return "msgstr[n] without a msgid_plural before it"
    if keyword == "msgstr" and last == "msgid_plural":
        return "a plural entry's translations are msgstr[0], msgstr[1], ..."
    if keyword in ("msgstr", "msgid_plural"):
        return f"{keyword} without a msgid before it"
    if keyword == last:  # msgid or msgctxt twice
        return f"{last} without a {'msgstr' if last == 'msgid' else 'msgid'} after it"
    return f"{keyword} after {last}"


def _decode_rare_escapes(text: str, encoding: str) -> str:
    def string(m: re.Match[str]) -> str:
        return _BYTES_OR_RARE.sub(escape, m.group())

    def escape(m: re.Match[str]) -> str:
        if m.group(2) is not None:
            return {"a": "\x07", "?": "?", "'": "'"}[m.group(2)]
        data = bytes(
            int(e[1:], 8) if e[1] != "x" else int(e[2:], 16)
            for e in re.findall(r"\\x?[0-9A-Fa-f]+", m.group(1))
        )
        try:
            decoded = data.decode(encoding)
        except UnicodeDecodeError:
            raise SyntaxProblem(f"escaped bytes that are not {encoding}", 1) from None
        return _escape(decoded)

    out = []
    for line in text.split("\n"):
        if "\\" in line and _CODE_LINE.match(line):
            line = _STRING_RE.sub(string, line)
        out.append(line)
    return "\n".join(out)


def read_obsolete_previous(text: str, po: polib.POFile) -> None:
    """Give the obsolete entries of ``po`` (parsed from ``text``, by :func:`parse` or by polib)
    their previous context, msgid and plural msgid (``#~| msgctxt``, ``#~| msgid``, ``#~|
    msgid_plural``), which gettext writes and reads, and so does our writer: polib skips those
    lines (and :func:`parse` with it, held to polib), so a merge would drop them from a
    catalog it had written."""
    # (msgctxt, msgid) of an obsolete entry -> its previous fields, by polib's attribute name
    found: dict[tuple, dict[str, str]] = {}
    previous: dict[str, list[str]] = {}
    msgctxt: list[str] | None = None
    msgid: list[str] | None = None
    part = None  # the list that a continuation line adds to

    def value(token: str) -> str:
        token = token.strip()
        return (
            polib.unescape(token[1:-1]) if len(token) >= 2 and token[0] == token[-1] == '"' else ""
        )

    def done() -> None:
        nonlocal previous, msgctxt, msgid, part
        if previous and msgid is not None:
            context = None if msgctxt is None else "".join(msgctxt)
            found[(context, "".join(msgid))] = {k: "".join(v) for k, v in previous.items()}
        previous, msgctxt, msgid, part = {}, None, None, None

    for line in text.split("\n"):
        line = line.strip()
        if line.startswith("#~|"):
            rest = line[3:].strip()
            if msgid is not None:
                done()
            keyword, _, token = rest.partition(" ")
            if keyword in _PREVIOUS:
                part = previous[_CONTINUES[_PREVIOUS[keyword]]] = [value(token)]
            elif rest.startswith('"') and part is not None:
                part.append(value(rest))
            else:
                part = None
        elif line.startswith("#~") and previous:
            rest = line[2:].strip()
            if rest.startswith("msgctxt "):
                msgctxt = part = [value(rest[8:])]
            elif rest.startswith("msgid "):
                msgid = part = [value(rest[6:])]
            elif rest.startswith('"') and part is not None:
                part.append(value(rest))
            elif rest.startswith("msgstr"):
                done()
            elif not rest.startswith(","):
                part = None
        elif line.startswith("#,") or not line:
            continue
        else:
            done()
    done()
    for entry in po:
        if entry.obsolete:
            for field, prior in found.get((entry.msgctxt, entry.msgid), {}).items():
                if getattr(entry, field) is None:
                    setattr(entry, field, prior)


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
    # A string's continuation lines, joined when the string ends: adding each to the entry's
    # field would copy the string once per line (minutes for a msgid of 10 MB).
    pending: list[str] = []
    pending_field = ""
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
            pending.append(_quoted(line))
            pending_field = field
            continue
        if pending:
            entry.__dict__[pending_field] += "".join(pending)
            pending = []
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
                pending.append(_unescape(line[1:-1]))
                pending_field = field
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
            # At commas and spaces, as gettext reads them ("#, fuzzy c-format").
            entry.flags += line[3:].replace(",", " ").split()
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
    if pending:
        entry.__dict__[pending_field] += "".join(pending)
    if state in ("mi", "mc"):
        raise _GiveUp  # a msgid with no msgstr at the end: gettext's grammar judges it
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
# Reading for a build: the translations alone

# A build needs two things from a catalog, and the common catalog (as localise, msgmerge, Poedit
# and Weblate write it) has one shape: comment lines, a msgid, a msgstr, each string maybe
# wrapped over several lines, and obsolete entries with "#~ " before each of those lines. One
# regular expression matches such an entry whole, and each line it takes is of a kind polib
# reads one way only; anything else (msgctxt, plural forms, odd spacing, a syntax error, a line
# polib reads otherwise) fails the match, and the caller reads the catalog in full.
#
# Characters polib breaks a line at (str.splitlines()) and a split at "\n" does not, and NUL,
# which catalog.load refuses.
_ODD = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00"
# Line contents are [^\n]*, the one class the re engine scans fast: a string is held to the
# rules afterwards, when it has a quote or a backslash.
_ENTRY = re.compile(
    r"""
    # Comment lines and blank lines, each of a kind polib takes as a comment or skips: "#. ",
    # "#: ", "#, ", "# ", "#", "##...", "#~| ", and "#| msgid ..." with its continuation lines
    # right after it (a "#| " continuation after a msgstr would extend the msgstr).
    (
      (?:
        \#[.:]\ [^\n]*\n  # most lines of a catalog: tried first
        |\#(?:
          [.:]  # alone: polib skips them (and "#," alone)
          |,(?:\ ([^\n]*))?  # flags: the group says there are some
          |\ [^\n]*
          |\#[^\n]*
          |~\|(?:\ [^\n]*)?
          |\|\ (?:msgctxt|msgid|msgid_plural)\ "[^\n]*"(?:\n\#\|\ "[^\n]*")*
          |
        )\n
        |\n
      )*+
    )
    (?:
      msgid\ "([^\n]*(?:"\n"[^\n]*)*)"\n
      msgstr\ "([^\n]*(?:"\n"[^\n]*)*)"\n
    |
      \#~\ msgid\ "([^\n]*(?:"\n\#~\ "[^\n]*)*)"\n
      \#~\ msgstr\ "([^\n]*(?:"\n\#~\ "[^\n]*)*)"\n
    )
    \n*
    """,
    re.VERBOSE,
)
# A string's lines as they must be: no quote unless escaped, every escape whole.
# Only polib's escapes: an octal or hex byte, \\a, \\? or \\' sends the catalog to the full
# reader, which decodes them (check_syntax), and an unknown one to its syntax error.
_CONTENT = r'[^"\\\n]*(?:\\[ntbrfv\\"][^"\\\n]*)*'
_JOIN = '"\n"'  # between two lines of a string
_OLD_JOIN = '"\n#~ "'  # and of an obsolete entry's string
_STRINGS = {j: re.compile(f"{_CONTENT}(?:{re.escape(j)}{_CONTENT})*") for j in (_JOIN, _OLD_JOIN)}


def translations(text: str) -> tuple[dict[str, str], set[str]] | None:
    """What a build takes from a catalog, read from its text (``\\n`` line ends, as
    :func:`toolkit.catalog.load` decodes it) without polib's objects: msgid -> msgstr for the
    entries translated and neither fuzzy nor obsolete, and the msgids of the fuzzy ones that
    have a msgstr; the header entry is neither. Exactly what ``catalog.load`` and polib give,
    or None when the text is not of the common shape: a syntax error, a duplicate msgid,
    msgctxt, plural forms... The caller then reads it in full, which reports any error."""
    for c in _ODD:
        if c in text:
            return None
    pos = 1 if text.startswith("\ufeff") else 0
    if not text.endswith("\n"):
        text += "\n"
    end = len(text)
    done: dict[str, str] = {}
    fuzzy: set[str] = set()
    seen: set[str] = set()  # every msgid, translated or not: a second one is an error
    obsolete: set[str] = set()
    header = False
    match = _ENTRY.match
    while pos < end:
        m = match(text, pos)
        if m is None:
            return None
        pos = m.end()
        flags, msgid, msgstr, old_msgid, old_msgstr = m.group(2, 3, 4, 5, 6)
        if msgid is None:
            # Obsolete: only a duplicate or a syntax error matters.
            old_msgid = _string(old_msgid, _OLD_JOIN)
            if not old_msgid or old_msgid in obsolete or _string(old_msgstr, _OLD_JOIN) is None:
                return None  # (or an obsolete header: polib would keep it as an entry)
            obsolete.add(old_msgid)
            continue
        # _string() inline, for the common string: no quote, no backslash.
        value = msgid.replace(_JOIN, "")
        if '"' in value or "\\" in value:
            value = _unescaped(msgid, _JOIN, value)
        if not value:
            if value is None or header or _string(msgstr, _JOIN) is None:
                return None  # (or a second header: polib would keep one of them as an entry)
            header = True
            continue
        if value in seen:
            return None
        seen.add(value)
        msgid = value
        value = msgstr.replace(_JOIN, "")
        if '"' in value or "\\" in value:
            value = _unescaped(msgstr, _JOIN, value)
            if value is None:
                return None
        if not value:
            continue
        if flags is not None and _is_fuzzy(m.group(1)):
            fuzzy.add(msgid)
        else:
            done[msgid] = value
    return done, fuzzy


def _string(lines: str, join: str) -> str | None:
    """The value of a string from its lines' contents (``join`` between them), as polib reads
    it; None when a line has an unescaped quote or ends in a backslash (polib reads some of
    those too, but not as gettext does)."""
    value = lines.replace(join, "")  # each join is one: a line's content has no "\n"
    if '"' in value or "\\" in value:
        return _unescaped(lines, join, value)
    return value


def _unescaped(lines: str, join: str, value: str) -> str | None:
    """``value`` (``lines`` joined) unescaped, or None when ``lines`` break the rules."""
    if _STRINGS[join].fullmatch(lines) is None:
        return None
    # Escapes are whole in each line, so unescaping the lines joined is unescaping each.
    return polib.unescape(value)


def _is_fuzzy(comments: str) -> bool:
    """Whether comment lines (each a kind polib reads) have the fuzzy flag, as gettext reads
    flags: "#, " lines split at commas and spaces ("#, fuzzy c-format" is fuzzy)."""
    return any(
        line.startswith("#,") and "fuzzy" in line[3:].replace(",", " ").split()
        for line in comments.split("\n")
        if "fuzzy" in line
    )


# ---------------------------------------------------------------------------------------------
# Writing

_SPECIAL = ("\\", "\n", "\r", "\t", "\v", "\b", "\f", '"')
# textwrap's chunks: its whitespace is ASCII only, and a run of other characters is one chunk
# unless it has a hyphen (then textwrap's own expression splits it: "anti-dsDNA", "--").
_WORDSEP = textwrap.TextWrapper.wordsep_re
_LINES: dict[int, re.Pattern[str]] = {}  # by width: a pattern depends on nothing else


def _escape(s: str) -> str:
    for c in _SPECIAL:
        if c in s:
            return polib.escape(s)
    return s


def _line_pattern(width: int) -> re.Pattern[str]:
    """A line as textwrap fills it when the chunks are just words and runs of spaces: the
    most characters, at most ``width``, that end where a word or a run of spaces ends; else
    the next chunk alone, however long."""
    pattern = _LINES.get(width)
    if pattern is None:
        pattern = _LINES[width] = re.compile(
            rf"(?s).{{1,{width}}}(?:(?<= )(?! )|(?<! )(?= )|\Z)|[^ ]+| +"
        )
    return pattern


def _wrap(text: str, width: int) -> list[str]:
    """``textwrap.wrap(text, width, drop_whitespace=False, break_long_words=False)`` for a
    text whose only whitespace is spaces (an escaped PO string): lines filled greedily with
    whole chunks, a chunk longer than a line standing alone."""
    if width <= 0:
        raise ValueError(f"invalid width {width!r} (must be > 0)")  # as textwrap does
    pattern = _line_pattern(width)
    if "-" not in text:
        return pattern.findall(text)
    # textwrap also splits words at hyphens ("anti-", "dsDNA"), so a line may go on into the
    # word the pattern stopped before, or break up a word too long for a line. Only that
    # word can: were all of it to fit, the pattern would have taken it.
    lines = []
    pos = 0
    size = len(text)
    while pos < size:
        end = pattern.match(text, pos).end()
        start = pos if end - pos > width else end  # a chunk too long for a line, or the next
        if start < size and text[start] != " ":
            # The whole word, split as textwrap splits it: it may have begun a line before.
            first = text.rfind(" ", 0, start) + 1
            stop = text.find(" ", start)
            word = text[first : stop if stop >= 0 else size]
            if "-" in word:
                end = first
                for chunk in _WORDSEP.split(word):
                    if end + len(chunk) > pos + width and end > pos:
                        break
                    end += len(chunk)
        lines.append(text[pos:end])
        pos = end
    return lines


def _field(name: str, delflag: str, value: str, wrapwidth: int, measured: str = "") -> str:
    """polib's ``_BaseEntry._str_field`` without a plural index, as text: each line ends in
    ``\\n``. ``measured`` is the name polib measures the line with (``previous_msgid`` for a
    ``#| msgid`` line)."""
    if not value:
        return f'{delflag}{name} ""\n'  # what polib writes for "", wrapped or not
    lines = value.splitlines(True)
    if len(lines) > 1:
        lines[0:0] = [""]
    else:
        escaped = _escape(value)
        special = 0 if escaped is value else sum(value.count(c) for c in _SPECIAL)
        if wrapwidth <= 0 or len(value) <= wrapwidth - len(measured or name) - 3 + special:
            return f'{delflag}{name} "{escaped}"\n'
        parts = _wrap(escaped, wrapwidth - 2)
        if escaped is value:  # nothing to unescape and escape again
            return f'{delflag}{name} ""\n{delflag}"' + f'"\n{delflag}"'.join(parts) + '"\n'
        lines = ["", *(polib.unescape(p) for p in parts)]
    return f'{delflag}{name} "' + f'"\n{delflag}"'.join(map(_escape, lines)) + '"\n'


def _comment_lines(value: str, prefix: str, wrapwidth: int) -> str:
    """polib's comment lines, each ending in ``\\n``: one per line of ``value``, wrapped by
    textwrap when longer than ``wrapwidth``."""
    if "\n" not in value and (wrapwidth <= 0 or len(value) + len(prefix) <= wrapwidth):
        return prefix + value + "\n"
    out = ""
    for comment in value.split("\n"):
        if wrapwidth > 0 and len(comment) + len(prefix) > wrapwidth:
            out += _wrapped(comment, prefix, wrapwidth)
        else:
            out += prefix + comment + "\n"
    return out


# The same comment lines come back in entry after entry (a glossary hint, in every entry with
# its term: 157,000 comment lines in the 400-page corpus's catalogs, 170 different ones), and
# textwrap took a third of writing a catalog.
@lru_cache(maxsize=4096)
def _wrapped(comment: str, prefix: str, wrapwidth: int) -> str:
    lines = textwrap.wrap(
        comment,
        wrapwidth,
        initial_indent=prefix,
        subsequent_indent=prefix,
        break_long_words=False,
    )
    return "".join(line + "\n" for line in lines)


def _references(occurrences: list[tuple[str, str]], wrapwidth: int) -> str:
    """polib's ``#:`` lines: textwrap would break file names at hyphens, so it wraps them
    with ``*`` in their place."""
    if len(occurrences) == 1:
        p, n = occurrences[0]
        refs = f"{p}:{n}" if n else p
    else:
        refs = " ".join([f"{p}:{n}" if n else p for p, n in occurrences])
    if wrapwidth <= 0 or len(refs) + 3 <= wrapwidth:
        return "#: " + refs + "\n"
    lines = textwrap.wrap(
        refs.replace("-", "*"),
        wrapwidth,
        initial_indent="#: ",
        subsequent_indent="#: ",
        break_long_words=False,
    )
    return "".join(line.replace("*", "-") + "\n" for line in lines)


def render_entry(e: polib.POEntry, wrapwidth: int) -> str:
    """``POEntry.__unicode__(wrapwidth)``, byte for byte."""
    if e.msgid_plural or e.msgstr_plural:
        return e.__unicode__(wrapwidth)
    obsolete = e.obsolete
    # Every line ends in "\n", so the entry is its parts end to end.
    out = _comment_lines(e.tcomment, "# ", wrapwidth) if e.tcomment else ""
    if not obsolete:
        if e.comment:
            out += _comment_lines(e.comment, "#. ", wrapwidth)
        if e.occurrences:
            out += _references(e.occurrences, wrapwidth)
    if e.flags:
        out += "#, " + ", ".join(e.flags) + "\n"
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
    return out + _field("msgstr", delflag, e.msgstr, wrapwidth)


def render_template_entry(
    msgid: str, comment: str, occurrences: list[tuple[str, str]], wrapwidth: int
) -> str:
    """:func:`render_entry` of a template's entry, ``POEntry(msgid=msgid, msgstr="",
    comment=comment, occurrences=occurrences)``, without making one."""
    out = _comment_lines(comment, "#. ", wrapwidth) if comment else ""
    if occurrences:
        out += _references(occurrences, wrapwidth)
    return out + _field("msgid", "", msgid, wrapwidth) + 'msgstr ""\n'


def render(po: polib.POFile) -> str:
    """``POFile.__unicode__()``, byte for byte."""
    width = po.wrapwidth
    # The header comment as polib writes it (never wrapped), but for a line starting with ","
    # or ":", which polib writes as "#," or "#:": flags or references, so that "# , reviewed
    # by Jan" was the header's flags at the next reading, and "# :-)" made a file no reader
    # takes. Then the metadata entry.
    head = ""
    for line in po.header.split("\n"):
        head += f"# {line}\n" if line else "#\n"
    parts = [head + render_entry(po.metadata_as_entry(), width)]
    parts += [render_entry(e, width) for e in po if not e.obsolete]
    parts += [render_entry(e, width) for e in po if e.obsolete]
    return "\n".join(parts)
