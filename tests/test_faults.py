"""Faults end cleanly: SIGTERM and Ctrl-C stop the run with exit 2 and one line, leave the previous
report whole and no worker behind; workers die with a main process killed by kill -9; a dangling
link found by a walk is a DS100 finding; too-deep configs, multi-line plugin errors and a
--select of a rule the preset ignores behave as documented."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CLEAN_CHATS, write_jsonl

# Slow enough that the run is still scanning when the test interrupts it.
SLOW_PLUGIN = """\
import time
from dslint import RecordCheck, Rule, Severity
SLOW = Rule('ACME900', 'slow-check', 'content', Severity.INFO, 'record', 'Takes its time.',
            'What it does: x\\n\\nWhy it matters: x\\n\\nExample: x\\n\\nOptions: none.')
class Slow(RecordCheck):
    rules = (SLOW,)
    def check(self, record):
        time.sleep(0.05)
        return ()
CHECKS = [Slow]
"""

needs_proc = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads worker processes from /proc (Linux)")


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(condition, what: str, timeout: float = 30) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def _slow_repo(root: Path) -> None:
    (root / "slow.py").write_text(SLOW_PLUGIN)
    (root / "dslint.yaml").write_text("plugins: [slow.py]\n")
    for name in ("train", "validation", "test"):
        write_jsonl(root / f"{name}.jsonl", CLEAN_CHATS * 40)


def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")}
    return subprocess.Popen(
        [sys.executable, "-m", "dslint", "--allow-plugins", "check", ".", *args],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@needs_proc
@pytest.mark.parametrize(("sig", "message"), [(signal.SIGTERM, "terminated"), (signal.SIGINT, "interrupted")])
def test_a_signal_stops_the_run_and_keeps_the_previous_report(tmp_path: Path, sig: int, message: str) -> None:
    _slow_repo(tmp_path)
    report = tmp_path / "report.json"
    report.write_text('{"previous": "report"}\n')
    proc = _start(tmp_path, "-j", "2", "--format", "json", "--output", str(report))
    _wait_for(lambda: len(_children(proc.pid)) >= 2, "the workers")
    workers = _children(proc.pid)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert err.splitlines() == [f"dslint: error: {message}"], err
    assert report.read_text() == '{"previous": "report"}\n'
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    _wait_for(lambda: not any(_alive(w) for w in workers), "the workers to end", timeout=10)


@needs_proc
def test_workers_die_with_a_main_process_killed_outright(tmp_path: Path) -> None:
    _slow_repo(tmp_path)
    proc = _start(tmp_path, "-j", "2", "--format", "json")
    _wait_for(lambda: len(_children(proc.pid)) >= 2, "the workers")
    workers = _children(proc.pid)
    proc.kill()
    proc.communicate(timeout=30)
    _wait_for(lambda: not any(_alive(w) for w in workers), "the orphaned workers to end", timeout=10)


def test_an_interrupted_run_writes_its_report_whole_or_not_at_all(cli, tmp_path: Path, monkeypatch) -> None:
    """The report is rendered in memory and renamed into place: a failure while writing keeps the old one."""
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    report = tmp_path / "report.json"
    report.write_text("old\n")

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    res = cli("check", "train.jsonl", "--format", "json", "--output", str(report), cwd=tmp_path)
    assert res.code == 2 and "No space left on device" in res.err
    assert report.read_text() == "old\n"
    assert {p.name for p in tmp_path.iterdir()} == {"train.jsonl", "report.json"}  # no temporary file left


def test_a_dangling_link_found_by_a_walk_is_a_finding_and_the_run_goes_on(cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_jsonl(data / "train.jsonl", CLEAN_CHATS)
    (data / "annexed.jsonl").symlink_to(".git/annex/objects/xx/SHA256E-s1--abc.jsonl")  # content not fetched
    (data / "loop.jsonl").symlink_to("loop.jsonl")
    res = cli("check", "data", "--format", "concise", cwd=tmp_path)
    assert res.code == 1, res.err
    lines = res.out.splitlines()
    assert [line.split(":")[0] for line in lines if " DS100 " in line] == ["data/annexed.jsonl", "data/loop.jsonl"]
    assert "in 3 files, 5 records" in lines[-1]  # train.jsonl was read whole


@pytest.mark.parametrize("depth", [65, 300, 5000])
def test_a_config_nested_too_deep_is_a_one_line_error(cli, tmp_path: Path, depth: int) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    (tmp_path / "dslint.yaml").write_text("rules:\n  DS702:\n    x: " + "[" * depth + "]" * depth + "\n")
    res = cli("check", "train.jsonl", cwd=tmp_path)
    assert res.code == 2
    assert res.err.splitlines() == [res.err.strip()] and "more than 64 levels deep" in res.err


def test_a_deep_pyproject_table_is_a_one_line_error(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    (tmp_path / "pyproject.toml").write_text("[tool.dslint]\nx = " + "[" * 400 + "]" * 400 + "\n")
    res = cli("check", "train.jsonl", cwd=tmp_path)
    assert res.code == 2 and len(res.err.splitlines()) == 1 and "levels deep" in res.err


def test_a_multi_line_plugin_error_is_one_line(cli, tmp_path: Path) -> None:
    (tmp_path / "multi.py").write_text('raise RuntimeError("first line\\nsecond line\\r\\n::error::forged")\n')
    (tmp_path / "dslint.yaml").write_text("plugins: [multi.py]\n")
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    res = cli("--allow-plugins", "check", "train.jsonl", cwd=tmp_path)
    assert res.code == 2
    assert res.err.count("\n") == 1 and "first line\\nsecond line" in res.err
    assert "::error" not in res.err


def test_an_explicit_select_beats_the_preset_ignore(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", [{**row, "src": "forum"} for row in CLEAN_CHATS])
    quiet = cli("check", "train.jsonl", "--format", "json", cwd=tmp_path)
    assert quiet.code == 0 and '"DS106"' not in quiet.out  # the recommended preset ignores DS106
    res = cli("check", "train.jsonl", "--select", "DS106", "--format", "json", cwd=tmp_path)
    assert '"rule": "DS106"' in res.out
    # A broader selector does not override the preset's specific ignore; --ignore still wins a tie.
    assert '"DS106"' not in cli("check", "train.jsonl", "--select", "DS1", "--format", "json", cwd=tmp_path).out
    both = cli("check", "train.jsonl", "--select", "DS106", "--ignore", "DS106", "--format", "json", cwd=tmp_path)
    assert '"DS106"' not in both.out
