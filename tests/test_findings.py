"""Findings while a run is under way (``Hit``): what they become in the report, and their snippets,
cut and redacted only when something shows them."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import chat, write_jsonl
from pydantic import ValidationError

from dslint.check import Rule
from dslint.finding import Finding, Hit, Location, Severity, as_model, sort_findings
from dslint.record import Record
from dslint.redact import Cut

DOCS = "What it does: x\n\nWhy it matters: x\n\nExample: x\n\nOptions: none."
RULE = Rule("DS999", "test-rule", "content", Severity.WARNING, "record", "A test rule.", DOCS)
EMAIL = "jane.doe@gmail.com"


def record(text: str) -> Record:
    return Record(file="data/train.jsonl", line=3, index=2, data=chat(text, "ok", system=None), split="train")


def test_a_hit_becomes_the_finding_validation_would_build() -> None:
    hit = RULE.at(record(f"write to {EMAIL} today"), "an email", field="/messages/0/content", snippet=f"to {EMAIL}",
                  metrics={"count": np.int64(2), "ratio": np.float64(0.5), "kind": "email", "ok": True}, key="k")
    model = hit.to_model()
    validated = Finding(
        rule="DS999", name="test-rule", check="content", severity=Severity.WARNING, message="an email",
        location=Location(file="data/train.jsonl", line=3, record=2, field="/messages/0/content", split="train"),
        metrics={"count": np.int64(2), "ratio": np.float64(0.5), "kind": "email", "ok": True},
        snippet=hit.snippet, fingerprint=hit.fingerprint,
    )
    assert model == validated and hit == validated
    assert model.model_dump_json() == validated.model_dump_json()
    assert [type(v) for v in model.metrics.values()] == [float, float, str, bool]  # as validation coerces NumPy numbers
    assert EMAIL not in hit.snippet and hit.snippet.startswith("to j")
    assert as_model(validated) is validated


def test_metrics_that_are_not_json_values_fail_in_the_check_as_before() -> None:
    with pytest.raises(ValidationError):
        RULE.dataset("x", key="k", metrics={"pair": (1, 2)})


def test_a_rule_of_an_unknown_family_is_refused() -> None:
    with pytest.raises(ValueError, match="family"):
        Rule("DS998", "odd-rule", "odd", Severity.INFO, "record", "x", DOCS)  # type: ignore[arg-type]


def test_model_copy_changes_a_hit_like_a_finding() -> None:
    hit = RULE.dataset("x", key="k", snippet="a b")
    copy = hit.model_copy(update={"severity": Severity.ERROR, "suppressed": "budget"})
    assert (copy.severity, copy.suppressed, hit.severity, hit.suppressed) == (Severity.ERROR, "budget", Severity.WARNING, None)
    assert copy.snippet == "a b"


@pytest.fixture
def cuts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The snippets cut during a test (each call of a pending ``Cut``)."""
    made: list[str] = []
    original = Cut.__call__

    def counting(self: Cut) -> str:
        made.append(self.text)
        return original(self)

    monkeypatch.setattr(Cut, "__call__", counting)
    return made


def test_a_snippet_is_cut_once_when_first_read(cuts: list[str]) -> None:
    hit = RULE.at(record("hello <b>there</b>"), "html", field="/messages/0/content", snippet="<b>there</b>")
    assert cuts == []
    assert hit.snippet == hit.snippet == "<b>there</b>"
    assert cuts == ["<b>there</b>"]


def test_a_pending_snippet_leaves_a_process_cut_not_as_field_text(cuts: list[str]) -> None:
    field = f"private note: {EMAIL} " + "x" * 500
    hit = RULE.at(record(field), "note", field="/messages/0/content", snippet="private note")
    data = pickle.dumps(hit)
    assert EMAIL.encode() not in data and b"x" * 500 not in data
    assert pickle.loads(data).snippet == hit.snippet == "private note"


def _dataset(folder: Path) -> Path:
    rows = [chat(f"Mail me at person{i}@gmail.com <div>hi</div>", "Sure, will do.") for i in range(12)]
    write_jsonl(folder / "data" / "train.jsonl", rows)
    write_jsonl(folder / "data" / "ignored" / "train.jsonl", rows)
    return folder


def test_formats_that_show_no_snippet_never_cut_one(tmp_path: Path, cli, cuts: list[str]) -> None:
    _dataset(tmp_path)
    for fmt in ("concise", "github", "junit", "gitlab", "markdown"):
        assert cli("check", "data", "--format", fmt, "--fail-on", "never", cwd=tmp_path).code == 0
    assert cuts == []


def test_snippets_are_cut_only_for_findings_that_are_reported(tmp_path: Path, cli, cuts: list[str]) -> None:
    _dataset(tmp_path)
    (tmp_path / "dslint.yaml").write_text("per-file-ignores:\n  'data/ignored/': [ALL]\n")
    report = cli("check", "data", "--format", "json", "--fail-on", "never", cwd=tmp_path).json()
    shown = [f for f in report["findings"] if f["snippet"] is not None]
    assert shown and {f["location"]["file"] for f in report["findings"]} == {"data/train.jsonl"}
    assert len(cuts) == len(shown)  # one cut per snippet shown; none for the ignored file's findings
    assert "person0@gmail.com" not in json.dumps(report)



def _either(hit: bool, rule: str, location: Location | None, message: str, fingerprint: str) -> Finding | Hit:
    kind = Hit if hit else Finding
    return kind(rule=rule, name="x", check="schema", severity=Severity.ERROR, message=message, location=location,
                fingerprint=fingerprint)


_locations = st.none() | st.builds(
    Location, file=st.sampled_from(["a.jsonl", "b.jsonl", "ä.jsonl"]), line=st.none() | st.integers(1, 5),
    record=st.none() | st.integers(0, 300), field=st.none() | st.sampled_from(["", "/a", "/a/b", "/b"]))
_findings = st.lists(st.builds(_either, st.booleans(), st.sampled_from(["DS101", "DS104", "DS501"]), _locations,
                               st.sampled_from(["m", "n", "ma"]), st.text("0123", min_size=1, max_size=3)))


@given(_findings)
@settings(max_examples=200, deadline=None)
def test_sort_findings_gives_the_sort_key_order(findings: list[Finding | Hit]) -> None:
    ordered = list(findings)
    sort_findings(ordered)
    expected = sorted(findings, key=Finding.sort_key)  # stable: findings with equal keys keep their order
    assert [id(f) for f in ordered] == [id(f) for f in expected]
