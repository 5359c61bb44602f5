"""One pass over every file: read records, run record checks, fold dataset-check states; then
merge the states of all files in a fixed order, finalize, and hand the findings to the policy.

With ``jobs > 1`` files, and byte-range shards of large JSON Lines files, are scanned in worker
processes; their states come back to be merged in plan order (merges are associative and
commutative anyway), so the findings are the same for any number of workers.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import reduce
from itertools import islice
from pathlib import Path
from typing import Any

from dslint import __version__
from dslint.baseline import Baseline, apply_baseline
from dslint.cache import FileCache, FileKey, Seen, open_run_cache
from dslint.check import CheckContext, DatasetCheck, RecordCheck, Rule
from dslint.checks.schema.reading import EMPTY_FILE, UNRECOGNIZED_FORMAT
from dslint.config import LoadedConfig
from dslint.diff import Changes
from dslint.finding import CacheCounts, FileSummary, Finding, Location, Report, Summary, ToolInfo
from dslint.formats import DETECT_SAMPLE, Format, detect_format, make_format
from dslint.packs import PackCheck
from dslint.paths import detect_split, glob_match, root_relative
from dslint.policy import Policy, severity_counts
from dslint.readers import Source, read_source
from dslint.readers.arrow import saved_split
from dslint.readers.jsonl import read_jsonl_range
from dslint.readers.shards import ByteRange, plan_ranges
from dslint.readers.streams import MAX_RECORD_BYTES
from dslint.record import ReadIssue, Record, stable_hash
from dslint.redact import quote, redact_finding, redact_report
from dslint.registry import Registry
from dslint.suppressions import apply_suppressions, find_ignore_file, load_suppressions

Progress = Callable[[str, int], None]  # (file just finished, records so far)
SHARD_MIN_BYTES = 4 << 20  # smaller JSON Lines files are not worth splitting across workers


class CheckCrashed(Exception):
    """A check raised on some record: a bug in dslint or a plugin, reported as a one-line error."""


class WorkerDied(CheckCrashed):
    """A worker process ended abruptly (killed for memory, or a plugin exited it)."""


@dataclass(frozen=True)
class FilePlan:
    source: Source
    root_path: str  # the file's path from the config's folder: what config patterns match
    split: str | None
    format_name: str | None  # set when the config names the format; None: detect
    byte_range: ByteRange | None = None  # a shard of a large JSON Lines file


@dataclass
class Checks:
    """The check instances of one run; picklable so worker processes can take them."""

    record: list[RecordCheck]
    dataset: list[DatasetCheck]
    rules: dict[str, Rule]
    fields: dict[str, Any] | None = None
    max_record: int = MAX_RECORD_BYTES  # bytes; a longer line or row is a DS123 finding


@dataclass
class FileResult:
    summary: FileSummary
    findings: list[Finding] = field(default_factory=list)
    states: list[Any] = field(default_factory=list)


def plan_files(sources: Sequence[Source], loaded: LoadedConfig) -> list[FilePlan]:
    """Split and format per file: config patterns first, then names for splits."""
    cfg = loaded.config
    plans = []
    for src in sources:
        root_path = _root_relative(src, loaded.root)
        split = next((name for pat, name in cfg.splits.items() if glob_match(pat, root_path)), None)
        split = split or detect_split(root_path) or (detect_split(saved_split(src.path) or "") if src.kind == "arrow" else None)
        fmt = next((name for pat, name in cfg.formats.items() if glob_match(pat, root_path)), None)
        plans.append(FilePlan(src, root_path, split, fmt))
    return plans


def _root_relative(src: Source, root: Path) -> str:
    return src.display if src.path is None else root_relative(src.path, root)


def build_checks(
    registry: Registry,
    policy: Policy,
    fields: dict[str, Any] | None,
    splits: frozenset[str] | None = None,
    root: Path | None = None,
) -> Checks:
    """Instantiate the checks that have at least one enabled rule."""
    ctx = CheckContext(options=policy.options, enabled=policy.enabled, splits=splits, root=root)
    record: list[RecordCheck] = []
    dataset: list[DatasetCheck] = []
    for cls in registry.check_classes:
        if not any(r.code in policy.enabled for r in cls.rules):
            continue
        instance = cls(ctx)
        (dataset if isinstance(instance, DatasetCheck) else record).append(instance)  # type: ignore[arg-type]
    active_pack_rules = [p for p in registry.pack_rules if p.rule.code in policy.enabled]
    if active_pack_rules:
        record.append(PackCheck(active_pack_rules, ctx))
    return Checks(record, dataset, dict(registry.rules), fields)


def scan_file(plan: FilePlan, checks: Checks) -> FileResult:
    """Read one file and run every check over it; states are this file's alone."""
    findings: list[Finding] = []
    states = [dc.init() for dc in checks.dataset]
    fmt: Format | None = make_format(plan.format_name, checks.fields) if plan.format_name else None
    pending: list[Record] = []
    count = 0
    issues = 0
    keys_seen: dict[str, None] = {}  # top-level keys of the first records, named if no layout fits

    def process(record: Record) -> None:
        nonlocal count
        record.split = plan.split
        record.format = fmt
        if count < DETECT_SAMPLE:
            keys_seen.update(dict.fromkeys(record.data))
        current: Any = None
        try:
            for current in checks.record:
                findings.extend(current.check(record))
            for i, current in enumerate(checks.dataset):
                states[i] = current.update(states[i], record)
        except Exception as exc:
            where = f"{record.file}:{record.line}" if record.line else f"{record.file} record {record.index}"
            raise CheckCrashed(f"{type(current).__name__} failed on {where}: {type(exc).__name__}: {exc}") from exc
        count += 1

    if plan.byte_range is not None and plan.source.path is not None:
        items = read_jsonl_range(plan.source.display, plan.source.path, plan.byte_range, checks.max_record)
    else:
        items = read_source(plan.source, max_record=checks.max_record)
    for item in items:
        if isinstance(item, ReadIssue):
            issues += 1
            findings.append(_issue_finding(item, plan.split, checks.rules))
        elif fmt is not None:
            process(item)
        else:
            pending.append(item)
            if len(pending) >= DETECT_SAMPLE:
                fmt = detect_format([r.data for r in pending], checks.fields)
                for record in pending:
                    process(record)
                pending = []
    if fmt is None:
        fmt = detect_format([r.data for r in pending], checks.fields)
        for record in pending:
            process(record)
    where = Location(file=plan.source.display, split=plan.split)
    if count == 0 and issues == 0 and plan.byte_range is None:
        findings.append(EMPTY_FILE.dataset("file has no records", key=plan.source.display, location=where))
    if count and fmt.name == "unknown" and (plan.byte_range is None or plan.byte_range.start == 0):
        findings.append(_unrecognized(where, list(keys_seen)))
    summary = FileSummary(path=plan.source.display, format=fmt.name if count else None, split=plan.split, records=count)
    return FileResult(summary, findings, states)


