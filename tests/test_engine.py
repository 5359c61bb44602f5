"""The engine: the same findings, in the same order, for any number of workers and shards."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import CLEAN_CHATS, chat

import dslint.engine
from dslint.readers.shards import plan_ranges


def realistic_rows(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.05:
            rows.append('{"messages": [{"role": "user", "content": "cut off')  # DS101
        elif roll < 0.08:
            rows.append("")  # blank line: no record index
        elif roll < 0.12:
            rows.append(json.dumps({"messages": [{"role": "user", "content": f"Question {i} without answer"}]}))
        elif roll < 0.2:
            rows.append(json.dumps(rng.choice(CLEAN_CHATS)))  # exact duplicates across shards
        else:
            rows.append(json.dumps(chat(f"How do I fix error E{i}?", f"Restart the service and check log {i}. " * rng.randint(1, 5))))
    return rows


def test_byte_ranges_cover_the_file_at_line_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    lines = realistic_rows(500, 1)
    path.write_text("\n".join(lines) + "\n")
    data = path.read_bytes()
    ranges = plan_ranges(path, 4)
    assert len(ranges) == 4
    assert ranges[0].start == 0 and ranges[-1].end == len(data)
    for a, b in zip(ranges, ranges[1:]):
        assert a.end == b.start and data[b.start - 1 : b.start] == b"\n"
        assert b.first_line == data[: b.start].count(b"\n") + 1
        assert b.first_index == sum(1 for ln in data[: b.start].split(b"\n") if ln.strip())


@pytest.mark.parametrize("jobs", ["2", "3"])
def test_sharded_runs_give_the_single_pass_findings(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    (tmp_path / "train.jsonl").write_text("\n".join(realistic_rows(600, 7)) + "\n")
    (tmp_path / "test.jsonl").write_text("\n".join(realistic_rows(120, 8)) + "\n")
    single = cli("check", ".", "--format", "json", "--select", "ALL", cwd=tmp_path)
    monkeypatch.setattr(dslint.engine, "SHARD_MIN_BYTES", 8 * 1024)  # split the 80 KB file
    sharded = cli("check", ".", "--format", "json", "--select", "ALL", "--jobs", jobs, cwd=tmp_path)
    assert single.code == sharded.code == 1
    sharded_report, single_report = sharded.json(), single.json()
    assert (sharded_report["tool"].pop("executor"), single_report["tool"].pop("executor")) == ("pool", "inprocess")
    assert sharded_report == single_report
    rules = {f["rule"] for f in single.json()["findings"]}
    assert {"DS101", "DS109"} <= rules
