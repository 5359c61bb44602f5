"""Per-record suppressions in .dslint-ignore.yaml: matching, reasons in the reports, expiry, unused
entries, validation of the (untrusted) file, and `dslint suppress` appending with comments kept."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from conftest import CLEAN_CHATS, chat, write_jsonl
from ruamel.yaml import YAML

from dslint.config_schema import IGNORE_SCHEMA_PATH, ignore_file_schema_text

REPO = Path(__file__).resolve().parent.parent

# Two email addresses in one record (a user turn and an assistant turn), as support-chat exports have.
LEAKY = chat("Email me at jane.doe@gmail.com please", "Sure, I will write to jane.doe@gmail.com.", system=None)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_jsonl(tmp_path / "data" / "train.jsonl", [LEAKY, *CLEAN_CHATS])
    write_jsonl(tmp_path / "data" / "extra.jsonl", CLEAN_CHATS[:2])
    return tmp_path


def ignore(project: Path, text: str) -> Path:
    path = project / ".dslint-ignore.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def findings(cli, project: Path, *args: str) -> tuple[int, list[dict]]:  # type: ignore[no-untyped-def]
    res = cli("check", *args, "--format", "json", cwd=project)
    assert res.code in (0, 1), res.err
    return res.code, res.json()["findings"]


def fingerprint_of(cli, project: Path, field: str) -> str:  # type: ignore[no-untyped-def]
    _, found = findings(cli, project, "data")
    return next(f["fingerprint"] for f in found if f["rule"] == "DS501" and f["location"]["field"] == field)


def test_entries_by_selector_and_by_fingerprint_suppress_with_their_reason(cli, project: Path) -> None:
    code, before = findings(cli, project, "data")
    assert code == 1 and sorted(f["location"]["field"] for f in before) == ["/messages/0/content", "/messages/1/content"]
    fp = fingerprint_of(cli, project, "/messages/1/content")
    ignore(project, f"""\
