"""WordPress REST API JSON: one post object, or a list of them (``/wp-json/wp/v2/posts``).

Translatable: ``title.rendered``, ``content.rendered``, ``excerpt.rendered`` and the SEO fields
of ``meta`` that the project names (Rank Math's by default). Rendered fields are HTML; titles and
meta fields are text with HTML entities (``&amp;``, ``&#8217;``), decoded here.
"""

from __future__ import annotations

import html
import json
import re

from ..errors import SourceError, decode_text
from ..model import Article, Field


def _rendered(post: dict, key: str) -> str | None:
    value = post.get(key)
    if isinstance(value, dict):
        value = value.get("rendered")
    return value if isinstance(value, str) else None


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def read(data: bytes, shown: str, project) -> list[Article]:
    from . import slugify

    text = decode_text(data, "utf-8-sig", SourceError, shown)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        truncated = e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated")
        reason = "truncated JSON" if truncated else f"invalid JSON: {e.msg}"
        raise SourceError(f"{reason} (column {e.colno})", shown, e.lineno) from None
    except RecursionError:
        raise SourceError("JSON nested too deeply to be a post", shown) from None
    m = _SURROGATE_ESCAPE.search(text)
    if m is not None:
        try:  # a pair is one character; a lone half is none, and no file can hold it
            json.dumps(doc, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            line = text.count("\n", 0, m.start()) + 1
            raise SourceError(
                f"{m.group()} is half of a character, with no other half", shown, line
            ) from None
    posts = doc if isinstance(doc, list) else [doc]
    if not posts:
        raise SourceError("JSON holds an empty list: no posts", shown)
    articles = []
    for index, post in enumerate(posts):
        where = shown if len(posts) == 1 else f"{shown}[{index}]"
        if not isinstance(post, dict) or _rendered(post, "content") is None:
            raise SourceError("JSON is not a WordPress post (no content.rendered)", where)
        slug = post.get("slug") or _rendered(post, "title") or f"post-{post.get('id', index)}"
        fields = []
        title = _rendered(post, "title")
        if title:
            fields.append(Field("title", "text", html.unescape(title)))
        fields.append(Field("content", "html", _rendered(post, "content") or ""))
        excerpt = _rendered(post, "excerpt")
        if excerpt and excerpt.strip():
            fields.append(Field("excerpt", "html", excerpt))
        meta = post.get("meta") if isinstance(post.get("meta"), dict) else {}
        for key in project.wordpress_meta_fields:
            value = meta.get(key)
            if isinstance(value, str) and value.strip():
                fields.append(Field(f"meta:{key}", "text", html.unescape(value)))
        articles.append(
            Article(
                slug=slugify(str(slug)), path=where, format="wordpress", fields=fields, post=post
            )
        )
    return articles
