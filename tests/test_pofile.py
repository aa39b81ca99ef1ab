"""The fast PO reader and writer give what polib gives: the same objects, the same bytes.

polib is the reference here, so each test compares against it: on every catalog in the
repository, on generated catalogs (hypothesis) and on the awkward corners of the format.
"""

from __future__ import annotations

import subprocess
import tempfile
import textwrap
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from toolkit import catalog, pofile
from toolkit.errors import CatalogError

ROOT = Path(__file__).resolve().parent.parent
FIELDS = (
    "msgid",
    "msgstr",
    "msgid_plural",
    "msgstr_plural",
    "msgctxt",
    "obsolete",
    "encoding",
    "comment",
    "tcomment",
    "occurrences",
    "flags",
    "previous_msgctxt",
    "previous_msgid",
    "previous_msgid_plural",
    "linenum",
)


def assert_same(fast, slow) -> None:
    assert fast is not None, "the fast reader gave up on a file polib reads"
    assert fast.header == slow.header
    assert list(fast.metadata.items()) == list(slow.metadata.items())
    assert fast.metadata_is_fuzzy == slow.metadata_is_fuzzy
    assert (fast.encoding, fast.wrapwidth) == (slow.encoding, slow.wrapwidth)
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow, strict=True):
        for name in FIELDS:
            assert getattr(a, name) == getattr(b, name), (name, b.msgid)


def read_both(text: str):
    return pofile.parse(text, polib.detect_encoding(text), 78), polib.pofile(text, wrapwidth=78)


REPO_CATALOGS = sorted((ROOT / "locales").rglob("*.po*"))


@pytest.mark.parametrize("path", REPO_CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_catalog_in_the_repository(path):
    text = path.read_text(encoding="utf-8")
    fast, slow = read_both(text)
    assert_same(fast, slow)
    assert pofile.render(slow) == slow.__unicode__()
    assert pofile.render(slow) + "\n" == text  # and they are what localise wrote


# --- generated catalogs ------------------------------------------------------------------

# Words with what wrapping and escaping care about: hyphens, em-dashes, no-break spaces,
# quotes, backslashes, tabs, line breaks, long unbreakable runs.
WORDS = st.sampled_from(
    [
        "hair",
        "loss",
        "auto-immune",
        "anti-dsDNA",
        "--",
        "—",
        "30\u00a0mg",
        "70\u202f%",
        '"quoted"',
        "back\\slash",
        "tab\there",
        "line\nbreak",
        "end.\n",
        "<strong>",
        "</strong>",
        "https://example.org/a-very-long-path/with-hyphens-in-it/and-more-of-them",
        "x" * 90,
        "é",
        "-",
        "a-",
        "-b",
        "ab--cd",
        "",
    ]
)
# polib writes U+2028, NEL and the like as they are but reads them as line breaks: leave
# them out here (test_only_newline_breaks_a_line covers them).
OTHER_BREAKS = "\x1c\x1d\x1e\x85\u2028\u2029"
TEXT = st.lists(WORDS, max_size=40).map(" ".join) | st.text(max_size=200).filter(
    lambda s: not any(c in s for c in OTHER_BREAKS)
)
# A comment line is one line (a line break in it starts a new comment line).
COMMENT = TEXT.map(str.strip).filter(lambda s: s != "" and s.splitlines() == [s])
REF = st.text(st.sampled_from("abc-/_.:1"), min_size=1, max_size=40).filter(
    lambda s: ":" not in s[:-1] and s.strip() == s
)


@st.composite
def catalogs(draw):
    po = polib.POFile(wrapwidth=78)
    po.header = draw(st.sampled_from(["", "A header.", "Two\nlines", "\nleading blank", "w " * 60]))
    po.metadata = {
        "Project-Id-Version": "x",
        "Content-Type": "text/plain; charset=UTF-8",
        "X-Note": draw(TEXT.filter(lambda s: s.splitlines() == [s] and s.strip() == s)),
    }
    po.metadata_is_fuzzy = draw(st.booleans())
    seen = set()
    for _ in range(draw(st.integers(0, 6))):
        msgid = draw(TEXT)
        obsolete = draw(st.booleans())
        if not msgid or msgid in seen:
            continue
        seen.add(msgid)
        entry = polib.POEntry(
            msgid=msgid,
            msgstr=draw(TEXT),
            comment="\n".join(draw(st.lists(COMMENT, max_size=2))),
            tcomment="\n".join(draw(st.lists(COMMENT, max_size=2))),
            occurrences=[(r, "") for r in draw(st.lists(REF, max_size=6))],
            flags=draw(st.lists(st.sampled_from(["fuzzy", "no-check-numbers"]), unique=True)),
            previous_msgid=draw(st.none() | TEXT),
            obsolete=obsolete,
        )
        po.append(entry)
    return po


@pytest.mark.parametrize("header", ["", "note\n\n#hash", "w " * 60, None])
def test_header_comment_and_metadata_are_written_like_polib(header):
    po = polib.POFile(wrapwidth=78)
    if header is not None:
        po.header = header
    po.metadata = {"Project-Id-Version": "x " * 50, "Language": "nl"}
    po.metadata_is_fuzzy = True
    assert pofile.render(po) == po.__unicode__()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_generated_catalogs_write_and_read_like_polib(po):
    text = po.__unicode__()
    assert pofile.render(po) == text
    fast, slow = read_both(text)
    if fast is None:
        # It may leave a file to polib, but only one polib reads differently from how it was
        # written (polib drops what it cannot place) or one with an odd corner.
        return
    assert_same(fast, slow)


@settings(max_examples=500, deadline=None)
@given(st.lists(WORDS, max_size=60).map(" ".join), st.integers(5, 100))
def test_wrap_is_textwrap(text, width):
    text = polib.escape(text)
    expected = textwrap.wrap(text, width, drop_whitespace=False, break_long_words=False)
    assert pofile._wrap(text, width) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("ab -—.,!?'\"\u00a0x1"), max_size=80), st.integers(3, 30))
