"""What every benchmark shares: best-of-N timing and the baseline every figure is a ratio to."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import orjson


def best_of(n: int, fn: Callable[[], object]) -> float:
    """The fastest of ``n`` runs of ``fn``, in seconds (the least disturbed by other load)."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def orjson_baseline(path: Path) -> list[dict]:
    """Plain orjson parsing of every non-blank line: the cost floor of reading the file."""
    with path.open("rb") as fh:
        return [orjson.loads(line) for line in fh if line.strip()]
