"""The finding and report models: what every check produces and every reporter consumes.

These pydantic models are the versioned JSON contract of ``dslint check --format json``; the JSON
Schema in ``dslint/report.schema.json`` is generated from them (``dslint schema``). While a run is
under way a finding is a light ``Hit`` (checks make thousands); it becomes a ``Finding`` model at
the report boundary (``as_model``).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

REPORT_VERSION = "1.0"

Family = Literal[
    "schema", "duplicates", "leakage", "imbalance", "labels", "pii", "encoding", "length", "content", "trainer"
]
FAMILIES: tuple[str, ...] = Family.__args__  # type: ignore[attr-defined]


class Severity(str, enum.Enum):
    """How bad a finding is; ordered info < warning < error."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __str__(self) -> str:
        return self.value


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Location(_Frozen):
    """Where a finding is: a file, the record's 1-based line and 0-based index, a JSON pointer."""

    file: str = Field(description="Path of the file, relative to the working directory, '/'-separated.")
    line: int | None = Field(None, description="1-based physical line where the record starts (text formats).")
    record: int | None = Field(None, description="0-based index of the record within its file.")
    field: str | None = Field(None, description="RFC 6901 JSON pointer to the field inside the record.")
    split: str | None = Field(None, description="The split the file belongs to (train, validation, test).")


class Finding(_Frozen):
    """One defect found by one rule."""

    rule: str = Field(description="Stable rule code, e.g. DS104.")
    name: str = Field(description="Kebab-case rule name, e.g. missing-required-key.")
    check: Family = Field(description="The check family the rule belongs to.")
    severity: Severity
    message: str
    location: Location | None = Field(None, description="Null for dataset-level findings.")
    related: list[Location] = Field(default_factory=list, description="Other places involved.")
    metrics: dict[str, float | int | str | bool | None] = Field(default_factory=dict)
    snippet: str | None = Field(None, description="A short excerpt of the offending text, redacted.")
    fingerprint: str = Field(description="Stable identity that survives inserting or reordering rows.")
    suppressed: Literal["budget", "baseline", "ignore-file"] | None = Field(
        None, description="Set when the finding does not count towards the gate, and why."
    )
    reason: str | None = Field(None, description="For suppressed 'ignore-file': the reason its entry in .dslint-ignore.yaml gives.")

    def sort_key(self) -> tuple[Any, ...]:
        loc = self.location
        if loc is None:
            return (1, "", 0, 0, self.rule, "", self.message, self.fingerprint)
        return (
            0,
            loc.file,
            loc.record if loc.record is not None else -1,
            loc.line or 0,
            self.rule,
            loc.field or "",
            self.message,
            self.fingerprint,
        )


def sort_findings(findings: list[Any]) -> None:
    """Sort findings (``Finding`` or ``Hit``) in place into report order, the order of
    ``Finding.sort_key``. One stable sort per part of the key, least significant first: each
    pass's keys are objects the findings already hold, where a tuple key per finding would cost
    ~120 bytes each while the list sorts (the peak of a run with many findings)."""
    findings.sort(key=attrgetter("fingerprint"))
    findings.sort(key=attrgetter("message"))
    findings.sort(key=lambda f: "" if f.location is None else f.location.field or "")
    findings.sort(key=attrgetter("rule"))
    findings.sort(key=lambda f: 0 if f.location is None else f.location.line or 0)
    findings.sort(key=lambda f: -1 if f.location is None or f.location.record is None else f.location.record)
    findings.sort(key=lambda f: "" if f.location is None else f.location.file)
    findings.sort(key=lambda f: f.location is None)  # dataset findings last


# One fields-set shared by the locations findings are built with (pydantic would give each its own
# set, a third of a location's memory); model_copy copies it before adding to it.
_LOCATION_FIELDS = set(Location.model_fields)


@functools.lru_cache(maxsize=1024, typed=True)  # one shared (frozen) object for the findings of one field
def location(file: str, line: int | None = None, record: int | None = None, field: str | None = None,
             split: str | None = None) -> Location:
    """A ``Location`` from values already of the right types, without validation (the hot path)."""
    return Location.model_construct(_LOCATION_FIELDS, file=file, line=line, record=record, field=field, split=split)


_PLAIN = (int, float, str, bool, type(None))
_METRICS: TypeAdapter[dict[str, float | int | str | bool | None]] = TypeAdapter(dict[str, float | int | str | bool | None])