def test_wrap_is_textwrap_on_punctuation_and_dashes(text, width):
    expected = textwrap.wrap(text, width, drop_whitespace=False, break_long_words=False)
    assert pofile._wrap(text, width) == expected


# Hyphens and dashes in every arrangement: a line may end inside a hyphenated word, start in
# the middle of one, or hold one piece of a word longer than the line.
HYPHENATED = st.lists(
    st.sampled_from(["a", "Z", "1", "-", "--", " ", "  ", ".", "é", "—", "ab", "x-y", '"']),
    max_size=60,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(HYPHENATED, st.integers(1, 25))
def test_wrap_is_textwrap_in_and_around_hyphenated_words(text, width):
    expected = textwrap.wrap(text, width, drop_whitespace=False, break_long_words=False)
    assert pofile._wrap(text, width) == expected


# --- generated entries, written alone -----------------------------------------------------

# Only written, never read back: any character goes, U+2028 and the other breaks too.
AWKWARD = 'ab -—\t\n\r\v\f"\\é\u00a0\u2028x.'


@st.composite
def entries(draw):
    """An entry with every field polib writes for a singular message, and the width to write
    it at; some values run to within a few characters of that width."""
    wrapwidth = draw(st.sampled_from([0, 78, 79]) | st.integers(3, 120))
    near = st.integers(max(wrapwidth - 12, 0), wrapwidth + 12).flatmap(
        lambda n: st.text(st.sampled_from(AWKWARD), min_size=n, max_size=n)
    )
    value = st.lists(WORDS, max_size=40).map(" ".join) | st.text(max_size=200) | near
    ref = st.text(st.sampled_from("ab-/_.é"), min_size=1, max_size=40)
    entry = polib.POEntry(
        msgid=draw(value),
        msgstr=draw(value),
        msgctxt=draw(st.none() | value),
        comment=draw(st.just("") | value),
        tcomment=draw(st.just("") | value),
        occurrences=draw(st.lists(st.tuples(ref, st.sampled_from(["", "7", "120"])), max_size=8)),
        flags=draw(st.lists(st.sampled_from(["fuzzy", "no-check-numbers"]), unique=True)),
        previous_msgctxt=draw(st.none() | value),
        previous_msgid=draw(st.none() | value),
        previous_msgid_plural=draw(st.none() | value),
        obsolete=draw(st.booleans()),
    )
    return entry, wrapwidth


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries())
def test_generated_entries_write_like_polib(entry_and_width):
    entry, wrapwidth = entry_and_width
    assert pofile.render_entry(entry, wrapwidth) == entry.__unicode__(wrapwidth)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries())
