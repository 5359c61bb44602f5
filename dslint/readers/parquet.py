"""Parquet, read a batch at a time (never the whole table): one record per row; a large file is
cut into runs of whole row groups that workers read apart."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa
import pyarrow.parquet as pq

from dslint.readers.columnar import read_rows
from dslint.readers.remote import native_file
from dslint.readers.shards import RowGroups, row_runs
from dslint.readers.sources import Source
from dslint.readers.streams import repeated_column
from dslint.record import ReadIssue, Record

BATCH_ROWS = 4096


def read_parquet(source: Source, row_groups: RowGroups | None = None) -> Iterator[Record | ReadIssue]:
    """Records of a Parquet file (or of a run of its row groups) in row order; ``index`` is the
    row number in the whole file, ``line`` is None."""

    @contextmanager
    def batches() -> Iterator[tuple[list[str], Iterator[pa.RecordBatch]]]:
        with native_file(source) as where, pq.ParquetFile(where) as parquet:
            yield parquet.schema_arrow.names, _batches(parquet, row_groups)

    first = 0 if row_groups is None else row_groups.first_index
    return read_rows(source.display, batches, "Parquet file", first)


def _batches(parquet: pq.ParquetFile, row_groups: RowGroups | None) -> Iterator[pa.RecordBatch]:
    """A row group at a time: no batch spans two, so a corrupt row group stops reading at its
    first row whether the file is read whole or in shards."""
    start, end = (0, parquet.num_row_groups) if row_groups is None else (row_groups.start, row_groups.end)
    for group in range(start, end):
        yield from parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=[group])


def plan_row_groups(source: Source, parts: int, stored: int) -> list[RowGroups] | None:
    """Runs of whole row groups of similar uncompressed size, at most ``parts`` of them, with
    the file's ``stored`` bytes shared out among them in proportion; None when the file is not
    worth cutting (one row group) or when reading it would stop at its first row anyway (a
    footer that cannot be read, repeated column names): a whole-file read reports that."""
    try:
        with native_file(source) as where, pq.ParquetFile(where) as parquet:
            meta = parquet.metadata
            if repeated_column(parquet.schema_arrow.names) is not None:
                return None
            groups = [meta.row_group(i) for i in range(meta.num_row_groups)]
    except (pa.ArrowException, OSError, ValueError):
        return None
    return row_runs([(g.num_rows, g.total_byte_size) for g in groups], parts, stored)
