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


def orjson_baseline(path: Path) -> int:
    """Plain orjson parsing of every non-blank line: the cost floor of reading the file. Records
    are dropped as they are parsed, as dslint's stream drops them: keeping 100k parsed records
    alive makes the garbage collector triple the time and the baseline meaningless."""
    count = 0
    with path.open("rb") as fh:
        for line in fh:
            if line.strip():
                orjson.loads(line)
                count += 1
    return count


def load_records(path: Path) -> list[dict]:
    """Every non-blank line of a JSON Lines file, parsed (for preparing inputs, not for timing)."""
    with path.open("rb") as fh:
        return [orjson.loads(line) for line in fh if line.strip()]