def test_template_entries_write_like_polib(entry_and_width):
    """A template's entry, written from its three fields without an entry object."""
    entry, wrapwidth = entry_and_width
    pot_entry = polib.POEntry(
        msgid=entry.msgid, msgstr="", comment=entry.comment, occurrences=entry.occurrences
    )
    rendered = pofile.render_template_entry(
        entry.msgid, entry.comment, entry.occurrences, wrapwidth
    )
    assert rendered == pot_entry.__unicode__(wrapwidth)


# --- corners: polib's rules, or polib itself --------------------------------------------

HAND_EDITED = """\
# Header line
#
# after a blank one
#, fuzzy
msgid ""
msgstr ""
"Project-Id-Version: x\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"X-Multi: a\\n"
"  continued\\n"

#  two spaces in a translator comment
##double hash
#
#. generated
#: a.html:12 b.html c:d:3
#, fuzzy, no-check-numbers
#| msgid "old "
#| "text"
msgid "new "
"text"
msgstr "nieuw"

msgid "only"
msgstr ""

# a comment on an obsolete entry
#~| msgid "ignored by polib"
#~ msgid "gone "
#~ "away"
#~ msgstr "weg"
"""


def test_hand_edited_corners_read_like_polib():
    fast, slow = read_both(HAND_EDITED)
    assert_same(fast, slow)
    assert slow[0].previous_msgid == "old text"
    assert slow[-1].obsolete and slow[-1].msgid == "gone away"


@pytest.mark.parametrize(
    "text",
    [
        'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "bs"\n',  # plural forms
        'msgid "a"\nmsgstr "b" "c"\n',  # two strings on a line
        'msgid "a"\nmsgstr "b"\nbogus\n',  # not PO at all
        'msgstr "b"\n',  # msgstr with no msgid
        '#~ #, fuzzy\n#~ msgid "a"\n#~ msgstr "b"\n',  # a flag inside an obsolete entry
    ],
)
def test_left_to_polib(text):
    assert pofile.parse(text, "utf-8", 78) is None


def test_a_string_of_many_lines_is_read_whole():
    # 50,000 continuation lines: joined once, not copied once per line.
    lines = [f"line {i} of a long text " for i in range(50_000)]
    wrapped = "".join(f'"{line}"\n' for line in lines)
    text = (
        f'#| msgid ""\n#| "old"\nmsgid ""\n{wrapped}msgstr ""\n{wrapped}\nmsgid "b"\nmsgstr "c"\n'
    )
    [long, short] = pofile.parse(text, "utf-8", 78)
    assert long.msgid == long.msgstr == "".join(lines) and long.previous_msgid == "old"
    assert (short.msgid, short.msgstr) == ("b", "c")


def test_plural_entries_are_written_by_polib():
    po = polib.POFile(wrapwidth=78)
    po.append(polib.POEntry(msgid="a", msgid_plural="as", msgstr_plural={0: "b", 1: "bs"}))
    assert pofile.render(po) == po.__unicode__()


def test_only_newline_breaks_a_line():
    """polib splits lines with str.splitlines(), which also breaks at U+2028 and NEL; gettext
    (and this reader) only at \\n."""
    text = 'msgid "a"\nmsgstr "b\u2028c"\n'
    fast = pofile.parse(text, "utf-8", 78)
    assert fast[0].msgstr == "b\u2028c"


# --- reading for a build: translations() -------------------------------------------------


