"""Shards in worker processes on this machine (``--jobs N``).

Workers are forked, so plugin modules loaded from files stay importable, and get the run's checks
once, when they start; a task ships only its shard. Workers ignore Ctrl-C (the main process stops
them) and die with the main process even when it is killed outright.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from dslint.executors import handoff
from dslint.executors.base import Executor, Scan, WorkerDied

_PR_SET_PDEATHSIG = 1
_run: tuple[Any, Scan, Path | None] | None = None  # in a worker: the run's checks, the scan function, the hand-off folder


class PoolExecutor(Executor):
    name = "pool"

    def __init__(self, jobs: int) -> None:
        super().__init__()
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None
        self._handoff: Path | None = None

    @property
    def parts(self) -> int:
        return self.jobs

    def map(self, shards: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Submits every shard now, so the caller can read stdin meanwhile; yields in plan order."""
        assert self.scan is not None, "open() first"
        if len(shards) < 2:  # not worth starting a process
            return ((i, self.scan(shard, self.checks)) for i, shard in enumerate(shards))
        # fork keeps plugin modules loaded from files importable in the workers
        ctx = multiprocessing.get_context("fork") if os.name == "posix" else None
        self._handoff = handoff.open_folder()
        self._pool = ProcessPoolExecutor(
            max_workers=min(self.jobs, len(shards)),
            mp_context=ctx,
            initializer=_worker_start,
            initargs=(os.getpid(), self.checks, self.scan, self._handoff),
        )
        return self._collect(self._pool.map(_scan_in_worker, shards))

    def _collect(self, results: Iterator[Any]) -> Iterator[tuple[int, Any]]:
        i = 0
        try:
            while True:
                try:
                    result = next(results)
                except StopIteration:
                    return
                except BrokenProcessPool as exc:
                    why = "a worker process died while scanning (killed for lack of memory?); try fewer --jobs"
                    raise WorkerDied(why) from exc
                yield i, handoff.unpack(result)
                i += 1
        except BaseException:  # an error, Ctrl-C or SIGTERM: no worker goes on scanning
            self._stop_workers()
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._stop_workers()  # after a complete run nothing is left to stop but idle workers

    def _stop_workers(self) -> None:
        """Kill the pool's workers now: shutdown alone would let them finish the queued files."""
        pool, self._pool = self._pool, None
        folder, self._handoff = self._handoff, None
        if pool is None:
            handoff.close_folder(folder)  # the pool never started
            return
        workers = list((getattr(pool, "_processes", None) or {}).values())  # no public API for this
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.kill()
        for worker in workers:
            worker.join(5)
        handoff.close_folder(folder)


def _scan_in_worker(shard: Any) -> Any:
    assert _run is not None
    checks, scan, folder = _run
    return handoff.pack(scan(shard, checks), folder)


def _worker_start(parent: int, checks: Any, scan: Scan, folder: Path | None) -> None:
    """A worker keeps the run's checks, leaves interruptions to the main process, which stops
    it, and dies with it even when the main process is killed outright (kill -9): on Linux
    through PR_SET_PDEATHSIG, else by watching its parent."""
    global _run
    _run = (checks, scan, folder)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    watched = False
    if sys.platform.startswith("linux"):
        try:
            watched = ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) == 0
        except (OSError, AttributeError):
            watched = False
    if not watched:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the main process died before the watch began
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)
