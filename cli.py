"""The ``localise`` command line: options in, a call into ``toolkit``, output and an exit code.

Exit codes: 0 success; 1 checks failed (``check``, ``build --strict``, ``bundle`` holding a
locale back is not a failure); 2 unusable input (a file that cannot be read, a bad setting).
Heavy libraries are imported inside the commands that need them, so ``localise --help`` is fast.
"""

from __future__ import annotations

import json
import sys

import click

from toolkit.report import counted

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


class Context:
    def __init__(self, root: str):
        self.root = root
        self._project = None

    @property
    def project(self):
        if self._project is None:
            from toolkit.project import load_project

            self._project = load_project(self.root)  # a bad setting: see _Group
        return self._project


def fail(error, code: int = EXIT_INPUT):
    click.echo(f"localise: error: {error}", err=True)
    sys.exit(code)


def report_problems(problems) -> int:
    for p in problems:
        click.echo(f"localise: error: {p}", err=True)
    return EXIT_INPUT if problems else EXIT_OK


def locales_or_fail(ctx: Context, requested) -> list[str]:
    locales = ctx.project.select_locales(requested)  # an unknown locale: see _Group
    if not locales:
        fail("no locales: name one, or set `locales` in localise.toml or [tool.localise]")
    return locales


def locked(ctx: Context):
    from toolkit.fsutil import project_lock

    return project_lock(ctx.project.root)


class _Group(click.Group):
    """The commands: an input error that escapes a command (a spill of findings with no room
    on disk, a setting) is one line and exit 2, never a traceback, whichever command; so is a
    file the system will not let us read or write (a read-only folder, a full disk), named.
    Every write is atomic, so what was there before stays whole."""

    def invoke(self, ctx):
        from toolkit.errors import LocaliseError  # here: `localise --help` never gets this far

        try:
            return super().invoke(ctx)
        except LocaliseError as e:
            fail(e)
        except OSError as e:
            where = f"{e.filename}: " if e.filename else ""
            fail(f"{where}{e.strerror or e}")
        except KeyboardInterrupt:
            # Not click's "Aborted!" and exit 1, which a CI job reads as failed checks: the
            # shell's code for Ctrl-C. Every write is atomic: no file is left half written.
            click.echo("localise: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "--project",
    "root",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The project folder.",
)
@click.version_option(package_name="localise")
@click.pass_context
def main(click_ctx, root):
    """localise: WordPress, HTML and text articles -> gettext PO -> localised HTML, with QA
    checks for medical content."""
    click_ctx.obj = Context(root)


class Percent(click.FloatRange):
    """A percentage, 0 to 100. click's FloatRange lets nan through (nan is neither below nor
    above a bound), and a nan threshold would pass or hold back everything."""

    def __init__(self):
        super().__init__(0, 100)

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if number != number:
            self.fail(f"{value!r} is not a number.", param, ctx)
        return number


def jobs_option(f):
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=0),
        default=0,
        envvar="LOCALISE_JOBS",
        help="Processes to spread the articles over; output is the same. 0 (the default): one "
        "per CPU when at least 32 articles have work to do, else one. 1: this process only.",
    )(f)


@main.command()
@jobs_option
@click.pass_obj
def extract(ctx: Context, jobs):
    """Write locales/templates/<slug>.pot for every article in source/."""
    from toolkit.pipeline import extract as run

    with locked(ctx):
        res = run(ctx.project, jobs)
    units = sum(res.templates.values())
    click.echo(
        f"{counted(len(res.templates), 'article')}, {counted(units, 'unit')}; "
        f"{counted(len(res.written), 'template')} written"
    )
    for path in res.written:
        click.echo(f"  wrote {path}")
    for path in res.orphans:
        click.echo(f"  note: {path} has no article in source/ any more (kept)")
    sys.exit(report_problems(res.problems))


@main.command()
@click.argument("locale")
@click.pass_obj
def init(ctx: Context, locale):
    """Create locales/LOCALE/<slug>.po for every template (existing files are kept)."""
    from toolkit.pipeline import init as run
    from toolkit.project import normalise_locale

    locale = normalise_locale(locale)
    with locked(ctx):
        res = run(ctx.project, locale)
    for path in res.created:
        click.echo(f"  created {path}")
    for path in res.existing:
        click.echo(f"  kept {path} (exists)")
    click.echo(
        f"{locale}: {counted(len(res.created), 'catalog')} created, {len(res.existing)} kept"
    )
    if not res.created and not res.existing:
        click.echo("no templates: run `localise extract` first", err=True)
    sys.exit(report_problems(res.problems))


