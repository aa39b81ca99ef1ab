"""Benchmark of localise: extract, build and check over a generated corpus, against the floor.

The corpus is N pages made from the two sample WordPress posts in ``source/``: page *i* is post
``i % 2`` with every text node and every ``alt``/``title`` attribute given the suffix
``" (page i)"``, so that no unit repeats across pages (a catalog of N distinct articles, not N
copies of one). Each page is written twice, from the same text:

* as a WordPress post (``slug``, ``title.rendered``, ``content.rendered``) in a localise project
  whose ``localise.toml`` sets ``locales``; the repository's ``glossary.csv`` is copied in, as a
  real project has one (``--no-glossary`` leaves it out);
* as an HTML fragment (``<h1>title</h1>`` + content) for Translate Toolkit, lxml and
  BeautifulSoup.

What is measured, in one run on the same pages (wall time with ``time.perf_counter``):

* the localise command line, each step in a fresh process, as a user runs it: ``extract`` (cold,
  then again with nothing changed), ``init``, ``build`` (first, again with nothing changed, and
  once more with the cache folder ``.localise/`` removed) and ``check``; the catalogs are filled with identity
  translations (msgstr = msgid, through polib, not timed) before the build;
* the library without process start-up, in this process: reading + segmenting every page
  (``read_articles`` + ``segment_article``), loading every PO (``catalog.load``) and rendering
  every page from its skeleton (``build_page``);
* the floor, in this process: lxml parse + serialise and BeautifulSoup(html, "lxml") + ``str()``;
* Translate Toolkit's ``html2po`` + ``po2html`` from the bench venv (``/tmp/benchvenv``), as
  subprocesses, when it is installed there (``--skip-tt`` leaves it out);
* start-up: ``localise --help`` and ``python -c pass``, median of 5 runs;
* peak memory of every subprocess: the child's own ``ru_maxrss``, read with ``os.wait4`` by a
  small launcher process (see ``_LAUNCHER``), so each command has its own figure;
  ``getrusage(RUSAGE_CHILDREN)`` here would give the maximum over all children so far, and at
  least this interpreter's own peak.

Run it with the project's interpreter, which has localise installed::

    .venv/bin/python benchmarks/run.py --pages 400 --out /tmp/bench.json

The table, the ratios and an extrapolation to 100,000 articles x 10 locales are printed; ``--out``
writes everything as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = (
    REPO / "source" / "post-autoimmune-related-balding.txt",
    REPO / "source" / "post-autoimmune-disease-and-hair-loss-link.txt",
)
DEFAULT_LOCALISE = REPO / ".venv" / "bin" / "localise"
TT_BIN = Path("/tmp/benchvenv/bin")

# Text between two tags that has a letter in it (the samples have no <script> or <style>).
_TEXT_NODE = re.compile(r">([^<]*[A-Za-z][^<]*)<")
_ATTR = re.compile(r'\b(alt|title)="([^"]*[A-Za-z][^"]*)"')

# The extrapolation's scale.
SCALE_ARTICLES = 100_000
SCALE_LOCALES = 10


# Folders the benchmark is done with are moved here (a rename) and deleted after the last
# measurement. On ext4, deleting thousands of files makes creating files slower for the next
# minute or so: the inode allocator skips inodes freed that recently (``recently_deleted``, 27 %
# of perf's samples in a 1,600-page build run just after ``rm -rf dist``, whose system time
# went from 0.15 to 1.6 s), which would bill one step, ours or Translate Toolkit's, for the
# clean-up of the one before.
_trash: Path | None = None


def discard(path: Path) -> None:
    """Remove ``path`` from where it is, now; delete it at the end (see ``_trash``)."""
    if not path.exists():
        return
    if _trash is None:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        return
    _trash.mkdir(exist_ok=True)
    path.rename(_trash / str(len(list(_trash.iterdir()))))


def discard_results(project: Path) -> None:
    """check's kept results (its language cache stays)."""
    for suffix in ("", "-wal", "-shm"):
        discard(project / ".localise" / "cache" / f"check.sqlite{suffix}")


# -- the corpus -----------------------------------------------------------------------------


def mark_html(html: str, page: int) -> str:
    """``html`` with the suffix `` (page N)`` on every text node and ``alt``/``title`` value,
    leading and trailing whitespace kept where it was."""
    suffix = f" (page {page})"

    def text(m: re.Match) -> str:
        body = m.group(1)
        core = body.rstrip()
        return ">" + core + suffix + body[len(core) :] + "<"

    html = _TEXT_NODE.sub(text, html)
    return _ATTR.sub(lambda m: f'{m.group(1)}="{m.group(2)}{suffix}"', html)


def make_corpus(root: Path, pages: int, locales: list[str], glossary: bool) -> dict:
    """Write the localise project as it is before any command (``root/pristine``) and the HTML
    fragments (``root/html``). Returns facts about the corpus."""
    posts = [json.loads(p.read_text(encoding="utf-8")) for p in SAMPLES]
    project = root / "pristine"
    source = project / "source"
    html_dir = root / "html"
    source.mkdir(parents=True)
    html_dir.mkdir()
    (project / "localise.toml").write_text(
        "locales = [" + ", ".join(json.dumps(loc) for loc in locales) + "]\n", encoding="utf-8"
    )
    if glossary and (REPO / "glossary.csv").is_file():
        shutil.copy(REPO / "glossary.csv", project / "glossary.csv")
    source_bytes = html_bytes = 0
    for i in range(pages):
        post = posts[i % len(posts)]
        slug = f"{post['slug']}-p{i:05d}"
        title = post["title"]["rendered"] + f" (page {i})"
        content = mark_html(post["content"]["rendered"], i)
        doc = {
            "id": 100000 + i,
            "slug": slug,
            "title": {"rendered": title},
            "content": {"rendered": content},
        }
        data = json.dumps(doc, ensure_ascii=False, indent=1)
        (source / f"{slug}.json").write_text(data, encoding="utf-8")
        fragment = f"<h1>{title}</h1>\n{content}"
        (html_dir / f"{slug}.html").write_text(fragment, encoding="utf-8")
        source_bytes += len(data.encode("utf-8"))
        html_bytes += len(fragment.encode("utf-8"))
    return {
        "pages": pages,
        "source_kib_per_page": round(source_bytes / pages / 1024, 1),
        "html_kib_per_page": round(html_bytes / pages / 1024, 1),
        "glossary": (project / "glossary.csv").is_file(),
    }


