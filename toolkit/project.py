"""Where a project is, its settings, and the paths of everything it holds.

Settings come from ``localise.toml`` in the project folder, else from ``[tool.localise]`` in its
``pyproject.toml``; both are optional. Every key is documented in the README, and every key is
checked here, so that a typo is an error rather than a silently ignored setting.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError, SourceError

DEFAULT_META_FIELDS = ("rank_math_title", "rank_math_description", "rank_math_focus_keyword")
# Lines that website scrapers leave at the top and bottom of a page (Wix, WordPress themes).
DEFAULT_SKIP_LINES = ("top of page", "bottom of page", "skip to content", "skip to main content")

KNOWN_KEYS = {
    "source_language",
    "locales",
    "source_dir",
    "locales_dir",
    "dist_dir",
    "glossary",
    "wordpress_meta_fields",
    "skip_lines",
    "url_pattern",
    "source_url_pattern",
    "min_completion",
    "machine",
}

# The keys of the ``machine`` table, and the providers toolkit.machine knows (held equal to its
# PROVIDERS by tests/test_project.py: importing it here would cost every command 0.1 s).
MACHINE_KEYS = {"provider", "url", "concurrency", "timeout"}
MACHINE_PROVIDERS = (
    "baidu",
    "chatgpt",
    "deepl",
    "google",
    "libre",
    "microsoft",
    "mymemory",
    "papago",
    "pseudo",
    "qcri",
    "yandex",
)
# What url_pattern and source_url_pattern may hold between braces (see toolkit.publish).
URL_PLACEHOLDERS = ("locale", "slug")

_PLAIN_LOCALE = re.compile(r"[a-z]{2,3}(?:_[A-Z]{2})?")


@lru_cache(maxsize=1)
def _babel_data_dir() -> str | None:
    """Babel's folder of locale data files, found without importing Babel."""
    from importlib.util import find_spec

    spec = find_spec("babel")
    places = spec.submodule_search_locations if spec is not None else None
    return os.path.join(places[0], "locale-data") if places else None


def normalise_locale(code: str) -> str:
    """A locale code in gettext's form (``pt-BR`` → ``pt_BR``), checked against Babel's data.
    Raises ConfigError for a code Babel does not know."""
    raw = code.strip().replace("-", "_")
    # A code already in its plain form (nl, pt_BR) that Babel has a data file for is what
    # Locale.parse would return: no need to import Babel (5 ms of every command) to say so.
    # tests/test_project.py holds this against Locale.parse for every such file.
    data = _babel_data_dir() if _PLAIN_LOCALE.fullmatch(raw) else None
    if data is not None and os.path.isfile(os.path.join(data, raw + ".dat")):
        return raw
    from babel import Locale, UnknownLocaleError

    try:
        loc = Locale.parse(raw)
    except (UnknownLocaleError, ValueError, TypeError):
        raise ConfigError(f"unknown locale code {code!r}") from None
    return str(loc) if "_" in raw else loc.language


