"""Files worth cutting into shards: Parquet with many row groups (one of them possibly corrupt)
and JSON Lines with read problems, both with planted duplicates and leakage."""

from __future__ import annotations

import io
import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from planted import planted_rows, shared_rows

ROWS, GROUP_ROWS = 420, 30  # 14 row groups


def problem_rows(n: int, seed: int) -> list[dict[str, Any]]:
    """Prompt/completion rows with duplicates across row groups, leakage from ``shared_rows``,
    missing completions (nulls) and a blank prompt."""
    rows = []
    for i, chat in enumerate(planted_rows(n, seed, shared_rows(10))):
        prompt, completion = (m["content"] for m in chat["messages"])
        rows.append({"prompt": "   " if i == 77 else prompt, "completion": None if i % 41 == 7 else completion})
    return rows


def parquet_bytes(rows: list[dict[str, Any]], group_rows: int = GROUP_ROWS) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buffer, row_group_size=group_rows)
    return buffer.getvalue()


def corrupt_row_group(data: bytes, group: int) -> bytes:
    """The file with the page header of one row group's first column overwritten: the footer
    still reads, that row group does not."""
    column = pq.ParquetFile(io.BytesIO(data)).metadata.row_group(group).column(0)
    start = column.dictionary_page_offset or column.data_page_offset
    return data[:start] + b"\xff" * 16 + data[start + 16 :]


def jsonl_bytes() -> bytes:
    """Chats with duplicates and leakage, blank lines, a truncated line and a non-object."""
    lines = [json.dumps(row) for row in planted_rows(400, 21, shared_rows(10))]
    lines[50], lines[120], lines[121], lines[300] = "", '{"messages": [{"role": "user"', "  ", "[1, 2]"
    return ("\n".join(lines) + "\n").encode()


def arrow_bytes(rows: list[dict[str, Any]], batch_rows: int = GROUP_ROWS, stream: bool = True) -> bytes:
    """An Arrow IPC stream (as ``save_to_disk`` writes) or random-access file of ``batch_rows`` per batch."""
    table = pa.Table.from_pylist(rows)
    sink = io.BytesIO()
    with (pa.ipc.new_stream if stream else pa.ipc.new_file)(sink, table.schema) as writer:
        for batch in table.to_batches(batch_rows):
            writer.write_batch(batch)
    return sink.getvalue()
