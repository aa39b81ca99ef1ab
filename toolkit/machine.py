"""Machine translation of msgids through deep-translator, made safe for a batch of articles.

The ``localise translate`` command hands this module a list of msgids and gets back one result per
msgid, in the same order. Before a text is sent, every placeholder (``<strong>``,
``</a2>``, ``<br/>``) and every do-not-translate glossary term is swapped for a numbered token
(``⟦1⟧``) that MT engines copy through; afterwards the tokens are swapped back, and an answer that
lost or duplicated a placeholder, or lost a protected term, is dropped with a reason instead of
being saved. Long texts are split at sentence boundaries to fit the provider's limit, identical
texts are sent once, answers are kept in an sqlite cache so that a second run sends nothing, calls
run in a bounded thread pool with a timeout each, and HTTP 429/5xx answers are retried with
exponential backoff. A failure of the provider itself (connection refused, key refused, retries
exhausted, unsupported language) stops the run with a one-line MachineError that carries the
results finished so far. The HTTP is always done by deep-translator's own provider classes; this
module subclasses and configures them to close the gaps listed below. The ``pseudo`` provider is
an offline pseudo-localiser for testing layouts.
"""

# What deep-translator 1.11.4 really does (read in site-packages/deep_translator/ and tried against
# a local pytest-httpserver; the five gaps first):
#
# 1. TRUE. LIBRE_LANGUAGES_TO_CODES is a hard-coded list of 17 languages without Dutch, and
#    BaseTranslator._map_language_to_code raises LanguageNotSupportedException for anything else
#    ("nl" fails in the constructor). Papago's table is even reversed (code -> name), so it would
#    send "English" instead of "en". Handled: every subclass here takes codes as given
#    (_AnyCode); this module maps locale codes itself, and for LibreTranslate checks them against
#    the server's own GET /languages when that endpoint answers.
# 2. TRUE. LibreTranslator.__init__ raises ApiKeyException when api_key is falsy, even with a
#    custom_url. Also, every ``api_key=os.getenv(...)`` default is evaluated when deep_translator is
#    imported, so setting the variable later has no effect; and with api_key None, a 403 answer
#    crashes with TypeError ("..." + None). Handled: _Libre passes a stand-in key to the
#    constructor and then sets api_key to "", so no api_key parameter is sent (translate only adds
#    it when truthy); keys are read from the environment here, at call time.
# 3. TRUE. Providers guard with ``except ConnectionError`` (the builtin), but requests raises
#    requests.exceptions.ConnectionError, which is not a subclass of it, so a refused connection
#    escapes as a requests exception (MicrosoftTranslator even swallows it and then fails with
#    AttributeError on ``None.json()``). No provider passes a timeout either. Handled: _Transport
#    stands in for the ``requests`` module inside deep_translator's provider modules; inside our
#    worker threads it adds the timeout and records the response or the transport error, so
#    failures are classified by what really happened.
# 4. PARTLY TRUE. Only GoogleTranslator refuses len(text) >= 5000 (NotValidLength), and
#    MyMemoryTranslator refuses len(text) >= 500; Libre, DeepL and the rest send any length (a
#    12,000-character text went to the fake Libre server unchanged), leaving the limit to the
#    server. Handled: texts are split at sentence boundaries into chunks below min(5000, the
#    provider's limit) and the answers are joined with the original separators.
# 5. TRUE. BaseTranslator._translate_batch is a plain for loop: the first exception aborts the
#    batch, the finished translations are lost, and nothing is retried. Handled: translate_batch
#    is not used; each text is a job in a ThreadPoolExecutor with its own retry loop.
#
# Base URLs: BaseTranslator keeps the URL in ``_base_url``. LibreTranslator alone takes one
# (custom_url, to which it appends "translate"); the others hard-code BASE_URLS (MyMemory
# ".../get", Google ".../m", DeepL ".../v2/" + "translate", Yandex and QCRI templates with
# {endpoint}), so after construction the scheme and host of ``_base_url`` are replaced by
# MachineConfig.url, keeping deep-translator's path. MicrosoftTranslator's constructor fetches its
# language list from a hard-coded URL without a timeout; _Microsoft skips that.
#
# Exceptions: HTTP 429 -> TooManyRequests (Google, MyMemory, Yandex) or ServerException with the
# message "ERR_TOO_MANY_REQUESTS" (Libre, DeepL, Baidu); 5xx -> RequestError (Google, MyMemory,
# for every non-2xx answer), ServerException (Libre, DeepL, Baidu; the code is not kept, only a
# message, and 502/504 become "API server error"), Exception("Translation error! -> status code")
# (Papago), MicrosoftAPIerror (Microsoft); 403 -> AuthorizationException (Libre, DeepL); QCRI
# builds a ServerException and forgets to raise it, returning None. Invalid JSON in a 200 answer
# escapes as requests.exceptions.JSONDecodeError. MyMemory reports quota and language errors in
# a 200 answer ("responseStatus") and deep-translator returns the error text as the translation.
# Because of all this, the status code recorded by _Transport decides, not the exception type.
#
# Environment variables (deep_translator/constants.py): DEEPL_API_KEY, LIBRE_API_KEY,
# MICROSOFT_API_KEY, YANDEX_API_KEY, QCRI_API_KEY, OPEN_API_KEY (ChatGPT), BAIDU_APPID and
# BAIDU_APPKEY. Papago reads none (client_id/secret_key are plain arguments); this module reads
# PAPAGO_CLIENT_ID and PAPAGO_CLIENT_SECRET. There is no Tencent translator in 1.11.4 (no
# TENCENT_* variables), and Pons/Linguee translate single words only, so neither is offered.
# ChatGptTranslator needs the ``openai`` package (pre-1.0 API), which is not installed here.

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from deep_translator import (
    BaiduTranslator,
    ChatGptTranslator,
    DeeplTranslator,
    GoogleTranslator,
    LibreTranslator,
    MicrosoftTranslator,
    MyMemoryTranslator,
    PapagoTranslator,
    QcriTranslator,
    YandexTranslator,
)
from deep_translator import constants as dt_constants
from deep_translator import exceptions as dt_exceptions

