"""Readers: format sniffing, WordPress JSON, HTML encodings, plain text, bad files, slugs."""

from __future__ import annotations

import json
import shutil

import pytest

from toolkit.errors import SourceError
from toolkit.project import load_project
from toolkit.sources import read_articles, slugify, sniff


def read(tmp_path, name: str, data: bytes):
    (tmp_path / "source").mkdir(exist_ok=True)
    path = tmp_path / "source" / name
    path.write_bytes(data)
    return read_articles(path, load_project(tmp_path))


def test_sample_wordpress_posts_are_recognised_despite_txt_extension(project_dir):
    project = load_project(project_dir)
    formats = {a.slug: a.format for p in project.source_files() for a in read_articles(p, project)}
    assert formats["autoimmune-related-balding"] == "wordpress"
    assert formats["autoimmune-disease-and-hair-loss-link"] == "wordpress"
    assert formats["dermatomyositis-hair-loss-causes"] == "text"


def test_wordpress_fields_and_entities(project_dir):
    project = load_project(project_dir)
    [article] = read_articles(project_dir / "source/post-autoimmune-related-balding.txt", project)
    names = [f.name for f in article.fields]
    assert names == [
        "title",
        "content",
        "excerpt",
        "meta:rank_math_title",
        "meta:rank_math_description",
        "meta:rank_math_focus_keyword",
    ]
    assert (
        article.field("title").value == "Autoimmune-Related Balding: Causes, Diagnosis & Treatment"
    )
    assert article.post["id"] == 24365


def test_wordpress_list_of_posts_and_configurable_meta(tmp_path):
    posts = [
        {
            "slug": "one",
            "title": {"rendered": "One"},
            "content": {"rendered": "<p>First post.</p>"},
            "meta": {"seo": "Custom"},
        },
        {
            "slug": "two",
            "title": {"rendered": "Two"},
            "content": {"rendered": "<p>Second post.</p>"},
        },
    ]
    (tmp_path / "localise.toml").write_text('wordpress_meta_fields = ["seo"]\n')
    articles = read(tmp_path, "posts.data", json.dumps(posts).encode())
    assert [a.slug for a in articles] == ["one", "two"]
    assert articles[0].field("meta:seo").value == "Custom"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b'{"id": 1, "content": {"rendered": "<p>cut', "truncated JSON"),
        (b"", "empty file"),
        (b"\x00\x01\x02garbage\xff\xfe", "binary"),
        (b'{"hello": "world"}', "not a WordPress post"),
        (b"[]", "empty list"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"slug": "q", "content": {"rendered": "<p>bad \\ud800</p>"}}', "half of a character"),
    ],
)
def test_unreadable_files_name_the_file_and_reason(tmp_path, data, reason):
    with pytest.raises(SourceError) as e:
        read(tmp_path, "bad.json", data)
    assert reason in str(e.value)
    assert "bad.json" in str(e.value)


def test_truncated_json_names_the_line(tmp_path):
    with pytest.raises(SourceError) as e:
        read(tmp_path, "bad.txt", b'{\n"slug": "x",\n"content": {"rendered": "<p>a')
    assert e.value.line == 3


def test_html_iso_8859_1_declared_in_meta(tmp_path):
    page = '<!DOCTYPE html><html><head><meta charset="ISO-8859-1"><title>Café</title></head><body><p>Ça va très bien.</p></body></html>'
    [article] = read(tmp_path, "page.html", page.encode("latin-1"))
    assert "Ça va très bien." in article.page
    assert article.format == "html"


def test_html_http_equiv_and_bom(tmp_path):
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head><body><p>“Quoted” – dash</p></body></html>'
    [a] = read(tmp_path, "p.htm", page.encode("cp1252"))
    assert "“Quoted” – dash" in a.page
    [b] = read(tmp_path, "q.htm", b"\xef\xbb\xbf<p>\xc3\xa9t\xc3\xa9</p>")
    assert b.field("content").value == "<p>été</p>"


def test_html_fragment_defaults_to_utf8(tmp_path):
    [a] = read(tmp_path, "frag.html", "<p>Hoofdhuid – één</p>".encode())
    assert a.field("content").value == "<p>Hoofdhuid – één</p>"
    assert sniff(b"  <p>x</p>") == "html"


def test_text_paragraphs_bullets_and_title(project_dir):
    project = load_project(project_dir)
    [a] = read_articles(project_dir / "source/autoimmune-alopecia-and-leaky-gut.txt", project)
    assert a.field("title").value == "Exploring the Link Between Autoimmune Alopecia and Leaky Gut"
    content = a.field("content").value
    assert "top of page" not in content and "bottom of page" not in content
    assert "<li>Systemic Inflammation: When the gut lining is damaged" in content
    assert content.count("<ul>") == 3


