"""The ``dslint`` command line: check, baseline, rules, rule, init, schema, completion.

Exit codes: 0 the gate passed, 1 the gate failed, 2 a usage, config, plugin or I/O error, or an
interruption by SIGINT (Ctrl-C) or SIGTERM (one line on stderr; ``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from dslint import __version__
from dslint.api import config_scope, find_sources, prepare, unmatched_patterns
from dslint.atomic import open_atomic, write_atomic
from dslint.baseline import Baseline, load_baseline, prune
from dslint.diff import changes_since
from dslint.engine import CheckCrashed, ReadMeter, resolve_jobs, run
from dslint.executors import EXECUTORS, ExecutorError, make_executor
from dslint.finding import Report
from dslint.policy import Overrides
from dslint.precommit import plan_hook
from dslint.profiles import profile_names
from dslint.readers import InputError
from dslint.redact import printable
from dslint.report import RENDERERS, RenderOptions, render
from dslint.report.markdown import markdown_summary
from dslint.yamlpos import ConfigError

EXIT_PASSED, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _selectors(value: str) -> list[str]:
    """Comma-separated selectors; rule codes and prefixes are case-insensitive (ds2 = DS2)."""
    return [_code_case(s.strip()) for s in value.split(",") if s.strip()]


def _code_case(selector: str) -> str:
    return selector.upper() if re.fullmatch(r"(?i:ds)\d*|(?i:all)", selector) else selector


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dslint", description="Lint machine-learning fine-tuning datasets.")
    parser.add_argument("--version", "-V", action="version", version=f"dslint {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    parser.add_argument(
        "--allow-plugins", action="store_true",
        help="run the code plugins the config names (only for repositories you trust; also DSLINT_ALLOW_PLUGINS=1)",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = sub.add_parser("check", help="lint files and folders (the default command)")
    check.add_argument("paths", nargs="*", help="files, folders, globs, or - for JSONL on stdin")
    check.add_argument("--select", type=_selectors, help="comma-separated rule selectors to run instead of the config's")
    check.add_argument("--extend-select", type=_selectors, default=[], help="selectors to add")
    check.add_argument("--ignore", type=_selectors, default=[], help="selectors to switch off")
    check.add_argument("--fail-on", choices=["error", "warning", "info", "never"], help="lowest severity that fails the gate (default: error)")
    check.add_argument("--format", choices=sorted(RENDERERS), help="output format (default: github under GitHub Actions, rich on a terminal, else concise)")
    check.add_argument("--output", "-o", help="write the report to this file instead of stdout")
    check.add_argument("--statistics", action="store_true", help="count findings per rule instead of listing them")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when the gate fails")
    check.add_argument("--config", help="config file (default: nearest dslint.yaml, .dslint.yaml or pyproject.toml)")
    check.add_argument("--quiet", "-q", action="store_true", help="no progress bar; print nothing when the gate passes")
    check.add_argument("--jobs", "-j", type=int, help="worker processes (default: the config's jobs, else one per available CPU once the data reaches 2 MB)")
    check.add_argument("--executor", choices=EXECUTORS, help="where files are scanned (default: the config's executor, else pool when jobs > 1, else inprocess)")
    check.add_argument("--ray-address", metavar="ADDRESS", help="with --executor ray: the cluster to connect to (default: $RAY_ADDRESS, else a new local one)")
    check.add_argument("--profile", choices=profile_names(), help="trainer profile: measure rows as this trainer would (DS9xx)")
    check.add_argument("--baseline", help="baseline file: fail only on findings it does not record")
    check.add_argument("--diff-base", metavar="REF", help="report only findings on files and lines changed since this git ref")
    check.add_argument("--summary-file", help="append a Markdown summary here (default: $GITHUB_STEP_SUMMARY when set)")
    check.add_argument("--no-ignore", action="store_true", help="walk folders without honouring .gitignore and .dslintignore")
    check.add_argument("--no-cache", action="store_true", help="read every file again; neither use nor write the per-file cache")
    check.add_argument("--cache-dir", help="folder of the per-file cache (default: the config's cache-dir, else .dslint_cache next to it)")
    check.add_argument(
        "--pre-commit",
        action="store_true",
        help="the paths are staged files: lint their whole dataset, report findings touching them, skip non-data files",
    )

    baseline = sub.add_parser("baseline", help="create or prune a baseline of accepted findings")
    baseline.add_argument("action", choices=["create", "prune"])
    baseline.add_argument("paths", nargs="*", help="files and folders (default: the config's paths, else .)")
    baseline.add_argument("--output", "-o", default="dslint-baseline.json", help="the baseline file (default: dslint-baseline.json)")
    baseline.add_argument("--config", help="config file")
    baseline.add_argument("--select", type=_selectors)
    baseline.add_argument("--extend-select", type=_selectors, default=[])
    baseline.add_argument("--ignore", type=_selectors, default=[])
    baseline.add_argument("--jobs", "-j", type=int)
    baseline.add_argument("--quiet", "-q", action="store_true")
    baseline.add_argument("--no-ignore", action="store_true", help="walk folders without honouring ignore files")

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=["table", "json"], default="table")
    rules.add_argument("--config", help="config file, for plugins and rule packs")
    rule = sub.add_parser("rule", help="show one rule's documentation")
    rule.add_argument("code", help="rule code or name, e.g. DS104 or missing-required-key")
    rule.add_argument("--config", help="config file, for plugins and rule packs")

    init = sub.add_parser("init", help="write a commented dslint.yaml for the data found")
    init.add_argument("paths", nargs="*", help="data files or folders (default: .)")
    init.add_argument("--output", "-o", default="dslint.yaml")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.add_argument("--update", action="store_true", help="refresh paths, formats and splits in an existing file, keeping its comments")

    schema = sub.add_parser("schema", help="print the JSON Schema of the JSON report (or of the config file)")
    schema.add_argument("--config", action="store_true", help="print the schema of dslint.yaml instead, for editors")

    suppress = sub.add_parser("suppress", help="accept findings by fingerprint, with a reason, in .dslint-ignore.yaml")
    suppress.add_argument("fingerprints", nargs="+", metavar="FINGERPRINT", help="fingerprints from the JSON or SARIF report")
    suppress.add_argument("--reason", required=True, help="why these findings are acceptable (required)")
    suppress.add_argument("--expires", type=_date, metavar="YYYY-MM-DD", help="last day the entries apply")
    suppress.add_argument("--path", dest="paths", action="append", default=[], help="what to lint to find the findings (default: the config's paths, else .)")
    suppress.add_argument("--config", help="config file")
    suppress.add_argument("--jobs", "-j", type=int)
    suppress.add_argument("--no-ignore", action="store_true", help="walk folders without honouring ignore files")

    completion = sub.add_parser("completion", help="print the shell completion script for bash, zsh or fish")
    completion.add_argument("shell", choices=["bash", "zsh", "fish"])

    _add_fix_parser(sub)
    return parser


def _add_fix_parser(sub: argparse._SubParsersAction) -> None:
    fix = sub.add_parser("fix", help="write a fixed copy of the data and a log of every change")
    fix.add_argument("paths", nargs="*", help="files and folders (default: the config's paths, else .)")
    where = fix.add_mutually_exclusive_group()
    where.add_argument("--output-dir", "-o", help="folder for the fixed copies (and the change log, .dslint/fixes.jsonl)")
    where.add_argument("--in-place", action="store_true", help="replace each changed input (atomically, once its copy is complete)")
    fix.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe fixes (dropping records, changing content)")
    fix.add_argument("--drop-leaked", choices=["train", "eval"], default="train", help="which side of a train/eval leak to drop (default: train)")
    fix.add_argument("--select", type=_selectors, help="comma-separated rule selectors whose fixes run")
    fix.add_argument("--ignore", type=_selectors, default=[], help="selectors whose fixes do not run")
    fix.add_argument("--config", help="config file")
    fix.add_argument("--jobs", "-j", type=int, help="worker processes for linting")
    fix.add_argument("--executor", choices=EXECUTORS, help="where files are linted (default: the config's executor, else pool when jobs > 1, else inprocess)")
    fix.add_argument("--ray-address", metavar="ADDRESS", help="with --executor ray: the cluster to connect to (default: $RAY_ADDRESS, else a new local one)")
    fix.add_argument("--diff", action="store_true", help="print a unified diff of the rewritten fields (redacted)")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    allow_plugins = "--allow-plugins" in argv
    argv = [arg for arg in argv if arg not in ("--debug", "--allow-plugins")]  # global flags, accepted anywhere
    restore_signals = _handle_sigterm()
    try:
        if not argv or argv[0] not in {*COMMANDS, "-h", "--help", "--version", "-V"}:
            _reject_misspelt_command(argv)
            argv = ["check", *argv]  # `dslint data/` means `dslint check data/`
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return EXIT_ERROR
        args.allow_plugins = allow_plugins
        return COMMANDS[args.command](args)
    except UsageError as exc:
        return fail(f"{exc} (see dslint --help)")
    except BrokenPipeError:
        # The reader of our output went away (`dslint check | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except (ConfigError, InputError, CheckCrashed, ExecutorError, OSError) as exc:
        if debug:
            raise
        return fail(str(exc) if not isinstance(exc, OSError) else f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    except KeyboardInterrupt:
        return fail("interrupted")
    except Terminated:
        return fail("terminated")
    finally:
        restore_signals()


class Terminated(BaseException):
    """SIGTERM arrived: stop like Ctrl-C (outputs are written atomically, so none is left half-done)."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def _handle_sigterm() -> Callable[[], None]:
    """Turn SIGTERM into Terminated for this run; returns how to put the previous handler back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGTERM, _terminate)
    return lambda: signal.signal(signal.SIGTERM, previous)


def _reject_misspelt_command(argv: Sequence[str]) -> None:
    """`dslint chek` is a typo, not a file named "chek": say which command was meant."""
    from dslint.yamlpos import did_you_mean

    word = argv[0] if argv else ""
    if not word or word.startswith("-") or os.path.lexists(word) or any(c in word for c in "/.*?["):
        return
    hint = did_you_mean(word, COMMANDS)
    if hint:
        raise UsageError(f"unknown command '{printable(word)}'{hint}")


def fail(message: str) -> int:
    from dslint.redact import scrub

    print(f"dslint: error: {scrub(message)}", file=sys.stderr)  # one line, no raw data
    return EXIT_ERROR


def cmd_check(args: argparse.Namespace) -> int:
    linted = lint_args(args, baseline=load_baseline(Path(args.baseline)) if args.baseline else None)
    if linted is None:
        print("dslint: no staged data files; nothing to check", file=sys.stderr)
        return EXIT_PASSED
    report, options = linted
    to_terminal = args.output is None and sys.stdout.isatty()
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true" and args.output is None
    fmt = args.format or ("github" if in_actions else "rich" if to_terminal else "concise")
    summary_file = args.summary_file or os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        write_atomic(summary_file, markdown_summary(report, options), append=True)
    if args.output is not None or not (args.quiet and report.passed):  # --quiet keeps the report file
        _emit(fmt, report, options, args.output)
    return EXIT_PASSED if report.passed or args.exit_zero else EXIT_FAILED


def lint_args(args: argparse.Namespace, baseline: Baseline | None = None) -> tuple[Report, RenderOptions] | None:
    """The run shared by `check`, `baseline`, `suppress` and the GitHub Action: config, rules, paths,
    changes, engine. None when ``--pre-commit`` was given staged files of which none is data.
    The report's findings are light ``Hit`` records (``engine.run(models=False)``)."""
    overrides = Overrides(select=args.select, extend_select=args.extend_select, ignore=args.ignore, fail_on=args.fail_on,
                          profile=getattr(args, "profile", None))
    loaded, registry, policy = prepare(args.config, overrides, allow_plugins=args.allow_plugins)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    use_ignore_files = not args.no_ignore
    changes = changes_since(args.diff_base) if getattr(args, "diff_base", None) else None
    if getattr(args, "pre_commit", False) and args.paths:
        if changes is not None:
            raise UsageError("--pre-commit and --diff-base cannot be combined")
        scope, include = config_scope(loaded) if loaded.config.paths else ([], [])
        hook = plan_hook(args.paths, loaded, scope, use_ignore_files, include)
        if hook is None:
            return None
        found, changes = hook.discovery, hook.changes
    else:
        found = find_sources(args.paths, loaded, use_ignore_files)
        if not args.paths:  # the config's own scope: a pattern matching nothing is likely a typo
            for warning in unmatched_patterns(loaded, found):
                print(f"dslint: warning: {warning}", file=sys.stderr)
    jobs = resolve_jobs(args.jobs or loaded.config.jobs, found.sources)
    if getattr(args, "ray_address", None) and (getattr(args, "executor", None) or loaded.config.executor) != "ray":
        raise UsageError("--ray-address needs --executor ray")
    executor = make_executor(getattr(args, "executor", None) or loaded.config.executor, jobs, getattr(args, "ray_address", None))
    with _progress(enabled=not args.quiet and sys.stderr.isatty()) as progress:
        report = run(
            found.sources, loaded, registry, policy,
            jobs=jobs, executor=executor, progress=progress, baseline=baseline, changes=changes,
            skipped=found.skipped, cache=not getattr(args, "no_cache", True),
            cache_dir=Path(args.cache_dir) if getattr(args, "cache_dir", None) else None, warn=_warn,
            models=False,  # findings stay light records: rendered one by one, snippets cut only if shown
        )
    to_terminal = getattr(args, "output", None) is None and sys.stdout.isatty()
    options = RenderOptions(
        rules=registry.rules,
        budgets=policy.budgets,
        color=to_terminal and _color_allowed(),
        statistics=getattr(args, "statistics", False),
        enabled=policy.enabled,
    )
    return report, options


