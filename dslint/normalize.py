"""Text normalisation shared by every check that compares texts (duplicates, leakage, label
conflicts, equal preference sides): NFKC, case-folded, punctuation dropped, whitespace collapsed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import compress

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
    """``[normalize_text(t) for t in texts]``, done together in numpy: the ASCII texts as bytes,
    the others NFKC and case-folded first, as UTF-16 (twice and five times as fast as one text at
    a time: mapping characters and collapsing runs of spaces cost the most per text)."""
    is_ascii = list(map(str.isascii, texts))
    if all(is_ascii):
        return _ascii_together(texts)
    done = _ascii_together(list(compress(texts, is_ascii)))
    others = [i for i, a in enumerate(is_ascii) if not a]  # usually few: inserted in order
    for i, text in zip(others, _unicode_together([texts[i] for i in others])):
        done.insert(i, text)
    return done


def _ascii_together(texts: Sequence[str]) -> list[str]:
    codes = np.frombuffer("\x00".join(texts).encode("ascii").translate(_JOINED_TABLE), dtype=np.uint8)
    done = _collapse(codes).tobytes().decode("ascii").split("\x00")
    return done if len(done) == len(texts) else [normalize_text(t) for t in texts]  # a NUL in a text


def _unicode_together(texts: list[str]) -> list[str]:
    joined = "\x00".join([unicodedata.normalize("NFKC", t).casefold() for t in texts])
    data = joined.encode("utf-16-le", "surrogatepass")
    if len(data) != 2 * len(joined):  # characters beyond the BMP: two UTF-16 units
        return [normalize_text(t) for t in texts]
    codes = np.frombuffer(data, dtype=np.uint16)
    codes = np.where(_bmp_alnum()[codes] | (codes == 0), codes, np.uint16(32))
    done = _collapse(codes).tobytes().decode("utf-16-le").split("\x00")
    return done if len(done) == len(texts) else [normalize_text(t) for t in texts]  # a NUL in a text


def _collapse(codes: np.ndarray) -> np.ndarray:
    """Texts joined by NUL, letters and digits above 32, everything else 32 (a space): each text
    with runs of spaces made one and no leading or trailing spaces."""
    # Keep the first space of a run when a letter or digit comes before it (no leading spaces) ...
    space = codes == 32
    keep = ~space
    keep[1:] |= space[1:] & (codes[:-1] > 32)
    codes = codes[keep]
    # ... then drop the spaces before a separator or the end (trailing).
    space = codes == 32
    keep = ~space
    keep[:-1] |= space[:-1] & (codes[1:] > 32)
    return codes[keep]


@lru_cache(maxsize=1)
def _bmp_alnum() -> np.ndarray:
    """Per BMP code point, whether it is a letter or digit: what ``[\\W_]`` does not match."""
    return np.array([chr(c).isalnum() for c in range(0x10000)], dtype=bool)


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    norm = normalize_text(text)
    return norm.split(" ") if norm else []
