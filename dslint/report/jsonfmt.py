"""The machine-readable formats: ``json`` (the whole report, the versioned contract whose schema is
``dslint/report.schema.json``) and ``jsonl`` (one compact finding per line, nothing else).

With ``statistics`` both give counts per rule instead, most frequent first (like ruff's
``--statistics --output-format json``): ``[{"code": "DS104", "name": ..., "severity": ...,
"count": 12, "budget": "12/100" | null, "over_budget": false}, ...]``.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, TextIO

from dslint.finding import Report
from dslint.report import RenderOptions
from dslint.report.common import rule_rows


def render_json(report: Report, stream: TextIO, options: RenderOptions) -> None:
    if options.statistics:
        stream.write(json.dumps(_statistics(report, options), indent=2, ensure_ascii=False) + "\n")
        return
    stream.write(report.model_dump_json(indent=2, by_alias=True) + "\n")


def render_jsonl(report: Report, stream: TextIO, options: RenderOptions) -> None:
    if options.statistics:
        stream.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in _statistics(report, options)))
        return
    stream.write("".join(f.model_dump_json(by_alias=True) + "\n" for f in report.findings))


def _statistics(report: Report, options: RenderOptions) -> list[dict[str, Any]]:
    return [{**asdict(row), "severity": row.severity.value} for row in rule_rows(report, options.budgets)]