def _warn(message: str) -> None:
    from dslint.redact import scrub

    print(f"dslint: warning: {scrub(message)}", file=sys.stderr)


def cmd_baseline(args: argparse.Namespace) -> int:
    """`baseline create` records today's findings; `baseline prune` drops entries that no longer occur."""
    args.fail_on = "never"
    report, _ = lint_args(args)  # type: ignore[misc]  # None only with --pre-commit, which baseline lacks
    target = Path(args.output)
    if args.action == "create":
        Baseline.from_findings(report.findings).write(target)
        print(f"wrote {target}: {len(report.findings)} findings from {report.summary.records:,} records")
        return EXIT_PASSED
    pruned, dropped = prune(load_baseline(target), report.findings)
    pruned.write(target)
    print(f"pruned {target}: dropped {dropped} stale entries, kept {len(pruned.entries)}")
    return EXIT_PASSED


def _emit(fmt: str, report: Report, options: RenderOptions, output: str | None) -> None:
    if output is None:
        render(fmt, report, sys.stdout, options)
        return
    with open_atomic(output) as fh:  # an interrupted run leaves the previous report whole
        stream = io.TextIOWrapper(fh, encoding="utf-8", newline="\n")
        render(fmt, report, stream, options)  # written as it is rendered (json streams findings)
        stream.flush()
        stream.detach()


