"""The json and jsonl formats write findings one by one; their bytes must be those of the report's
pydantic dump, for hand-built reports with any text and for real runs with secrets in the data."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sample_report import FINDINGS, finding, hostile_report, make_report, rendered, sample_options

import dslint
from dslint.finding import Finding, Location, Report

# Text a finding may hold: any code point but lone surrogates (which no output can encode).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


def test_an_empty_report_is_its_dump() -> None:
    report = make_report([], passed=True)
    assert rendered("json", report, sample_options()) == report.model_dump_json(indent=2) + "\n"


def test_the_sample_reports_are_their_dumps() -> None:
    for report in (make_report(FINDINGS), hostile_report()):
        assert rendered("json", report, sample_options()) == report.model_dump_json(indent=2) + "\n"
        assert rendered("jsonl", report, sample_options()) == "".join(f.model_dump_json() + "\n" for f in report.findings)


def test_a_findings_key_inside_the_summary_does_not_move_the_findings() -> None:
    report = make_report(FINDINGS[:2])
    report = report.model_copy(update={"summary": report.summary.model_copy(update={"stats": {"x": {"findings": []}}})})
    out = rendered("json", report, sample_options())
    assert out == report.model_dump_json(indent=2) + "\n"
    assert json.loads(out)["summary"]["stats"] == {"x": {"findings": []}}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TEXT, st.one_of(st.none(), TEXT), TEXT, st.dictionaries(TEXT, st.one_of(st.integers(), TEXT), max_size=3)), max_size=6))
def test_any_findings_stream_as_their_dump(items: list[tuple[str, str | None, str, dict]]) -> None:
    findings = [
        finding("DS104", message, Location(file=f"data/{name}.jsonl", record=i, field=f"/{name}"), snippet=snippet,
                metrics=metrics, fingerprint=f"{i:016x}")
        for i, (message, snippet, name, metrics) in enumerate(items)
    ]
    report = make_report(findings)
    assert rendered("json", report, sample_options()) == report.model_dump_json(indent=2) + "\n"


SECRETS = ("jane.doe@gmail.com", "ghp_" + "aB3dE5fG7hJ9kL1mN2pQ4rS6tU8vW0xY2zA4", "4111 1111 1111 1111", "AKIAIOSFODNN7EXAMPLE")


def _many_findings(folder: Path, records: int) -> Path:
    """Chats with secrets, HTML, control characters, placeholders and repeats: several findings a record."""
    rows = []
    for i in range(records):
        secret = SECRETS[i % len(SECRETS)]
        user = f"Mail {secret} about ticket {i} <div>\x1b[31mnow\x1b[0m</div> {{{{name}}}} :: ##vso[task]"
        rows.append({"messages": [{"role": "user", "content": user},
                                  {"role": "assistant", "content": f"As an AI language model, I will write to {secret}."}]})
        if i % 4 == 3:
            rows.append(rows[-1])
    path = folder / "train.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_run_with_many_findings_streams_its_report_and_keeps_secrets_out(tmp_path: Path, cli, monkeypatch) -> None:
    path = _many_findings(tmp_path, 120)
    monkeypatch.chdir(tmp_path)
    report = dslint.lint([str(path)], fail_on="never", jobs=1)
    assert len(report.findings) > 500 and all(isinstance(f, Finding) for f in report.findings)
    assert sum(f.snippet is not None for f in report.findings) > 300
    json_out = rendered("json", report, sample_options())
    assert json_out == report.model_dump_json(indent=2) + "\n"
    # The CLI renders light records, not models: the same bytes.
    result = cli("check", str(path), "--format", "json", "--fail-on", "never", "-j1", cwd=tmp_path)
    assert result.code == 0
    assert Report.model_validate_json(result.out).findings == report.findings
    assert result.out == Report.model_validate_json(result.out).model_dump_json(indent=2) + "\n"
    jsonl = cli("check", str(path), "--format", "jsonl", "--fail-on", "never", "-j1", cwd=tmp_path).out
    assert jsonl == "".join(f.model_dump_json() + "\n" for f in report.findings)
    for out in (json_out, result.out, jsonl):
        assert not any(secret in out for secret in SECRETS)
        assert "\x1b" not in out and "::" not in out and "##vso[" not in out


def test_an_output_file_is_streamed_whole(tmp_path: Path, cli) -> None:
    path = _many_findings(tmp_path, 40)
    target = tmp_path / "report.json"
    target.write_text("the previous report")
    assert cli("check", str(path), "--format", "json", "--fail-on", "never", "-o", str(target), cwd=tmp_path).code == 0
    assert target.read_text(encoding="utf-8") == cli("check", str(path), "--format", "json", "--fail-on", "never", cwd=tmp_path).out
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left
