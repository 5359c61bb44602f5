"""Declarative YAML rule packs: rules written as data, run by one generic record check.

A pack is ``{pack: name, description: ..., rules: [...]}``; each rule has the usual metadata and a
``kind``: ``regex`` (patterns over chosen fields/roles), ``required-field``, ``allowed-values`` or
``length-range``. Patterns use Python's ``re``; keep them free of nested quantifiers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dslint.batch import Batch
from dslint.check import CheckContext, RecordCheck, Rule
from dslint.finding import Family, Finding, Severity
from dslint.formats.base import ROLES, TextField, resolve_pointer
from dslint.prefilter import batch_haystack, may_match_each
from dslint.re2 import re2_superset
from dslint.record import Record
from dslint.redact import quote
from dslint.yamlpos import ConfigError, did_you_mean, load_yaml


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=_kebab)
    code: str
    name: str
    family: Family = "content"
    severity: Severity = Severity.WARNING
    summary: str
    docs: str = ""
    message: str | None = None


class _TextSpec(_Spec):
    """Rules over text fields, narrowed by role, part and JSON-pointer patterns."""

    roles: list[Literal[ROLES]] | None = None  # type: ignore[valid-type]
    parts: list[Literal["input", "output"]] | None = None
    fields: list[str] | None = Field(None, description="JSON pointers; '*' matches one segment.")


class RegexSpec(_TextSpec):
    kind: Literal["regex"]
    patterns: list[str]
    ignore_case: bool = False

    @model_validator(mode="before")
    @classmethod
    def _single_pattern(cls, data: Any) -> Any:
        if isinstance(data, dict) and "pattern" in data:
            data = dict(data)
            data["patterns"] = [data.pop("pattern"), *data.get("patterns", [])]
        return data


class LengthRangeSpec(_TextSpec):
    kind: Literal["length-range"]
    min: int | None = Field(None, ge=0)
    max: int | None = Field(None, ge=1)


class RequiredFieldSpec(_Spec):
    kind: Literal["required-field"]
    field: str


class AllowedValuesSpec(_Spec):
    kind: Literal["allowed-values"]
    field: str
    values: list[str | int | float | bool | None]


RuleSpec = Annotated[
    RegexSpec | LengthRangeSpec | RequiredFieldSpec | AllowedValuesSpec, Field(discriminator="kind")
]


class PackSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pack: str
    description: str = ""
    rules: list[RuleSpec]


def _pointer_regex(patterns: list[str]) -> re.Pattern[str]:
    alts = ["/".join("[^/]+" if seg == "*" else re.escape(seg) for seg in p.split("/")) for p in patterns]
    return re.compile(f"^(?:{'|'.join(alts)})$")


class PackRule:
    """One compiled declarative rule."""

    def __init__(self, spec: RegexSpec | LengthRangeSpec | RequiredFieldSpec | AllowedValuesSpec, origin: str):
        self.spec = spec
        docs = spec.docs or f"What it does: {spec.summary}\n\nWhy it matters: see the pack {origin}.\n\nExample: -\n\nOptions: none."
        self.rule = Rule(spec.code, spec.name, spec.family, spec.severity, "record", spec.summary, docs, origin=origin)
        if isinstance(spec, RegexSpec):
            flags = re.IGNORECASE if spec.ignore_case else 0
            self.regex = re.compile("|".join(f"(?:{p})" for p in spec.patterns), flags)
        if isinstance(spec, _TextSpec):
            self.field_filter = _pointer_regex(spec.fields) if spec.fields else None

    @property
    def selection(self) -> tuple[tuple[str, ...], ...]:
        """What decides the fields a text rule looks at: rules alike in it look at the same."""
        spec = self.spec
        assert isinstance(spec, _TextSpec)
        return tuple(spec.roles or ()), tuple(spec.parts or ()), tuple(spec.fields or ())

    def wants(self, f: TextField) -> bool:
        """Whether the rule looks at this field: its roles, parts and pointers."""
        spec = self.spec
        return (
            (not spec.roles or f.role in spec.roles)
            and (not spec.parts or f.part in spec.parts)
            and (self.field_filter is None or self.field_filter.match(f.pointer) is not None)
        )

    def chosen(self, fields: Sequence[TextField]) -> list[int]:
        """Indices of the fields the rule looks at (``wants``), without a call per field when
        it goes by part alone, as the shipped packs do."""
        spec = self.spec
        assert isinstance(spec, _TextSpec)
        if spec.parts and not spec.roles and self.field_filter is None:
            parts = spec.parts
            return [i for i, f in enumerate(fields) if f.part in parts]
        return [i for i, f in enumerate(fields) if self.wants(f)]

    def _selected(self, fields: Iterable[TextField]) -> Iterable[TextField]:
        return (f for f in fields if self.wants(f))

    def _regex_finding(self, record: Record, f: TextField) -> Finding | None:
        m = self.regex.search(f.text)
        if m is None:
            return None
        msg = (self.spec.message or self.spec.summary).replace("{match}", quote(m.group(0)))  # type: ignore[union-attr]
        start = max(0, m.start() - 20)
        return self.rule.at(record, msg, field=f.pointer, snippet=f.text[start : m.end() + 40])

    def found_among(self, batch: Batch, candidates: Iterable[int]) -> Iterable[Finding]:
        """A regex rule's findings in the batch's fields ``candidates``: fields it looks at, a
        superset of those its regex finds a match in, searched one by one."""
        columns = batch.columns
        for i in candidates:
            finding = self._regex_finding(batch.records[columns.row[i]], columns.fields[i])
            if finding is not None:
                yield finding

    def check(self, record: Record) -> Iterable[Finding]:
        spec, rule = self.spec, self.rule
        if isinstance(spec, RegexSpec):
            for f in self._selected(record.fields):
                finding = self._regex_finding(record, f)
                if finding is not None:
                    yield finding
        elif isinstance(spec, LengthRangeSpec):
            for f in self._selected(record.fields):
                n = len(f.text)
                if (spec.min is not None and n < spec.min) or (spec.max is not None and n > spec.max):
                    bound = f"min {spec.min}" if spec.min is not None and n < spec.min else f"max {spec.max}"
                    msg = spec.message or f"{f.role} text has {n} characters ({bound})"
                    yield rule.at(record, msg, field=f.pointer, metrics={"length": n})
        elif isinstance(spec, RequiredFieldSpec):
            found, value = resolve_pointer(record.data, spec.field)
            if not found or value is None or value == "":
                yield rule.at(record, spec.message or f"required field {spec.field} is missing or empty", field=spec.field)
        else:
            found, value = resolve_pointer(record.data, spec.field)
            if found and value not in spec.values:
                msg = spec.message or f"{spec.field} is {quote(value)}, not one of the allowed values"
                yield rule.at(record, msg, field=spec.field)


class PackCheck(RecordCheck):
    """Runs the enabled rules of every loaded pack; one instance serves all packs."""

    def __init__(self, pack_rules: list[PackRule], ctx: CheckContext | None = None) -> None:
        super().__init__(ctx)
        self.pack_rules = pack_rules
        self.rules = tuple(p.rule for p in pack_rules)  # type: ignore[misc]
        for pack_rule in pack_rules:  # translated here, before worker processes fork and share it
            if isinstance(pack_rule.spec, RegexSpec) and self.ctx.is_enabled(pack_rule.rule):
                re2_superset(pack_rule.regex)

    def check(self, record: Record) -> Iterable[Finding]:
        for pack_rule in self.pack_rules:
            if self.ctx.is_enabled(pack_rule.rule):
                yield from pack_rule.check(record)

    def check_batch(self, batch: Batch) -> Iterable[Finding]:
        """The regex rules that look at the same fields search them together: one RE2 pass of
        their alternation over those texts (``prefilter.may_match_each``), then each rule the
        few it may match one by one. Other kinds go record by record."""
        on = [p for p in self.pack_rules if self.ctx.is_enabled(p.rule)]
        groups: dict[tuple[tuple[str, ...], ...], list[PackRule]] = {}
        for pack_rule in on:
            if isinstance(pack_rule.spec, RegexSpec):
                groups.setdefault(pack_rule.selection, []).append(pack_rule)
        columns = batch.columns
        candidates: dict[PackRule, list[int]] = {}
        for group in groups.values():
            chosen = group[0].chosen(columns.fields)
            texts = [columns.texts[i] for i in chosen]
            for pack_rule, flags in zip(group, may_match_each([p.regex for p in group], texts, batch_haystack(batch, chosen))):
                candidates[pack_rule] = [chosen[k] for k in np.flatnonzero(flags).tolist()]
        for pack_rule in on:
            if pack_rule in candidates:
                yield from pack_rule.found_among(batch, candidates[pack_rule])
            else:
                for record in batch.records:
                    yield from pack_rule.check(record)


def load_pack(path: Path, display: str) -> list[PackRule]:
    """Parse and validate one pack file; errors name the file and line."""
    data, positions = load_yaml(path, display)
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in ("regex", "length-range", "required-field", "allowed-values")))
        where = positions.where(loc)
        if err["type"] == "extra_forbidden":
            raise ConfigError(f"unknown key '{loc[-1]}' in rule pack at {where}") from None
        if err["type"] == "union_tag_invalid":
            kinds = ["regex", "length-range", "required-field", "allowed-values"]
            kind = str(err.get("input", {}).get("kind", "")) if isinstance(err.get("input"), Mapping) else ""
            raise ConfigError(f"unknown rule kind '{kind}' in rule pack at {where}{did_you_mean(kind, kinds)}") from None
        raise ConfigError(f"invalid rule pack at {where}: {'.'.join(map(str, loc))}: {err['msg']}") from None
    out = []
    for i, rule_spec in enumerate(spec.rules):
        try:
            out.append(PackRule(rule_spec, display))
        except (ValueError, re.error) as exc:
            raise ConfigError(f"invalid rule in pack at {positions.where(('rules', i))}: {exc}") from None
    return out
