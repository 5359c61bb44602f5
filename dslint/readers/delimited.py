"""CSV and TSV with a header row; every value stays a string.

Lines are decoded one at a time so that a row with bytes that are not UTF-8 is reported on its
own and reading goes on; the csv module then sees text lines and keeps count of them, which gives
the physical line where each row (possibly spanning several lines) starts.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from dslint.readers.streams import (
    MAX_RECORD_BYTES,
    STREAM_ERRORS,
    Oversized,
    cap,
    file_issue,
    oversized_message,
    repeated_column,
    start_lines,
    stream_error,
    utf8_error,
)
from dslint.record import ReadIssue, Record
from dslint.redact import printable

# Chat transcripts in a cell easily pass the csv module's default limit of 128 KiB per field.
_FIELD_LIMIT = 2**31 - 1


class _Lines:
    """Decodes lines for the csv reader; remembers the last line and the last one not UTF-8."""

    def __init__(self, lines: Iterable[bytes | Oversized]) -> None:
        self._lines = lines
        self.last = b""
        self.bad_line = 0
        self.bad_message = ""
        self.oversized: list[tuple[int, int]] = []  # (line, size) of lines skipped for their size

    def __iter__(self) -> Iterator[str]:
        for number, raw in enumerate(self._lines, 1):
            if type(raw) is Oversized:
                self.oversized.append((number, raw.size))
                yield "\n"  # a blank row for the csv reader; the caller reports the line
                continue
            self.last = raw
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as err:
                self.bad_line = number
                self.bad_message = utf8_error(raw, err.start, number)
                yield raw.decode("utf-8", "surrogateescape")


def read_delimited(
    file: str, stream: BinaryIO, delimiter: str, max_record: int = MAX_RECORD_BYTES
) -> Iterator[Record | ReadIssue]:
    """Records and read issues of a CSV (``delimiter=","``) or TSV (``"\\t"``) stream."""
    what = "TSV" if delimiter == "\t" else "CSV"
    csv.field_size_limit(min(_FIELD_LIMIT, max_record))  # a quoted field spanning lines stays bounded too
    header: list[str] | None = None
    index = end = 0
    try:
        lines, problem = start_lines(stream, what, max_record)
        if problem is not None:
            yield file_issue(file, 0, problem)
            return
        decoded = _Lines(lines)
        reader = csv.reader(decoded, delimiter=delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # the reader starts afresh on the next line
                start, end = end + 1, reader.line_num
                yield ReadIssue(file, start, index, "DS101", f"malformed {what} row: {_csv_error(exc)}", cap(decoded.last))
                index += 1
                continue
            # line_num is the line where the row ends; it starts right after the previous one.
            start, end = end + 1, reader.line_num
            for line, size in decoded.oversized:
                yield ReadIssue(file, line, index, "DS123", oversized_message(size, max_record), f"oversized\0{line}".encode())
                index += 1
            decoded.oversized.clear()
            if not row:
                continue  # a blank line
            if header is None:
                if decoded.bad_line >= start:
                    yield file_issue(file, 0, f"the header row is not UTF-8 ({decoded.bad_message})", start)
                    return
                repeated = repeated_column(row)
                if repeated:
                    yield file_issue(file, 0, repeated, start)
                    return
                header = row
            elif decoded.bad_line >= start:
                yield ReadIssue(file, start, index, "DS102", decoded.bad_message, _raw(row, delimiter))
                index += 1
            elif len(row) != len(header):
                message = f"row has {_cells(len(row))}, header has {len(header)}"
                yield ReadIssue(file, start, index, "DS101", message, _raw(row, delimiter))
                index += 1
            else:
                yield Record(file, start, index, dict(zip(header, row)))
                index += 1
    except STREAM_ERRORS as exc:
        yield file_issue(file, index, f"cannot read past line {end}: {stream_error(exc)}", end + 1)


def _csv_error(exc: csv.Error) -> str:
    if str(exc).startswith("new-line character seen in unquoted field"):
        return "a carriage return inside an unquoted field"
    return printable(str(exc))[:200]


def _cells(n: int) -> str:
    return f"{n} cell" if n == 1 else f"{n} cells"


def _raw(row: list[str], delimiter: str) -> bytes:
    return cap(delimiter.join(row).encode("utf-8", "surrogateescape"))
