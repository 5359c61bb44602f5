"""What the text reporters share: locations, counts, the verdict and the per-rule rows.

Every string that comes from the data or a plugin goes through ``printable`` here or in the
reporter: checks already escape record text, and this is the second line of defence.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dslint.finding import Finding, Location, Report, Severity
from dslint.policy import Budget
from dslint.redact import printable

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)  # most severe first


def plural(count: int, word: str) -> str:
    """``1 error``, ``1,203 records``; "info" is uncountable."""
    return f"{count:,} {word}" if count == 1 or word == "info" else f"{count:,} {word}s"


def where(location: Location | None) -> str:
    """``file:line``, ``file: record N`` (no line, e.g. Parquet), ``file``, or ``<dataset>``."""
    if location is None:
        return "<dataset>"
    file = printable(location.file)
    if location.line is not None:
        return f"{file}:{location.line}"
    if location.record is not None:
        return f"{file}: record {location.record}"
    return file


def findings_phrase(findings: Sequence[Finding]) -> str:
    """``12 findings (3 errors, 8 warnings, 1 info; 2 suppressed by budget)`` or ``no findings``."""
    if not findings:
        return "no findings"
    by_severity = Counter(f.severity for f in findings)
    detail = ", ".join(plural(by_severity[s], s.value) for s in SEVERITIES if by_severity[s])
    suppressed = Counter(f.suppressed for f in findings if f.suppressed)
    if suppressed:
        detail += "; " + ", ".join(f"{n:,} suppressed by {why}" for why, n in sorted(suppressed.items()))
    return f"{plural(len(findings), 'finding')} ({detail})"


def scope_phrase(report: Report) -> str:
    """``4 files, 1,203 records`` (``; 2 files skipped`` when a walk passed over non-data JSON)."""
    phrase = f"{plural(report.summary.files, 'file')}, {plural(report.summary.records, 'record')}"
    skipped = len(report.summary.skipped)
    return phrase + (f" ({plural(skipped, 'non-data file')} skipped)" if skipped else "")


def summary_line(report: Report) -> str:
    """``Found 12 findings (…) in 4 files, 1,203 records. Gate failed (fail-on: error).``"""
    phrase = findings_phrase(report.findings)
    found = f"Found {phrase}" if report.findings else phrase.capitalize()
    verdict = "passed" if report.passed else "failed"
    return f"{found} in {scope_phrase(report)}. Gate {verdict} (fail-on: {report.fail_on})."


@dataclass(frozen=True)
class RuleRow:
    """One line of the per-rule table."""

    code: str
    name: str
    severity: Severity  # the most severe among the rule's findings
    count: int  # every finding of the rule, suppressed ones included (as summary.by_rule)
    budget: str | None  # "12/100" when a budget applies
    over_budget: bool


def rule_rows(report: Report, budgets: Mapping[str, Budget]) -> list[RuleRow]:
    """One row per rule with findings, by count (most first), then code."""
    by_rule: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_rule.setdefault(f.rule, []).append(f)
    rows = []
    for code, findings in by_rule.items():
        budget = budgets.get(code)
        used = sum(f.suppressed == "budget" for f in findings)
        text, over = budget_usage(budget, used, report.summary.records) if budget else (None, False)
        rows.append(
            RuleRow(
                code=printable(code),
                name=printable(findings[0].name),
                severity=max((f.severity for f in findings), key=lambda s: s.rank),
                count=len(findings),
                budget=text,
                over_budget=over,
            )
        )
    rows.sort(key=lambda r: (-r.count, r.code))
    return rows


def budget_usage(budget: Budget, used: int, records: int) -> tuple[str, bool]:
    """``("12/100", False)``: findings within the budget over the most it allows, and whether the
    budget is exceeded. A ratio budget allows ``floor(ratio × records)`` findings, as the policy."""
    ratio_limit = math.floor(budget.max_ratio * max(records, 1)) if budget.max_ratio is not None else None
    limits = [n for n in (budget.max_count, ratio_limit) if n is not None]
    if not limits:
        return f"{used:,}", False
    limit = min(limits)
    text = f"{used:,}/{limit:,}"
    if budget.max_ratio is not None and limit == ratio_limit:
        text += f" ({budget.max_ratio * 100:g}%)"
    return text, not budget.allows(used, records)


def groups(findings: Iterable[Finding]) -> list[tuple[str | None, list[Finding]]]:
    """Findings by file in order of first appearance; dataset-level ones (no location) last."""
    by_file: dict[str | None, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.location.file if f.location else None, []).append(f)
    dataset = by_file.pop(None, None)
    out: list[tuple[str | None, list[Finding]]] = list(by_file.items())
    if dataset:
        out.append((None, dataset))
    return out


def severity_first(findings: Sequence[Finding]) -> list[Finding]:
    """The same findings, errors first, then warnings, then info; otherwise in their order."""
    return sorted(findings, key=lambda f: -f.severity.rank)


def anchor(finding: Finding, report: Report) -> Location | None:
    """Where a report that needs a file shows a finding: its location; for a dataset-level
    finding its first related location, else the first file of the split it is about
    (``metrics["split"]``), else (a finding about the whole dataset) the first file."""
    if finding.location is not None:
        return finding.location
    if finding.related:
        return finding.related[0]
    files = report.summary.file_details
    split = finding.metrics.get("split")
    about = [d for d in files if d.split == split] if split else files
    return Location(file=about[0].path, split=about[0].split) if about else None
