"""The JSON Lines writer: copy a file line by line, dropping or re-serialising only the records
the fixes touch, so every other line keeps its bytes (line ending and a leading BOM included).

A rewritten record is serialised in the style its line had (compact or spaced, escaped non-ASCII
or not, pandas' escaped slashes) when one of the common styles reproduces the line exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

import orjson

from dslint.fix.output import Kept, open_output
from dslint.readers.jsonl import NOT_PARSED, loads_lone_surrogates
from dslint.readers.sources import Source
from dslint.readers.streams import BOM, open_binary
from dslint.record import stable_hash

# (index, line, data) -> whether the record was changed in place
EditRecord = Callable[[int, int | None, dict[str, Any]], bool]


def _styles() -> Iterator[Callable[[Any], bytes]]:
    yield orjson.dumps
    yield lambda d: json.dumps(d, ensure_ascii=False).encode("utf-8")
    yield lambda d: json.dumps(d).encode("utf-8")
    yield lambda d: json.dumps(d, separators=(",", ":")).encode("utf-8")
    yield lambda d: json.dumps(d, separators=(",", ":")).replace("/", "\\/").encode("utf-8")  # pandas


def _style_of(data: Any, body: bytes) -> Callable[[Any], bytes]:
    for style in _styles():
        try:
            if style(data) == body:
                return style
        except (TypeError, ValueError, UnicodeEncodeError):
            continue
    return orjson.dumps


def dump(style: Callable[[Any], bytes], data: Any) -> bytes:
    """``data`` in ``style``, or escaped ASCII JSON when the style cannot encode it."""
    try:
        return style(data)
    except (TypeError, ValueError, UnicodeEncodeError):  # a lone surrogate left in the text
        return json.dumps(data).encode("utf-8")


def parse(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        data = loads_lone_surrogates(body)
        return None if data is NOT_PARSED else data


def write_jsonl(source: Source, dest: Path, drops: Collection[int], edits: Collection[int], edit_record: EditRecord) -> Kept:
    """Copy ``source`` to ``dest`` (same compression) without the items at the indices in
    ``drops``, handing the records at ``edits`` to ``edit_record``. Blank lines are copied and
    take no index, as in the reader. Returns the index and line of every item kept."""
    index = 0
    kept = Kept()
    with open_binary(source) as stream, open_output(dest, source.compression, source.path) as out:
        for lineno, raw in enumerate(stream, 1):
            if raw.isspace():
                out.write(raw)
                continue
            if index in drops:
                kept.dropped[index] = stable_hash(raw.rstrip(b"\r\n"))
                index += 1
                continue
            if index in edits:
                raw = _edited(raw, lineno, index, edit_record)
            out.write(raw)
            kept.add(index, lineno)
            index += 1
    return kept


def _edited(raw: bytes, lineno: int, index: int, edit_record: EditRecord) -> bytes:
    prefix = BOM if lineno == 1 and raw.startswith(BOM) else b""
    line = raw[len(prefix) :]
    body = line.rstrip(b"\r\n")
    data = parse(body)
    if type(data) is not dict:
        return raw
    style = _style_of(data, body)
    if not edit_record(index, lineno, data):
        return raw
    return prefix + dump(style, data) + line[len(body) :]
