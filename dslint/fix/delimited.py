"""The CSV/TSV writer: the header and every untouched row keep their bytes; a changed row is
written with the file's delimiter, its own line ending and its own quoting (minimal, or every
cell quoted when that reproduces the original row)."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from dslint.fix.jsonl import EditRecord
from dslint.fix.output import Kept, open_output
from dslint.readers.sources import Source
from dslint.readers.streams import BOM, open_binary
from dslint.record import stable_hash


_FIELD_LIMIT = 2**31 - 1


class _Tap:
    """Decodes lines for the csv reader and keeps the raw lines of the row being read."""

    def __init__(self, lines: Iterable[bytes]) -> None:
        self._lines = lines
        self.raw: list[bytes] = []

    def __iter__(self) -> Iterator[str]:
        for number, raw in enumerate(self._lines, 1):
            self.raw.append(raw)
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            yield raw.decode("utf-8", "surrogateescape")

    def take(self) -> bytes:
        raw, self.raw = b"".join(self.raw), []
        return raw


def write_delimited(source: Source, dest: Path, drops: Collection[int], edits: Collection[int], edit_record: EditRecord) -> Kept:
    """Copy a CSV or TSV file like ``write_jsonl`` copies JSON Lines; indices count rows after
    the header, as the reader does, and blank lines are copied without taking one."""
    delimiter = "\t" if source.kind == "tsv" else ","
    csv.field_size_limit(_FIELD_LIMIT)  # as the reader does: a long cell must not become an error here
    kept = Kept()
    header: list[str] | None = None
    index = line = 0
    with open_binary(source) as stream, open_output(dest, source.compression, source.path) as out:
        tap = _Tap(stream)
        reader = csv.reader(tap, delimiter=delimiter)
        while True:
            start = line + 1
            try:
                row: list[str] | None = next(reader)
            except StopIteration:
                break
            except csv.Error:
                row = None  # a malformed row: an item like any other, dropped or kept as is
            raw, line = tap.take(), reader.line_num
            if row == [] or (header is None and row is not None):  # a blank line, the header
                header = header or row
                out.write(raw)
                continue
            if index in drops:
                kept.dropped[index] = stable_hash(raw.rstrip(b"\r\n"))
            else:
                if index in edits and row is not None and header is not None and len(row) == len(header):
                    raw = _edited(raw, row, header, delimiter, start, index, edit_record)
                out.write(raw)
                kept.add(index, start)
            index += 1
    return kept


def _edited(raw: bytes, row: list[str], header: list[str], delimiter: str, line: int, index: int, edit_record: EditRecord) -> bytes:
    data = dict(zip(header, row))
    body = raw.rstrip(b"\r\n")
    ending = raw[len(body) :].decode() or "\n"
    quoting = csv.QUOTE_ALL if _format(row, delimiter, csv.QUOTE_ALL, ending) == raw else csv.QUOTE_MINIMAL
    if not edit_record(index, line, data):
        return raw
    return _format([data[key] for key in header], delimiter, quoting, ending)


def _format(row: list[str], delimiter: str, quoting: int, ending: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=ending).writerow(row)
    return buffer.getvalue().encode("utf-8", "surrogateescape")
