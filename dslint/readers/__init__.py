"""Streaming readers: input files (JSON Lines, JSON, CSV/TSV, Parquet, Arrow; gzip/zstd) and
in-memory objects become Records, and lines or rows that cannot become records become
ReadIssues, in file order.

``index`` counts records and issues together from 0; ``line`` is the 1-based physical line where
a record starts (None for Parquet, Arrow and in-memory rows). Blank lines are skipped without
taking an index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import BinaryIO

from dslint.readers.arrow import read_arrow
from dslint.readers.delimited import read_delimited
from dslint.readers.jsondoc import read_json
from dslint.readers.jsonl import read_jsonl
from dslint.readers.memory import read_memory
from dslint.readers.parquet import read_parquet
from dslint.readers.sources import InputError, Source, discover
from dslint.readers.streams import MAX_RECORD_BYTES, ReadPosition, file_issue, open_binary, stream_error
from dslint.record import ReadIssue, Record

__all__ = ["InputError", "Source", "discover", "read_source"]

_TEXT_READERS: dict[str, Callable[..., Iterator[Record | ReadIssue]]] = {
    "jsonl": read_jsonl,
    "csv": partial(read_delimited, delimiter=","),
    "tsv": partial(read_delimited, delimiter="\t"),
}


def read_source(
    source: Source, stdin: BinaryIO | None = None, max_record: int = MAX_RECORD_BYTES, position: ReadPosition | None = None
) -> Iterator[Record | ReadIssue]:
    """Stream the records of one source; ``stdin`` (default ``sys.stdin.buffer``) is read as
    JSON Lines when the source is stdin. Problems with the data are yielded as ReadIssues,
    never raised. A JSON Lines line or CSV row over ``max_record`` bytes is a DS123 issue.
    ``position`` follows how far into a text file reading has got (Parquet and Arrow: not)."""
    if source.kind == "parquet":
        yield from read_parquet(source)
        return
    if source.kind == "arrow":
        yield from read_arrow(source)
        return
    if source.kind == "memory":
        yield from read_memory(source.display, source.data)
        return
    try:
        opened = open_binary(source, stdin, position)
    except OSError as exc:
        yield file_issue(source.display, 0, f"cannot read file: {stream_error(exc)}")
        return
    with opened as stream:
        if source.kind == "json":
            yield from read_json(source.display, stream)
        else:
            yield from _TEXT_READERS[source.kind](source.display, stream, max_record=max_record)
