"""Per-record suppressions with reasons: ``.dslint-ignore.yaml``.

Each entry names one rule, a mandatory reason and an optional expiry date, and picks findings
either by fingerprint (as the JSON and SARIF reports give it) or by file pattern plus optional
record index, line and field. Matching findings stay in the report marked ``suppressed:
"ignore-file"`` with the reason. An entry that matched nothing, or has expired, is reported as an
info finding at its line (ruff's unused-noqa; stale baseline entries work the same way).

The file belongs to the scanned repository, so it is untrusted data: it is parsed as plain YAML,
never runs code, and a bad entry is a one-line ``ConfigError`` naming ``file:line``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dslint.check import Rule, kebab
from dslint.config_schema import schema_url
from dslint.finding import Finding, Location, Severity
from dslint.paths import glob_match
from dslint.record import stable_hash
from dslint.yamlpos import ConfigError, Positions, load_roundtrip, load_yaml

IGNORE_FILE = ".dslint-ignore.yaml"
HEADER = f"""\
yaml-language-server: $schema={schema_url("ignore.schema.json")}
Findings accepted one by one, each with its reason (see README.md, "Suppressing findings").
`dslint suppress FINGERPRINT... --reason "..."` appends entries; comments are kept.
"""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class SuppressionEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=kebab, frozen=True)
    rule: str = Field(description="The rule's code or name.")
    reason: str = Field(min_length=1, max_length=500, description="Why the finding is acceptable.")
    expires: dt.date | None = Field(None, description="Last day the entry applies (YYYY-MM-DD).")
    fingerprint: str | None = Field(None, pattern=r"^[0-9a-f]{8,64}$")
    file: str | None = Field(None, min_length=1, description="File pattern, from the ignore file's folder.")
    record: int | None = Field(None, ge=0, description="0-based record index in the file.")
    line: int | None = Field(None, ge=1)
    field: str | None = Field(None, pattern=r"^(/.*)?$", description="JSON pointer; its children match too.")

    @field_validator("reason")
    @classmethod
    def _one_plain_line(cls, value: str) -> str:
        value = value.strip()
        if not value or _CONTROL.search(value):
            raise ValueError("the reason must be one line of printable text")
        return value

    @model_validator(mode="after")
    def _one_way_to_match(self) -> SuppressionEntry:
        if self.fingerprint is None and self.file is None:
            raise ValueError("give a fingerprint, or a file (with record, line or field if wanted)")
        if self.fingerprint is not None and (self.record is not None or self.line is not None or self.field is not None):
            raise ValueError("record, line and field select within a file; a fingerprint needs none")
        return self


class IgnoreFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    suppressions: list[SuppressionEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    """A validated entry, its rule and the line it starts on."""

    spec: SuppressionEntry
    rule: Rule
    line: int


@dataclass
class Suppressions:
    path: Path
    display: str  # the ignore file as findings show it
    entries: list[Entry]


def find_ignore_file(start: Path) -> Path | None:
    """The nearest ``.dslint-ignore.yaml`` from ``start`` (the config's folder) upward."""
    for folder in (start, *start.parents):
        if (folder / IGNORE_FILE).is_file():
            return folder / IGNORE_FILE
    return None


def load_suppressions(path: Path, rules: Mapping[str, Rule]) -> Suppressions:
    display = _display(path)
    data, positions = load_yaml(path, display)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{display}:1: the ignore file must be a mapping with a 'suppressions' list")
    try:
        parsed = IgnoreFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, positions)) from None
    entries = []
    for i, spec in enumerate(parsed.suppressions):
        rule = rules.get(spec.rule) or next((r for r in rules.values() if r.name == spec.rule), None)
        if rule is None:
            raise ConfigError(f"unknown rule '{spec.rule}' at {positions.where(('suppressions', i, 'rule'))}")
        entries.append(Entry(spec, rule, positions.lines.get(("suppressions", i), 1)))
    return Suppressions(path, display, entries)


def _explain(exc: ValidationError, positions: Positions) -> str:
    err = exc.errors()[0]
    loc = tuple(str(p) if not isinstance(p, int) else p for p in err["loc"])
    where = positions.where(loc)
    if err["type"] == "extra_forbidden":
        return f"unknown key '{loc[-1]}' at {where}"
    if err["type"] == "missing":
        return f"missing '{loc[-1]}' at {where}"
    return f"invalid entry at {where}: {err['msg'].removeprefix('Value error, ')}"


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


