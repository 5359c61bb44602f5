"""Benchmark: `dslint fix` against `dslint check` with the same (fixable) rules on a realistic
train/validation/test chat corpus, with a share of records made defective (duplicates, BOMs,
zero-width spaces, decomposed accents, train rows copied into test). Prints the time ratio, the
passes and the changes; asserts nothing.

    python bench/bench_fix.py --records 20000 [--defects 0.02]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_split_corpus  # noqa: E402

import dslint  # noqa: E402
from dslint.registry import load_registry  # noqa: E402

_DEFECTS = ("\ufeff", "\u200b", "e\u0301")


def plant_defects(folder: Path, share: float, seed: int = 11) -> None:
    rng = random.Random(seed)
    train = (folder / "train.jsonl").read_text(encoding="utf-8").splitlines()
    out = []
    for line in train:
        if rng.random() < share:
            record = json.loads(line)
            turn = record["messages"][-1]
            if isinstance(turn.get("content"), str):
                turn["content"] = rng.choice(_DEFECTS) + turn["content"]
            line = json.dumps(record, ensure_ascii=False)
        out.append(line)
        if rng.random() < share:
            out.append(line)  # an exact duplicate
    (folder / "train.jsonl").write_text("\n".join(out) + "\n", encoding="utf-8")
    with (folder / "test.jsonl").open("a", encoding="utf-8") as test:
        test.writelines(line + "\n" for line in rng.sample(train, max(1, int(len(train) * share / 4))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--defects", type=float, default=0.02)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp, "data")
        write_split_corpus(data, args.records)
        plant_defects(data, args.defects)
        fixable = sorted(code for code, rule in load_registry().rules.items() if rule.fix is not None)
        start = time.perf_counter()
        report = dslint.lint([str(data)], select=fixable, fail_on="never")
        check = time.perf_counter() - start
        start = time.perf_counter()
        summary = dslint.fix([str(data)], Path(tmp, "clean"), select=fixable, unsafe_fixes=True)
        fix = time.perf_counter() - start
    print(f"records: {report.summary.records:,}; findings of fixable rules: {len(report.findings):,}")
    print(f"check {check:.2f} s, fix {fix:.2f} s: fix/check = {fix / check:.2f} ({summary.passes} writing pass(es): one lint before, one after each)")
    print(summary.to_text())


if __name__ == "__main__":
    main()
