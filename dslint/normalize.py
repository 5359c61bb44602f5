"""Text normalisation shared by every check that compares texts (duplicates, leakage, label
conflicts, equal preference sides): NFKC, case-folded, punctuation dropped, whitespace collapsed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

_PUNCT_OR_SPACE = re.compile(r"[\W_]+", re.UNICODE)
# The same for ASCII text, where NFKC changes nothing and casefold is lower: one byte table maps
# capitals to lower case and everything but letters and digits to a space, then runs of spaces
# become one (a regex over bytes: three times as fast as the str methods and split/join).
_ASCII_TABLE = bytes(c + 32 if 65 <= c <= 90 else c if c < 128 and chr(c).isalnum() else 32 for c in range(256))
_SPACES = re.compile(b"  +")
# For a batch joined by NUL separators: NUL kept, so the texts can be split apart again.
_JOINED_TABLE = b"\x00" + _ASCII_TABLE[1:]


def normalize_text(text: str) -> str:
    """'  Hello,   WORLD!! ' → 'hello world'. Letters and digits of every script are kept."""
    if text.isascii():
        return _SPACES.sub(b" ", text.encode("ascii").translate(_ASCII_TABLE)).strip().decode("ascii")
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _PUNCT_OR_SPACE.sub(" ", folded).strip()


def normalize_texts(texts: Sequence[str]) -> list[str]:
    """``[normalize_text(t) for t in texts]``, with the ASCII texts done together in numpy: twice
    as fast as one at a time (the collapse of runs of spaces costs the most per text)."""
    ascii_texts = [t for t in texts if t.isascii()]
    joined = "\x00".join(ascii_texts)
    if not joined or joined.count("\x00") != len(ascii_texts) - 1:  # nothing to do, or a NUL in a text
        return [normalize_text(t) for t in texts]
    codes = np.frombuffer(joined.encode("ascii").translate(_JOINED_TABLE), dtype=np.uint8)
    # Letters and digits are above 32, spaces 32, separators 0. Keep the first space of a run
    # when a letter or digit comes before it (no leading spaces, runs of one) ...
    space = codes == 32
    keep = ~space
    keep[1:] |= space[1:] & (codes[:-1] > 32)
    codes = codes[keep]
    # ... then drop the spaces before a separator or the end (trailing).
    space = codes == 32
    keep = ~space
    keep[:-1] |= space[:-1] & (codes[1:] > 32)
    done = iter(codes[keep].tobytes().decode("ascii").split("\x00"))
    if len(ascii_texts) == len(texts):
        return list(done)
    return [next(done) if t.isascii() else normalize_text(t) for t in texts]


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    norm = normalize_text(text)
    return norm.split(" ") if norm else []
