"""DS410 label-conflict, DS411 inverted-preference and DS413 label-variants.

The conflict and inversion states hold one small entry per distinct normalised input (a 64-bit
hash, the label or orientation, a count and the first record's position); merging adds counts and
keeps the smaller (file, index), so any sharding and merge order gives the same findings. Their
fingerprints hash what the finding is about (the input, the prompt and answer pair, the label
spelling), not which record happens to come first, so they survive added or reordered rows.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from dslint.check import DatasetCheck
from dslint.checks._shared.labels import Sample, earlier, first_of, int_hash, listing, record_label, records, sample_of
from dslint.checks.labels.rules import INVERTED_PREFERENCE, LABEL_CONFLICT, LABEL_VARIANTS
from dslint.finding import Finding
from dslint.normalize import normalize_text
from dslint.record import Record
from dslint.redact import quote

SEP = "\x1f"  # joins normalised fields and the elements of a multi-label set

Entry = tuple[str, int, Sample]  # (label set, records, first record)
ConflictState = dict[int, tuple[Entry, ...]]  # normalised-input hash -> entries sorted by label set


def _combine(a: tuple[Entry, ...], b: tuple[Entry, ...]) -> tuple[Entry, ...]:
    by_label: dict[str, Entry] = {e[0]: e for e in a}
    for label, count, sample in b:
        old = by_label.get(label)
        by_label[label] = (label, count, sample) if old is None else (label, old[1] + count, min(old[2], sample))
    return tuple(by_label[k] for k in sorted(by_label))


def _label_set(label: str) -> str:
    parts = label.split(SEP)
    return quote(parts[0]) if len(parts) == 1 else "[" + ", ".join(quote(p) for p in parts) + "]"


def normalised_text(record: Record, branch: str | None = "*") -> str:
    """The record's normalised text fields (of one preference branch, unless "*"), joined."""
    return SEP.join(normalize_text(f.text) for f in record.fields if branch == "*" or f.branch == branch)


class LabelConflictCheck(DatasetCheck[ConflictState]):
    rules = (LABEL_CONFLICT,)

    def init(self) -> ConflictState:
        return {}

    def update(self, state: ConflictState, record: Record) -> ConflictState:
        ptr, keys = record_label(record)
        if not keys:
            return state
        text = normalised_text(record)
        if not text.replace(SEP, ""):
            return state
        h = int_hash(text)
        entry = ((sys.intern(SEP.join(keys)), 1, sample_of(record, ptr)),)
        state[h] = _combine(state[h], entry) if h in state else entry
        return state

    def merge(self, a: ConflictState, b: ConflictState) -> ConflictState:
        merged = dict(a)  # iteration order is irrelevant: finalize sorts the groups
        for h, entries in b.items():
            merged[h] = _combine(merged[h], entries) if h in merged else entries
        return merged

    def finalize(self, state: ConflictState) -> Iterable[Finding]:
        groups = sorted((min(e[2] for e in entries), h, entries) for h, entries in state.items() if len(entries) > 1)
        for first, h, entries in groups:
            ordered = sorted(entries, key=lambda e: (-e[1], e[2]))  # ties: the earlier record first
            labels = [f"{_label_set(label)} ({records(count)})" for label, count, _ in ordered]
            yield LABEL_CONFLICT.dataset(
                f"the same input is labelled {listing(labels)}",
                key=f"{h:016x}",
                location=first.location(),
                related=[e[2].location() for e in ordered if e[2] != first],
                metrics={"labels": len(entries), "records": sum(e[1] for e in entries)},
            )


Side = tuple[int, Sample] | None  # (pairs, first pair) preferring one of the two answers
InversionState = dict[int, tuple[Side, Side]]  # hash of (prompt, answer pair) -> both orientations


def _add_side(a: Side, b: Side) -> Side:
    if a is None or b is None:
        return a if b is None else b
    return (a[0] + b[0], min(a[1], b[1]))