def _color_allowed() -> bool:
    return "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


class _progress:
    """A transient progress line on stderr, shown only once a run has taken about a second: bytes
    read with a percentage and the time left (from the engine's ReadMeter, which workers update
    too), and the records of the files finished so far."""

    DELAY = 1.0
    REFRESH = 0.25

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None
        self._meter: ReadMeter | None = None
        self._timer: threading.Timer | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._last = ("", 0)

    def __enter__(self) -> _progress | None:
        if not self.enabled:
            return None
        self._timer = threading.Timer(self.DELAY, self._show)
        self._timer.daemon = True
        self._timer.start()
        return self

    def attach(self, meter: ReadMeter) -> None:
        self._meter = meter

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.table import Column

        with self._lock:
            if self._stop.is_set():
                return
            console = Console(file=sys.stderr, no_color=not _color_allowed())
            # Fits 80 columns: the figures first, then the records so far and the last file
            # finished, cut to the space left.
            columns = [SpinnerColumn(), BarColumn(bar_width=16), TaskProgressColumn()]
            columns += [DownloadColumn(table_column=Column(no_wrap=True))]
            columns += [TextColumn("eta"), TimeRemainingColumn(), TextColumn("{task.description}", table_column=Column(no_wrap=True, overflow="ellipsis"))]
            self._bar = Progress(*columns, console=console, transient=True)
            total = self._meter.total if self._meter is not None else 0
            self._task = self._bar.add_task(self._describe(), total=total or None)
            self._bar.start()
        while not self._stop.wait(self.REFRESH):
            with self._lock:
                if self._bar is None:
                    return
                done = self._meter.done if self._meter is not None else 0
                self._bar.update(self._task, completed=done, description=self._describe())

    def _describe(self) -> str:
        from dslint.redact import display_path

        name, records = self._last
        if not name:
            return "linting…"
        return f"{records:,} records · {display_path(name)}"

    def __call__(self, name: str, records: int) -> None:
        with self._lock:
            self._last = (name, records)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            if self._bar is not None:
                self._bar.stop()
                self._bar = None


