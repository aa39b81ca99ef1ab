"""Findings rendered for people and programs: text (terminals, CI logs), JSON, HTML (editors).

Each format is written as it is produced, in chunks (``*_chunks``), so that a large report
never exists in memory: the findings are read once per pass, in order, from the check's
result (which keeps most of them on disk when there are many, see :mod:`toolkit.spill`).
"""

from __future__ import annotations

import html
import json
from itertools import groupby, islice
from json.encoder import encode_basestring as _string  # C, ensure_ascii=False

SCHEMA_VERSION = 1


def counted(n: int, noun: str, plural: str = "") -> str:
    """``1 article``, ``2 articles``: a count with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


_BATCH = 1000  # findings per chunk


def _dumps(value, indent: str) -> str:
    """``value`` as JSON (indent 2) nested at ``indent``."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


def _finding_json(f) -> str:
    """``_dumps(f.as_dict(), "    ")`` for a finding, written out field by field: the indenting
    encoder is pure Python and was the report's whole cost, and a dict and a generic loop per
    finding were still most of what remained (1.4 s of the main process's 2.4 s in a check of
    148,000 findings, under cProfile)."""
    span = (
        ""
        if f.span is None
        else f',\n      "span": [\n        {_value(f.span[0])},\n        {_value(f.span[1])}\n      ]'
    )
    return (
        f'{{\n      "check": {_string(f.check)},\n      "severity": {_string(f.severity)}'
        f',\n      "locale": {_string(f.locale)},\n      "article": {_string(f.article)}'
        f',\n      "msgid": {_string(f.msgid)},\n      "msgstr": {_string(f.msgstr)}'
        f',\n      "message": {_string(f.message)},\n      "file": {_string(f.file)}'
        f',\n      "line": {_value(f.line)}{span}\n    }}'
    )


def _value(v) -> str:
    """A number as JSON (any other value too, as json.dumps writes it)."""
    return str(v) if type(v) is int else json.dumps(v)


def json_chunks(result):
    """The JSON report (``json.dumps(report, indent=2)``, byte for byte), in chunks."""
    yield f'{{\n  "version": {SCHEMA_VERSION},\n  "findings": ['
    findings = iter(result.findings)
    first = True
    while batch := list(islice(findings, _BATCH)):
        yield ("" if first else ",") + ",".join("\n    " + _finding_json(f) for f in batch)
        first = False
    yield "]" if first else "\n  ]"
    yield f',\n  "summary": {_dumps(result.summary(), "  ")}'
    yield f',\n  "problems": {_dumps([str(p) for p in result.problems], "  ")}\n}}\n'


def text_chunks(result):
    lines: list[str] = []
    for file, group in groupby(result.findings, key=lambda f: f.file):
        lines.append(file or "(project)")
        for f in group:
            where = f"{file}:{f.line}" if file else "-"
            lines.append(f"  {where}: {f.severity}: [{f.check}] {f.message}")
            if f.msgid and f.check not in ("mixed-source", "leftover", "po-syntax"):
                lines.append(f"      msgid:  {_short(f.msgid)}")
                if f.msgstr:
                    lines.append(f"      msgstr: {_short(f.msgstr)}")
        if len(lines) >= _BATCH:
            yield "\n".join(lines) + "\n"
            lines = []
    c = result.counts()
    lines.append(
        f"{counted(c['error'], 'error')}, {counted(c['warning'], 'warning')}, "
        f"{counted(c['info'], 'note')} in {counted(result.catalogs, 'catalog')} "
        f"({counted(result.entries, 'entry', 'entries')}) and {counted(result.pages, 'page')}"
    )
    yield "\n".join(lines) + "\n"


def as_json(result) -> str:
    return "".join(json_chunks(result))


def _short(text: str, n: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1b1b;max-width:1200px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#f4f4f4}.error{color:#a40000;font-weight:600}.warning{color:#8a5a00;font-weight:600}.info{color:#245f9e}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:.5rem}.pair div{background:#fafafa;padding:.4rem;border:1px solid #eee;white-space:pre-wrap}
mark{background:#ffd5d5;padding:0 .1rem}.where{color:#666;font-size:.85rem}
"""


def _highlight(text: str, span) -> str:
    if not span:
        return html.escape(text)
    a, b = span
    return (
        html.escape(text[:a])
        + "<mark>"
        + html.escape(text[a:b])
        + "</mark>"
        + html.escape(text[b:])
    )


def html_chunks(result):
    s = result.summary()
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>localise check report</title>',
        f"<style>{_CSS}</style></head><body>",
        "<h1>localise check report</h1>",
        f"<p><span class=error>{counted(s['error'], 'error')}</span>, "
        f"<span class=warning>{counted(s['warning'], 'warning')}</span>, "
        f"<span class=info>{counted(s['info'], 'note')}</span> in {counted(s['catalogs'], 'catalog')}, "
        f"{counted(s['entries'], 'entry', 'entries')}, {counted(s['pages'], 'page')}.</p>",
        "<table><tr><th>Locale</th><th>Article</th><th>Errors</th><th>Warnings</th><th>Notes</th></tr>",
    ]
    for locale, data in sorted(s["by_locale"].items()):
        for article, counts in sorted(data["articles"].items()):
            out.append(
                f"<tr><td>{html.escape(locale)}</td><td>{html.escape(article)}</td>"
                f"<td class=error>{counts['error']}</td><td class=warning>{counts['warning']}</td><td class=info>{counts['info']}</td></tr>"
            )
    out.append("</table>")
    if result.problems:
        out.append("<h2>Files that could not be used</h2><ul>")
        out += [f"<li>{html.escape(str(p))}</li>" for p in result.problems]
        out.append("</ul>")
    for file, group in groupby(result.findings, key=lambda f: f.file):
        if len(out) >= _BATCH:
            yield "\n".join(out) + "\n"
            out = []
        out.append(f"<h2>{html.escape(file or '(project)')}</h2>")
        for f in group:
            out.append(
                f'<div class="finding"><p><span class="{f.severity}">{f.severity}</span> '
                f"<b>{html.escape(f.check)}</b> — {html.escape(f.message)} "
                f'<span class="where">{html.escape(file)}:{f.line}</span></p>'
            )
            if f.msgid:
                target = _highlight(f.msgstr, f.span) if f.msgstr else "<i>(no translation)</i>"
                source = html.escape(f.msgid) if f.msgstr else _highlight(f.msgid, f.span)
                out.append(
                    f'<div class="pair"><div lang="und">{source}</div><div>{target}</div></div>'
                )
            out.append("</div>")
    out.append("</body></html>")
    yield "\n".join(out) + "\n"