def reference(text: str, errors: list[str] | None = None):
    """What a build took from a catalog before translations(): catalog.load of the text as a
    file, then the two results; None when catalog.load refuses it (and why, in ``errors``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalog.po"
        path.write_bytes(text.encode("utf-8"))
        try:
            po = catalog.load(path)
        except CatalogError as e:
            if errors is not None:
                errors.append(str(e))
            return None
    fuzzy = {e.msgid for e in po if e.msgstr and "fuzzy" in e.flags and not e.obsolete}
    done = {e.msgid: e.msgstr for e in po if e.msgstr and not e.obsolete and "fuzzy" not in e.flags}
    return done, fuzzy


def translations_or_none(text: str):
    """translations(), held to the reference whenever it gives an answer."""
    fast = pofile.translations(text)
    if fast is not None:
        slow = reference(text)
        assert slow is not None, "an answer for a catalog catalog.load refuses"
        assert fast == slow
    return fast


@pytest.mark.parametrize("path", REPO_CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_translations_of_every_catalog_in_the_repository(path):
    text = path.read_text(encoding="utf-8")
    fast = pofile.translations(text)
    assert fast is not None, "the fast reader gave up on one of our own catalogs"
    assert fast == reference(text)


# As Poedit, Weblate and msgmerge write them: translator comments, flags with several flags,
# previous msgids, wrapped strings, escapes, obsolete entries at the end.
COMMON_SHAPES = r"""# Dutch translation of the article.
# Copyright (C) 2024 the authors
# Jan Jansen <jan@example.org>, 2024.
#
msgid ""
msgstr ""
"Project-Id-Version: x\n"
"Report-Msgid-Bugs-To: \n"
"PO-Revision-Date: 2024-02-01 12:00+0100\n"
"Last-Translator: Jan Jansen <jan@example.org>\n"
"Language-Team: Dutch <https://hosted.weblate.org/projects/x/nl/>\n"
"Language: nl\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=2; plural=n != 1;\n"
"X-Generator: Weblate 5.4\n"

#. p
#: content/start/p[1]
msgid "Hair loss"
msgstr "Haaruitval"

# Checked with the dermatologist.
#. p
#: content/start/p[2] content/end/p[1]
#, fuzzy, python-format
#| msgid "Old %s text"
msgid "New %s text"
msgstr "Nieuwe %s tekst"

#: content/start/p[3]
#, no-check-numbers
#| msgid ""
#| "An older paragraph, wrapped at seventy-eight columns as gettext wraps "
#| "them."
msgid ""
"A long paragraph that the writer wrapped at seventy-eight columns, as "
"gettext does."
msgstr ""
"Een lange alinea die de schrijver op achtenzeventig kolommen afbrak, zoals "
"gettext doet."

#: content/start/p[4]
msgid "Say \"hi\"\tthen\\ leave\n"
msgstr "Zeg \"hoi\"\ten\\ ga\n"

#: content/start/p[5]
#, fuzzy
msgid "Fuzzy but untranslated"
msgstr ""

#: content/start/p[6]
msgid "Untranslated"
msgstr ""

#~ msgid "An old text"
#~ msgstr "Een oude tekst"

