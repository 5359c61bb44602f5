"""The real pre-commit tool runs dslint's hook from this repository (`pre-commit try-repo`) in a
repository shaped like a real project: code, package.json, a .gitignore, a virtual environment
full of JSON, and a chat dataset split into train / validation / test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLEAN_CHATS, chat, write_jsonl

from dslint.precommit import dataset_folder

REPO = Path(__file__).resolve().parent.parent
MULTILINGUAL = [json.loads(line) for line in (REPO / "tests" / "data" / "clean_multilingual.jsonl").read_text("utf-8").splitlines()]
TRAIN = CLEAN_CHATS + MULTILINGUAL[:8]
VALIDATION = MULTILINGUAL[8:]
TEST = [
    chat("Which planet is known as the red planet?", "Mars, because iron oxide dust gives its surface a reddish colour."),
    chat("Convert 5 kilometres to miles.", "5 km is about 3.11 miles (1 km ≈ 0.621 miles)."),
    chat("What does HTTP status 404 mean?", "The server could not find the requested resource."),
    chat("Name a prime number between 20 and 30.", "23 and 29 are both prime."),
]


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=900)


@pytest.fixture(scope="module")
def precommit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # The hook's environment is built once per test module and shared by every test.
    home = tmp_path_factory.mktemp("pre-commit-home")
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    # The hook keeps its per-file cache on (as users have it); its key goes to a temporary folder.
    cache = {"XDG_CACHE_HOME": str(home / "xdg-cache")}
    return {**os.environ, **identity, **cache, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}


def project_repo(path: Path, env: dict[str, str]) -> Path:
    """A committed project: code, JS tooling, an ignored virtual environment and a dataset."""
    run(path, "git", "init", "-q", "-b", "main")
    (path / "src").mkdir()
    (path / "src" / "train.py").write_text("import json\n\nprint('fine-tune')\n")
    (path / "package.json").write_text(json.dumps({"name": "demo", "version": "1.0.0", "files": ["dist"], "scripts": {"lint": "eslint ."}}, indent=2))
    (path / "tsconfig.json").write_text(json.dumps({"compilerOptions": {"strict": True, "lib": ["es2022"]}}, indent=2))
    (path / ".gitignore").write_text("venv/\n__pycache__/\n*.log\n")
    venv = path / "venv"
    (venv / "lib" / "python3.11" / "site-packages" / "pkg").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "lib" / "python3.11" / "site-packages" / "pkg" / "sbom.json").write_text(json.dumps({"bomFormat": "CycloneDX", "components": [{"name": "x"}], "dependencies": [{"ref": "x"}]}))
    write_jsonl(path / "data" / "train.jsonl", TRAIN)
    write_jsonl(path / "data" / "validation.jsonl", VALIDATION)
    run(path, "git", "add", ".")
    run(path, "git", "commit", "-q", "-m", "project", env=env)
    return path


def try_repo(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or "pre-commit"
    return run(cwd, exe, "try-repo", str(REPO), "dslint", *args, env=env)


def test_hook_passes_on_clean_data(tmp_path: Path, precommit_env: dict[str, str]) -> None:
    repo = project_repo(tmp_path, precommit_env)
    write_jsonl(repo / "data" / "test.jsonl", TEST)
    run(repo, "git", "add", "data/test.jsonl")
    proc = try_repo(repo, precommit_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "dslint" in proc.stdout and "Passed" in proc.stdout


def test_staged_test_file_leaking_an_unstaged_train_row_fails(tmp_path: Path, precommit_env: dict[str, str]) -> None:
    repo = project_repo(tmp_path, precommit_env)
    write_jsonl(repo / "data" / "test.jsonl", TEST + [TRAIN[1]])
    run(repo, "git", "add", "data/test.jsonl")  # train.jsonl is committed, not staged
    proc = try_repo(repo, precommit_env, "--verbose")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Failed" in proc.stdout
    assert "data/test.jsonl:5: DS301" in proc.stdout
    assert "package.json" not in proc.stdout and "venv" not in proc.stdout


def test_staging_only_non_data_json_passes_with_a_note(tmp_path: Path, precommit_env: dict[str, str]) -> None:
    repo = project_repo(tmp_path, precommit_env)
    (repo / "package.json").write_text(json.dumps({"name": "demo", "version": "1.0.1", "files": ["dist"]}))
    (repo / "tsconfig.json").write_text(json.dumps({"compilerOptions": {"strict": False}}))
    run(repo, "git", "add", "package.json", "tsconfig.json")
    proc = try_repo(repo, precommit_env, "--verbose")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout
    assert "no staged data files; nothing to check" in proc.stdout


def test_defect_in_an_unstaged_file_does_not_block_a_clean_staged_change(tmp_path: Path, precommit_env: dict[str, str]) -> None:
    repo = project_repo(tmp_path, precommit_env)
    write_jsonl(repo / "data" / "legacy.jsonl", [{"messages": [{"role": "user", "content": "Where is my parcel?"}]}])
    run(repo, "git", "add", "data/legacy.jsonl")
    run(repo, "git", "commit", "-q", "--no-verify", "-m", "legacy data", env=precommit_env)
    write_jsonl(repo / "data" / "train.jsonl", TRAIN + [chat("What colour is the sky on a clear day?", "Blue, because air scatters short wavelengths more.")])
    run(repo, "git", "add", "data/train.jsonl")
    proc = try_repo(repo, precommit_env, "--verbose")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "DS109" not in proc.stdout


def test_all_files_reports_every_file(tmp_path: Path, precommit_env: dict[str, str]) -> None:
    repo = project_repo(tmp_path, precommit_env)
    rows = CLEAN_CHATS + [{"messages": [{"role": "user", "content": "Where is my parcel?"}]}]
    write_jsonl(repo / "data" / "more.jsonl", rows)
    run(repo, "git", "add", ".")
    proc = try_repo(repo, precommit_env, "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Failed" in proc.stdout
    assert "data/more.jsonl:6: DS109" in proc.stdout


# The hook's choices, run in-process (`dslint check --pre-commit FILES` is what the hook calls).


def test_hook_lints_the_split_folders_dataset_and_reports_only_staged_files(tmp_path: Path, cli) -> None:
    write_jsonl(tmp_path / "data" / "train" / "part-0.jsonl", TRAIN + [{"messages": [{"role": "user", "content": "Where is my parcel?"}]}])
    write_jsonl(tmp_path / "data" / "test" / "part-0.jsonl", TEST + [TRAIN[0]])
    res = cli("check", "--pre-commit", "--format", "json", "data/test/part-0.jsonl", cwd=tmp_path)
    assert res.code == 1, res.err
    report = res.json()
    assert [d["path"] for d in report["summary"]["file_details"]] == ["data/test/part-0.jsonl", "data/train/part-0.jsonl"]
    assert {f["rule"] for f in report["findings"]} >= {"DS301"}
    assert all(f["rule"] != "DS109" for f in report["findings"])  # the unstaged train defect


def test_hook_keeps_to_the_configs_paths_and_excludes(tmp_path: Path, cli) -> None:
    (tmp_path / "dslint.yaml").write_text("paths: [data]\nexclude: [data/raw/]\n")
    write_jsonl(tmp_path / "data" / "train.jsonl", TRAIN)
    write_jsonl(tmp_path / "data" / "raw" / "dump.jsonl", [{"messages": []}])
    write_jsonl(tmp_path / "fixtures" / "sample.jsonl", [{"messages": []}])
    res = cli("check", "--pre-commit", "fixtures/sample.jsonl", "data/raw/dump.jsonl", cwd=tmp_path)
    assert res.code == 0, res.out
    assert res.err.strip() == "dslint: no staged data files; nothing to check"


def test_hook_reads_a_staged_file_that_is_broken_json(tmp_path: Path, cli) -> None:
    write_jsonl(tmp_path / "data" / "train.jsonl", TRAIN)
    (tmp_path / "data" / "eval.json").write_text('[{"messages": [}]')
    res = cli("check", "--pre-commit", "data/eval.json", cwd=tmp_path)
    assert res.code == 1
    assert "data/eval.json:1: DS100" in res.out


def test_hook_without_files_lints_everything(tmp_path: Path, cli) -> None:
    write_jsonl(tmp_path / "data" / "train.jsonl", TRAIN + [{"messages": [{"role": "user", "content": "Where is my parcel?"}]}])
    res = cli("check", "--pre-commit", cwd=tmp_path)
    assert res.code == 1
    assert f"data/train.jsonl:{len(TRAIN) + 1}: DS109" in res.out


@pytest.mark.parametrize(
    ("file", "folder"),
    [("data/test.jsonl", "data"), ("data/train/part-0.jsonl", "data"), ("train.jsonl", "."), ("corpora/sft/chat.jsonl", "corpora/sft"), ("data/validation/x.parquet", "data")],
)
def test_dataset_folder(file: str, folder: str) -> None:
    assert dataset_folder(file) == folder
