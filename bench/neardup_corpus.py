"""Deterministic chat corpus with planted near-duplicates of known Jaccard similarity.

Most records come from bench/corpus.py. Some of them are bases of planted groups: each base gets
1-4 variants, every variant edited word by word (replace, insert, delete, anywhere in its user and
assistant turns) until the exact Jaccard similarity of its shingle set with the base's is as close
as it gets to a target level between 0.5 and 0.95. Shingles are those dslint compares: word
5-grams of the normalised text of every non-system field (``RecordView.text``). Records are
shuffled, and the groups are written next to the corpus as JSON.

    python bench/neardup_corpus.py out.jsonl --records 50000 --groups 2000 --seed 7
    (writes out.jsonl and out.planted.json)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import WORDS, record  # noqa: E402

from dslint.checks._shared.tables import view_of  # noqa: E402
from dslint.formats import make_format  # noqa: E402
from dslint.minhash import reference_shingles  # noqa: E402
from dslint.record import Record  # noqa: E402

LEVELS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
SHINGLE, SIZE = "word", 5
MIN_WORDS = 60  # bases need enough text for every level to be reachable
EXTRA_WORDS = "invoice folder backup quota sync client token export server upload browser password account".split()
_CHAT = make_format("openai-chat")


def record_text(data: dict) -> str:
    """The normalised text dslint compares for near-duplicates."""
    view = view_of(Record(file="", line=None, index=0, data=data, format=_CHAT))
    return view.text if view is not None else ""


def shingles(data: dict) -> set[str]:
    return reference_shingles(record_text(data), SHINGLE, SIZE)


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@dataclass
class Group:
    members: list[int]  # record indices in the written file; the base first
    targets: list[float | None] = field(default_factory=list)  # None for the base
    jaccard: list[float | None] = field(default_factory=list)  # exact, with the base


def _edit(data: dict, edits: list[tuple[float, float, str, str]]) -> dict:
    """Apply edits (message pick, position, op, word) to the user and assistant turns."""
    out = json.loads(json.dumps(data))
    turns = [m for m in out["messages"] if m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str)]
    tokens = [m["content"].split(" ") for m in turns]
    for pick, where, op, word in edits:
        sizes = [len(t) for t in tokens]
        target, acc = pick * sum(sizes), 0.0
        k = next((i for i, s in enumerate(sizes) if (acc := acc + s) > target), len(sizes) - 1)
        toks = tokens[k]
        pos = min(int(where * len(toks)), len(toks) - 1)
        if op == "replace":
            toks[pos] = word
        elif op == "insert":
            toks.insert(pos, word)
        elif len(toks) > 1:
            del toks[pos]
    for m, toks in zip(turns, tokens):
        m["content"] = " ".join(toks)
    return out


def make_variant(rng: random.Random, base: dict, base_set: set[str], target: float) -> tuple[dict, float]:
    """Edit ``base`` until its exact Jaccard similarity with it is closest to ``target``."""
    ops = ["replace"] * 3 + ["insert", "delete"]
    edits = [(rng.random(), rng.random(), rng.choice(ops), rng.choice(WORDS + EXTRA_WORDS)) for _ in range(400)]
    cache: dict[int, tuple[dict, float]] = {}

    def at(k: int) -> tuple[dict, float]:
        if k not in cache:
            variant = _edit(base, edits[:k])
            cache[k] = (variant, jaccard(base_set, shingles(variant)))
        return cache[k]

    lo, hi = 0, 1
    while hi < len(edits) and at(hi)[1] > target:  # find an edit count below the target
        lo, hi = hi, min(hi * 2, len(edits))
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if at(mid)[1] > target else (lo, mid)
    return min((at(lo), at(hi)), key=lambda vj: abs(vj[1] - target))


def build(records: int, groups: int, seed: int) -> tuple[list[dict], list[Group]]:
    rng = random.Random(seed)
    rows: list[dict] = []
    planted: list[tuple[int, list[int], list[float], list[float]]] = []
    i = 0
    while len(planted) < groups:
        base = record(rng, i)
        i += 1
        base_set = shingles(base)
        if len(record_text(base).split(" ")) < MIN_WORDS:
            rows.append(base)
            continue
        start = len(rows)
        rows.append(base)
        targets = [rng.choice(LEVELS) for _ in range(rng.choice([1, 1, 2, 2, 3, 4]))]
        sims = []
        for t in targets:
            variant, sim = make_variant(rng, base, base_set, t)
            rows.append(variant)
            sims.append(sim)
        planted.append((start, list(range(start + 1, len(rows))), targets, sims))
    while len(rows) < records:
        rows.append(record(rng, i))
        i += 1
    order = list(range(len(rows)))
    rng.shuffle(order)
    position = {old: new for new, old in enumerate(order)}
    out_groups = [
        Group([position[b], *(position[v] for v in vs)], [None, *ts], [None, *ss]) for b, vs, ts, ss in planted
    ]
    return [rows[old] for old in order], out_groups


def write_neardup_corpus(path: Path, records: int = 50_000, groups: int = 2_000, seed: int = 7) -> Path:
    """Write the corpus to ``path`` and its planted groups to ``path.planted.json``."""
    rows, planted = build(records, groups, seed)
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    meta = {"shingle": SHINGLE, "size": SIZE, "groups": [g.__dict__ for g in planted]}
    planted_path(path).write_text(json.dumps(meta), encoding="utf-8")
    return path


def planted_path(path: Path) -> Path:
    return path.with_suffix(".planted.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--groups", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_neardup_corpus(args.output, args.records, args.groups, args.seed)


if __name__ == "__main__":
    main()
