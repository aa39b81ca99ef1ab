"""Project settings: locale codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from babel import Locale, UnknownLocaleError

from toolkit.errors import ConfigError
from toolkit.project import _babel_data_dir, normalise_locale


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
