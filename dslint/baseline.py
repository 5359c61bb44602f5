"""Baselines: adopt dslint on an existing dataset and fail only on new findings.

A baseline records each finding's fingerprint (which survives inserting, deleting and reordering
rows) with its rule and file, plus per-rule counts of dataset-level findings as a fallback for
findings whose identity depends on the whole dataset. Matching is a multiset: two identical
defective rows need two entries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dslint import __version__
from dslint.atomic import write_atomic
from dslint.check import Rule
from dslint.finding import Finding, Location, Severity
from dslint.record import stable_hash
from dslint.yamlpos import ConfigError, read_small_file

BASELINE_VERSION = 1


class BaselineEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    fingerprint: str
    rule: str
    name: str = ""
    file: str | None = None


class Baseline(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = BASELINE_VERSION
    tool: str = Field(default_factory=lambda: f"dslint {__version__}")
    entries: list[BaselineEntry] = Field(default_factory=list)
    dataset_counts: dict[str, int] = Field(default_factory=dict, description="Dataset-level findings per rule.")

    @classmethod
    def from_findings(cls, findings: Sequence[Finding]) -> Baseline:
        entries = [
            BaselineEntry(fingerprint=f.fingerprint, rule=f.rule, name=f.name, file=f.location.file if f.location else None)
            for f in findings
        ]
        entries.sort(key=lambda e: (e.file or "", e.rule, e.fingerprint))
        counts = Counter(f.rule for f in findings if f.location is None)
        return cls(entries=entries, dataset_counts=dict(sorted(counts.items())))

    def write(self, path: Path) -> None:
        write_atomic(path, self.model_dump_json(indent=2) + "\n")


# Far more than a baseline of a million findings needs; /dev/zero or a pipe must not hang the run.
MAX_BASELINE_BYTES = 512 << 20


def load_baseline(path: Path) -> Baseline:
    if not path.exists():
        raise ConfigError(f"baseline file not found: {path}")
    try:
        data = read_small_file(path, f"baseline file {path}", MAX_BASELINE_BYTES)
        return Baseline.model_validate(orjson.loads(data))  # depth-limited, unlike json
    except (OSError, orjson.JSONDecodeError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise ConfigError(f"invalid baseline file {path}: {first}") from None


def apply_baseline(findings: Sequence[Finding], baseline: Baseline, rules: Mapping[str, Rule]) -> list[Finding]:
    """Mark findings the baseline knows as suppressed; add an info finding per stale entry."""
    remaining = Counter(e.fingerprint for e in baseline.entries)
    dataset_left = Counter(baseline.dataset_counts)
    out = []
    for f in findings:
        if f.suppressed is None and remaining[f.fingerprint] > 0:
            remaining[f.fingerprint] -= 1
            if f.location is None:
                dataset_left[f.rule] -= 1
            out.append(f.model_copy(update={"suppressed": "baseline"}))
        elif f.suppressed is None and f.location is None and dataset_left[f.rule] > 0:
            # A dataset-level finding whose key moved (e.g. a cluster root changed): count-based.
            dataset_left[f.rule] -= 1
            out.append(f.model_copy(update={"suppressed": "baseline"}))
        else:
            out.append(f)
    for entry in baseline.entries:
        if remaining[entry.fingerprint] > 0 and (entry.file is not None or dataset_left[entry.rule] > 0):
            remaining[entry.fingerprint] -= 1
            if entry.file is None:
                dataset_left[entry.rule] -= 1
            out.append(_stale(entry, rules.get(entry.rule)))
    return out


def _stale(entry: BaselineEntry, rule: Rule | None) -> Finding:
    return Finding(
        rule=entry.rule,
        name=rule.name if rule else (entry.name or entry.rule.lower()),
        check=rule.family if rule else "schema",
        severity=Severity.INFO,
        message="baselined finding no longer occurs; run `dslint baseline prune` to drop it",
        location=Location(file=entry.file) if entry.file else None,
        fingerprint=stable_hash(f"stale\0{entry.fingerprint}"),
    )


def prune(baseline: Baseline, findings: Sequence[Finding]) -> tuple[Baseline, int]:
    """Keep only the entries that still match a current finding; returns (baseline, dropped)."""
    current = Counter(f.fingerprint for f in findings)
    kept = []
    for entry in baseline.entries:
        if current[entry.fingerprint] > 0:
            current[entry.fingerprint] -= 1
            kept.append(entry)
    dataset_now = Counter(f.rule for f in findings if f.location is None)
    counts = {rule: min(n, dataset_now[rule]) for rule, n in baseline.dataset_counts.items() if dataset_now[rule]}
    pruned = Baseline(entries=kept, dataset_counts=counts)
    return pruned, len(baseline.entries) - len(kept)
