"""GitLab Code Quality report (a JSON array of issues, CodeClimate style)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from dslint.finding import Report, Severity
from dslint.redact import printable

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render_gitlab(report: Report, stream: TextIO, options: Any) -> None:
    files = report.summary.file_details
    issues = []
    for f in report.findings:
        if f.suppressed:
            continue
        loc = f.location or (f.related[0] if f.related else None)
        path = loc.file if loc else (files[0].path if files else ".")
        description = printable(f.message) + (f" ({printable(f.location.field)})" if f.location and f.location.field else "")
        issues.append(
            {
                "description": f"{f.rule} {description}",
                "check_name": f.rule,
                "fingerprint": f.fingerprint,
                "severity": SEVERITIES[f.severity],
                "location": {"path": printable(path), "lines": {"begin": (loc.line if loc and loc.line else 1)}},
            }
        )
    json.dump(issues, stream, indent=2, ensure_ascii=False)
    stream.write("\n")