def test_text_title_not_repeated(project_dir):
    project = load_project(project_dir)
    [qa] = read_articles(project_dir / "source/alopecia-areata-expert-qa.txt", project)
    assert qa.field("content").value.count("“Baldness” comes as it is") == 0
    [dm] = read_articles(project_dir / "source/dermatomyositis-hair-loss-causes.txt", project)
    first = dm.field("content").value.split("</p>")[0]
    assert (
        first
        == "<p>Dermatomyositis is a rare inflammatory disease characterized by muscle weakness and distinctive skin rashes. While its primary symptoms are often visible on the skin and muscles, one less obvious but significant concern related to this condition is hair loss. Understanding the causes of hair loss in individuals with dermatomyositis involves exploring several interconnected factors, including the disease’s pathology, the effects of its treatment, and secondary complications."
    )


def test_text_hard_wrapped_lines_are_joined(tmp_path):
    [a] = read(
        tmp_path, "wrapped.txt", b"Title\n\nA short line\nthat goes on.\n\n- item one\n* item two\n"
    )
    assert (
        a.field("content").value
        == "<p>A short line that goes on.</p>\n<ul>\n<li>item one</li>\n<li>item two</li>\n</ul>\n"
    )


@pytest.mark.parametrize("raw", ["../../etc/passwd", "a/b\\c", "..", "", "Ünïcödé Títle!"])
def test_slugs_never_leave_the_project(raw):
    slug = slugify(raw)
    assert slug and "/" not in slug and "\\" not in slug and ".." not in slug
    assert slug == slug.lower()


def test_wordpress_slug_is_sanitised(tmp_path):
    post = {
        "slug": "../../evil",
        "title": {"rendered": "T"},
        "content": {"rendered": "<p>Text here.</p>"},
    }
    [a] = read(tmp_path, "evil.json", json.dumps(post).encode())
    assert a.slug == "evil"


def test_one_bad_file_costs_no_other_file(project_dir, cli):
    (project_dir / "source" / "broken.txt").write_bytes(b'{"id": 3, "content": {"rendered": "<p>x')
    (project_dir / "source" / "garbage.bin").write_bytes(bytes(range(256)))
    result = cli(project_dir, "extract")
    assert result.exit_code == 2
    assert "source/broken.txt:1: truncated JSON" in result.output
    assert "garbage.bin" in result.output and "Traceback" not in result.output
    assert "5 articles" in result.output
    assert (project_dir / "locales/templates/autoimmune-related-balding.pot").exists()


@pytest.mark.parametrize("command", ["extract", "build", "bundle"])
@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.symlink_to("gone"), "is a symbolic link to nothing"),
        (lambda p: p.write_text("x"), "is not a folder"),
    ],
)
def test_missing_source_folder_is_an_error(project_dir, cli, command, make, reason):
    shutil.rmtree(project_dir / "source")
    make(project_dir / "source")
    result = cli(project_dir, command)
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"localise: error: source: the articles' folder {reason} (source_dir in the settings)\n"
    )


def test_linked_folders_are_followed_but_a_loop_or_a_link_to_nothing_is_named(empty_project, cli):
    source = empty_project / "source"
    (source / "topics/hair").mkdir(parents=True)
    (source / "topics/hair/zinc.html").write_text("<p>Take 25 mg of zinc daily.</p>")
    elsewhere = empty_project / "shared"
    elsewhere.mkdir()
    (elsewhere / "iron.html").write_text("<p>Take 60 mg of iron daily.</p>")
    (source / "linked").symlink_to(elsewhere)
    (source / "topics/hair/up").symlink_to("..")
    (source / "topics/again").symlink_to("../topics")
    (source / "gone.html").symlink_to("nowhere.html")
    result = cli(empty_project, "extract")
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("localise:")]
    assert errors == [
        "localise: error: source/gone.html: a symbolic link to nothing",
        "localise: error: source/topics/again: a symbolic link back to source/topics, a folder "
        "it is in: not followed",
        "localise: error: source/topics/hair/up: a symbolic link back to source/topics, a folder "
        "it is in: not followed",
    ]
    assert "2 articles, 2 units; 2 templates written" in result.output
    assert sorted(p.name for p in (empty_project / "locales/templates").iterdir()) == [
        "iron.pot",
        "zinc.pot",
    ]


def test_empty_source_folder_is_no_error(empty_project, cli):
    assert cli(empty_project, "extract").exit_code == 0
    assert cli(empty_project, "build").exit_code == 0


def test_source_files_sorted_by_path_hidden_left_out(tmp_path):
    src = tmp_path / "source"
    for name in ("b.txt", "a-z/x.html", "a/c.json", "a/.draft.txt", ".git/config", "A.txt"):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text("Text about hair loss.\n")
    (src / "empty-folder").mkdir()
    found = [p.relative_to(src).as_posix() for p in load_project(tmp_path).source_files()]
    # Path order: folder by folder, so a/c.json comes before a-z/x.html.
    assert found == ["A.txt", "a/c.json", "a-z/x.html", "b.txt"]


# -- declared encodings: bs4's reading, without importing bs4 ----------------------------------


