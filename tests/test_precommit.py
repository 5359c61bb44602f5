"""The real pre-commit tool runs dslint's hook from this repository (`pre-commit try-repo`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLEAN_CHATS, write_jsonl

REPO = Path(__file__).resolve().parent.parent


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=900)


@pytest.fixture(scope="module")
def precommit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # The hook's environment is built once per test module and shared by both tests.
    home = tmp_path_factory.mktemp("pre-commit-home")
    return {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}


def data_repo(path: Path, rows: list[dict]) -> Path:
    run(path, "git", "init", "-q", "-b", "main")
    write_jsonl(path / "data" / "train.jsonl", rows)
    (path / "notes.txt").write_text("not data\n")
    run(path, "git", "add", ".")
    return path


def try_repo(cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or "pre-commit"
    return run(cwd, exe, "try-repo", str(REPO), "dslint", "--all-files", env=env)


def test_hook_passes_on_clean_data(tmp_path: Path, precommit_env: dict[str, str]) -> None:
    proc = try_repo(data_repo(tmp_path, CLEAN_CHATS), precommit_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "dslint" in proc.stdout and "Passed" in proc.stdout


def test_hook_fails_on_defective_data(tmp_path: Path, precommit_env: dict[str, str]) -> None:
    rows = CLEAN_CHATS + [{"messages": [{"role": "user", "content": "Where is my parcel?"}]}]
    proc = try_repo(data_repo(tmp_path, rows), precommit_env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Failed" in proc.stdout
    assert "data/train.jsonl:6: DS109" in proc.stdout