suppressions:
  - file: data/*.jsonl
    record: 0
    field: /messages/0
    rule: email-address
    reason: synthetic address from the prompt template
  - fingerprint: {fp}
    rule: DS501
    reason: fictional persona, see DATA.md
    expires: 2999-12-31
""")
    code, after = findings(cli, project, "data")
    assert code == 0
    assert [(f["suppressed"], f["reason"]) for f in after] == [
        ("ignore-file", "synthetic address from the prompt template"),
        ("ignore-file", "fictional persona, see DATA.md"),
    ]
    sarif = json.loads(cli("check", "data", "--format", "sarif", cwd=project).out)
    justifications = [r["suppressions"][0]["justification"] for r in sarif["runs"][0]["results"]]
    assert justifications == ["synthetic address from the prompt template", "fictional persona, see DATA.md"]


def test_a_selector_picks_only_its_record_and_field(cli, project: Path) -> None:
    ignore(project, "suppressions:\n  - {file: data/train.jsonl, record: 1, rule: DS501, reason: other record}\n"
                    "  - {file: data/train.jsonl, field: /messages/0, rule: DS501, reason: user side}\n")
    code, found = findings(cli, project, "data")
    assert code == 1  # the assistant turn's address (an error) is still open
    assert [(f["location"]["field"], f["suppressed"]) for f in found if f["location"]["file"] == "data/train.jsonl"] == [
        ("/messages/0/content", "ignore-file"), ("/messages/1/content", None),
    ]
    unused = [f for f in found if f["location"]["file"] == ".dslint-ignore.yaml"]
    assert [(f["rule"], f["severity"], f["location"]["line"]) for f in unused] == [("DS501", "info", 2)]
    assert unused[0]["message"] == "unused suppression of DS501: no finding matches it; remove it"


def test_an_expired_entry_no_longer_suppresses_and_is_reported(cli, project: Path) -> None:
    ignore(project, "# reviewed 1999\nsuppressions:\n  - file: data/train.jsonl\n    rule: DS501\n    reason: until the re-export\n    expires: 2000-01-31\n")
    code, found = findings(cli, project, "data")
    assert code == 1
    assert all(f["suppressed"] is None for f in found)
    notice = [f for f in found if f["location"]["file"] == ".dslint-ignore.yaml"]
    assert [(n["severity"], n["location"]["line"], n["message"]) for n in notice] == [
        ("info", 3, "suppression of DS501 expired on 2000-01-31; renew or remove it"),
    ]


def test_entries_are_not_called_unused_for_rules_that_did_not_run_or_files_not_linted(cli, project: Path) -> None:
    ignore(project, "suppressions:\n  - {file: data/extra.jsonl, rule: DS501, reason: vendor sample}\n")
    assert not [f for f in findings(cli, project, "data", "--ignore", "DS501")[1] if f["location"]["file"] == ".dslint-ignore.yaml"]
    assert not [f for f in findings(cli, project, "data/train.jsonl")[1] if f["location"]["file"] == ".dslint-ignore.yaml"]
    assert [f for f in findings(cli, project, "data")[1] if f["location"]["file"] == ".dslint-ignore.yaml"]


def test_findings_are_identical_for_any_number_of_jobs(cli, project: Path) -> None:
    ignore(project, "suppressions:\n  - {file: data/train.jsonl, field: /messages/0, rule: DS501, reason: template}\n"
                    "  - {file: '**/*.jsonl', rule: DS104, reason: never fires}\n")
    assert findings(cli, project, "data", "--jobs", "1") == findings(cli, project, "data", "--jobs", "2")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("suppressions:\n  - file: data/train.jsonl\n    rule: DS501\n", "missing 'reason' at .dslint-ignore.yaml:2"),
        ("suppressions:\n  - {file: a.jsonl, rule: DS501, reason: '   '}\n", "invalid entry at .dslint-ignore.yaml:2: the reason must be one line of printable text"),
        ('suppressions:\n  - {file: a.jsonl, rule: DS501, reason: "ok\\u001b[2Jwiped"}\n', "invalid entry at .dslint-ignore.yaml:2: the reason must be one line"),
        ("suppressions:\n  - file: a.jsonl\n    rule: DS501\n    reason: r\n    recrod: 3\n", "unknown key 'recrod' at .dslint-ignore.yaml:5"),
        ("suppressions:\n  - {file: a.jsonl, rule: DS999, reason: r}\n", "unknown rule 'DS999' at .dslint-ignore.yaml:2"),
        ("suppressions:\n  - {record: 3, rule: DS501, reason: r}\n", "invalid entry at .dslint-ignore.yaml:2: give a fingerprint, or a file"),
        ("suppressions:\n  - {fingerprint: 00f63c59218f43f6, record: 3, rule: DS501, reason: r}\n", "invalid entry at .dslint-ignore.yaml:2: record, line and field select within a file; a fingerprint needs none"),
        ("suppressions:\n  - {fingerprint: '$(rm -rf ~)', rule: DS501, reason: r}\n", "invalid entry at .dslint-ignore.yaml:2: String should match pattern"),
        ("suppressions:\n  - {file: a.jsonl, rule: DS501, reason: r, expires: tomorrow}\n", "invalid entry at .dslint-ignore.yaml:2"),
        ("- file: a.jsonl\n", ".dslint-ignore.yaml:1: the ignore file must be a mapping"),
        ("suppressions: [\n", "invalid YAML at .dslint-ignore.yaml:2"),
    ],
)
def test_a_bad_ignore_file_is_a_one_line_error(cli, project: Path, text: str, message: str) -> None:
    ignore(project, text)
    res = cli("check", "data", cwd=project)
    assert res.code == 2 and res.out == ""
    assert res.err.count("\n") == 1 and res.err.startswith(f"dslint: error: {message}"), res.err


def test_the_reason_never_reaches_the_log(cli, project: Path) -> None:
    ignore(project, "suppressions:\n  - {file: data/train.jsonl, rule: DS501, reason: '::error::forged annotation %0A'}\n")
    for fmt in ("github", "concise", "markdown"):
        assert "forged" not in cli("check", "data", "--format", fmt, cwd=project).out


