"""Project settings: locale codes, and every setting checked when read."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from babel import Locale, UnknownLocaleError

from toolkit.errors import ConfigError
from toolkit.project import MACHINE_PROVIDERS, _babel_data_dir, load_project, normalise_locale


def _by_babel(code: str) -> str:
    """What normalise_locale answered before its fast path: Babel's parse of the code."""
    raw = code.strip().replace("-", "_")
    loc = Locale.parse(raw)
    return str(loc) if "_" in raw else loc.language


def test_fast_path_agrees_with_babel_for_every_plain_data_file():
    names = [n[:-4] for n in os.listdir(_babel_data_dir()) if n.endswith(".dat")]
    plain = [n for n in names if re.fullmatch(r"[a-z]{2,3}(?:_[A-Z]{2})?", n)]
    assert len(plain) > 500  # the fast path is taken for most codes a project uses
    for name in plain:
        try:
            expected = _by_babel(name)
        except (UnknownLocaleError, ValueError):
            pytest.fail(f"{name}: Babel has its data file but cannot parse it")
        assert normalise_locale(name) == expected, name


@pytest.mark.parametrize(
    "code, expected",
    [("nl", "nl"), ("pt-BR", "pt_BR"), (" de_CH ", "de_CH"), ("zh_TW", "zh_Hant_TW")],
)
def test_codes_in_gettext_form(code, expected):
    assert normalise_locale(code) == expected


@pytest.mark.parametrize("code", ["xx", "nl_XX", "english", "", "../nl"])
def test_unknown_codes_are_config_errors(code):
    with pytest.raises(ConfigError, match="unknown locale code"):
        normalise_locale(code)


def test_plain_codes_do_not_import_babel():
    code = (
        "import sys; from toolkit.project import normalise_locale; "
        "normalise_locale('nl'); normalise_locale('pt_BR'); print('babel' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- settings: every one checked when read -----------------------------------------------------


def settings_error(tmp_path, text: str) -> str:
    (tmp_path / "localise.toml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    return str(caught.value)


@pytest.mark.parametrize(
    "text, message",
    [
        ("min_completion = 150", "min_completion must be a number from 0 to 100"),
        ("min_completion = -1", "min_completion must be a number from 0 to 100"),
        ("min_completion = nan", "min_completion must be a number from 0 to 100"),
        ("min_completion = true", "min_completion must be a number from 0 to 100"),
        ('min_completion = "90"', "min_completion must be a number from 0 to 100"),
        ("min_completion = [90]", "min_completion must be a number from 0 to 100"),
        ('min_completion = { nl = "x" }', "min_completion.nl must be a number from 0 to 100"),
        ("min_completion = { default = 101 }", "min_completion.default must be a number"),
        ("min_completion = { xx = 50 }", "min_completion: unknown locale code 'xx'"),
        ("min_completon = 90", "unknown setting(s): min_completon"),
        ("machine = 5", "machine must be a table"),
        ("[machine]\nprovidr = 'pseudo'", "unknown machine setting(s): providr (known: "),
        ("[machine]\nprovider = 'deepL'", "machine.provider: unknown provider 'deepL'"),
        ("[machine]\nurl = 3", "machine.url must be an address"),
        ("[machine]\nconcurrency = 0", "machine.concurrency must be a whole number from 1"),
        ("[machine]\nconcurrency = '4'", "machine.concurrency must be a whole number from 1"),
        ("[machine]\ntimeout = -1", "machine.timeout must be a number of seconds above 0"),
        ("[machine]\ntimeout = nan", "machine.timeout must be a number of seconds above 0"),
        ("url_pattern = 'https://x/{lang}/{slug}/'", "url_pattern: unknown placeholder {lang}"),
        ("url_pattern = 'https://x/{}/'", "url_pattern: unknown placeholder {}"),
        ("url_pattern = 'https://x/{slug!r}/'", "url_pattern: unknown placeholder {slug!r}"),
        ("url_pattern = 'https://x/{locale/{slug}/'", "url_pattern: unexpected '{' in field"),
        ("url_pattern = 'https://x/}{slug}/'", "url_pattern: Single '}' encountered"),
        ("url_pattern = 'https://x/{slug'", "url_pattern: expected '}' before end"),
        ("url_pattern = 5", "url_pattern must be an address"),
        ("source_url_pattern = 'https://x/{id}/'", "source_url_pattern: unknown placeholder {id}"),
        ("url_pattern = 'https://x/{slug}/'", "url_pattern: without {locale}, every page"),
        ("url_pattern = 'https://x/en/'", "url_pattern: without {slug} and {locale}, every page"),
        ("source_url_pattern = 'https://x/'", "source_url_pattern: without {slug}, every page"),
        ("source_language = ['en']", "source_language must be a locale code"),
        ("source_language = 'xx'", "source_language: unknown locale code 'xx'"),
        ('dist_dir = "a\\u0000b"', "dist_dir must be a path"),
    ],
)
def test_bad_settings_name_the_file_and_setting(tmp_path, text, message):
    error = settings_error(tmp_path, text)
    assert error.startswith("localise.toml: ") and message in error


def test_good_settings_are_read(tmp_path):
    (tmp_path / "localise.toml").write_text(
        "min_completion = { default = 90, pt-BR = 75.5 }\n"
        "url_pattern = 'https://x/{{a}}/{locale}/{slug}/'\n"
        "[machine]\nprovider = 'libre'\nurl = 'http://localhost:5000/'\n"
        "concurrency = 2\ntimeout = 2.5\n"
    )
    project = load_project(tmp_path)
    assert project.min_completion == {"default": 90.0, "pt_BR": 75.5}
    assert project.completion_threshold("pt_BR", 100) == 75.5
    assert project.url_pattern == "https://x/{{a}}/{locale}/{slug}/"
    assert project.machine["concurrency"] == 2


def test_tool_localise_must_be_a_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool]\nlocalise = 5\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: \[tool.localise\] must be a table"):
        load_project(tmp_path)


def test_machine_providers_are_those_of_toolkit_machine():
    from toolkit.machine import PROVIDERS

    assert set(MACHINE_PROVIDERS) == set(PROVIDERS)


def test_bad_setting_is_one_line_and_exit_2(project_dir, cli):
    with open(project_dir / "pyproject.toml", "a") as f:
        f.write("min_completion = { nl = 'x' }\n")
    for command in ("build", "bundle", "translate"):
        result = cli(project_dir, command, *(["nl"] if command == "translate" else []))
        assert result.exit_code == 2
        assert result.output == (
            "localise: error: pyproject.toml: "
            "min_completion.nl must be a number from 0 to 100, not 'x'\n"
        )


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda p: p.mkdir(), "localise.toml: cannot read: Is a directory"),
        (lambda p: p.symlink_to("nothing.toml"), "localise.toml: a symbolic link to nothing"),
        (lambda p: os.mkfifo(p), "localise.toml: cannot read: not a regular file"),
        (lambda p: p.write_bytes(b"# caf\xe9\n"), "localise.toml:1: not UTF-8 text (byte 0xe9)"),
    ],
)
def test_a_settings_file_that_cannot_be_read_is_an_error_not_the_defaults(
    empty_project, cli, make, says
):
    (empty_project / "localise.toml").unlink()
    make(empty_project / "localise.toml")
    result = cli(empty_project, "extract")
    assert (result.exit_code, result.output) == (2, f"localise: error: {says}\n")
