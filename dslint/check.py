"""The check API: rule metadata, per-record checks and mergeable dataset checks.

A check class declares the rules it can report (``rules``) and yields ``Finding`` objects built
with ``Rule.at`` (a record-level finding) or ``Rule.dataset`` (a dataset-level one). Severity,
selection, budgets and suppressions are applied afterwards by the policy, never by checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from dslint.batch import Batch
from dslint.finding import Family, Finding, Location, Severity
from dslint.paths import resolve_from
from dslint.record import Record, stable_hash
from dslint.redact import make_snippet

Scope = Literal["record", "file", "dataset"]
FixAction = Literal["drop-record", "rewrite-field"]
CODE_RE = re.compile(r"^[A-Z]{1,6}[0-9]{3,4}$")
NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DOC_SECTIONS = ("What it does", "Why it matters", "Example", "Options")


def kebab(name: str) -> str:
    """Config keys are kebab-case: ``max_count`` is written ``max-count``."""
    return name.replace("_", "-")


class RuleOptions(BaseModel):
    """Base of every rule's options model: kebab-case keys, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=kebab)


class NoOptions(RuleOptions):
    """Rules without options accept none."""


@dataclass(frozen=True)
class Fix:
    """What ``dslint fix`` does about a rule's findings. A safe fix keeps the record's meaning (a
    stray byte-order mark, NFC); an unsafe one changes content or which records there are, and
    runs only with ``--unsafe-fixes`` (ruff's split)."""

    action: FixAction
    safe: bool
    does: str  # one sentence for the docs: what the fix changes

    @property
    def applicability(self) -> str:
        return "safe" if self.safe else "unsafe"


@dataclass(frozen=True)
class Rule:
    """A rule's metadata; the same text feeds ``dslint rule CODE``, SARIF help and the README."""

    code: str
    name: str
    family: Family
    severity: Severity
    scope: Scope
    summary: str
    docs: str
    options: type[BaseModel] = NoOptions
    origin: str = "dslint"  # "dslint", a plugin's entry point, or a YAML pack's path
    fix: Fix | None = None  # None: `dslint fix` leaves the rule's findings alone

    def __post_init__(self) -> None:
        if not CODE_RE.match(self.code):
            raise ValueError(f"rule code {self.code!r} must look like DS101")
        if not NAME_RE.match(self.name):
            raise ValueError(f"rule name {self.name!r} must be kebab-case")

    def at(
        self,
        record: Record,
        message: str,
        *,
        field: str | None = None,
        snippet: str | None = None,
        related: Iterable[Location] = (),
        metrics: Mapping[str, Any] | None = None,
        key: str = "",
    ) -> Finding:
        """A finding on one record (and optionally one field of it).

        The fingerprint hashes the rule, the record's canonical content, the field and ``key``
        (for rules that can fire more than once on the same field), so it survives reordering.
        """
        return Finding(
            rule=self.code,
            name=self.name,
            check=self.family,
            severity=self.severity,
            message=message,
            location=location_of(record, field),
            related=list(related),
            metrics=dict(metrics or {}),
            snippet=make_snippet(snippet, context=_text_at(record, field)) if snippet is not None else None,
            fingerprint=stable_hash(f"{self.code}\0{record.content_hash}\0{field or ''}\0{key}"),
        )

    def dataset(
        self,
        message: str,
        *,
        key: str,
        related: Iterable[Location] = (),
        metrics: Mapping[str, Any] | None = None,
        location: Location | None = None,
        snippet: str | None = None,
    ) -> Finding:
        """A finding about the dataset, a split or a file; ``key`` names what it is about."""
        return Finding(
            rule=self.code,
            name=self.name,
            check=self.family,
            severity=self.severity,
            message=message,
            location=location,
            related=list(related),
            metrics=dict(metrics or {}),
            snippet=make_snippet(snippet) if snippet is not None else None,
            fingerprint=stable_hash(f"{self.code}\0dataset\0{key}"),
        )


def _text_at(record: Record, pointer: str | None) -> str | None:
    """The string at a JSON pointer of the record, if there is one: the text a snippet was cut from."""
    value: Any = record.data
    for part in (pointer or "").split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value if isinstance(value, str) else None


def location_of(record: Record, field: str | None = None) -> Location:
    return Location(
        file=record.file, line=record.line, record=record.index, field=field, split=record.split
    )


@dataclass
class CheckContext:
    """What a check instance is given: its rules' validated options and which rules are on."""

    options: Mapping[str, BaseModel] = field(default_factory=dict)
    enabled: frozenset[str] | None = None  # None: every rule
    splits: frozenset[str] | None = None  # the splits of the files being linted; None: unknown
    root: Path | None = None  # the config's folder; None: the working directory
    profile: str | None = None  # the trainer profile (DS9xx), from `profile:` or --profile

    def path(self, value: str) -> str:
        """A path named in a rule option, resolved from the config's folder like its other paths."""
        return resolve_from(self.root, value)

    def opts(self, rule: Rule) -> Any:
        return self.options.get(rule.code) or rule.options()

    def is_enabled(self, rule: Rule) -> bool:
        """Checks may skip work for rules that are off; the policy drops their findings anyway."""
        return self.enabled is None or rule.code in self.enabled


class RecordCheck:
    """A pure check of one record at a time. Subclasses set ``rules`` and implement ``check``, the
    simple way; ``check_batch`` is the fast path the engine calls, which built-in checks override
    to work on a whole batch at once (its flattened text fields, one regex pass over many texts)."""

    rules: ClassVar[tuple[Rule, ...]] = ()

    def __init__(self, ctx: CheckContext | None = None) -> None:
        self.ctx = ctx or CheckContext()

    def check(self, record: Record) -> Iterable[Finding]:
        raise NotImplementedError

    def check_batch(self, batch: Batch) -> Iterable[Finding]:
        """The findings of every record of the batch; any order (the report sorts them)."""
        for record in batch.records:
            yield from self.check(record)


State = TypeVar("State")


class DatasetCheck(Generic[State]):
    """A check over the whole dataset, written so that shards can run apart and be combined.

    ``update`` folds one record into a state (``update_batch``, a batch of them), ``merge``
    combines two states and must be associative and commutative, ``finalize`` applies thresholds
    and yields findings. States are small and picklable.
    """

    rules: ClassVar[tuple[Rule, ...]] = ()
    # Part of the per-file cache's key: raise it when the state's layout or meaning changes, so
    # states stored by an older version of the check are not merged with new ones.
    state_version: ClassVar[int] = 1

    def __init__(self, ctx: CheckContext | None = None) -> None:
        self.ctx = ctx or CheckContext()

    def init(self) -> State:
        raise NotImplementedError

    def update(self, state: State, record: Record) -> State:
        raise NotImplementedError

    def update_batch(self, state: State, batch: Batch) -> State:
        """``update`` with each record of the batch in turn; the fast path the engine calls."""
        for record in batch.records:
            state = self.update(state, record)
        return state

    def merge(self, a: State, b: State) -> State:
        raise NotImplementedError

    def finalize(self, state: State) -> Iterable[Finding]:
        raise NotImplementedError

    def settle(self, state: State) -> State:
        """The state with deferred work done, before the per-file cache stores it, so that a
        re-run loading it does less (e.g. a table's unflushed rows). Must not change findings."""
        return state

    def stats(self, state: State) -> Mapping[str, Any]:
        """Optional figures for the report's ``summary.stats`` under ``stats_key`` (JSON values:
        e.g. length percentiles per split, duplicate rate per split)."""
        return {}

    stats_key: ClassVar[str] = ""


AnyCheck = RecordCheck | DatasetCheck
