"""Helpers shared by the schema checks: JSON type names and collecting one record's findings."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dslint.check import Rule
from dslint.finding import Finding
from dslint.record import Record
from dslint.redact import quote


@dataclass(frozen=True, slots=True)
class Settings:
    """The schema rules' options, read once per check instance."""

    allow: frozenset[str] = frozenset()  # DS106 allow
    message_allow: frozenset[str] = frozenset()  # DS122 allow
    extra_roles: frozenset[str] = frozenset()  # DS107 extra-roles


def json_type(value: Any) -> str:
    """The JSON name of a value's type, with its article: 'a string', 'an object', 'null'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__} value"


def literal(value: Any) -> str:
    """A scalar from the data as it reads in JSON (true, null, 0.5, 'text'), for messages."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return quote(value)
    return json_type(value)


def is_blank(value: Any) -> bool:
    return isinstance(value, str) and (not value or value.isspace())  # strip() would copy the text


def is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def top_key(key: str) -> str:
    """The top-level key a configured field lives under."""
    if not key.startswith("/"):
        return key
    return key.split("/")[1].replace("~1", "/").replace("~0", "~")


def doc_position(data: Any, ptr: str) -> tuple[int, ...]:
    """Where a pointer falls in document order; keys that are absent sort after their siblings."""
    out: list[int] = []
    node = data
    for raw in ptr.split("/")[1:]:
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and key in node:
            out.append(list(node).index(key))
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            out.append(int(key))
            node = node[int(key)]
        else:
            out.append(len(node) if isinstance(node, (Mapping, list)) else 0)
            node = None
    return tuple(out)


class Collector:
    """One record's findings: at most one per (rule, field), returned in document order.

    The (rule, field) identity lets conversation rules run over overlapping message sequences
    (a preference prompt joined to each side) without reporting the prompt twice.
    """

    def __init__(self, record: Record) -> None:
        self.record = record
        self._found: dict[tuple[str, str], Finding] = {}

    def add(self, rule: Rule, ptr: str, message: str, snippet: str | None = None) -> None:
        if (rule.code, ptr) not in self._found:
            self._found[(rule.code, ptr)] = rule.at(self.record, message, field=ptr or None, snippet=snippet)

    def findings(self) -> list[Finding]:
        data = self.record.data
        # sorted() is stable: findings on the same field keep the order they were made in.
        return sorted(self._found.values(), key=lambda f: doc_position(data, f.location.field or ""))
