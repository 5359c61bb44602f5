"""The machine-readable formats: ``json`` (the whole report, the versioned contract whose schema is
``dslint/report.schema.json``) and ``jsonl`` (one compact finding per line, nothing else)."""

from __future__ import annotations

from typing import TextIO

from dslint.finding import Report
from dslint.report import RenderOptions


def render_json(report: Report, stream: TextIO, options: RenderOptions) -> None:
    stream.write(report.model_dump_json(indent=2, by_alias=True) + "\n")


def render_jsonl(report: Report, stream: TextIO, options: RenderOptions) -> None:
    stream.write("".join(f.model_dump_json(by_alias=True) + "\n" for f in report.findings))
