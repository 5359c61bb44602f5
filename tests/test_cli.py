"""End-to-end runs of the command line on realistic data."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from conftest import CLEAN_CHATS, chat, write_jsonl

REPO = Path(__file__).resolve().parent.parent


def test_clean_data_passes_with_exit_0(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    res = cli("check", "train.jsonl", "--format", "json", cwd=tmp_path)
    assert res.code == 0, res.out
    report = res.json()
    assert report["passed"] is True
    assert report["findings"] == []
    assert report["summary"]["records"] == len(CLEAN_CHATS)
    assert report["summary"]["file_details"] == [
        {"path": "train.jsonl", "format": "openai-chat", "split": "train", "records": 5}
    ]


def test_defects_fail_the_gate_with_exit_1_and_exact_locations(cli, tmp_path: Path) -> None:
    rows = [json.dumps(r) for r in CLEAN_CHATS]
    rows.insert(2, '{"messages": [{"role": "user", "content": "Hi"}')  # truncated
    rows.insert(4, json.dumps({"messages": [{"role": "user", "content": "Where is my order?"}]}))
    (tmp_path / "train.jsonl").write_text("\n".join(rows) + "\n")
    res = cli("check", ".", "--format", "json", cwd=tmp_path)
    assert res.code == 1
    found = {(f["rule"], f["location"]["line"], f["location"]["record"]) for f in res.json()["findings"]}
    assert ("DS101", 3, 2) in found
    assert ("DS109", 5, 4) in found


def test_fail_on_never_and_exit_zero(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", [{"messages": [{"role": "user", "content": "Hi"}]}])
    assert cli("check", "train.jsonl", "--fail-on", "never", cwd=tmp_path).code == 0
    assert cli("check", "train.jsonl", "--exit-zero", cwd=tmp_path).code == 0
    assert cli("check", "train.jsonl", cwd=tmp_path).code == 1


def test_select_and_ignore_on_the_command_line(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", [{"messages": [{"role": "user", "content": "Hi"}]}])
    res = cli("check", "train.jsonl", "--ignore", "no-assistant-response,DS119", "--format", "json", cwd=tmp_path)
    rules = {f["rule"] for f in res.json()["findings"]}
    assert "DS109" not in rules and "DS119" not in rules
    res = cli("check", "train.jsonl", "--select", "DS109", "--format", "json", cwd=tmp_path)
    assert {f["rule"] for f in res.json()["findings"]} == {"DS109"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "missing.jsonl"], "missing.jsonl"),
        (["check", ".", "--select", "DS99"], "unknown rule selector 'DS99'"),
        (["check", ".", "--format", "xml"], "invalid choice"),
        (["check", ".", "--config", "nope.yaml"], "config file not found: nope.yaml"),
        (["rule", "DS999"], "unknown rule 'DS999'"),
        (["frobnicate"], ""),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(cli, tmp_path: Path, args: list[str], message: str) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    res = cli(*args, cwd=tmp_path)
    assert res.code == 2
    assert res.err.startswith("dslint: error: ")
    assert message in res.err
    assert len(res.err.strip().splitlines()) == 1
    assert "Traceback" not in res.err


def test_config_error_exits_2_naming_file_and_line(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    (tmp_path / "dslint.yaml").write_text("fail-on: error\nrules:\n  DS117:\n    maxratio: 0.1\n")
    res = cli("check", cwd=tmp_path)
    assert res.code == 2
    assert res.err.strip() == "dslint: error: unknown option 'maxratio' for rule DS117 at dslint.yaml:4; did you mean 'max-ratio'?"


def test_config_paths_are_the_default_targets(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "data" / "train.jsonl", CLEAN_CHATS)
    write_jsonl(tmp_path / "other" / "train.jsonl", [{"messages": []}])
    (tmp_path / "dslint.yaml").write_text("paths: [data]\n")
    sub = tmp_path / "data"
    res = cli("check", "--format", "json", cwd=sub)
    assert res.code == 0
    assert [d["path"] for d in res.json()["summary"]["file_details"]] == ["train.jsonl"]


def test_per_file_ignores_and_budget_from_config(cli, tmp_path: Path) -> None:
    bad = [{"messages": [{"role": "user", "content": "Hi there"}]}]
    write_jsonl(tmp_path / "data" / "legacy" / "train.jsonl", [{"messages": [{"role": "user", "content": "Old question"}]}])
    write_jsonl(tmp_path / "data" / "train.jsonl", CLEAN_CHATS + bad)
    (tmp_path / "dslint.yaml").write_text(
        "per-file-ignores:\n  'data/legacy/': [DS109, DS119]\nrules:\n  DS109: {max-count: 1}\n  DS119: {max-count: 1}\n"
    )
    res = cli("check", "data", "--format", "json", cwd=tmp_path)
    report = res.json()
    assert res.code == 0, res.out
    assert {f["location"]["file"] for f in report["findings"]} == {"data/train.jsonl"}
    assert {f["suppressed"] for f in report["findings"]} == {"budget"}


def test_output_file_and_json_validates_against_the_published_schema(cli, tmp_path: Path) -> None:
    (tmp_path / "train.jsonl").write_text('{"messages": [}\n' + json.dumps(chat("Hi", "Hello!")) + "\n[1, 2]\n")
    res = cli("check", "train.jsonl", "--format", "json", "--output", "report.json", cwd=tmp_path)
    assert res.code == 1
    assert res.out == ""
    report = json.loads((tmp_path / "report.json").read_text())
    schema = json.loads((REPO / "dslint" / "report.schema.json").read_text())
    jsonschema.validate(report, schema)
    assert [f["rule"] for f in report["findings"]] == ["DS101", "DS103"]


def test_published_schema_matches_the_models(cli) -> None:
    res = cli("schema")
    assert res.code == 0
    assert res.out == (REPO / "dslint" / "report.schema.json").read_text(), "run: dslint schema > dslint/report.schema.json"


def test_jsonl_format_prints_one_finding_per_line(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", [{"messages": [{"role": "user", "content": "Hi"}]}] * 3)
    res = cli("check", "train.jsonl", "--format", "jsonl", "--select", "DS109", cwd=tmp_path)
    lines = res.out.splitlines()
    assert len(lines) == 3
    assert all(json.loads(line)["rule"] == "DS109" for line in lines)


def test_findings_are_identical_for_any_number_of_jobs(cli, tmp_path: Path) -> None:
    for i, split in enumerate(["train", "validation", "test"]):
        rows = CLEAN_CHATS + [{"messages": [{"role": "user", "content": f"Question {i}"}]}, {"messages": "oops"}]
        write_jsonl(tmp_path / "data" / f"{split}.jsonl", rows)
    write_jsonl(tmp_path / "data" / "extra" / "train-2.jsonl", [{"messages": [], "x": 1}])
    one = cli("check", "data", "--format", "json", "--jobs", "1", cwd=tmp_path).json()
    two = cli("check", "data", "--format", "json", "--jobs", "3", cwd=tmp_path).json()
    assert (one["tool"].pop("executor"), two["tool"].pop("executor")) == ("inprocess", "pool")
    assert one == two
    assert len(one["findings"]) >= 6


def test_stdin_is_read_as_jsonl(tmp_path: Path) -> None:
    data = json.dumps({"messages": [{"role": "user", "content": "Hi"}]}) + "\n"
    proc = subprocess.run(
        [sys.executable, "-m", "dslint", "check", "-", "--format", "json"],
        input=data.encode(), capture_output=True, cwd=tmp_path, timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert findings[0]["location"]["file"] == "<stdin>"


def test_compressed_input(cli, tmp_path: Path) -> None:
    with gzip.open(tmp_path / "train.jsonl.gz", "wt") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in CLEAN_CHATS))
    res = cli("check", "train.jsonl.gz", "--format", "json", cwd=tmp_path)
    assert res.code == 0
    assert res.json()["summary"]["records"] == 5


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02binary\xff\xfe" * 100,
        b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hel',
        b'{"text": "caf\xe9"}\n',
        b"\n\n\n",
    ],
    ids=["empty", "binary", "truncated", "latin1", "blank-lines"],
)
def test_malformed_input_is_a_finding_never_a_traceback(cli, tmp_path: Path, content: bytes) -> None:
    (tmp_path / "train.jsonl").write_bytes(content)
    res = cli("check", "train.jsonl", "--format", "json", cwd=tmp_path)
    assert res.code in (0, 1), res.err
    assert res.err == ""
    assert res.json()["findings"], "malformed input must produce at least one finding"


def test_a_50_mb_single_line_is_handled(cli, tmp_path: Path) -> None:
    big = json.dumps(chat("Summarise this log.", "ok " * (50 * 1024 * 1024 // 3)))
    (tmp_path / "train.jsonl").write_text(big + "\n")
    res = cli("check", "train.jsonl", "--format", "json", "--select", "schema", cwd=tmp_path)
    assert res.code == 0, res.out[:500]
    assert res.json()["summary"]["records"] == 1


def test_rich_report_on_the_examples(cli) -> None:
    res = cli("check", "examples", "--format", "rich", cwd=REPO)
    assert res.code == 1
    assert "examples/train.jsonl" in res.out
    assert "openai-chat" in res.out
    assert "DS101" in res.out and "DS109" in res.out
    assert "\x1b" not in res.out


def test_statistics(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", [{"messages": [{"role": "user", "content": "Hi"}]}] * 4)
    res = cli("check", "train.jsonl", "--statistics", "--format", "concise", cwd=tmp_path)
    assert "DS109" in res.out and "4" in res.out


def test_quiet_prints_nothing_when_passing(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    res = cli("check", "train.jsonl", "-q", cwd=tmp_path)
    assert (res.code, res.out, res.err) == (0, "", "")


def test_rules_and_rule_commands(cli) -> None:
    res = cli("rules", "--format", "json")
    rules = res.json()
    codes = [r["code"] for r in rules]
    assert codes == sorted(codes)
    assert {"DS101", "DS109", "DS801"} <= set(codes)
    unknown = next(r for r in rules if r["code"] == "DS106")
    assert unknown["enabled"] is False
    page = cli("rule", "no-assistant-response").out
    assert page.startswith("DS109 no-assistant-response")
    for section in ("What it does", "Why it matters", "Example", "Options"):
        assert section in page


def test_every_rule_has_complete_metadata(cli) -> None:
    for rule in cli("rules", "--format", "json").json():
        for section in ("What it does", "Why it matters", "Example", "Options"):
            assert section in rule["docs"], (rule["code"], section)
        assert rule["summary"].endswith("."), rule["code"]


def test_local_plugin_module_adds_rules(cli, tmp_path: Path) -> None:
    (tmp_path / "checks.py").write_text(
        "from dslint import RecordCheck, Rule, Severity\n"
        "TODO = Rule('ACME201', 'todo-in-answer', 'content', Severity.ERROR, 'record', 'An answer contains TODO.',\n"
        "            'What it does: x\\n\\nWhy it matters: x\\n\\nExample: x\\n\\nOptions: none.')\n"
        "class NoTodo(RecordCheck):\n"
        "    rules = (TODO,)\n"
        "    def check(self, record):\n"
        "        for f in record.fields:\n"
        "            if f.learned and 'TODO' in f.text:\n"
        "                yield TODO.at(record, 'answer contains TODO', field=f.pointer)\n"
        "CHECKS = [NoTodo]\n"
    )
    (tmp_path / "dslint.yaml").write_text("plugins: [checks.py]\n")
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS + [chat("Write the intro.", "TODO: write intro")])
    for jobs in ("1", "2"):
        res = cli("check", "train.jsonl", "--format", "json", "--jobs", jobs, "--allow-plugins", cwd=tmp_path)
        assert [(f["rule"], f["location"]["field"]) for f in res.json()["findings"]] == [("ACME201", "/messages/2/content")]


def test_broken_plugin_is_a_one_line_error(cli, tmp_path: Path) -> None:
    (tmp_path / "checks.py").write_text("import not_a_module_anywhere\n")
    (tmp_path / "dslint.yaml").write_text("plugins: [checks.py]\n")
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    res = cli("check", "--allow-plugins", cwd=tmp_path)
    assert res.code == 2
    assert "cannot load plugin 'checks.py': ModuleNotFoundError" in res.err


def test_user_rule_pack_from_config(cli, tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(
        "pack: house\nrules:\n  - {code: ACME101, name: needs-source, kind: required-field, field: /source, severity: error, summary: Rows name a source.}\n"
    )
    (tmp_path / "dslint.yaml").write_text("rule-packs: [pack.yaml]\n")
    write_jsonl(tmp_path / "train.jsonl", [{**CLEAN_CHATS[0], "source": "forum"}, CLEAN_CHATS[1]])
    res = cli("check", "train.jsonl", "--format", "json", "--ignore", "DS117", cwd=tmp_path)
    assert res.code == 1
    assert [(f["rule"], f["location"]["record"]) for f in res.json()["findings"]] == [("ACME101", 1)]


def test_python_api_matches_the_cli(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dslint

    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS + [{"messages": [{"role": "user", "content": "Hi"}]}])
    monkeypatch.chdir(tmp_path)
    report = dslint.lint(["train.jsonl"])
    res = cli("check", "train.jsonl", "--format", "json", cwd=tmp_path)
    assert json.loads(report.to_json()) == res.json()
    assert report.passed is False


def test_console_script_and_module_entry_point(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "dslint", "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("dslint ")


def test_clean_multilingual_corpus_gives_no_finding_from_any_rule(cli) -> None:
    """Accents, CJK, Arabic, Devanagari, emoji (ZWJ, flags), code, LaTeX, example.com addresses."""
    res = cli("check", "tests/data/clean_multilingual.jsonl", "--select", "ALL", "--format", "json", cwd=REPO)
    assert res.code == 0
    assert res.json()["findings"] == []
    assert res.json()["summary"]["records"] == 12


def test_no_data_files_is_an_error_not_a_silent_pass(cli, tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("nothing to lint")
    res = cli("check", "notes", cwd=tmp_path)
    assert res.code == 2
    assert res.err.startswith("dslint: error: no data files found in notes")


def test_github_format_is_the_default_under_actions_with_a_step_summary(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS + [{"messages": [{"role": "user", "content": "Hi"}]}])
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    res = cli("check", "train.jsonl", cwd=tmp_path)
    assert res.code == 1
    assert res.out.startswith("::error file=train.jsonl,line=6,title=DS109 no-assistant-response::")
    assert "dslint failed" in summary.read_text()
    res = cli("check", "train.jsonl", "--output", "out.txt", cwd=tmp_path)
    assert (tmp_path / "out.txt").read_text().startswith("train.jsonl:6: DS109")