from .errors import MachineError
from .placeholders import PLACEHOLDER_RE

__all__ = [
    "PROVIDERS",
    "MachineConfig",
    "MachineTranslator",
    "ProviderSpec",
    "Request",
    "Result",
    "Shield",
    "Stats",
    "pseudo_translate",
    "split_text",
]

# Texts sent in one call stay below this many characters (the limit; providers may be
# stricter, see ProviderSpec.limit).
MAX_CHARS = 5000


# -- public data --------------------------------------------------------------------------------


@dataclass
class MachineConfig:
    """How to reach one provider for one language pair, and how hard to try."""

    provider: str
    source: str
    target: str
    url: str | None = None
    api_key: str | None = None
    concurrency: int = 4
    timeout: float = 20.0
    retries: int = 4
    backoff: float = 0.5
    cache_path: str | None = None


@dataclass
class Request:
    """One text to translate; ``source`` overrides MachineConfig.source for this text."""

    text: str
    source: str | None = None


@dataclass
class Result:
    """The translation of one Request (``text`` None when it was dropped, ``error`` says why)."""

    text: str | None
    error: str | None
    cached: bool


@dataclass
class Stats:
    """Counters over the translator's lifetime: calls sent to the provider (every attempt),
    characters sent, units answered from the cache, units dropped."""

    requests: int = 0
    characters: int = 0
    cache_hits: int = 0
    failed: int = 0


# -- protection: placeholders and protected terms become numbered tokens ------------------------

_TOKEN_RE = re.compile(r"⟦\s*(\d+)\s*⟧")
_HYPHENS = "-\u2010\u2011"  # hyphen-minus, hyphen, non-breaking hyphen
_TRAILING_SPACE_RE = re.compile(r"[ \t\u00a0\u202f]*$")
_LEADING_SPACE_RE = re.compile(r"[ \t\u00a0\u202f]*")


def _tidy_end(segment: str, source_run: str, inside_pair: bool) -> str:
    """The answer's text before a token, its trailing spaces fitted to the source's."""
    run = _TRAILING_SPACE_RE.search(segment).group()
    if run and ((inside_pair and not source_run) or (source_run and len(run) > len(source_run))):
        return segment[: len(segment) - len(run)] + source_run
    return segment


def _tidy_start(segment: str, source_run: str, inside_pair: bool) -> str:
    """The answer's text after a token, its leading spaces fitted to the source's."""
    run = _LEADING_SPACE_RE.match(segment).group()
    if run and ((inside_pair and not source_run) or (source_run and len(run) > len(source_run))):
        return source_run + segment[len(run) :]
    return segment


def _term_pattern(term: str) -> str:
    """A regex for a glossary term: any hyphen matches any hyphen, any space run any space run."""
    out = []
    for ch in term:
        if ch in _HYPHENS:
            out.append(f"[{re.escape(_HYPHENS)}]")
        elif ch.isspace():
            out.append(r"\s+")
        else:
            out.append(re.escape(ch))
    # Collapse the \s+ runs a multi-space term would produce.
    return re.sub(r"(?:\\s\+)+", r"\\s+", "".join(out))


@dataclass
class Shielded:
    """A text with its placeholders and protected terms replaced by tokens ``⟦1⟧``, ``⟦2⟧``, …"""

    text: str
    originals: list[str] = field(default_factory=list)  # token n -> originals[n - 1]
    kinds: list[str] = field(default_factory=list)  # "open", "close", "void", "term", "char"
    before: list[str] = field(default_factory=list)  # the spaces just before each, in the text
    after: list[str] = field(default_factory=list)  # the spaces just after each


class Shield:
    """Swaps placeholders and protected terms for numbered tokens before a text goes to a machine,
    and swaps them back afterwards, checking that nothing was lost or duplicated.

    Terms match case-sensitively and as whole words; the hyphens ``-``, U+2010 and U+2011 match
    one another, so the glossary's "anti-TPO" protects the text's "anti‑TPO" (and the text's own
    spelling is what comes back). Longer terms win over shorter ones. A literal ``⟦`` or ``⟧`` in
    the text is protected too, so it cannot be mistaken for a token.
    """

    def __init__(self, terms: Iterable[str] = ()):
        self.terms = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
        parts = [f"(?P<ph>{PLACEHOLDER_RE.pattern})", "(?P<char>[⟦⟧])"]
        if self.terms:
            alternatives = "|".join(_term_pattern(t) for t in self.terms)
            parts.append(rf"(?P<term>(?<!\w)(?:{alternatives})(?!\w))")
        self._re = re.compile("|".join(parts))

    def protect(self, text: str) -> Shielded:
        """Replace each placeholder and protected term of ``text`` by its own numbered token."""
        out = Shielded(text="")
        pieces: list[str] = []
        pos = 0
        for m in self._re.finditer(text):
            pieces.append(text[pos : m.start()])
            if m.group("ph") is not None:
                kind = "close" if m.group(2) else ("void" if m.group(4) else "open")
            else:
                kind = "char" if m.group("char") is not None else "term"
            out.originals.append(m.group(0))
            out.kinds.append(kind)
            out.before.append(_TRAILING_SPACE_RE.search(text, 0, m.start()).group())
            out.after.append(_LEADING_SPACE_RE.match(text, m.end()).group())
            pieces.append(f"⟦{len(out.originals)}⟧")
            pos = m.end()
        pieces.append(text[pos:])
        out.text = "".join(pieces)
        return out

    def restore(self, answer: str, shielded: Shielded) -> tuple[str | None, str | None]:
        """Put the originals back into a machine's answer. Returns (text, None), or (None, reason)
        when a placeholder is missing or duplicated, a token is unknown, or a protected term is
        missing. Spaces the machine added inside a token (``⟦ 1 ⟧``) are ignored; spaces it added
        just inside a tag pair (``⟦1⟧ word ⟦2⟧`` for ``<b>word</b>``) are removed, and a run of
        spaces next to a token that is longer than the text's is cut back to the text's."""
        count: Counter[int] = Counter()
        unknown: list[str] = []
        n_tokens = len(shielded.originals)
        segments = re.split(r"(⟦\s*\d+\s*⟧)", answer)  # text, token, text, token, …, text
        for i in range(1, len(segments), 2):
            n = int(_TOKEN_RE.fullmatch(segments[i]).group(1))
            if not 1 <= n <= n_tokens:
                unknown.append(f"⟦{n}⟧")
                continue
            count[n] += 1
            kind = shielded.kinds[n - 1]
            segments[i - 1] = _tidy_end(segments[i - 1], shielded.before[n - 1], kind == "close")
            segments[i + 1] = _tidy_start(segments[i + 1], shielded.after[n - 1], kind == "open")
            segments[i] = shielded.originals[n - 1]
        problems = []
        for n, (original, kind) in enumerate(
            zip(shielded.originals, shielded.kinds, strict=True), 1
        ):
            if kind == "term":
                continue
            what = "placeholder" if kind != "char" else "character"
            if count[n] == 0:
                problems.append(f"{what} {original} missing in the machine's answer")
            elif count[n] > 1:
                problems.append(
                    f"{what} {original} appears {count[n]} times in the machine's answer"
                )
        if unknown:
            problems.append(f"unknown token {', '.join(unknown)} in the machine's answer")
        restored = "".join(segments)
        needed = Counter(
            o for o, k in zip(shielded.originals, shielded.kinds, strict=True) if k == "term"
        )
        for term, times in needed.items():
            if restored.count(term) < times:
                problems.append(f"protected term {term!r} missing in the machine's answer")
        if problems:
            return None, "; ".join(problems)
        return restored, None


