"""DS117 inconsistent-fields: records whose top-level key set differs from their file's usual one.

The state keeps, per file, how many records have each key set and the locations of the first
``SAMPLE_LIMIT`` records (by index) of each key set. Merging adds the counts and keeps the
smallest indices, so it is associative and commutative and the findings do not depend on how
the records were sharded.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from dslint.check import DatasetCheck
from dslint.checks.schema.rules import INCONSISTENT_FIELDS
from dslint.finding import Finding, Location
from dslint.record import Record
from dslint.redact import quote

SAMPLE_LIMIT = 1000
_KEYS_SHOWN = 5

KeySet = tuple[str, ...]  # sorted
Sample = tuple[int, int | None, str]  # (record index, line, content hash)


@dataclass
class FileKeys:
    """The key sets seen in one file."""

    split: str | None = None
    counts: Counter[KeySet] = field(default_factory=Counter)
    samples: dict[KeySet, list[Sample]] = field(default_factory=dict)  # sorted by index


KeysState = dict[str, FileKeys]


def _smallest(a: list[Sample], b: list[Sample]) -> list[Sample]:
    return list(heapq.merge(a, b))[:SAMPLE_LIMIT]


def _names(keys: Iterable[str]) -> str:
    keys = list(keys)
    shown = ", ".join(quote(k) for k in keys[:_KEYS_SHOWN])
    return shown + (f" and {len(keys) - _KEYS_SHOWN} more" if len(keys) > _KEYS_SHOWN else "")


class InconsistentFieldsCheck(DatasetCheck[KeysState]):
    rules = (INCONSISTENT_FIELDS,)

    def init(self) -> KeysState:
        return {}

    def update(self, state: KeysState, record: Record) -> KeysState:
        keys: KeySet = tuple(sorted(str(k) for k in record.data))
        entry = state.get(record.file)
        if entry is None:
            entry = state[record.file] = FileKeys(split=record.split)
        entry.counts[keys] += 1
        samples = entry.samples.setdefault(keys, [])
        if len(samples) >= SAMPLE_LIMIT and record.index > samples[-1][0]:
            return state  # it would be dropped at once: spare its content hash (a JSON dump)
        bisect.insort(samples, (record.index, record.line, record.content_hash))
        if len(samples) > SAMPLE_LIMIT:
            samples.pop()
        return state

    def merge(self, a: KeysState, b: KeysState) -> KeysState:
        merged: KeysState = {}
        for file in sorted(set(a) | set(b)):
            left, right = a.get(file, FileKeys()), b.get(file, FileKeys())
            samples = {
                keys: _smallest(left.samples.get(keys, []), right.samples.get(keys, []))
                for keys in sorted(set(left.samples) | set(right.samples))
            }
            split = left.split if left.split is not None else right.split
            merged[file] = FileKeys(split, left.counts + right.counts, samples)
        return merged

    def finalize(self, state: KeysState) -> Iterable[Finding]:
        for file in sorted(state):
            entry = state[file]
            # The most common key set; ties go to the alphabetically first.
            usual = min(entry.counts, key=lambda keys: (-entry.counts[keys], keys))
            for keys in sorted(entry.counts):
                if keys != usual:
                    yield from self._report(file, entry, keys, usual)

    def _report(self, file: str, entry: FileKeys, keys: KeySet, usual: KeySet) -> Iterable[Finding]:
        missing = [k for k in usual if k not in keys]
        extra = [k for k in keys if k not in usual]
        parts = ([f"missing {_names(missing)}"] if missing else []) + ([f"extra {_names(extra)}"] if extra else [])
        message = f"keys differ from most records of this file: {'; '.join(parts)}"
        for index, line, content_hash in entry.samples[keys]:
            # A stand-in record: Rule.at needs only the location and the content hash.
            stub = Record(file=file, line=line, index=index, data={}, split=entry.split, _content_hash=content_hash)
            yield INCONSISTENT_FIELDS.at(stub, message)
        unlisted = entry.counts[keys] - len(entry.samples[keys])
        if unlisted > 0:
            yield INCONSISTENT_FIELDS.dataset(
                f"{unlisted} more records of this file have the same differing keys ({'; '.join(parts)});"
                f" only the first {SAMPLE_LIMIT} are listed",
                key="\0".join((file, *keys)),
                location=Location(file=file, split=entry.split),
                metrics={"count": entry.counts[keys], "listed": len(entry.samples[keys])},
            )
