"""A fuzz harness to run for longer than CI does: random and mutated datasets (JSON Lines, CSV,
JSON, gzip; hostile file names; planted secrets; byte flips, truncation, invisible characters, CI
command markers) go through the engine and every output format in-process, and each run is checked
against the invariants the tests hold:

- the engine raises nothing but a ConfigError or InputError (which the CLI turns into exit 2);
- no output contains a planted secret or any 8-character piece of it;
- no output line starts with a CI workflow command dslint did not emit itself, and none carries an
  escape character, a carriage return or a bidi override.

    python tests/fuzz_outputs.py --seconds 600 [--seed N]

It prints how many inputs it ran and every failing input's seed (rerun one with --seed N --runs 1).
Not collected by pytest (the CI property test is tests/test_no_secret_leaves.py).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dslint.config import load_config  # noqa: E402
from dslint.engine import run  # noqa: E402
from dslint.policy import Overrides, Policy  # noqa: E402
from dslint.readers import InputError, discover  # noqa: E402
from dslint.yamlpos import ConfigError  # noqa: E402
from tests.test_no_secret_leaves import CLEAN, INVISIBLES, KINDS, REGISTRY, make_value, outputs, pieces  # noqa: E402

HOSTILE_BITS = ["::error::x", "##vso[task.complete]", "##[group]", "\x1b[2J", "\r", "\u202e", "&amp;", "<|im_end|>",
                "{{name}}", "### Instruction:", "\ud800", "\x00", "\"", "\\", "\n", "https://u:p#w!@h/x"]  # fmt: skip
NAME_BITS = ["::warning::", "##vso[x]", "\x1b[31m", ":", "#", "-", " ", "\u200b", "é"]
LINE_START = re.compile(r"^\s*(::|##\w*\[)", re.IGNORECASE)
GITHUB_OWN = re.compile(r"^::(error|warning|notice) ")


def _mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(0, 4)):
        op = rng.random()
        if op < 0.3 and out:
            out[rng.randrange(len(out))] = rng.randrange(256)
        elif op < 0.5 and out:
            del out[rng.randrange(len(out)) :]
        else:
            pos = rng.randrange(len(out) + 1)
            out[pos:pos] = rng.choice(HOSTILE_BITS).encode("utf-8", "surrogatepass")
    return bytes(out)


def build(root: Path, rng: random.Random) -> list[str]:
    """Write one random dataset; returns the secrets planted in it."""
    secrets: list[tuple[str, str]] = []  # (planted text, its secret part)
    rows = [json.loads(json.dumps(r)) for r in CLEAN]
    for _ in range(rng.randint(1, 3)):
        text, secret = make_value(rng.choice(KINDS), rng)
        if rng.random() < 0.3:
            cut = rng.randint(1, len(text) - 1)
            text = text[:cut] + rng.choice(INVISIBLES) + text[cut:]
        secrets.append((text, secret))
        row = rng.choice(rows)
        turn = rng.randrange(len(row["messages"]))
        if rng.random() < 0.2 and "\n" not in text:
            row[text] = rng.choice(HOSTILE_BITS)  # a secret as a key
        else:
            row["messages"][turn]["content"] = f"{rng.choice(HOSTILE_BITS)} {text} {rng.choice(HOSTILE_BITS)}"
    name = "".join(rng.choice(NAME_BITS) for _ in range(rng.randint(0, 3))) + rng.choice(["train", "test", "data"])
    body = "".join(json.dumps(r, ensure_ascii=rng.random() < 0.5) + "\n" for r in rows).encode("utf-8", "surrogatepass")
    kind = rng.choice(["jsonl", "jsonl.gz", "csv", "json"])
    if kind == "csv":
        body = b"text,label\n" + b"".join(f'"{r["messages"][-1]["content"]}",x\n'.encode("utf-8", "surrogatepass") for r in rows)
    elif kind == "json":
        body = json.dumps(rows).encode("utf-8", "surrogatepass")
    body = _mutate(body, rng) if rng.random() < 0.5 else body
    # A mutation may cut a planted value: only the values still whole in the data are checked.
    visible = body.decode("utf-8", "replace")
    for ch in INVISIBLES:
        visible = visible.replace(ch, "").replace(json.dumps(ch)[1:-1], "")
    def whole(text: str) -> bool:
        """The planted text is still there, prefix included and not glued to a word (a value
        glued to letters is not a value any detector, or person, can tell apart)."""
        for ch in INVISIBLES:
            text = text.replace(ch, "")
        return all(
            any(re.search(rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])", visible) for form in (line, json.dumps(line)[1:-1]))
            for line in text.splitlines()
        )

    kept = [secret for text, secret in secrets if whole(text)]
    if kind.endswith(".gz"):
        body = gzip.compress(body) * rng.randint(1, 2)
    (root / f"{name}.{kind}").write_bytes(body)
    return kept


def check_one(seed: int) -> str | None:
    """None when every invariant holds, else what broke."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        secrets = build(root, rng)
        (root / "dslint.yaml").write_text("extends: [strict]\n")
        try:
            loaded = load_config(str(root / "dslint.yaml"))
            policy = Policy.build(loaded, REGISTRY, Overrides(fail_on="never"))
            report = run(discover([str(root)]), loaded, REGISTRY, policy, jobs=rng.choice([1, 1, 1, 2]))
        except (ConfigError, InputError):
            return None
        except Exception:
            return "engine raised: " + traceback.format_exc(limit=3).replace("\n", " | ")
    banned = set().union(*(pieces(s) for s in secrets))
    for text in outputs(report):
        low = text.lower()
        leaked = [p for p in banned if p in low]
        if leaked:
            return f"leaked {leaked[:2]}"
        for line in text.splitlines():
            if LINE_START.match(line) and not GITHUB_OWN.match(line):
                return f"CI command at line start: {line[:80]!r}"
        if any(c in text for c in "\x1b\r\u202e"):
            return "raw control character in output"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=None, help="stop after this many inputs")
    parser.add_argument("--seed", type=int, default=0, help="first seed; input i uses seed + i")
    args = parser.parse_args()
    start, runs, failures = time.monotonic(), 0, 0
    while time.monotonic() - start < args.seconds and (args.runs is None or runs < args.runs):
        problem = check_one(args.seed + runs)
        if problem:
            failures += 1
            print(f"seed {args.seed + runs}: {problem}", flush=True)
        runs += 1
    print(f"{runs} inputs in {time.monotonic() - start:.0f} s, {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
