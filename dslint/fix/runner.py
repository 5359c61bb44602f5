"""The fix loop: lint, turn the findings of fixable rules into edits, write the files, lint the
result again, until nothing changes (at most ``MAX_PASSES`` writing passes).

Edits are computed per record from its findings: drop the record, or rewrite a field by JSON
pointer. A dropped record takes no rewrites; rewrites of one field run in rule order, each on the
text the previous one left. Files are written in plan order by this process only, so the output
is the same for any number of lint workers.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import orjson

from dslint.api import find_sources, prepare
from dslint.check import CheckContext, Rule
from dslint.config import LoadedConfig
from dslint.engine import FilePlan, build_checks, finalize, plan_files, resolve_jobs, scan_all
from dslint.executors import Executor, make_executor
from dslint.finding import Finding, Location
from dslint.fix.delimited import write_delimited
from dslint.fix.diff import field_diff
from dslint.fix.jsondoc import write_json
from dslint.fix.jsonl import write_jsonl
from dslint.fix.log import LOG_PATH, Change, FileTally, FixSummary
from dslint.fix.output import Kept, atomic_path, copy_file
from dslint.fix.parquet import write_parquet
from dslint.fix.rewrites import REWRITES, Target
from dslint.formats import Format, make_format
from dslint.formats.base import resolve_pointer
from dslint.policy import Overrides, Policy
from dslint.readers import InputError, Source
from dslint.record import Record, stable_hash
from dslint.redact import printable
from dslint.registry import Registry

MAX_PASSES = 4
LEAK_RULES = frozenset({"DS301", "DS302"})  # their drop can take either side of the leak
UNREADABLE_FILE = "DS100"
DropLeaked = Literal["train", "eval"]
WRITERS = {"jsonl": write_jsonl, "json": write_json, "csv": write_delimited, "tsv": write_delimited, "parquet": write_parquet}


@dataclass
class _File:
    """One input file during the run: the copy being fixed and where its items came from."""

    plan: FilePlan
    output: Path
    current: Source
    in_place: bool
    origin: Kept | None = None  # index and line in the input of each current item; None: same
    changed: bool = False
    format: Format | None = None

    def original(self, index: int, line: int | None) -> tuple[int, int | None]:
        if self.origin is None:
            return index, line
        orig_line = self.origin.lines[index]
        return self.origin.indices[index], None if orig_line < 0 else orig_line


@dataclass
class _Edits:
    drops: dict[int, tuple[Finding, Location]] = field(default_factory=dict)
    rewrites: dict[int, list[Finding]] = field(default_factory=dict)


def run_fix(
    targets: Sequence[str],
    output_dir: str | Path | None,
    config: str | Path | None = None,
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    unsafe_fixes: bool = False,
    drop_leaked: DropLeaked = "train",
    jobs: int | None = None,
    in_place: bool = False,
    diff: bool = False,
    allow_plugins: bool = False,
    executor: str | None = None,
    ray_address: str | None = None,
) -> FixSummary:
    """Fix the files under ``targets`` into ``output_dir`` (or in place); see ``dslint.fix``."""
    if (output_dir is None) == (not in_place):
        raise InputError("name an output folder with --output-dir, or fix the input with --in-place")
    loaded, registry, policy = prepare(
        config, Overrides(select=select, ignore=ignore or [], fail_on="never"), allow_plugins=allow_plugins
    )
    fixable = _fixable(loaded, registry, policy)
    applied = frozenset(c for c in fixable if registry.rules[c].fix.safe or unsafe_fixes)  # type: ignore[union-attr]
    lint_policy = replace(policy, enabled=fixable | {UNREADABLE_FILE}, budgets={})
    sources = find_sources(list(targets), loaded).sources
    if any(s.path is None for s in sources):
        raise InputError("dslint fix reads files, not stdin")
    work = Path(output_dir) if output_dir is not None else None
    if work is not None:  # `dslint fix . -o clean` must not fix last run's output too
        sources = [s for s in sources if not s.path.resolve().is_relative_to(work.resolve())]  # type: ignore[union-attr]
        if not sources:
            raise InputError(f"every data file found is inside the output folder {printable(str(work))}, so fixing would overwrite the input; use --in-place for that")
    files = _files(plan_files(sources, loaded), work)
    ctx = CheckContext(options=policy.options, root=loaded.root)
    fields = loaded.config.fields.model_dump(exclude_none=True) if loaded.config.fields else None
    jobs = resolve_jobs(jobs or loaded.config.jobs, sources)
    where = make_executor(executor or loaded.config.executor, jobs, ray_address)

    changes: list[Change] = []
    diffs: list[str] | None = [] if diff else None
    try:
        first, counts_in = findings, counts = _lint(files, loaded, registry, lint_policy, fields, where)
        # Copied as they are, whatever was found in them: files that cannot be read, and files of
        # a kind no writer handles (the summary names those that had something to fix).
        unreadable = sorted({f.location.file for f in first if f.rule == UNREADABLE_FILE and f.location})
        unwritable = sorted(name for name, e in _edits(first, applied, drop_leaked).items() if name in files and files[name].current.kind not in WRITERS)
        left_alone = {*unreadable, *unwritable}
        passes = 0
        while passes < MAX_PASSES:
            edits = {name: e for name, e in _edits(findings, applied, drop_leaked).items() if name not in left_alone}
            if passes and not edits:
                break
            passes += 1
            # The first pass writes every file, so the output folder holds the whole dataset.
            made = [
                change
                for name, f in files.items()
                if passes == 1 or name in edits
                for change in _write(f, edits.get(name, _Edits()), registry.rules, ctx, passes, diffs)
            ]
            if not made:
                break
            changes.extend(made)
            findings, counts = _lint(files, loaded, registry, lint_policy, fields, where)
    except BaseException:
        if in_place:
            _remove_copies(files)  # the inputs stay as they were
        raise
    remaining = _count(f for f in findings if f.rule in applied)
    tallies = [FileTally(name, str(f.output), counts_in.get(name, 0), counts.get(name, 0)) for name, f in files.items()]
    log = (work if work is not None else _base(files)) / LOG_PATH
    if in_place:
        _replace_inputs(files)
    _write_log(log, changes)
    return FixSummary(
        output_dir=str(work) if work is not None else None,
        log=str(log),
        files=tallies,
        changes=changes,
        passes=passes,
        remaining=remaining,
        unsafe_available=_count(f for f in first if f.rule in fixable - applied),
        unreadable=unreadable,
        unwritable=unwritable,
        diff="\n".join(diffs) if diffs else "",
        names={code: r.name for code, r in registry.rules.items()},
    )


def _fixable(loaded: LoadedConfig, registry: Registry, policy: Policy) -> frozenset[str]:
    """Enabled rules that declare a fix the config does not switch off with ``fix: false``."""
    off = set()
    for key, settings in loaded.config.rules.items():
        rule = registry.resolve(key)
        if rule is not None and not settings.fix:
            off.add(rule.code)
    return frozenset(
        code
        for code, rule in registry.rules.items()
        if rule.fix is not None and code in policy.enabled and code not in off
        and (rule.fix.action == "drop-record" or code in REWRITES)
    )


def _files(plans: list[FilePlan], work: Path | None) -> dict[str, _File]:
    """Each input file and where its fixed copy goes: the input's path below the folder that
    holds all inputs, under ``work`` (in place: a temporary name next to the input)."""
    paths = [p.source.path.resolve() for p in plans]  # type: ignore[union-attr]
    base = _common_folder(paths)
    out: dict[str, _File] = {}
    for plan, path in zip(plans, paths):
        if work is None:
            output = path.with_name(f".{path.name}.dslint-fix")
        else:
            output = work / path.relative_to(base)
            if output.resolve() == path:
                raise InputError(f"the output would overwrite the input {printable(plan.source.display)}; use --in-place for that")
        out[plan.source.display] = _File(plan, output, plan.source, in_place=work is None)
    return out


def _common_folder(paths: list[Path]) -> Path:
    return Path(os.path.commonpath([p.parent for p in paths]))


def _base(files: dict[str, _File]) -> Path:
    """In place, the log goes to the folder holding all inputs."""
    return _common_folder([f.plan.source.path.resolve() for f in files.values()])  # type: ignore[union-attr]


def _lint(
    files: dict[str, _File], loaded: LoadedConfig, registry: Registry, policy: Policy, fields: Any, executor: Executor
) -> tuple[list[Finding], dict[str, int]]:
    """The findings of the fixable rules on the current copies, located as the inputs are named,
    and the number of records of each file."""
    plans = [replace(f.plan, source=f.current) for f in files.values()]
    checks = build_checks(registry, policy, fields, frozenset(p.split for p in plans if p.split), loaded.root)
    try:  # each pass has checks of its own: the executor is opened for them, and closed
        results = scan_all(plans, checks, executor=executor)
        dataset_findings = finalize(results, checks, executor)[0]
    finally:
        executor.close()
    for f, result in zip(files.values(), results):
        if result.summary.format and f.format is None:
            f.format = make_format(result.summary.format, fields)
    raw = [x for r in results for x in r.findings] + dataset_findings
    counts: dict[str, int] = {}
    for r in results:  # a large file comes back in several shards
        counts[r.summary.path] = counts.get(r.summary.path, 0) + r.summary.records
    return policy.apply(raw, sum(counts.values()), {p.source.display: p.root_path for p in plans}), counts


def _edits(findings: list[Finding], applied: frozenset[str], drop_leaked: DropLeaked) -> dict[str, _Edits]:
    out: dict[str, _Edits] = {}
    for f in findings:
        if f.rule not in applied:
            continue
        if f.rule in REWRITES:
            loc = f.location
            if loc is not None and loc.record is not None and loc.field is not None:
                out.setdefault(loc.file, _Edits()).rewrites.setdefault(loc.record, []).append(f)
            continue
        loc = f.related[0] if f.rule in LEAK_RULES and drop_leaked == "train" and f.related else f.location
        if loc is not None and loc.record is not None:
            out.setdefault(loc.file, _Edits()).drops.setdefault(loc.record, (f, loc))
    return out


def _write(f: _File, edits: _Edits, rules: dict[str, Rule], ctx: CheckContext, pass_: int, diffs: list[str] | None) -> list[Change]:
    """Write the file's next copy; returns its changes (none: the copy is byte-identical)."""
    src = f.current
    changes: list[Change] = []
    if not edits.drops and not edits.rewrites:
        if not f.changed and not f.in_place:  # the output folder holds the whole dataset
            copy_file(src.path, f.output)  # type: ignore[arg-type]
            f.current = replace(src, path=f.output)
        return changes

    def edit_record(index: int, line: int | None, data: dict[str, Any]) -> bool:
        record = Record(src.display, line, index, data, f.plan.split, f.format)
        by_pointer = {t.pointer: t for t in record.fields}
        changed = False
        for finding in edits.rewrites[index]:
            pointer = finding.location.field  # type: ignore[union-attr]
            found, text = resolve_pointer(data, pointer)  # type: ignore[arg-type]
            text_field = by_pointer.get(pointer)  # type: ignore[arg-type]
            if not found or not isinstance(text, str) or text_field is None or f.format is None:
                continue
            new = REWRITES[finding.rule](text, Target(finding, text_field, f.format, ctx))
            if new == text:
                continue
            _set_pointer(data, pointer, new)  # type: ignore[arg-type]
            change = _change(f, finding, rules, index, line, "rewrite", pointer, stable_hash(text), stable_hash(new), pass_)
            changes.append(change)
            if diffs is not None:
                diffs.append(field_diff(change.file, change.line, change.record, f"{pointer} ({change.rule})", text, new))
            changed = True
        return changed

    # Writing over the copy being read is fine: the new file replaces it only once complete.
    kept = WRITERS[src.kind](src, f.output, edits.drops.keys(), edits.rewrites.keys() - edits.drops.keys(), edit_record)
    for index, (finding, loc) in sorted(edits.drops.items()):
        changes.append(_change(f, finding, rules, index, loc.line, "drop", None, kept.dropped.get(index, ""), None, pass_))
    f.origin = kept if f.origin is None else _compose(f.origin, kept)
    f.current = replace(src, path=f.output)
    f.changed = f.changed or bool(changes)
    changes.sort(key=lambda c: (c.record, c.action != "drop", c.rule, c.field or ""))
    return changes


