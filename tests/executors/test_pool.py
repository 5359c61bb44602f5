"""The process pool gives the in-process report byte for byte (apart from the executor it names)
under several partitionings of the same files; the partitionings really differ."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from planted import PARTITIONINGS, PLANTED, in_process_report, report_json, write_dataset

import dslint.engine
from dslint.api import lint
from dslint.readers import discover


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("planted"))


@pytest.fixture(scope="module")
def reference(dataset: Path) -> str:
    return in_process_report(dataset)


def test_the_dataset_has_every_planted_problem(reference: str) -> None:
    report = json.loads(reference)
    assert PLANTED <= set(report["summary"]["by_rule"])
    assert report["summary"]["records"] == 800


def test_large_files_are_cut_into_the_shards_asked_for(dataset: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = discover([str(dataset / "train-0.jsonl")])
    plans = [dslint.engine.FilePlan(s, s.display, "train", None) for s in sources]
    counts = []
    for shard_bytes, parts in PARTITIONINGS:
        monkeypatch.setattr(dslint.engine, "SHARD_MIN_BYTES", shard_bytes)
        counts.append(len(dslint.engine.shard_plans(plans, parts, None)))
    assert counts == [1, 2, 5]


@pytest.mark.parametrize(("shard_bytes", "parts"), PARTITIONINGS)
def test_the_pool_gives_the_in_process_report(
    dataset: Path, reference: str, monkeypatch: pytest.MonkeyPatch, shard_bytes: int, parts: int
) -> None:
    monkeypatch.setattr(dslint.engine, "SHARD_MIN_BYTES", shard_bytes)
    monkeypatch.chdir(dataset)
    jobs = max(parts, 2)  # the pool cuts a large file into one shard per job
    assert report_json(lint(".", select=["ALL"], cache=False, executor="pool", jobs=jobs), "pool") == reference


def test_workers_send_back_settled_states(dataset: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker computes its last rows' signatures and n-grams itself: no table comes back with
    pending rows for the main process to finish alone."""
    monkeypatch.setattr(dslint.engine, "SHARD_MIN_BYTES", 1024)
    sent: list[dslint.engine.FileResult] = []
    scan_all = dslint.engine.scan_all
    monkeypatch.setattr(dslint.engine, "scan_all", lambda *a, **k: sent.extend(scan_all(*a, **k)) or sent)
    monkeypatch.chdir(dataset)
    lint(".", select=["ALL"], cache=False, executor="pool", jobs=2)
    tables = [state.table for result in sent for state in result.states if hasattr(state, "table")]
    assert len(sent) > 2 and tables
    assert all(not t.pending.rows and t.chunks for t in tables if t.chunks or t.pending.rows)


def test_the_largest_shards_go_first_and_results_keep_plan_order(dataset: Path, reference: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Largest first, so no worker is left alone with a big file at the end of a run."""
    from dslint.executors.pool import PoolExecutor

    sizes: list[int] = []
    pool_map = PoolExecutor.map
    monkeypatch.setattr(PoolExecutor, "map", lambda self, shards: sizes.extend(dslint.engine.plan_bytes(s) for s in shards) or pool_map(self, shards))
    (dataset / "zz-small.jsonl").write_text((dataset / "train-0.jsonl").read_text().splitlines(keepends=True)[0])
    monkeypatch.chdir(dataset)
    try:
        report = json.loads(report_json(lint(".", select=["ALL"], cache=False, executor="pool", jobs=2), "pool"))
    finally:
        (dataset / "zz-small.jsonl").unlink()
    assert len(sizes) > 2 and sizes == sorted(sizes, reverse=True) and sizes[-1] < sizes[0]
    files = [f["path"] for f in report["summary"]["file_details"]]
    assert files[-1] == "zz-small.jsonl" and files[:-1] == [f["path"] for f in json.loads(reference)["summary"]["file_details"]]
