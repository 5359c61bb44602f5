"""Helpers the dataset-check tests share: options as config gives them, folding records into a
state, comparable outputs, and the shard-merge invariant every DatasetCheck must keep."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from functools import reduce
from typing import Any

from dslint.check import CheckContext, DatasetCheck, Rule
from dslint.finding import Finding
from dslint.record import Record


def options_context(rules: Mapping[str, Rule], options: dict | None = None, enabled: set[str] | None = None) -> CheckContext:
    """Rule options validated as the policy validates them from config (kebab-case aliases)."""
    opts = {code: rules[code].options.model_validate(raw) for code, raw in (options or {}).items()}
    return CheckContext(options=opts, enabled=frozenset(enabled) if enabled is not None else None)


def fold(check: DatasetCheck, records: list[Record]) -> Any:
    state = check.init()
    for r in records:
        state = check.update(state, r)
    return state


def outputs(check: DatasetCheck, state: Any) -> tuple[list[tuple], str]:
    """Everything a state finalizes to, in a form that compares exactly."""
    findings = [
        (f.rule, f.message, f.location, tuple(f.related), tuple(sorted(f.metrics.items())), f.fingerprint)
        for f in check.finalize(state)
    ]
    return findings, json.dumps(check.stats(state))


def merged_outputs(check: DatasetCheck, records: list[Record], cuts: list[int], order_seed: int) -> list[tuple]:
    """Outputs of one pass, then of random shards (records shuffled inside each too) merged
    left to right, right to left and as a tree: all four must be equal."""
    single = outputs(check, fold(check, records))
    bounds = [0, *sorted(c for c in cuts if c <= len(records)), len(records)]
    shards = [records[a:b] for a, b in zip(bounds, bounds[1:])]
    rng = random.Random(order_seed)
    rng.shuffle(shards)
    states = [fold(check, rng.sample(s, len(s))) for s in shards]
    left = reduce(check.merge, states, check.init())
    right = reduce(lambda a, b: check.merge(b, a), reversed(states), check.init())
    half = len(states) // 2
    tree = check.merge(reduce(check.merge, states[half:], check.init()), reduce(check.merge, states[:half], check.init()))
    return [single, outputs(check, left), outputs(check, right), outputs(check, tree)]


def where(f: Finding) -> tuple[str, str, int]:
    assert f.location is not None
    return (f.rule, f.location.file, f.location.record or 0)


def related(f: Finding) -> list[tuple[str, int | None]]:
    return [(loc.file, loc.record) for loc in f.related]
