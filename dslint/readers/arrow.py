"""Arrow IPC files (``.arrow``), as Hugging Face ``datasets`` writes them with ``save_to_disk``:
read a record batch at a time, one record per row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pyarrow as pa

from dslint.readers.sources import Source
from dslint.readers.streams import file_issue, repeated_column
from dslint.record import ReadIssue, Record
from dslint.redact import printable


def read_arrow(source: Source) -> Iterator[Record | ReadIssue]:
    """Records of an Arrow IPC stream (or random-access file) in row order; ``line`` is None."""
    file = source.display
    index = 0
    try:
        with pa.memory_map(str(source.path)) as mapped:
            reader = _open(mapped)
            repeated = repeated_column(reader.schema.names)
            if repeated:
                yield file_issue(file, 0, repeated)
                return
            for batch in _batches(reader):
                for row in batch.to_pylist():
                    yield Record(file, None, index, row)
                    index += 1
    except (pa.ArrowException, OSError, ValueError) as exc:
        reason = printable(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)[:200]
        where = "not a readable Arrow IPC file" if index == 0 else f"cannot read past row {index}"
        yield file_issue(file, index, f"{where}: {reason}")


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
