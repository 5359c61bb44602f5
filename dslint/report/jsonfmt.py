"""The machine-readable formats: ``json`` (the whole report, the versioned contract whose schema is
``dslint/report.schema.json``) and ``jsonl`` (one compact finding per line, nothing else).

With ``statistics`` both give counts per rule instead, most frequent first (like ruff's
``--statistics --output-format json``): ``[{"code": "DS104", "name": ..., "severity": ...,
"count": 12, "budget": "12/100" | null, "over_budget": false}, ...]``.

Findings are written one at a time, each as its ``Finding`` model, so the output never exists
twice in memory; the bytes are those of ``Report.model_dump_json(indent=2)``.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, TextIO

from dslint.finding import Report, as_model
from dslint.report import RenderOptions
from dslint.report.common import rule_rows


def render_json(report: Report, stream: TextIO, options: RenderOptions) -> None:
    if options.statistics:
        stream.write(json.dumps(_statistics(report, options), indent=2, ensure_ascii=False) + "\n")
        return
    skeleton = report.model_copy(update={"findings": []}).model_dump_json(indent=2, by_alias=True)
    if not report.findings:
        stream.write(skeleton + "\n")
        return
    head, tail = skeleton.rsplit('"findings": []', 1)  # the last field, so its last occurrence
    stream.write(head + '"findings": [')
    separator = "\n"
    for f in report.findings:
        # A finding as an item of a list two levels deep: every line of its own dump indented by
        # four more spaces (JSON strings hold no raw newline, so lines are safe to split on).
        stream.write(separator + "    " + as_model(f).model_dump_json(indent=2, by_alias=True).replace("\n", "\n    "))
        separator = ",\n"
    stream.write("\n  ]" + tail + "\n")


def render_jsonl(report: Report, stream: TextIO, options: RenderOptions) -> None:
    if options.statistics:
        stream.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in _statistics(report, options)))
        return
    for f in report.findings:
        stream.write(as_model(f).model_dump_json(by_alias=True) + "\n")


def _statistics(report: Report, options: RenderOptions) -> list[dict[str, Any]]:
    return [{**asdict(row), "severity": row.severity.value} for row in rule_rows(report, options.budgets)]
