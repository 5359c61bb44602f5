"""Benchmark: dslint throughput on a realistic chat corpus, as ratios to plain orjson parsing of
the same file measured in the same run. Prints a table; asserts nothing.

    python bench/run.py --records 100000 [--families schema,content] [--jobs 1,2] [--splits]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus, write_split_corpus  # noqa: E402
from harness import best_of, orjson_baseline  # noqa: E402

import dslint  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--families", default="schema,content,ALL", help="comma-separated selectors to time one by one")
    parser.add_argument("--jobs", default="1", help="comma-separated worker counts (files are the unit of work)")
    parser.add_argument("--splits", action="store_true", help="train/validation/test files (90/5/5) instead of one train file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.splits:
            paths = write_split_corpus(Path(tmp) / "data", args.records)
            path = paths[0].parent
        else:
            path = write_corpus(Path(tmp) / "train.jsonl", args.records)
            paths = [path]
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        base = best_of(args.repeat, lambda: [orjson_baseline(p) for p in paths])
        layout = "train/validation/test" if args.splits else "train only"
        print(f"corpus: {args.records:,} chat records ({layout}), {size_mb:.1f} MB")
        print(f"{'what':<28}{'seconds':>10}{'records/s':>14}{'x orjson':>10}")
        print(f"{'orjson parse (baseline)':<28}{base:>10.3f}{args.records / base:>14,.0f}{1.0:>10.2f}")
        for jobs in (int(j) for j in args.jobs.split(",")):
            for selector in args.families.split(","):
                secs = best_of(args.repeat, lambda: dslint.lint([str(path)], select=[selector], fail_on="never", jobs=jobs, cache=False))
                label = f"dslint {selector}" + (f" -j{jobs}" if jobs > 1 else "")
                print(f"{label:<28}{secs:>10.3f}{args.records / secs:>14,.0f}{secs / base:>10.2f}")


if __name__ == "__main__":
    main()
