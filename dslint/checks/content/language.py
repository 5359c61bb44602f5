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

# Identification looks at the start of a text only: 300 characters tell the language reliably, and
# py3langid's cost grows with the length (a Python loop over the UTF-8 bytes).
SAMPLE_CHARS = 300

# A prompt that asks for another language: a translation, or an answer "in French" (lower case).
_LANGUAGE_NAMES = (
    "english|french|german|spanish|italian|portuguese|dutch|swedish|norwegian|danish|finnish|polish|czech"
    "|russian|ukrainian|greek|turkish|arabic|hebrew|persian|farsi|hindi|bengali|urdu|chinese|mandarin"
    "|cantonese|japanese|korean|vietnamese|thai|indonesian|malay|swahili|romanian|hungarian|catalan"
)
_TRANSLATION_REQUEST = re.compile(
    r"translat|traduc|traduz|tradu[iï]|übersetz|переве|翻|번역|"
    rf"\b(?:in|into|to|using)\s(?:{_LANGUAGE_NAMES})\b|\b(?:{_LANGUAGE_NAMES})\s(?:version|text|words?|sentence)"
)
_SPACES = re.compile(r"\s+")
_NON_LETTERS = re.compile(r"[\W\d_]+")
# English function words: two texts that both use several of them are both English, the common case,
# which then needs no identification at all.
_ENGLISH_WORDS = re.compile(r"\b(?:the|and|is|are|to|of|you|that|it|for|with|this|what|how|can|be|do|in|on|my|your|have)\b")


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def sample(text: str) -> str:
    """The lower-cased start of a text with whitespace collapsed: what the functions below read."""
    return _SPACES.sub(" ", text[:SAMPLE_CHARS]).lower()


def letters(sampled: str) -> int:
    """Letters in the sample: digits, code symbols and spaces tell no language."""
    return len(_NON_LETTERS.sub("", sampled))


def surely_english(sampled: str) -> bool:
    """Five or more distinct English function words in the sample."""
    return len(set(_ENGLISH_WORDS.findall(sampled))) >= 5


def asks_for_translation(prompt: str) -> bool:
    """The request is usually at the start or the end of a prompt; long pasted texts sit between."""
    return bool(_TRANSLATION_REQUEST.search(prompt[:600].lower()) or _TRANSLATION_REQUEST.search(prompt[-600:].lower()))


def identify(sampled: str) -> tuple[str, float]:
    """(ISO 639-1 code, probability) of the sample's language."""
    lang, prob = _identifier().classify(sampled)
    return str(lang), float(prob)
