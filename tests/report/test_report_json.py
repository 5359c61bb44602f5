"""The json and jsonl formats. Regenerate the golden file with DSLINT_UPDATE_GOLDEN=1 (see
test_report_concise.py)."""

from __future__ import annotations

import json

from sample_report import FINDINGS, check_golden, hostile_report, make_report, rendered, sample_options, sample_report

from dslint.finding import Finding, Report


def test_json_matches_golden() -> None:
    check_golden("report.json", rendered("json", sample_report(), sample_options()))


def test_json_round_trips_to_the_same_report() -> None:
    report = sample_report()
    out = rendered("json", report, sample_options())
    assert out.endswith("}\n")
    assert Report.model_validate_json(out) == report


def test_json_ignores_presentation_options() -> None:
    report = sample_report()
    plain = rendered("json", report, sample_options())
    assert rendered("json", report, sample_options(color=True, width=40)) == plain


def test_json_statistics_are_counts_per_rule() -> None:
    rows = json.loads(rendered("json", sample_report(), sample_options(statistics=True)))
    assert [(r["code"], r["count"], r["severity"]) for r in rows] == [
        ("DS104", 2, "error"), ("DS108", 2, "warning"), ("DS101", 1, "error"), ("DS117", 1, "warning"), ("DS401", 1, "warning")
    ]
    assert rows[3]["budget"] == "1/100" and rows[3]["over_budget"] is False


def test_jsonl_prints_one_compact_finding_per_line_and_nothing_else() -> None:
    out = rendered("jsonl", sample_report(), sample_options())
    lines = out.splitlines()
    assert len(lines) == len(FINDINGS) and out.endswith("\n")
    assert [Finding.model_validate_json(line) for line in lines] == FINDINGS
    assert all(": " not in line.split('"message"')[0] for line in lines)  # compact separators
    assert rendered("jsonl", make_report([], passed=True), sample_options()) == ""


def test_json_escapes_control_characters_from_the_data() -> None:
    report = hostile_report()
    for fmt in ("json", "jsonl"):
        out = rendered(fmt, report, sample_options())
        assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert json.loads(rendered("json", report, sample_options()))["findings"][1]["message"] == report.findings[1].message
