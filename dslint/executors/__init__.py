"""Where the shards of a run are scanned: in this process, in a process pool, or on a Ray cluster.

The engine plans the shards, hands them to an executor and merges, finalizes and applies the
policy itself; an executor only decides where the engine's pure per-shard function runs and where
dataset-check states are merged. Executors never import checks.
"""

from __future__ import annotations

from dslint.executors.base import CheckCrashed, Executor, ExecutorError, Scan, WorkerDied

__all__ = ["CheckCrashed", "Executor", "ExecutorError", "Scan", "WorkerDied", "EXECUTORS", "make_executor"]

EXECUTORS = ("inprocess", "pool", "ray")


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