def test_declared_encoding_uses_bs4s_expressions():
    from bs4 import dammit

    from toolkit.sources import html

    assert html._XML_ENCODING.pattern == dammit.encoding_res[bytes]["xml"].pattern
    assert html._HTML_META.pattern == dammit.encoding_res[bytes]["html"].pattern
    assert html._XML_ENCODING.flags == dammit.encoding_res[bytes]["xml"].flags
    assert html._HTML_META.flags == dammit.encoding_res[bytes]["html"].flags


_HEADS = [
    b"",
    b"<p>no declaration</p>",
    b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>',
    b"<meta charset=ISO-8859-1>",
    b"<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=windows-1252'>",
    b'<?xml version="1.0" encoding="UTF-16"?><html><meta charset="utf-8">',
    b'<?xml version="1.0" encoding=""?><meta charset="koi8-r">',
    b'  \n<?xml version="1.0" encoding="latin1" ?>',
    b"<meta charset>",
    b'<meta name="x" content="charset"><meta charset="shift_jis">',
    b"x" * 3000 + b'<meta charset="big5">',  # past the first 2,048 bytes
    b"x" * 50000 + b'<meta charset="big5">' + b"y" * 10000,  # within 5 % of a long page
    b"\xef\xbb\xbf<meta charset='gb2312'>",
]


@pytest.mark.parametrize("data", _HEADS)
def test_declared_encoding_reads_as_bs4(data):
    from bs4.dammit import EncodingDetector

    from toolkit.sources.html import declared_encoding

    expected = EncodingDetector.find_declared_encoding(data, is_html=True)
    assert declared_encoding(data) == expected


def test_reading_html_does_not_import_bs4(tmp_path):
    import subprocess
    import sys

    page = tmp_path / "page.html"
    page.write_bytes(b'<!DOCTYPE html><html><head><meta charset="utf-8"></head><p>Hi</p>')
    code = (
        "import sys; from toolkit.sources.html import decode; "
        f"decode(open({str(page)!r}, 'rb').read(), 'page.html'); print('bs4' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


POST = {"slug": "zinc", "title": {"rendered": "Zinc"}, "content": {"rendered": "<p>25\u00a0mg</p>"}}
PAGE = '<!DOCTYPE html><html><head><meta charset="utf-16"><title>Zinc</title></head><body><p>Take 25\u00a0mg.</p></body></html>'


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be", "utf-8-sig"])
def test_unicode_files_with_a_byte_order_mark_are_read_in_any_form(tmp_path, encoding):
    def saved(text: str) -> bytes:  # as Notepad and Excel save "Unicode" text: mark first
        data = text.encode(encoding)
        if encoding.endswith("-be"):
            data = {"utf-16-be": b"\xfe\xff", "utf-32-be": b"\x00\x00\xfe\xff"}[encoding] + data
        return data

    [post] = read(tmp_path, "post.txt", saved(json.dumps(POST)))
    assert (post.format, post.field("content").value) == ("wordpress", "<p>25\u00a0mg</p>")
    [page] = read(tmp_path, "page.htm", saved(PAGE))
    assert page.format == "html" and "Take 25\u00a0mg." in page.page
    [text] = read(tmp_path, "notes.txt", saved("Zinc\n\nTake 25\u00a0mg a day.\n"))
    assert text.field("content").value == "<p>Take 25\u00a0mg a day.</p>\n"


def test_a_file_its_byte_order_mark_misdescribes_is_named_with_its_line(tmp_path):
    data = b"\xff\xfe" + "Zinc\n\nTake 25 mg.\n".encode("utf-16-le") + b"\x00\xd8A\x00"
    with pytest.raises(SourceError) as e:
        read(tmp_path, "notes.txt", data)
    assert str(e.value).startswith("source/notes.txt:4: not UTF-16 text as its byte-order mark")


def test_utf16_without_a_byte_order_mark_is_still_refused_as_binary(tmp_path):
    with pytest.raises(SourceError, match="binary data"):
        read(tmp_path, "notes.txt", "Zinc\n\nTake 25 mg.\n".encode("utf-16-le"))


def test_an_xhtml_page_with_an_xml_declaration_is_a_page_and_says_utf8_when_built(tmp_path):
    from toolkit.segment import render_parts, segment_page

    page = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><title>Caf\xe9</title></head><body><p>Zinc.</p></body></html>'
    [article] = read(tmp_path, "page.html", page.encode("latin-1"))
    assert article.format == "html" and article.page is not None
    html = render_parts(segment_page(article.page).parts, lambda msgid: None)
    assert html.startswith('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n')
    assert 'content="text/html; charset=utf-8"><title>Café</title>' in html


def test_a_built_page_declares_the_utf8_it_is_written_in(tmp_path):
    from toolkit.segment import render_parts, segment_page

    html = render_parts(
        segment_page(
            '<html><head><meta charset="windows-1252"><title>x</title></head></html>'
        ).parts,
        lambda msgid: None,
    )
    assert '<meta charset="utf-8">' in html and "1252" not in html