@dataclass
class Project:
    root: Path
    source_language: str = "en"
    locales: list[str] = field(default_factory=list)
    source_dir: Path = Path("source")
    locales_dir: Path = Path("locales")
    dist_dir: Path = Path("dist")
    glossary_path: Path = Path("glossary.csv")
    wordpress_meta_fields: tuple[str, ...] = DEFAULT_META_FIELDS
    skip_lines: tuple[str, ...] = DEFAULT_SKIP_LINES
    url_pattern: str | None = None
    source_url_pattern: str | None = None
    min_completion: dict[str, float] = field(default_factory=dict)
    machine: dict = field(default_factory=dict)
    config_file: Path | None = None

    # -- paths -----------------------------------------------------------------------------
    @property
    def templates_dir(self) -> Path:
        return self.locales_dir / "templates"

    def template_path(self, slug: str) -> Path:
        return self.templates_dir / f"{slug}.pot"

    def catalog_path(self, locale: str, slug: str) -> Path:
        return Path(self.catalog_file(locale, slug))

    def page_path(self, locale: str, slug: str) -> Path:
        return Path(self.page_file(locale, slug))

    # The same paths as text: a build rerun looks at two files per article and locale, and
    # making Path objects for them was a sixth of its time.
    def catalog_file(self, locale: str, slug: str) -> str:
        return f"{self.locales_dir}/{locale}/{slug}.po"

    def page_file(self, locale: str, slug: str) -> str:
        return f"{self.dist_dir}/{locale}/{slug}.html"

    @property
    def bundles_dir(self) -> Path:
        return self.dist_dir / "bundles"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".localise"

    def relative(self, path: Path) -> str:
        """A path as the user should see it: relative to the project when it is inside it."""
        path = Path(path)
        try:  # a path made from the root, as most are: no file system calls
            inside = path.relative_to(self.root)
            if ".." not in inside.parts:
                return str(inside)
        except ValueError:
            pass
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    def source_files(self) -> list[Path]:
        """The article files, sorted, hidden files and folders left out."""
        return [Path(path) for path in self.source_paths()]

    def source_paths(self, problems: list | None = None) -> list[str]:
        """:meth:`source_files` as text: a rerun only asks ``stat`` about each, and making
        a Path object for each was a tenth of a rerun with nothing to do. A missing folder
        is an error, not a project with no articles: that would remove every page. A folder
        that cannot be read, a link back into a folder it is in, and a link to nothing go to
        ``problems``, and the walk goes on."""
        if not self.source_dir.is_dir():
            if os.path.islink(self.source_dir):
                reason = "is a symbolic link to nothing"
            elif os.path.lexists(self.source_dir):
                reason = "is not a folder"
            else:
                reason = "does not exist"
            raise SourceError(
                f"the articles' folder {reason} (source_dir in the settings)",
                self.relative(self.source_dir),
            )
        found: list[tuple[tuple[str, ...], str]] = []
        problems = [] if problems is None else problems

        def walk(folder: str, parts: tuple[str, ...], above: tuple[tuple[int, int], ...]) -> None:
            # os.scandir knows a regular file from its directory entry: no stat per file.
            try:
                with os.scandir(folder) as entries:
                    listed = sorted(entries, key=lambda entry: entry.name)
            except OSError as e:
                problems.append(
                    SourceError(f"cannot be read ({e.strerror})", self.relative(folder))
                )
                return
            for entry in listed:
                if entry.name.startswith("."):
                    continue
                try:
                    is_dir, is_file = entry.is_dir(), entry.is_file()
                    # A folder linked in is followed (as rsync -L and find -L do), but never
                    # into a folder it is already in: that would go on for ever.
                    here = self._identity(entry.path) if is_dir else None
                except OSError:  # gone since it was listed
                    is_dir = is_file = False
                if is_dir:
                    if here in above:
                        target = self.relative(os.path.realpath(entry.path))
                        problems.append(
                            SourceError(
                                f"a symbolic link back to {target}, a folder it is in: "
                                "not followed",
                                self.relative(entry.path),
                            )
                        )
                        continue
                    walk(entry.path, parts + (entry.name,), above + (here,))
                elif is_file:
                    found.append((parts + (entry.name,), entry.path))
                elif entry.is_symlink() and not os.path.exists(entry.path):
                    problems.append(
                        SourceError("a symbolic link to nothing", self.relative(entry.path))
                    )

        root = str(self.source_dir)
        walk(root, (), (self._identity(root),))
        return [path for _, path in sorted(found)]

    @staticmethod
    def _identity(folder: str) -> tuple[int, int]:
        st = os.stat(folder)
        return (st.st_dev, st.st_ino)

    def catalog_locales(self) -> list[str]:
        """Locales that have a folder under locales/ (configured or not), sorted."""
        if not self.locales_dir.is_dir():
            return []
        return sorted(
            p.name
            for p in self.locales_dir.iterdir()
            if p.is_dir() and p.name != "templates" and not p.name.startswith(".")
        )

    def select_locales(self, requested: tuple[str, ...] | list[str]) -> list[str]:
        """The locales a command works on: those named, else the configured ones, else those
        with catalogs on disk; each once (`check nl nl` checks nl once, `build nl NL` builds
        nl once)."""
        if requested:
            return list(dict.fromkeys(normalise_locale(code) for code in requested))
        return list(dict.fromkeys(self.locales)) or self.catalog_locales()

    def completion_threshold(self, locale: str, default: float) -> float:
        return float(self.min_completion.get(locale, self.min_completion.get("default", default)))


