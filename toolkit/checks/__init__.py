"""The checks of ``localise check``: one small function per check.

A check is registered with :func:`check`, which gives it a name, a severity and a scope; its
docstring is the explanation users read in ``localise checks``. An *entry* check looks at one PO
entry and yields ``(message, span)`` pairs (span: the offending part of the msgstr, or None);
the runner turns them into findings. Checks of other scopes (catalog, project, page) yield
findings themselves. A *project* check is given, for each locale, only the entries of its
catalogs whose msgid is translated in more than one way: all that a check across catalogs
(``inconsistent``) needs, so that the rest of a large corpus need not be held. A translator
silences an entry check for one entry with the PO flag ``no-check-<name>``
(``#, no-check-numbers``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SCOPES = ("entry", "catalog", "project", "source", "page")


@dataclass(frozen=True)
class Check:
    name: str
    severity: str
    scope: str
    func: Callable

    @property
    def explanation(self) -> str:
        import inspect

        return inspect.cleandoc(self.func.__doc__ or "")


REGISTRY: dict[str, Check] = {}


def check(name: str, severity: str, scope: str = "entry"):
    """Register a check function under ``name``."""
    assert severity in ("error", "warning", "info") and scope in SCOPES

    def register(func):
        REGISTRY[name] = Check(name, severity, scope, func)
        return func

    return register


def all_checks() -> list[Check]:
    from . import content, files, language  # noqa: F401  (registration)

    return sorted(
        REGISTRY.values(), key=lambda c: (("error", "warning", "info").index(c.severity), c.name)
    )
