"""Helpers shared by the reader tests: realistic rows and a compact view of what a reader yields."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

from dslint.readers import discover, read_source
from dslint.record import Record, ReadIssue


def chat(user: str, assistant: str) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


CHATS = [
    chat("How do I reverse a list in Python?", "Use `items.reverse()` in place, or `items[::-1]` for a copy."),
    chat("What is the capital of Australia?", "Canberra, not Sydney."),
    chat("Translate 'good morning' into Spanish.", "\"Buenos días\"."),
    chat("How many minutes are in a day?", "24 × 60 = 1,440 minutes."),
    chat("Name a prime number above 90.", "97 is prime."),
]

ALPACA = [
    {"instruction": "Classify the sentiment of the review.", "input": "The battery died after two days.", "output": "negative"},
    {"instruction": "Summarise the sentence.", "input": "The meeting, originally set for Monday, moved to Friday.", "output": "The meeting moved to Friday."},
    {"instruction": "Give an antonym of 'generous'.", "input": "", "output": "Stingy."},
]


def jsonl_bytes(rows: list[dict], newline: bytes = b"\n") -> bytes:
    return b"".join(json.dumps(row, ensure_ascii=False).encode() + newline for row in rows)


def read_all(path: str | Path, stdin: BytesIO | None = None) -> list[Record | ReadIssue]:
    """Everything the reader yields for one file (or "-"), read as `dslint check` would."""
    (source,) = discover([str(path)])
    return list(read_source(source, stdin))


def shape(items: list[Record | ReadIssue]) -> list[tuple[str, int | None, int]]:
    """(what, line, index) per item: "record" or the issue's rule code."""
    return [(item.rule if isinstance(item, ReadIssue) else "record", item.line, item.index) for item in items]


def records(items: list[Record | ReadIssue]) -> list[dict]:
    return [item.data for item in items if isinstance(item, Record)]


def issues(items: list[Record | ReadIssue]) -> list[ReadIssue]:
    return [item for item in items if isinstance(item, ReadIssue)]
