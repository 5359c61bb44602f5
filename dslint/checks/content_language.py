"""Language identification for DS813 language-mismatch, with py3langid (a maintained fork of
langid.py whose naive Bayes model over byte n-grams ships inside the wheel: offline, 97
languages, about 40 microseconds per short text).

The model is loaded on first use (about a second: it is stored compressed), so runs without a
long enough prompt/response pair never pay for it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

SAMPLE_CHARS = 1000  # identification looks at the start of a text only: enough, and bounded

# A prompt that asks for another language: a translation, or an answer "in French".
_LANGUAGE_NAMES = (
    "english|french|german|spanish|italian|portuguese|dutch|swedish|norwegian|danish|finnish|polish|czech"
    "|russian|ukrainian|greek|turkish|arabic|hebrew|persian|farsi|hindi|bengali|urdu|chinese|mandarin"
    "|cantonese|japanese|korean|vietnamese|thai|indonesian|malay|swahili|romanian|hungarian|catalan"
)
TRANSLATION_REQUEST = re.compile(
    r"translat|traduc|traduz|tradu[iï]|übersetz|переве|翻|번역|"
    rf"\b(?:in|into|to|using)\s(?:{_LANGUAGE_NAMES})\b|\b(?:{_LANGUAGE_NAMES})\s(?:version|text|words?|sentence)",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def letters(text: str) -> int:
    """Letters in the first SAMPLE_CHARS characters: digits, code symbols and spaces tell no language."""
    return sum(ch.isalpha() for ch in text[:SAMPLE_CHARS])


def identify(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, probability) of the text's language."""
    lang, prob = _identifier().classify(_SPACES.sub(" ", text[:SAMPLE_CHARS]))
    return str(lang), float(prob)
