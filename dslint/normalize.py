"""Text normalisation shared by every check that compares texts (duplicates, leakage, label
conflicts, equal preference sides): NFKC, case-folded, punctuation dropped, whitespace collapsed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_PUNCT_OR_SPACE = re.compile(r"[\W_]+", re.UNICODE)
# The same for ASCII text, where NFKC changes nothing and casefold is lower: twice as fast.
_ASCII_NON_ALNUM = str.maketrans({chr(i): " " for i in range(128) if not chr(i).isalnum()})
_ASCII_KEEP_NUL = str.maketrans({chr(i): " " for i in range(1, 128) if not chr(i).isalnum()})


def normalize_text(text: str) -> str:
    """'  Hello,   WORLD!! ' → 'hello world'. Letters and digits of every script are kept."""
    if text.isascii():
        return " ".join(text.lower().translate(_ASCII_NON_ALNUM).split())
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _PUNCT_OR_SPACE.sub(" ", folded).strip()


def normalize_texts(texts: Sequence[str]) -> list[str]:
    """``normalize_text`` of each text; the ASCII ones in one pass over them all, joined by NULs
    (which the ASCII pass keeps, so the joined result splits back into the texts)."""
    out = list(texts)
    plain = [i for i, t in enumerate(texts) if t.isascii()]
    joined = "\0".join(texts[i] for i in plain)
    if joined.count("\0") == len(plain) - 1:  # no NUL inside a text
        pieces = " ".join(joined.lower().translate(_ASCII_KEEP_NUL).split()).split("\0")
        for i, piece in zip(plain, pieces):
            out[i] = piece.strip()
        rest = (i for i, t in enumerate(texts) if not t.isascii())
    else:
        rest = range(len(texts))
    for i in rest:
        out[i] = normalize_text(texts[i])
    return out


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    norm = normalize_text(text)
    return norm.split(" ") if norm else []