def _fill(folder: Path, pattern: str, msgstr_for, out: Path | None = None) -> tuple[int, int]:
    """Set every entry's msgstr to ``msgstr_for(path, msgid)`` in the catalogs of ``folder``
    that match ``pattern`` (through polib; fuzzy flags dropped), saved as ``.po`` (in ``out``,
    when given). Returns (entries given a msgstr, entries)."""
    import polib

    filled = total = 0
    for path in sorted(folder.glob(pattern)):
        po = polib.pofile(str(path), wrapwidth=0)
        for entry in po:
            if not entry.msgid or entry.obsolete:
                continue
            total += 1
            entry.msgstr = msgstr_for(path, entry.msgid)
            filled += bool(entry.msgstr)
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        po.save(str((out or folder) / path.with_suffix(".po").name))
    return filled, total


def fill_identity(folder: Path, pattern: str = "*.po", out: Path | None = None) -> int:
    """Set msgstr = msgid in every catalog of ``folder``. Returns the entries."""
    return _fill(folder, pattern, lambda path, msgid: msgid, out)[1]


def fill_reviewed(folder: Path, locale: str) -> tuple[int, int]:
    """Fill every catalog of ``folder`` from the repository's own reviewed translations of the
    sample posts (``locales/<locale>/<post slug>.po``): page *i*'s msgid is the sample's with
    `` (page i)`` after its texts, so its msgstr is the sample's translation with
    `` (pagina i)`` as many times (numbers stay equal). Entries the samples have not translated
    yet stay empty, as in a project half-way through translation. Returns (filled, entries)."""
    import polib

    from toolkit import catalog

    reviewed = {
        path.stem: catalog.translations(polib.pofile(str(path)))
        for path in sorted((REPO / "locales" / locale).glob("*.po"))
    }

    def msgstr_for(path: Path, msgid: str) -> str:
        base, _, page = path.stem.rpartition("-p")
        mark = f" (page {int(page)})"
        msgstr = reviewed.get(base, {}).get(msgid.replace(mark, ""))
        return msgstr + f" (pagina {int(page)})" * msgid.count(mark) if msgstr else ""

    return _fill(folder, "*.po", msgstr_for)


# -- measuring ------------------------------------------------------------------------------


