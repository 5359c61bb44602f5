"""The ``concise`` format: one line per finding, like ruff, then a summary line. Findings are
grouped by file (dataset-level ones last), errors first within a file.

    train.jsonl:7: DS104 [error] message 1 has no 'role' key (field /messages/1/role)
    data/validation.parquet: record 17: DS108 [warning] assistant message is empty (field /response)
    <dataset>: DS401 [warning] label 'refund' is 91.2% of the train split (threshold 80%)
    Found 3 findings (1 error, 2 warnings) in 2 files, 1,203 records. Gate failed (fail-on: error).

With ``statistics`` the findings are replaced by counts per rule, most frequent first.
"""

from __future__ import annotations

from typing import TextIO

from dslint.finding import Finding, Report
from dslint.redact import printable
from dslint.report import RenderOptions
from dslint.report.common import groups, rule_rows, severity_first, summary_line, where


def render(report: Report, stream: TextIO, options: RenderOptions) -> None:
    if options.statistics:
        stream.write("".join(line + "\n" for line in statistics_lines(report, options)))
    else:  # a line written as it is made: none of them held all at once
        for _, findings in groups(report.findings):
            for f in severity_first(findings):
                stream.write(finding_line(f) + "\n")
    stream.write(summary_line(report) + "\n")


def finding_line(finding: Finding) -> str:
    """``file:line: CODE [severity] message (field /pointer)``; ``[budget]`` marks suppressed ones."""
    parts = [f"{where(finding.location)}: {printable(finding.rule)} [{finding.severity.value}]"]
    if finding.suppressed:
        parts.append(f"[{finding.suppressed}]")
    parts.append(printable(finding.message))
    if finding.location is not None and finding.location.field is not None:
        parts.append(f"(field {printable(finding.location.field)})")
    return " ".join(parts)


def statistics_lines(report: Report, options: RenderOptions) -> list[str]:
    """``12  DS104  missing-required-key  error  budget 12/100``, aligned in columns."""
    table = [
        [f"{r.count:,}", r.code, r.name, r.severity.value]
        + ([f"budget {r.budget}" + (" exceeded" if r.over_budget else "")] if r.budget is not None else [])
        for r in rule_rows(report, options.budgets)
    ]
    widths = [max(len(row[i]) for row in table if i < len(row)) for i in range(max(map(len, table), default=0))]
    return [
        "  ".join(cell.rjust(widths[0]) if i == 0 else cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in table
    ]
