"""Benchmark: dslint throughput on a realistic corpus, as ratios to plain orjson parsing of the
same files measured in the same run (the floor). Prints a table; asserts nothing.

    python bench/run.py --records 100000 --splits [--layout chat|instruction] [--families DEFAULT,ALL]
        [--jobs 1,2] [--warm] [--baseline DIR] [--peak]

``--warm`` adds the per-file cache: a cold run (empty cache), a warm one (nothing changed) and one
after the test file changed, as ratios to the cold run. Each lint is timed in an interpreter of
its own, after a warm-up lint. ``--baseline DIR`` times the same lints with an older checkout of
dslint (``git worktree add DIR <commit>``, or ``git archive <commit> | tar -x -C DIR``), for a
before/after ratio in one run: the "x baseline" column divides best-ofs, the "dslint / baseline"
lines give the median of paired rounds (both checkouts timed next to each other in each round).
The near-duplicate comparison with datasketch is ``bench/bench_neardup.py``. ``--peak`` adds the peak resident memory of a
``dslint check --format json`` of the corpus (issue 13: under 1 GB at 1M chat records).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import LAYOUTS, write_corpus, write_split_corpus  # noqa: E402
from harness import best_of, orjson_baseline  # noqa: E402

import dslint  # noqa: E402

_LINT_RUN = (
    "import sys, time, dslint\n"
    "assert dslint.__file__.startswith(sys.argv[5]), f'timing {dslint.__file__}, not the baseline'\n"
    "dslint.lint([sys.argv[4]], fail_on='never', jobs=1, cache=False)  # warm-up: imports, compiled patterns\n"
    "start = time.perf_counter()\n"
    "dslint.lint([sys.argv[1]], select=None if sys.argv[2] == 'DEFAULT' else [sys.argv[2]], fail_on='never', jobs=int(sys.argv[3]), cache=False)\n"
    "print(time.perf_counter() - start)\n"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--layout", choices=sorted(LAYOUTS), default="chat")
    parser.add_argument("--families", default="DEFAULT,ALL", help="comma-separated selectors to time one by one (DEFAULT: no --select)")
    parser.add_argument("--jobs", default="1", help="comma-separated worker counts")
    parser.add_argument("--splits", action="store_true", help="train/validation/test files (90/5/5) instead of one train file")
    parser.add_argument("--warm", action="store_true", help="also time the per-file cache: cold, warm, one file changed")
    parser.add_argument("--baseline", type=Path, help="an older dslint checkout to time the same runs with")
    parser.add_argument("--peak", action="store_true", help="also the peak memory of `dslint check --format json`, -j1, in a fresh process")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.splits:
            paths = write_split_corpus(Path(tmp) / "data", args.records, layout=args.layout)
            path = paths[0].parent
        else:
            path = write_corpus(Path(tmp) / "train.jsonl", args.records, layout=args.layout)
            paths = [path]
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        base = best_of(args.repeat, lambda: [orjson_baseline(p) for p in paths])
        warm_up = paths[-1]  # the smallest file: loads what a first run loads, before the timed runs
        dslint.lint([str(warm_up)], fail_on="never", jobs=1, cache=False)  # for the cache runs, in this process
        layout = "train/validation/test" if args.splits else "train only"
        print(f"corpus: {args.records:,} {args.layout} records ({layout}), {size_mb:.1f} MB; load average {os.getloadavg()[0]:.1f}")
        print(f"{'what':<34}{'seconds':>9}{'records/s':>12}{'x orjson':>10}{'x baseline':>12}")
        row("orjson parse (floor)", base, args.records, base)
        counts = [int(j) for j in args.jobs.split(",")]
        for selector in args.families.split(","):
            checkouts = [HERE.parent] + ([args.baseline] if args.baseline else [])
            per_checkout = lint_runs(checkouts, path, warm_up, selector, counts, args.repeat)
            runs, old = per_checkout[0], per_checkout[1] if args.baseline else None
            for jobs in counts:
                label = f"dslint {selector}" + (f" -j{jobs}" if jobs > 1 else "")
                row(label, min(runs[jobs]), args.records, base, min(old[jobs]) if old else None)
                if old is not None:
                    row(f"  baseline {selector}" + (f" -j{jobs}" if jobs > 1 else ""), min(old[jobs]), args.records, base)
            for name, timed in [("dslint", runs)] + ([("baseline", old)] if old else []):
                for jobs in (j for j in counts if j > 1 and 1 in counts):
                    print(f"{name} {selector} -j{jobs} over -j1, median of {args.repeat} paired runs: {paired_speedup(timed[1], timed[jobs]):.2f}x")
            for jobs in counts if old else []:
                print(f"dslint / baseline {selector} -j{jobs}, median of {args.repeat} paired runs: {paired_ratio(runs[jobs], old[jobs]):.2f}")
        if args.warm:
            cache_runs(Path(tmp), path, paths[-1], args.records, base)
        if args.peak:
            for name, checkout in [("dslint", Path(dslint.__file__).parent.parent)] + ([("baseline", args.baseline)] if args.baseline else []):
                print(f"peak RSS, {name} check --format json -j1: {peak_mib(checkout, path, Path(tmp) / 'peak.json'):,.0f} MiB")


def row(label: str, secs: float, records: int, base: float, old: float | None = None) -> None:
    versus = f"{secs / old:>12.2f}" if old else ""
    print(f"{label:<34}{secs:>9.3f}{records / secs:>12,.0f}{secs / base:>10.2f}{versus}")


def lint_runs(
    checkouts: list[Path], path: Path, warm_up: Path, selector: str, counts: list[int], repeat: int
) -> list[dict[int, list[float]]]:
    """Per checkout (this one, then the baseline), ``repeat`` timed lints for each worker count.
    A round times every checkout at every count, the counts and, within each, the checkouts
    taken in turn (in reverse order every other round): the checkouts' runs at a count are
    neighbours in time, and each one's -j1 and -jN runs one run apart. Each lint runs in a fresh
    interpreter after a warm-up lint of ``warm_up``, timed inside it: every figure comes from a
    process that ran nothing else (as a CLI run does), not one whose earlier runs left their heap
    behind for the workers it forks."""
    runs: list[dict[int, list[float]]] = [{jobs: [] for jobs in counts} for _ in checkouts]
    for round_ in range(repeat):
        flip = round_ % 2 == 1
        for jobs in counts[::-1] if flip else counts:
            for index in reversed(range(len(checkouts))) if flip else range(len(checkouts)):
                env = {**os.environ, "PYTHONPATH": str(checkouts[index])}
                # -P: `python -c` would otherwise put the working directory, perhaps this checkout, first
                command = [sys.executable, "-P", "-c", _LINT_RUN, str(path), selector, str(jobs), str(warm_up), str(checkouts[index].resolve())]
                runs[index][jobs].append(float(subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout))
    return runs


def paired_ratio(new: list[float], old: list[float]) -> float:
    """The median of each round's time by this checkout over the baseline's (see ``paired_speedup``)."""
    return statistics.median(a / b for a, b in zip(new, old))


def paired_speedup(single: list[float], parallel: list[float]) -> float:
    """The median of each round's -j1 time over its -jN time: on a machine whose speed drifts by
    10-25% from one minute to the next, a ratio of neighbouring runs is steadier than a ratio of
    two best-ofs taken minutes apart."""
    return statistics.median(a / b for a, b in zip(single, parallel))


_PEAK_RUN = (
    "import resource, sys, dslint\n"
    "assert dslint.__file__.startswith(sys.argv[3]), f'measuring {dslint.__file__}, not {sys.argv[3]}'\n"
    "from dslint.cli import main\n"
    "main(['check', sys.argv[1], '--no-cache', '-j1', '--fail-on', 'never', '--quiet', '--format', 'json', '-o', sys.argv[2]])\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux\n"
)


def peak_mib(checkout: Path, path: Path, output: Path) -> float:
    """The peak resident memory of one `dslint check` by ``checkout``, in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    command = [sys.executable, "-P", "-c", _PEAK_RUN, str(path), str(output), str(checkout.resolve())]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return int(done.stdout.split()[-1]) / 1024


def cache_runs(root: Path, data: Path, changed_file: Path, records: int, base: float) -> None:
    """Cold, warm and one-file-changed runs of the default lint with the per-file cache."""
    os.environ.setdefault("XDG_CACHE_HOME", str(root / "xdg"))  # the cache's key, outside the data
    os.chdir(root)  # no config: the cache is ./.dslint_cache, in the temporary folder

    def lint() -> float:
        start = time.perf_counter()
        dslint.lint([str(data)], fail_on="never", jobs=1, cache=True)
        return time.perf_counter() - start

    cold, warm = lint(), lint()
    with changed_file.open("ab") as fh:
        fh.write(changed_file.open("rb").readline())  # one file gains a record
    changed = lint()
    for label, secs in (("cache cold (empty)", cold), ("cache warm (unchanged)", warm), (f"cache, {changed_file.name} changed", changed)):
        print(f"{label:<34}{secs:>9.3f}{records / secs:>12,.0f}{secs / base:>10.2f}   {secs / cold:.3f} of cold")


if __name__ == "__main__":
    main()