def _load_settings(root: Path) -> tuple[dict, Path | None]:
    # A settings file that is there but is not a file (a folder, a link to nothing) is an
    # error: read as no settings, it would give every command the defaults' locales and paths.
    toml_path = root / "localise.toml"
    if os.path.lexists(toml_path):
        return _read_toml(toml_path), toml_path
    py = root / "pyproject.toml"
    if os.path.lexists(py):
        data = _read_toml(py)
        tool = data.get("tool")
        section = tool.get("localise") if isinstance(tool, dict) else None
        if section is not None:
            if not isinstance(section, dict):
                raise ConfigError("[tool.localise] must be a table", py.name)
            return section, py
    return {}, None


def _read_toml(path: Path) -> dict:
    """A settings file's TOML; errors name it as the project's other files are named, from the
    project's folder (``localise.toml``), whatever folder ``-C`` gave."""
    from .fsutil import read_regular

    shown = path.name

    try:
        if os.path.islink(path) and not os.path.exists(path):
            raise ConfigError("a symbolic link to nothing", shown)
        return tomllib.loads(read_regular(path).decode("utf-8"))
    except tomllib.TOMLDecodeError as e:
        line = getattr(e, "lineno", None)
        if line is None:
            m = re.search(r"line (\d+)", str(e))
            line = int(m.group(1)) if m else None
        raise ConfigError(f"not valid TOML: {e}", shown, line) from None
    except UnicodeDecodeError as e:
        line = e.object[: e.start].count(b"\n") + 1
        raise ConfigError(f"not UTF-8 text (byte 0x{e.object[e.start]:02x})", shown, line) from None
    except OSError as e:
        raise ConfigError(f"cannot read: {e.strerror or e}", shown) from None


def load_project(root: str | Path = ".") -> Project:
    """Read the project at ``root``. Raises ConfigError for a missing folder or a bad setting."""
    root = Path(root)
    if not root.is_dir():
        raise ConfigError("project folder does not exist", root)
    settings, config_file = _load_settings(root)
    where = config_file.name if config_file else root
    unknown = sorted(set(settings) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}", where)

    def paths(key: str, default: str) -> Path:
        value = settings.get(key, default)
        if not isinstance(value, str) or not value or "\0" in value:
            raise ConfigError(f"{key} must be a path", where)
        return root / value

    def strings(key: str, default) -> tuple[str, ...]:
        value = settings.get(key, default)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key} must be a list of strings", where)
        return tuple(value)

    def locale(code, key: str) -> str:
        if not isinstance(code, str):
            raise ConfigError(f"{key} must be a locale code, not {_got(code)}", where)
        try:
            return normalise_locale(code)
        except ConfigError as e:
            raise ConfigError(f"{key}: {e.message}", where) from None

    source_language = locale(settings.get("source_language", "en"), "source_language")
    locales = [locale(c, "locales") for c in strings("locales", [])]
    return Project(
        root=root,
        source_language=source_language,
        locales=locales,
        source_dir=paths("source_dir", "source"),
        locales_dir=paths("locales_dir", "locales"),
        dist_dir=paths("dist_dir", "dist"),
        glossary_path=paths("glossary", "glossary.csv"),
        wordpress_meta_fields=strings("wordpress_meta_fields", list(DEFAULT_META_FIELDS)),
        skip_lines=tuple(s.lower() for s in strings("skip_lines", list(DEFAULT_SKIP_LINES))),
        url_pattern=_url_pattern(settings, "url_pattern", where),
        source_url_pattern=_url_pattern(settings, "source_url_pattern", where),
        min_completion=_min_completion(settings.get("min_completion", {}), locale, where),
        machine=_machine(settings.get("machine", {}), where),
        config_file=config_file,
    )


