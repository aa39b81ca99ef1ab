"""Where pages live on the site: hreflang alternates and links between localised articles.

With ``url_pattern`` set (``https://example.org/{locale}/{slug}/``), every page links its
translations with ``<link rel="alternate" hreflang>`` (and ``x-default`` for the source), and a
link from one article to another is rewritten to the target locale's address when that article
exists there. Without it, pages carry no alternates and links are left alone.
"""

from __future__ import annotations

import re


def _norm(url: str) -> str:
    url = re.sub(r"^https?://", "", url.strip().lower())
    url = url.split("#")[0].split("?")[0]
    return url.rstrip("/")


def source_url(project, article) -> str | None:
    """The source article's address. ``article``: anything with ``slug`` and ``link`` (the
    WordPress post's own address, or None), as :class:`~toolkit.pipeline.Loaded` has."""
    if project.source_url_pattern:
        return project.source_url_pattern.format(slug=article.slug, locale=project.source_language)
    return article.link


def page_url(project, locale: str, slug: str) -> str | None:
    if not project.url_pattern:
        return None
    return project.url_pattern.format(locale=locale.replace("_", "-").lower(), slug=slug)


def alternates_for(project, locales: list[str] | None = None):
    """A function (article, locale) -> [(hreflang, href)], or None without a URL pattern.
    ``article``: as for :func:`source_url`."""
    if not project.url_pattern:
        return None
    from .build import html_lang

    published = locales if locales is not None else list(project.locales)

    def alternates(article, _locale):
        out = []
        src = source_url(project, article)
        if src:
            out.append((html_lang(project.source_language), src))
        for loc in sorted(published):
            out.append((html_lang(loc), page_url(project, loc, article.slug)))
        if src:
            out.append(("x-default", src))
        return out

    return alternates


def link_map_for(project, articles, locales: list[str] | None = None):
    """A function locale -> (href -> localised href or None), or None without a URL pattern.
    ``articles``: the project's articles as :func:`~toolkit.pipeline.iter_articles` gives them
    (their source addresses are what links point to)."""
    if not project.url_pattern:
        return None
    known: dict[str, str] = {}
    for article in articles:
        for url in (source_url(project, article), article.link):
            if isinstance(url, str) and url:
                known[_norm(url)] = article.slug
    published = set(locales if locales is not None else project.locales)

    def for_locale(locale: str):
        def rewrite(href: str) -> str | None:
            slug = known.get(_norm(href))
            if slug is None or locale not in published:
                return None
            return page_url(project, locale, slug)

        return rewrite

    return for_locale
