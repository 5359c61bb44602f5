"""GitHub Actions workflow commands (annotations) and the Markdown step summary.

Record text can never forge a workflow command: every value is escaped so that it stays on the
annotation's own line (CR and LF become %0D and %0A), and properties also escape ':' and ','.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, TextIO

from dslint.finding import Finding, Report, Severity
from dslint.redact import printable

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
# GitHub shows at most 10 annotations of each kind per step (and 50 per job); more are dropped
# silently, so dslint stops at the limit and says how many it left out.
PER_KIND_LIMIT = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    props = []
    if f.location is not None:
        props.append(f"file={escape_property(printable(f.location.file))}")
        if f.location.line:
            props.append(f"line={f.location.line}")
    props.append(f"title={escape_property(f'{f.rule} {f.name}')}")
    message = printable(f.message)
    if f.location is not None and f.location.field:
        message += f" (field {printable(f.location.field)})"
    if f.location is not None and f.location.line is None and f.location.record is not None:
        message += f" (record {f.location.record})"
    return f"::{COMMANDS[f.severity]} {','.join(props)}::{escape_data(message)}"


def render_github(report: Report, stream: TextIO, options: Any) -> None:
    shown: Counter[Severity] = Counter()
    left_out: Counter[Severity] = Counter()
    for f in report.findings:
        if f.suppressed:
            continue
        if shown[f.severity] >= PER_KIND_LIMIT:
            left_out[f.severity] += 1
            continue
        shown[f.severity] += 1
        stream.write(annotation(f) + "\n")
    if left_out:
        parts = ", ".join(f"{n} {COMMANDS[s]}s" for s, n in sorted(left_out.items(), key=lambda kv: -kv[0].rank))
        note = f"dslint: {parts} more than GitHub shows as annotations; see the job log, the SARIF upload or the step summary"
        stream.write(f"::notice title=dslint::{escape_data(note)}\n")
    counts = report.summary.by_severity
    verdict = "passed" if report.passed else "failed"
    stream.write(
        f"dslint {verdict}: {counts.get('error', 0)} errors, {counts.get('warning', 0)} warnings, "
        f"{counts.get('info', 0)} info in {report.summary.files} files, {report.summary.records} records "
        f"(fail-on: {report.fail_on})\n"
    )

