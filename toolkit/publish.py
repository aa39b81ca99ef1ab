"""Where pages live on the site: hreflang alternates and links between localised articles.

Filled in by the bundle step (published locales, URL pattern); until a URL pattern is set,
pages carry no alternates and links are left as they are.
"""

from __future__ import annotations


def alternates_for(project):
    return None


def link_map_for(project):
    return None
