"""Benchmark: the cost of findings, time and peak memory per finding, on a corpus that produces
many (PII, HTML residue, placeholders, AI boilerplate, exact duplicates: ~6 findings a record).

Each run is `dslint check` in its own subprocess (`--no-cache -j1`), so its peak RSS (`ru_maxrss`)
is its own. The cost per finding is the run's excess over the floor, the same file linted with
`--select DS1` (read, parse, detect the format; no finding), divided by the findings reported:

  json       --format json -o FILE    every finding rendered with its snippet
  concise    --format concise -o FILE a format that shows no snippet
  all json   --format json, every rule (duplicates' dataset states included in the excess)

With ``--baseline DIR`` (another checkout, e.g. ``git worktree add /tmp/main main``) the same runs
use that code too, in the same run, and the table gives this checkout's figures as ratios to it
and says whether both wrote the same bytes.

    python bench/bench_findings.py [--records 10000] [--baseline DIR]

Prints a table; asserts nothing. Target (issue 13): <= 1 KB of peak memory per finding with
--format json.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNS = {
    "floor": ["--select", "DS1", "--format", "json"],
    "json": ["--select", "DS5,DS8", "--format", "json"],
    "concise": ["--select", "DS5,DS8", "--format", "concise"],
    "all json": ["--format", "json"],
}


def write_corpus(path: Path, records: int, seed: int = 1) -> Path:
    """Chats where the user turn holds an email, a phone number, HTML and a placeholder, the answer
    AI boilerplate and an HTML entity; every fifth record repeats the one before."""
    rng = random.Random(seed)
    rows: list[dict] = []
    for i in range(records):
        if i % 5 == 4:
            rows.append(rows[-1])
            continue
        n = rng.randrange(10**6)
        user = (f"Hi, I am user {n}. Mail me at person{n}@mailbox.de or call +1 415 555 {n % 10000:04d}."
                f" <div>How do I reset {{{{name}}}}?</div>")
        rows.append({"messages": [{"role": "user", "content": user},
                                  {"role": "assistant", "content": "As an AI language model, I can help &amp; more."}]})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def worker(args: list[str]) -> None:
    """In the subprocess: one `dslint check`, then its time and peak RSS as JSON on stdout's last line."""
    from dslint.cli import main

    start = time.perf_counter()
    code = main(args)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    print(json.dumps({"code": code, "seconds": seconds, "peak": peak}))


def measure(code_dir: Path, corpus: Path, run: list[str], output: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code_dir), "DSLINT_NO_CACHE": "1"}
    args = ["check", str(corpus), "--no-cache", "-j1", "--fail-on", "never", "--quiet", "-o", str(output), *run]
    proc = subprocess.run([sys.executable, __file__, "--worker", *args], env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def findings_in(path: Path) -> int:
    return len(json.loads(path.read_text(encoding="utf-8"))["findings"])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--baseline", type=Path, help="another dslint checkout to compare with")
    args = parser.parse_args()
    checkouts = {"this": HERE.parent} | ({"baseline": args.baseline.resolve()} if args.baseline else {})

    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_corpus(Path(tmp) / "train.jsonl", args.records)
        print(f"corpus: {args.records:,} chat records, {corpus.stat().st_size / 1e6:.1f} MB")
        figures: dict[tuple[str, str], dict] = {}
        for name, code_dir in checkouts.items():
            for run, flags in RUNS.items():
                out = Path(tmp) / f"{name}-{run.replace(' ', '-')}.out"
                figures[name, run] = measure(code_dir, corpus, flags, out) | {"out": out}
        counts = {run: findings_in(figures["this", run]["out"]) for run in RUNS if "json" in run}
        counts["concise"] = counts["json"]  # the same rules

        print(f"{'checkout':<10}{'run':<10}{'findings':>10}{'seconds':>9}{'peak MB':>9}{'us/finding':>12}{'KB/finding':>12}")
        for name in checkouts:
            floor = figures[name, "floor"]
            print(f"{name:<10}{'floor':<10}{0:>10}{floor['seconds']:>9.2f}{floor['peak'] / 1e6:>9.0f}")
            for run in RUNS:
                if run == "floor":
                    continue
                f, n = figures[name, run], counts[run]
                f["us"] = (f["seconds"] - floor["seconds"]) / n * 1e6
                f["kb"] = (f["peak"] - floor["peak"]) / n / 1024
                print(f"{name:<10}{run:<10}{n:>10,}{f['seconds']:>9.2f}{f['peak'] / 1e6:>9.0f}{f['us']:>12.0f}{f['kb']:>12.2f}")
        if "baseline" in checkouts:
            print("\nthis / baseline (per finding, above the floor)")
            print(f"{'run':<10}{'time':>8}{'memory':>8}  same bytes")
            for run in RUNS:
                if run == "floor":
                    continue
                a, b = figures["this", run], figures["baseline", run]
                same = filecmp.cmp(a["out"], b["out"], shallow=False)
                print(f"{run:<10}{a['us'] / b['us']:>8.2f}{a['kb'] / b['kb']:>8.2f}  {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
