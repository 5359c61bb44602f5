"""Benchmark: the encoding (DS6xx) and length (DS7xx) families on a realistic chat corpus, as
ratios to plain orjson parsing of the same file measured in the same run. Records come from
dslint's own reader, so each row includes reading; the "reader only" row shows that share.
A second corpus has encoding defects injected into a share of the records (mojibake, zero-width
spaces, control characters), which exercises ftfy. Prints a table; asserts nothing.

    python bench/bench_record_checks_encoding_length.py --records 20000 [--inject 0.02]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus  # noqa: E402
from harness import best_of, orjson_baseline  # noqa: E402

from dslint.check import CheckContext  # noqa: E402
from dslint.checks.encoding.check import EncodingCheck  # noqa: E402
from dslint.checks.length.check import LengthCheck, LengthOutlierCheck  # noqa: E402
from dslint.formats import make_format  # noqa: E402
from dslint.readers import Source, read_source  # noqa: E402
from dslint.record import Record  # noqa: E402

DEFECTS = [
    lambda t: t.replace("e", "Ã©", 1),  # UTF-8 read as latin-1
    lambda t: t.replace(" ", " \u200b", 1),
    lambda t: t + " Thatâ€™s all.",
    lambda t: "\x1b[1m" + t + "\x1b[0m",
]




def records(path: Path) -> list[Record]:
    fmt = make_format("openai-chat")
    out = []
    for item in read_source(Source(path, path.name, "jsonl", None)):
        if isinstance(item, Record):
            item.split, item.format = "train", fmt
            out.append(item)
    return out


def read_only(path: Path) -> None:
    for record in records(path):
        record.fields  # noqa: B018  (the formats' field extraction, which every check needs)


def encoding(path: Path) -> int:
    check = EncodingCheck(CheckContext())
    return sum(len(list(check.check(r))) for r in records(path))


def length(path: Path) -> int:
    ctx = CheckContext()
    per_record, dataset = LengthCheck(ctx), LengthOutlierCheck(ctx)
    state = dataset.init()
    found = 0
    for record in records(path):
        found += len(list(per_record.check(record)))
        state = dataset.update(state, record)
    dataset.stats(state)
    return found + len(list(dataset.finalize(state)))


def inject(path: Path, share: float, seed: int = 5) -> Path:
    rng = random.Random(seed)
    out = path.with_name("dirty.jsonl")
    with path.open("rb") as src, out.open("wb") as dst:
        for line in src:
            row = orjson.loads(line)
            last = row["messages"][-1]
            if rng.random() < share and isinstance(last.get("content"), str):
                last["content"] = rng.choice(DEFECTS)(last["content"])
            dst.write(orjson.dumps(row) + b"\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--inject", type=float, default=0.02, help="share of records given an encoding defect")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        clean = write_corpus(Path(tmp) / "train.jsonl", args.records)
        dirty = inject(clean, args.inject)
        print(f"corpus: {args.records:,} chat records, {clean.stat().st_size / 1e6:.1f} MB")
        print(f"{'what':<40}{'seconds':>10}{'records/s':>14}{'x orjson':>10}{'findings':>10}")
        for label, path in (("clean", clean), (f"{args.inject:.0%} with defects", dirty)):
            base = best_of(args.repeat, lambda: orjson_baseline(path))
            rows = [
                ("orjson parse (baseline)", base, ""),
                ("reader + fields only", best_of(args.repeat, lambda: read_only(path)), ""),
                ("encoding (DS6xx)", best_of(args.repeat, lambda: encoding(path)), encoding(path)),
                ("length (DS7xx, with finalize + stats)", best_of(args.repeat, lambda: length(path)), length(path)),
            ]
            print(f"-- {label}")
            for name, secs, found in rows:
                print(f"{name:<40}{secs:>10.3f}{args.records / secs:>14,.0f}{secs / base:>10.2f}{found:>10}")


if __name__ == "__main__":
    main()
