"""Arrow IPC files (``.arrow``), as Hugging Face ``datasets`` writes them with ``save_to_disk``:
read a record batch at a time, one record per row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pyarrow as pa

from dslint.readers.columnar import read_rows
from dslint.readers.remote import native_file
from dslint.readers.sources import Source
from dslint.record import ReadIssue, Record


def read_arrow(source: Source) -> Iterator[Record | ReadIssue]:
    """Records of an Arrow IPC stream (or random-access file) in row order; ``line`` is None."""

    @contextmanager
    def batches() -> Iterator[tuple[list[str], Iterator[pa.RecordBatch]]]:
        with native_file(source) as where, (pa.memory_map(where) if isinstance(where, str) else where) as mapped:
            reader = _open(mapped)
            yield reader.schema.names, _batches(reader)

    return read_rows(source.display, batches, "Arrow IPC file")


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