class _Paths:
    """Finding paths (relative to the working directory) as seen from the ignore file's folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self._cache: dict[str, str | None] = {}

    def __call__(self, display: str) -> str | None:
        if display not in self._cache:
            try:
                self._cache[display] = Path(display).resolve().relative_to(self.folder).as_posix()
            except (ValueError, OSError):
                self._cache[display] = None
        return self._cache[display]


def _matches(entry: Entry, f: Finding, relpath: _Paths) -> bool:
    spec = entry.spec
    if f.rule != entry.rule.code:
        return False
    if spec.fingerprint is not None:
        return f.fingerprint == spec.fingerprint
    loc = f.location
    if loc is None or (path := relpath(loc.file)) is None or not glob_match(spec.file or "", path):
        return False
    if spec.record is not None and loc.record != spec.record:
        return False
    if spec.line is not None and loc.line != spec.line:
        return False
    return spec.field is None or (loc.field is not None and (loc.field == spec.field or loc.field.startswith(spec.field + "/")))


def apply_suppressions(
    findings: Sequence[Finding],
    suppressions: Suppressions,
    enabled: Iterable[str],
    linted: Iterable[str],
    today: dt.date | None = None,
) -> list[Finding]:
    """Mark the findings entries match as suppressed with their reason; report expired entries and
    unused ones (whose rule ran and whose file was linted) as info findings at their line."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    relpath = _Paths(suppressions.path.parent)
    entries = suppressions.entries
    active = [i for i, e in enumerate(entries) if e.spec.expires is None or e.spec.expires >= today]  # in file order
    used: set[int] = set()
    out = []
    for f in findings:
        hit = next((i for i in active if f.suppressed in (None, "budget") and _matches(entries[i], f, relpath)), None)
        if hit is None:
            out.append(f)
            continue
        used.add(hit)
        out.append(f.model_copy(update={"suppressed": "ignore-file", "reason": entries[hit].spec.reason}))
    linted_paths = {p for p in map(relpath, linted) if p is not None}
    enabled = set(enabled)
    for i, entry in enumerate(entries):
        spec = entry.spec
        if spec.expires is not None and spec.expires < today:
            message = f"suppression of {entry.rule.code} expired on {spec.expires}; renew or remove it"
            out.append(_notice(entry, suppressions, message, "expired"))
        elif i not in used and entry.rule.code in enabled and (spec.file is None or any(glob_match(spec.file, p) for p in linted_paths)):
            message = f"unused suppression of {entry.rule.code}: no finding matches it; remove it"
            out.append(_notice(entry, suppressions, message, "unused"))
    return out


def _notice(entry: Entry, suppressions: Suppressions, message: str, kind: str) -> Finding:
    spec = entry.spec
    key = spec.fingerprint or f"{spec.file}\0{spec.record}\0{spec.line}\0{spec.field}"
    return Finding(
        rule=entry.rule.code,
        name=entry.rule.name,
        check=entry.rule.family,
        severity=Severity.INFO,
        message=message,
        location=Location(file=suppressions.display, line=entry.line),
        fingerprint=stable_hash(f"suppression\0{kind}\0{entry.rule.code}\0{key}"),
    )


def append_entries(path: Path, entries: Sequence[Mapping[str, object]]) -> None:
    """Append entries to the ignore file (created if missing), keeping its comments and layout;
    the file is replaced atomically."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    display = _display(path)
    doc = load_roundtrip(path, display) if path.is_file() else None
    if doc is None:
        doc = CommentedMap()
        doc.yaml_set_start_comment(HEADER)
    if not isinstance(doc, CommentedMap):
        raise ConfigError(f"{display}:1: the ignore file must be a mapping with a 'suppressions' list")
    if doc.get("suppressions") is None:
        doc["suppressions"] = CommentedSeq()
    if not isinstance(doc["suppressions"], CommentedSeq):
        raise ConfigError(f"{display}: 'suppressions' must be a list")
    for entry in entries:
        doc["suppressions"].append(CommentedMap(entry))
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".dslint-ignore.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
