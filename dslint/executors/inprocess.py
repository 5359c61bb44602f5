"""Every shard in this process, in plan order: ``--jobs 1``, stdin and in-memory data."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from dslint.executors.base import Executor


class InProcessExecutor(Executor):
    name = "inprocess"
    ships_results = False

    def map(self, shards: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        assert self.scan is not None, "open() first"
        for i, shard in enumerate(shards):
            yield i, self.scan(shard, self.checks)
