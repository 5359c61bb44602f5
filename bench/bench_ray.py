"""Benchmark: the same lint in this process and on a local Ray cluster, and an estimate, from
per-shard timings, of a 100M-record run on N workers. Prints ratios; asserts nothing.

    pip install -e '.[ray]'
    python bench/bench_ray.py --records 1000000 [--cpus 2] [--shards 16]

The in-process run scans the same shards as the Ray run, one after another, and times each one
(the progress callback fires after every shard); the time after the last shard is the serial
part (merging states, finalizing, the policy). 5% of the training records are copied, exactly or
nearly, into train, validation and test (``--planted``), so the duplicate and leakage checks have
rows to keep. The final state of each table check (duplicates, leakage) that reaches the driver
is measured both ways: the whole table (in-process, as a plain tree merge would deliver it) and
the condensed table after the keyed shuffle (the Ray run). The 100M estimate assumes scan time
per record stays the same and the duplicate and leak rates too; for whole tables the serial part
grows with the records; for condensed ones the shuffle and merge tasks spread over the workers
and only the driver's part (finalize, policy) grows with the records.

Measured on a 2-core machine loaded by other jobs (load average 4), 104,500 records, 16 shards a
large file: in-process 80.1 s (shards 69.1 s, serial part 11.0 s), local 2-CPU Ray 62.2 s (after
the last shard: shuffle and merge tasks 9.1 s, driver 0.9 s); findings identical; final states
reaching the driver: duplicates 56.2 MiB -> 4.87 MiB (564 -> 49 bytes per record), leakage
325.7 MiB -> 11.7 MiB (3,268 -> 118 bytes per record); estimate for 100M records: 32 workers
3.64 h with whole tables (5.0x one process) -> 1.11 h condensed (16.6x), 128 workers 3.10 h
(5.9x) -> 0.45 h (40x).
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_split_corpus  # noqa: E402

from dslint.api import find_sources, prepare  # noqa: E402
from dslint.checks._shared.tables import TableState  # noqa: E402
from dslint.engine import run  # noqa: E402
from dslint.executors.inprocess import InProcessExecutor  # noqa: E402
from dslint.executors.ray import RayExecutor  # noqa: E402
from dslint.policy import Overrides  # noqa: E402

TARGET = 100_000_000


class Fetched:
    """An executor that cuts large files into ``shards`` pieces and keeps the state each dataset
    check's ``reduce`` returns: what reaches the driver."""

    reducing = 0.0  # seconds spent in reduce: on Ray, waiting for the shuffle and merge tasks

    def __init__(self, shards: int) -> None:
        super().__init__()
        self.shards = shards
        self.fetched: dict[str, Any] = {}

    @property
    def parts(self) -> int:
        return self.shards

    def reduce(self, index: int, states: Sequence[Any]) -> Any:
        start = time.perf_counter()
        state = super().reduce(index, states)  # type: ignore[misc]
        self.reducing += time.perf_counter() - start
        self.fetched[type(self.checks.dataset[index]).__name__] = state  # type: ignore[attr-defined]
        return state


class ShardedInProcess(Fetched, InProcessExecutor):
    """This process, cutting large files into as many shards as the Ray run does."""


class ShardedRay(Fetched, RayExecutor):
    """A local Ray cluster, with the same shards."""


def timed_run(folder: Path, executor: Any) -> tuple[float, list[float], float, int, str]:
    """Wall time, the time of each shard as it completed, the time after the last one, records,
    and the report's findings and stats (to compare the runs)."""
    loaded, registry, policy = prepare(None, Overrides(fail_on="never"))
    found = find_sources([str(folder)], loaded)
    marks: list[float] = []
    start = time.perf_counter()
    report = run(found.sources, loaded, registry, policy, executor=executor, progress=lambda _f, _n: marks.append(time.perf_counter()))
    end = time.perf_counter()
    shards = [b - a for a, b in zip([start, *marks], marks)]
    same = report.model_dump_json(include={"findings", "summary"})
    return end - start, shards, end - marks[-1], report.summary.records, same


def plant(folder: Path, rate: float, seed: int = 3) -> None:
    """Copies of ``rate`` of the training records: a third exact copies in train, a third near
    copies (a word added to the last message) in train, a third exact or near copies in
    validation and test (leaks). What the keyed shuffle keeps grows with these."""
    rng = random.Random(seed)
    train = (folder / "train.jsonl").read_text(encoding="utf-8").splitlines()
    extra: dict[str, list[str]] = {"train": [], "validation": [], "test": []}
    for i, line in enumerate(rng.sample(train, round(len(train) * rate))):
        copy = json.loads(line)
        if rng.random() < 0.5:
            last = copy["messages"][-1]
            last["content"] = f"{last['content'] or ''} planted{i}"
        roll = rng.random()
        where = "train" if roll < 2 / 3 else ("validation" if roll < 5 / 6 else "test")
        extra[where].append(json.dumps(copy, ensure_ascii=False))
    for split, lines in extra.items():
        with (folder / f"{split}.jsonl").open("a", encoding="utf-8") as out:
            out.writelines(line + "\n" for line in lines)


