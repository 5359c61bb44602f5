"""Text normalisation shared by every check that compares texts (duplicates, leakage, label
conflicts, equal preference sides): NFKC, case-folded, punctuation dropped, whitespace collapsed."""

from __future__ import annotations

import re
import unicodedata

_PUNCT_OR_SPACE = re.compile(r"[\W_]+", re.UNICODE)
# The same for ASCII text, where NFKC changes nothing and casefold is lower: twice as fast.
_ASCII_NON_ALNUM = str.maketrans({chr(i): " " for i in range(128) if not chr(i).isalnum()})


def normalize_text(text: str) -> str:
    """'  Hello,   WORLD!! ' → 'hello world'. Letters and digits of every script are kept."""
    if text.isascii():
        return " ".join(text.lower().translate(_ASCII_NON_ALNUM).split())
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _PUNCT_OR_SPACE.sub(" ", folded).strip()


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    norm = normalize_text(text)
    return norm.split(" ") if norm else []
