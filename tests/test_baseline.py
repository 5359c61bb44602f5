"""Baselines: adopt dslint on imperfect data, fail only on new defects."""

from __future__ import annotations

import json
import random
from pathlib import Path

from conftest import CLEAN_CHATS, chat, write_jsonl

NO_ANSWER = {"messages": [{"role": "user", "content": "Where is my parcel?"}]}
EMPTY_ANSWER = chat("Reset my password", "   ")


def test_baseline_create_then_check_passes_and_marks_findings_suppressed(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS + [NO_ANSWER, EMPTY_ANSWER])
    assert cli("check", "train.jsonl", cwd=tmp_path).code == 1
    created = cli("baseline", "create", "train.jsonl", "--output", "baseline.json", cwd=tmp_path)
    assert created.code == 0, created.err
    data = json.loads((tmp_path / "baseline.json").read_text())
    assert data["version"] == 1 and len(data["entries"]) >= 2
    res = cli("check", "train.jsonl", "--baseline", "baseline.json", "--format", "json", cwd=tmp_path)
    assert res.code == 0, res.out
    assert res.json()["findings"] and all(f["suppressed"] == "baseline" for f in res.json()["findings"])


def test_inserting_deleting_and_reordering_rows_creates_no_new_findings(cli, tmp_path: Path) -> None:
    rows = CLEAN_CHATS + [NO_ANSWER, EMPTY_ANSWER]
    write_jsonl(tmp_path / "train.jsonl", rows)
    cli("baseline", "create", "train.jsonl", "-o", "baseline.json", cwd=tmp_path)
    shuffled = [chat("What is 7 x 8?", "56."), *rows[1:]]  # one clean row replaced
    random.Random(3).shuffle(shuffled)
    write_jsonl(tmp_path / "train.jsonl", [chat("Name a primary colour.", "Red."), *shuffled])
    res = cli("check", "train.jsonl", "--baseline", "baseline.json", "--format", "json", cwd=tmp_path)
    assert res.code == 0, res.out
    assert [f for f in res.json()["findings"] if f["suppressed"] is None] == []


def test_a_new_defect_fails_the_gate(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS + [NO_ANSWER])
    cli("baseline", "create", "train.jsonl", "-o", "baseline.json", cwd=tmp_path)
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS + [NO_ANSWER, {"messages": [{"role": "user", "content": "And my refund?"}]}])
    res = cli("check", "train.jsonl", "--baseline", "baseline.json", "--format", "json", cwd=tmp_path)
    assert res.code == 1
    new = [f for f in res.json()["findings"] if f["suppressed"] is None]
    assert {f["location"]["record"] for f in new} == {6}


def test_a_second_identical_defect_is_new(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS + [NO_ANSWER])
    cli("baseline", "create", "train.jsonl", "-o", "baseline.json", "--select", "DS109", cwd=tmp_path)
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS + [NO_ANSWER, NO_ANSWER])
    res = cli("check", "train.jsonl", "--baseline", "baseline.json", "--select", "DS109", "--format", "json", cwd=tmp_path)
    assert res.code == 1
    assert [f["suppressed"] for f in res.json()["findings"]] == ["baseline", None]


def test_stale_entries_are_reported_as_info_and_pruned(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS + [NO_ANSWER, EMPTY_ANSWER])
    cli("baseline", "create", "train.jsonl", "-o", "baseline.json", cwd=tmp_path)
    before = len(json.loads((tmp_path / "baseline.json").read_text())["entries"])
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS + [NO_ANSWER])  # the empty answer was fixed
    res = cli("check", "train.jsonl", "--baseline", "baseline.json", "--format", "json", cwd=tmp_path)
    assert res.code == 0
    stale = [f for f in res.json()["findings"] if f["severity"] == "info" and "no longer occurs" in f["message"]]
    assert stale and all(f["location"]["file"] == "train.jsonl" for f in stale)
    pruned = cli("baseline", "prune", "train.jsonl", "-o", "baseline.json", cwd=tmp_path)
    assert pruned.code == 0 and "dropped" in pruned.out
    after = json.loads((tmp_path / "baseline.json").read_text())["entries"]
    assert len(after) == before - len(stale)
    res = cli("check", "train.jsonl", "--baseline", "baseline.json", "--format", "json", cwd=tmp_path)
    assert not [f for f in res.json()["findings"] if "no longer occurs" in f["message"]]


def test_bad_baseline_file_is_a_clear_error(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    (tmp_path / "baseline.json").write_text("{not json")
    res = cli("check", "train.jsonl", "--baseline", "baseline.json", cwd=tmp_path)
    assert res.code == 2 and res.err.startswith("dslint: error: invalid baseline file baseline.json")
    res = cli("check", "train.jsonl", "--baseline", "missing.json", cwd=tmp_path)
    assert res.code == 2 and "baseline file not found: missing.json" in res.err
