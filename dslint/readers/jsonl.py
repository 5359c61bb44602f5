"""JSON Lines: one JSON object per line, read as a stream of binary lines."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import orjson

from dslint.readers.shards import ByteRange, Opener, range_lines
from dslint.readers.streams import (
    MAX_RECORD_BYTES,
    STREAM_ERRORS,
    Oversized,
    ReadPosition,
    cap,
    file_issue,
    oversized_message,
    start_lines,
    stream_error,
    utf8_error,
)
from dslint.record import ReadIssue, Record

# A file whose first this-many non-blank lines are all unreadable is not JSON Lines at all:
# stop there instead of reporting every line of it.
GIVE_UP_AFTER = 100


def read_jsonl(file: str, stream: BinaryIO, max_record: int = MAX_RECORD_BYTES) -> Iterator[Record | ReadIssue]:
    """Records and read issues of a JSON Lines stream, in file order."""
    try:
        lines, problem = start_lines(stream, "JSON Lines", max_record)
    except STREAM_ERRORS as exc:
        yield file_issue(file, 0, f"cannot read past line 0: {stream_error(exc)}", 1)
        return
    if problem is not None:
        yield file_issue(file, 0, problem)
        return
    yield from parse_lines(file, lines, max_record=max_record)


def read_jsonl_range(
    file: str, open_file: Opener, byte_range: ByteRange, max_record: int = MAX_RECORD_BYTES, position: ReadPosition | None = None
) -> Iterator[Record | ReadIssue]:
    """The records of one byte range of an uncompressed JSON Lines file (a shard of it), whose
    stored bytes ``open_file`` opens."""
    yield from parse_lines(
        file,
        range_lines(open_file, byte_range, max_record, position),
        byte_range.first_line - 1,
        byte_range.first_index,
        give_up=byte_range.start == 0,
        max_record=max_record,
    )


def parse_lines(
    file: str,
    lines: Iterable[bytes | Oversized],
    lineno: int = 0,
    index: int = 0,
    *,
    give_up: bool = True,
    max_record: int = MAX_RECORD_BYTES,
) -> Iterator[Record | ReadIssue]:
    """Records and read issues of JSON Lines, numbering from ``lineno + 1`` and ``index``."""
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    unreadable = 0
    try:
        for raw in lines:
            lineno += 1
            if type(raw) is Oversized:
                yield ReadIssue(file, lineno, index, "DS123", oversized_message(raw.size, max_record), f"oversized\0{lineno}".encode())
                index += 1
                continue
            try:
                data = loads(raw)
            except decode_error as exc:
                if raw.isspace():
                    continue
                data = loads_lone_surrogates(raw)
                if data is not NOT_PARSED:
                    yield Record(file, lineno, index, data) if type(data) is dict else not_an_object(file, lineno, index, data, raw)
                    index += 1
                    continue
                yield bad_line(file, lineno, index, raw, exc)
                index += 1
                unreadable += 1
                if give_up and unreadable == index == GIVE_UP_AFTER:
                    why = f"none of the first {GIVE_UP_AFTER} lines is valid JSON, is this really JSON Lines?"
                    yield file_issue(file, index, f"reading stopped: {why}")
                    return
                continue
            if type(data) is dict:
                yield Record(file, lineno, index, data)
            else:
                yield not_an_object(file, lineno, index, data, raw)
            index += 1
    except STREAM_ERRORS as exc:
        yield file_issue(file, index, f"cannot read past line {lineno}: {stream_error(exc)}", lineno + 1)


NOT_PARSED = object()
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return value


def loads_lone_surrogates(raw: bytes) -> Any:
    """The value of JSON that orjson refused only because a string escapes a lone surrogate
    (``"\\ud83d"``), which the standard library accepts and DS604 reports; else NOT_PARSED.

    NaN, Infinity and out-of-range numbers stay invalid, as they are for orjson."""
    if not _SURROGATE_ESCAPE.search(raw):
        return NOT_PARSED
    try:
        return json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):
        return NOT_PARSED


def bad_line(file: str, line: int, index: int, raw: bytes, exc: orjson.JSONDecodeError) -> ReadIssue:
    """DS102 when the line is not UTF-8 (the more basic problem), else DS101."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return ReadIssue(file, line, index, "DS102", utf8_error(raw, err.start), cap(raw))
    if exc.lineno > 1:  # the error is at the line ending: parse without it for the right column
        try:
            orjson.loads(raw.rstrip(b"\r\n"))
        except orjson.JSONDecodeError as again:
            exc = again
    return ReadIssue(file, line, index, "DS101", f"invalid JSON: {exc.msg} at column {exc.colno}", cap(raw))


_TYPE_NAMES = {list: "a JSON array", str: "a JSON string", int: "a JSON number", float: "a JSON number", bool: "a JSON boolean"}


def type_name(value: Any) -> str:
    """What a parsed JSON value is, for messages: "a JSON array", "JSON null"."""
    return _TYPE_NAMES.get(type(value), "JSON null")


def not_an_object(file: str, line: int | None, index: int, value: Any, raw: bytes) -> ReadIssue:
    """DS103: valid JSON, but not an object."""
    return ReadIssue(file, line, index, "DS103", f"record is {type_name(value)}, not an object", cap(raw))
