"""DS408 field-imbalance: how evenly the values of configured fields (system prompt, source,
language, task) are spread over each split's records.

Per (pointer, split) the state counts records per value and keeps, for each value, its first
record's position and a short excerpt to name it by. Beyond ``VALUE_LIMIT`` distinct values the
field is no category: the state drops its values and keeps only the record count. Whether that
happens depends only on the union of the values seen, so merging stays associative and
commutative.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dslint.check import CheckContext, DatasetCheck
from dslint.checks._shared.labels import UNSPLIT_STATS, add_counts, most_and_least, records, split_key, split_name
from dslint.checks.imbalance.rules import FIELD_IMBALANCE
from dslint.checks._shared.pointers import key_pointer
from dslint.finding import Finding
from dslint.formats.base import resolve_pointer
from dslint.record import Record, canonical_json, stable_hash
from dslint.redact import make_snippet, quote

VALUE_LIMIT = 1000
SHORT_VALUE = 100  # longer strings are keyed by their hash
EXCERPT = 200  # characters kept to name a value in messages and stats
STATS_VALUES = 10
MISSING = "m:"  # the key of records without the field

Shown = tuple[str, int, str]  # (file, index, excerpt) of the value's first record


@dataclass
class FieldValues:
    records: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    shown: dict[str, Shown] = field(default_factory=dict)
    overflow: bool = False


FieldState = dict[tuple[str, str], FieldValues]  # (pointer, split) -> values


def value_key(found: bool, value: Any) -> tuple[str, str]:
    """(key, excerpt) of a field value; strings keep their exact text, long ones are hashed."""
    if not found or value is None:
        return MISSING, ""
    if isinstance(value, str):
        return ("s:" + value if len(value) <= SHORT_VALUE else "h:" + stable_hash(value)), value[:EXCERPT]
    text = canonical_json(value).decode("utf-8", "replace")
    return ("j:" + text if len(text) <= SHORT_VALUE else "h:" + stable_hash(text)), text[:EXCERPT]


def _merge_values(a: FieldValues, b: FieldValues) -> FieldValues:
    total = a.records + b.records
    keys = set(a.counts) | set(b.counts)
    if a.overflow or b.overflow or len(keys) > VALUE_LIMIT:
        return FieldValues(total, overflow=True)
    shown = {k: min(x for x in (a.shown.get(k), b.shown.get(k)) if x is not None) for k in sorted(keys)}
    return FieldValues(total, add_counts(a.counts, b.counts), shown)


def _name(entry: FieldValues, key: str) -> str:
    return "no value" if key == MISSING else quote(entry.shown[key][2])


class FieldImbalanceCheck(DatasetCheck[FieldState]):
    rules = (FIELD_IMBALANCE,)
    stats_key = "fields"

    def __init__(self, ctx: CheckContext | None = None) -> None:
        super().__init__(ctx)
        self.pointers = [key_pointer(f) for f in self.ctx.opts(FIELD_IMBALANCE).fields]

    def init(self) -> FieldState:
        return {}

    def update(self, state: FieldState, record: Record) -> FieldState:
        split = split_key(record)
        for ptr in self.pointers:
            entry = state.get((ptr, split))
            if entry is None:
                entry = state[(ptr, split)] = FieldValues()
            entry.records += 1
            if entry.overflow:
                continue
            key, excerpt = value_key(*resolve_pointer(record.data, ptr))
            entry.counts[key] = entry.counts.get(key, 0) + 1
            here = (record.file, record.index, excerpt)
            if key not in entry.shown or here < entry.shown[key]:
                entry.shown[key] = here
            if len(entry.counts) > VALUE_LIMIT:
                state[(ptr, split)] = FieldValues(entry.records, overflow=True)
        return state

    def merge(self, a: FieldState, b: FieldState) -> FieldState:
        empty = FieldValues()
        return {k: _merge_values(a.get(k, empty), b.get(k, empty)) for k in sorted(set(a) | set(b))}

    def finalize(self, state: FieldState) -> Iterable[Finding]:
        opts = self.ctx.opts(FIELD_IMBALANCE)
        for (ptr, split), entry in sorted(state.items()):
            if entry.overflow or len(entry.counts) < 2:
                continue
            top, low = most_and_least(entry.counts)
            share = entry.counts[top] / entry.records
            ratio = entry.counts[top] / entry.counts[low]
            if share <= opts.max_share and ratio <= opts.max_imbalance:
                continue
            yield FIELD_IMBALANCE.dataset(
                f"field {quote(ptr)} is imbalanced in {split_name(split)}: {_name(entry, top)} is"
                f" {share * 100:.1f}% of {records(entry.records)}, {_name(entry, low)} only {entry.counts[low]:,}"
                f" ({len(entry.counts)} values, {ratio:.1f}x;"
                f" max-share {opts.max_share:g}, max-imbalance {opts.max_imbalance:g})",
                key=f"{ptr}\0{split}",
                metrics={
                    "values": len(entry.counts),
                    "records": entry.records,
                    "share": round(share, 6),
                    "ratio": round(ratio, 4),
                    "max_share": opts.max_share,
                    "max_imbalance": opts.max_imbalance,
                },
            )

    def stats(self, state: FieldState) -> dict[str, Any]:
        """Per field and split: records, distinct values and the most common ones (redacted)."""
        out: dict[str, Any] = {}
        for (ptr, split), entry in sorted(state.items()):
            figures: dict[str, Any] = {"records": entry.records}
            if entry.overflow:
                figures["values"] = f"more than {VALUE_LIMIT}"
            else:
                figures["values"] = len(entry.counts)
                top: dict[str, int] = {}
                for key in sorted(entry.counts, key=lambda k: (-entry.counts[k], k))[:STATS_VALUES]:
                    name = "(no value)" if key == MISSING else make_snippet(entry.shown[key][2], 60)
                    top[name] = top.get(name, 0) + entry.counts[key]
                figures["top"] = top
            out.setdefault(ptr, {})[split or UNSPLIT_STATS] = figures
        return out

