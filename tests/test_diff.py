"""--diff-base: findings only where the data changed, with dataset checks seeing everything."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import CLEAN_CHATS, write_jsonl

NO_ANSWER = {"messages": [{"role": "user", "content": "Where is my parcel?"}]}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "t")
    write_jsonl(tmp_path / "data" / "train.jsonl", CLEAN_CHATS + [NO_ANSWER])
    write_jsonl(tmp_path / "data" / "old.jsonl", [NO_ANSWER])
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "data")
    return tmp_path


def test_only_changed_records_are_reported(cli, repo: Path) -> None:
    rows = CLEAN_CHATS + [NO_ANSWER, {"messages": [{"role": "user", "content": "Refund please"}]}]
    write_jsonl(repo / "data" / "train.jsonl", rows)
    res = cli("check", "data", "--diff-base", "HEAD", "--format", "json", "--select", "DS109", cwd=repo)
    findings = res.json()["findings"]
    assert [(f["location"]["file"], f["location"]["line"]) for f in findings] == [("data/train.jsonl", 7)]
    assert res.code == 1
    full = cli("check", "data", "--format", "json", "--select", "DS109", cwd=repo).json()["findings"]
    assert len(full) == 3


def test_untracked_files_count_as_changed(cli, repo: Path) -> None:
    write_jsonl(repo / "data" / "new.jsonl", [NO_ANSWER])
    res = cli("check", "data", "--diff-base", "HEAD", "--format", "json", "--select", "DS109", cwd=repo)
    assert [f["location"]["file"] for f in res.json()["findings"]] == ["data/new.jsonl"]


def test_no_changes_pass(cli, repo: Path) -> None:
    res = cli("check", "data", "--diff-base", "HEAD", "--format", "json", cwd=repo)
    assert res.code == 0 and res.json()["findings"] == []


def test_unknown_ref_is_a_clear_error(cli, repo: Path) -> None:
    res = cli("check", "data", "--diff-base", "no-such-branch", cwd=repo)
    assert res.err == (
        "dslint: error: --diff-base: 'no-such-branch' is not a commit in this repository"
        " (try a branch, tag or commit, e.g. origin/main)\n"
    )
    assert res.code == 2


def test_diff_base_outside_a_repository_is_a_clear_error(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # never find a repository above
    write_jsonl(tmp_path / "data" / "train.jsonl", CLEAN_CHATS)
    res = cli("check", "data", "--diff-base", "main", cwd=tmp_path)
    assert res.code == 2
    assert res.err == "dslint: error: --diff-base needs a git repository, and the working directory is not in one\n"


@pytest.mark.parametrize("position", ["end", "start"])
def test_a_new_row_duplicating_an_old_one_is_caught(cli, repo: Path, position: str) -> None:
    copy = CLEAN_CHATS[1]
    rows = CLEAN_CHATS + [NO_ANSWER]
    rows = [*rows, copy] if position == "end" else [copy, *rows]
    write_jsonl(repo / "data" / "train.jsonl", rows)
    res = cli("check", "data", "--diff-base", "HEAD", "--format", "json", "--select", "DS201", cwd=repo)
    findings = res.json()["findings"]
    assert len(findings) == 1
    f = findings[0]
    touched = [f["location"]["line"], *(r["line"] for r in f["related"])]
    assert (len(rows) if position == "end" else 1) in touched