# -- long texts ---------------------------------------------------------------------------------

_SENTENCE_END_RE = re.compile(r"[.!?…。！？][\"'”’»)\]]*(?:⟦\d+⟧[\"'”’»)\]]*)*$")
_SPACE_RUN_RE = re.compile(r"\s+")


def _sentence_gaps(text: str) -> list[tuple[int, int]]:
    """The whitespace runs that end a sentence (after . ! ? …, or holding a line break)."""
    gaps = []
    for m in _SPACE_RUN_RE.finditer(text):
        if "\n" in m.group() or _SENTENCE_END_RE.search(text, max(0, m.start() - 40), m.start()):
            gaps.append(m.span())
    return gaps


def split_text(text: str, limit: int | None) -> list[tuple[str, str]]:
    """Split ``text`` into (chunk, separator) pairs with every chunk shorter than ``limit``, such
    that joining chunk + separator in order gives back ``text``. Splits at sentence boundaries,
    packing as many sentences as fit; a sentence that alone is too long is split between words,
    and a word that is too long is cut, never inside a ``⟦n⟧`` token."""
    if limit is None or len(text) < limit:
        return [(text, "")]
    return _split(text, limit, 0)


def _split(text: str, limit: int, level: int) -> list[tuple[str, str]]:
    if len(text) < limit:
        return [(text, "")]
    if level >= 2:
        return _hard_cut(text, limit)
    gaps = _sentence_gaps(text) if level == 0 else [m.span() for m in _SPACE_RUN_RE.finditer(text)]
    segments: list[tuple[str, str]] = []
    pos = 0
    for start, end in gaps:
        segments.append((text[pos:start], text[start:end]))
        pos = end
    segments.append((text[pos:], ""))
    packed: list[tuple[str, str]] = []
    current, pending = segments[0]
    for segment, sep in segments[1:]:
        if len(current) + len(pending) + len(segment) < limit:
            current += pending + segment
        else:
            packed.append((current, pending))
            current = segment
        pending = sep
    packed.append((current, pending))
    out: list[tuple[str, str]] = []
    for chunk, sep in packed:
        if len(chunk) >= limit:
            pieces = _split(chunk, limit, level + 1)
            pieces[-1] = (pieces[-1][0], sep)
            out.extend(pieces)
        else:
            out.append((chunk, sep))
    return out


def _hard_cut(text: str, limit: int) -> list[tuple[str, str]]:
    tokens = [m.span() for m in _TOKEN_RE.finditer(text)]
    out = []
    pos = 0
    while len(text) - pos >= limit:
        cut = pos + limit - 1
        for start, end in tokens:
            if start < cut < end and start > pos:
                cut = start
        out.append((text[pos:cut], ""))
        pos = cut
    out.append((text[pos:], ""))
    return out


# -- pseudo-localisation ------------------------------------------------------------------------

_ACCENTS = str.maketrans("aeiouycnszAEIOUYCNSZ", "áéíöüýçñšžÁÉÍÖÜÝÇÑŠŽ")
_TOKEN_KEEP_RE = re.compile(r"⟦\d+⟧")


def _kept_spans(text: str) -> list[tuple[int, int]]:
    """Where pseudo-localisation must not touch the text: tokens, and every number with its unit
    as the numbers check reads it (so accenting "4 years" cannot turn it into "4 ýéárs")."""
    from . import numbers

    spans = [m.span() for m in _TOKEN_KEEP_RE.finditer(text)]
    spans += [(q.start, q.end) for q in numbers.quantities(text, "en")]
    return sorted(spans)


def pseudo_translate(text: str) -> str:
    """Pseudo-localise a (token-protected) text: letters accented (a→á, e→é, o→ö, …), about 30%
    longer (padded with ``~``), wrapped in ``[…]``. Tokens, numbers with their decimal separators
    and units (``2.5 mg``, ``40%``) are left as they are. Deterministic."""
    if not text.strip():
        return text
    out = []
    pos = 0
    for start, end in _kept_spans(text):
        if start < pos:  # inside a span already kept
            start = pos
        out.append(text[pos:start].translate(_ACCENTS))
        out.append(text[start:end])
        pos = max(pos, end)
    out.append(text[pos:].translate(_ACCENTS))
    pad = "~" * max(1, math.ceil(len(text) * 0.3))
    return f"[{''.join(out)}{pad}]"


class _PseudoEngine:
    """The offline ``pseudo`` provider, shaped like a deep-translator class."""

    _base_url = "pseudo:"

    def translate(self, text: str, **kwargs: Any) -> str:
        return pseudo_translate(text)


