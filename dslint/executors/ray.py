"""Shards on a Ray cluster (``--executor ray [--ray-address ADDRESS]``; ``pip install 'dslint[ray]'``).

The driver puts the run's checks in the object store once; each worker process fetches them once
and keeps them. A scan task reads its shard on the worker (local paths the worker can see, or any
URL fsspec understands) and returns its findings to the driver; each dataset-check state stays in
the object store, and ``reduce`` merges them pairwise in plan order on the workers, so only the
final state of each check reaches the driver. States of a relational check (``KeyedCheck``:
duplicates, leakage) are condensed first, by a keyed shuffle on the workers (``dslint.keyed``):
each shard's keys are cut into ``partitions`` pieces by hash, one task per piece finds the keys
two rows share, and every shard, given those hot keys, keeps only the rows holding one. Neither
the keys nor the hot keys pass through the driver. Ray retries a task whose worker died; a task that
still fails, or a check that raised, stops the run with a one-line error.

ray is imported inside functions: dslint without the extra never loads it.
"""

from __future__ import annotations

import logging
import socket
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from dslint.executors.base import CheckCrashed, Executor, ExecutorError, Scan, WorkerDied
from dslint.keyed import KeyedCheck, condense, hot_keys, tallies
from dslint.redact import display_path, printable
from dslint.registry import PLUGIN_MODULE_PREFIX

_CONNECT_TIMEOUT = 5  # seconds
_MAX_RETRIES = 3  # for a task whose worker died; a check that raises is not retried
_MAX_PIECES = 64  # a keyed shuffle's reducers: shards x pieces objects in the store
_contexts: dict[str, tuple[Any, Scan]] = {}  # in a worker: the run's checks, by object id


