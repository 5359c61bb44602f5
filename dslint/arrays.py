"""NumPy (and Arrow) helpers the checks share."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa


def sorted_unique(values: np.ndarray, *, overwrite: bool = False) -> np.ndarray:
    """``np.unique(values)`` by sorting: numpy 2.3+ takes a hash-table path for ``np.unique``
    that is 100-150 times slower on millions of integers (2M values: 3.3 s against 0.02 s).
    ``overwrite``: ``values`` (one-dimensional) is the caller's scratch, sorted in place, not copied."""
    if overwrite:
        values.sort()
        ordered = values
    else:
        ordered = np.sort(values, axis=None)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered if keep.all() else ordered[keep]  # often all distinct (hashes): no second copy


def arrow_strings(texts: Sequence[str]) -> pa.LargeStringArray:
    """The texts as an Arrow string array, built from its buffers: ``pa.array`` on a list imports
    pandas when it is installed (to ask whether the list is a pandas object), which costs a
    quarter of a second and 40 MB. Raises ``UnicodeError`` for a lone surrogate, as it does."""
    encoded = [text.encode() for text in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    return pa.LargeStringArray.from_buffers(len(encoded), pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded)))


def arrow_take(array: pa.Array, rows: Sequence[int] | np.ndarray) -> pa.Array:
    """The elements of ``array`` at ``rows``, copied in C: for strings, many times cheaper than
    encoding them again. The indices go in as a buffer (``pa.array`` imports pandas)."""
    index = np.asarray(rows, dtype=np.int64)
    return array.take(pa.Array.from_buffers(pa.int64(), len(index), [None, pa.py_buffer(index)]))


def ascii_leads(array: pa.LargeStringArray) -> list[int]:
    """Per string, ``ord(s[0].lower())`` when ``s[:2].isascii() and s[:1].isalnum()``, else 0,
    read from the UTF-8 bytes at C speed: a lead byte below 0x80 is an ASCII character."""
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64, count=len(array) + 1, offset=array.offset * 8)
    data = array.buffers()[2]
    padded = np.zeros(len(data) + 2 if data is not None else 2, dtype=np.uint8)  # room for s[1] of the last
    if data is not None:
        padded[: len(data)] = np.frombuffer(data, dtype=np.uint8)
    size = offsets[1:] - offsets[:-1]
    first, second = padded[offsets[:-1]], padded[offsets[:-1] + 1]
    folded = first | 0x20  # ASCII upper case to lower; no other byte lands on a-z
    letter = (folded >= ord("a")) & (folded <= ord("z"))
    digit = (first >= ord("0")) & (first <= ord("9"))
    lead = (size > 0) & (letter | digit) & ((size == 1) | (second < 0x80))
    return np.where(lead, np.where(letter, folded, first), 0).tolist()


def true_at(flags: pa.BooleanArray) -> np.ndarray:
    """A boolean Arrow array (no nulls) as a NumPy one, without ``to_numpy``, which imports pandas."""
    out = np.zeros(len(flags), dtype=bool)
    import pyarrow.compute as pc  # here: importing it costs a quarter of a second at startup

    hits = pc.indices_nonzero(flags)
    out[np.frombuffer(hits.buffers()[1], dtype=np.uint64, count=len(hits), offset=hits.offset * 8)] = True
    return out
