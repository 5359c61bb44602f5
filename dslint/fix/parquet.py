"""The Parquet writer: the same Arrow schema (its metadata included), the input's row-group size
and compression codec; batches without edits are copied as Arrow data, never through Python."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dslint.fix.jsonl import EditRecord
from dslint.fix.output import Kept, atomic_path
from dslint.readers.parquet import BATCH_ROWS
from dslint.readers.sources import Source
from dslint.record import canonical_json, stable_hash


# Parquet's codec names as pyarrow's writer spells them, where lower case is not enough.
_CODECS = {"UNCOMPRESSED": "none", "LZ4_RAW": "lz4"}


def write_parquet(source: Source, dest: Path, drops: Collection[int], edits: Collection[int], edit_record: EditRecord) -> Kept:
    """Copy a Parquet file without the rows at ``drops``, handing the rows at ``edits`` to
    ``edit_record``; indices are row numbers, as in the reader."""
    kept = Kept()
    with pq.ParquetFile(source.path) as parquet, atomic_path(dest, source.path) as tmp:
        schema = parquet.schema_arrow
        meta = parquet.metadata
        group_rows = meta.row_group(0).num_rows if meta.num_row_groups else BATCH_ROWS
        codec = meta.row_group(0).column(0).compression if meta.num_row_groups and meta.num_columns else "NONE"
        pending: list[pa.RecordBatch] = []
        with pq.ParquetWriter(tmp, schema, compression=_CODECS.get(codec, codec.lower())) as writer:
            index = 0
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                span = range(index, index + batch.num_rows)
                if any(i in drops or i in edits for i in span):
                    batch = _fixed(batch, schema, index, drops, edits, edit_record, kept)
                else:
                    for i in span:
                        kept.add(i, None)
                pending.append(batch)
                index += len(span)
                if sum(b.num_rows for b in pending) >= group_rows:
                    pending = _flush(writer, pending, schema, group_rows)
            _flush(writer, pending, schema, group_rows, final=True)
    return kept


def _fixed(batch: pa.RecordBatch, schema: pa.Schema, first: int, drops: Collection[int], edits: Collection[int], edit_record: EditRecord, kept: Kept) -> pa.RecordBatch:
    rows = []
    for i, row in enumerate(batch.to_pylist(), first):
        if i in drops:
            kept.dropped[i] = stable_hash(canonical_json(row))
            continue
        if i in edits:
            edit_record(i, None, row)
        rows.append(row)
        kept.add(i, None)
    return pa.RecordBatch.from_pylist(rows, schema=schema)


def _flush(writer: pq.ParquetWriter, pending: list[pa.RecordBatch], schema: pa.Schema, group_rows: int, final: bool = False) -> list[pa.RecordBatch]:
    """Write whole row groups of ``group_rows`` rows (and, at the end, the rest); returns what is left."""
    table = pa.Table.from_batches(pending, schema=schema)
    start = 0
    while table.num_rows - start >= group_rows or (final and start < table.num_rows):
        writer.write_table(table.slice(start, group_rows), row_group_size=group_rows)
        start += group_rows
    return table.slice(start).to_batches() if start < table.num_rows else []
