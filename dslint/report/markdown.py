"""A Markdown report: the verdict, a table by rule and the top findings. Also the GitHub step
summary. Record text is escaped so it cannot inject markup, HTML, links or @-mentions."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, TextIO

from dslint.finding import Finding, Report
from dslint.redact import printable

TOP_FINDINGS = 50
# The step summary may hold 1 MiB per step; stay well below it.
MAX_BYTES = 512 * 1024
_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~])")


def escape_md(text: str) -> str:
    """Inert Markdown: HTML entities for &, <, >; backslash before Markdown syntax; no mentions."""
    text = printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    # No @-mentions (they notify people) and no autolinked URLs.
    return text.replace("@", "&#64;").replace("://", "&#58;//")


def markdown_summary(report: Report, options: Any) -> str:
    s = report.summary
    verdict = "✅ **dslint passed**" if report.passed else "❌ **dslint failed**"
    sev = s.by_severity
    lines = [
        f"## {verdict}",
        "",
        f"{s.files} files, {s.records:,} records: {sev.get('error', 0)} errors, {sev.get('warning', 0)} warnings, "
        f"{sev.get('info', 0)} info (fail-on: {report.fail_on}).",
        "",
    ]
    counts = Counter(f.rule for f in report.findings)
    suppressed = Counter(f.rule for f in report.findings if f.suppressed)
    if counts:
        lines += ["| Rule | Name | Severity | Findings | Suppressed |", "| --- | --- | --- | ---: | ---: |"]
        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            rule = options.rules.get(code)
            name = rule.name if rule else next(f.name for f in report.findings if f.rule == code)
            severity = next(f.severity.value for f in report.findings if f.rule == code)
            lines.append(f"| {code} | {name} | {severity} | {n} | {suppressed.get(code, 0)} |")
        lines.append("")
        open_findings = [f for f in report.findings if not f.suppressed]
        top = sorted(open_findings, key=lambda f: -f.severity.rank)[:TOP_FINDINGS]
        if top:
            lines += [f"### Top findings ({len(top)} of {len(open_findings)})", "", "| Where | Rule | Message |", "| --- | --- | --- |"]
            for f in top:
                lines.append(f"| {_where_cell(f)} | {f.rule} | {escape_md(f.message)} |")
            lines.append("")
    text = "\n".join(lines) + "\n"
    if len(text.encode()) > MAX_BYTES:
        text = text.encode()[:MAX_BYTES].decode(errors="ignore").rsplit("\n", 1)[0] + "\n\n_(truncated)_\n"
    return text


def _where_cell(f: Finding) -> str:
    loc = f.location
    if loc is None:
        return "(dataset)"
    where = loc.file + (f":{loc.line}" if loc.line else f" record {loc.record}" if loc.record is not None else "")
    cell = escape_md(where)
    return cell + (f" {escape_md(loc.field)}" if loc.field else "")


def render_markdown(report: Report, stream: TextIO, options: Any) -> None:
    stream.write(markdown_summary(report, options))