class InvertedPreferenceCheck(DatasetCheck[InversionState]):
    rules = (INVERTED_PREFERENCE,)

    def init(self) -> InversionState:
        return {}

    def update(self, state: InversionState, record: Record) -> InversionState:
        if record.format is None or record.format.task != "preference":
            return state
        chosen, rejected = normalised_text(record, "chosen"), normalised_text(record, "rejected")
        if not chosen.replace(SEP, "") or not rejected.replace(SEP, "") or chosen == rejected:
            return state
        c, r = int_hash(chosen), int_hash(rejected)
        key = int_hash(f"{int_hash(normalised_text(record, None))}:{min(c, r)}:{max(c, r)}")
        side: Side = (1, sample_of(record))
        new = (side, None) if c < r else (None, side)
        old = state.get(key, (None, None))
        state[key] = (_add_side(old[0], new[0]), _add_side(old[1], new[1]))
        return state

    def merge(self, a: InversionState, b: InversionState) -> InversionState:
        merged = dict(a)  # iteration order is irrelevant: finalize sorts the groups
        for key, (x, y) in b.items():
            old = merged.get(key, (None, None))
            merged[key] = (_add_side(old[0], x), _add_side(old[1], y))
        return merged

    def finalize(self, state: InversionState) -> Iterable[Finding]:
        both = sorted(
            (min(x[1], y[1]), key, x, y) for key, (x, y) in state.items() if x is not None and y is not None
        )
        for first, key, x, y in both:
            here, there = (x, y) if x[1] == first else (y, x)
            yield INVERTED_PREFERENCE.dataset(
                f"chosen and rejected are swapped between pairs with the same prompt and answers:"
                f" {here[0]:,} pair(s) prefer this pair's chosen answer, {there[0]:,} prefer its rejected one",
                key=f"{key:016x}",
                location=first.location(),
                related=[there[1].location()],
                metrics={"pairs": x[0] + y[0], "inverted": there[0]},
            )


VariantState = dict[str, tuple[int, Sample]]  # label -> (records, first record)


class LabelVariantsCheck(DatasetCheck[VariantState]):
    rules = (LABEL_VARIANTS,)

    def init(self) -> VariantState:
        return {}

    def update(self, state: VariantState, record: Record) -> VariantState:
        ptr, keys = record_label(record)
        for key in keys:
            old = state.get(key)
            if old is None:
                state[key] = (1, sample_of(record, ptr))
            else:
                state[key] = (old[0] + 1, sample_of(record, ptr) if earlier(old[1], record) else old[1])
        return state

    def merge(self, a: VariantState, b: VariantState) -> VariantState:
        out: dict[str, Any] = {}
        for key in sorted(set(a) | set(b)):
            x, y = a.get(key), b.get(key)
            out[key] = x if y is None else y if x is None else (x[0] + y[0], first_of(x[1], y[1]))
        return out

    def finalize(self, state: VariantState) -> Iterable[Finding]:
        groups: dict[str, list[str]] = {}
        for label in sorted(state):
            norm = normalize_text(label)
            if norm:
                groups.setdefault(norm, []).append(label)
        for norm in sorted(groups):
            spellings = groups[norm]
            if len(spellings) < 2:
                continue
            ordered = sorted(spellings, key=lambda k: (-state[k][0], k))
            rarest = ordered[-1]
            others = [f"{quote(k)} ({records(state[k][0])})" for k in ordered[:-1]]
            yield LABEL_VARIANTS.dataset(
                f"label {quote(rarest)} ({records(state[rarest][0])}) differs only in case, spacing or"
                f" punctuation from {listing(others)}",
                key=norm,
                location=state[rarest][1].location(),
                related=[state[k][1].location() for k in ordered[:-1]],
                metrics={"spellings": len(spellings), "records": sum(state[k][0] for k in spellings)},
            )
