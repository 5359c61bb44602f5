"""One pass over every file: read records, run record checks, fold dataset-check states; then
merge the states of all files in a fixed order, finalize, and hand the findings to the policy.

An executor (``dslint/executors/``: this process, a process pool, a Ray cluster) scans the files,
and shards of large ones (byte ranges of JSON Lines, runs of Parquet row groups or Arrow record
batches), wherever it runs them; the engine restores plan order and the executor merges the
states in plan order (merges are associative and commutative anyway), so the findings are the
same for any executor and number of workers.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import reduce
from itertools import islice
from pathlib import Path
from typing import Any

from dslint import __version__
from dslint.batch import BATCH_RECORDS, Batch
from dslint.baseline import Baseline, apply_baseline
from dslint.cache import FileCache, FileKey, Seen, open_run_cache
from dslint.check import CheckContext, DatasetCheck, RecordCheck, Rule
from dslint.checks.schema.reading import EMPTY_FILE, UNREADABLE_FILE, UNRECOGNIZED_FORMAT
from dslint.config import LoadedConfig
from dslint.diff import Changes
from dslint.executors import CheckCrashed, Executor, default_jobs, make_executor
from dslint.finding import AnyFinding, CacheCounts, FileSummary, Finding, Hit, Location, Report, Summary, ToolInfo, as_model, location, sort_findings
from dslint.formats import DETECT_SAMPLE, Format, detect_format, make_format
from dslint.packs import PackCheck
from dslint.paths import detect_split, glob_match, root_relative
from dslint.policy import Policy, severity_counts
from dslint.readers import Source, read_source
from dslint.readers.arrow import plan_batches, read_arrow, saved_split
from dslint.readers.jsonl import read_jsonl_range
from dslint.readers.parquet import plan_row_groups, read_parquet
from dslint.readers.remote import url_size
from dslint.readers.shards import ByteRange, RowGroups, opener, plan_ranges
from dslint.readers.streams import MAX_RECORD_BYTES, STREAM_ERRORS, ReadPosition
from dslint.record import ReadIssue, Record, stable_hash
from dslint.redact import for_output, quote, redact_finding, redact_summary
from dslint.registry import Registry
from dslint.suppressions import apply_suppressions, find_ignore_file, load_suppressions

Progress = Callable[[str, int], None]  # (file just finished, records so far)
SHARD_MIN_BYTES = 4 << 20  # smaller files are not worth splitting across workers


@dataclass(frozen=True)
class FilePlan:
    source: Source
    root_path: str  # the file's path from the config's folder: what config patterns match
    split: str | None
    format_name: str | None  # set when the config names the format; None: detect
    byte_range: ByteRange | None = None  # a shard of a large JSON Lines file
    row_groups: RowGroups | None = None  # a shard of a large Parquet (row groups) or Arrow file (record batches)

    @property
    def sharded(self) -> bool:
        return self.byte_range is not None or self.row_groups is not None

    @property
    def leads(self) -> bool:
        """A whole file, or the first shard of one: what reports file-wide findings."""
        shard = self.byte_range or self.row_groups
        return shard is None or shard.start == 0


@dataclass
class Checks:
    """The check instances of one run; picklable so worker processes can take them."""

    record: list[RecordCheck]
    dataset: list[DatasetCheck]
    rules: dict[str, Rule]
    fields: dict[str, Any] | None = None
    max_record: int = MAX_RECORD_BYTES  # bytes; a longer line or row is a DS123 finding


class ReadMeter:
    """Bytes of input read so far out of ``total``, added up across this process and the worker
    processes it forks (the counter lives in shared memory that forked workers inherit). A
    progress callback with an ``attach(meter)`` method is handed the meter before the scan."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._done = multiprocessing.Value("q", 0)

    def add(self, size: int) -> None:
        if size:
            with self._done.get_lock():
                self._done.value += size

    @property
    def done(self) -> int:
        return int(self._done.value)


