"""NumPy helpers the checks share."""

from __future__ import annotations

import numpy as np


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
