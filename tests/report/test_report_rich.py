"""The rich terminal report: structure, no ANSI without colour, inert record text, the cap."""

from __future__ import annotations

import re

import pytest
from sample_report import (
    RAW_SEQUENCES,
    TRAIN,
    finding,
    hostile_report,
    make_report,
    rendered,
    sample_options,
    sample_report,
)

from dslint.finding import Location
from dslint.report import RENDERERS, Budget, render
from dslint.report.terminal import MAX_PER_GROUP


@pytest.fixture
def colour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal that supports colour, so color=True really emits rich's escapes."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("COLORTERM", raising=False)


def test_without_colour_there_is_no_escape_sequence_and_no_trailing_space() -> None:
    out = rendered("rich", sample_report(), sample_options())
    assert "\x1b" not in out
    assert all(line == line.rstrip() for line in out.splitlines())
    assert max(map(len, out.splitlines())) <= 100  # the width when the stream is not a terminal


def test_header_lists_files_with_format_split_and_records() -> None:
    out = rendered("rich", sample_report(), sample_options())
    header = out[: out.index("╰")]
    assert "dslint 0.1.0" in header
    assert re.search(r"data/train\.jsonl\s+openai-chat\s+train\s+1,000", header)
    assert re.search(r"data/validation\.parquet\s+alpaca\s+validation\s+203", header)
    assert "2 files, 1,203 records" in header


def test_findings_are_grouped_by_file_with_dataset_level_last() -> None:
    out = rendered("rich", sample_report(), sample_options())
    train = out.index("data/train.jsonl  openai-chat  train  1,000 records  (4 findings)")
    valid = out.index("data/validation.parquet  alpaca  validation  203 records  (2 findings)")
    dataset = out.index("dataset-level  (1 finding)")
    assert train < out.index("DS104  error    message 1 has no 'role' key") < valid
    assert valid < out.index("rec 17  /output  DS108  warning  the response is empty") < dataset
    assert dataset < out.index("label 'refund' is 91.2% of the train split") < out.index("Findings by rule")
    assert re.search(r"\n\s+7\s+/messages/1/role\s+DS104", out)


def test_snippets_related_places_and_suppression_are_shown() -> None:
    out = rendered("rich", sample_report(), sample_options())
    assert "│ Sure! A mutex is a lock" in out
    assert out.index("message 1 has no 'role' key") < out.index("│ Sure! A mutex") < out.index("message 3 has no")
    assert "also at data/train.jsonl" in out
    assert re.search(r"record lacks key 'id' .*\n?.*\[budget\]", out)


def test_summary_table_by_rule_with_budget_and_verdict() -> None:
    out = rendered("rich", sample_report(), sample_options())
    table = out[out.index("Findings by rule") :]
    rows = [line.split() for line in table.splitlines() if line.strip().startswith("DS")]
    assert rows == [
        ["DS104", "missing-required-key", "error", "2"],
        ["DS108", "empty-content", "warning", "2"],
        ["DS101", "invalid-json", "error", "1"],
        ["DS117", "inconsistent-fields", "warning", "1", "1/100"],
        ["DS401", "label-imbalance", "warning", "1"],
    ]
    assert table.index("\nFAILED (fail-on: error): 7 findings (3 errors, 4 warnings; 1 suppressed by budget)") > 0


def test_exceeded_budget_and_passing_verdict() -> None:
    within = [
        finding("DS117", "record lacks key 'id'", Location(file=TRAIN, line=i + 1, record=i), suppressed="budget", fingerprint=f"k{i}")
        for i in range(3)
    ]
    over = rendered("rich", make_report(within), sample_options(budgets={"DS117": Budget(max_count=2)}))
    assert re.search(r"DS117\s+inconsistent-fields\s+warning\s+3\s+3/2 exceeded", over)
    passing = rendered("rich", make_report(within, passed=True), sample_options())
    assert "PASSED (fail-on: error): 3 findings (3 warnings; 3 suppressed by budget)" in passing
    empty = rendered("rich", make_report([], passed=True), sample_options())
    assert "No findings." in empty and "PASSED (fail-on: error): no findings in 2 files, 1,203 records" in empty


def test_statistics_skip_the_listing_but_keep_the_table() -> None:
    out = rendered("rich", sample_report(), sample_options(statistics=True))
    assert "Sure! A mutex" not in out and "rec 17" not in out
    assert "Findings by rule" in out and "missing-required-key" in out and "FAILED" in out


def test_findings_per_file_are_capped_and_the_rest_counted() -> None:
    many = [
        finding("DS108", f"message {i} is empty", Location(file=TRAIN, line=i + 1, record=i, field=f"/messages/{i}/content"), fingerprint=f"e{i}")
        for i in range(MAX_PER_GROUP + 7)
    ]
    out = rendered("rich", make_report(many), sample_options())
    shown = [i for i in range(len(many)) if f"message {i} is empty" in out]
    assert shown == list(range(MAX_PER_GROUP))
    assert "… and 7 more in this file (use --format json for all)" in out
    assert f"({MAX_PER_GROUP + 7} findings)" in out
    assert re.search(rf"DS108\s+empty-content\s+warning\s+{MAX_PER_GROUP + 7}\b", out)


def test_width_is_honoured() -> None:
    out = rendered("rich", sample_report(), sample_options(width=60))
    assert max(map(len, out.splitlines())) <= 60
    assert "│ Sure! A mutex" in out  # wrapped, not cut


@pytest.mark.parametrize("color", [False, True])
def test_hostile_record_text_is_inert(color: bool, colour_terminal: None) -> None:
    out = rendered("rich", hostile_report(), sample_options(color=color))
    for raw in RAW_SEQUENCES:
        assert raw not in out, repr(raw)
    assert "\x1b[2J" not in out and "\x1b[0m.jsonl" not in out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)  # rich's own styling, when colour is on
    assert "[bold red]x[/]" in plain  # markup printed, not applied
    assert "\\x1b[31mHACKED\\x1b[0m" in plain and "\\x1b]8;;http://evil\\x07click" in plain
    assert "\\rok \\u202etxt.exe" in plain and ":warning:" in plain
    assert "data/[red]train\\x1b[0m.jsonl" in plain and "/messages/0/[b]content\\x1b[2J" in plain.replace("\n", "")
    assert ("\x1b[" in out) is color


def test_colour_uses_rich_styles(colour_terminal: None) -> None:
    out = rendered("rich", sample_report(), sample_options(color=True))
    assert "\x1b[1;31mFAILED" in out


def test_registry_and_unknown_format() -> None:
    assert {"rich", "concise", "json", "jsonl"} <= set(RENDERERS)
    with pytest.raises(ValueError, match="unknown output format 'xml'; choose from concise, github, gitlab, html, json, jsonl, junit, markdown, rich, sarif"):
        render("xml", sample_report(), None, sample_options())  # type: ignore[arg-type]
