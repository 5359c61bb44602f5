"""Benchmark: one large file linted by one process (-j1) and cut into shards for two (-j2): a
Parquet file (runs of row groups) and the same records as JSON Lines (byte ranges). Prints
times, the -j1/-j2 ratio and the load average; asserts nothing.

    python bench/bench_shards.py --records 100000 [--group-rows 10000] [--repeat 1]

Issue #13 asks for >= 1.8x with -j2 on an idle 2-core machine; on a loaded one the wall-time
ratio says more about the other load than about dslint, so the load average is printed with it,
and so is the ratio that CPU times give: the -j1 run's CPU time over the critical path of a -j2
run (its slowest shard, scanned and pickled, plus the rest of the -j1 run: unpickling the
shards' results, merging, finalizing), which is what an idle machine would show, less the cost
of starting worker processes.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus  # noqa: E402
from harness import best_of, load_records  # noqa: E402

import dslint  # noqa: E402
from dslint.api import find_sources, prepare  # noqa: E402
from dslint.engine import build_checks, plan_files, scan_file, shard_plans  # noqa: E402
from dslint.policy import Overrides  # noqa: E402


def write_parquet(jsonl: Path, path: Path, group_rows: int) -> Path:
    """The corpus's chats as Parquet, messages as a list of (role, content) structs; tool calls
    and their results are left out (one struct type for every message)."""
    rows = [
        {"messages": [{"role": m["role"], "content": m["content"]} for m in r["messages"] if m["role"] != "tool" and m["content"] is not None]}
        for r in load_records(jsonl)
    ]
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=group_rows)
    return path


def cpu_seconds(fn: object) -> float:
    start = time.process_time()
    fn()  # type: ignore[operator]
    return time.process_time() - start


def critical_path(path: Path, whole_cpu: float) -> tuple[int, float]:
    """Shards of a -j2 run, and the CPU seconds of its critical path (see the module's docstring):
    the serial part is the -j1 run's CPU time less that of scanning the whole file."""
    loaded, registry, policy = prepare(None, Overrides(fail_on="never"))
    plans = plan_files(find_sources([str(path)], loaded).sources, loaded)
    checks = build_checks(registry, policy, None, frozenset(p.split for p in plans if p.split), loaded.root)
    serial = whole_cpu - sum(cpu_seconds(lambda plan=plan: scan_file(plan, checks)) for plan in plans)
    shards = shard_plans(plans, 2, None)
    scanned, unpickled = [], 0.0
    for plan in shards:
        pickled: list[bytes] = []
        scanned.append(cpu_seconds(lambda plan=plan: pickled.append(pickle.dumps(scan_file(plan, checks)))))
        unpickled += cpu_seconds(lambda: pickle.loads(pickled[0]))
    return len(shards), max(scanned) + unpickled + serial


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--group-rows", type=int, default=10_000, help="rows per Parquet row group")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        jsonl = write_corpus(Path(tmp, "train.jsonl"), args.records)
        parquet = write_parquet(jsonl, Path(tmp, "train.parquet"), args.group_rows)
        print(f"{args.records:,} chat records; Parquet {parquet.stat().st_size / 1e6:.1f} MB in"
              f" {pq.ParquetFile(parquet).num_row_groups} row groups, JSON Lines {jsonl.stat().st_size / 1e6:.1f} MB")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
        print(f"{'file':<12}{'-j1 s':>8}{'-j2 s':>8}{'-j1 / -j2':>11}{'-j1 CPU s':>11}{'shards':>8}{'CPU ratio':>11}")
        for name, path in (("Parquet", parquet), ("JSON Lines", jsonl)):
            one, two = (
                best_of(args.repeat, lambda jobs=jobs: dslint.lint([str(path)], fail_on="never", jobs=jobs, cache=False))  # type: ignore[misc]
                for jobs in (1, 2)
            )
            whole_cpu = cpu_seconds(lambda: dslint.lint([str(path)], fail_on="never", jobs=1, cache=False))
            shards, path_cpu = critical_path(path, whole_cpu)
            print(f"{name:<12}{one:>8.1f}{two:>8.1f}{one / two:>11.2f}{whole_cpu:>11.1f}{shards:>8}{whole_cpu / path_cpu:>11.2f}")
        print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
