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

from dslint.arrays import sorted_unique


_SIDE = np.uint64(3)  # the low two bits of a tallied key hold its side


class Keys(NamedTuple):
    values: np.ndarray  # uint64, one per entry
    rows: np.ndarray  # int64: the state's row holding the entry
    sides: np.ndarray | None = None  # 0..3; when given, a key is hot only when seen on two sides


class Tally(NamedTuple):
    """One shard's distinct keys of a key set, each with its side in the low two bits (keys are
    compared on their other 62 bits: a collision there only keeps a row more), and how many
    rows hold it, capped at 2."""

    keys: np.ndarray
    counts: np.ndarray
    sided: bool


@runtime_checkable
class KeyedCheck(Protocol):
    def keys(self, state: Any) -> dict[str, Keys]:
        """Per key set (content, band, ...), the keys of the state's rows."""
        ...

    def condensed(self, state: Any, rows: np.ndarray) -> Any:
        """The state with only ``rows``, finalizing to the same findings and stats."""
        ...


def tallies(keys: Mapping[str, Keys], parts: int) -> list[dict[str, Tally]]:
    """A shard's keys as ``parts`` pieces by hash."""
    out: list[dict[str, Tally]] = [{} for _ in range(parts)]
    for name, k in keys.items():
        packed = k.values.astype(np.uint64) & ~_SIDE
        if k.sides is not None:
            assert len(k.sides) == 0 or int(k.sides.max()) <= 3, "at most four sides"
            packed |= k.sides.astype(np.uint64)
        packed, counts = _distinct(packed)
        part = (packed >> np.uint64(2)) % np.uint64(parts)
        for p in range(parts):
            sel = part == p
            out[p][name] = Tally(packed[sel], counts[sel].astype(np.uint8), k.sides is not None)
    return out


def hot_keys(pieces: Sequence[Mapping[str, Tally]]) -> dict[str, np.ndarray]:
    """From the same piece of every shard: per key set, the sorted keys (side bits cleared) held
    by two rows, or by rows on two sides."""
    out: dict[str, np.ndarray] = {}
    for name in sorted({name for piece in pieces for name in piece}):
        got = [piece[name] for piece in pieces if name in piece]
        packed = np.sort(np.concatenate([t.keys for t in got]))
        key = packed & ~_SIDE
        if any(t.sided for t in got):
            # sorted, so a key's entries run from its smallest side to its largest
            first = np.concatenate(([True], key[1:] != key[:-1])) if len(key) else np.empty(0, dtype=bool)
            last = np.concatenate((first[1:], [True])) if len(key) else first
            hot = key[first][packed[first] != packed[last]]
        else:
            twice = np.concatenate([t.keys[t.counts >= 2] for t in got])  # two rows in one shard
            again = key[1:][key[1:] == key[:-1]]  # one row in each of two shards
            hot = sorted_unique(np.concatenate((twice & ~_SIDE, again)))
        out[name] = hot
    return out


def rows_holding(keys: Mapping[str, Keys], hot: Sequence[Mapping[str, np.ndarray]]) -> np.ndarray:
    """The sorted rows holding at least one key of ``hot`` (the hot keys of every piece)."""
    found = [np.empty(0, dtype=np.int64)]
    for name, k in keys.items():
        wanted = np.sort(np.concatenate([h[name] for h in hot if name in h] or [np.empty(0, dtype=np.uint64)]))
        if len(wanted) == 0 or len(k.values) == 0:
            continue
        values = k.values.astype(np.uint64) & ~_SIDE
        at = np.minimum(np.searchsorted(wanted, values), len(wanted) - 1)
        found.append(k.rows[wanted[at] == values].astype(np.int64))
    return sorted_unique(np.concatenate(found))


def condense(check: KeyedCheck, state: Any, hot: Sequence[Mapping[str, np.ndarray]]) -> Any:
    """The state with only the rows that hold a hot key."""
    return check.condensed(state, rows_holding(check.keys(state), hot))


def _distinct(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct packed keys, sorted, with how many times each occurs, capped at 2."""
    packed = np.sort(packed)
    if len(packed) == 0:
        return packed, np.empty(0, dtype=np.int64)
    start = np.flatnonzero(np.concatenate(([True], packed[1:] != packed[:-1])))
    return packed[start], np.minimum(np.diff(np.append(start, len(packed))), 2)