_meter: ReadMeter | None = None  # this run's meter, set before workers are forked
_METER_EVERY = 128  # items between updates of the meter


def plan_bytes(plan: FilePlan) -> int:
    """The bytes a plan covers: its byte range, else the whole file."""
    if plan.byte_range is not None:
        return plan.byte_range.end - plan.byte_range.start
    if plan.row_groups is not None:
        return plan.row_groups.stored
    return source_bytes(plan.source)


def source_bytes(source: Source) -> int:
    """A local file's size (0 for stdin, memory, URLs and what cannot be read)."""
    try:
        return source.path.stat().st_size if source.path is not None else 0
    except OSError:
        return 0


def resolve_jobs(requested: int | None, sources: Sequence[Source]) -> int:
    """The worker processes asked for (``--jobs``, else the config's ``jobs``), else the default
    for this much data: one per available CPU from 2 MB on."""
    return requested if requested is not None else default_jobs([source_bytes(s) for s in sources])


@dataclass
class FileResult:
    summary: FileSummary
    findings: list[AnyFinding] = field(default_factory=list)
    states: list[Any] = field(default_factory=list)
    metered: int = 0  # bytes this scan added to a ReadMeter (none where the meter is not shared)
    stopped: bool = False  # reading stopped early (DS100): the file's later shards do not count


def plan_files(sources: Sequence[Source], loaded: LoadedConfig) -> list[FilePlan]:
    """Split and format per file: config patterns first, then names for splits."""
    cfg = loaded.config
    plans = []
    for src in sources:
        root_path = _root_relative(src, loaded.root)
        split = next((name for pat, name in cfg.splits.items() if glob_match(pat, root_path)), None)
        split = split or detect_split(root_path) or _saved_split(src)
        fmt = next((name for pat, name in cfg.formats.items() if glob_match(pat, root_path)), None)
        plans.append(FilePlan(src, root_path, split, fmt))
    return plans


def _saved_split(src: Source) -> str | None:
    """The split a local ``save_to_disk`` folder records for its Arrow file."""
    return detect_split(saved_split(src.path) or "") if src.kind == "arrow" and src.path is not None else None


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
    ctx = CheckContext(options=policy.options, enabled=policy.enabled, splits=splits, root=root, profile=policy.profile)
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
    findings: list[AnyFinding] = []
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
        batch.append(record)
        count += 1
        if len(batch) >= BATCH_RECORDS:
            flush()

    def flush() -> None:
        if batch:
            run_batch(checks, Batch(batch.copy()), findings, states)
            batch.clear()

    batch: list[Record] = []
    position, reported, meter = ReadPosition(), 0, _meter
    stopped = False
    for n, item in enumerate(_read_plan(plan, checks.max_record, position)):
        if meter is not None and n % _METER_EVERY == 0:
            read = position.bytes_read()
            meter.add(read - reported)
            reported = max(read, reported)
        if isinstance(item, ReadIssue):
            issues += 1
            stopped = stopped or item.rule == UNREADABLE_FILE.code
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
    flush()
    where = Location(file=plan.source.display, split=plan.split)
    if count == 0 and issues == 0 and not plan.sharded:
        findings.append(EMPTY_FILE.dataset("file has no records", key=plan.source.display, location=where))
    if count and fmt.name == "unknown" and plan.leads:
        findings.append(_unrecognized(where, list(keys_seen)))
    metered = 0
    if meter is not None:
        metered = plan_bytes(plan)
        meter.add(metered - reported)
    summary = FileSummary(path=plan.source.display, format=fmt.name if count else None, split=plan.split, records=count)
    return FileResult(summary, findings, states, metered, stopped)