# A small process that starts the measured one and reports its time and peak memory. The peak
# must not be read in this process: a child's ru_maxrss starts from the high-water mark of the
# process it was forked (or vforked) from, so children of this big interpreter would all show at
# least its own peak. The launcher is a bare interpreter (about 8.5 MB, the floor of the figures).
_LAUNCHER = """
import os, sys, time
out, err, *argv = sys.argv[1:]
flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
actions = [(os.POSIX_SPAWN_OPEN, 1, out, flags, 0o644), (os.POSIX_SPAWN_OPEN, 2, err, flags, 0o644)]
start = time.perf_counter()
env = dict(os.environ)
env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled modules, as an installed package has
pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
print(seconds, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


@dataclass
class Run:
    """One subprocess: its wall time, peak memory and exit code."""

    seconds: float
    max_rss_mb: float
    returncode: int
    summary: str


def run_process(argv: list, ok=(0,)) -> Run:
    """Run ``argv`` (first item a path) through the launcher: wall time from spawn to exit, and
    the child's own peak resident memory (``ru_maxrss`` from ``os.wait4``). Output goes to
    files, so a full pipe never slows the child; an exit code not in ``ok`` stops the benchmark.
    ``summary`` is the last line of the output that is not indented (the command's summary).

    The disk is synced first, for every command alike: the files the previous step wrote
    (or the benchmark copied) are flushed before the clock starts, not during the next
    step. Without it, the same cold extract varied up to 2x on this machine."""
    os.sync()
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, out, err, *argv]
        done = subprocess.run([str(a) for a in launcher], capture_output=True, text=True)
        stdout = out.read_text(encoding="utf-8", errors="replace") if out.exists() else ""
        stderr = err.read_text(encoding="utf-8", errors="replace") if err.exists() else ""
    if done.returncode != 0:
        sys.exit(f"benchmark: could not start {argv[0]}: {done.stderr.strip()}")
    seconds, max_rss_kb, code = done.stdout.split()
    if int(code) not in ok:
        sys.exit(
            f"benchmark: {' '.join(map(str, argv))} exited {code}\n"
            f"{stdout[-2000:]}\n{stderr[-2000:]}"
        )
    lines = [ln for ln in stdout.splitlines() if ln.strip() and not ln[:1].isspace()]
    return Run(float(seconds), int(max_rss_kb) / 1024, int(code), lines[-1] if lines else "")


def row_of(name: str, r: Run, per: int, note: str = "", always_exit: bool = False) -> Row:
    """A command's run as a table row: ms per page (``per`` pages; 0: not a per-page figure),
    its summary (with its exit status when not 0, or always) after ``note``."""
    summary = f"exit {r.returncode}: {r.summary}" if r.returncode or always_exit else r.summary
    text = f"{note}; {summary}" if note else summary
    return Row(name, r.seconds, 1000 * r.seconds / per if per else None, r.max_rss_mb, text)


def median(runs: list):
    """The run (or row) of median wall time (the upper one of an even number)."""
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def median_run(argv: list[str], times: int = 5) -> Run:
    """The run of median wall time out of ``times`` runs."""
    return median([run_process(argv) for _ in range(times)])


def best_of(func, repeat: int = 3) -> float:
    """The fastest of ``repeat`` calls of ``func()``, in seconds (the least disturbed run)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


@dataclass
class Row:
    """A line of the results table."""

    name: str
    seconds: float
    ms_per_page: float | None
    max_rss_mb: float | None = None
    note: str = ""


def localise_cli(
    localise: Path, project: Path, pages: int, locales: list[str], jobs: int
) -> list[Row]:
    """The command line, step by step, each step in a fresh process, as a user types it (the
    default ``--jobs``: auto). Extract and init are per page; build and check per page and
    locale. With ``jobs`` >= 1, extract, build and check run again from scratch with
    ``--jobs`` (1: one process, as Translate Toolkit runs)."""
    rows: list[Row] = []
    per_locale = pages * len(locales)

    def step(name: str, args: list[str], per: int, ok=(0,), note: str = "", times=1) -> None:
        argv = [localise, "-C", project, *args]
        r = run_process(argv, ok=ok) if times == 1 else median_run(argv, times)
        if times > 1:
            note = f"median of {times}; {note}" if note else f"median of {times}"
        rows.append(row_of(name, r, per, note))

    run_process([localise, "--help"])  # the first run compiles the modules' bytecode
    step("localise extract (cold)", ["extract"], pages)
    step("localise extract (warm, unchanged)", ["extract"], pages, times=5)
    for locale in locales:
        step(f"localise init {locale}", ["init", locale], pages)
        fill_identity(project / "locales" / locale)
    step("localise update (after translation)", ["update", *locales], per_locale)
    step("localise update (warm, unchanged)", ["update", *locales], per_locale, times=5)
    step("localise build (first)", ["build", *locales], per_locale, note="skeletons cached")
    step("localise build (warm, unchanged)", ["build", *locales], per_locale, times=5)
    discard(project / ".localise")
    step(
        "localise build (cache removed)", ["build", *locales], per_locale, note=".localise/ removed"
    )

    def check_cold_then_warm(
        cold: str, warm: str, args: list[str], note: str = "", unchanged: str | None = None
    ) -> None:
        """check with its caches removed; again with the language cache warm but no results
        kept (as after every catalog changed); and, when ``unchanged`` names the row, once
        more with nothing changed (every file's results taken from the cache)."""
        cache = project / ".localise" / "cache"
        discard(cache)
        argv = ["check", *locales, *args]
        step(cold, argv, per_locale, (0, 1), note)
        discard_results(project)
        step(warm, argv, per_locale, (0, 1), "language cache warm, no results kept")
        if unchanged:
            step(unchanged, argv, per_locale, (0, 1), "nothing changed: results kept")

    check_cold_then_warm(
        "localise check",
        "localise check (language cache warm)",
        [],
        unchanged="localise check (rerun, nothing changed)",
    )
    if jobs >= 1:
        for done in ("locales/templates", ".localise", "dist"):
            discard(project / done)
        j = ["--jobs", str(jobs)]
        step(f"localise extract (cold, --jobs {jobs})", ["extract", *j], pages)
        # update with its records removed: every catalog merged again, the same bytes (as
        # when its records are lost), with the default --jobs and with --jobs N.
        for name, args in (("", []), (f", --jobs {jobs}", j)):
            discard(project / ".localise" / "state-update.json")
            step(
                f"localise update (every catalog merged again{name})",
                ["update", *locales, *args],
                per_locale,
                note="update's records removed",
            )
        step(f"localise build (first, --jobs {jobs})", ["build", *locales, *j], per_locale)
        check_cold_then_warm(
            f"localise check (--jobs {jobs})", f"localise check (--jobs {jobs}, rerun)", j
        )
    # The realistic case: the translations a translator wrote (the samples' reviewed Dutch),
    # pages built from them, and the check an editor runs then.
    reviewed = [loc for loc in locales if (REPO / "locales" / loc).is_dir()]
    if reviewed:
        notes = []
        for locale in reviewed:
            filled, total = fill_reviewed(project / "locales" / locale, locale)
            notes.append(f"{locale}: {filled} of {total} entries translated")
        run_process([localise, "-C", project, "build", "-q", *locales], ok=(0, 1))
        check_cold_then_warm(
            "localise check (reviewed translations)",
            "localise check (reviewed translations, rerun)",
            [],
            ", ".join(notes),
            unchanged="localise check (reviewed translations, nothing changed)",
        )
        if jobs >= 1:
            check_cold_then_warm(
                f"localise check (reviewed translations, --jobs {jobs})",
                f"localise check (reviewed translations, rerun, --jobs {jobs})",
                ["--jobs", str(jobs)],
            )
        # Then the everyday case, one article changed: a translator's edit to one catalog, and
        # an editor's new paragraph in one article (a text no catalog has yet, so that update
        # asks the locale's memory). Each step once, in a fresh process; the figure is for the
        # whole project, not per page. First every step once, untimed, so that each starts
        # from the translations as they are (they were filled in behind update's back).
        for name in ("update", "build", "check"):
            run_process([localise, "-C", project, name, *locales], ok=(0, 1))
        # A heading (lingua scores a short text with every n-gram length, so check loads
        # all its models), then a paragraph (scored by trigrams: the small models only).
        for edited, heading in (("one catalog edited", True), ("a paragraph translated", False)):
            translate_one_entry(project / "locales" / reviewed[0], heading)
            for name in ("update", "build", "check"):
                note = f"1 of {pages} catalogs"
                step(f"{edited}: {name}", [name, *locales], 0, (0, 1), note)
        add_paragraph(project / "source")
        for name in ("extract", "update", "build", "check"):
            args = [name] if name == "extract" else [name, *locales]
            step(f"one article edited: {name}", args, 0, (0, 1), f"1 of {pages} articles")
        # And an editor's glossary edits: a new term no article has yet, then a note added
        # to a term half of the articles have (update compares each catalog's hints).
        if (project / "glossary.csv").is_file():
            for name, edit in GLOSSARY_EDITS.items():
                edit_glossary(project / "glossary.csv", edit)
                step(f"glossary: {name}: update", ["update", *locales], 0, (0, 1))
    return rows


# What a glossary edit changes: (a line to find, or None to add a line, the new line).
GLOSSARY_EDITS = {
    "a term no article has, added": (
        None,
        "ferritin,ferritine,Ferritin,ferritine,ferritin,,,,,,,noun,",
    ),
    "a note added to a term half the articles have": (
        "finasteride,finasteride,Finasterid,finastéride,finasterid,,,,,,,noun,",
        "finasteride,finasteride,Finasterid,finastéride,finasterid,,,,,,,noun,Prescription only.",
    ),
}


def edit_glossary(path: Path, edit: tuple[str | None, str]) -> None:
    find, line = edit
    text = path.read_text(encoding="utf-8")
    if find is None:
        text = text.rstrip("\n") + "\n" + line + "\n"
    elif find + "\n" in text:
        text = text.replace(find + "\n", line + "\n", 1)
    else:
        raise SystemExit(f"benchmark: glossary.csv has no line {find!r} to edit")
    path.write_text(text, encoding="utf-8")


def translate_one_entry(folder: Path, heading: bool) -> None:
    """A translator's edit: the first untranslated entry of the first catalog translated, a
    heading (a text lingua scores with every n-gram length) or a paragraph (by trigrams)."""
    import polib

    from toolkit.language import _by_trigrams, _clean

    path = sorted(folder.glob("*.po"))[0]
    po = polib.pofile(str(path), wrapwidth=78)
    entry = next(
        e
        for e in po
        if e.msgid
        and not e.msgstr
        and not e.obsolete
        and _by_trigrams(_clean(e.msgid + " (vertaald)")) != heading
    )
    entry.msgstr = entry.msgid + " (vertaald)"
    po.save(str(path))


def add_paragraph(source: Path) -> None:
    """An editor's edit: a new paragraph at the end of the first article."""
    path = sorted(source.glob("*.json"))[0]
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["content"]["rendered"] += "\n<p>A paragraph written today, unlike any before it.</p>"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


def localise_cli_repeated(
    localise: Path, root: Path, pages: int, locales: list[str], repeat: int, jobs: int
) -> list[Row]:
    """:func:`localise_cli` ``repeat`` times, each time on a fresh copy of the pristine project
    (``root/project``, left as the last run made it); each step's run of median time."""
    runs = []
    for _ in range(repeat):
        project = root / "project"
        discard(project)
        shutil.copytree(root / "pristine", project)
        runs.append(localise_cli(localise, project, pages, locales, jobs))
    rows = []
    for group in zip(*runs, strict=True):
        row = median(list(group))
        if repeat > 1:
            row.note = f"median of {repeat}; {row.note}"
        rows.append(row)
    return rows


def scaling(
    localise: Path, root: Path, pages: int, locales: list[str], glossary: bool
) -> list[Row]:
    """A cold extract, a first build and a warm check on a second corpus of ``pages`` pages, to
    see whether the cost per page and the peak memory stay flat as the project grows (the
    extrapolation assumes it). The check runs on the reviewed translations, in one process
    (``--jobs 1``), so that its peak is the whole check's; compare it with the row
    ``localise check (reviewed translations, rerun, --jobs 1)`` of the main corpus."""
    sub = root / f"scale-{pages}"
    make_corpus(sub, pages, locales, glossary)
    project = sub / "pristine"
    one = sub / "one-process"
    shutil.copytree(project, one)
    per_locale = pages * len(locales)
    rows = []
    # The default (auto: a process per CPU), then --jobs 1 on a copy: on a large corpus the
    # start-up, which one process does for all, weighs less in the speed-up.
    for folder, jobs in ((project, []), (one, ["--jobs", "1"])):
        extract = run_process([localise, "-C", folder, "extract", *jobs])
        for locale in locales:
            run_process([localise, "-C", folder, "init", locale])
            fill_identity(folder / "locales" / locale)
        build = run_process([localise, "-C", folder, "build", *locales, *jobs])
        label = ", --jobs 1" if jobs else ""
        rows += [
            row_of(f"scaling: extract (cold{label}), {pages} pages", extract, pages),
            row_of(f"scaling: build (first{label}), {pages} pages", build, per_locale),
        ]
    reviewed = [loc for loc in locales if (REPO / "locales" / loc).is_dir()]
    if reviewed:
        for locale in reviewed:
            fill_reviewed(project / "locales" / locale, locale)
        # update in one process, every catalog merged again (its peak: the whole update's).
        run_process([localise, "-C", project, "update", *locales], ok=(0, 1))
        discard(project / ".localise" / "state-update.json")
        update = run_process([localise, "-C", project, "update", *locales, "--jobs", "1"])
        rows.append(
            row_of(
                f"scaling: update (every catalog merged again, --jobs 1), {pages} pages",
                update,
                per_locale,
            )
        )
        run_process([localise, "-C", project, "build", "-q", *locales], ok=(0, 1))
        run_process([localise, "-C", project, "check", *locales], ok=(0, 1))  # the cache
        discard_results(project)  # the language cache only: every file is checked
        check = run_process([localise, "-C", project, "check", *locales, "--jobs", "1"], ok=(0, 1))
        rows.append(
            row_of(
                f"scaling: check (reviewed translations, rerun, --jobs 1), {pages} pages",
                check,
                per_locale,
                always_exit=True,
            )
        )
    discard(sub)
    return rows


def library(project_dir: Path, pages: int, locales: list[str]) -> list[Row]:
    """The library in this process: no start-up, no files written."""
    from toolkit import catalog
    from toolkit.build import build_page
    from toolkit.project import load_project
    from toolkit.segment import segment_article
    from toolkit.sources import read_articles

    project = load_project(project_dir)
    files = project.source_files()
    # Warm up imports, the parser and Babel's locale data.
    warm = segment_article(read_articles(files[0], project)[0])
    build_page(warm, locales[0], {})

    def segmented(part=files):
        for path in part:
            for a in read_articles(path, project):
                yield segment_article(a)

    def read_and_segment(part=files):
        """Each page read and segmented, and let go, as extract does (holding all of them
        would be timed too: the collector going over them again and again, 30 % more)."""
        for _ in segmented(part):
            pass

    skeletons = list(segmented())
    t_segment = best_of(read_and_segment)
    from toolkit.parallel import auto_jobs

    cpus = auto_jobs()  # the processes the default --jobs starts

    def read_and_segment_split():
        """The same work in ``cpus`` forked processes, each given every cpus-th file, and
        nothing passed between them: the most ``--jobs`` could gain on this machine (two
        processes share its caches and memory, and the host may share its cores)."""
        pids = []
        for k in range(cpus):
            pid = os.fork()
            if pid == 0:
                status = 1
                try:
                    read_and_segment(files[k::cpus])
                    status = 0
                finally:
                    os._exit(status)
            pids.append(pid)
        if any(os.waitpid(pid, 0)[1] for pid in pids):
            sys.exit("benchmark: a forked read + segment failed")

    t_split = best_of(read_and_segment_split) if cpus > 1 else None

    po_paths = [project.catalog_path(loc, sk.slug) for loc in locales for sk in skeletons]

    def load_catalogs():
        return [catalog.load_translations(p) for p in po_paths]  # what a build reads

    t_load = best_of(load_catalogs)
    identity = [{u.msgid: u.msgid for u in sk.units()} for sk in skeletons]

    def render():
        for locale in locales:
            for sk, tr in zip(skeletons, identity, strict=True):
                build_page(sk, locale, tr)

    t_build = best_of(render)
    per_build = pages * len(locales)
    return [
        Row("library: read + segment", t_segment, 1000 * t_segment / pages, note="best of 3"),
        *(
            [
                Row(
                    f"library: read + segment, split over {cpus} forked processes",
                    t_split,
                    1000 * t_split / pages,
                    note="best of 3; the machine's ceiling for --jobs",
                )
            ]
            if t_split
            else []
        ),
        Row("library: load PO (for a build)", t_load, 1000 * t_load / per_build, note="best of 3"),
        Row("library: build_page", t_build, 1000 * t_build / per_build, note="best of 3"),
    ]


def floor(html_dir: Path, pages: int) -> list[Row]:
    """lxml and BeautifulSoup parse + serialise of the HTML fragments, in this process."""
    import lxml.html
    from bs4 import BeautifulSoup

    docs = [p.read_text(encoding="utf-8") for p in sorted(html_dir.glob("*.html"))]

    def lxml_round_trip():
        for html in docs:
            lxml.html.tostring(
                lxml.html.fragment_fromstring(html, create_parent="div"), encoding="unicode"
            )

    def soup_round_trip():
        for html in docs:
            str(BeautifulSoup(html, "lxml"))

    t_lxml = best_of(lxml_round_trip)
    t_soup = best_of(soup_round_trip)
    return [
        Row("lxml.html parse + tostring", t_lxml, 1000 * t_lxml / pages, note="best of 3"),
        Row("BeautifulSoup(lxml) + str()", t_soup, 1000 * t_soup / pages, note="best of 3"),
    ]


def translate_toolkit(root: Path, pages: int, repeat: int = 1) -> list[Row]:
    """html2po on the fragments, identity translations, then po2html back; each of the two
    ``repeat`` times from scratch, the median run shown."""
    html_dir, pot_dir, po_dir, out_dir = (root / n for n in ("html", "tt-pot", "tt-po", "tt-out"))
    quiet = ["--progress=none"]

    def median_fresh(argv: list, output: Path) -> Run:
        runs = []
        for _ in range(repeat):
            discard(output)
            runs.append(run_process(argv))
        return median(runs)

    r1 = median_fresh([TT_BIN / "html2po", "-i", html_dir, "-o", pot_dir, "-P", *quiet], pot_dir)
    po_dir.mkdir()
    fill_identity(pot_dir, "*.pot", out=po_dir)
    po2html = [TT_BIN / "po2html", "-i", po_dir, "-t", html_dir, "-o", out_dir, *quiet]
    r2 = median_fresh(po2html, out_dir)
    written = len(list(out_dir.glob("*.html")))
    if written != pages:
        sys.exit(f"benchmark: po2html wrote {written} pages, not {pages}")
    note = f"median of {repeat}" if repeat > 1 else ""
    start = median_run([TT_BIN / "html2po", "--version"])
    return [
        Row("tt html2po", r1.seconds, 1000 * r1.seconds / pages, r1.max_rss_mb, note),
        Row("tt po2html", r2.seconds, 1000 * r2.seconds / pages, r2.max_rss_mb, note),
        Row(
            "tt html2po --version (start-up)", start.seconds, None, start.max_rss_mb, "median of 5"
        ),
    ]


def startup(localise: Path) -> list[Row]:
    """Start-up of the command line, and of the bare interpreter for reference."""
    python = localise.parent / "python"
    help_run = median_run([localise, "--help"])
    bare = median_run([python, "-c", "pass"])
    return [
        Row(
            "localise --help (start-up)", help_run.seconds, None, help_run.max_rss_mb, "median of 5"
        ),
        Row("python -c pass (start-up)", bare.seconds, None, bare.max_rss_mb, "median of 5"),
    ]


def git_revision() -> str:
    """The repository's commit, with ``+dirty`` when the work tree has changes to tracked files."""

    def git(*args: str) -> str:
        run = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
        run.check_returncode()
        return run.stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


# -- reporting ------------------------------------------------------------------------------


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b, or None when either is missing."""
    return None if a is None or b in (None, 0) else a / b


def summarise(rows: list[Row], pages: int, locales: list[str]) -> tuple[dict, dict]:
    """The ratios and the extrapolation, from the table."""
    by = {r.name: r for r in rows}

    def ms(name):
        return by[name].ms_per_page if name in by else None

    def over_startup(step: str) -> float | None:
        """(rerun - start-up) / full run, in %: the target is at most 5."""
        full = by.get(
            {
                "extract": "localise extract (cold)",
                "update": "localise update (after translation)",
            }.get(step, "localise build (first)")
        )
        warm = by.get(f"localise {step} (warm, unchanged)")
        start = by.get("localise --help (start-up)")
        if not (full and warm and start):
            return None
        return 100 * (warm.seconds - start.seconds) / full.seconds

    extract_ms = ms("localise extract (cold)")
    build_ms = ms("localise build (first)")
    # Extract is once per article, build per article and locale: a page in one locale.
    loc_extract_build = extract_ms + build_ms
    tt = None
    if "tt html2po" in by:
        tt = ms("tt html2po") + ms("tt po2html")

    def with_jobs(step: str, rerun: bool = False) -> Row | None:
        """The row of a step run again with --jobs N, found by name whatever N was (the
        reviewed-translation checks have rows of their own)."""
        for r in rows:
            name = r.name
            if (
                name.startswith(f"localise {step}")
                and "--jobs" in name
                and "reviewed" not in name
                and name.endswith(", rerun)") == rerun
            ):
                return r
        return None

    jobs_extract, jobs_build = with_jobs("extract (cold, "), with_jobs("build (first, ")
    jobs_check, jobs_check_rerun = with_jobs("check ("), with_jobs("check (", rerun=True)
    jobs_extract_build = None
    if jobs_extract and jobs_build:
        jobs_extract_build = jobs_extract.ms_per_page + jobs_build.ms_per_page
    split = next((r for r in rows if r.name.startswith("library: read + segment, split")), None)

    def speed_up(one: Row | None, many: Row | None) -> float | None:
        return ratio(one and one.seconds, many and many.seconds)

    ratios = {
        "localise extract+build ms/page": loc_extract_build,
        "localise extract+build ms/page (--jobs)": jobs_extract_build,
        "tt html2po+po2html ms/page": tt,
        "localise / tt (extract+build)": ratio(loc_extract_build, tt),
        "localise / tt (extract+build) (--jobs)": ratio(jobs_extract_build, tt),
        "tt / localise (extract+build), times faster": ratio(tt, loc_extract_build),
        "tt / localise (extract+build) (--jobs), times faster": ratio(tt, jobs_extract_build),
        "library build_page / lxml parse+serialise": ratio(
            ms("library: build_page"), ms("lxml.html parse + tostring")
        ),
        "library read+segment / lxml parse+serialise": ratio(
            ms("library: read + segment"), ms("lxml.html parse + tostring")
        ),
        "extract warm / cold": ratio(ms("localise extract (warm, unchanged)"), extract_ms),
        "build warm / first": ratio(ms("localise build (warm, unchanged)"), build_ms),
        **{
            f"{step} rerun: % of a full run over start-up": over_startup(step)
            for step in ("extract", "update", "build")
        },
        "build first / cache removed": ratio(build_ms, ms("localise build (cache removed)")),
        "check seconds": by["localise check"].seconds,
        "check under 5 s for 400 pages (scaled)": by["localise check"].seconds * 400 / pages < 5,
        "check seconds (--jobs)": jobs_check.seconds if jobs_check else None,
        "check seconds (--jobs, rerun)": jobs_check_rerun.seconds if jobs_check_rerun else None,
        # --jobs: the default (a process per CPU) against the --jobs row (one process, by
        # default), and the most that splitting work over processes gains on this machine.
        "speed-up of the default --jobs: extract": speed_up(
            jobs_extract, by.get("localise extract (cold)")
        ),
        "speed-up of the default --jobs: build": speed_up(
            jobs_build, by.get("localise build (first)")
        ),
        "speed-up of the default --jobs: update (every catalog merged again)": speed_up(
            with_jobs("update (every catalog merged again, "),
            by.get("localise update (every catalog merged again)"),
        ),
        "speed-up of the default --jobs: check (rerun)": speed_up(
            jobs_check_rerun, by.get("localise check (language cache warm)")
        ),
        "speed-up of read + segment split over processes (the ceiling)": speed_up(
            by.get("library: read + segment"), split
        ),
    }
    for name in (
        "localise check (language cache warm)",
        "localise check (rerun, nothing changed)",
        "localise check (reviewed translations)",
        "localise check (reviewed translations, rerun)",
        "localise check (reviewed translations, nothing changed)",
    ):
        if name in by:
            ratios[name.replace("localise check", "check seconds")] = by[name].seconds
    for kind in ("", "rerun, "):
        prefix = f"localise check (reviewed translations, {kind}--jobs"
        found = [r for r in rows if r.name.startswith(prefix)]
        if found:
            ratios[f"check seconds (reviewed translations, {kind}--jobs)"] = found[0].seconds
            default = by.get(f"localise check (reviewed translations{', rerun' if kind else ''})")
            ratios[f"speed-up of the default --jobs: check (reviewed, {kind[:-2] or 'cold'})"] = (
                speed_up(found[0], default)
            )

    def size_of(row: Row) -> int:  # "scaling: <step>, <size> pages"
        return int(row.name.rsplit(", ", 1)[1].split()[0])

    growth = {}
    for step, base in (("extract (cold)", extract_ms), ("build (first)", build_ms)):
        # The default, then --jobs 1 ("scaling: extract (cold, --jobs 1), ...").
        scaled = [r for r in rows if r.name.startswith(f"scaling: {step[:-1]}")]
        if not scaled:
            continue
        size = size_of(scaled[0])
        ratios[f"{step} ms/page, {size} / {pages} pages"] = ratio(scaled[0].ms_per_page, base)
        # Cost per page as a straight line through the two sizes (never falling).
        slope = max(0.0, (scaled[0].ms_per_page - base) / (size - pages))
        growth[step] = base + slope * (SCALE_ARTICLES - pages)
        if len(scaled) == 2:
            ratios[f"speed-up of the default --jobs: {step.split()[0]}, {size} pages"] = speed_up(
                scaled[1], scaled[0]
            )
    # Memory: the whole check, and the whole update, in one process, on both corpora.
    for step in (
        "check (reviewed translations, rerun, --jobs 1)",
        "update (every catalog merged again, --jobs 1)",
    ):
        scaled = next((r for r in rows if r.name.startswith(f"scaling: {step}")), None)
        if scaled is not None and f"localise {step}" in by:
            size = size_of(scaled)
            base_mb = by[f"localise {step}"].max_rss_mb
            name = step.split()[0]
            ratios[f"{name} peak MB, {size} / {pages} pages"] = ratio(scaled.max_rss_mb, base_mb)
            ratios[f"{name} peak MB per 1,000 pages more"] = (
                (scaled.max_rss_mb - base_mb) * 1000 / (size - pages) if base_mb else None
            )
    check_ms = ms("localise check")  # per page and locale
    hours = 3_600_000
    extrapolation = {
        "articles": SCALE_ARTICLES,
        "locales": SCALE_LOCALES,
        "extract_hours": extract_ms * SCALE_ARTICLES / hours,
        "build_hours": build_ms * SCALE_ARTICLES * SCALE_LOCALES / hours,
        "check_hours": check_ms * SCALE_ARTICLES * SCALE_LOCALES / hours,
    }
    extrapolation["total_hours"] = (
        extrapolation["extract_hours"] + extrapolation["build_hours"] + extrapolation["check_hours"]
    )
    if growth:
        # The same, with the cost per page growing with the project as measured (per-page cost
        # at 100,000 articles read off the line; the total is then about half-way, on average).
        extract_at = growth.get("extract (cold)", extract_ms)
        build_at = growth.get("build (first)", build_ms)
        extrapolation["extract_hours_with_growth"] = (
            (extract_ms + extract_at) / 2 * SCALE_ARTICLES / hours
        )
        extrapolation["build_hours_with_growth"] = (
            (build_ms + build_at) / 2 * SCALE_ARTICLES * SCALE_LOCALES / hours
        )
    return ratios, extrapolation


def fmt(value: float | None, spec: str) -> str:
    """A number in ``spec``, or a dash."""
    return "-" if value is None else format(value, spec)


def print_report(meta: dict, rows: list[Row], ratios: dict, extra: dict) -> None:
    """The table, the ratios and the extrapolation, for a person."""
    print()
    print(
        f"localise benchmark: {meta['corpus']['pages']} pages "
        f"({meta['corpus']['html_kib_per_page']} KiB of HTML each), locales {meta['locales']}, "
        f"{meta['units_per_page']} units per page"
    )
    print(
        f"localise {meta['localise']} at {meta['revision']}; Python {meta['python']}, "
        f"{meta['cpus']} CPUs, load average {meta['load_average']}; "
        f"command-line steps: median of {meta['repeat']}"
    )
    print()
    width = max(len(r.name) for r in rows)
    print(f"{'measurement':<{width}}  {'total s':>8}  {'ms/page':>8}  {'peak MB':>7}  note")
    print("-" * (width + 40))
    for r in rows:
        print(
            f"{r.name:<{width}}  {r.seconds:>8.3f}  {fmt(r.ms_per_page, '8.2f'):>8}  "
            f"{fmt(r.max_rss_mb, '7.1f'):>7}  {r.note}"
        )
    print()
    print("ratios")
    for key, value in ratios.items():
        if isinstance(value, bool):
            shown = "yes" if value else "NO"
        elif "%" in key:
            shown = fmt(value, ".1f") + (" %" if value is not None else "")
        elif "ms/page" in key or key.startswith("check seconds"):
            shown = fmt(value, ".2f")
        elif "MB per" in key:
            shown = fmt(value, ".0f") + (" MB" if value is not None else "")
        else:
            shown = fmt(value, ".2f") + ("x" if value is not None else "")
        print(f"  {key:<48} {shown}")
    print()
    print(
        f"EXTRAPOLATION (not measured): {extra['articles']:,} articles x {extra['locales']} "
        "locales on this one machine, one command at a time (default --jobs), scaling "
        "linearly from the per-page figures above:"
    )
    print(f"  extract, once per article          {extra['extract_hours']:8.2f} h")
    print(f"  build, per article and locale      {extra['build_hours']:8.2f} h")
    print(f"  check, per locale (all articles)   {extra['check_hours']:8.2f} h")
    print(f"  total                              {extra['total_hours']:8.2f} h")
    if "extract_hours_with_growth" in extra:
        print(
            "  with the growth of the cost per page measured by --scale-pages carried on "
            "(a straight line through the two sizes):"
        )
        print(f"  extract                            {extra['extract_hours_with_growth']:8.2f} h")
        print(f"  build                              {extra['build_hours_with_growth']:8.2f} h")
    growth = [(k, v) for k, v in ratios.items() if "ms/page," in k and v is not None and v > 1.2]
    for key, value in growth:
        print(f"  caution: {key} = {value:.2f}x: the cost per page grows with the project, so")
        print("  the linear extrapolation is too low for that step")


def main(argv: list[str] | None = None) -> int:
    """Parse the options, build the corpus, measure, print and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=400, help="pages in the corpus (400)")
    parser.add_argument("--locales", nargs="+", default=["nl"], help="target locales (nl)")
    parser.add_argument("--skip-tt", action="store_true", help="leave Translate Toolkit out")
    parser.add_argument("--out", type=Path, help="write the results as JSON to this file")
    parser.add_argument("--localise", type=Path, default=DEFAULT_LOCALISE, help="the CLI")
    parser.add_argument("--workdir", type=Path, help="parent folder of the corpus (temp dir)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of the command-line steps, median shown (1)"
    )
    parser.add_argument(
        "--scale-pages",
        type=int,
        metavar="M",
        help="also time a cold extract, a first build and a warm check (--jobs 1) on M pages, "
        "to test linear scaling and check's peak memory",
    )
    parser.add_argument("--keep", action="store_true", help="keep the corpus folder")
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="also run extract, build and check with --jobs N (1, one process; 0 to leave "
        "them out); the main rows use the default, auto",
    )
    parser.add_argument("--no-glossary", action="store_true", help="no glossary.csv in the project")
    args = parser.parse_args(argv)
    if args.pages < 2:
        parser.error("--pages must be at least 2")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.scale_pages is not None and args.scale_pages <= args.pages:
        parser.error("--scale-pages must be more than --pages (it measures growth)")
    began = time.perf_counter()
    global _trash
    root = Path(tempfile.mkdtemp(prefix="localise-bench-", dir=args.workdir))
    _trash = root / "trash"
    try:
        corpus = make_corpus(root, args.pages, args.locales, not args.no_glossary)
        print(f"corpus: {args.pages} pages in {root}", file=sys.stderr)
        rows = localise_cli_repeated(
            args.localise, root, args.pages, args.locales, args.repeat, args.jobs
        )
        rows += library(root / "project", args.pages, args.locales)
        rows += floor(root / "html", args.pages)
        have_tt = (TT_BIN / "html2po").exists()
        if not args.skip_tt and have_tt:
            rows += translate_toolkit(root, args.pages, args.repeat)
        elif not args.skip_tt:
            print(f"benchmark: no Translate Toolkit in {TT_BIN}; skipped", file=sys.stderr)
        rows += startup(args.localise)
        if args.scale_pages:
            glossary = not args.no_glossary
            rows += scaling(args.localise, root, args.scale_pages, args.locales, glossary)
        from toolkit import __version__, catalog

        pots = sorted((root / "project" / "locales" / "templates").glob("*.pot"))
        units = sum(len(catalog.load(p)) for p in pots)
        meta = {
            "localise": __version__,
            "revision": git_revision(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "locales": args.locales,
            "corpus": corpus,
            "templates": len(pots),
            "units_per_page": round(units / max(len(pots), 1), 1),
            "workdir": str(root),
            "repeat": args.repeat,
            "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        }
        ratios, extra = summarise(rows, args.pages, args.locales)
        meta["benchmark_seconds"] = round(time.perf_counter() - began, 1)
        print_report(meta, rows, ratios, extra)
        print(f"\nbenchmark took {meta['benchmark_seconds']} s")
        if args.out:
            args.out.write_text(
                json.dumps(
                    {
                        "meta": meta,
                        "rows": [asdict(r) for r in rows],
                        "ratios": ratios,
                        "extrapolation": extra,
                    },
                    indent=2,
                )
                + "\n",
                encoding="utf-8",
            )
    finally:
        shutil.rmtree(_trash, ignore_errors=True)
        if args.keep:
            print(f"corpus kept in {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
