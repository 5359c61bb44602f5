"""Parquet, read a batch at a time (never the whole table): one record per row."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from dslint.readers.sources import Source
from dslint.readers.streams import file_issue, repeated_column
from dslint.record import ReadIssue, Record
from dslint.redact import printable

BATCH_ROWS = 4096


def read_parquet(source: Source) -> Iterator[Record | ReadIssue]:
    """Records of a Parquet file in row order; ``index`` is the row number, ``line`` is None."""
    file = source.display
    index = 0
    try:
        with pq.ParquetFile(source.path) as parquet:
            repeated = repeated_column(parquet.schema_arrow.names)
            if repeated:
                yield file_issue(file, 0, repeated)
                return
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                for row in batch.to_pylist():
                    yield Record(file, None, index, row)
                    index += 1
    except (pa.ArrowException, OSError, ValueError) as exc:
        reason = printable(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)[:200]
        where = "not a readable Parquet file" if index == 0 else f"cannot read past row {index}"
        yield file_issue(file, index, f"{where}: {reason}")