# Kept for later.
#, fuzzy
#~| msgid "An older text"
#~ msgid ""
#~ "An old wrapped "
#~ "text"
#~ msgstr "Een oude "
#~ "tekst"
"""


def test_translations_of_common_shapes():
    fast = translations_or_none(COMMON_SHAPES)
    assert fast is not None
    done, fuzzy = fast
    assert fuzzy == {"New %s text"}
    assert done['Say "hi"\tthen\\ leave\n'] == 'Zeg "hoi"\ten\\ ga\n'
    assert sorted(done) == [
        "A long paragraph that the writer wrapped at seventy-eight columns, as gettext does.",
        "Hair loss",
        'Say "hi"\tthen\\ leave\n',
    ]
    assert translations_or_none(HAND_EDITED) == ({}, {"new text"})
    assert translations_or_none("\ufeff" + COMMON_SHAPES) == fast
    assert translations_or_none(COMMON_SHAPES.rstrip("\n")) == fast
    assert translations_or_none(COMMON_SHAPES + "\n\n") == fast


@pytest.mark.parametrize(
    "text",
    [
        'msgid "a"\nmsgstr "b"\nmsgid "a"\nmsgstr "c"\n',  # a duplicate
        '#~ msgid "a"\n#~ msgstr "b"\n\n#~ msgid "a"\n#~ msgstr "c"\n',  # an obsolete one
        'msgid ""\nmsgstr "x"\n\nmsgid ""\nmsgstr "y"\n',  # two headers: polib keeps one
        '#~ msgid ""\n#~ msgstr "x"\n',  # an obsolete header
        'msgctxt "menu"\nmsgid "a"\nmsgstr "b"\n',  # a context
        'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "bs"\n',  # plural forms
        'msgid "a"\nmsgstr "b" "c"\n',  # two strings on a line
        'msgid "a"\nmsgstr "b\\"\n',  # a line ending in an escape
        'msgid "a"\nmsgstr "b"\nbogus\n',  # not PO at all
        'msgstr "b"\n',  # msgstr with no msgid
        'msgid "a"\n',  # msgid with no msgstr
        'msgid "a"\n\nmsgstr "b"\n',  # a blank line inside an entry
        '#~ #, fuzzy\n#~ msgid "a"\n#~ msgstr "b"\n',  # a flag inside an obsolete entry
        'msgid "a"\nmsgstr "b"\n#| "c"\n',  # polib adds this to the msgstr: "bc"
        'msgid "a"\nmsgstr "b"\n#~| msgid "x"\n',  # polib drops the last entry for this
        'msgid "a"\nmsgstr "b"\n#,\n',  # ... and for this
        '#~ msgid "a"\nmsgstr "b"\n',  # half obsolete
        '#,fuzzy\nmsgid "a"\nmsgstr "b"\n',  # polib: a syntax error
        '  msgid "a"\nmsgstr "b"\n',  # spacing polib allows
        'msgid "a"\nmsgstr "b\u2028c"\n',  # polib breaks the line there
        'msgid "a"\nmsgstr "b"\n#. c\u2028d\n',
        'msgid "a"\nmsgstr "b\rc"\n',
        "",  # nothing to read
        "# just a comment\n",
    ],
)
def test_translations_left_to_the_full_reader(text):
    assert pofile.translations(text) is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_translations_of_generated_catalogs(po):
    text = po.__unicode__()
    fast = translations_or_none(text)
    if "\x00" not in text:  # catalog.load refuses NUL, so translations() does too
        assert fast is not None


@st.composite
def awkward_catalogs(draw):
    """Catalogs of entries with every field polib writes (msgctxt, previous fields, awkward
    characters, empty or repeated msgids), at the width of the first of them."""
    drawn = draw(st.lists(entries(), max_size=5))
    po = polib.POFile(wrapwidth=drawn[0][1] if drawn else 78)
    po.header = draw(st.sampled_from(["", "A header."]))
    po.metadata = {"Project-Id-Version": "x", "Content-Type": "text/plain; charset=UTF-8"}
    po.metadata_is_fuzzy = draw(st.booleans())
    po.extend(entry for entry, _ in drawn)
    return po


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(awkward_catalogs())
def test_translations_of_awkward_catalogs(po):
    text = po.__unicode__()
    fast = translations_or_none(text)
    keys = [(e.msgid, e.obsolete) for e in po]
    plain = (
        all(e.msgctxt is None and e.msgid for e in po)
        and len(set(keys)) == len(keys)
        and not any(c in text for c in pofile._ODD)
    )
    if plain:
        assert fast is not None


# Lines to put where they do not belong: every kind of line, and the ways each goes wrong.
ODD_LINES = [
    "",
    "#",
    "# a translator's comment",
    "##",
    "#.",
    "#. extracted",
    "#:",
    "#: a.html:1",
    "#,",
    "#, fuzzy",
    "#, no-check-numbers, fuzzy",
    "#, fuzzy-ish",
    "#,fuzzy",
    "#|",
    '#| msgid "previous"',
    '#| "more"',
    '#~| msgid "gone"',
    "#~",
    "#~ #, fuzzy",
    '#~ msgid "gone"',
    '#~ msgstr "weg"',
    '#~ "more"',
    '#~ msgid ""',
    'msgid ""',
    'msgstr ""',
    'msgid "Hair loss"',
    'msgstr "x"',
    '"continued"',
    '"un"escaped"',
    '"ends in \\"',
    '"\\n\\t\\\\\\q"',
    'msgctxt "menu"',
    'msgid_plural "many"',
    'msgstr[0] "één"',
    "bogus",
    '  msgid "indented"',
    'msgid\t"tab"',
    'msgstr "trailing" ',
    "\t",
    "#x",
    '"line\u2028break"',
    "# \x85",
]


def mutations(text: str):
    """Texts one step from ``text``: each line deleted, doubled, swapped with the next, and
    every odd line put before it; each entry doubled at the end, and given a fuzzy flag."""
    lines = text.split("\n")
    for i in range(len(lines)):
        yield "\n".join(lines[:i] + lines[i + 1 :])
        yield "\n".join(lines[: i + 1] + lines[i:])
        yield "\n".join(lines[:i] + lines[i + 1 : i + 2] + lines[i : i + 1] + lines[i + 2 :])
        for odd in ODD_LINES:
            yield "\n".join([*lines[:i], odd, *lines[i:]])
    blocks = text.split("\n\n")
    for i, block in enumerate(blocks):
        yield text + "\n" + block + "\n"
        yield "\n\n".join([*blocks[:i], "#, fuzzy\n" + block, *blocks[i + 1 :]])


@pytest.mark.parametrize("text", [HAND_EDITED, COMMON_SHAPES], ids=["hand-edited", "common"])
def test_translations_of_every_one_step_mutation(text):
    answered = left = 0
    errors: list[str] = []
    for mutated in mutations(text):
        fast = pofile.translations(mutated)
        slow = reference(mutated, errors)
        if fast is not None:
            assert slow is not None, mutated
            assert fast == slow, mutated
            answered += 1
        elif slow is not None:
            left += 1
    # The net has caught something: syntax errors and duplicates were among the mutations, and
    # the fast reader still answered for many of them.
    assert sum("duplicate msgid" in e for e in errors) >= 3, errors
    assert sum("syntax error" in e for e in errors) >= 500, errors
    assert answered >= 300, (answered, left)


REPO_TEXTS = [p.read_text(encoding="utf-8") for p in REPO_CATALOGS]


@st.composite
def mutated_catalogs(draw):
    """A run of entries from a real catalog, with a few random lines deleted, doubled, moved
    or inserted, and a few entries doubled or made fuzzy."""
    text = draw(st.sampled_from([*REPO_TEXTS, HAND_EDITED, COMMON_SHAPES]))
    blocks = text.split("\n\n")
    first = draw(st.integers(0, len(blocks) - 1))
    blocks = blocks[first : first + draw(st.integers(1, 8))]
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, len(blocks) - 1))
        if draw(st.booleans()):
            blocks.insert(draw(st.integers(0, len(blocks))), blocks[i])
        else:
            blocks[i] = "#, fuzzy\n" + blocks[i]
    lines = "\n\n".join(blocks).split("\n")
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "double", "move", "insert"]))
        if action == "delete":
            del lines[i]
        elif action == "double":
            lines.insert(i, lines[i])
        elif action == "move":
            lines.insert(draw(st.integers(0, len(lines))), lines.pop(i))
        else:
            lines.insert(i, draw(st.sampled_from(ODD_LINES)))
        if not lines:
            lines = [""]
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_catalogs())
def test_translations_of_mutated_catalogs(text):
    fast = pofile.translations(text)
    errors: list[str] = []
    slow = reference(text, errors)
    if fast is not None:
        assert slow is not None, "an answer for a catalog catalog.load refuses"
        assert fast == slow
        event("answered")
    elif slow is not None:
        event("left to the full reader")
    else:
        event("refused: " + ("duplicate" if "duplicate" in errors[0] else "syntax error"))


def test_a_nul_byte_is_named_with_its_line_and_utf16_as_binary(tmp_path):
    path = tmp_path / "nl.po"
    path.write_bytes(b'msgid ""\nmsgstr ""\n\nmsgid "Take 30 mg."\nmsgstr "Neem\x00 30 mg."\n')
    with pytest.raises(CatalogError) as got:
        catalog.load(path, "nl.po")
    assert str(got.value).startswith("nl.po:5: a NUL byte")
    path.write_bytes('msgid ""\nmsgstr ""\n'.encode("utf-16"))
    with pytest.raises(CatalogError, match="binary data"):
        catalog.load(path, "nl.po")


HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


@pytest.mark.parametrize(
    "body, line, says",
    [
        ('msgid "a"\nmsgstr "Neem 2 tabletten.\n', 6, "closing quote"),
        ('msgid "a"\nmsgstr "x"\n"y\n', 7, "closing quote"),
        ('msgid "a"\nmsgstr "x \\q"\n', 6, "unknown escape sequence \\q"),
        ('msgid "a"\nmsgstr "b\\"\n', 6, "syntax error"),
        ('msgid "a"\nmsgstr[0] "x"\n', 6, "msgstr[n] without a msgid_plural"),
        ('msgid "a"\nmsgid_plural "as"\nmsgstr "x"\n', 7, "msgstr[0], msgstr[1]"),
        ('msgid Take 2 tablets\nmsgstr "x"\n', 5, "syntax error"),
        ('msgid "a"\n\nmsgid "b"\nmsgstr "c"\n', 5, "msgid without a msgstr"),
        ('msgid "b"\nmsgstr "c"\n\nmsgid "a"\n', 8, "msgid without a msgstr"),
        ('msgid "a" # checked\nmsgstr "b"\n', 5, "a comment after a string"),
        ('msgid "a"\nmsgstr "b" # c\n"d"\n', 6, "a comment after a string"),
    ],
)
def test_what_msgfmt_refuses_is_an_error_with_its_line(tmp_path, body, line, says):
    """polib reads these without a word, and writing the catalog back lost or changed the
    translator's text; msgfmt refuses each of them, and so do we, naming the line."""
    path = tmp_path / "nl.po"
    path.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(CatalogError) as got:
        catalog.load(path, "nl.po")
    assert got.value.line == line and says in got.value.message
    with pytest.raises(CatalogError):
        catalog.load_translations(path, "nl.po")
    msgfmt = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True
    )
    assert msgfmt.returncode != 0