# -- HTTP transport inside deep-translator ------------------------------------------------------


class _Call(threading.local):
    """Per-thread state of the HTTP call in progress (None outside our workers)."""

    timeout: float | None = None
    response: requests.Response | None = None
    error: BaseException | None = None
    active: bool = False


_CALL = _Call()


class _Transport:
    """Stands in for the ``requests`` module inside deep_translator's provider modules. Outside
    MachineTranslator's calls it passes everything through unchanged; inside them it adds the
    configured timeout and records the response (or the transport error) for classification."""

    def __init__(self, real: Any):
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def get(self, url: str, params: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, params=params, **kwargs)

    def post(
        self, url: str, data: Any = None, json: Any = None, **kwargs: Any
    ) -> requests.Response:
        return self.request("POST", url, data=data, json=json, **kwargs)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        if not _CALL.active:
            return self._real.request(method, url, **kwargs)
        kwargs.setdefault("timeout", _CALL.timeout)
        try:
            response = self._real.request(method, url, **kwargs)
        except BaseException as e:
            _CALL.error = e
            raise
        _CALL.response = response
        return response


_TRANSPORT_LOCK = threading.Lock()
_PROVIDER_MODULES = ("google", "mymemory", "libre", "deepl", "microsoft", "yandex", "qcri")
_PROVIDER_MODULES += ("papago", "baidu")


def _install_transport() -> None:
    import importlib

    with _TRANSPORT_LOCK:
        for name in _PROVIDER_MODULES:
            module = importlib.import_module(f"deep_translator.{name}")
            if not isinstance(getattr(module, "requests", None), _Transport):
                module.requests = _Transport(requests)


# -- deep-translator subclasses -----------------------------------------------------------------


class _AnyCode:
    """Mixin: take language codes as given; this module maps and checks them (gap 1)."""

    def _map_language_to_code(self, *languages: str) -> Iterable[str]:
        yield from languages


class _Libre(_AnyCode, LibreTranslator):
    """LibreTranslator for any language code, and without an API key for self-hosted servers."""

    def __init__(self, source: str, target: str, api_key: str | None = None):
        # LibreTranslator refuses to be built without a key (gap 2): give it a stand-in, then
        # clear it, so translate() sends no api_key parameter at all.
        super().__init__(
            source=source, target=target, api_key=api_key or "none", use_free_api=not api_key
        )
        self.api_key = api_key or ""


class _MyMemory(_AnyCode, MyMemoryTranslator):
    """MyMemoryTranslator taking codes as given."""


class _Google(_AnyCode, GoogleTranslator):
    """GoogleTranslator taking codes as given."""


class _Deepl(_AnyCode, DeeplTranslator):
    """DeeplTranslator taking codes as given."""


class _Microsoft(_AnyCode, MicrosoftTranslator):
    """MicrosoftTranslator without the untimed language-list download in its constructor."""

    def _get_supported_languages(self) -> dict:
        return {}


class _Yandex(_AnyCode, YandexTranslator):
    """YandexTranslator taking codes as given."""


class _Qcri(_AnyCode, QcriTranslator):
    """QcriTranslator taking codes as given."""


class _Papago(_AnyCode, PapagoTranslator):
    """PapagoTranslator sending codes (its own table would send language names)."""


class _Baidu(_AnyCode, BaiduTranslator):
    """BaiduTranslator taking codes as given."""


class _ChatGpt(_AnyCode, ChatGptTranslator):
    """ChatGptTranslator taking language names as given."""


# -- language codes -----------------------------------------------------------------------------


def _parse_locale(code: str) -> tuple[str, str | None, str | None]:
    """("pt", None, "BR") for "pt-BR"/"pt_BR"; ("zh", "Hant", "TW") for "zh_Hant_TW"."""
    code = code.strip().split(".")[0].split("@")[0].replace("_", "-")
    parts = [p for p in code.split("-") if p]
    if not parts:
        return "", None, None
    lang, script, region = parts[0].lower(), None, None
    for p in parts[1:]:
        if len(p) == 4 and p.isalpha():
            script = p.title()
        elif (len(p) == 2 and p.isalpha()) or (len(p) == 3 and p.isdigit()):
            region = p.upper()
    return lang, script, region


def _normalise(code: str) -> str:
    """A locale code in BCP 47 form: "nl_BE" -> "nl-BE", "auto" stays."""
    if code.strip().lower() == "auto":
        return "auto"
    lang, script, region = _parse_locale(code)
    return "-".join(p for p in (lang, script, region) if p)


def _traditional(script: str | None, region: str | None) -> bool:
    return script == "Hant" or (script is None and region in ("TW", "HK", "MO"))


_GOOGLE_CODES = set(dt_constants.GOOGLE_LANGUAGES_TO_CODES.values())
_GOOGLE_NAMES = {v: k for k, v in dt_constants.GOOGLE_LANGUAGES_TO_CODES.items()}
_GOOGLE_ALIASES = {"he": "iw", "fil": "tl", "jv": "jw", "nb": "no", "nn": "no"}
_MYMEMORY_CODES = set(dt_constants.MY_MEMORY_LANGUAGES_TO_CODES.values())


def _google_code(code: str) -> str | None:
    lang, script, region = _parse_locale(code)
    if lang == "zh":
        return "zh-TW" if _traditional(script, region) else "zh-CN"
    lang = _GOOGLE_ALIASES.get(lang, lang)
    return lang if lang in _GOOGLE_CODES else None


def _by_name(table: dict[str, str]) -> Callable[[str], str | None]:
    """A mapper through Google's language names, for tables keyed by name (Baidu, DeepL, QCRI)."""
    lowered = {k.lower(): v for k, v in table.items()}
    values = set(table.values())

    def code_for(code: str) -> str | None:
        lang = _parse_locale(code)[0]
        if lang in values and lang != "zh":
            return lang
        name = _GOOGLE_NAMES.get(_google_code(code) or "")
        if name in lowered:
            return lowered[name]
        if name and name.split(" (")[0] in lowered:
            return lowered[name.split(" (")[0]]
        return None

    return code_for


