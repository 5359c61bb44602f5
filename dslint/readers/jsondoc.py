"""JSON documents (.json): an array of records, or an object holding exactly one list of them.

A .json file is one document, so it is parsed whole; the line where each element starts comes
from a scan of the bytes that only looks at strings and brackets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

from dslint.readers.jsonl import NOT_PARSED, loads_lone_surrogates, not_an_object, type_name
from dslint.readers.streams import (
    BOM,
    MAX_DOCUMENT_BYTES,
    RAW_LIMIT,
    SNIFF_BYTES,
    STREAM_ERRORS,
    file_issue,
    sniff_binary,
    stream_error,
    utf8_error,
)
from dslint.record import ReadIssue, Record, canonical_json
from dslint.redact import quote

# A JSON string (escapes included) or one structural character; everything else is skipped.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]', re.DOTALL)
_NON_SPACE = re.compile(rb"[^ \t\r\n]")
# An object with a list under one of these keys is a single chat record, not a wrapper of records.
_CHAT_KEYS = ("messages", "conversations")
_EXPECTED = 'expected an array of records or an object holding one (e.g. {"data": [...]})'


def read_json(file: str, stream: BinaryIO) -> Iterator[Record | ReadIssue]:
    """Records and read issues of a JSON document, in array order."""
    try:
        data = stream.read(MAX_DOCUMENT_BYTES + 1)
    except STREAM_ERRORS as exc:
        yield file_issue(file, 0, f"cannot read file: {stream_error(exc)}")
        return
    if len(data) > MAX_DOCUMENT_BYTES:
        limit = MAX_DOCUMENT_BYTES >> 30
        yield file_issue(file, 0, f"JSON document over {limit} GB: a .json file is parsed whole; convert it to JSON Lines")
        return
    problem = sniff_binary(data[:SNIFF_BYTES], "JSON")
    if problem is not None:
        yield file_issue(file, 0, problem)
        return
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if not data or data.isspace():
        return
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        doc = loads_lone_surrogates(data)
        if doc is NOT_PARSED:
            message, line = _document_error(data, exc)
            yield file_issue(file, 0, message, line)
            return
    if isinstance(doc, dict) and any(isinstance(doc.get(key), list) for key in _CHAT_KEYS):
        start = _NON_SPACE.search(data)
        yield Record(file, _line_at(data, start.start() if start else 0), 0, doc)
        return
    records = _records(doc)
    if isinstance(records, str):
        yield file_issue(file, 0, records)
        return
    line, pos = 1, 0
    for index, (value, start) in enumerate(zip(records, _element_starts(data, nested=isinstance(doc, dict)), strict=True)):
        line += data.count(b"\n", pos, start)
        pos = start
        if type(value) is dict:
            yield Record(file, line, index, value)
        else:
            yield not_an_object(file, line, index, value, canonical_json(value)[:RAW_LIMIT])


def _lists(doc: dict[str, Any]) -> list[str]:
    return [key for key, value in doc.items() if isinstance(value, list)]


def _records(doc: Any) -> list[Any] | str:
    """The list of records the document holds, or why it holds none."""
    if isinstance(doc, list):
        return doc
    if not isinstance(doc, dict):
        return f"the JSON document is {type_name(doc)}; {_EXPECTED}"
    keys = _lists(doc)
    if len(keys) == 1:
        return doc[keys[0]]
    if not keys:
        return f"the JSON document is an object without a list; {_EXPECTED}"
    named = ", ".join(quote(k) for k in keys[:3]) + (", ..." if len(keys) > 3 else "")
    return f"the JSON document is an object with {len(keys)} lists ({named}); expected exactly one list of records"


def _element_starts(data: bytes, nested: bool) -> Iterator[int]:
    """Byte offsets where the elements of the records array start: the top-level array, or
    (``nested``) the one array that is a value of the top-level object."""
    target = 2 if nested else 1
    depth = 0
    inside = False
    for match in _TOKEN.finditer(data):
        char = data[match.start()]
        if char == 0x22:  # a string: keys and values alike are skipped whole
            continue
        if char == 0x2C:  # ','
            if inside and depth == target:
                yield _NON_SPACE.search(data, match.end()).start()  # type: ignore[union-attr]
        elif char in b"[{":
            depth += 1
            if depth == target and char == 0x5B:
                inside = True
                first = _NON_SPACE.search(data, match.end()).start()  # type: ignore[union-attr]
                if data[first] != 0x5D:  # not an empty array
                    yield first
        else:
            if inside and depth == target:
                return
            depth -= 1


def _document_error(data: bytes, exc: orjson.JSONDecodeError) -> tuple[str, int]:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = _line_at(data, err.start)
        line_start = data.rfind(b"\n", 0, err.start) + 1
        return utf8_error(data[line_start : err.start + 1], err.start - line_start, line), line
    return f"invalid JSON document: {exc.msg} at line {exc.lineno} column {exc.colno}", exc.lineno


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