@main.command()
@click.argument("locales", nargs=-1)
@jobs_option
@click.pass_obj
def update(ctx: Context, locales, jobs):
    """Merge the templates into the PO files of LOCALES (all configured locales by default)."""
    from toolkit.pipeline import update as run

    locales = locales_or_fail(ctx, locales)
    with locked(ctx):
        res = run(ctx.project, locales, jobs)
    for path in res.created:
        click.echo(f"  created {path}")
    for path in res.updated:
        click.echo(f"  updated {path}")
    for path in res.orphans:
        click.echo(f"  note: {path} has no template any more (kept)")
    click.echo(
        f"{len(res.updated)} updated, {len(res.created)} created, {res.unchanged} unchanged; "
        f"fuzzy: {res.fuzzy_from_previous} from earlier text, {res.fuzzy_from_memory} from other articles; "
        f"{res.resurrected} restored from obsolete, {res.obsoleted} made obsolete"
    )
    if res.numbers_changed:
        click.echo(
            f"  {counted(res.numbers_changed, 'fuzzy suggestion')} with other numbers than the "
            "new source: review every dose"
        )
    sys.exit(report_problems(res.problems))


@main.command()
@click.argument("locales", nargs=-1)
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False),
    help="Write the report as JSON to this file.",
)
@click.option("--strict", is_flag=True, help="Exit 1 when any unit is left untranslated.")
@click.option(
    "--quiet", "-q", is_flag=True, help="Print only the counts, not each untranslated fragment."
)
@jobs_option
@click.pass_obj
def build(ctx: Context, locales, report_file, strict, quiet, jobs):
    """Write dist/LOCALE/<slug>.html and report what is still untranslated."""
    from toolkit.fsutil import write_atomic
    from toolkit.pipeline import build as run

    project = ctx.project
    locales = locales_or_fail(ctx, locales)
    with locked(ctx):
        res = run(project, locales, jobs=jobs)
    untranslated = 0
    for lb in res.locales:
        pct = 100.0 * lb.translated / lb.units if lb.units else 100.0
        click.echo(
            f"{lb.locale}: {lb.translated} of {counted(lb.units, 'unit')} translated ({pct:.1f} %), "
            f"{counted(len(lb.pages), 'page')}"
        )
        # One write for the whole list: a click.echo per line was 0.2 s for 31,600 fragments.
        lines = (
            []
            if quiet
            else [f"  {f.state}: {f.article} {f.location}: {f.text}\n" for f in lb.untranslated]
        )
        lines += [f"  rejected: {slug}: {r.msgid[:50]!r}: {r.reason}\n" for slug, r in lb.rejected]
        if lines:
            click.echo("".join(lines), nl=False)
        untranslated += len(lb.untranslated)
    if report_file:
        write_atomic(report_file, json.dumps(res.as_dict(), ensure_ascii=False, indent=2) + "\n")
    code = report_problems(res.problems)
    if code == EXIT_OK and strict and (untranslated or any(lb.rejected for lb in res.locales)):
        code = EXIT_FAILED
    sys.exit(code)


@main.command()
@click.argument("locales", nargs=-1)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_obj
def stats(ctx: Context, locales, fmt):
    """Units, words, translated, fuzzy and untranslated per locale and article."""
    from toolkit.pipeline import stats as run

    res = run(ctx.project, locales_or_fail(ctx, locales))
    if fmt == "json":
        click.echo(json.dumps(res.as_dict(), ensure_ascii=False, indent=2))
    else:
        for locale, rows in res.rows.items():
            width = max([len(s) for s in rows] + [len("total")])
            click.echo(f"{locale}")
            click.echo(
                f"  {'article':<{width}}  {'units':>5} {'words':>6} {'transl':>6} {'fuzzy':>5} {'untr':>5} {'%':>6}"
            )
            for slug, s in list(rows.items()) + [("total", res.totals[locale])]:
                click.echo(
                    f"  {slug:<{width}}  {s.units:>5} {s.words:>6} {s.translated:>6} {s.fuzzy:>5} {s.untranslated:>5} {s.percent:>5.1f}%"
                )
    sys.exit(report_problems(res.problems))


