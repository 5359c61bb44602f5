"""GitLab Code Quality report (a JSON array of issues, CodeClimate style)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from dslint.finding import Report, Severity
from dslint.redact import printable
from dslint.report.common import anchor

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render_gitlab(report: Report, stream: TextIO, options: Any) -> None:
    issues = []
    for f in report.findings:
        if f.suppressed:
            continue
        loc = anchor(f, report)
        path = loc.file if loc else "."
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