def plain_metrics(metrics: Mapping[str, Any] | None) -> dict[str, Any]:
    """A finding's metrics as the report holds them: JSON scalars; other values (NumPy numbers)
    coerced as ``Finding`` validation would, or rejected (``ValidationError``)."""
    values = dict(metrics or {})
    return values if all(type(v) in _PLAIN for v in values.values()) else _METRICS.validate_python(values)


@dataclass(slots=True, eq=False)
class Hit:
    """A finding while a run is under way: what checks yield and the policy, suppressions, baseline
    and cache work on, with the attributes of ``Finding`` but no validation and a few hundred bytes
    instead of a few kilobytes. The snippet is cut and redacted on first use, so findings that are
    dropped (per-file ignores, ``--diff-base``) or never shown (``--format concise``) never pay for
    it. ``as_model`` makes the report's ``Finding``."""

    rule: str
    name: str
    check: str
    severity: Severity
    message: str
    location: Location | None
    fingerprint: str
    related: Sequence[Location] = ()
    metrics: Mapping[str, Any] = field(default_factory=dict)
    suppressed: Literal["budget", "baseline", "ignore-file"] | None = None
    reason: str | None = None
    # The snippet as shown, or a function that makes it (called once, on first use), or None.
    cut: str | Callable[[], str] | None = None
    redacted: bool = False  # message and metrics already scrubbed for output (see dslint/redact.py)

    @property
    def snippet(self) -> str | None:
        if self.cut is not None and not isinstance(self.cut, str):
            self.cut = self.cut()
        return self.cut

    def sort_key(self) -> tuple[Any, ...]:
        return Finding.sort_key(self)  # type: ignore[arg-type]  # the same attributes

    def model_copy(self, *, update: Mapping[str, Any]) -> Hit:
        """A copy with some attributes changed, as ``Finding.model_copy`` makes one."""
        changes = dict(update)
        if "snippet" in changes:
            changes["cut"] = changes.pop("snippet")
        return replace(self, **changes)

    def __eq__(self, other: object) -> bool:  # equal when their reports would be (as Finding's)
        if not isinstance(other, (Hit, Finding)):
            return NotImplemented
        return self.to_model() == as_model(other)

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return self.to_model().model_dump(**kwargs)

    def model_dump_json(self, **kwargs: Any) -> str:
        return self.to_model().model_dump_json(**kwargs)

    def to_model(self) -> Finding:
        return Finding.model_construct(
            rule=self.rule,
            name=self.name,
            check=self.check,
            severity=Severity(self.severity),
            message=self.message,
            location=self.location,
            related=list(self.related),
            metrics=plain_metrics(self.metrics),
            snippet=self.snippet,
            fingerprint=self.fingerprint,
            suppressed=self.suppressed,
            reason=self.reason,
        )


AnyFinding = Finding | Hit  # what a run passes around: hits from checks, models from plugins or older code


def as_model(finding: AnyFinding) -> Finding:
    """The report's model of a finding (checks and plugins may still build ``Finding`` themselves)."""
    return finding if isinstance(finding, Finding) else finding.to_model()


class ToolInfo(_Frozen):
    name: str = "dslint"
    version: str
    executor: str = Field("inprocess", description="Where the files were scanned: inprocess, pool or ray.")


class FileSummary(_Frozen):
    path: str
    format: str | None
    split: str | None
    records: int


class CacheCounts(_Frozen):
    hits: int = Field(description="Files whose findings and states came from the per-file cache.")
    misses: int = Field(description="Files read and checked (and stored, when they are regular files).")


class Summary(_Frozen):
    files: int
    records: int
    by_severity: dict[str, int]
    by_rule: dict[str, int]
    file_details: list[FileSummary] = Field(default_factory=list)
    stats: dict[str, Any] = Field(
        default_factory=dict, description="Dataset figures from dataset checks, by check (e.g. length, duplicates)."
    )
    skipped: dict[str, str] = Field(
        default_factory=dict,
        description="Files a folder walk passed over, with the reason: 'not a dataset' or 'written by dslint'.",
    )
    cache: CacheCounts | None = Field(None, description="Per-file cache use; null when the cache was off.")


class Report(_Frozen):
    """The result of a run: the verdict, a summary and every finding, sorted."""

    version: str = REPORT_VERSION
    tool: ToolInfo
    passed: bool
    fail_on: Literal["error", "warning", "info", "never"]
    summary: Summary
    findings: list[Finding]

    def to_json(self, indent: bool = True) -> str:
        return self.model_dump_json(indent=2 if indent else None)
