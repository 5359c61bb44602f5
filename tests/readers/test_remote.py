"""Inputs named by URL: listed and read through fsspec (memory:// here, one process)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

import fsspec
import pytest

from dslint.readers import InputError, discover, read_source
from dslint.record import ReadIssue, Record


@pytest.fixture
def bucket() -> Iterator[str]:
    fs = fsspec.filesystem("memory")
    rows = b"".join(json.dumps({"text": f"row {i}"}).encode() + b"\n" for i in range(3))
    fs.pipe("/bucket/data/train.jsonl", rows + b"{broken\n")
    fs.pipe("/bucket/data/test.jsonl.gz", gzip.compress(rows))
    fs.pipe("/bucket/data/.hidden/train.jsonl", rows)
    fs.pipe("/bucket/data/notes.txt", b"not data")
    yield "memory://bucket/data"
    fs.rm("/bucket", recursive=True)


def test_a_folder_url_lists_its_data_files_sorted_without_hidden_ones(bucket: str) -> None:
    assert [s.display for s in discover([bucket])] == ["memory:///bucket/data/test.jsonl.gz", "memory:///bucket/data/train.jsonl"]
    assert [s.display for s in discover([f"{bucket}/*.jsonl"])] == ["memory:///bucket/data/train.jsonl"]


def test_records_and_read_issues_come_through_the_url(bucket: str) -> None:
    train, test = sorted(discover([bucket]), key=lambda s: s.display, reverse=True)
    items = list(read_source(train))
    assert [r.data["text"] for r in items if isinstance(r, Record)] == ["row 0", "row 1", "row 2"]
    assert [(i.rule, i.line) for i in items if isinstance(i, ReadIssue)] == [("DS101", 4)]
    assert len([r for r in read_source(test) if isinstance(r, Record)]) == 3  # gzip decoded


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("memory://bucket/missing/", "no such file or directory: memory://bucket/missing/"),
        ("memory://bucket/data/notes.txt", "unsupported file type: memory://bucket/data/notes.txt"),
        ("notaprotocol://x/", "cannot list notaprotocol://x/: "),
    ],
)
def test_a_url_that_names_no_data_is_a_one_line_error(bucket: str, url: str, error: str) -> None:
    with pytest.raises(InputError) as caught:
        discover([url])
    assert str(caught.value).startswith(error) and "\n" not in str(caught.value)