class RayExecutor(Executor):
    name = "ray"

    def __init__(self, address: str | None = None) -> None:
        super().__init__()
        self.address = address
        self._started = False  # whether this executor started (and so stops) the connection
        self._box: list[Any] = []  # [reference to (checks, scan)], boxed so Ray passes it unresolved
        self._cpus = 1
        self._logs_were: bool | None = None  # whether Ray printed worker messages before open

    @property
    def parts(self) -> int:
        return self._cpus

    @property
    def partitions(self) -> int:
        """Pieces the keys of a shuffle are cut into: one reducer task each, one per CPU up to
        ``_MAX_PIECES`` (every shard returns an object per piece)."""
        return min(self._cpus, _MAX_PIECES)

    def open(self, checks: Any, scan: Scan) -> None:
        super().open(checks, scan)
        ray = _ray()
        if not ray.is_initialized():
            where = f"the Ray cluster at {printable(self.address)}" if self.address else "a local Ray cluster"
            _check_reachable(self.address, where)
            try:
                ray.init(address=self.address, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
            except (ConnectionError, RuntimeError, ValueError, TimeoutError) as exc:
                reason = printable(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)[:200]
                raise ExecutorError(f"cannot start or reach {where}: {reason}") from None
            self._started = True
        self._cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        if self._logs_were is None:
            self._logs_were = _driver_logs(False)
        _ship_plugins(ray, checks)
        self._box = [ray.put((checks, scan))]

    def map(self, shards: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Submits every shard now; yields each result as it completes, its states left on the cluster."""
        ray = _ray()
        returns = 1 + len(self.checks.dataset)
        task = ray.remote(_scan_task).options(num_returns=returns, max_retries=_MAX_RETRIES, retry_exceptions=False)
        pending = {}
        for i, shard in enumerate(shards):
            refs = task.remote(self._box, _absolute(shard))
            refs = [refs] if returns == 1 else refs
            pending[refs[0]] = (i, refs[1:])
        return self._collect(pending, shards)

    def _collect(self, pending: dict[Any, tuple[int, list[Any]]], shards: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        ray = _ray()
        waiting = list(pending)
        try:
            while waiting:
                done, waiting = ray.wait(waiting, num_returns=1)
                i, states = pending[done[0]]
                result = _get(done[0], shards[i])
                result.states = states  # references: resolved by reduce, on the workers
                yield i, result
        except BaseException:
            for ref in waiting:
                ray.cancel(ref, force=True)
            raise

    def reduce(self, index: int, states: Sequence[Any]) -> Any:
        """A tree of pairwise merges of neighbours, run on the workers; the driver gets the root."""
        if not states:
            return self.checks.dataset[index].init()
        ray = _ray()
        merge = ray.remote(_merge_task).options(max_retries=_MAX_RETRIES, retry_exceptions=False)
        level = self._condensed(index, states) if isinstance(self.checks.dataset[index], KeyedCheck) else list(states)
        while len(level) > 1:
            pairs = [merge.remote(self._box, index, level[k], level[k + 1]) for k in range(0, len(level) - 1, 2)]
            level = pairs + level[len(level) - len(level) % 2 :]
        root = level[0]
        return _get(root, None) if isinstance(root, ray.ObjectRef) else root

    def _condensed(self, index: int, states: Sequence[Any]) -> list[Any]:
        """The states with only the rows sharing a key with another row, as references: a
        shuffle of the keys by hash, then each shard condensed against the hot keys."""
        ray = _ray()
        parts = self.partitions
        options = {"max_retries": _MAX_RETRIES, "retry_exceptions": False}
        tally = ray.remote(_tally_task).options(num_returns=parts, **options)
        pieces = [tally.remote(self._box, index, state, parts) for state in states]
        pieces = [p if parts > 1 else [p] for p in pieces]
        hot = [ray.remote(_hot_task).options(**options).remote(*[p[k] for p in pieces]) for k in range(parts)]
        condensed = ray.remote(_condense_task).options(**options)
        return [condensed.remote(self._box, index, state, *hot) for state in states]

    def close(self) -> None:
        self._box = []
        _contexts.clear()
        if self._logs_were is not None:
            _driver_logs(self._logs_were)
            self._logs_were = None
        if self._started:
            _ray().shutdown()
            self._started = False


def _driver_logs(enabled: bool) -> bool:
    """Turn Ray's printing of worker and raylet messages ("A worker died ...") on this process's
    stdout, where dslint writes its report, on or off; returns whether it was on. Ray has no
    public switch for the raylet's messages: this is the flag its own debugger sets."""
    from ray._private import worker

    was = bool(getattr(worker, "_worker_logs_enabled", True))
    if hasattr(worker, "_worker_logs_enabled"):
        worker._worker_logs_enabled = enabled
    return was


def _ship_plugins(ray: Any, checks: Any) -> None:
    """Checks from a plugin file live in a module (``dslint_plugin_<name>``) that workers cannot
    import: cloudpickle sends such a module's code by value, with the checks."""
    for check in (*checks.record, *checks.dataset):
        module = sys.modules.get(type(check).__module__)
        if module is not None and module.__name__.startswith(PLUGIN_MODULE_PREFIX):
            ray.cloudpickle.register_pickle_by_value(module)


def _absolute(shard: Any) -> Any:
    """The shard with its local path made absolute: a worker runs in a folder of its own."""
    path = shard.source.path
    return shard if path is None else replace(shard, source=replace(shard.source, path=path.absolute()))


def _check_reachable(address: str | None, where: str) -> None:
    """Fail fast on an address nothing listens at: ray.init would retry it for minutes."""
    if not address or address in ("auto", "local"):
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=_CONNECT_TIMEOUT).close()
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or ("not HOST:PORT" if isinstance(exc, ValueError) else type(exc).__name__)
        raise ExecutorError(f"cannot reach {where}: {str(reason).lower()}") from None


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ExecutorError("--executor ray needs Ray: pip install 'dslint[ray]'") from None
    return ray


def _get(ref: Any, shard: Any) -> Any:
    """The value of a task's result; its failure as a one-line error naming the shard."""
    ray = _ray()
    what = f"scanning {display_path(shard.source.display)}" if shard is not None else "merging states"
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        cause = exc.cause
        if isinstance(cause, CheckCrashed):
            raise CheckCrashed(str(cause)) from None
        raise CheckCrashed(f"a Ray task failed {what}: {type(cause).__name__}: {printable(str(cause))[:200]}") from None
    except ray.exceptions.RayError as exc:
        raise WorkerDied(f"a Ray worker failed {what} after {_MAX_RETRIES} retries: {type(exc).__name__}") from None


def _context(box: list[Any]) -> tuple[Any, Scan]:
    """The run's checks and scan function, fetched once per worker process and run."""
    key = box[0].hex()
    if key not in _contexts:
        import ray

        _contexts.clear()  # a worker serves one run at a time; the last one's checks can go
        _contexts[key] = ray.get(box[0])
    return _contexts[key]


def _scan_task(box: list[Any], shard: Any) -> Any:
    checks, scan = _context(box)
    result = scan(shard, checks)
    # settled: a table's last rows hashed once here, not again by every task that reads the state
    states, result.states = [check.settle(s) for check, s in zip(checks.dataset, result.states)], []
    return (result, *states) if states else result


def _tally_task(box: list[Any], index: int, state: Any, parts: int) -> Any:
    checks, _ = _context(box)
    pieces = tallies(checks.dataset[index].keys(state), parts)
    return tuple(pieces) if parts > 1 else pieces[0]


def _hot_task(*pieces: Any) -> Any:
    return hot_keys(pieces)


def _condense_task(box: list[Any], index: int, state: Any, *hot: Any) -> Any:
    checks, _ = _context(box)
    return condense(checks.dataset[index], state, hot)


def _merge_task(box: list[Any], index: int, a: Any, b: Any) -> Any:
    checks, _ = _context(box)
    return checks.dataset[index].merge(a, b)