def test_a_line_separator_in_a_catalog_with_plural_forms_loses_nothing(tmp_path):
    """polib splits lines at U+2028 and dropped the character before it: "2" of a dose."""
    path = tmp_path / "nl.po"
    path.write_text(
        HEADER + 'msgid "Take 2 tablets."\nmsgstr "Neem 2\u2028tabletten.\u0085"\n\n'
        'msgid "%d tablet"\nmsgid_plural "%d tablets"\nmsgstr[0] "%d\u2029tablet"\n'
        'msgstr[1] "%d tabletten"\n',
        encoding="utf-8",
    )
    po = catalog.load(path)
    assert po.find("Take 2 tablets.").msgstr == "Neem 2\u2028tabletten.\u0085"
    assert po.find("%d tablet").msgstr_plural[0] == "%d\u2029tablet"
    assert catalog.load_translations(path)[0]["Take 2 tablets."] == "Neem 2\u2028tabletten.\u0085"


def test_escapes_msgcat_writes_read_as_msgfmt_reads_them(tmp_path):
    """msgcat --escape writes octal bytes for every non-ASCII character; \\a, \\? and \\' are
    gettext's too. Read as escapes, not as text with a backslash."""
    original = ROOT / "locales/nl/dermatomyositis-hair-loss-causes.po"
    escaped = tmp_path / "escaped.po"
    subprocess.run(["msgcat", "--escape", "-o", str(escaped), str(original)], check=True)
    assert "\\303" in escaped.read_text(encoding="utf-8")
    assert catalog.load_translations(escaped) == catalog.load_translations(original)
    assert catalog.translations(catalog.load(escaped)) == catalog.translations(
        catalog.load(original)
    )
    path = tmp_path / "nl.po"
    path.write_text(HEADER + 'msgid "a"\nmsgstr "\\x41\\a\\? \\\'\\303\\251"\n', encoding="utf-8")
    assert catalog.load(path).find("a").msgstr == "A\x07? 'é"