def cmd_rules(args: argparse.Namespace) -> int:
    _, registry, policy = prepare(args.config, allow_plugins=args.allow_plugins)
    rules = list(registry.rules.values())
    if args.format == "json":
        rows = [_rule_json(r, r.code in policy.enabled) for r in rules]
        print(json.dumps(rows, indent=2))
        return EXIT_PASSED
    if not sys.stdout.isatty():  # piped: one plain line per rule, for grep and cut
        for r in rules:
            on = "yes" if r.code in policy.enabled else "-"
            print("\t".join((r.code, r.name, r.family, r.severity.value, r.scope, on, r.summary)))
        return EXIT_PASSED
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for col in ("code", "name", "family", "severity", "scope", "on", "summary"):
        table.add_column(col, overflow="fold")
    for r in rules:
        table.add_row(r.code, r.name, r.family, r.severity.value, r.scope, "yes" if r.code in policy.enabled else "-", r.summary)
    Console(no_color=not (sys.stdout.isatty() and _color_allowed()), highlight=False).print(table)
    return EXIT_PASSED


def _rule_json(rule, enabled: bool) -> dict:  # type: ignore[no-untyped-def]
    return {
        "code": rule.code,
        "name": rule.name,
        "family": rule.family,
        "severity": rule.severity.value,
        "scope": rule.scope,
        "summary": rule.summary,
        "docs": rule.docs,
        "options": rule.options.model_json_schema(by_alias=True).get("properties", {}),
        "origin": rule.origin,
        "enabled": enabled,
        "fix": {"action": rule.fix.action, "applicability": rule.fix.applicability, "does": rule.fix.does} if rule.fix else None,
    }