@main.command(name="compile")
@click.argument("locales", nargs=-1)
@click.pass_obj
def compile_(ctx: Context, locales):
    """Write MO files next to the PO files (fuzzy entries left out)."""
    from toolkit.pipeline import compile_catalogs

    locales = locales_or_fail(ctx, locales)
    with locked(ctx):
        res = compile_catalogs(ctx.project, locales)
    click.echo(f"{len(res.written)} MO files written")
    sys.exit(report_problems(res.problems))


@main.command()
@click.argument("locale")
@click.option(
    "--provider",
    help="Machine translation provider: google, deepl, microsoft, mymemory, libre, yandex, papago, qcri, chatgpt, baidu, or pseudo (offline). Without one, only the translation memory is used.",
)
@click.option(
    "--provider-url",
    "url",
    help="The provider's address: a self-hosted LibreTranslate server, for example.",
)
@click.option(
    "--article", "articles", multiple=True, metavar="SLUG", help="Only these articles (repeatable)."
)
@click.option("--dry-run", is_flag=True, help="Show what would be filled; write nothing.")
@click.option(
    "--import-tmx",
    "tmx",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True),
    help="Add a TMX file to the translation memory.",
)
@click.option(
    "--export-tmx",
    type=click.Path(dir_okay=False),
    help="Write the locale's translation memory as TMX.",
)
@click.option(
    "--threshold",
    type=Percent(),
    default=80.0,
    show_default=True,
    help="Minimum similarity (0-100) of a fuzzy memory match.",
)
@click.pass_obj
def translate(ctx: Context, locale, provider, url, articles, dry_run, tmx, export_tmx, threshold):
    """Fill untranslated units of LOCALE with fuzzy suggestions: memory first, machine second.

    A translation a person wrote is never touched; every suggestion is fuzzy and names its
    origin (`# memory: article`, `# machine: deepl`) for review."""
    from pathlib import Path

    from toolkit.pretranslate import translate as run
    from toolkit.project import normalise_locale

    locale = normalise_locale(locale)
    project = ctx.project
    provider = provider or project.machine.get("provider")
    bar = {"bar": None}

    def on_queue(n):
        if n and sys.stderr.isatty():
            bar["bar"] = click.progressbar(length=n, label=f"machine ({provider})", file=sys.stderr)
            bar["bar"].__enter__()

    def progress(n):
        if bar["bar"] is not None:
            bar["bar"].update(n)

    with locked(ctx):
        try:
            res = run(
                project,
                locale,
                provider,
                url,
                list(articles),
                dry_run,
                progress,
                on_queue,
                [Path(t) for t in tmx],
                threshold,
                Path(export_tmx) if export_tmx else None,
            )
        finally:
            if bar["bar"] is not None:
                bar["bar"].__exit__(None, None, None)
    verb = "would fill" if dry_run else "filled"
    click.echo(
        f"{locale}: {verb} {res.from_memory} from memory (exact), {res.from_fuzzy_memory} from memory (fuzzy), "
        f"{res.copied} copied (source already {locale}), {res.from_machine} by machine; {res.untouched} left untranslated"
    )
    if res.numbers_blocked:
        click.echo(
            f"  {counted(res.numbers_blocked, 'memory match', 'memory matches')} not offered: "
            "their numbers or units differ from the new source"
        )
    if provider:
        click.echo(
            f"  machine: {counted(res.requests, 'request')}, "
            f"{counted(res.characters, 'character')} sent, {counted(res.cache_hits, 'cache hit')}"
        )
    for article, msgid, reason in res.dropped:
        click.echo(f"  dropped: {article}: {msgid[:50]!r}: {reason}")
    for path in res.written:
        click.echo(f"  wrote {path}")
    code = report_problems(res.problems)
    if res.machine_error is not None:
        click.echo(
            f"localise: error: {res.machine_error} (translations finished before the failure were saved)",
            err=True,
        )
        code = code or EXIT_FAILED
    sys.exit(code)


