"""DS401-DS407: label distributions per split and the sanity of the splits themselves.

The state holds, per split, the number of records, of labelled records, the count of each label
and the first record (smallest (file, index)) carrying each label. Merging adds the counts and
keeps the smaller samples, so it is associative and commutative; every threshold is applied in
``finalize``. The same state feeds the ``labels`` stats.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dslint.check import DatasetCheck
from dslint.checks._shared.labels import (
    TRAIN,
    UNSPLIT_STATS,
    Sample,
    add_counts,
    earlier,
    eval_splits,
    first_of,
    most_and_least,
    record_label,
    records,
    sample_of,
    split_key,
    split_name,
)
from dslint.checks.imbalance.rules import (
    CLASS_IMBALANCE,
    EMPTY_SPLIT,
    EVAL_LARGER_THAN_TRAIN,
    EVAL_TOO_SMALL,
    LABEL_DRIFT,
    LABEL_NOT_IN_TRAIN,
    RARE_CLASS,
)
from dslint.finding import Finding
from dslint.record import Record
from dslint.redact import make_snippet, quote

STATS_LABELS = 50  # labels listed per split in the stats; the rest are summed


@dataclass
class TaskLabels:
    """One task's labels in one split: the labelled records, each label's count and first record."""

    labelled: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    first: dict[str, Sample] = field(default_factory=dict)


@dataclass
class SplitLabels:
    records: int = 0
    tasks: dict[str, TaskLabels] = field(default_factory=dict)


# A task is a label field of a format ("classification /label", "kto /label"): label
# distributions of different tasks (a KTO file and a classifier's CSV in one split) are never pooled.
LabelState = dict[str, SplitLabels]


def task_of(record: Record, ptr: str) -> str:
    return f"{record.format.name if record.format is not None else 'unknown'} {ptr}"


def _merge_task(a: TaskLabels, b: TaskLabels) -> TaskLabels:
    first = {k: first_of(a.first.get(k), b.first.get(k)) for k in sorted(set(a.first) | set(b.first))}
    return TaskLabels(a.labelled + b.labelled, add_counts(a.counts, b.counts), first)


def _merge_split(a: SplitLabels, b: SplitLabels) -> SplitLabels:
    empty = TaskLabels()
    tasks = {t: _merge_task(a.tasks.get(t, empty), b.tasks.get(t, empty)) for t in sorted(set(a.tasks) | set(b.tasks))}
    return SplitLabels(a.records + b.records, tasks)


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def _pct(x: float) -> str:
    """A share as a percentage; two significant digits below 1% so 0.067% does not read 0.1%."""
    return f"{x * 100:.1f}%" if x >= 0.01 or x == 0 else f"{x * 100:.2g}%"


def drift(train: dict[str, int], other: dict[str, int]) -> tuple[float, float | None, str]:
    """(Jensen-Shannon distance base 2, chi-square p-value or None, label whose share moved most)."""
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import chi2_contingency

    labels = sorted(set(train) | set(other))
    p = [train.get(k, 0) for k in labels]
    q = [other.get(k, 0) for k in labels]
    distance = float(jensenshannon(p, q, base=2))
    p_value = float(chi2_contingency([p, q]).pvalue) if len(labels) > 1 else None
    tp, tq = sum(p), sum(q)
    moved = min(labels, key=lambda k: (-abs(train.get(k, 0) / tp - other.get(k, 0) / tq), k))
    return distance, p_value, moved


def _drift_figures(distance: float, p_value: float | None) -> dict[str, float | None]:
    return {"jensen_shannon": round(distance, 6), "chi_square_p": None if p_value is None else float(f"{p_value:.6g}")}


class LabelDistributionCheck(DatasetCheck[LabelState]):
    rules = (
        CLASS_IMBALANCE, RARE_CLASS, LABEL_NOT_IN_TRAIN, LABEL_DRIFT, EMPTY_SPLIT, EVAL_LARGER_THAN_TRAIN, EVAL_TOO_SMALL
    )
    stats_key = "labels"

    def init(self) -> LabelState:
        return {}

    def update(self, state: LabelState, record: Record) -> LabelState:
        split = split_key(record)
        entry = state.get(split)
        if entry is None:
            entry = state[split] = SplitLabels()
        entry.records += 1
        ptr, keys = record_label(record)
        if keys:
            task = task_of(record, ptr or "")
            labels = entry.tasks.get(task)
            if labels is None:
                labels = entry.tasks[task] = TaskLabels()
            labels.labelled += 1
            for key in keys:
                labels.counts[key] = labels.counts.get(key, 0) + 1
                if earlier(labels.first.get(key), record):
                    labels.first[key] = sample_of(record, ptr)
        return state

    def merge(self, a: LabelState, b: LabelState) -> LabelState:
        empty = SplitLabels()
        return {k: _merge_split(a.get(k, empty), b.get(k, empty)) for k in sorted(set(a) | set(b))}

    def finalize(self, state: LabelState) -> Iterable[Finding]:
        on = self.ctx.is_enabled
        named = len(_tasks(state)) > 1  # name the task in messages only when there are several
        for key in sorted(state):
            for task, labels in sorted(state[key].tasks.items()):
                where = _Where(key, task if named else None)
                if on(CLASS_IMBALANCE) and labels.counts:
                    yield from self._imbalance(where, labels)
                if on(RARE_CLASS):
                    yield from self._rare(where, labels)
        train = state.get(TRAIN)
        for key in eval_splits(state):
            entry = state[key]
            for task, labels in sorted(entry.tasks.items()):
                trained = train.tasks.get(task) if train is not None else None
                if trained is None:
                    continue
                where = _Where(key, task if named else None)
                if trained.counts and on(LABEL_NOT_IN_TRAIN):
                    yield from self._unseen(where, labels, trained)
                if on(LABEL_DRIFT):
                    yield from self._drift(where, labels, trained)
            if train is not None and on(EVAL_LARGER_THAN_TRAIN):
                yield from self._larger(key, entry, train)
            if on(EVAL_TOO_SMALL):
                yield from self._too_small(key, entry)
        if on(EMPTY_SPLIT):
            for name in sorted(set(self.ctx.opts(EMPTY_SPLIT).expected_splits)):
                if name not in state:
                    yield EMPTY_SPLIT.dataset(f"split {quote(name)} has no records", key=name, metrics={"records": 0})

    def _imbalance(self, where: _Where, entry: TaskLabels) -> Iterable[Finding]:
        limit = self.ctx.opts(CLASS_IMBALANCE).max_imbalance
        if len(entry.counts) == 1:
            (only,) = entry.counts
            if entry.labelled > 1:
                yield CLASS_IMBALANCE.dataset(
                    f"every labelled record of {where} has the label {quote(only)} ({records(entry.labelled)})",
                    key=f"{where.key}\0single",
                    metrics={"labels": 1, "records": entry.labelled, "ratio": None, "threshold": limit, **_split(where.split)},
                )
            return
        top, low = most_and_least(entry.counts)
        ratio = entry.counts[top] / entry.counts[low]
        if ratio > limit:
            yield CLASS_IMBALANCE.dataset(
                f"labels of {where} are imbalanced: {quote(top)} has {records(entry.counts[top])},"
                f" {quote(low)} only {entry.counts[low]:,} ({ratio:.1f}x, max-imbalance {limit:g})",
                key=where.key,
                related=[entry.first[low].location()],
                metrics={
                    "labels": len(entry.counts),
                    "largest": entry.counts[top],
                    "smallest": entry.counts[low],
                    "ratio": round(ratio, 4),
                    "threshold": limit,
                },
            )

    def _rare(self, where: _Where, entry: TaskLabels) -> Iterable[Finding]:
        opts = self.ctx.opts(RARE_CLASS)
        for label in sorted(entry.counts):
            count = entry.counts[label]
            share = _share(count, entry.labelled)
            if count < opts.min_count:
                why = f"fewer than {opts.min_count:,}"
            elif share < opts.min_share:
                why = f"a share below {_pct(opts.min_share)}"
            else:
                continue
            yield RARE_CLASS.dataset(
                f"label {quote(label)} is rare in {where}: {records(count)} ({_pct(share)} of"
                f" {entry.labelled:,} labelled), {why}",
                key=f"{where.key}\0{label}",
                location=entry.first[label].location(),
                metrics={
                    "count": count, "share": round(share, 6), "min_count": opts.min_count, "min_share": opts.min_share
                },
            )

    def _unseen(self, where: _Where, entry: TaskLabels, train: TaskLabels) -> Iterable[Finding]:
        for label in sorted(entry.counts):
            if label not in train.counts:
                yield LABEL_NOT_IN_TRAIN.dataset(
                    f"label {quote(label)} appears in {records(entry.counts[label])} of {where}"
                    f" but never in split {quote(TRAIN)}",
                    key=f"{where.key}\0{label}",
                    location=entry.first[label].location(),
                    metrics={"count": entry.counts[label]},
                )

    def _drift(self, where: _Where, entry: TaskLabels, train: TaskLabels) -> Iterable[Finding]:
        opts = self.ctx.opts(LABEL_DRIFT)
        if min(train.labelled, entry.labelled) < opts.min_records or not entry.counts or not train.counts:
            return
        distance, p_value, moved = drift(train.counts, entry.counts)
        if opts.method == "jensen-shannon":
            differs = distance > opts.max_distance
            test = f"Jensen-Shannon distance {distance:.3f} > {opts.max_distance:g}"
        else:
            differs = p_value is not None and p_value < opts.alpha
            test = f"chi-square p-value {p_value:.2g} < {opts.alpha:g}"
        if not differs:
            return
        before = _share(train.counts.get(moved, 0), sum(train.counts.values()))
        after = _share(entry.counts.get(moved, 0), sum(entry.counts.values()))
        yield LABEL_DRIFT.dataset(
            f"label distribution of {where} differs from split {quote(TRAIN)} ({test});"
            f" {quote(moved)} is {_pct(before)} of train and {_pct(after)} here",
            key=where.key,
            metrics={
                **_drift_figures(distance, p_value),
                "method": opts.method,
                "threshold": opts.max_distance if opts.method == "jensen-shannon" else opts.alpha,
                **_split(where.split),
            },
        )

    def _larger(self, key: str, entry: SplitLabels, train: SplitLabels) -> Iterable[Finding]:
        limit = self.ctx.opts(EVAL_LARGER_THAN_TRAIN).max_size_ratio
        if train.records and entry.records > train.records * limit:
            ratio = entry.records / train.records
            yield EVAL_LARGER_THAN_TRAIN.dataset(
                f"{split_name(key)} has {records(entry.records)}, {ratio:.2f}x split {quote(TRAIN)}"
                f" ({train.records:,}); were the files swapped?",
                key=key,
                metrics={
                    "records": entry.records, "train_records": train.records, "ratio": round(ratio, 4), "threshold": limit,
                    **_split(key),
                },
            )

    def _too_small(self, key: str, entry: SplitLabels) -> Iterable[Finding]:
        limit = self.ctx.opts(EVAL_TOO_SMALL).min_records
        if entry.records < limit:
            # 95% half-width at p = 0.5, in points; the normal approximation overshoots 50 below 4 records
            margin = min(196 * math.sqrt(0.25 / entry.records), 50.0)
            yield EVAL_TOO_SMALL.dataset(
                f"{split_name(key)} has only {records(entry.records)} (min-records {limit:,}): an accuracy"
                f" measured on it is uncertain by up to ±{margin:.1f} points",
                key=key,
                metrics={"records": entry.records, "margin": round(margin, 2), "threshold": limit, **_split(key)},
            )

    def stats(self, state: LabelState) -> dict[str, Any]:
        """Records, labelled records and label counts per split, and drift from train; with several
        tasks, the label figures are given per task under "tasks"."""
        tasks = _tasks(state)
        if not tasks:
            return {}
        if len(tasks) == 1:
            return _task_stats(state, tasks[0])
        return {
            "splits": {key or UNSPLIT_STATS: {"records": state[key].records} for key in sorted(state)},
            "tasks": {task: _task_stats(state, task) for task in tasks},
        }


class _Where:
    """A split, and the task when several are linted, as messages name it; ``key`` identifies it
    in fingerprints (unchanged for a single task)."""

    def __init__(self, split: str, task: str | None) -> None:
        self.split, self.task = split, task
        self.key = split if task is None else f"{split}\0{task}"

    def __str__(self) -> str:
        return split_name(self.split) + (f" (task {quote(self.task, 60)})" if self.task else "")


def _tasks(state: LabelState) -> list[str]:
    return sorted({t for entry in state.values() for t, labels in entry.tasks.items() if labels.counts})


def _task_stats(state: LabelState, task: str) -> dict[str, Any]:
    splits: dict[str, Any] = {}
    empty = TaskLabels()
    for key in sorted(state):
        entry = state[key].tasks.get(task, empty)
        ordered = sorted(entry.counts, key=lambda k: (-entry.counts[k], k))
        shown: dict[str, int] = {}
        for label in ordered[:STATS_LABELS]:
            name = make_snippet(label, 40)  # label text is record text: redacted like a snippet
            shown[name] = shown.get(name, 0) + entry.counts[label]
        figures: dict[str, Any] = {"records": state[key].records, "labelled": entry.labelled, "labels": shown}
        if len(ordered) > STATS_LABELS:
            figures["other_labels"] = len(ordered) - STATS_LABELS
            figures["other_records"] = sum(entry.counts[k] for k in ordered[STATS_LABELS:])
        splits[key or UNSPLIT_STATS] = figures
    out: dict[str, Any] = {"splits": splits}
    train = state[TRAIN].tasks.get(task) if TRAIN in state else None
    if train is not None and train.counts:
        compared = {}
        for key in eval_splits(state):
            other = state[key].tasks.get(task)
            if other is not None and other.counts:
                distance, p_value, _ = drift(train.counts, other.counts)
                compared[key] = _drift_figures(distance, p_value)
        if compared:
            out["drift_from_train"] = compared
    return out


def _split(key: str) -> dict[str, str]:
    """The split a finding is about, for reports that anchor it on that split's file."""
    return {"split": key} if key else {}
