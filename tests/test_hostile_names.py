"""File names are data: the real command, in every output format, on files whose names carry CI
workflow commands, terminal escapes, line breaks and a token. No line of output may start with a
CI command dslint did not emit itself, and no byte of a name reaches the output unescaped."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dslint.report import RENDERERS

TOKEN = "ghp_" + "Zq7Lm2Xv9Rt4Wy6Pb8Nc3Kd5Hf1Gj0Sa2Ue4"
HOSTILE = [
    "##vso[task.setvariable variable=DEPLOY]prod.jsonl",
    "##[error]forged.jsonl",
    "::error file=app.py,line=1::forged.jsonl",
    "::stop-commands::pause.jsonl",
    "::add-mask::x.jsonl",
    ":leading-colon.jsonl",
    "\x1b[31mred\x1b[0m.jsonl",
    "line\n::warning::injected.jsonl",
    "cr\r##vso[task.complete result=Succeeded]x.jsonl",
    f"train-{TOKEN}.jsonl",
    "\u202eevil\u202c.jsonl",  # right-to-left override
]
# Every row has a finding: an empty assistant turn (DS108), so each name is printed.
ROW = {"messages": [{"role": "user", "content": "Where is my parcel?"}, {"role": "assistant", "content": ""}]}
CI_PREFIXES = re.compile(r"^\s*(::|##\w*\[|\x1b)", re.IGNORECASE)  # GitHub, Azure (##vso[, ##[), TeamCity
GITHUB_OWN = re.compile(r"^::(error|warning|notice) (file=[^,:]*,)?(line=\d+,)?title=[^:]*::")


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    data.mkdir()
    for name in HOSTILE:
        (data / name).write_text(json.dumps(ROW) + "\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_every_format_escapes_hostile_file_names(hostile_repo: Path, fmt: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    proc = subprocess.run(
        [sys.executable, "-m", "dslint", "check", "data", "--format", fmt, "--select", "DS108"],
        cwd=hostile_repo, capture_output=True, env=env, timeout=120, check=False,
    )
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout.decode("utf-8")
    assert proc.stderr == b""
    assert out.count("DS108") >= 10  # every name printed (GitHub shows at most 10 annotations)
    for line in out.splitlines():
        if fmt == "github" and line.startswith("::"):
            assert GITHUB_OWN.match(line), line  # dslint's own annotation, data escaped inside it
            rest = line[GITHUB_OWN.match(line).end() :]  # type: ignore[union-attr]
            assert "::" not in rest, line
            continue
        assert not CI_PREFIXES.match(line), f"{fmt}: {line!r}"
    assert "##vso[" not in out.lower() and "##[" not in out
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out
    assert TOKEN[4:12] not in out and TOKEN[-12:-4] not in out
    assert not any(line.lstrip().startswith("::warning::injected") for line in out.splitlines())


def test_the_step_summary_escapes_hostile_file_names(hostile_repo: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    subprocess.run(
        [sys.executable, "-m", "dslint", "check", "data", "--format", "json", "--summary-file", str(summary)],
        cwd=hostile_repo, capture_output=True, env=env, timeout=120, check=False,
    )
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n")  # appended to, not replaced
    assert "##vso[" not in text.lower() and "\x1b" not in text and TOKEN[4:12] not in text
    assert not any(CI_PREFIXES.match(line) for line in text.splitlines())
