"""Hand-built reports with the kinds of findings reporters must handle (shared by the reporter tests)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from dslint.check import Rule
from dslint.finding import FileSummary, Finding, Location, Report, Severity, Summary, ToolInfo
from dslint.report import Budget, RenderOptions, render

GOLDEN = Path(__file__).parent / "golden"
_DOCS = "What it does: x\n\nWhy it matters: x\n\nExample: x\n\nOptions: none."


def _rule(code: str, name: str, family: str, severity: Severity, scope: str, summary: str) -> Rule:
    return Rule(code, name, family, severity, scope, summary, _DOCS)  # type: ignore[arg-type]


RULES = {
    r.code: r
    for r in (
        _rule("DS101", "invalid-json", "schema", Severity.ERROR, "record", "A line of a JSON Lines file is not valid JSON."),
        _rule("DS104", "missing-required-key", "schema", Severity.ERROR, "record", "A record lacks a key its format requires."),
        _rule("DS108", "empty-content", "schema", Severity.WARNING, "record", "A message or field that is trained on is empty."),
        _rule("DS117", "inconsistent-fields", "schema", Severity.WARNING, "file", "A record's keys differ from most records."),
        _rule("DS401", "label-imbalance", "imbalance", Severity.WARNING, "dataset", "One label dominates a split."),
    )
}


def finding(
    code: str,
    message: str,
    location: Location | None,
    *,
    fingerprint: str,
    snippet: str | None = None,
    severity: Severity | None = None,
    suppressed: str | None = None,
    related: list[Location] | None = None,
    metrics: dict | None = None,
) -> Finding:
    rule = RULES[code]
    return Finding(
        rule=rule.code,
        name=rule.name,
        check=rule.family,
        severity=severity or rule.severity,
        message=message,
        location=location,
        related=related or [],
        metrics=metrics or {},
        snippet=snippet,
        fingerprint=fingerprint,
        suppressed=suppressed,  # type: ignore[arg-type]
    )


def make_report(findings: list[Finding], *, passed: bool = False, fail_on: str = "error") -> Report:
    by_severity = {s.value: sum(f.severity == s for f in findings) for s in Severity}
    by_rule: dict[str, int] = {}
    for f in findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    return Report(
        tool=ToolInfo(version="0.1.0"),
        passed=passed,
        fail_on=fail_on,  # type: ignore[arg-type]
        summary=Summary(
            files=2,
            records=1203,
            by_severity=by_severity,
            by_rule=dict(sorted(by_rule.items())),
            file_details=[
                FileSummary(path="data/train.jsonl", format="openai-chat", split="train", records=1000),
                FileSummary(path="data/validation.parquet", format="alpaca", split="validation", records=203),
            ],
        ),
        findings=findings,
    )


TRAIN = "data/train.jsonl"
VALID = "data/validation.parquet"

FINDINGS = [
    finding(
        "DS101",
        "invalid JSON: unexpected end of data at column 58",
        Location(file=TRAIN, line=3, record=2, split="train"),
        snippet='{"messages": [{"role": "user", "content": "What is a mutex?"}',
        fingerprint="9c1e5b7d2a4f6083",
    ),
    finding(
        "DS104",
        "message 1 has no 'role' key",
        Location(file=TRAIN, line=7, record=6, field="/messages/1/role", split="train"),
        snippet="Sure! A mutex is a lock that lets one thread at a time into a critical section.",
        fingerprint="41d0a8c37be2f915",
    ),
    finding(
        "DS104",
        "message 3 has no 'role' key",
        Location(file=TRAIN, line=9, record=8, field="/messages/3/role", split="train"),
        snippet="You can call `lock.acquire()` and must release it in a `finally` block.",
        fingerprint="8e25c4a06fd1b973",
    ),
    finding(
        "DS117",
        "record lacks key 'id' that 998 of 1,000 records have",
        Location(file=TRAIN, line=12, record=11, field="/id", split="train"),
        suppressed="budget",
        fingerprint="e07f3a91c5d2b864",
    ),
    finding(
        "DS108",
        "the response is empty",
        Location(file=VALID, record=17, field="/output", split="validation"),
        fingerprint="5a2cf0e9d17b3468",
    ),
    finding(
        "DS108",
        "the response is empty",
        Location(file=VALID, record=40, field="/output", split="validation"),
        fingerprint="d96b1f3e7a80c524",
    ),
    finding(
        "DS401",
        "label 'refund' is 91.2% of the train split (threshold 80%)",
        None,
        metrics={"ratio": 0.912, "threshold": 0.8},
        related=[Location(file=TRAIN, split="train")],
        fingerprint="b3f8d6e2014ac795",
    ),
]

BUDGETS = {"DS117": Budget(max_count=100)}


def sample_report() -> Report:
    return make_report(FINDINGS)


def sample_options(**changes: object) -> RenderOptions:
    return RenderOptions(**{"rules": RULES, "budgets": BUDGETS, **changes})  # type: ignore[arg-type]


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with tests/report/golden/NAME; with DSLINT_UPDATE_GOLDEN=1, rewrite it."""
    path = GOLDEN / name
    if os.environ.get("DSLINT_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.read_text(encoding="utf-8") == text, f"{name} changed; if intended: DSLINT_UPDATE_GOLDEN=1 pytest tests/report"


def rendered(fmt: str, report: Report, options: RenderOptions) -> str:
    stream = io.StringIO()
    render(fmt, report, stream, options)
    return stream.getvalue()


# Record text an attacker controls: rich markup, SGR colour, an OSC 8 hyperlink, a carriage return
# that would overwrite the line, and a right-to-left override that reorders what follows.
HOSTILE = "[bold red]x[/] \x1b[31mHACKED\x1b[0m \x1b]8;;http://evil\x07click\x1b]8;;\x07 \rok \u202etxt.exe :warning:"
RAW_SEQUENCES = ("\x1b[31mHACKED", "\x1b]8;;", "\x07", "\r", "\u202e")


def hostile_report() -> Report:
    where = Location(file="data/[red]train\x1b[0m.jsonl", line=5, record=4, field="/messages/0/[b]content\x1b[2J", split="train")
    return make_report(
        [
            finding("DS104", f"message 0 has role {HOSTILE}", where, snippet=HOSTILE, fingerprint="7d3b9e15a0c4f268"),
            finding("DS401", HOSTILE, None, related=[where], fingerprint="0f6a2c8e4b1d9357"),
        ]
    )
