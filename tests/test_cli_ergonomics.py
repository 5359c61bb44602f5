"""Command-line ergonomics: typos, -V, case-insensitive codes, piped `rules`, statistics as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLEAN_CHATS, write_jsonl

from dslint import __version__

BROKEN = {"messages": [{"role": "user", "content": "Where is my parcel?"}]}


@pytest.mark.parametrize(("typo", "command"), [("chek", "check"), ("rulees", "rules"), ("baseine", "baseline"), ("scheme", "schema")])
def test_misspelt_subcommand_gets_a_suggestion(cli, tmp_path: Path, typo: str, command: str) -> None:
    res = cli(typo, cwd=tmp_path)
    assert res.code == 2
    assert res.err == f"dslint: error: unknown command '{typo}'; did you mean '{command}'? (see dslint --help)\n"


def test_an_existing_path_named_like_a_command_is_linted(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "chek" / "train.jsonl", CLEAN_CHATS)
    res = cli("chek", "--format", "json", cwd=tmp_path)
    assert res.code == 0 and res.json()["summary"]["files"] == 1


def test_unrelated_word_is_still_a_missing_path(cli, tmp_path: Path) -> None:
    res = cli("datasets", cwd=tmp_path)
    assert res.code == 2 and res.err.startswith("dslint: error: no such file or directory: datasets")


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "dslint", flag], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == f"dslint {__version__}\n"


def test_rule_codes_are_case_insensitive(cli, tmp_path: Path) -> None:
    res = cli("rule", "ds201", cwd=tmp_path)
    assert res.code == 0 and res.out.startswith("DS201 exact-duplicate\n")
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS + [BROKEN])
    lower = cli("check", "train.jsonl", "--select", "ds1", "--ignore", "ds109", "--format", "json", cwd=tmp_path).json()
    upper = cli("check", "train.jsonl", "--select", "DS1", "--ignore", "DS109", "--format", "json", cwd=tmp_path).json()
    assert lower["findings"] == upper["findings"] and all(f["rule"] != "DS109" for f in lower["findings"])
    assert cli("check", "train.jsonl", "--select", "all", "--format", "json", cwd=tmp_path).code == 1


def test_rules_piped_are_plain_one_line_rows(cli) -> None:
    res = cli("rules")
    rows = [line.split("\t") for line in res.out.splitlines()]
    assert len(rows) > 50 and all(len(row) == 7 for row in rows)
    ds201 = next(row for row in rows if row[0] == "DS201")
    assert ds201[:6] == ["DS201", "exact-duplicate", "duplicates", "warning", "dataset", "yes"]
    assert "│" not in res.out and "─" not in res.out


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_statistics_with_json_gives_counts(cli, tmp_path: Path, fmt: str) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS + [BROKEN, BROKEN])
    res = cli("check", "train.jsonl", "--statistics", "--format", fmt, cwd=tmp_path)
    rows = json.loads(res.out) if fmt == "json" else [json.loads(line) for line in res.out.splitlines()]
    assert res.code == 1
    by_code = {row["code"]: row for row in rows}
    assert by_code["DS109"] == {
        "code": "DS109", "name": "no-assistant-response", "severity": "error", "count": 2, "budget": None, "over_budget": False
    }
    assert [row["count"] for row in rows] == sorted((row["count"] for row in rows), reverse=True)
    full = cli("check", "train.jsonl", "--format", "json", cwd=tmp_path).json()
    assert {row["code"]: row["count"] for row in rows} == full["summary"]["by_rule"]


# The progress line: bytes read, percentage, time left, records of the files done.


class _Terminal:
    """What rich sees as a terminal: text written to it is kept."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_progress_line_shows_bytes_percentage_and_records(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from dslint import cli
    from dslint.engine import ReadMeter

    terminal = _Terminal()
    monkeypatch.setenv("TERM", "xterm")  # a dumb terminal gets no live line
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(cli._progress, "DELAY", 0.0)
    monkeypatch.setattr(cli._progress, "REFRESH", 0.01)
    meter = ReadMeter(2_000_000)
    line = cli._progress(enabled=True)
    line.attach(meter)
    with line:
        meter.add(500_000)
        line("data/train\x1b[31m.jsonl", 1234)  # a hostile name is escaped on the line too
        deadline = time.monotonic() + 10  # a wait for the refresh thread, not a timing assertion
        while "25%" not in terminal.text and time.monotonic() < deadline:
            time.sleep(0.01)
    assert "25%" in terminal.text and "0.5/2.0 MB" in terminal.text
    assert "1,234 records" in terminal.text and "eta" in terminal.text
    assert "\x1b[31m.jsonl" not in terminal.text
