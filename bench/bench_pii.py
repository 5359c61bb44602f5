"""Benchmark: the PII and secrets family (DS5xx) on a realistic chat corpus, as a ratio to plain
orjson parsing of the same file measured in the same run, and the time of every detector on
adversarial inputs (each must stay far below a second: the patterns are linear). Prints numbers;
asserts nothing.

    python bench/bench_pii.py --records 20000 [--inject 0.02]
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
import tempfile
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus  # noqa: E402
from harness import best_of, load_records, orjson_baseline  # noqa: E402

from dslint.checks.pii.check import PiiCheck  # noqa: E402
from dslint.detect.secrets import CATALOGUE  # noqa: E402
from dslint.formats import make_format  # noqa: E402
from dslint.record import Record  # noqa: E402
from dslint.redact import redact  # noqa: E402

# Fake but realistic values, assembled at run time so that no secret-looking literal sits in the repo.
PII_SNIPPETS = [
    "You can reach me at maria.lopez@gmail.com or on +44 20 7123 4567.",
    "Card on file: 4111 1111 1111 1111, exp 04/27.",
    "Wire it to DE89 3704 0044 0532 0130 00 by Friday.",
    "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
    'GITHUB_TOKEN = "' + "ghp_" + "A1b2" * 9 + '"',
    "The request came from 81.2.69.160 twice.",
]




def records(path: Path) -> list[Record]:
    """Parsed records with their text fields resolved (the engine does this once for all checks)."""
    fmt = make_format("openai-chat")
    out = []
    for i, data in enumerate(load_records(path)):
        record = Record(file="train.jsonl", line=i + 1, index=i, data=data, split="train", format=fmt)
        record.fields  # noqa: B018 - resolve and cache
        out.append(record)
    return out


def lint(path: Path) -> int:
    check = PiiCheck()
    return sum(1 for record in records(path) for _ in check.check(record))


def inject(path: Path, share: float, seed: int = 11) -> None:
    """Append a PII sentence to the last assistant turn of a share of the records."""
    rng = random.Random(seed)
    rows = load_records(path)
    with path.open("wb") as out:
        for row in rows:
            msgs = row["messages"]
            if rng.random() < share and isinstance(msgs[-1].get("content"), str):
                msgs[-1]["content"] += " " + rng.choice(PII_SNIPPETS)
            out.write(orjson.dumps(row) + b"\n")


def adversarial() -> dict[str, str]:
    rng = random.Random(3)
    b64 = base64.b64encode(rng.randbytes(75_000)).decode()
    return {
        '"a@a.a" * 20k (100k chars)': "a@a.a" * 20_000,
        '"1 " * 100k': "1 " * 100_000,
        "100k random base64 chars": b64,
        '"-----BEGIN " * 10k': "-----BEGIN " * 10_000,
        '"-----BEGIN RSA PRIVATE KEY-----" * 3k': "-----BEGIN RSA PRIVATE KEY-----\n" * 3_000,
        '"+1 (" * 25k': "+1 (" * 25_000,
        '"4111 " * 20k': "4111 " * 20_000,
        '"password = " * 10k': "password = " * 10_000,
        '"eyJ" + "a" * 100k + "."': "eyJ" + "a" * 100_000 + ".",
        '"eyJa.eyJa." * 10k': "eyJa.eyJa." * 10_000,
        '"sk-" + "-" * 100k': "sk-" + "-" * 100_000,
        '"::" * 50k': "::" * 50_000,
        '"1.1.1.1." * 12k': "1.1.1.1." * 12_500,
        '"DE89 " * 20k': "DE89 " * 20_000,
        '"x" * 100k': "x" * 100_000,
        # phone numbers go through phonenumbers: many valid or near-valid numbers in one field
        '"415-839-2047, " * 8k': "415-839-2047, " * 8_000,
        '"030 1234567, " * 8k': "030 1234567, " * 8_000,
        '"+44 20 7123 4567; " * 6k': "+44 20 7123 4567; " * 6_000,
        '"415.555.2671x459 " * 6k': "415.555.2671x459 " * 6_000,
        # the secrets catalogue: every hint, and hints whose token starts before them
        "every catalogue hint * 200": "".join(h for s in CATALOGUE for h in s.hints) * 200,
        '"1234567890:AA" * 8k': "1234567890:AA" * 8_000,
        '"abc8Q~" * 15k': "abc8Q~" * 15_000,
        '"pat SK re_ cio sl. key- " * 10k': "pat SK re_ cio sl. key- " * 10_000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--inject", type=float, default=0.02, help="share of records given a PII sentence")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = write_corpus(Path(tmp) / "train.jsonl", args.records)
        inject(path, args.inject)
        size_mb = path.stat().st_size / 1e6
        base = best_of(args.repeat, lambda: orjson_baseline(path))
        fields = best_of(args.repeat, lambda: records(path))
        pii = best_of(args.repeat, lambda: lint(path))
        findings = lint(path)
    print(f"corpus: {args.records:,} chat records, {size_mb:.1f} MB, {args.inject:.0%} with injected PII, {findings} findings")
    print(f"{'what':<34}{'seconds':>10}{'records/s':>14}{'x orjson':>10}")
    print(f"{'orjson parse (baseline)':<34}{base:>10.3f}{args.records / base:>14,.0f}{1.0:>10.2f}")
    print(f"{'parse + text fields':<34}{fields:>10.3f}{args.records / fields:>14,.0f}{fields / base:>10.2f}")
    print(f"{'parse + text fields + DS5xx':<34}{pii:>10.3f}{args.records / pii:>14,.0f}{pii / base:>10.2f}")
    print(f"{'DS5xx alone (difference)':<34}{pii - fields:>10.3f}{args.records / (pii - fields):>14,.0f}{(pii - fields) / base:>10.2f}")

    print(f"\n{'adversarial input':<40}{'chars':>9}{'check s':>10}{'redact s':>10}")
    fmt = make_format("openai-chat")
    check = PiiCheck()
    for name, text in adversarial().items():
        data = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": text}]}
        record = Record(file="adv.jsonl", line=1, index=0, data=data, format=fmt)
        secs = best_of(1, lambda: list(check.check(record)))
        red = best_of(1, lambda: redact(text))
        print(f"{name:<40}{len(text):>9,}{secs:>10.3f}{red:>10.3f}")


if __name__ == "__main__":
    main()