def cmd_rule(args: argparse.Namespace) -> int:
    _, registry, policy = prepare(args.config, allow_plugins=args.allow_plugins)
    rule = registry.resolve(args.code) or registry.resolve(_code_case(args.code))
    if rule is None:
        from dslint.yamlpos import did_you_mean

        choices = [*registry.rules, *(r.name for r in registry.rules.values())]
        raise UsageError(f"unknown rule '{args.code}'{did_you_mean(args.code, choices)}")
    print(rule_text(rule, rule.code in policy.enabled))
    return EXIT_PASSED


def rule_text(rule, enabled: bool) -> str:  # type: ignore[no-untyped-def]
    """The plain-text documentation page of a rule."""
    state = "enabled" if enabled else "disabled"
    lines = [
        f"{rule.code} {rule.name}",
        "",
        f"Family: {rule.family}   Severity: {rule.severity.value}   Scope: {rule.scope}   ({state} in the current config)",
        "",
        rule.summary,
        "",
        rule.docs.strip(),
    ]
    if rule.fix is not None:
        runs = "dslint fix" if rule.fix.safe else "dslint fix --unsafe-fixes"
        lines += ["", f"Fix ({rule.fix.applicability}; runs with `{runs}`): {rule.fix.does}"]
    props = rule.options.model_json_schema(by_alias=True).get("properties", {})
    if props:
        lines += ["", "Option defaults:"]
        for name, prop in props.items():
            lines.append(f"  {name}: {json.dumps(prop.get('default'))}  {prop.get('description', '')}".rstrip())
    return "\n".join(lines)


