"""CI formats: SARIF, GitHub annotations, JUnit, GitLab Code Quality and Markdown.

Golden files live in tests/report/golden/; regenerate with DSLINT_UPDATE_GOLDEN=1 pytest tests/report.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from sample_report import (
    FINDINGS,
    HOSTILE,
    RAW_SEQUENCES,
    check_golden,
    finding,
    hostile_report,
    make_report,
    rendered,
    sample_options,
    sample_report,
)

from dslint.finding import Location
from dslint.report.github import PER_KIND_LIMIT, escape_data, escape_property

SARIF_SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture(autouse=True)
def _outside_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SARIF URIs are relative to the repository root; outside git, to the working directory."""
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("fmt", "golden"),
    [("sarif", "report.sarif"), ("github", "github.txt"), ("junit", "junit.xml"), ("gitlab", "gitlab.json"), ("markdown", "report.md")],
)
def test_golden_output(fmt: str, golden: str) -> None:
    options = sample_options(enabled=frozenset({"DS101", "DS104", "DS108", "DS117", "DS401"}))
    check_golden(golden, rendered(fmt, sample_report(), options))


def test_sarif_validates_against_the_official_schema() -> None:
    doc = json.loads(rendered("sarif", sample_report(), sample_options()))
    jsonschema.validate(doc, SARIF_SCHEMA)
    run = doc["runs"][0]
    results = run["results"]
    assert len(results) == len(FINDINGS)
    first = results[0]
    assert first["ruleId"] == "DS101" and first["level"] == "error"
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "data/train.jsonl"
    assert first["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert first["partialFingerprints"] == {"dslintFingerprint/v1": "9c1e5b7d2a4f6083"}
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert "What it does" in run["tool"]["driver"]["rules"][rule_ids.index("DS104")]["help"]["text"]
    suppressed = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["DS117"]
    dataset_level = results[-1]
    assert dataset_level["ruleId"] == "DS401"
    assert dataset_level["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "data/train.jsonl"


def test_sarif_with_hostile_text_is_still_valid_and_escaped() -> None:
    text = rendered("sarif", hostile_report(), sample_options())
    jsonschema.validate(json.loads(text), SARIF_SCHEMA)
    for raw in RAW_SEQUENCES:
        assert raw not in text


def test_github_escaping_rules() -> None:
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_record_text_cannot_forge_workflow_commands() -> None:
    forged = "ok\n::error file=x,line=1::forged\n::stop-commands::token\n::add-mask::x"
    where = Location(file="data/a,b:c.jsonl", line=2, record=1, field="/messages/1/content")
    report = make_report([finding("DS104", forged, where, fingerprint="1"), finding("DS104", HOSTILE, where, fingerprint="2")])
    out = rendered("github", report, sample_options())
    lines = out.splitlines()
    commands = [ln for ln in lines if ln.startswith("::")]
    assert len(commands) == 2  # exactly the two annotations dslint wrote, nothing injected
    assert all(ln.startswith("::error file=data/a%2Cb%3Ac.jsonl,line=2,title=DS104 missing-required-key::") for ln in commands)
    assert "stop-commands" in out and "\n::stop-commands" not in out
    for raw in RAW_SEQUENCES:
        assert raw not in out


def test_github_annotations_are_capped_per_kind_with_a_notice() -> None:
    many = [
        finding("DS104", f"message {i} has no 'role' key", Location(file="t.jsonl", line=i + 1, record=i), fingerprint=str(i))
        for i in range(PER_KIND_LIMIT + 7)
    ]
    out = rendered("github", make_report(many), sample_options())
    assert out.count("::error ") == PER_KIND_LIMIT
    assert "::notice title=dslint::dslint: 7 errors more than GitHub shows as annotations" in out


def test_junit_has_a_case_per_rule_and_file_and_passing_cases_for_clean_rules() -> None:
    xml = rendered("junit", sample_report(), sample_options(enabled=frozenset({"DS101", "DS104", "DS999"})))
    root = ET.fromstring(xml)
    cases = root.findall(".//testcase")
    failed = {(c.get("classname"), c.get("name")) for c in cases if c.find("failure") is not None}
    assert ("dslint.DS104", "data/train.jsonl") in failed
    assert ("dslint.DS108", "data/validation.parquet") in failed
    assert ("dslint.DS117", "data/train.jsonl") not in failed  # budget-suppressed
    passing = [c.get("classname") for c in cases if c.find("failure") is None]
    assert passing == ["dslint.DS999"]


def test_junit_and_gitlab_escape_hostile_text() -> None:
    for fmt in ("junit", "gitlab"):
        out = rendered(fmt, hostile_report(), sample_options())
        for raw in RAW_SEQUENCES:
            assert raw not in out, (fmt, raw)
    ET.fromstring(rendered("junit", hostile_report(), sample_options()))
    issues = json.loads(rendered("gitlab", hostile_report(), sample_options()))
    assert {i["severity"] for i in issues} == {"major", "minor"}


def test_markdown_cannot_inject_html_links_or_mentions() -> None:
    where = Location(file="t.jsonl", line=1, record=0)
    evil = "<img src=x onerror=alert(1)> [click](http://evil) @octocat | `code` **bold**"
    out = rendered("markdown", make_report([finding("DS104", evil, where, fingerprint="1")]), sample_options())
    assert "<img" not in out and "@octocat" not in out
    assert not re.search(r"(?<!\\)\]\(", out)  # every ']' before '(' is escaped: no link
    assert "http://" not in out  # no autolink
    assert "\\| " in out or "&#124;" in out
    for raw in RAW_SEQUENCES:
        assert raw not in rendered("markdown", hostile_report(), sample_options())
