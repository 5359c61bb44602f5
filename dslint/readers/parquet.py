"""Parquet, read a batch at a time (never the whole table): one record per row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa
import pyarrow.parquet as pq

from dslint.readers.columnar import read_rows
from dslint.readers.remote import native_file
from dslint.readers.sources import Source
from dslint.record import ReadIssue, Record

BATCH_ROWS = 4096


def read_parquet(source: Source) -> Iterator[Record | ReadIssue]:
    """Records of a Parquet file in row order; ``index`` is the row number, ``line`` is None."""

    @contextmanager
    def batches() -> Iterator[tuple[list[str], Iterator[pa.RecordBatch]]]:
        with native_file(source) as where, pq.ParquetFile(where) as parquet:
            yield parquet.schema_arrow.names, parquet.iter_batches(batch_size=BATCH_ROWS)

    return read_rows(source.display, batches, "Parquet file")
