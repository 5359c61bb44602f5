"""Shared by the label and imbalance checks: label keys, record samples, splits and counts."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import xxhash

from dslint.finding import Location
from dslint.record import HASH_SEED, Record, canonical_json
from dslint.redact import quote

UNSPLIT = ""  # the group of records whose file has no split
TRAIN = "train"
UNSPLIT_STATS = "(unsplit)"  # how the unsplit group is named in stats


class Sample(NamedTuple):
    """Where a record is, enough to point at it later; orders by (file, index): record identity."""

    file: str
    index: int
    line: int | None
    split: str | None
    field: str | None = None

    def location(self) -> Location:
        return Location(file=self.file, line=self.line, record=self.index, field=self.field, split=self.split)


def sample_of(record: Record, field: str | None = None) -> Sample:
    return Sample(record.file, record.index, record.line, record.split, field)


def earlier(current: Sample | None, record: Record) -> bool:
    """True when ``record`` comes before ``current`` (checked before building a sample)."""
    return current is None or (record.file, record.index) < (current.file, current.index)


def first_of(a: Sample | None, b: Sample | None) -> Sample:
    """The earlier of two samples, at least one of which is set (merging per-key samples)."""
    if a is None or b is None:
        found = a if b is None else b
        assert found is not None, "first_of needs at least one sample"
        return found
    return min(a, b)


def split_key(record: Record) -> str:
    return record.split or UNSPLIT


def split_name(key: str) -> str:
    return f"split {quote(key)}" if key else "the unsplit records"


def eval_splits(keys: Iterable[str]) -> list[str]:
    """Every named split but train, sorted: what a model is evaluated on."""
    return sorted(k for k in keys if k not in (TRAIN, UNSPLIT))


def scalar_key(value: Any) -> str | None:
    """One label as a string key: strings as they are, JSON spelling for the rest, whole floats
    as integers (a column read as float64 must not split classes 1 and 1.0); None for no label."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    return canonical_json(value).decode("utf-8", "replace")


def label_keys(value: Any) -> tuple[str, ...]:
    """A label value as sorted, distinct keys: one per element of a multi-label list."""
    if isinstance(value, (list, tuple)):
        return tuple(sorted({k for k in map(scalar_key, value) if k is not None}))
    key = scalar_key(value)
    return () if key is None else (key,)


def record_label(record: Record) -> tuple[str | None, tuple[str, ...]]:
    """The record's label pointer and keys; (None, ()) when its format has no label."""
    if record.format is None:
        return None, ()
    found = record.format.label(record.data)
    if found is None:
        return None, ()
    ptr, value = found
    return ptr, label_keys(value)


def int_hash(text: str) -> int:
    """A compact 64-bit stable hash for large per-record states."""
    return xxhash.xxh3_64_intdigest(text.encode("utf-8", "surrogatepass"), seed=HASH_SEED)


def add_counts(a: Mapping[Any, int], b: Mapping[Any, int]) -> dict[Any, int]:
    """Sum two count maps, keeping zero counts and a sorted key order."""
    return {k: a.get(k, 0) + b.get(k, 0) for k in sorted(set(a) | set(b))}


def most_and_least(counts: Mapping[str, int]) -> tuple[str, str]:
    """The most and least common keys; ties go to the alphabetically first."""
    top = min(counts, key=lambda k: (-counts[k], k))
    low = min(counts, key=lambda k: (counts[k], k))
    return top, low


def records(n: int) -> str:
    return f"{n:,} record" + ("" if n == 1 else "s")


def listing(items: list[str], limit: int = 5) -> str:
    """'a, b and c' for up to ``limit`` items, then 'and N more'."""
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