def _change(f: _File, finding: Finding, rules: dict[str, Rule], index: int, line: int | None, action: Literal["drop", "rewrite"], pointer: str | None, before: str, after: str | None, pass_: int) -> Change:
    record, orig_line = f.original(index, line)
    rule = rules[finding.rule]
    return Change(f.plan.source.display, orig_line, record, rule.code, rule.name, action, pointer, before, after, pass_)


def _compose(origin: Kept, kept: Kept) -> Kept:
    out = Kept()
    for index in kept.indices:
        out.indices.append(origin.indices[index])
        out.lines.append(origin.lines[index])
    return out


def _set_pointer(data: Any, pointer: str, value: str) -> None:
    *parents, last = [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]
    node = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _count(findings: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in findings:
        out[f.rule] = out.get(f.rule, 0) + 1
    return dict(sorted(out.items()))


def _write_log(path: Path, changes: list[Change]) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as out:
        for change in changes:
            out.write(orjson.dumps(change.to_json()) + b"\n")


def _replace_inputs(files: dict[str, _File]) -> None:
    """--in-place: each fixed copy, complete on disk, replaces its input in one rename."""
    for f in files.values():
        if f.changed:
            os.replace(f.output, f.plan.source.path)  # type: ignore[arg-type]
        else:
            with contextlib.suppress(FileNotFoundError):
                f.output.unlink()  # written by a pass whose edits all turned out to be no-ops


def _remove_copies(files: dict[str, _File]) -> None:
    for f in files.values():
        with contextlib.suppress(OSError):
            f.output.unlink()
