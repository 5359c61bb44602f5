"""The ``rich`` format: the terminal report.

A header panel lists every file with its format, split and record count; findings follow grouped
by file, errors first, each line starting with a clickable ``path:line`` (``path: record N`` for
rows without lines) then ``CODE severity message (field /pointer)``, with the redacted snippet and
related places indented below; dataset-level findings come last in their own group. At most
``MAX_PER_GROUP`` findings per file and ``MAX_SHOWN`` in all are listed (the most severe first),
then a line says what was left out and how to see it; then a table of counts by rule (with budget
use) and the verdict. Lines wrap at the console's width, so 80 columns stay readable.

Record text must never act on the terminal: the console parses no markup, emoji codes or
highlighting, every data-derived string is built into a ``Text`` (which parses no markup) after
``printable`` has escaped control, bidi and other format characters, and with ``color`` off the
console has no colour system, so not a single escape sequence is written.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TextIO

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dslint.finding import FileSummary, Finding, Report, Severity
from dslint.redact import printable
from dslint.report import RenderOptions
from dslint.report.common import findings_phrase, groups, plural, rule_rows, scope_phrase, severity_first, where
from dslint.report.stats_view import stats_renderables

DEFAULT_WIDTH = 100  # when the stream is not a terminal
MAX_PER_GROUP = 50
MAX_SHOWN = 200
SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)
MAX_FILES_IN_HEADER = 30
MAX_RELATED = 3
STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render(report: Report, stream: TextIO, options: RenderOptions) -> None:
    width = options.width or (None if _is_terminal(stream) else DEFAULT_WIDTH)  # None: rich asks the terminal
    if options.color:
        print_report(make_console(stream, width, color=True), report, options)
        return
    # Without colour, render to text and drop the padding rich leaves at the end of table lines.
    buffer = io.StringIO()
    print_report(make_console(buffer, width, color=False), report, options)
    stream.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))


def print_report(console: Console, report: Report, options: RenderOptions) -> None:
    console.print(header(report))
    if not options.statistics:
        details = {d.path: d for d in report.summary.file_details}
        shown = _shown(report.findings)
        for file, findings in groups(report.findings):
            listed = [f for f in severity_first(findings) if id(f) in shown][:MAX_PER_GROUP]
            if not listed:
                continue
            console.print()
            console.print(group_title(file, findings, details))
            for f in listed:
                console.print(finding_lines(f))
            hidden = len(findings) - len(listed)
            if hidden > 0:
                scope = "in this file" if file is not None else "dataset-level"
                console.print(Text(f"  … and {hidden:,} more {scope}", style="dim"))
        if len(shown) < len(report.findings):
            console.print()
            console.print(_left_out_note(report.findings, shown))
    for table in stats_renderables(report.summary.stats):
        console.print()
        console.print(table)
    console.print()
    console.print(rule_table(report, options))
    console.print()
    console.print(verdict(report))


def _shown(findings: Sequence[Finding]) -> set[int]:
    """The findings listed: at most MAX_PER_GROUP per file and MAX_SHOWN in all, the most
    severe first (so an error is never hidden behind warnings of an earlier file)."""
    per_file: dict[str | None, int] = {}
    chosen: set[int] = set()
    for f in sorted(findings, key=lambda f: -f.severity.rank):  # stable: file order within a severity
        file = f.location.file if f.location else None
        if len(chosen) < MAX_SHOWN and per_file.get(file, 0) < MAX_PER_GROUP:
            per_file[file] = per_file.get(file, 0) + 1
            chosen.add(id(f))
    return chosen


def _left_out_note(findings: Sequence[Finding], shown: set[int]) -> Text:
    left = [f for f in findings if id(f) not in shown]
    counts = ", ".join(plural(n, s.value) for s in SEVERITY_ORDER if (n := sum(f.severity == s for f in left)))
    return Text(
        f"{plural(len(left), 'more finding')} not listed ({counts}): write them all with"
        " `-o report.json --format json`, or count them by rule with `--statistics`",
        style="dim",
    )


def make_console(file: TextIO, width: int | None, *, color: bool) -> Console:
    return Console(
        file=file,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,  # None: rich writes no escape sequence at all
        markup=False,
        emoji=False,
        highlight=False,
        force_jupyter=False,
        force_interactive=False,
    )


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _text(value: str, style: str = "") -> Text:
    """Data-derived text, made inert."""
    return Text(printable(value), style=style)


def header(report: Report) -> Panel:
    parts: list[RenderableType] = []
    details = report.summary.file_details
    if details:
        table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold", show_edge=False)
        table.add_column("file", overflow="fold")
        table.add_column("format")
        table.add_column("split")
        table.add_column("records", justify="right")
        for d in details[:MAX_FILES_IN_HEADER]:
            table.add_row(_text(d.path), _text(d.format or "-"), _text(d.split or "-"), Text(f"{d.records:,}"))
        if len(details) > MAX_FILES_IN_HEADER:
            table.add_row(Text(f"… and {len(details) - MAX_FILES_IN_HEADER:,} more files", style="dim"))
        parts.append(table)
    parts.append(Text(scope_phrase(report), style="bold"))
    title = Text(f"dslint {printable(report.tool.version)}")
    return Panel(Group(*parts), title=title, title_align="left", box=box.ROUNDED)


def group_title(file: str | None, findings: Sequence[Finding], details: Mapping[str, FileSummary]) -> Text:
    if file is None:
        title = Text("dataset-level", style="bold")
    else:
        title = _text(file, "bold")
        d = details.get(file)
        if d is not None:
            facts = [printable(x) for x in (d.format, d.split) if x] + [plural(d.records, "record")]
            title.append("  " + "  ".join(facts))
    title.append(f"  ({plural(len(findings), 'finding')})", style="dim")
    return title


def finding_lines(f: Finding) -> Text:
    """``path:line: CODE severity message (field /pointer)``, then the snippet and related places."""
    style = STYLES[f.severity]
    line = Text(where(f.location) + ":", style="dim" if f.suppressed else "")
    line.append(" ")
    line.append(_text(f.rule, style))
    line.append(" ")
    line.append(f.severity.value, style=style)
    line.append(" ")
    line.append(message_cell(f))
    return line


def message_cell(f: Finding) -> Text:
    cell = _text(f.message, "dim" if f.suppressed else "")
    if f.location is not None and f.location.field:
        cell.append(" (field ")
        cell.append(_text(f.location.field, "cyan"))
        cell.append(")")
    if f.suppressed:
        cell.append(f"  [{f.suppressed}]", style="dim")
    if f.snippet:
        cell.append("\n    ")
        cell.append("│ " + printable(f.snippet), style="dim")
    if f.related:
        shown = ", ".join(where(r) for r in f.related[:MAX_RELATED])
        more = len(f.related) - MAX_RELATED
        cell.append("\n    ")
        cell.append("also at " + shown + (f" and {more:,} more" if more > 0 else ""), style="dim")
    return cell


def rule_table(report: Report, options: RenderOptions) -> RenderableType:
    rows = rule_rows(report, options.budgets)
    if not rows:
        return Text("No findings.", style="green")
    with_budget = any(r.budget is not None for r in rows)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", title=Text("Findings by rule"), title_justify="left")
    table.add_column("code", no_wrap=True)
    table.add_column("name", overflow="fold")
    table.add_column("severity", no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    if with_budget:
        table.add_column("budget", no_wrap=True)
    for r in rows:
        style = STYLES[r.severity]
        cells = [Text(r.code, style=style), Text(r.name), Text(r.severity.value, style=style), Text(f"{r.count:,}")]
        if with_budget:
            budget = r.budget or ""
            cells.append(Text(budget + (" exceeded" if r.over_budget else ""), style="bold red" if r.over_budget else ""))
        table.add_row(*cells)
    return table


def verdict(report: Report) -> Text:
    text = Text.assemble(("PASSED", "bold green") if report.passed else ("FAILED", "bold red"))
    text.append(f" (fail-on: {report.fail_on}): {findings_phrase(report.findings)} in {scope_phrase(report)}")
    cache = report.summary.cache
    if cache is not None and cache.hits + cache.misses:
        text.append(f"; {cache.hits:,} of {cache.hits + cache.misses:,} files from the cache", style="dim")
    return text
