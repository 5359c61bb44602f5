"""The engine: the same findings, in the same order, for any number of workers and shards."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLEAN_CHATS, chat

import dslint.engine
import dslint.executors
from dslint.readers.shards import plan_ranges

REPO = Path(__file__).resolve().parent.parent


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
    ranges = plan_ranges(lambda: path.open("rb"), len(data), 4)
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


# Progress: the bytes read, within a big file too, from this process and its workers.


class _Watcher:
    """A progress callback that samples the engine's ReadMeter as files finish."""

    def __init__(self) -> None:
        self.meter: dslint.engine.ReadMeter | None = None
        self.samples: list[tuple[str, int]] = []

    def attach(self, meter: dslint.engine.ReadMeter) -> None:
        self.meter = meter

    def __call__(self, name: str, records: int) -> None:
        assert self.meter is not None
        self.samples.append((name, self.meter.done))


def _lint_watched(root: Path, jobs: int) -> _Watcher:
    watcher = _Watcher()
    dslint.lint([str(root)], jobs=jobs, progress=watcher)
    return watcher


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_meter_counts_every_byte_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    import gzip

    (tmp_path / "train.jsonl").write_text("\n".join(realistic_rows(600, 7)) + "\n")
    (tmp_path / "test.jsonl.gz").write_bytes(gzip.compress(("\n".join(realistic_rows(120, 8)) + "\n").encode()))
    monkeypatch.setattr(dslint.engine, "SHARD_MIN_BYTES", 8 * 1024)  # train.jsonl is read in shards with -j2
    watcher = _lint_watched(tmp_path, jobs)
    sizes = sum(p.stat().st_size for p in tmp_path.iterdir())
    assert watcher.meter is not None and watcher.meter.total == sizes
    assert watcher.meter.done == sizes  # compressed files count their bytes on disk
    if jobs == 1:  # in plan order, each finished file has added exactly its size
        assert [(Path(name).name, done) for name, done in watcher.samples] == [
            ("test.jsonl.gz", (tmp_path / "test.jsonl.gz").stat().st_size),
            ("train.jsonl", sizes),
        ]


def test_progress_meter_moves_while_a_big_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "train.jsonl").write_text("\n".join(realistic_rows(2000, 9)) + "\n")
    size = (tmp_path / "train.jsonl").stat().st_size
    seen: list[int] = []

    class Probe(_Watcher):
        def attach(self, meter: dslint.engine.ReadMeter) -> None:
            super().attach(meter)
            original = meter.add
            meter.add = lambda n: (original(n), seen.append(meter.done))  # type: ignore[method-assign]

    dslint.lint([str(tmp_path)], jobs=1, progress=Probe())
    partial = [s for s in seen if 0 < s < size]
    assert len(partial) >= 5, seen  # many updates before the file is done, not one at the end
    assert seen == sorted(seen) and seen[-1] == size


def test_default_jobs_use_every_cpu_only_for_data_worth_a_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dslint.executors import POOL_MIN_BYTES
    from dslint.readers import discover

    monkeypatch.setattr(dslint.executors, "available_cpus", lambda: 6)
    (tmp_path / "small.jsonl").write_text("\n".join(realistic_rows(50, 1)) + "\n")
    small = discover([str(tmp_path)])
    assert dslint.engine.resolve_jobs(None, small) == 1
    assert dslint.engine.resolve_jobs(3, small) == 3  # asked for: always given
    rows = realistic_rows(50, 2)
    big = tmp_path / "big.jsonl"
    with big.open("w") as fh:
        while fh.tell() < POOL_MIN_BYTES:
            fh.write("\n".join(rows) + "\n")
    assert dslint.engine.resolve_jobs(None, discover([str(tmp_path)])) == 6


def test_a_lint_of_chat_data_imports_neither_pandas_nor_scipy() -> None:
    """pyarrow imports pandas, when installed, for ``pa.array`` on a list and ``to_numpy``; scipy's
    graph module served one function: 40 and 30 MB at the run's peak of memory, and a quarter of a
    second of start-up each, for nothing. (scipy.stats stays, imported only to compare the label
    distributions of classification splits.)"""
    script = (
        "import sys, dslint\n"
        "report = dslint.lint([sys.argv[1]], select=['ALL'], fail_on='never', jobs=1, cache=False)\n"
        "assert report.summary.by_rule, 'nothing found'\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'scipy'}))\n"
    )
    pytest.importorskip("pandas", reason="pandas is not installed: nothing can import it")
    out = subprocess.run([sys.executable, "-c", script, str(REPO / "examples")], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_objects_from_before_the_scan_are_frozen_only_while_it_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import dslint

    (tmp_path / "train.jsonl").write_text("".join(json.dumps(chat(f"question {i}", "an answer")) + "\n" for i in range(20)))
    during: list[int] = []
    scan_all = dslint.engine.scan_all
    monkeypatch.setattr(dslint.engine, "scan_all", lambda *a, **k: during.append(gc.get_freeze_count()) or scan_all(*a, **k))
    assert gc.get_freeze_count() == 0
    dslint.lint([str(tmp_path)], fail_on="never", jobs=1, cache=False)
    assert during[-1] > 0 and gc.get_freeze_count() == 0
    gc.freeze()  # a caller's own freeze is left as it was
    try:
        frozen = gc.get_freeze_count()
        dslint.lint([str(tmp_path)], fail_on="never", jobs=1, cache=False)
        # not frozen again (that would add the objects made since), nor thawed (a few may be freed)
        assert frozen - 100 < during[-1] <= frozen and frozen - 100 < gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()
