"""SARIF and GitLab show a dataset-level finding on the file of the split it is about."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import CLEAN_CHATS, chat, write_jsonl

TRAIN = [chat(f"Question {word}: what is the plural of {word}?", f"The plural of {word} is {word}s, as usual.") for word in
         ("cat", "dog", "book", "tree", "car", "lamp", "door", "road", "ship", "cup", "pen", "hat")]


def dataset(root: Path) -> None:
    write_jsonl(root / "data" / "test.jsonl", CLEAN_CHATS)  # sorts first: the unrelated file
    write_jsonl(root / "data" / "train.jsonl", TRAIN)
    write_jsonl(root / "data" / "validation.jsonl", [chat("What is the capital of Peru?", "Lima is the capital of Peru.")])


def test_sarif_anchors_a_split_finding_on_that_splits_file(tmp_path: Path, cli) -> None:
    dataset(tmp_path)
    res = cli("check", "data", "--format", "sarif", "--select", "DS4", cwd=tmp_path)
    results = json.loads(res.out)["runs"][0]["results"]
    small = [r for r in results if "validation" in r["message"]["text"] and r["ruleId"] == "DS407"]
    assert small, [r["message"]["text"] for r in results]
    for r in small:
        assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "data/validation.jsonl"
        assert r["locations"][0]["properties"]["split"] == "validation"


def test_gitlab_anchors_a_split_finding_on_that_splits_file(tmp_path: Path, cli) -> None:
    dataset(tmp_path)
    res = cli("check", "data", "--format", "gitlab", "--select", "DS4", cwd=tmp_path)
    issues = json.loads(res.out)
    small = [i for i in issues if i["check_name"] == "DS407"]
    assert [i["location"]["path"] for i in small] == ["data/test.jsonl", "data/validation.jsonl"]
    assert all(("'test'" in i["description"]) == (i["location"]["path"] == "data/test.jsonl") for i in small)