def _mymemory_code(code: str) -> str | None:
    lang, script, region = _parse_locale(code)
    if lang == "zh" and region not in ("HK", "MO"):
        region = "TW" if _traditional(script, region) else "CN"
    if region and f"{lang}-{region}" in _MYMEMORY_CODES:
        return f"{lang}-{region}"
    name = _GOOGLE_NAMES.get(_google_code(code) or "")
    if name in dt_constants.MY_MEMORY_LANGUAGES_TO_CODES:
        return dt_constants.MY_MEMORY_LANGUAGES_TO_CODES[name]
    for value in sorted(_MYMEMORY_CODES):
        if value.split("-")[0] == lang:
            return value
    return None


def _libre_code(code: str) -> str | None:
    lang, script, region = _parse_locale(code)
    if lang == "zh" and _traditional(script, region):
        return "zt"
    return lang or None


def _microsoft_code(code: str) -> str | None:
    lang, script, region = _parse_locale(code)
    if lang == "zh":
        return "zh-Hant" if _traditional(script, region) else "zh-Hans"
    return lang or None


def _papago_code(code: str) -> str | None:
    lang, script, region = _parse_locale(code)
    if lang == "zh":
        return "zh-TW" if _traditional(script, region) else "zh-CN"
    return lang if lang in dt_constants.PAPAGO_LANGUAGE_TO_CODE else None


def _plain_code(code: str) -> str | None:
    return _parse_locale(code)[0] or None


def _language_name(code: str) -> str | None:
    return _GOOGLE_NAMES.get(_google_code(code) or "") or _plain_code(code)


# -- providers ----------------------------------------------------------------------------------


def _split_key(key: str | None, what: str) -> tuple[str | None, str | None]:
    if not key:
        return None, None
    if ":" not in key:
        raise _Fatal(f"the key must be given as {what}")
    first, second = key.split(":", 1)
    return first, second


def _build_papago(source: str, target: str, key: str | None) -> Any:
    client_id, secret = _split_key(key, "CLIENT_ID:CLIENT_SECRET")
    return _Papago(client_id=client_id, secret_key=secret, source=source, target=target)


def _build_baidu(source: str, target: str, key: str | None) -> Any:
    appid, appkey = _split_key(key, "APPID:APPKEY")
    return _Baidu(source=source, target=target, appid=appid, appkey=appkey)


def _build_deepl(source: str, target: str, key: str | None) -> Any:
    # Keys of DeepL's free plan end in ":fx" and only work on api-free.deepl.com.
    free = bool(key) and key.endswith(":fx")
    return _Deepl(source=source, target=target, api_key=key, use_free_api=free)


def _mymemory_status(response: requests.Response) -> tuple[int, str] | None:
    """MyMemory reports quota and language errors in a 200 answer."""
    try:
        data = response.json()
        status = int(data.get("responseStatus", 200))
    except (ValueError, TypeError, AttributeError):
        return None
    if status == 200:
        return None
    return status, str(data.get("responseDetails") or "")


@dataclass(frozen=True)
class ProviderSpec:
    """How to build one provider: its deep-translator class (wrapped), where its key comes from,
    its length limit, and how a locale code becomes the provider's language code."""

    name: str
    build: Callable[[str, str, str | None], Any]  # (source code, target code, key) -> translator
    code: Callable[[str], str | None]  # locale code -> provider code, None when unsupported
    key_env: tuple[str, ...] = ()  # environment variables holding the key (two: "a:b")
    key_required: bool = False
    limit: int | None = MAX_CHARS  # texts sent must be shorter than this
    translate_kwargs: dict = field(default_factory=dict)
    status_in_body: Callable[[requests.Response], tuple[int, str] | None] | None = None
    network: bool = True


PROVIDERS: dict[str, ProviderSpec] = {
    spec.name: spec
    for spec in (
        ProviderSpec("google", lambda s, t, k: _Google(source=s, target=t), _google_code),
        ProviderSpec(
            "deepl",
            _build_deepl,
            _by_name(dt_constants.DEEPL_LANGUAGE_TO_CODE),
            key_env=(dt_constants.DEEPL_ENV_VAR,),
            key_required=True,
        ),
        ProviderSpec(
            "microsoft",
            lambda s, t, k: _Microsoft(source=s, target=t, api_key=k),
            _microsoft_code,
            key_env=(dt_constants.MSFT_ENV_VAR,),
            key_required=True,
        ),
        ProviderSpec(
            "mymemory",
            lambda s, t, k: _MyMemory(source=s, target=t),
            _mymemory_code,
            limit=500,
            status_in_body=_mymemory_status,
        ),
        ProviderSpec(
            "libre",
            lambda s, t, k: _Libre(source=s, target=t, api_key=k),
            _libre_code,
            key_env=(dt_constants.LIBRE_ENV_VAR,),
        ),
        ProviderSpec(
            "yandex",
            lambda s, t, k: _Yandex(source=s, target=t, api_key=k),
            _plain_code,
            key_env=(dt_constants.YANDEX_ENV_VAR,),
            key_required=True,
        ),
        ProviderSpec(
            "papago",
            _build_papago,
            _papago_code,
            key_env=("PAPAGO_CLIENT_ID", "PAPAGO_CLIENT_SECRET"),
            key_required=True,
        ),
        ProviderSpec(
            "qcri",
            lambda s, t, k: _Qcri(source=s, target=t, api_key=k),
            _by_name(dt_constants.QCRI_LANGUAGE_TO_CODE),
            key_env=(dt_constants.QCRI_ENV_VAR,),
            key_required=True,
            translate_kwargs={"domain": "general"},
        ),
        ProviderSpec(
            "chatgpt",
            lambda s, t, k: _ChatGpt(source=s, target=t, api_key=k),
            _language_name,
            key_env=(dt_constants.OPEN_AI_ENV_VAR,),
            key_required=True,
            network=False,
        ),
        ProviderSpec(
            "baidu",
            _build_baidu,
            _by_name(dt_constants.BAIDU_LANGUAGE_TO_CODE),
            key_env=(dt_constants.BAIDU_APPID_ENV_VAR, dt_constants.BAIDU_APPKEY_ENV_VAR),
            key_required=True,
        ),
        ProviderSpec(
            "pseudo", lambda s, t, k: _PseudoEngine(), _normalise, limit=None, network=False
        ),
    )
}


