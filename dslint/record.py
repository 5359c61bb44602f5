"""Records as readers yield them, and the read problems that become schema findings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
import xxhash

if TYPE_CHECKING:
    from dslint.formats.base import Format, TextField

HASH_SEED = 0x5D5117  # fixed seed: fingerprints must be identical across runs and machines


def stable_hash(data: bytes | str) -> str:
    """A 64-bit xxh3 hex digest with the project's fixed seed."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return xxhash.xxh3_64_hexdigest(data, seed=HASH_SEED)


def canonical_json(value: Any) -> bytes:
    """JSON with sorted keys and no whitespace: the identity of a record's content."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:  # Parquet decimals, big ints, lone surrogates, nesting over orjson's limit
        return _canonical_json_iterative(value).encode("utf-8", "surrogatepass")


class _Literal(str):
    """Punctuation already encoded, as opposed to a string value still to encode."""


def _canonical_json_iterative(value: Any) -> str:
    """The same canonical form built with an explicit stack, so no depth can overflow it."""
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if type(item) is _Literal:
            out.append(item)
        elif isinstance(item, dict):
            stack.append(_Literal("}"))
            keys = sorted(item, key=str)
            for i in range(len(keys) - 1, -1, -1):
                stack.append(item[keys[i]])
                stack.append(_Literal(("," if i else "") + json.dumps(str(keys[i]), ensure_ascii=False) + ":"))
            stack.append(_Literal("{"))
        elif isinstance(item, list | tuple):
            stack.append(_Literal("]"))
            for i in range(len(item) - 1, -1, -1):
                stack.append(item[i])
                if i:
                    stack.append(_Literal(","))
            stack.append(_Literal("["))
        else:
            out.append(json.dumps(item, default=str, ensure_ascii=False))
    return "".join(out)


@dataclass(slots=True)
class Record:
    """One parsed example: where it came from and its value (always a JSON object here)."""

    file: str
    line: int | None
    index: int
    data: dict[str, Any]
    split: str | None = None
    format: Format | None = None
    _content_hash: str | None = field(default=None, repr=False)
    _fields: list[TextField] | None = field(default=None, repr=False)

    @property
    def content_hash(self) -> str:
        """Hash of the canonical record: the basis of fingerprints, cached per record."""
        if self._content_hash is None:
            self._content_hash = stable_hash(canonical_json(self.data))
        return self._content_hash

    @property
    def fields(self) -> list[TextField]:
        """The record's text fields with JSON pointers and roles, as its format sees them."""
        if self._fields is None:
            self._fields = self.format.fields(self.data) if self.format is not None else []
        return self._fields


@dataclass(slots=True, frozen=True)
class ReadIssue:
    """A line or row that could not become a record; the engine turns it into a schema finding."""

    file: str
    line: int | None
    index: int
    rule: str  # DS101 invalid-json, DS102 invalid-utf8, DS103 not-an-object, DS100 unreadable-file, DS123
    message: str
    raw: bytes = b""
    split: str | None = None
