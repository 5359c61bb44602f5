"""Datasets with planted exact duplicates, near-duplicates and leakage across splits and files."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dslint.api import lint
from dslint.finding import Report

MEMORY_ROOT = "/dslint-executors"  # where the Parquet dataset lives in every process's memory://


def planted_rows(n: int, seed: int, shared: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chats with exact duplicates, near-duplicates (one word changed in a long answer) and
    records taken from ``shared`` (the same list for every split: leakage across splits)."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.06 and rows:
            rows.append(rng.choice(rows))  # exact duplicate, often in another shard
        elif roll < 0.12 and rows:
            rows.append(_near(rng.choice(rows), i))
        elif roll < 0.15:
            rows.append(rng.choice(shared))
        elif roll < 0.18:
            rows.append(_near(rng.choice(shared), i))
        else:
            topic = f"{rng.choice(_TOPICS)} {i}"
            answer = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(40, 80)))
            rows.append(_chat(f"Explain {topic} in detail, please.", f"About {topic}: {answer}."))
    return rows


def shared_rows(n: int) -> list[dict[str, Any]]:
    rng = random.Random(99)
    return [
        _chat(f"Shared question {i}?", " ".join(rng.choice(_WORDS) for _ in range(40))) for i in range(n)
    ]


def _near(row: dict[str, Any], i: int) -> dict[str, Any]:
    """The same chat with a word added at the end of the answer: a near-duplicate."""
    user, assistant = (m["content"] for m in row["messages"])
    return _chat(user, f"{assistant} w{i}")


def _chat(user: str, assistant: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


_TOPICS = ["gradient descent", "tokenization", "the TCP handshake", "photosynthesis", "binary search", "compound interest"]
_WORDS = (
    "the model learns a mapping from inputs to outputs by adjusting weights after each batch while "
    "validation loss tells us when to stop and which learning rate schedule works best for data"
).split()


def parquet_files() -> dict[str, bytes]:
    """A small train/test Parquet dataset, several row groups per file, as bytes by file name."""
    shared = shared_rows(10)
    out = {}
    for name, seed, n in (("train.parquet", 11, 300), ("test.parquet", 12, 80)):
        rows = planted_rows(n, seed, shared)
        table = pa.Table.from_pylist([{"prompt": r["messages"][0]["content"], "completion": r["messages"][1]["content"]} for r in rows])
        buffer = io.BytesIO()
        pq.write_table(table, buffer, row_group_size=64)
        out[name] = buffer.getvalue()
    return out


# (shard size that splits a JSON Lines file, shards per large file): whole files, halves, fifths
PARTITIONINGS = [(1 << 40, 1), (16 << 10, 2), (8 << 10, 5)]
PLANTED = {"DS201", "DS203", "DS301", "DS302"}  # exact and near duplicates, exact and near leakage


def write_dataset(root: Path) -> Path:
    """Train in two files (one large enough to split), validation and test, sharing records."""
    shared = shared_rows(12)
    for name, seed, n in (("train-0.jsonl", 1, 500), ("train-1.jsonl", 2, 120), ("validation.jsonl", 3, 90), ("test.jsonl", 4, 90)):
        rows = planted_rows(n, seed, shared)
        (root / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "dslint.yaml").write_text("splits:\n  'train-*.jsonl': train\n")
    return root


def report_json(report: Report, executor: str = "inprocess") -> str:
    """The JSON report, checked to name ``executor`` and then shown as the in-process one."""
    assert report.tool.executor == executor
    return report.model_copy(update={"tool": report.tool.model_copy(update={"executor": "inprocess"})}).model_dump_json(indent=2)


def in_process_report(root: Path) -> str:
    """The in-process report over whole files: what every other run must print."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        return report_json(lint(".", select=["ALL"], cache=False, executor="inprocess"))