# -- failures -----------------------------------------------------------------------------------


class _Fatal(Exception):
    """The provider cannot be used: stop the run (becomes a MachineError)."""


class _Aborted(Exception):
    """Another job failed fatally; this one stops before sending anything more."""


class _Retry(Exception):
    """A transient failure: try the same call again after a while."""

    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.wait = wait


class _TextProblem(Exception):
    """The provider refused or botched this one text; the others go on."""


def _one_line(text: object, limit: int = 160) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _causes(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        e = stack.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        stack.extend((e.__cause__, e.__context__, getattr(e, "reason", None)))
        stack.extend(a for a in e.args if isinstance(a, BaseException))


def _transport_failure(exc: BaseException, timeout: float) -> Exception:
    """Classify an exception from requests into _Fatal or _Retry."""
    if isinstance(exc, requests.exceptions.Timeout):
        return _Retry(f"no answer within {timeout:g} s")
    chain = list(_causes(exc))
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in str(exc).lower():
        return _Fatal("connection refused")
    if any(isinstance(e, urllib3.exceptions.NameResolutionError) for e in chain):
        return _Fatal("cannot resolve the host name")
    if isinstance(exc, requests.exceptions.SSLError):
        return _Fatal(f"TLS error: {_one_line(exc, 100)}")
    if any(isinstance(e, urllib3.exceptions.NewConnectionError) for e in chain):
        return _Fatal(f"cannot connect: {_one_line(exc, 100)}")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return _Retry("connection reset")
    return _Fatal(f"request failed: {_one_line(exc, 100)}")


def _body_detail(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason or ""
    if isinstance(data, dict):
        for key in ("error", "message", "responseDetails", "detail", "error_msg"):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("message")
            if value:
                return _one_line(value, 120)
    return response.reason or ""


def _retry_after(response: requests.Response) -> float | None:
    try:
        return min(60.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _status_failure(status: int, detail: str, response: requests.Response | None) -> Exception:
    """Classify an HTTP status (or one reported in the body) into _Retry, _Fatal, _TextProblem."""
    what = f"HTTP {status}" + (f" ({detail})" if detail else "")
    if status == 429 or status >= 500:
        return _Retry(what, _retry_after(response) if response is not None else None)
    if re.search(r"language|not supported|invalid.*pair", detail, re.IGNORECASE):
        return _Fatal(what)
    if status in (401, 403):
        return _Fatal(f"{what}: the API key was refused or is missing")
    return _TextProblem(what)


_SERVER_CODES = {message: code for code, message in dt_exceptions.ServerException.errors.items()}


def _exception_failure(exc: BaseException) -> Exception:
    """Classify a deep-translator exception when no HTTP status explains it."""
    if isinstance(exc, json.JSONDecodeError):
        return _Retry("the answer is not valid JSON")
    if isinstance(exc, dt_exceptions.TooManyRequests):
        return _Retry("HTTP 429 (too many requests)")
    if isinstance(exc, dt_exceptions.ServerException):
        message = str(exc.args[0]) if exc.args else ""
        return _status_failure(_SERVER_CODES.get(message, 500), message, None)
    if isinstance(exc, dt_exceptions.AuthorizationException | dt_exceptions.ApiKeyException):
        return _Fatal("the API key was refused or is missing")
    if isinstance(exc, dt_exceptions.LanguageNotSupportedException):
        return _Fatal(f"language not supported: {_one_line(exc.val)}")
    if isinstance(exc, dt_exceptions.TranslationNotFound | dt_exceptions.NotValidLength):
        return _TextProblem(_one_line(getattr(exc, "message", exc)))
    if isinstance(exc, ImportError):
        return _Fatal(f"a package is missing: {_one_line(exc)}")
    text = _one_line(exc, 120)
    if re.search(r"frequency|too many|rate limit", text, re.IGNORECASE):
        return _Retry(text)
    return _Fatal(f"{type(exc).__name__}: {text}")


# -- the translator -----------------------------------------------------------------------------


@dataclass
class _Job:
    source: str  # normalised locale code of the text's language
    shielded: Shielded
    indices: list[int]  # the requests this job answers
    spacing: dict[int, tuple[str, str]] = field(default_factory=dict)  # index -> (lead, trail)


class MachineTranslator:
    """Translates lists of msgids with one provider and one target language.

    ``protected`` holds the glossary's do-not-translate terms; they come back verbatim or the
    result is dropped. Use as a context manager, or call close(), to release the cache.
    """

    def __init__(self, config: MachineConfig, protected: Iterable[str] = ()):
        if config.provider not in PROVIDERS:
            known = ", ".join(sorted(PROVIDERS))
            err = MachineError(f"unknown machine provider {config.provider!r} (known: {known})")
            err.partial = []
            raise err
        self.config = config
        self.spec = PROVIDERS[config.provider]
        self.shield = Shield(protected)
        self.stats = Stats()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._prepared = False
        self._key: str | None = None
        self._target_code: str | None = None
        self._server_codes: set[str] | None = None
        self._where = config.url or ""
        self._db: sqlite3.Connection | None = None
        if config.cache_path:
            Path(config.cache_path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(config.cache_path, check_same_thread=False, timeout=30)
            with self._db:
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS translations (provider TEXT NOT NULL, "
                    "source TEXT NOT NULL, target TEXT NOT NULL, text TEXT NOT NULL, "
                    "translation TEXT NOT NULL, PRIMARY KEY (provider, source, target, text))"
                )

    # -- public ---------------------------------------------------------------------------------

    def translate(
        self, requests: list[Request], progress: Callable[[int], None] | None = None
    ) -> list[Result]:
        """Translate the requests; the results come in the same order. ``progress(n)`` is called
        with the number of requests just finished (the calls add up to ``len(requests)``).

        Raises MachineError (one line) when the provider fails as a whole; its ``partial``
        attribute lists the Result of every request finished before that, None for the others.
        """
        results: list[Result | None] = [None] * len(requests)
        jobs: dict[tuple[str, str], _Job] = {}
        for i, req in enumerate(requests):
            source = _normalise(req.source or self.config.source)
            core = req.text.strip()
            job = jobs.get((source, core))
            if job is None:
                job = jobs[(source, core)] = _Job(source, self.shield.protect(core), [])
            job.indices.append(i)
            lead = req.text[: len(req.text) - len(req.text.lstrip())]
            job.spacing[i] = (lead, req.text[len(req.text.rstrip()) :] if core else "")

        pending: list[_Job] = []
        done_now = 0
        for job in jobs.values():
            answer, cached = self._settled(job)
            if answer is None:
                pending.append(job)
                continue
            self._finish(job, answer, None, cached, results, store=False)
            done_now += len(job.indices)
        if progress and done_now:
            progress(done_now)
        if not pending:
            return results  # type: ignore[return-value]

        try:
            self._prepare()
            runnable = []
            for job in pending:
                problem = self._source_problem(job)
                if problem == "same":
                    self._finish(job, job.shielded.text, None, False, results, store=False)
                elif problem:
                    self._finish(job, None, problem, False, results)
                else:
                    runnable.append(job)
                    continue
                if progress:
                    progress(len(job.indices))
        except _Fatal as e:
            raise self._error(str(e), results) from None
        self._run(runnable, results, progress)
        return results  # type: ignore[return-value]

    def close(self) -> None:
        """Close the cache."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> MachineTranslator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- planning -------------------------------------------------------------------------------

    def _settled(self, job: _Job) -> tuple[str | None, bool]:
        """An answer that needs no call: the text itself (nothing to translate) or the cache's."""
        if not any(ch.isalpha() for ch in job.shielded.text):
            return job.shielded.text, False
        cached = self._cache_get(job)
        if cached is not None and self.shield.restore(cached, job.shielded)[1] is None:
            return cached, True
        return None, False

    def _prepare(self) -> None:
        """Check the key, the languages and (for LibreTranslate) the server, once."""
        if self._prepared:
            return
        spec, cfg = self.spec, self.config
        if spec.name == "chatgpt":
            if cfg.url:
                raise _Fatal("chatgpt does not take a provider URL")
            if importlib.util.find_spec("openai") is None:
                raise _Fatal("chatgpt needs the openai package, which is not installed")
        self._key = self._resolve_key()
        if spec.key_required and not self._key:
            names = " and ".join(spec.key_env)
            raise _Fatal(f"{spec.name} needs an API key: pass one or set {names}")
        self._target_code = spec.code(cfg.target)
        if not self._target_code:
            raise _Fatal(f"{spec.name} does not support the target language {cfg.target!r}")
        source_code = self._source_code(_normalise(cfg.source))
        if not source_code:
            raise _Fatal(f"{spec.name} does not support the source language {cfg.source!r}")
        if spec.network:
            _install_transport()
        probe = self._build(source_code)  # fails here, once, if the class refuses the settings
        if cfg.url:
            self._where = cfg.url
        else:
            parts = urlsplit(str(getattr(probe, "_base_url", "") or ""))
            self._where = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
        if spec.name == "libre":
            codes = self._server_codes = self._libre_languages(probe._base_url)
            if codes is not None:
                offered = f"it offers {', '.join(sorted(codes))}"
                if self._target_code not in codes:
                    raise _Fatal(
                        f"the server does not offer the target language {cfg.target!r}; {offered}"
                    )
                if source_code not in codes | {"auto"}:
                    raise _Fatal(
                        f"the server does not offer the source language {cfg.source!r}; {offered}"
                    )
        self._prepared = True

    def _resolve_key(self) -> str | None:
        if self.config.api_key:
            return self.config.api_key
        values = [os.environ.get(name, "").strip() for name in self.spec.key_env]
        if not values or not all(values):
            return None
        return ":".join(values)

    def _source_code(self, source: str) -> str | None:
        return "auto" if source == "auto" else self.spec.code(source)

    def _source_problem(self, job: _Job) -> str | None:
        """None when the job can be sent; "same" when source and target languages are one; else
        why this text cannot be translated."""
        if self.spec.name == "pseudo":
            return None
        code = self._source_code(job.source)
        if not code:
            return f"{self.spec.name} does not support the source language {job.source!r}"
        if self._server_codes is not None and code not in self._server_codes | {"auto"}:
            return f"the server does not offer the source language {job.source!r}"
        if code == self._target_code:
            return "same"
        return None

    def _libre_languages(self, base_url: str) -> set[str] | None:
        """The codes a LibreTranslate server offers (GET /languages), or None when it won't say
        (an old server, a proxy); only a connection that cannot be made at all is fatal."""
        try:
            response = requests.get(base_url + "languages", timeout=self.config.timeout)
        except requests.exceptions.RequestException as e:
            failure = _transport_failure(e, self.config.timeout)
            if isinstance(failure, _Fatal):
                raise failure from None
            return None
        try:
            data = response.json() if response.ok else None
            return {str(item["code"]) for item in data} if isinstance(data, list) else None
        except (ValueError, TypeError, KeyError):
            return None

    def _build(self, source_code: str) -> Any:
        try:
            translator = self.spec.build(source_code, self._target_code or "", self._key)
        except _Fatal:
            raise
        except Exception as e:  # the class refused the settings: a key, a language, …
            failure = _exception_failure(e)
            raise (failure if isinstance(failure, _Fatal) else _Fatal(str(failure))) from None
        if self.config.url and self.spec.network:
            translator._base_url = _with_root(translator._base_url, self.config.url)
        return translator

    # -- running --------------------------------------------------------------------------------

    def _run(
        self,
        jobs: list[_Job],
        results: list[Result | None],
        progress: Callable[[int], None] | None,
    ) -> None:
        if not jobs:
            return
        abort = threading.Event()
        fatal: str | None = None
        workers = max(1, min(self.config.concurrency, len(jobs)))
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="machine")
        try:
            futures = {executor.submit(self._job, job, abort): job for job in jobs}
            for future in as_completed(futures):
                job = futures[future]
                try:
                    answer, problem = future.result()
                except _Aborted:
                    continue
                except _Fatal as e:
                    if fatal is None:
                        fatal = str(e)
                        abort.set()
                    continue
                self._finish(job, answer, problem, False, results)
                if progress:
                    progress(len(job.indices))
        finally:
            abort.set()
            executor.shutdown(wait=True)
        if fatal is not None:
            raise self._error(fatal, results)

    def _job(self, job: _Job, abort: threading.Event) -> tuple[str | None, str | None]:
        """Translate one text, chunk by chunk. Returns (answer with tokens, None) or
        (None, problem); raises _Fatal or _Aborted."""
        try:
            code = self._source_code(job.source) or job.source
            translator = self._translator(code)
            pieces = []
            for chunk, sep in split_text(job.shielded.text, self.spec.limit):
                pieces.append(self._call(translator, chunk, abort) + sep)
            return "".join(pieces), None
        except _TextProblem as e:
            return None, str(e)
        except _Aborted:
            raise
        except _Fatal:
            abort.set()  # at once, so that this worker's next job sends nothing
            raise
        except Exception as e:  # a bug must not escape as anything but a MachineError
            abort.set()
            raise _Fatal(f"unexpected {type(e).__name__}: {_one_line(e, 120)}") from None

    def _translator(self, source_code: str) -> Any:
        """One translator per thread and source language (deep-translator's instances keep the
        query parameters of the last call, so they must not be shared)."""
        cache = self._local.__dict__.setdefault("translators", {})
        if source_code not in cache:
            cache[source_code] = self._build(source_code)
        return cache[source_code]

    def _call(self, translator: Any, text: str, abort: threading.Event) -> str:
        """One chunk through deep-translator, retried with exponential backoff."""
        cfg = self.config
        delay = cfg.backoff
        attempt = 0
        while True:
            if abort.is_set():
                raise _Aborted()
            with self._lock:
                self.stats.requests += 1
                self.stats.characters += len(text)
            try:
                return self._attempt(translator, text)
            except _Retry as e:
                if attempt >= cfg.retries:
                    tries = f"{attempt + 1} attempt" + ("s" if attempt else "")
                    raise _Fatal(f"{e}, still failing after {tries}") from None
                wait = max(delay, e.wait or 0.0)
                attempt += 1
                delay *= 2
                if abort.wait(wait):
                    raise _Aborted() from None

    def _attempt(self, translator: Any, text: str) -> str:
        _CALL.active, _CALL.timeout = True, self.config.timeout
        _CALL.response, _CALL.error = None, None
        exc: BaseException | None = None
        answer: Any = None
        try:
            answer = translator.translate(text, **self.spec.translate_kwargs)
        except Exception as e:
            exc = e
        finally:
            _CALL.active = False
        response, transport_error = _CALL.response, _CALL.error
        if transport_error is not None:
            raise _transport_failure(transport_error, self.config.timeout)
        if isinstance(exc, requests.exceptions.RequestException) and response is None:
            raise _transport_failure(exc, self.config.timeout)
        if response is not None:
            status = _Status(response)
            if not response.ok:
                raise status.failure()
            if self.spec.status_in_body is not None:
                reported = self.spec.status_in_body(response)
                if reported is not None:
                    raise _status_failure(reported[0], reported[1], response)
        if exc is not None:
            raise _exception_failure(exc)
        if isinstance(answer, list) and all(isinstance(a, str) for a in answer):
            answer = "\n".join(answer)  # YandexTranslator returns the API's list as it is
        if not isinstance(answer, str) or (not answer.strip() and text.strip()):
            raise _TextProblem("the machine's answer holds no translation")
        return answer.strip()

    # -- results --------------------------------------------------------------------------------

    def _finish(
        self,
        job: _Job,
        answer: str | None,
        problem: str | None,
        cached: bool,
        results: list[Result | None],
        store: bool = True,
    ) -> None:
        text = None
        if answer is not None:
            text, problem = self.shield.restore(answer, job.shielded)
            if text is not None and store and not cached:
                self._cache_put(job, answer)
        with self._lock:
            if text is None:
                self.stats.failed += len(job.indices)
            elif cached:
                self.stats.cache_hits += len(job.indices)
        for i in job.indices:
            if text is None:
                results[i] = Result(text=None, error=problem, cached=cached)
            else:
                lead, trail = job.spacing[i]
                results[i] = Result(text=lead + text + trail, error=None, cached=cached)

    def _error(self, reason: str, results: list[Result | None]) -> MachineError:
        where = self._where or self.config.url
        name = f"{self.spec.name} at {where}" if where else self.spec.name
        err = MachineError(_one_line(f"{name}: {reason}", 300))
        err.partial = list(results)
        return err

    # -- cache ----------------------------------------------------------------------------------

    def _cache_key(self, job: _Job) -> tuple[str, str, str, str]:
        return (self.spec.name, job.source, _normalise(self.config.target), job.shielded.text)

    def _cache_get(self, job: _Job) -> str | None:
        if self._db is None:
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT translation FROM translations WHERE provider = ? AND source = ? "
                "AND target = ? AND text = ?",
                self._cache_key(job),
            ).fetchone()
        return row[0] if row else None

    def _cache_put(self, job: _Job, answer: str) -> None:
        if self._db is None:
            return
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO translations (provider, source, target, text, translation)"
                " VALUES (?, ?, ?, ?, ?)",
                (*self._cache_key(job), answer),
            )


class _Status:
    """An HTTP answer that was not 2xx, classified."""

    def __init__(self, response: requests.Response):
        self.response = response
        self.code = response.status_code

    def failure(self) -> Exception:
        return _status_failure(self.code, _body_detail(self.response), self.response)


def _with_root(default_url: str, root: str) -> str:
    """deep-translator's URL with its scheme and host replaced by ``root`` (which may carry a path
    prefix): ("https://api.mymemory.translated.net/get", "http://127.0.0.1:5000") ->
    "http://127.0.0.1:5000/get"."""
    parts = urlsplit(default_url)
    path = parts.path or "/"
    return root.rstrip("/") + path + (f"?{parts.query}" if parts.query else "")