def _read_plan(plan: FilePlan, max_record: int, position: ReadPosition) -> Iterator[Record | ReadIssue]:
    """The records and read issues of a file or of one shard of it."""
    if plan.byte_range is not None:
        return read_jsonl_range(plan.source.display, opener(plan.source), plan.byte_range, max_record, position)
    if plan.row_groups is not None:
        read = read_parquet if plan.source.kind == "parquet" else read_arrow
        return read(plan.source, plan.row_groups)
    return read_source(plan.source, max_record=max_record, position=position)


def run_batch(checks: Checks, batch: Batch, findings: list[AnyFinding], states: list[Any]) -> None:
    """Every record check over a batch, then every dataset check's update; a check that raises
    is named with the record it failed on."""
    current: Any = None
    try:
        for current in checks.record:
            findings.extend(current.check_batch(batch))
        for i, current in enumerate(checks.dataset):
            states[i] = current.update_batch(states[i], batch)
    except Exception as exc:
        record = _failing_record(current, batch) or batch.records[0]
        where = f"{record.file}:{record.line}" if record.line else f"{record.file} record {record.index}"
        raise CheckCrashed(f"{type(current).__name__} failed on {where}: {type(exc).__name__}: {exc}") from exc


def _failing_record(check: RecordCheck | DatasetCheck, batch: Batch) -> Record | None:
    """The first record of the batch that ``check`` raises on when given it alone."""
    for record in batch.records:
        try:
            if isinstance(check, DatasetCheck):
                check.update_batch(check.init(), Batch([record]))
            else:
                list(check.check_batch(Batch([record])))
        except Exception:
            return record
    return None


def _unrecognized(where: Location, keys: list[str]) -> Hit:
    """DS120: no layout fits the file; name the keys seen (redacted like any data) and the fix."""
    shown = ", ".join(quote(k, 30) for k in keys[:8]) + (f" and {len(keys) - 8} more" if len(keys) > 8 else "")
    return UNRECOGNIZED_FORMAT.dataset(
        f"no known dataset layout fits this file's records (keys {shown or 'none'}); name its format"
        " with `formats:` or map its keys with `fields: {input: ..., output: ...}` in the config",
        key=where.file,
        location=where,
        metrics={"keys": len(keys)},
    )


def _issue_finding(issue: ReadIssue, split: str | None, rules: dict[str, Rule]) -> Hit:
    rule = rules[issue.rule]
    return Hit(
        rule=rule.code,
        name=rule.name,
        check=rule.family,
        severity=rule.severity,
        message=issue.message,
        location=location(issue.file, issue.line, None if rule.scope == "file" else issue.index, None, split),
        # The raw line identifies the problem wherever the line moves; file-level problems have none.
        fingerprint=stable_hash(rule.code.encode() + b"\0" + (issue.raw or f"{issue.file}\0{issue.message}".encode())),
    )


def shard_plans(plans: Sequence[FilePlan], jobs: int, fields: dict[str, Any] | None) -> list[FilePlan]:
    """Split large files, local or URLs, one shard per worker at most, so a single big file uses
    every worker: uncompressed JSON Lines into byte ranges at line boundaries (a URL only when its
    file system reports a size), Parquet into runs of whole row groups, a local Arrow file
    (``save_to_disk``) into runs of record batches. The format is detected once, before splitting."""
    out: list[FilePlan] = []
    for plan in plans:
        out.extend(_shards(plan, jobs, fields) if jobs > 1 else [plan])
    return out