def cmd_init(args: argparse.Namespace) -> int:
    from dslint.init import write_config

    message = write_config(args.paths or ["."], Path(args.output), force=args.force, update=args.update)
    print(message)
    return EXIT_PASSED


def cmd_schema(args: argparse.Namespace) -> int:
    if args.config:
        from dslint.config_schema import builtin_schema_text

        sys.stdout.write(builtin_schema_text())
        return EXIT_PASSED
    sys.stdout.write(report_schema_text())
    return EXIT_PASSED


def report_schema_text() -> str:
    """The JSON Schema of the JSON report, generated from the pydantic models."""
    schema = Report.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://dslint.dev/schema/report-v1.json"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def cmd_suppress(args: argparse.Namespace) -> int:
    """Lint, then append an entry for each fingerprint's finding (rule and file filled in)."""
    from pydantic import ValidationError

    from dslint.config import load_config
    from dslint.redact import printable
    from dslint.suppressions import IGNORE_FILE, SuppressionEntry, append_entries, find_ignore_file, load_suppressions

    try:
        SuppressionEntry(rule="-", file="-", reason=args.reason)
    except ValidationError as exc:
        raise ConfigError(f"--reason: {exc.errors()[0]['msg'].removeprefix('Value error, ')}") from None
    args.select, args.extend_select, args.ignore, args.fail_on, args.quiet = None, [], [], "never", True
    report, options = lint_args(args)  # this also validates an existing ignore file
    root = load_config(args.config).root
    path = find_ignore_file(root) or root / IGNORE_FILE
    existing = {(e.spec.fingerprint, e.rule.code) for e in load_suppressions(path, options.rules).entries} if path.is_file() else set()
    by_fingerprint = {f.fingerprint: f for f in report.findings}
    entries = []
    for fingerprint in dict.fromkeys(args.fingerprints):
        finding = by_fingerprint.get(fingerprint)
        if finding is None:
            raise ConfigError(f"no finding has the fingerprint '{printable(fingerprint)}' in the files linted")
        if (fingerprint, finding.rule) in existing:
            continue
        entry = {"fingerprint": fingerprint, "rule": finding.rule}
        if finding.location is not None:
            entry["file"] = _relative(Path(finding.location.file), path.parent)
        entry["reason"] = args.reason.strip()
        if args.expires is not None:
            entry["expires"] = args.expires
        entries.append(entry)
    if entries:
        append_entries(path, entries)
    shown = printable(_relative(path, Path.cwd()))
    print(f"added {len(entries)} suppressions to {shown} ({len(set(args.fingerprints)) - len(entries)} already there)")
    return EXIT_PASSED


def _relative(file: Path, folder: Path) -> str:
    try:
        return file.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return file.as_posix()


def cmd_completion(args: argparse.Namespace) -> int:
    from dslint.completion import completion_script
    from dslint.registry import load_registry

    sys.stdout.write(completion_script(args.shell, build_parser(), load_registry().rules.values()))
    return EXIT_PASSED


def cmd_fix(args: argparse.Namespace) -> int:
    """`dslint fix`: exit 0 when the copy is written (whatever was left to fix), 2 on errors."""
    from dslint.fix import fix

    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.ray_address and args.executor != "ray":
        raise UsageError("--ray-address needs --executor ray")
    summary = fix(
        args.paths, args.output_dir, args.config, select=args.select, ignore=args.ignore,
        unsafe_fixes=args.unsafe_fixes, drop_leaked=args.drop_leaked, in_place=args.in_place, jobs=args.jobs,
        diff=args.diff, allow_plugins=args.allow_plugins, executor=args.executor, ray_address=args.ray_address,
    )
    if summary.diff:
        print(summary.diff)
    print(summary.to_text())
    return EXIT_PASSED


COMMANDS = {
    "check": cmd_check, "baseline": cmd_baseline, "rules": cmd_rules, "rule": cmd_rule, "init": cmd_init, "schema": cmd_schema,
    "completion": cmd_completion, "suppress": cmd_suppress, "fix": cmd_fix,
}
