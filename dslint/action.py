"""The GitHub Action's run step (``action.yml`` calls ``python -m dslint.action``).

One lint run gives everything the action promises: the report on stdout (workflow annotations by
default), the Markdown step summary, a SARIF file for code scanning when asked, and the verdict and
counts as step outputs. Inputs arrive as ``INPUT_*`` environment variables (``action.yml`` maps its
inputs to them), so tests run this module with the same variables GitHub sets. Exit codes are
dslint's: 0 passed, 1 failed, 2 error.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from dslint.baseline import load_baseline
from dslint.cli import EXIT_ERROR, EXIT_FAILED, EXIT_PASSED, UsageError, build_parser, fail, lint_args
from dslint.engine import CheckCrashed
from dslint.executors import ExecutorError
from dslint.finding import Report
from dslint.readers import InputError
from dslint.report import render
from dslint.report.github import escape_data
from dslint.report.markdown import markdown_summary
from dslint.yamlpos import ConfigError


def _input(env: Mapping[str, str], name: str) -> str:
    return env.get(f"INPUT_{name.upper().replace('-', '_')}", "").strip()


def check_argv(env: Mapping[str, str]) -> list[str]:
    """The ``dslint check`` arguments the inputs stand for."""
    argv = ["check", *shlex.split(_input(env, "paths"))]
    argv += ["--format", _input(env, "format") or "github"]
    for name in ("config", "fail-on", "baseline"):
        if value := _input(env, name):
            argv += [f"--{name}", value]
    if base := diff_base(env):
        argv += ["--diff-base", base]
    return [*argv, *shlex.split(_input(env, "args")), "--quiet"]


def diff_base(env: Mapping[str, str]) -> str | None:
    """The ``diff-base`` input; empty means the pull request's base branch (``GITHUB_BASE_REF``,
    set only for pull requests), ``none`` means lint everything."""
    value = _input(env, "diff-base")
    if value.lower() == "none":
        return None
    if value:
        return value
    base = env.get("GITHUB_BASE_REF", "").strip()
    return f"origin/{base}" if base else None


def _ensure_ref(ref: str) -> None:
    """Fetch ``origin/BRANCH`` when a shallow checkout lacks it (the diff needs its tree only)."""
    if subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], capture_output=True).returncode == 0:
        return
    remote, _, branch = ref.partition("/")
    if remote == "origin" and branch:
        subprocess.run(["git", "fetch", "--no-tags", "--depth=1", "--quiet", "origin", f"+refs/heads/{branch}:refs/remotes/{ref}"], capture_output=True)


def counts(report: Report) -> dict[str, int]:
    """Findings that count towards the gate by severity, and those suppressed."""
    active = [f for f in report.findings if f.suppressed is None]
    return {
        "findings": len(active),
        "errors": sum(f.severity.value == "error" for f in active),
        "warnings": sum(f.severity.value == "warning" for f in active),
        "infos": sum(f.severity.value == "info" for f in active),
        "suppressed": len(report.findings) - len(active),
    }


def _write_outputs(env: Mapping[str, str], values: Mapping[str, object]) -> None:
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        for key, value in values.items():
            text = str(value)
            if "\n" in text or "\r" in text:
                raise UsageError(f"output {key} must be one line")
            fh.write(f"{key}={text}\n")


def run_action(env: Mapping[str, str]) -> int:
    argv = check_argv(env)
    args = build_parser().parse_args(argv)
    if args.diff_base:
        _ensure_ref(args.diff_base)
    report, options = lint_args(args, baseline=load_baseline(Path(args.baseline)) if args.baseline else None)
    render(args.format, report, sys.stdout, options)
    if summary := env.get("GITHUB_STEP_SUMMARY"):
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(markdown_summary(report, options))
    sarif_file = ""
    if _input(env, "sarif").lower() == "true":
        sarif_file = _input(env, "sarif-file") or "dslint.sarif"
        with open(sarif_file, "w", encoding="utf-8", newline="\n") as fh:
            render("sarif", report, fh, options)
    code = EXIT_PASSED if report.passed else EXIT_FAILED
    _write_outputs(env, {"verdict": "passed" if report.passed else "failed", "exit-code": code, **counts(report), "sarif-file": sarif_file})
    return code


def main(env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    try:
        return run_action(env)
    except (UsageError, ConfigError, InputError, CheckCrashed, ExecutorError, OSError) as exc:
        message = str(exc) if not isinstance(exc, OSError) else f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
        try:
            _write_outputs(env, {"verdict": "error", "exit-code": EXIT_ERROR})
        except (UsageError, OSError):
            pass
        print(f"::error title=dslint::{escape_data(message)}")
        return fail(message)


if __name__ == "__main__":
    raise SystemExit(main())