def _shards(plan: FilePlan, jobs: int, fields: dict[str, Any] | None) -> list[FilePlan]:
    src = plan.source
    if src.compression is not None or src.kind not in ("jsonl", "parquet", "arrow") or (src.path is None and src.url is None):
        return [plan]
    size = source_bytes(src) if src.url is None else url_size(src) or 0
    if size < SHARD_MIN_BYTES:
        return [plan]
    fmt = plan.format_name or _detected_format(src, fields)
    if fmt is None:
        return [plan]
    parts = min(jobs, -(-size // SHARD_MIN_BYTES))
    if src.kind in ("parquet", "arrow"):
        cut = plan_row_groups if src.kind == "parquet" else plan_batches
        groups = cut(src, parts, source_bytes(src))  # URLs count no bytes on the meter
        return [replace(plan, format_name=fmt, row_groups=g) for g in groups] if groups else [plan]
    try:
        ranges = plan_ranges(opener(src), size, parts)
    except STREAM_ERRORS:  # read whole, the file's DS100 finding says why it cannot be
        return [plan]
    return [replace(plan, format_name=fmt, byte_range=r) for r in ranges]


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
        by_path[s.path] = s if prev is None else _joined(prev, s)
    return list(by_path.values())


def _joined(first: FileSummary, then: FileSummary) -> FileSummary:
    """The summary of a file from those of two of its shards, in plan order."""
    return first.model_copy(update={"records": first.records + then.records, "format": first.format or then.format})


def scan_all(
    plans: Sequence[FilePlan],
    checks: Checks,
    jobs: int = 1,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> list[FileResult]:
    """Scan every file and shard, by ``executor`` (default: a pool of ``jobs`` worker processes,
    or this process); results come back in plan order. An executor given is left open, so its
    states can be merged by :func:`finalize`; one made here is closed."""
    global _meter
    own = executor is None
    executor = executor or make_executor(None, jobs)
    try:
        # first: how many parts a file is worth may need the cluster
        executor.open(checks, scan_shipped if executor.ships_results else scan_file)
        plans = shard_plans(plans, executor.parts, checks.fields)
        # Set before a pool forks its workers, which then add to the same shared counter.
        _meter = ReadMeter(sum(plan_bytes(p) for p in plans)) if progress is not None else None
        if _meter is not None and hasattr(progress, "attach"):
            progress.attach(_meter)  # type: ignore[union-attr]
        # stdin and objects in memory exist only in this process: scanned here, while workers run
        remote = [i for i, p in enumerate(plans) if not _only_here(p.source)]
        if executor.ships_results:  # largest first: no worker is left with a big file at the end
            remote.sort(key=lambda i: -plan_bytes(plans[i]))
        results: list[FileResult | None] = [None] * len(plans)
        records = 0

        def done(i: int, result: FileResult) -> None:
            nonlocal records
            results[i] = result
            records += result.summary.records
            if _meter is not None:  # what workers without the shared counter (Ray) read
                _meter.add(plan_bytes(plans[i]) - result.metered)
            if progress:
                progress(plans[i].source.display, records)

        from_workers = executor.map([plans[i] for i in remote])
        for i, plan in enumerate(plans):
            if _only_here(plan.source):
                done(i, scan_file(plan, checks))
        for k, result in from_workers:
            done(remote[k], result)
        return _cut_after_stops(plans, results, checks)  # type: ignore[arg-type]  # every slot is filled
    finally:
        _meter = None
        if own:
            executor.close()


def scan_shipped(plan: FilePlan, checks: Checks) -> FileResult:
    """``scan_file`` for a worker whose result is sent back: the dataset states are settled
    first (the last rows' signatures and n-grams computed), or the main process would do that
    work alone, after every worker is done."""
    result = scan_file(plan, checks)
    result.states = [check.settle(state) for check, state in zip(checks.dataset, result.states)]
    return result


def _cut_after_stops(plans: Sequence[FilePlan], results: list[FileResult], checks: Checks) -> list[FileResult]:
    """Empty the results of a file's shards after one whose reading stopped (DS100: a corrupt
    row group, a read error, a file given up on), as a single pass would not have read on."""
    stopped: set[str] = set()
    for i, (plan, result) in enumerate(zip(plans, results)):
        name = plan.source.display
        if name in stopped:
            summary = result.summary.model_copy(update={"records": 0, "format": None})
            results[i] = FileResult(summary, [], [check.init() for check in checks.dataset])
        elif result.stopped and plan.sharded:
            stopped.add(name)
    return results


def _only_here(source: Source) -> bool:
    return source.path is None and source.url is None


def finalize(
    results: Sequence[FileResult], checks: Checks, executor: Executor | None = None
) -> tuple[list[Finding], dict[str, Any]]:
    """Merge each dataset check's per-file states in file order (by ``executor``, where they
    are, when given); finalize them and collect stats."""
    findings: list[Finding] = []
    stats: dict[str, Any] = {}
    for i, check in enumerate(checks.dataset):
        states = [r.states[i] for r in results]
        if executor is not None:
            merged = executor.reduce(i, states)
        else:
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
    executor: Executor | None = None,
    progress: Progress | None = None,
    baseline: Baseline | None = None,
    changes: Changes | None = None,
    skipped: dict[str, str] | None = None,
    cache: bool = False,
    cache_dir: Path | None = None,
    warn: Callable[[str], None] | None = None,
    models: bool = True,
) -> Report:
    """Lint ``sources`` and return the report with the gate's verdict.

    With ``changes`` (``--diff-base``) only findings touching changed lines are kept; with a
    ``baseline`` the findings it records are marked suppressed and stale entries reported; the
    nearest ``.dslint-ignore.yaml`` does the same for the findings its entries pick, with reasons;
    ``skipped`` (files a walk passed over) is recorded in the summary. ``executor`` decides where
    files are scanned (default: a pool of ``jobs`` processes, or this process) and is closed here.
    With ``cache``, files read before with the same settings come from the per-file cache (see
    ``dslint/cache.py``; not on Ray, whose states stay on the cluster until merged there); ``warn``
    is told, once, why the cache could not be used or written. With ``models=False`` the report's
    findings stay light ``Hit`` records with the same attributes (snippets cut when first read),
    for a caller that renders them one by one (the CLI) rather than keeping a model of each.
    """
    ignore_file = find_ignore_file(loaded.root)  # read first: a mistake in it fails before the scan
    suppressions = load_suppressions(ignore_file, registry.rules) if ignore_file is not None else None
    plans = plan_files(sources, loaded)
    fields = loaded.config.fields.model_dump(exclude_none=True) if loaded.config.fields else None
    checks = build_checks(registry, policy, fields, frozenset(p.split for p in plans if p.split), loaded.root)
    checks.max_record = loaded.config.max_record_size << 20
    executor = executor or make_executor(None, jobs)
    splits = sorted({p.split for p in plans if p.split})
    use_cache = cache and executor.name != "ray"
    file_cache = open_run_cache(loaded, registry, policy, checks.fields, checks.max_record, splits, cache_dir, warn) if use_cache else None
    with executor, _objects_before_frozen():
        if file_cache is None:
            results = scan_all(plans, checks, jobs, progress, executor)
            dataset_findings, stats = finalize(results, checks, executor)
        else:
            results, (dataset_findings, stats) = lint_cached(plans, checks, jobs, progress, file_cache, executor)
    if file_cache is not None and file_cache.warning and warn is not None:
        warn(file_cache.warning)
    raw = [f for r in results for f in r.findings]
    raw.extend(dataset_findings)
    files = _file_summaries(results)
    records = sum(f.records for f in files)
    findings = policy.apply(raw, records, {p.source.display: p.root_path for p in plans})
    del raw, results, dataset_findings  # the findings live on in `findings` alone (see `shown`)
    if suppressions is not None:
        findings = apply_suppressions(findings, suppressions, policy.enabled, [p.source.display for p in plans])
        sort_findings(findings)
    if baseline is not None:
        findings = apply_baseline(findings, baseline, registry.rules)
        sort_findings(findings)
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
    shown = findings  # the last step: nothing raw leaves the run (one at a time: no second list of hits)
    for i, f in enumerate(shown):
        shown[i] = for_output(f)
    head = {"tool": ToolInfo(version=__version__, executor=executor.name), "passed": policy.passed(shown),
            "fail_on": policy.fail_on, "summary": redact_summary(summary)}
    if models:
        return Report(**head, findings=[as_model(f) for f in shown])
    return Report.model_construct(**head, findings=shown)


@contextmanager
def _objects_before_frozen() -> Iterator[None]:
    """Keep the objects alive before the scan (imported modules: some 65,000 for a default lint)
    out of the garbage collector's full collections while it runs (``gc.freeze``), in this
    process and the workers it forks: each full collection would walk them all (7% of a lint).
    Left alone when the caller has frozen objects (unfreezing would thaw theirs too)."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def lint_cached(
    plans: Sequence[FilePlan],
    checks: Checks,
    jobs: int,
    progress: Progress | None,
    cache: FileCache,
    executor: Executor | None = None,
) -> tuple[list[FileResult], tuple[list[AnyFinding], dict[str, Any]]]:
    """``scan_all`` and ``finalize`` with the per-file cache: files it holds are not read, and
    when it also holds the last finished run of exactly these files as they are, no state is
    loaded and nothing finalized. Each scanned file is stored (its shards merged into one
    result), then the finished run; old entries are pruned. stdin and data in memory are never
    cached."""
    if len({p.source.display for p in plans}) < len(plans):  # results are matched to files by name
        results = scan_all(plans, checks, jobs, progress, executor)
        return results, finalize(results, checks, executor)
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
    files = [(keys[i], seen[i]) for i in range(len(plans))] if len(keys) == len(plans) else None
    if files is not None and len(results) == len(plans):
        finished = cache.finished(files)
        if finished is not None:
            cache.prune()
            return [results[i] for i in range(len(plans))], finished
    for i in list(results):
        states = cache.states(keys[i], seen[i])
        if states is None:  # the file's states are gone: read it again
            del results[i]
        else:
            results[i] = replace(results[i], states=states)
    misses = [p for i, p in enumerate(plans) if i not in results]
    shown = _CountedOn(progress, done) if progress else None
    scanned = _per_file(scan_all(misses, checks, jobs, shown, executor), checks)
    for i, plan in enumerate(plans):
        if i not in results:
            results[i] = scanned[plan.source.display]
            if i in keys:
                head, states = _for_cache(results[i], checks)
                cache.store(keys[i], head, seen[i], states)
    ordered = [results[i] for i in range(len(plans))]
    dataset_findings, stats = finalize(ordered, checks, executor)
    if files is not None:
        cache.store_finished(files, ([redact_finding(f) for f in dataset_findings], stats))
    cache.prune()
    return ordered, (dataset_findings, stats)


class _CountedOn:
    """Progress for the files scanned after the cache's hits: records counted on from theirs,
    and the byte meter (of the files still to read) passed through."""

    def __init__(self, progress: Progress, done: int) -> None:
        self.progress, self.done = progress, done

    def __call__(self, name: str, records: int) -> None:
        self.progress(name, self.done + records)

    def attach(self, meter: ReadMeter) -> None:
        if hasattr(self.progress, "attach"):
            self.progress.attach(meter)


def _per_file(results: Sequence[FileResult], checks: Checks) -> dict[str, FileResult]:
    """One result per file: the shards of a split file merged in plan order."""
    out: dict[str, FileResult] = {}
    for r in results:
        prev = out.get(r.summary.path)
        if prev is None:
            out[r.summary.path] = r
            continue
        states = [check.merge(a, b) for check, a, b in zip(checks.dataset, prev.states, r.states)]
        out[r.summary.path] = FileResult(_joined(prev.summary, r.summary), prev.findings + r.findings, states)
    return out


def _for_cache(result: FileResult, checks: Checks) -> tuple[FileResult, list[Any]]:
    """What a file's entries keep: its findings redacted as any report would show them (the
    policy needs their locations as they are, so only their texts are scrubbed), and its states
    settled, apart."""
    states = [check.settle(state) for check, state in zip(checks.dataset, result.states)]
    return FileResult(result.summary, [redact_finding(f) for f in result.findings]), states
