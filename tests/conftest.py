"""Shared fixtures: run the CLI in-process and write small datasets."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from dslint.cli import main


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch):
    """Run `dslint ARGS` in-process in a given folder; returns exit code, stdout and stderr."""

    def run(*args: str, cwd: Path | None = None) -> CliResult:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
        return CliResult(code, out.getvalue(), err.getvalue())

    return run


def write_jsonl(path: Path, rows: Iterable[object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def chat(user: str, assistant: str, system: str | None = "You are a helpful assistant.") -> dict:
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return {"messages": messages}


CLEAN_CHATS = [
    chat("How do I reverse a list in Python?", "Use `items.reverse()` to reverse in place, or `items[::-1]` for a reversed copy."),
    chat("What is the capital of Australia?", "Canberra is the capital of Australia, not Sydney."),
    chat("Translate 'good morning' into Spanish.", "\"Buenos días\"."),
    chat("Give me a synonym for 'happy'.", "Cheerful, joyful or content all work, depending on the tone."),
    chat("How many minutes are in a day?", "24 × 60 = 1,440 minutes."),
]


@pytest.fixture(autouse=True)
def _no_user_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests must not depend on the developer's environment."""
    for var in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "FORCE_COLOR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    # The per-file cache is tested in tests/test_cache.py; elsewhere every run reads its files,
    # so tests comparing two runs compare two scans. No test touches the user's cache key.
    monkeypatch.setenv("DSLINT_NO_CACHE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