def test_what_gettext_reads_and_polib_does_not_is_read_as_gettext_reads_it(tmp_path):
    """Comments with no space after their mark and lines of several strings are gettext (msgfmt
    takes them); polib called them syntax errors, so the catalog could not be used at all."""
    path = tmp_path / "nl.po"
    path.write_text(
        "#Translator: Jan\n" + HEADER + "#.Do not change the dose.\n#:page.html:3\n"
        '#,fuzzy,c-format\n#|msgid "Take 20 mg."\nmsgid "Take " "30 mg."\n'
        'msgstr "Neem" " 30 mg." "."\n\nmsgid "b"\nmsgstr "c"\n\n'
        '#~msgid "old" "er"\n#~ msgstr "ouder"\n',
        encoding="utf-8",
    )
    assert subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)]).returncode == 0
    po = catalog.load(path)
    assert po.header == "Translator: Jan"
    e = po.find("Take 30 mg.")
    assert (e.msgstr, e.flags, e.previous_msgid) == (
        "Neem 30 mg..",
        ["fuzzy", "c-format"],
        "Take 20 mg.",
    )
    assert (e.comment, e.occurrences, e.linenum) == (
        "Do not change the dose.",
        [("page.html", "3")],
        6,
    )
    assert [(o.msgid, o.msgstr) for o in po.obsolete_entries()] == [("older", "ouder")]
    assert catalog.load_translations(path) == ({"b": "c"}, {"Take 30 mg."})
    catalog.write(po, path, "PO-Revision-Date")
    assert catalog.load(path).find("Take 30 mg.").msgstr == "Neem 30 mg.."
    assert subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)]).returncode == 0


