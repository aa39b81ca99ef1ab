"""The shortcuts extraction takes for speed give what the plain way gave, to the byte.

Expected skeletons and units below were produced by the segmenter before those shortcuts.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from toolkit.placeholders import PLACEHOLDER_RE
from toolkit.segment import fold, is_translatable, segment_html

_URL = re.compile(r"^(?:https?://|www\.|mailto:)\S+$|^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$", re.I)

TEXT = st.lists(
    st.sampled_from(
        list(" \t\n\r\f\u00a0\u2028aZé1.@/:<>-_") + ["www.", "https://", "mailto:", "<b>", "</a2>"]
    ),
    max_size=40,
).map("".join)


def _data(html: str):
    seg = segment_html(html)
    return seg.parts, [(u.msgid, u.location, u.comment, u.notes) for u in seg.units]


@given(TEXT)
def test_fold_is_the_plain_substitution(text):
    assert fold(text) == re.sub(r"[ \t\n\r\f]+", " ", text)


@given(TEXT)
def test_is_translatable_is_the_plain_test(text):
    stripped = PLACEHOLDER_RE.sub(" ", text).strip()
    plain = any(ch.isalpha() for ch in stripped) and not _URL.match(stripped)
    assert is_translatable(text) == plain


def test_undone_attribute_units_give_their_numbers_back():
    # The first image is a placeholder first (its alt a unit), then written literally when the
    # run turns out to hold no text: it must still be img[1], and the next one img[2].
    parts, units = _data(
        '<p><img alt="A chart"></p><p><img alt="A chart"> Zinc helps.</p>'
        '<h2>Next</h2><p><img alt="B"></p>'
    )
    assert parts == [
        '<p><img alt="',
        ("a", "A chart"),
        '"></p><p>',
        ("b", "<img/> Zinc helps.", {"img": (True, ['<img alt="', ("a", "A chart"), '">'], "")}),
        "</p><h2>",
        ("b", "Next", {}),
        '</h2><p><img alt="',
        ("a", "B"),
        '"></p>',
    ]
    assert units == [
        ("A chart", "content/start/img[1]@alt", "img alt", []),
        ("A chart", "content/start/img[2]@alt", "img alt", []),
        ("<img/> Zinc helps.", "content/start/p[1]", "p", []),
        ("Next", "content/next/h2[1]", "h2", []),
        ("B", "content/next/img[1]@alt", "img alt", []),
    ]


def test_blank_runs_are_written_as_they_are():
    parts, units = _data("<p>One</p>\u00a0\n<p>Two</p>\n\n<div> \t </div>")
    assert parts == [
        "<p>",
        ("b", "One", {}),
        "</p>&nbsp;\n<p>",
        ("b", "Two", {}),
        "</p>\n\n<div> \t </div>",
    ]
    assert units == [("One", "content/start/p[1]", "p", []), ("Two", "content/start/p[2]", "p", [])]


def test_peeled_wrapper_and_protected_placeholders():
    assert _data("<p><strong>  Alopecia\n areata </strong></p>") == (
        ["<p><strong>  ", ("b", "Alopecia areata", {}), " </strong></p>"],
        [("Alopecia areata", "content/start/p[1]", "p", [])],
    )
    assert _data(
        '<p>See https://example.org/x and <a href="https://example.org">https://example.org</a></p>'
    ) == (
        [
            "<p>",
            (
                "b",
                "See https://example.org/x and <a/>",
                {"a": (True, ['<a href="https://example.org">https://example.org</a>'], "")},
            ),
            "</p>",
        ],
        [
            (
                "See https://example.org/x and <a/>",
                "content/start/p[1]",
                "p",
                ["<a/> = https://example.org"],
            )
        ],
    )
    assert _data('<p>x <span translate="no"><b translate="yes">Kept</b></span> y</p>') == (
        [
            "<p>",
            (
                "b",
                "x <span/> y",
                {
                    "span": (
                        True,
                        [
                            '<span translate="no"><b translate="yes">',
                            ("b", "Kept", {}),
                            "</b></span>",
                        ],
                        "",
                    )
                },
            ),
            "</p>",
        ],
        [
            ("Kept", "content/start/b[1]", "b", []),
            ("x <span/> y", "content/start/p[1]", "p", ["<span/> = Kept"]),
        ],
    )


def test_skeleton_strings_are_joined():
    # Pieces are joined once at the end: never two strings in a row, never an empty one.
    parts, _ = _data(
        '<div class="x"><p>a<br>b</p><!-- c --><pre> <b>k</b> </pre><ul><li>i</li></ul></div>'
    )
    for prev, cur in zip(parts, parts[1:], strict=False):
        assert not (isinstance(prev, str) and isinstance(cur, str))
    assert "" not in parts
