"""Where the shards of a run are scanned: in this process, in a process pool, or on a Ray cluster.

The engine plans the shards, hands them to an executor and merges, finalizes and applies the
policy itself; an executor only decides where the engine's pure per-shard function runs and where
dataset-check states are merged. Executors never import checks.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from dslint.executors.base import CheckCrashed, Executor, ExecutorError, Scan, WorkerDied

__all__ = [
    "CheckCrashed", "Executor", "ExecutorError", "Scan", "WorkerDied", "EXECUTORS", "default_jobs", "make_executor"
]

EXECUTORS = ("inprocess", "pool", "ray")
# Less data than this is linted sooner in this process than worker processes start and send
# their states back.
POOL_MIN_BYTES = 2 << 20


def available_cpus() -> int:
    """The CPUs this process may run on (a container's or taskset's limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_jobs(sizes: Sequence[int]) -> int:
    """Worker processes when neither the command line nor the config says: one per available CPU,
    once the files (their ``sizes`` in bytes) are worth it."""
    return available_cpus() if sum(sizes) >= POOL_MIN_BYTES else 1


def make_executor(name: str | None, jobs: int = 1, ray_address: str | None = None) -> Executor:
    """The executor called ``name``; by default a process pool when ``jobs > 1``, else this process."""
    name = name or ("pool" if jobs > 1 else "inprocess")
    if name == "ray":
        from dslint.executors.ray import RayExecutor

        return RayExecutor(ray_address)
    if name == "pool" and jobs > 1:
        from dslint.executors.pool import PoolExecutor

        return PoolExecutor(jobs)
    from dslint.executors.inprocess import InProcessExecutor

    return InProcessExecutor()  # a pool of one worker is this process