def test_a_comment_after_an_entrys_last_string_is_refused_with_its_line(tmp_path):
    """gettext reads it as the next entry's comment ("#, fuzzy" there makes that entry fuzzy);
    rare enough that we ask for it on a line of its own rather than move lines about."""
    path = tmp_path / "nl.po"
    path.write_text(HEADER + 'msgid "a"\nmsgstr "b" #, fuzzy\n\nmsgid "c"\nmsgstr "d"\n')
    with pytest.raises(CatalogError) as got:
        catalog.load(path, "nl.po")
    assert got.value.line == 6 and "a comment after a string" in got.value.message


def test_flags_parted_by_a_space_are_flags(tmp_path):
    path = tmp_path / "nl.po"
    path.write_text(HEADER + '#, fuzzy c-format\nmsgid "a"\nmsgstr "b"\n', encoding="utf-8")
    assert catalog.load(path).find("a").flags == ["fuzzy", "c-format"]
    assert catalog.load_translations(path) == ({}, {"a"})


def test_a_header_comment_starting_with_a_comma_or_colon_stays_a_comment(tmp_path):
    """polib writes such a line as "#," (flags) or "#:" (references): the comment became the
    header's flags at the next reading, or a file no reader takes."""
    path = tmp_path / "nl.po"
    path.write_text("# , reviewed by Jan\n# :-) Thanks to all reviewers\n#\n" + HEADER)
    po = catalog.load(path)
    assert po.header == ", reviewed by Jan\n:-) Thanks to all reviewers\n"
    catalog.write(po, path, "PO-Revision-Date")
    again = catalog.load(path)
    assert again.header == po.header and not again.metadata_is_fuzzy
    assert path.read_text().startswith("# , reviewed by Jan\n# :-) Thanks")
    check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True)
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("comment_lines", [0, 400])
def test_a_charset_on_a_wrapped_header_line_or_after_a_long_comment_is_found(
    tmp_path, comment_lines
):
    path = tmp_path / "nl.po"
    text = "".join(f"# Translator {n} <t{n}@example.org>, 2026.\n" for n in range(comment_lines))
    text += (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; "\n"charset=ISO-8859-1\\n"\n\n'
        'msgid "Corticosteroids"\nmsgstr "Corticosteroïden"\n'
    )
    path.write_bytes(text.encode("latin-1"))
    assert catalog.load(path).find("Corticosteroids").msgstr == "Corticosteroïden"
    check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True)
    assert check.returncode == 0, check.stderr
