"""Rows of a columnar file (Parquet, Arrow IPC) read a record batch at a time, never the whole
table; the readers of both formats differ only in how they open the file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pyarrow as pa

from dslint.readers.streams import file_issue, repeated_column
from dslint.record import ReadIssue, Record
from dslint.redact import printable

# Opens the file: its column names and its record batches, valid while the context is open.
Opener = Callable[[], AbstractContextManager[tuple[list[str], Iterator[pa.RecordBatch]]]]


def read_rows(file: str, open_batches: Opener, what: str, first_index: int = 0) -> Iterator[Record | ReadIssue]:
    """One record per row in row order (``index`` is the row number, counted from ``first_index``
    for a shard of the file, ``line`` None); a file that cannot be read, or read further, is one
    DS100 issue naming ``what`` it should have been."""
    index = first_index
    try:
        with open_batches() as (names, batches):
            repeated = repeated_column(names)
            if repeated:
                yield file_issue(file, 0, repeated)
                return
            for batch in batches:
                for row in batch.to_pylist():
                    yield Record(file, None, index, row)
                    index += 1
    except (pa.ArrowException, OSError, ValueError) as exc:
        reason = printable(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)[:200]
        where = f"not a readable {what}" if index == 0 else f"cannot read past row {index}"
        yield file_issue(file, index, f"{where}: {reason}")