def pickled(states: dict[str, Any]) -> dict[str, int]:
    """Pickled size of each state (a table without the findings finalize kept in it)."""
    return {name: len(pickle.dumps(TableState(s.table) if isinstance(s, TableState) else s)) for name, s in states.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray cluster")
    parser.add_argument("--shards", type=int, default=16, help="shards per large file")
    parser.add_argument("--planted", type=float, default=0.05, help="share of training records copied (exactly or nearly) into train, validation and test")
    args = parser.parse_args()
    import ray

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp, "data")
        write_split_corpus(data, args.records)
        plant(data, args.planted)
        local = ShardedInProcess(args.shards)
        here, shard_times, serial, records, reference = timed_run(data, local)
        whole = pickled(local.fetched)
        tables = {name for name, state in local.fetched.items() if isinstance(state, TableState)}
        local.fetched.clear()
        start = time.perf_counter()
        ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
        startup = time.perf_counter() - start
        warm = Path(tmp, "warm-up")
        write_split_corpus(warm, 300)
        start = time.perf_counter()
        timed_run(warm, ShardedRay(args.shards))  # workers import dslint and its checks once
        warm_up = time.perf_counter() - start
        remote = ShardedRay(args.shards)
        on_ray, _, ray_serial, _, on_cluster = timed_run(data, remote)
        condensed = pickled(remote.fetched)
        ray.shutdown()

    scan = sum(shard_times)
    per_record = scan / records
    print(f"{records:,} records in {len(shard_times)} shards; cluster of {args.cpus} CPUs (start-up {startup:.1f} s and"
          f" worker warm-up {warm_up:.1f} s, not counted)")
    print(f"in-process: {here:.1f} s ({records / here:,.0f} records/s); shards {scan:.1f} s, serial part {serial:.1f} s")
    print(f"ray:        {on_ray:.1f} s; after the last shard (shuffle, merges, finalize, policy) {ray_serial:.1f} s")
    print(f"findings and stats identical: {'yes' if on_cluster == reference else 'NO'}"
          f" ({len(json.loads(reference)['findings']):,} findings)")
    print(f"ray / in-process time: {on_ray / here:.2f} (ideal on {args.cpus} CPUs: {(scan / args.cpus + serial) / here:.2f})")
    print(f"slowest shard / mean shard: {max(shard_times) / (scan / len(shard_times)):.2f}")
    overhead = max(0.0, on_ray - ray_serial - scan / args.cpus) / len(shard_times)  # per task, beyond ideal scan time
    print(f"ray overhead per shard task: {overhead * 1000:.0f} ms")
    print("final state reaching the driver, per check: whole table (tree merge) -> condensed (keyed shuffle)")
    for name, size in whole.items():
        if name in tables:
            after = condensed.get(name, size)
            print(f"  {name}: {size / 2**20:.1f} MiB -> {after / 2**20:.2f} MiB ({size / records:.0f} -> {after / records:.1f} bytes"
                  f" per record, {after / size:.1%}); at {TARGET:,} records {size / records * TARGET / 2**30:.0f} GiB ->"
                  f" {after / records * TARGET / 2**30:.1f} GiB at the same duplicate and leak rates")
    scale = TARGET / records
    driver = ray_serial - remote.reducing  # finalize and the policy, over the condensed states
    print(f"after the last shard on Ray: shuffle and merges {remote.reducing:.1f} s (tasks), finalize and policy on the driver {driver:.1f} s")
    print(f"estimate for {TARGET:,} records ({scale:,.0f}x), shards of the same size, at the same duplicate and leak rates;"
          " after the last shard: whole tables, the in-process serial part grown with the records; condensed, the"
          f" shuffle and merge tasks spread over the workers (as they were over {args.cpus} CPUs) and the driver's part grown with the records:")
    for workers in (8, 32, 128, 512):
        tasks = len(shard_times) * scale
        parallel = per_record * TARGET / workers + overhead * tasks / workers
        line = []
        for what, tail in (("whole", serial * scale), ("condensed", remote.reducing * scale * args.cpus / workers + driver * scale)):
            estimate = parallel + tail
            line.append(f"{what} {estimate / 3600:.2f} h ({per_record * TARGET / estimate:.1f}x, serial share {tail / estimate:.0%})")
        print(f"  {workers:4d} workers: " + "; ".join(line))


if __name__ == "__main__":
    main()
