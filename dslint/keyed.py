"""Keyed condensing: what lets a cluster merge the states of relational checks (duplicates,
leakage) without gathering a row per record.

A row that shares no key with another row can neither produce a finding nor change another row's
finding. A check that says so implements ``KeyedCheck``: ``keys(state)`` gives its 64-bit keys
(hashes, LSH band keys, n-grams), each with the row holding it and optionally a side (the split);
``condensed(state, rows)`` keeps only the given rows, plus the counts its figures need.

The steps, each a pure function on arrays so any executor can run them where the states are:
``tallies`` cuts one shard's keys into ``parts`` by hash; ``hot_keys`` takes one part from every
shard and returns the keys held by two or more rows (by rows on two different sides, for sided
keys); ``condense`` keeps the rows of a shard that hold a hot key. The condensed states then merge
as usual. Which rows are kept never depends on the number of shards or parts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np


class Keys(NamedTuple):
    values: np.ndarray  # uint64, one per entry
    rows: np.ndarray  # int64: the state's row holding the entry
    sides: np.ndarray | None = None  # int8; when given, a key is hot only when seen on two sides


class Tally(NamedTuple):
    """One shard's distinct (value, side) pairs of a key set, with their row counts capped at 2."""

    values: np.ndarray
    sides: np.ndarray
    counts: np.ndarray
    sided: bool


@runtime_checkable
class KeyedCheck(Protocol):
    def keys(self, state: Any) -> dict[str, Keys]: ...

    def condensed(self, state: Any, rows: np.ndarray) -> Any: ...


def tallies(keys: Mapping[str, Keys], parts: int) -> list[dict[str, Tally]]:
    """A shard's keys as ``parts`` pieces by hash: piece p holds the keys with ``value % parts == p``."""
    out: list[dict[str, Tally]] = [{} for _ in range(parts)]
    for name, k in keys.items():
        sides = k.sides if k.sides is not None else np.zeros(len(k.values), dtype=np.int8)
        values, sides, counts = _distinct(k.values.astype(np.uint64), sides.astype(np.int8), np.ones(len(k.values), dtype=np.int64))
        part = values % np.uint64(parts)
        for p in range(parts):
            sel = part == p
            out[p][name] = Tally(values[sel], sides[sel], counts[sel].astype(np.uint8), k.sides is not None)
    return out


def hot_keys(pieces: Sequence[Mapping[str, Tally]]) -> dict[str, np.ndarray]:
    """From the same piece of every shard: per key set, the sorted keys that matter."""
    out: dict[str, np.ndarray] = {}
    for name in sorted({name for piece in pieces for name in piece}):
        got = [piece[name] for piece in pieces if name in piece]
        values, sides, counts = _distinct(
            np.concatenate([t.values for t in got]), np.concatenate([t.sides for t in got]), np.concatenate([t.counts for t in got]).astype(np.int64)
        )
        if len(values) == 0:
            out[name] = values
            continue
        start = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
        end = np.concatenate((start[1:], [len(values)])) - 1
        if any(t.sided for t in got):
            hot = sides[start] != sides[end]  # sorted by side within a key: first and last differ
        else:
            hot = np.add.reduceat(counts, start) >= 2
        out[name] = values[start[hot]]
    return out


def rows_holding(keys: Mapping[str, Keys], hot: Sequence[Mapping[str, np.ndarray]]) -> np.ndarray:
    """The sorted rows holding at least one key of ``hot`` (the hot keys of every part)."""
    found = [np.empty(0, dtype=np.int64)]
    for name, k in keys.items():
        wanted = np.sort(np.concatenate([h[name] for h in hot if name in h] or [np.empty(0, dtype=np.uint64)]))
        if len(wanted) == 0 or len(k.values) == 0:
            continue
        at = np.minimum(np.searchsorted(wanted, k.values), len(wanted) - 1)
        found.append(k.rows[wanted[at] == k.values].astype(np.int64))
    return np.unique(np.concatenate(found))


def condense(check: KeyedCheck, state: Any, hot: Sequence[Mapping[str, np.ndarray]]) -> Any:
    """The state with only the rows that hold a hot key."""
    return check.condensed(state, rows_holding(check.keys(state), hot))


def _distinct(values: np.ndarray, sides: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (value, side) pairs sorted by value then side, their counts summed and capped at 2."""
    if len(values) == 0:
        return values.astype(np.uint64), sides.astype(np.int8), counts
    order = np.lexsort((sides, values))
    values, sides, counts = values[order], sides[order], counts[order]
    start = np.flatnonzero(np.concatenate(([True], (values[1:] != values[:-1]) | (sides[1:] != sides[:-1]))))
    return values[start], sides[start], np.minimum(np.add.reduceat(counts, start), 2)