def test_suppress_appends_entries_keeping_comments(cli, project: Path) -> None:
    path = ignore(project, "# owned by the data team\nsuppressions:\n  # the template address\n  - file: data/train.jsonl  # whole file\n    field: /messages/0\n    rule: DS501\n    reason: template\n")
    fp = fingerprint_of(cli, project, "/messages/1/content")
    res = cli("suppress", fp, "--reason", "persona from the style guide", "--expires", "2999-01-01", "--path", "data", cwd=project)
    assert res.code == 0, res.err
    assert res.out == "added 1 suppressions to .dslint-ignore.yaml (0 already there)\n"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# owned by the data team\nsuppressions:\n  # the template address\n  - file: data/train.jsonl  # whole file\n")
    assert text.endswith(f"  - fingerprint: {fp}\n    rule: DS501\n    file: data/train.jsonl\n    reason: persona from the style guide\n    expires: 2999-01-01\n")
    assert findings(cli, project, "data")[0] == 0
    again = cli("suppress", fp, "--reason", "twice", "--path", "data", cwd=project)
    assert again.out == "added 0 suppressions to .dslint-ignore.yaml (1 already there)\n"
    assert path.read_text(encoding="utf-8") == text


def test_suppress_creates_the_file_next_to_the_config(cli, project: Path) -> None:
    (project / "dslint.yaml").write_text("paths: [data]\n", encoding="utf-8")
    (project / "data" / "sub").mkdir()
    fp = fingerprint_of(cli, project, "/messages/0/content")
    res = cli("suppress", fp, "--reason", "template", cwd=project / "data" / "sub")
    assert res.code == 0, res.err
    text = (project / ".dslint-ignore.yaml").read_text(encoding="utf-8")
    assert re.match(r"# yaml-language-server: \$schema=https://\S+/dslint/ignore\.schema\.json\n# Findings accepted one by one", text)
    assert "file: data/train.jsonl" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["0123456789abcdef", "--reason", "r"], "no finding has the fingerprint '0123456789abcdef'"),
        (["--reason", "r"], "the following arguments are required: FINGERPRINT"),
        (["0123456789abcdef"], "the following arguments are required: --reason"),
        (["0123456789abcdef", "--reason", "r", "--expires", "soon"], "not a date (YYYY-MM-DD): 'soon'"),
    ],
)
def test_suppress_refuses_unknown_fingerprints_and_missing_reasons(cli, project: Path, args: list[str], message: str) -> None:
    res = cli("suppress", *args, "--path", "data", cwd=project)
    assert res.code == 2 and message in res.err
    assert not (project / ".dslint-ignore.yaml").exists()


def test_suppress_rejects_an_empty_reason(cli, project: Path) -> None:
    fp = fingerprint_of(cli, project, "/messages/0/content")
    res = cli("suppress", fp, "--reason", " ", "--path", "data", cwd=project)
    assert res.code == 2 and "--reason: the reason must be one line of printable text" in res.err


def test_the_ignore_file_schema_is_current_and_agrees_with_the_loader() -> None:
    assert IGNORE_SCHEMA_PATH.read_text(encoding="utf-8") == ignore_file_schema_text(), "stale: run `python -m dslint.docs`"
    validator = jsonschema.Draft202012Validator(json.loads(ignore_file_schema_text()))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = next(b for b in re.findall(r"```yaml\n(.*?)```", readme, flags=re.S) if b.startswith("# .dslint-ignore.yaml"))
    data = YAML(typ="safe", pure=True).load(example)
    data["suppressions"][0]["expires"] = str(data["suppressions"][0]["expires"])  # a date in YAML, a string in JSON
    assert validator.is_valid(data)
    assert not validator.is_valid({"suppressions": [{"file": "a.jsonl", "rule": "DS501"}]})  # no reason
    assert not validator.is_valid({"suppressions": [{"record": 3, "rule": "DS501", "reason": "r"}]})  # no file or fingerprint
    assert not validator.is_valid({"suppressions": [{"file": "a.jsonl", "rule": "DS501", "reason": "r", "recrod": 3}]})
