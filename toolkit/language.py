"""Language identification for short texts (lingua), with the restraint a QA tool needs.

A finding about language must never fire on a one-word heading, a drug name or a term that is
the same in both languages. So a text is only identified when it has enough words and letters,
and only when the detector is confident; otherwise the answer is "don't know" (None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .placeholders import strip as strip_placeholders

_WORD = re.compile(r"[^\W\d_]{2,}")
_URLISH = re.compile(r"\S+://\S+|www\.\S+|\S+@\S+")
EXTRA_LANGUAGES = ("en", "nl", "de", "fr", "es", "it", "pt", "tr")


@dataclass(frozen=True)
class Identified:
    language: str  # ISO 639-1 code
    confidence: float
    target_confidence: float  # the confidence for the language the text should be in


@lru_cache(maxsize=8)
def _detector(codes: tuple[str, ...]):
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    isos = []
    for code in codes:
        try:
            isos.append(getattr(IsoCode639_1, code.upper()))
        except AttributeError:
            continue
    return LanguageDetectorBuilder.from_iso_codes_639_1(*isos).build()


class Identifier:
    """Identifies the language of texts among the project's languages and a few common ones."""

    def __init__(
        self, languages, min_words: int = 3, min_letters: int = 20, min_confidence: float = 0.75
    ):
        codes = {c.split("_")[0].lower() for c in languages} | set(EXTRA_LANGUAGES)
        self.codes = tuple(sorted(codes))
        self.min_words = min_words
        self.min_letters = min_letters
        self.min_confidence = min_confidence

    def clean(self, text: str) -> str:
        return " ".join(_URLISH.sub(" ", strip_placeholders(text)).split())

    def eligible(self, text: str) -> bool:
        words = _WORD.findall(text)
        return len(words) >= self.min_words and sum(len(w) for w in words) >= self.min_letters

    def identify_many(self, texts: list[str], expected: str) -> list[Identified | None]:
        """The language of each text, or None where the text is too short or the detector is
        not confident. ``expected`` is the language the texts should be in."""
        cleaned = [self.clean(t) for t in texts]
        todo = [i for i, t in enumerate(cleaned) if self.eligible(t)]
        results: list[Identified | None] = [None] * len(texts)
        if not todo:
            return results
        detector = _detector(self.codes)
        expected = expected.split("_")[0].lower()
        values = detector.compute_language_confidence_values_in_parallel([cleaned[i] for i in todo])
        for i, conf in zip(todo, values, strict=True):
            if not conf:
                continue
            top = conf[0]
            code = top.language.iso_code_639_1.name.lower()
            target = next(
                (c.value for c in conf if c.language.iso_code_639_1.name.lower() == expected), 0.0
            )
            if top.value >= self.min_confidence:
                results[i] = Identified(code, top.value, target)
        return results


def language_name(code: str) -> str:
    from babel import Locale

    try:
        return Locale.parse(code).english_name
    except Exception:
        return code
