"""Benchmark: the same lint in this process and on a local Ray cluster, and an estimate, from
per-shard timings, of a 100M-record run on N workers. Prints ratios; asserts nothing.

    pip install -e '.[ray]'
    python bench/bench_ray.py --records 1000000 [--cpus 2] [--shards 16]

The in-process run scans the same shards as the Ray run, one after another, and times each one
(the progress callback fires after every shard); the time after the last shard is the serial
part on the driver (merging states, finalizing, the policy). The estimate assumes scan time per
record stays the same and the serial part grows with the number of records, which is what the
exact and near-duplicate states do: their final states, which reach the driver, hold an entry
per record. Their pickled size per record (measured on up to 20,000 records) is printed too.

Measured on a 2-core machine shared with other jobs, 200,000 records, 16 shards a large file:
in-process 202 s (shards 183 s, serial part 18.5 s), local 2-CPU Ray 138 s (ratio 0.68, ideal
0.55); states reaching the driver 0.56 KB (duplicates) and 3.2 KB (leakage) per record; estimate
for 100M records: 8 workers 6.2 h (4.1x one process), 32 workers 3.5 h (7.3x), 128 workers 2.8 h
(9.1x), the serial part on the driver being most of it beyond 8 workers.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_split_corpus  # noqa: E402

from dslint.api import find_sources, prepare  # noqa: E402
from dslint.engine import build_checks, finalize, plan_files, run, scan_all  # noqa: E402
from dslint.executors.inprocess import InProcessExecutor  # noqa: E402
from dslint.executors.ray import RayExecutor  # noqa: E402
from dslint.policy import Overrides  # noqa: E402

TARGET = 100_000_000


class ShardedInProcess(InProcessExecutor):
    """This process, cutting large files into as many shards as the Ray run does."""

    def __init__(self, shards: int) -> None:
        super().__init__()
        self.shards = shards

    @property
    def parts(self) -> int:
        return self.shards


class ShardedRay(RayExecutor):
    def __init__(self, shards: int) -> None:
        super().__init__()
        self.shards = shards

    @property
    def parts(self) -> int:
        return self.shards


def timed_run(folder: Path, executor: object) -> tuple[float, list[float], float, int]:
    """Wall time, the time of each shard as it completed, the time after the last one, records."""
    loaded, registry, policy = prepare(None, Overrides(fail_on="never"))
    found = find_sources([str(folder)], loaded)
    marks: list[float] = []
    start = time.perf_counter()
    report = run(found.sources, loaded, registry, policy, executor=executor, progress=lambda _f, _n: marks.append(time.perf_counter()))  # type: ignore[arg-type]
    end = time.perf_counter()
    shards = [b - a for a, b in zip([start, *marks], marks)]
    return end - start, shards, end - marks[-1], report.summary.records


def state_bytes(folder: Path, shards: int) -> dict[str, int]:
    """Pickled size of each dataset check's final state: what reaches the driver."""
    loaded, registry, policy = prepare(None, Overrides(fail_on="never"))
    plans = plan_files(find_sources([str(folder)], loaded).sources, loaded)
    checks = build_checks(registry, policy, None, frozenset(p.split for p in plans if p.split), loaded.root)
    executor = ShardedInProcess(shards)
    with executor:
        results = scan_all(plans, checks, executor=executor)
        merged = {type(c).__name__: executor.reduce(i, [r.states[i] for r in results]) for i, c in enumerate(checks.dataset)}
    finalize(results, checks)
    return {name: len(pickle.dumps(state)) for name, state in merged.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray cluster")
    parser.add_argument("--shards", type=int, default=16, help="shards per large file")
    args = parser.parse_args()
    import ray

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp, "data")
        write_split_corpus(data, args.records)
        here, shard_times, serial, records = timed_run(data, ShardedInProcess(args.shards))
        start = time.perf_counter()
        ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
        startup = time.perf_counter() - start
        warm = Path(tmp, "warm-up")
        write_split_corpus(warm, 300)
        start = time.perf_counter()
        timed_run(warm, ShardedRay(args.shards))  # workers import dslint and its checks once
        warm_up = time.perf_counter() - start
        on_ray, _, ray_serial, _ = timed_run(data, ShardedRay(args.shards))
        ray.shutdown()
        sample = Path(tmp, "sample")  # state sizes grow with records: a sample gives the rate
        write_split_corpus(sample, min(args.records, 20_000))
        sizes = state_bytes(sample, args.shards)
        sampled = min(args.records, 20_000)

    scan = sum(shard_times)
    per_record = scan / records
    print(f"{records:,} records in {len(shard_times)} shards; cluster of {args.cpus} CPUs (start-up {startup:.1f} s and"
          f" worker warm-up {warm_up:.1f} s, not counted)")
    print(f"in-process: {here:.1f} s ({records / here:,.0f} records/s); shards {scan:.1f} s, serial part {serial:.1f} s")
    print(f"ray:        {on_ray:.1f} s; serial part {ray_serial:.1f} s")
    print(f"ray / in-process time: {on_ray / here:.2f} (ideal on {args.cpus} CPUs: {(scan / args.cpus + serial) / here:.2f})")
    print(f"slowest shard / mean shard: {max(shard_times) / (scan / len(shard_times)):.2f}")
    overhead = max(0.0, on_ray - ray_serial - scan / args.cpus) / len(shard_times)  # per task, beyond ideal scan time
    print(f"ray overhead per shard task: {overhead * 1000:.0f} ms")
    print("final states reaching the driver, bytes per record:")
    for name, size in sizes.items():
        if size / sampled >= 1:
            print(f"  {name}: {size / sampled:.0f}  (at {TARGET:,} records: {size / sampled * TARGET / 2**30:.0f} GiB)")
    scale = TARGET / records
    serial_100m = serial * scale
    print(f"estimate for {TARGET:,} records ({scale:,.0f}x), shards of the same size:")
    for workers in (8, 32, 128, 512):
        tasks = len(shard_times) * scale
        estimate = per_record * TARGET / workers + overhead * tasks / workers + serial_100m
        print(f"  {workers:4d} workers: {estimate / 3600:.2f} h; speed-up over one process {per_record * TARGET / estimate:.1f}x;"
              f" serial share {serial_100m / estimate:.0%}")


if __name__ == "__main__":
    main()
