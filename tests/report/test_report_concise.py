"""The concise format: one ruff-like line per finding, a summary line, and --statistics.

Golden files live in tests/report/golden/; after an intended change of output regenerate them with
    DSLINT_UPDATE_GOLDEN=1 pytest tests/report
and review the diff.
"""

from __future__ import annotations

from sample_report import (
    FINDINGS,
    RAW_SEQUENCES,
    TRAIN,
    check_golden,
    finding,
    hostile_report,
    make_report,
    rendered,
    sample_options,
    sample_report,
)

from dslint.finding import Location, Severity
from dslint.report import Budget

def test_concise_matches_golden() -> None:
    check_golden("concise.txt", rendered("concise", sample_report(), sample_options()))


def test_concise_statistics_matches_golden() -> None:
    check_golden("concise_statistics.txt", rendered("concise", sample_report(), sample_options(statistics=True)))


def test_each_kind_of_location_has_its_own_form() -> None:
    lines = rendered("concise", sample_report(), sample_options()).splitlines()
    assert lines[0] == "data/train.jsonl:3: DS101 [error] invalid JSON: unexpected end of data at column 58"
    assert lines[1] == "data/train.jsonl:7: DS104 [error] message 1 has no 'role' key (field /messages/1/role)"
    assert "data/validation.parquet: record 17: DS108 [warning] the response is empty (field /output)" in lines
    assert lines[-2].startswith("<dataset>: DS401 [warning] label 'refund' is 91.2%")
    file_level = finding("DS117", "file has no records", Location(file="data/test.jsonl", split="test"), fingerprint="c4e1")
    assert rendered("concise", make_report([file_level]), sample_options()).startswith("data/test.jsonl: DS117 [warning] file has no records\n")


def test_suppressed_findings_are_listed_with_their_reason() -> None:
    lines = rendered("concise", sample_report(), sample_options()).splitlines()
    assert "data/train.jsonl:12: DS117 [warning] [budget] record lacks key 'id' that 998 of 1,000 records have (field /id)" in lines
    assert len(lines) == len(FINDINGS) + 1


def test_summary_line_counts_severities_suppressions_files_and_records() -> None:
    last = rendered("concise", sample_report(), sample_options()).splitlines()[-1]
    assert last == (
        "Found 7 findings (3 errors, 4 warnings; 1 suppressed by budget) in 2 files, 1,203 records. "
        "Gate failed (fail-on: error)."
    )


def test_summary_line_without_findings_and_singulars() -> None:
    assert rendered("concise", make_report([], passed=True), sample_options()) == (
        "No findings in 2 files, 1,203 records. Gate passed (fail-on: error).\n"
    )
    one_info = finding("DS401", "label 'refund' is 61% of train", None, severity=Severity.INFO, fingerprint="a1")
    out = rendered("concise", make_report([one_info], passed=True, fail_on="warning"), sample_options())
    assert out.splitlines()[-1] == "Found 1 finding (1 info) in 2 files, 1,203 records. Gate passed (fail-on: warning)."


def _many(code: str, count: int, severity: Severity | None = None) -> list:
    return [
        finding(code, f"finding {i}", Location(file=TRAIN, line=i + 1, record=i), severity=severity, fingerprint=f"{code}{i}")
        for i in range(count)
    ]


def test_statistics_sorted_by_count_then_code_and_aligned() -> None:
    findings = _many("DS108", 3) + _many("DS101", 1) + _many("DS401", 12) + _many("DS104", 3)
    out = rendered("concise", make_report(findings), sample_options(statistics=True))
    assert out.splitlines()[:4] == [
        "12  DS401  label-imbalance       warning",
        " 3  DS104  missing-required-key  error",
        " 3  DS108  empty-content         warning",
        " 1  DS101  invalid-json          error",
    ]
    assert "finding 0" not in out  # counts instead of the findings


def test_statistics_show_the_worst_severity_of_a_rule() -> None:
    findings = _many("DS108", 2, Severity.INFO) + _many("DS108", 1, Severity.ERROR)
    out = rendered("concise", make_report(findings), sample_options(statistics=True))
    assert out.splitlines()[0] == "3  DS108  empty-content  error"


def test_statistics_show_budget_use_and_overruns() -> None:
    over = [f.model_copy(update={"suppressed": "budget"}) for f in _many("DS117", 15)]
    exceeded = finding("DS117", "15 inconsistent-fields findings exceed the budget", None, fingerprint="budget")
    within = [f.model_copy(update={"suppressed": "budget"}) for f in _many("DS108", 4)]
    budgets = {"DS117": Budget(max_count=10), "DS108": Budget(max_ratio=0.01)}
    out = rendered("concise", make_report([*over, exceeded, *within]), sample_options(statistics=True, budgets=budgets))
    assert out.splitlines()[:2] == [
        "16  DS117  inconsistent-fields  warning  budget 15/10 exceeded",
        " 4  DS108  empty-content        warning  budget 4/12 (1%)",
    ]


def test_record_text_is_printed_inert() -> None:
    out = rendered("concise", hostile_report(), sample_options())
    for raw in RAW_SEQUENCES:
        assert raw not in out
    assert "\\x1b[31mHACKED" in out and "\\u202e" in out and "\\r" in out
    assert out.count("\n") == 3  # two findings and the summary: a \r or newline in the data adds no line