@main.command(name="bundle")
@click.argument("locales", nargs=-1)
@click.option(
    "--min-completion",
    type=Percent(),
    help="Completion (%) a locale needs (default: min_completion in the settings, else 100).",
)
@click.option(
    "--allow-warnings",
    is_flag=True,
    help="Publish locales whose check has warnings (never errors).",
)
@click.pass_obj
def bundle_(ctx: Context, locales, min_completion, allow_warnings):
    """Publish finished locales as bundles in dist/bundles/, listed in dist/bundles/index.json.

    Holding a locale back is not a failure: the index says why."""
    from toolkit.bundle import bundle as run

    project = ctx.project
    locales = locales_or_fail(ctx, locales)
    with locked(ctx):
        res = run(project, locales, min_completion, allow_warnings)
    for d in res.decisions:
        if d.published:
            click.echo(
                f"{d.locale}: published {project.relative(project.bundles_dir / d.file)} ({d.completion:.1f} %, {counted(d.articles, 'article')}, sha256 {d.sha256[:12]}…)"
            )
        else:
            click.echo(f"{d.locale}: held back: {d.reason}")
    click.echo(f"index: {project.relative(project.bundles_dir / 'index.json')}")
    sys.exit(report_problems(res.problems))


@main.command(name="check")
@click.argument("locales", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
)
@click.option(
    "--output",
    "output",
    type=click.Path(dir_okay=False),
    help="Write the report to this file instead of standard output.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option(
    "--only",
    multiple=True,
    metavar="CHECK",
    help="Run only this check (repeatable, or a comma-separated list).",
)
@click.option(
    "--skip",
    multiple=True,
    metavar="CHECK",
    help="Do not run this check (repeatable, or a comma-separated list).",
)
@click.option(
    "--page",
    "page",
    type=click.Path(dir_okay=False),
    help="Audit this page (any HTML page, or an article file) instead of the project.",
)
@click.option("--lang", "lang", help="The language the --page should be in.")
@click.option("--no-pages", is_flag=True, help="Do not read the built pages in dist/.")
@jobs_option
@click.pass_obj
def check_(ctx: Context, locales, fmt, output, strict, only, skip, page, lang, no_pages, jobs):
    """The QA gate: check catalogs, glossary terms, numbers, markup, languages and built pages.

    Exit 0 when there is no error, 1 when there is (with --strict, warnings too), 2 when some
    input could not be used."""
    from pathlib import Path

    from toolkit import report
    from toolkit.checks.run import audit_page, run
    from toolkit.fsutil import write_atomic
    from toolkit.project import normalise_locale

    if page:
        if not lang:
            fail("--page needs --lang, the language the page should be in")
        res = audit_page(Path(page), page, normalise_locale(lang))
    else:
        res = run(
            ctx.project,
            locales_or_fail(ctx, locales),
            only,
            skip,
            pages=not no_pages,
            jobs=jobs,
        )
    chunks = {"json": report.json_chunks, "html": report.html_chunks}.get(fmt, report.text_chunks)
    if output:
        write_atomic(output, chunks(res), durable=False)
        counts = res.counts()
        click.echo(
            f"{counted(counts['error'], 'error')}, {counted(counts['warning'], 'warning')}, "
            f"{counted(counts['info'], 'note')}; report written to {output}"
        )
    else:
        for chunk in chunks(res):
            click.echo(chunk, nl=False)
    for p in res.problems:
        click.echo(f"localise: error: {p}", err=True)
    counts = res.counts()
    if res.problems:
        sys.exit(EXIT_INPUT)
    if counts["error"] or (strict and counts["warning"]):
        sys.exit(EXIT_FAILED)
    sys.exit(EXIT_OK)


@main.command(name="checks")
def checks_():
    """List every check with its severity and what it looks for."""
    import textwrap

    from toolkit.checks import all_checks

    for c in all_checks():
        click.echo(f"{c.name} [{c.severity}]")
        for para in c.explanation.split("\n\n"):
            click.echo(
                textwrap.fill(
                    " ".join(para.split()),
                    width=88,
                    initial_indent="    ",
                    subsequent_indent="    ",
                )
            )
        click.echo()


@main.group()
def glossary():
    """The medical glossary (glossary.csv)."""


@glossary.command(name="check")
@click.pass_obj
def glossary_check(ctx: Context):
    """Validate glossary.csv: duplicates, empty rows, locale columns, dnt rows."""
    from toolkit.glossary import Glossary

    project = ctx.project
    path = project.glossary_path
    shown = project.relative(path)
    if not path.exists():
        fail(f"{shown}: no such file")
    # An unreadable glossary: one line and exit 2 (see _Group).
    problems = Glossary.validate(path, project.source_language)
    terms = len(Glossary.load(path, project.source_language, shown).terms)
    for p in problems:
        click.echo(f"{shown}:{p.line}: {p.message}")
    if problems:
        click.echo(f"{counted(len(problems), 'problem')} in {shown}", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"{shown}: {counted(terms, 'term')}, no problems")


if __name__ == "__main__":
    main()
