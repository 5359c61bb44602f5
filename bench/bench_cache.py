"""Benchmark: the per-file cache on a multi-file dataset (8 train files, validation and test).
Prints the cold run (empty cache), the warm run (nothing changed) and a run after one file of ten
changed, as times and ratios to the cold run, all in one process and one run; asserts nothing.

    python bench/bench_cache.py --records 10000 [--jobs 1]

Targets (issue 13): warm < 5% of cold; one of ten changed < 20% of cold.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus  # noqa: E402

import dslint  # noqa: E402

FILES = 10


def write_dataset(folder: Path, records: int) -> list[Path]:
    """Ten files of ``records`` chat records each (``corpus.write_corpus``, one seed per file):
    eight train parts, a validation and a test file, so the cross-split checks do their work."""
    splits = ["train"] * (FILES - 2) + ["validation", "test"]
    folder.mkdir(parents=True)
    return [write_corpus(folder / f"{split}-{i:02d}.jsonl", records, seed=7 + i) for i, split in enumerate(splits)]


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000, help="records per file (10 files)")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = write_dataset(root / "data", args.records)
        os.chdir(root)  # no config: the cache goes to ./.dslint_cache
        os.environ.setdefault("XDG_CACHE_HOME", str(root / "xdg"))  # the key, outside the data

        def lint() -> dslint.Report:
            return dslint.lint("data", jobs=args.jobs)

        size = sum(p.stat().st_size for p in files) / 1e6
        print(f"dataset: {len(files)} files x {args.records:,} chat records, {size:.1f} MB, --jobs {args.jobs}")
        nocache, _ = timed(lambda: dslint.lint("data", jobs=args.jobs, cache=False))
        cold, first = timed(lint)
        warm, again = timed(lint)
        with open(files[3], "ab") as fh:  # one train file of ten gains a record
            fh.write(open(files[3], "rb").readline())
        changed, edited = timed(lint)
        cache_mb = sum(p.stat().st_size for p in (root / ".dslint_cache").rglob("*") if p.is_file()) / 1e6

        same = first.model_copy(update={"summary": first.summary.model_copy(update={"cache": None})}) == again.model_copy(
            update={"summary": again.summary.model_copy(update={"cache": None})}
        )
        print(f"{'run':<28}{'seconds':>9}{'/ cold':>9}  cache hits/misses")
        print(f"{'no cache':<28}{nocache:>9.2f}{nocache / cold:>9.3f}")
        for name, secs, report in (("cold (empty cache)", cold, first), ("warm (unchanged)", warm, again), ("one of ten files changed", changed, edited)):
            c = report.summary.cache
            print(f"{name:<28}{secs:>9.2f}{secs / cold:>9.3f}  {c.hits}/{c.misses}")
        print(f"cache size: {cache_mb:.1f} MB; warm report identical to cold: {same}")


if __name__ == "__main__":
    main()
