"""Parquet: rows across row groups and batches, nested values, and files that are not Parquet."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from readers_util import CHATS, read_all, records, shape

from dslint.readers import parquet


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


ROWS = [dict(chat, id=i, source="forum" if i % 2 else None) for i, chat in enumerate(CHATS * 3)]


def write_rows(path: str, rows: list[dict], row_group_size: int) -> None:
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=row_group_size)


def test_rows_across_row_groups_and_batches_keep_order_and_indices(monkeypatch: pytest.MonkeyPatch) -> None:
    write_rows("train.parquet", ROWS, row_group_size=4)
    assert pq.ParquetFile("train.parquet").num_row_groups == 4
    monkeypatch.setattr(parquet, "BATCH_ROWS", 3)  # batches that straddle row groups
    items = read_all("train.parquet")
    assert records(items) == ROWS
    assert shape(items) == [("record", None, i) for i in range(len(ROWS))]
    assert {item.file for item in items} == {"train.parquet"}


def test_nested_chat_values_come_back_as_python_objects() -> None:
    write_rows("chat.parquet", CHATS, row_group_size=2)
    first = read_all("chat.parquet")[0].data
    assert first["messages"][1] == {"role": "assistant", "content": "Use `items.reverse()` in place, or `items[::-1]` for a copy."}


def test_file_without_rows_yields_nothing() -> None:
    pq.write_table(pa.table({"text": pa.array([], pa.string())}), "empty.parquet")
    assert read_all("empty.parquet") == []


@pytest.mark.parametrize("content", [b"", b'{"text": "not parquet"}\n', b"PAR1 but the footer is gone"])
def test_corrupt_file_is_one_issue(content: bytes) -> None:
    Path("broken.parquet").write_bytes(content)
    (issue,) = read_all("broken.parquet")
    assert (issue.rule, issue.index, issue.line) == ("DS100", 0, None)
    assert issue.message.startswith("not a readable Parquet file: ")
    assert "\n" not in issue.message


def test_truncated_file_is_one_issue() -> None:
    write_rows("train.parquet", ROWS, row_group_size=4)
    data = Path("train.parquet").read_bytes()
    Path("train.parquet").write_bytes(data[: len(data) - 40])
    (issue,) = read_all("train.parquet")
    assert issue.rule == "DS100"