def _unrecognized(where: Location, keys: list[str]) -> Finding:
    """DS120: no layout fits the file; name the keys seen (redacted like any data) and the fix."""
    shown = ", ".join(quote(k, 30) for k in keys[:8]) + (f" and {len(keys) - 8} more" if len(keys) > 8 else "")
    return UNRECOGNIZED_FORMAT.dataset(
        f"no known dataset layout fits this file's records (keys {shown or 'none'}); name its format"
        " with `formats:` or map its keys with `fields: {input: ..., output: ...}` in the config",
        key=where.file,
        location=where,
        metrics={"keys": len(keys)},
    )


def _issue_finding(issue: ReadIssue, split: str | None, rules: dict[str, Rule]) -> Finding:
    rule = rules[issue.rule]
    return Finding(
        rule=rule.code,
        name=rule.name,
        check=rule.family,
        severity=rule.severity,
        message=issue.message,
        location=Location(file=issue.file, line=issue.line, record=None if rule.scope == "file" else issue.index, split=split),
        # The raw line identifies the problem wherever the line moves; file-level problems have none.
        fingerprint=stable_hash(rule.code.encode() + b"\0" + (issue.raw or f"{issue.file}\0{issue.message}".encode())),
    )


def shard_plans(plans: Sequence[FilePlan], jobs: int, fields: dict[str, Any] | None) -> list[FilePlan]:
    """Split large uncompressed JSON Lines files into byte ranges, one per worker at most, so a
    single big file uses every worker. The format is detected once, before splitting."""
    out: list[FilePlan] = []
    for plan in plans:
        src = plan.source
        size = src.path.stat().st_size if src.path is not None and src.path.is_file() else 0
        if jobs > 1 and src.kind == "jsonl" and src.compression is None and size >= SHARD_MIN_BYTES:
            fmt = plan.format_name or _detected_format(src, fields)
            if fmt is not None:
                parts = min(jobs, -(-size // SHARD_MIN_BYTES))
                out.extend(replace(plan, format_name=fmt, byte_range=r) for r in plan_ranges(src.path, parts))  # type: ignore[arg-type]
                continue
        out.append(plan)
    return out


def _detected_format(source: Source, fields: dict[str, Any] | None) -> str | None:
    """The format of a file's first records, or None when it has none (then it is not split)."""
    sample = list(islice((r.data for r in read_source(source) if isinstance(r, Record)), DETECT_SAMPLE))
    return detect_format(sample, fields).name if sample else None


def _file_summaries(results: Sequence[FileResult]) -> list[FileSummary]:
    """One summary per file, adding up the shards of split files."""
    by_path: dict[str, FileSummary] = {}
    for r in results:
        s = r.summary
        prev = by_path.get(s.path)
        if prev is None:
            by_path[s.path] = s
        else:
            by_path[s.path] = prev.model_copy(update={"records": prev.records + s.records, "format": prev.format or s.format})
    return list(by_path.values())


def _scan_in_worker(args: tuple[FilePlan, Checks]) -> FileResult:
    return scan_file(*args)


_PR_SET_PDEATHSIG = 1


def _worker_start(parent: int) -> None:
    """A worker leaves interruptions to the main process, which stops it, and dies with it even
    when the main process is killed outright (kill -9): on Linux through PR_SET_PDEATHSIG, else
    by watching its parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    watched = False
    if sys.platform.startswith("linux"):
        try:
            watched = ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) == 0
        except (OSError, AttributeError):
            watched = False
    if not watched:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the main process died before the watch began
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now: shutdown alone would let them finish the queued files."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # no public API for this
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.kill()
    for worker in workers:
        worker.join(5)


def scan_all(plans: Sequence[FilePlan], checks: Checks, jobs: int = 1, progress: Progress | None = None) -> list[FileResult]:
    """Scan every file, in worker processes when ``jobs > 1``; results come back in plan order."""
    plans = shard_plans(plans, jobs, checks.fields)
    results: list[FileResult] = []
    records = 0
    if jobs > 1 and len(plans) > 1:
        # fork keeps plugin modules loaded from files importable in the workers
        ctx = multiprocessing.get_context("fork") if os.name == "posix" else None
        # stdin belongs to this process (a worker's is /dev/null): read it here meanwhile.
        in_workers = [p for p in plans if p.source.path is not None]
        pool = ProcessPoolExecutor(
            max_workers=min(jobs, len(plans)), mp_context=ctx, initializer=_worker_start, initargs=(os.getpid(),)
        )
        try:
            from_workers = pool.map(_scan_in_worker, [(p, checks) for p in in_workers])
            here = {i: scan_file(p, checks) for i, p in enumerate(plans) if p.source.path is None}
            for i, plan in enumerate(plans):
                try:
                    result = here[i] if i in here else next(from_workers)
                except BrokenProcessPool as exc:
                    why = "a worker process died while scanning (killed for lack of memory?); try fewer --jobs"
                    raise WorkerDied(why) from exc
                results.append(result)
                records += result.summary.records
                if progress:
                    progress(plan.source.display, records)
        except BaseException:  # an error, Ctrl-C or SIGTERM: no worker goes on scanning
            _stop_workers(pool)
            raise
        pool.shutdown()
        return results
    for plan in plans:
        result = scan_file(plan, checks)
        results.append(result)
        records += result.summary.records
        if progress:
            progress(plan.source.display, records)
    return results


def finalize(results: Sequence[FileResult], checks: Checks) -> tuple[list[Finding], dict[str, Any]]:
    """Merge each dataset check's per-file states in file order; finalize them and collect stats."""
    findings: list[Finding] = []
    stats: dict[str, Any] = {}
    for i, check in enumerate(checks.dataset):
        states = [r.states[i] for r in results]
        merged = reduce(check.merge, states) if states else check.init()
        findings.extend(check.finalize(merged))
        figures = check.stats(merged)
        if figures:
            stats[check.stats_key or type(check).__name__] = dict(figures)
    return findings, stats


def run(
    sources: Sequence[Source],
    loaded: LoadedConfig,
    registry: Registry,
    policy: Policy,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
    baseline: Baseline | None = None,
    changes: Changes | None = None,
    skipped: dict[str, str] | None = None,
    cache: bool = False,
    cache_dir: Path | None = None,
    warn: Callable[[str], None] | None = None,
) -> Report:
    """Lint ``sources`` and return the report with the gate's verdict.

    With ``changes`` (``--diff-base``) only findings touching changed lines are kept; with a
    ``baseline`` the findings it records are marked suppressed and stale entries reported; the
    nearest ``.dslint-ignore.yaml`` does the same for the findings its entries pick, with reasons;
    ``skipped`` (files a walk passed over) is recorded in the summary. With ``cache``, files read
    before with the same settings come from the per-file cache (see ``dslint/cache.py``); ``warn``
    is told, once, why the cache could not be used or written.
    """
    ignore_file = find_ignore_file(loaded.root)  # read first: a mistake in it fails before the scan
    suppressions = load_suppressions(ignore_file, registry.rules) if ignore_file is not None else None
    plans = plan_files(sources, loaded)
    fields = loaded.config.fields.model_dump(exclude_none=True) if loaded.config.fields else None
    checks = build_checks(registry, policy, fields, frozenset(p.split for p in plans if p.split), loaded.root)
    checks.max_record = loaded.config.max_record_size << 20
    splits = sorted({p.split for p in plans if p.split})
    file_cache = open_run_cache(loaded, registry, policy, checks.fields, checks.max_record, splits, cache_dir, warn) if cache else None
    results = scan_all(plans, checks, jobs, progress) if file_cache is None else scan_cached(plans, checks, jobs, progress, file_cache)
    if file_cache is not None and file_cache.warning and warn is not None:
        warn(file_cache.warning)
    raw = [f for r in results for f in r.findings]
    dataset_findings, stats = finalize(results, checks)
    raw.extend(dataset_findings)
    files = _file_summaries(results)
    records = sum(f.records for f in files)
    findings = policy.apply(raw, records, {p.source.display: p.root_path for p in plans})
    if suppressions is not None:
        findings = apply_suppressions(findings, suppressions, policy.enabled, [p.source.display for p in plans])
        findings.sort(key=Finding.sort_key)
    if baseline is not None:
        findings = sorted(apply_baseline(findings, baseline, registry.rules), key=Finding.sort_key)
    if changes is not None:
        findings = [f for f in findings if changes.keep(f)]
    by_severity, by_rule = severity_counts(findings)
    summary = Summary(
        files=len(files),
        records=records,
        by_severity=by_severity,
        by_rule=by_rule,
        file_details=files,
        stats=dict(sorted(stats.items())),
        skipped=skipped or {},
        cache=CacheCounts(hits=file_cache.hits, misses=file_cache.misses) if file_cache is not None else None,
    )
    report = Report(
        tool=ToolInfo(version=__version__),
        passed=policy.passed(findings),
        fail_on=policy.fail_on,  # type: ignore[arg-type]
        summary=summary,
        findings=findings,
    )
    return redact_report(report)


def scan_cached(
    plans: Sequence[FilePlan], checks: Checks, jobs: int, progress: Progress | None, cache: FileCache
) -> list[FileResult]:
    """``scan_all`` for the files the cache does not hold; each scanned file is stored (its shards
    merged into one result), and prunes old entries. stdin and data in memory are never cached."""
    if len({p.source.display for p in plans}) < len(plans):  # results are matched to files by name
        return scan_all(plans, checks, jobs, progress)
    keys = {
        i: FileKey(p.source.path, p.source.display, p.root_path, p.split, p.format_name)
        for i, p in enumerate(plans)
        if p.source.path is not None and p.source.path.is_file()
    }
    results: dict[int, FileResult] = {}
    seen: dict[int, Seen] = {}
    done = 0
    for i, key in keys.items():
        payload, seen[i] = cache.lookup(key)
        if payload is not None:
            results[i] = payload
            done += payload.summary.records
            if progress:
                progress(key.display, done)
    misses = [p for i, p in enumerate(plans) if i not in results]
    shown = (lambda name, records: progress(name, done + records)) if progress else None
    scanned = _per_file(scan_all(misses, checks, jobs, shown), checks)
    for i, plan in enumerate(plans):
        if i not in results:
            results[i] = scanned[plan.source.display]
            if i in keys:
                cache.store(keys[i], _for_cache(results[i], checks), seen[i])
    cache.prune()
    return [results[i] for i in range(len(plans))]


def _per_file(results: Sequence[FileResult], checks: Checks) -> dict[str, FileResult]:
    """One result per file: the shards of a split file merged in plan order."""
    out: dict[str, FileResult] = {}
    for r in results:
        prev = out.get(r.summary.path)
        if prev is None:
            out[r.summary.path] = r
            continue
        records, fmt = prev.summary.records + r.summary.records, prev.summary.format or r.summary.format
        summary = prev.summary.model_copy(update={"records": records, "format": fmt})
        states = [check.merge(a, b) for check, a, b in zip(checks.dataset, prev.states, r.states)]
        out[r.summary.path] = FileResult(summary, prev.findings + r.findings, states)
    return out


def _for_cache(result: FileResult, checks: Checks) -> FileResult:
    """What an entry keeps: findings redacted as any report would show them (the policy needs
    their locations as they are, so only their texts are scrubbed), states settled."""
    states = [check.settle(state) for check, state in zip(checks.dataset, result.states)]
    return FileResult(result.summary, [redact_finding(f) for f in result.findings], states)
