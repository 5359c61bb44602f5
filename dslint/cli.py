"""The ``dslint`` command line: check, rules, rule, init, schema.

Exit codes: 0 the gate passed, 1 the gate failed, 2 a usage, config, plugin or I/O error, or an
interruption by SIGINT (Ctrl-C) or SIGTERM (one line on stderr; ``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from dslint import __version__
from dslint.api import find_sources, prepare, resolve_default_paths
from dslint.atomic import write_atomic
from dslint.baseline import Baseline, load_baseline, prune
from dslint.diff import changes_since
from dslint.engine import CheckCrashed, run
from dslint.finding import Report
from dslint.policy import Overrides
from dslint.readers import InputError
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
    return [s.strip() for s in value.split(",") if s.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dslint", description="Lint machine-learning fine-tuning datasets.")
    parser.add_argument("--version", action="version", version=f"dslint {__version__}")
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
    check.add_argument("--jobs", "-j", type=int, help="worker processes (default: the config's jobs, else 1)")
    check.add_argument("--baseline", help="baseline file: fail only on findings it does not record")
    check.add_argument("--diff-base", metavar="REF", help="report only findings on files and lines changed since this git ref")
    check.add_argument("--summary-file", help="append a Markdown summary here (default: $GITHUB_STEP_SUMMARY when set)")

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

    sub.add_parser("schema", help="print the JSON Schema of the JSON report")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    allow_plugins = "--allow-plugins" in argv
    argv = [arg for arg in argv if arg not in ("--debug", "--allow-plugins")]  # global flags, accepted anywhere
    restore_signals = _handle_sigterm()
    try:
        if not argv or argv[0] not in {"check", "rules", "rule", "init", "schema", "baseline"} | {"-h", "--help", "--version"}:
            argv = ["check", *argv]  # `dslint data/` means `dslint check data/`
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return EXIT_ERROR
        args.allow_plugins = allow_plugins
        return COMMANDS[args.command](args)
    except UsageError as exc:
        return _fail(f"{exc} (see dslint --help)")
    except BrokenPipeError:
        # The reader of our output went away (`dslint check | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except (ConfigError, InputError, CheckCrashed, OSError) as exc:
        if debug:
            raise
        return _fail(str(exc) if not isinstance(exc, OSError) else f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    except KeyboardInterrupt:
        return _fail("interrupted")
    except Terminated:
        return _fail("terminated")
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


def _fail(message: str) -> int:
    from dslint.redact import scrub

    print(f"dslint: error: {scrub(message)}", file=sys.stderr)  # one line, no raw data
    return EXIT_ERROR


def cmd_check(args: argparse.Namespace) -> int:
    report, options = _lint(args, baseline=load_baseline(Path(args.baseline)) if args.baseline else None)
    to_terminal = args.output is None and sys.stdout.isatty()
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true" and args.output is None
    fmt = args.format or ("github" if in_actions else "rich" if to_terminal else "concise")
    summary_file = args.summary_file or os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        write_atomic(summary_file, markdown_summary(report, options), append=True)
    if args.output is not None or not (args.quiet and report.passed):  # --quiet keeps the report file
        _emit(fmt, report, options, args.output)
    return EXIT_PASSED if report.passed or args.exit_zero else EXIT_FAILED


def _lint(args: argparse.Namespace, baseline: Baseline | None = None) -> tuple[Report, RenderOptions]:
    """The run shared by `check` and `baseline`: config, rules, paths, changes, engine."""
    overrides = Overrides(select=args.select, extend_select=args.extend_select, ignore=args.ignore, fail_on=args.fail_on)
    loaded, registry, policy = prepare(args.config, overrides, allow_plugins=args.allow_plugins)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    sources = find_sources(args.paths or resolve_default_paths(loaded), loaded)
    changes = changes_since(args.diff_base) if getattr(args, "diff_base", None) else None
    with _progress(enabled=not args.quiet and sys.stderr.isatty()) as progress:
        report = run(
            sources, loaded, registry, policy,
            jobs=args.jobs or loaded.config.jobs, progress=progress, baseline=baseline, changes=changes,
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


def cmd_baseline(args: argparse.Namespace) -> int:
    """`baseline create` records today's findings; `baseline prune` drops entries that no longer occur."""
    args.fail_on = "never"
    report, _ = _lint(args)
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
    buffer = io.StringIO(newline="\n")
    render(fmt, report, buffer, options)
    write_atomic(output, buffer.getvalue())  # an interrupted run leaves the previous report whole


def _color_allowed() -> bool:
    return "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


class _progress:
    """A transient progress line on stderr, shown only once a run has taken about a second."""

    DELAY = 1.0

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar = None
        self._task = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._last = ("", 0)
        self._started = time.monotonic()

    def __enter__(self) -> _progress | None:
        if not self.enabled:
            return None
        self._timer = threading.Timer(self.DELAY, self._show)
        self._timer.daemon = True
        self._timer.start()
        return self

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with self._lock:
            console = Console(file=sys.stderr, no_color=not _color_allowed())
            self._bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True)
            self._task = self._bar.add_task(self._describe())
            self._bar.start()

    def _describe(self) -> str:
        from dslint.redact import display_path

        name, records = self._last
        return f"linting… {records:,} records, last file {display_path(name)}"

    def __call__(self, name: str, records: int) -> None:
        with self._lock:
            self._last = (name, records)
            if self._bar is not None:
                self._bar.update(self._task, description=self._describe())

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            if self._bar is not None:
                self._bar.stop()


def cmd_rules(args: argparse.Namespace) -> int:
    _, registry, policy = prepare(args.config, allow_plugins=args.allow_plugins)
    rules = list(registry.rules.values())
    if args.format == "json":
        rows = [_rule_json(r, r.code in policy.enabled) for r in rules]
        print(json.dumps(rows, indent=2))
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
    }


def cmd_rule(args: argparse.Namespace) -> int:
    _, registry, policy = prepare(args.config, allow_plugins=args.allow_plugins)
    rule = registry.resolve(args.code)
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
    sys.stdout.write(report_schema_text())
    return EXIT_PASSED


def report_schema_text() -> str:
    """The JSON Schema of the JSON report, generated from the pydantic models."""
    schema = Report.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://dslint.dev/schema/report-v1.json"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


COMMANDS = {"check": cmd_check, "baseline": cmd_baseline, "rules": cmd_rules, "rule": cmd_rule, "init": cmd_init, "schema": cmd_schema}
