"""Ray: the in-process report byte for byte (apart from the executor it names) under several
partitionings and for Parquet read through memory://; states merged on the workers; progress;
failures and setup errors as one line. One local cluster for the whole module."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from functools import reduce
from pathlib import Path
from typing import Any

import pytest
from conftest import write_jsonl
from planted import MEMORY_ROOT, PARTITIONINGS, in_process_report, parquet_files, planted_rows, report_json, shared_rows, write_dataset
from sharded import ROWS, corrupt_row_group, jsonl_bytes, parquet_bytes, problem_rows

import dslint.engine
import dslint.fix
from dslint.api import lint
from dslint.check import RecordCheck
from dslint.config import load_config
from dslint.engine import Checks, FilePlan, build_checks, scan_all, scan_file
from dslint.executors import CheckCrashed, WorkerDied
from dslint.executors.ray import RayExecutor, _driver_logs
from dslint.keyed import KeyedCheck
from dslint.policy import Overrides, Policy
from dslint.readers import discover
from dslint.registry import load_registry


def _memory_loader(files: dict[str, bytes]) -> Any:
    """A setup hook each Ray worker process runs: writes ``files`` into its own memory://.
    A memory file system exists only inside one process, while a bucket is seen by every
    machine; the hook makes every worker see the same files, as a bucket would."""

    def load() -> None:
        import fsspec

        fs = fsspec.filesystem("memory")
        for name, data in files.items():
            fs.pipe(name if name.startswith("/") else f"{MEMORY_ROOT}/{name}", data)

    return load  # a closure: Ray pickles it by value, so workers need not import this module


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    ray = pytest.importorskip("ray", reason="the ray extra is not installed: pip install -e '.[test,datasets,ray]'")
    files = {**parquet_files(), **SHARDED_FILES}
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env={"worker_process_setup_hook": _memory_loader(files)})
    _memory_loader(files)()  # the driver plans the run: it lists the same files
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the failing checks below
    # The tests that kill a worker make Ray's driver print "(raylet) A worker died" later, into
    # whatever a later test captures; dslint turns that off only while its executor is open.
    logs_were = _driver_logs(False)
    yield ray
    _driver_logs(logs_were)
    ray.shutdown()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("planted"))


@pytest.fixture(scope="module")
def reference(dataset: Path) -> str:
    return in_process_report(dataset)


@pytest.mark.parametrize(("shard_bytes", "parts", "pieces"), [(*p, k) for p, k in zip(PARTITIONINGS, (1, 3, 7))])
def test_ray_gives_the_in_process_report(
    ray_cluster: Any, dataset: Path, reference: str, monkeypatch: pytest.MonkeyPatch, shard_bytes: int, parts: int, pieces: int
) -> None:
    monkeypatch.setattr(dslint.engine, "SHARD_MIN_BYTES", shard_bytes)
    monkeypatch.setattr(RayExecutor, "parts", property(lambda self: parts))  # more shards than CPUs
    monkeypatch.setattr(RayExecutor, "partitions", property(lambda self: pieces))  # the keyed shuffle's reducers
    monkeypatch.chdir(dataset)
    assert report_json(lint(".", select=["ALL"], cache=False, executor="ray"), "ray") == reference


def test_a_large_file_is_cut_into_one_shard_per_cluster_cpu(
    ray_cluster: Any, dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dslint.engine, "SHARD_MIN_BYTES", 8 << 10)
    monkeypatch.chdir(dataset)
    done: list[str] = []
    lint(".", select=["ALL"], cache=False, executor="ray", progress=lambda name, _records: done.append(name))
    # every file is over 8 KB, train-0 over 25 shards' worth: each is cut in two, for two CPUs
    assert sorted(done) == sorted(2 * ["test.jsonl", "train-0.jsonl", "train-1.jsonl", "validation.jsonl"])


def test_parquet_through_memory_fs_gives_the_in_process_report(ray_cluster: Any) -> None:
    """The driver lists memory://; Ray workers open the files in their own memory file system
    (filled by the cluster's worker setup hook), so records never pass through the driver."""
    url = f"memory://{MEMORY_ROOT}/"
    here = lint(url, select=["ALL"], executor="inprocess")
    on_ray = lint(url, select=["ALL"], executor="ray")
    assert [f.path for f in here.summary.file_details] == [f"memory://{MEMORY_ROOT}/test.parquet", f"memory://{MEMORY_ROOT}/train.parquet"]
    assert here.summary.records == 380
    assert {"DS201", "DS203", "DS303"} <= set(here.summary.by_rule)  # duplicates, near-duplicates, leakage
    assert report_json(on_ray, "ray") == report_json(here)


SHARDED_ROOT = "/dslint-executors-shards"  # files in every worker's memory:// that are cut into shards
SHARDED_FILES = {
    f"{SHARDED_ROOT}/train.jsonl": jsonl_bytes(),
    f"{SHARDED_ROOT}/test.parquet": parquet_bytes(problem_rows(200, 3)),
    f"{SHARDED_ROOT}/validation.parquet": corrupt_row_group(parquet_bytes(problem_rows(ROWS, 4)), 9),
}


@pytest.mark.parametrize("parts", [2, 5])
def test_parquet_row_groups_and_url_byte_ranges_give_the_whole_file_report(
    ray_cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parts: int
) -> None:
    """Local Parquet files and URLs (Parquet, JSON Lines) cut into shards that Ray workers read
    (a corrupt row group among them) report what whole files read in this process do."""
    (tmp_path / "train.parquet").write_bytes(parquet_bytes(problem_rows(ROWS, 1)))
    (tmp_path / "test.parquet").write_bytes(corrupt_row_group(parquet_bytes(problem_rows(ROWS, 2)), 4))
    url = f"memory://{SHARDED_ROOT}/"
    here = [report_json(lint(target, select=["ALL"], cache=False, executor="inprocess")) for target in (str(tmp_path), url)]
    monkeypatch.setattr(dslint.engine, "SHARD_MIN_BYTES", 1024)
    monkeypatch.setattr(RayExecutor, "parts", property(lambda self: parts))
    done: list[str] = []
    on_ray = [
        report_json(lint(target, select=["ALL"], cache=False, executor="ray", progress=lambda name, _: done.append(name)), "ray")
        for target in (str(tmp_path), url)
    ]
    assert len(done) == 5 * parts  # every file was cut into ``parts`` shards
    assert on_ray == here


def _plans(tmp_path: Path) -> list[FilePlan]:
    shared = shared_rows(5)
    for name, seed in (("train.jsonl", 1), ("test.jsonl", 2)):
        write_jsonl(tmp_path / name, planted_rows(60, seed, shared))
    return [FilePlan(s, s.display, Path(s.display).stem, None) for s in discover([str(tmp_path)])]


def test_states_stay_on_the_cluster_until_merged_and_only_rows_sharing_keys_reach_the_driver(ray_cluster: Any, tmp_path: Path) -> None:
    plans = _plans(tmp_path)
    registry = load_registry()
    policy = Policy.build(load_config(start=tmp_path), registry, Overrides(select=["ALL"]))
    checks = build_checks(registry, policy, None, frozenset({"train", "test"}))
    seen: list[tuple[str, int]] = []
    with RayExecutor() as executor:
        results = scan_all(plans, checks, progress=lambda name, n: seen.append((name, n)), executor=executor)
        assert checks.dataset and all(isinstance(s, ray_cluster.ObjectRef) for r in results for s in r.states)
        merged = [executor.reduce(i, [r.states[i] for r in results]) for i in range(len(checks.dataset))]
    local = [scan_file(p, checks) for p in plans]
    keyed = 0
    for i, check in enumerate(checks.dataset):
        expected = check.settle(reduce(check.merge, [r.states[i] for r in local]))
        if isinstance(check, KeyedCheck):  # duplicates and leakage: condensed by the keyed shuffle
            keyed += 1
            fetched, whole = len(pickle.dumps(merged[i])), len(pickle.dumps(expected))
            assert fetched < whole * 0.7, (type(check).__name__, fetched, whole)
        assert list(check.finalize(merged[i])) == list(check.finalize(expected))
        assert check.stats(merged[i]) == check.stats(expected)
    assert keyed == 2
    assert sorted(name for name, _ in seen) == sorted(p.source.display for p in plans)
    assert max(n for _, n in seen) == 120


class Raises(RecordCheck):
    def check(self, record: Any) -> list[Any]:
        raise ValueError("boom")


class ExitsWorker(RecordCheck):
    def check(self, record: Any) -> list[Any]:
        os._exit(1)  # what a plugin calling os._exit, or the kernel killing for memory, looks like


def test_a_check_that_raises_on_a_worker_is_one_line(ray_cluster: Any, tmp_path: Path) -> None:
    with RayExecutor() as executor, pytest.raises(CheckCrashed) as caught:
        scan_all(_plans(tmp_path)[:1], Checks([Raises()], [], {}), executor=executor)
    message = str(caught.value)
    assert "Raises failed on" in message and "ValueError: boom" in message and "\n" not in message


def test_a_worker_that_dies_is_retried_then_one_line(ray_cluster: Any, tmp_path: Path) -> None:
    with RayExecutor() as executor, pytest.raises(WorkerDied) as caught:
        scan_all(_plans(tmp_path)[:1], Checks([ExitsWorker()], [], {}), executor=executor)
    message = str(caught.value)
    assert message.startswith("a Ray worker failed scanning ") and "retries" in message and "\n" not in message


def test_without_ray_installed_the_error_says_how_to_get_it(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_jsonl(tmp_path / "train.jsonl", planted_rows(5, 1, shared_rows(1)))
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    result = cli("check", ".", "--executor", "ray", cwd=tmp_path)
    assert result.code == 2 and result.out == ""
    assert result.err == "dslint: error: --executor ray needs Ray: pip install 'dslint[ray]'\n"


def test_an_unreachable_address_fails_fast_in_one_line(tmp_path: Path) -> None:
    """In a process of its own: this one may be connected to the test cluster already."""
    write_jsonl(tmp_path / "train.jsonl", planted_rows(5, 1, shared_rows(1)))
    args = [sys.executable, "-m", "dslint", "check", ".", "--executor", "ray", "--ray-address", "localhost:1"]
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "dslint: error: cannot reach the Ray cluster at localhost:1: connection refused\n"


def test_a_ray_address_without_the_ray_executor_is_a_usage_error(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", planted_rows(5, 1, shared_rows(1)))
    result = cli("check", ".", "--ray-address", "localhost:6379", cwd=tmp_path)
    assert result.code == 2 and "--ray-address needs --executor ray" in result.err


PLUGIN = """
from dslint import RecordCheck, Rule, Severity

TODO = Rule(
    code="ACME201", name="todo-in-answer", family="content", severity=Severity.WARNING, scope="record",
    summary="An answer still contains TODO.", docs="What it does: x\\n\\nWhy it matters: x\\n\\nExample: x\\n\\nOptions: none.",
)


class NoTodo(RecordCheck):
    rules = (TODO,)

    def check(self, record):
        for field in record.fields:
            if field.learned and "TODO" in field.text:
                yield TODO.at(record, "answer contains TODO", field=field.pointer)


CHECKS = [NoTodo]
"""


def test_a_plugin_file_runs_on_the_workers(ray_cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A check from a .py file next to the config: its module exists only in this process, so
    it travels to the workers by value."""
    rows = planted_rows(40, 1, shared_rows(2))
    rows[7]["messages"][1]["content"] += " TODO: finish"
    write_jsonl(tmp_path / "train.jsonl", rows)
    (tmp_path / "acme_rules.py").write_text(PLUGIN)
    (tmp_path / "dslint.yaml").write_text("plugins: [acme_rules.py]\n")
    monkeypatch.chdir(tmp_path)
    on_ray = lint(".", select=["ALL"], cache=False, executor="ray", allow_plugins=True)
    assert on_ray.summary.by_rule.get("ACME201") == 1
    here = lint(".", select=["ALL"], cache=False, executor="inprocess", allow_plugins=True)
    assert report_json(on_ray, "ray") == report_json(here)


def test_ray_prints_nothing_on_stdout_while_dslint_drives_it(ray_cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The report goes to stdout: Ray's own messages (a worker died and was retried) must not
    land in it while the executor is open, and print again once it is closed."""
    from ray._private.worker import print_to_stdstream

    message = {"lines": ["A worker died or was killed while executing a task"], "pid": "raylet", "is_err": False}
    _driver_logs(True)
    try:
        with RayExecutor() as executor:
            scan_all(_plans(tmp_path)[:1], Checks([], [], {}), executor=executor)
            print_to_stdstream(dict(message), ignore_prefix=False)
            assert capsys.readouterr().out == ""
        print_to_stdstream(dict(message, lines=["after close"]), ignore_prefix=False)
        assert "after close" in capsys.readouterr().out
    finally:
        _driver_logs(False)


def test_fix_on_ray_writes_what_it_writes_in_process(ray_cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = planted_rows(80, 3, shared_rows(3))
    rows[5]["messages"][0]["content"] = "\ufeff" + rows[5]["messages"][0]["content"]  # a safe rewrite (DS601)
    write_jsonl(tmp_path / "data" / "train.jsonl", rows)
    monkeypatch.chdir(tmp_path)
    passes = []
    ray_map = RayExecutor.map
    monkeypatch.setattr(RayExecutor, "map", lambda self, shards: passes.append(len(shards)) or ray_map(self, shards))
    here = dslint.fix(["data"], "here", unsafe_fixes=True, executor="inprocess")
    assert passes == []
    there = dslint.fix(["data"], "there", unsafe_fixes=True, executor="ray")
    assert len(passes) == there.passes + 1  # the first lint, then one after each pass that changed files
    assert here.changes and [c.__dict__ for c in here.changes] == [c.__dict__ for c in there.changes]
    assert (tmp_path / "here" / "train.jsonl").read_bytes() == (tmp_path / "there" / "train.jsonl").read_bytes()
