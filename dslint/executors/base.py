"""The executor boundary: the few primitives that differ between running in this process, in a
process pool and on a Ray cluster.

``open(checks, scan)`` ships the run's immutable context once per worker; ``map(shards)`` runs
``scan(shard, checks)`` on every shard and yields ``(index, result)`` in any order (the engine
restores plan order); ``reduce(index, states)`` merges the states of dataset check ``index``, given
in plan order, into one (a cluster may first condense the states of a ``dslint.keyed.KeyedCheck``
to the rows sharing a key, by a keyed shuffle; here and in a pool, whole states are folded);
``close()`` releases the workers. States in a result may be handles the
executor alone understands (Ray object references); only ``reduce`` resolves them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from functools import reduce
from typing import Any, ClassVar

Scan = Callable[[Any, Any], Any]  # the engine's scan_file(plan, checks) -> FileResult


class CheckCrashed(Exception):
    """A check raised on some record: a bug in dslint or a plugin, reported as a one-line error."""


class WorkerDied(CheckCrashed):
    """A worker ended abruptly (killed for memory, or a plugin exited it)."""


class ExecutorError(Exception):
    """The executor cannot run: its extra is not installed, or its cluster cannot be reached."""


class Executor(ABC):
    name: ClassVar[str]
    # Results leave the process that scanned them (a pool, a cluster): the engine then has each
    # scan settle its states first, so their deferred work runs on the workers, in parallel.
    ships_results: ClassVar[bool] = True

    def __init__(self) -> None:
        self.checks: Any = None
        self.scan: Scan | None = None

    @property
    def parts(self) -> int:
        """How many pieces a large file is worth cutting into: one per worker."""
        return 1

    def open(self, checks: Any, scan: Scan) -> None:
        self.checks, self.scan = checks, scan

    @abstractmethod
    def map(self, shards: Sequence[Any]) -> Iterator[tuple[int, Any]]: ...

    def reduce(self, index: int, states: Sequence[Any]) -> Any:
        """A left fold in plan order; merges are associative and commutative, so a tree of them
        gives the same state."""
        check = self.checks.dataset[index]
        return reduce(check.merge, states) if states else check.init()

    def close(self) -> None:
        """Release the workers; an executor can be opened again afterwards."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
