"""Arrow IPC files (``.arrow``), as Hugging Face ``datasets`` writes them with ``save_to_disk``:
read a record batch at a time, one record per row; a large local file is cut into runs of
record batches that workers read apart."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

import orjson
import pyarrow as pa

from dslint.readers.columnar import read_rows
from dslint.readers.remote import native_file
from dslint.readers.shards import RowGroups, row_runs
from dslint.readers.sources import Source
from dslint.readers.streams import repeated_column
from dslint.record import ReadIssue, Record


def read_arrow(source: Source, batches: RowGroups | None = None) -> Iterator[Record | ReadIssue]:
    """Records of an Arrow IPC stream (or random-access file), or of a run of its record
    batches, in row order; ``index`` is the row number in the whole file, ``line`` is None."""
    start, end = (0, None) if batches is None else (batches.start, batches.end)

    @contextmanager
    def opened() -> Iterator[tuple[list[str], Iterator[pa.RecordBatch]]]:
        with native_file(source) as where, (pa.memory_map(where) if isinstance(where, str) else where) as mapped:
            reader = _open(mapped)
            yield reader.schema.names, islice(_batches(reader), start, end)

    return read_rows(source.display, opened, "Arrow IPC file", 0 if batches is None else batches.first_index)


def plan_batches(source: Source, parts: int, stored: int) -> list[RowGroups] | None:
    """Runs of record batches of similar size, at most ``parts`` of them, with the file's
    ``stored`` bytes shared out among them; None for a URL (a stream has no index of its
    batches: finding them would read the whole file here), a file of one batch, or one that
    cannot be read through (a whole-file read reports that). Skipping batches on a memory map
    costs next to nothing, so a shard's reader starts cheaply at its first batch."""
    if source.path is None:
        return None
    try:
        with pa.memory_map(str(source.path)) as mapped:
            reader = _open(mapped)
            if repeated_column(reader.schema.names) is not None:
                return None
            batches = [(b.num_rows, b.nbytes) for b in _batches(reader)]
    except (pa.ArrowException, OSError, ValueError):
        return None
    return row_runs(batches, parts, stored)


def _open(mapped: pa.MemoryMappedFile) -> pa.ipc.RecordBatchStreamReader | pa.ipc.RecordBatchFileReader:
    """``datasets`` writes the stream format; the random-access file format is read too."""
    try:
        return pa.ipc.open_stream(mapped)
    except pa.ArrowInvalid:
        mapped.seek(0)
        return pa.ipc.open_file(mapped)


def _batches(reader: pa.ipc.RecordBatchStreamReader | pa.ipc.RecordBatchFileReader) -> Iterator[pa.RecordBatch]:
    if isinstance(reader, pa.ipc.RecordBatchFileReader):
        return (reader.get_batch(i) for i in range(reader.num_record_batches))
    return iter(reader)


def saved_split(path: Path) -> str | None:
    """The split a ``save_to_disk`` folder records for its Arrow files (``state.json``'s
    ``_split``), or None."""
    try:
        state = orjson.loads((path.parent / "state.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    split = state.get("_split") if isinstance(state, dict) else None
    return split if isinstance(split, str) else None