def _got(value) -> str:
    """A setting's value as an error shows it: on one line, and short."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _percent(value) -> bool:
    """Whether a setting is a number from 0 to 100 (a TOML bool is not; nan is in no range)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100


def _min_completion(value, locale, where) -> dict[str, float]:
    """``min_completion``: a percentage, or a table of ``default`` or locale code = percentage."""
    if not isinstance(value, dict):
        if not _percent(value):
            raise ConfigError(
                "min_completion must be a number from 0 to 100 or a table of locale = number, "
                f"not {_got(value)}",
                where,
            )
        value = {"default": value}
    out = {}
    for key, number in value.items():
        if not _percent(number):
            raise ConfigError(
                f"min_completion.{key} must be a number from 0 to 100, not {_got(number)}", where
            )
        out[key if key == "default" else locale(key, "min_completion")] = float(number)
    return out


def _machine(value, where) -> dict:
    """The ``machine`` table (provider, url, concurrency, timeout), as toolkit.pretranslate
    takes it: a typo or a bad value here would be ignored, or a traceback there."""
    if not isinstance(value, dict):
        raise ConfigError("machine must be a table", where)
    unknown = sorted(set(value) - MACHINE_KEYS)
    if unknown:
        raise ConfigError(
            f"unknown machine setting(s): {', '.join(unknown)} "
            f"(known: {', '.join(sorted(MACHINE_KEYS))})",
            where,
        )
    if "provider" in value and value["provider"] not in MACHINE_PROVIDERS:
        raise ConfigError(
            f"machine.provider: unknown provider {_got(value['provider'])} "
            f"(known: {', '.join(MACHINE_PROVIDERS)})",
            where,
        )
    url = value.get("url", "-")
    if not isinstance(url, str) or not url:
        raise ConfigError(f"machine.url must be an address, not {_got(url)}", where)
    concurrency = value.get("concurrency", 1)
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        raise ConfigError(
            f"machine.concurrency must be a whole number from 1, not {_got(concurrency)}", where
        )
    timeout = value.get("timeout", 1)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout < 1e9:
        raise ConfigError(
            f"machine.timeout must be a number of seconds above 0, not {_got(timeout)}", where
        )
    return value


def _url_pattern(settings: dict, key: str, where) -> str | None:
    """``url_pattern`` or ``source_url_pattern``: an address with ``{locale}`` and ``{slug}``,
    checked here so that a typo is not a KeyError when the first page is built."""
    value = settings.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be an address, not {_got(value)}", where)
    try:
        fields = [f for f in string.Formatter().parse(value) if f[1] is not None]
    except ValueError as e:
        raise ConfigError(f"{key}: {e} (a brace itself is written {{{{ or }}}})", where) from None
    for _, name, spec, conversion in fields:
        if name not in URL_PLACEHOLDERS or spec or conversion:
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise ConfigError(
                f"{key}: unknown placeholder {{{shown}}} (known: {{locale}}, {{slug}})", where
            )
    # Each article its own address, and in url_pattern each locale: else the pages' hreflang
    # links and rewritten links would all point to one page.
    needed = ("slug", "locale") if key == "url_pattern" else ("slug",)
    missing = [f"{{{n}}}" for n in needed if n not in {f[1] for f in fields}]
    if missing:
        raise ConfigError(
            f"{key}: without {' and '.join(missing)}, every page has one address", where
        )
    return value
