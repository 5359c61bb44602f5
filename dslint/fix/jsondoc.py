"""The JSON document writer (``alpaca_data.json``: an array of records, or an object holding one
list of them). A document is one value, so a changed file is serialised whole, in the document's
own style when a common one reproduces it (indent 2 or 4 or none, escaped or literal non-ASCII);
a file whose edits change nothing keeps its bytes."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import orjson

from dslint.fix.jsonl import EditRecord, dump, parse
from dslint.fix.output import Kept, open_output
from dslint.readers import read_source
from dslint.readers.sources import Source
from dslint.readers.streams import BOM, open_binary
from dslint.record import canonical_json, stable_hash

_CHAT_KEYS = ("messages", "conversations")  # such an object is one record, as in the reader


def _styles() -> list[Callable[[Any], bytes]]:
    out: list[Callable[[Any], bytes]] = [orjson.dumps, lambda d: orjson.dumps(d, option=orjson.OPT_INDENT_2)]
    for indent, separators in ((2, None), (4, None), (None, None), (None, (",", ":"))):
        for ascii_only in (False, True):
            out.append(lambda d, i=indent, s=separators, a=ascii_only: json.dumps(d, indent=i, separators=s, ensure_ascii=a).encode("utf-8"))
    return out


def _style_of(doc: Any, body: bytes) -> Callable[[Any], bytes]:
    for style in _styles():
        try:
            if style(doc) == body:
                return style
        except (TypeError, ValueError, UnicodeEncodeError):
            continue
    return lambda d: json.dumps(d, indent=2, ensure_ascii=False).encode("utf-8", "surrogatepass")


def write_json(source: Source, dest: Path, drops: Collection[int], edits: Collection[int], edit_record: EditRecord) -> Kept:
    """Copy a JSON document without the records at ``drops``, handing those at ``edits`` to
    ``edit_record``; indices are positions in the list of records, as in the reader."""
    with open_binary(source) as stream:
        data = stream.read()
    prefix = BOM if data.startswith(BOM) else b""
    body = data[len(prefix) :].strip()
    doc = parse(body)
    lines = {item.index: item.line for item in read_source(source)}
    single = isinstance(doc, dict) and any(isinstance(doc.get(k), list) for k in _CHAT_KEYS)
    records = [doc] if single else doc if isinstance(doc, list) else next(v for v in doc.values() if isinstance(v, list))
    style = _style_of(doc, body)
    kept = Kept()
    out: list[Any] = []
    changed = False
    for index, value in enumerate(records):
        if index in drops and not single:  # a one-record document stays a document
            kept.dropped[index] = stable_hash(canonical_json(value))
            changed = True
            continue
        if index in edits and type(value) is dict:
            changed = edit_record(index, lines.get(index), value) or changed
        out.append(value)
        kept.add(index, lines.get(index))
    if isinstance(doc, list):
        doc = out
    elif not single:
        key = next(k for k, v in doc.items() if isinstance(v, list))
        doc[key] = out
    rest = data[len(prefix) :]
    lead, trail = rest[: len(rest) - len(rest.lstrip())], rest[len(rest.rstrip()) :]
    with open_output(dest, source.compression, source.path) as fh:
        fh.write(prefix + lead + dump(style, doc) + trail if changed else data)
    return kept
