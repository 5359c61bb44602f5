"""A batch: consecutive records of one file, as the engine hands them to checks.

Besides the parsed records, a batch offers the columnar view every family works from: the text
fields of all its records as flat, parallel lists (which record, the field with its JSON pointer
and role, its text), built once per batch and shared by every check. ``shared`` keeps any other
per-batch fact two checks both derive (the duplicates and leakage checks' record views), so it is
computed once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dslint.formats.base import TextField
from dslint.record import Record

T = TypeVar("T")
BATCH_RECORDS = 512  # records per batch: big enough to amortise per-batch work, small for memory


@dataclass(frozen=True, slots=True)
class FieldColumns:
    """Every text field of a batch, flattened in record order: ``row[i]`` is the position in the
    batch of the record that field ``fields[i]`` (text ``texts[i]``) belongs to."""

    row: list[int]
    fields: list[TextField]
    texts: list[str]


@dataclass(slots=True)
class Batch:
    records: Sequence[Record]
    _columns: FieldColumns | None = field(default=None, repr=False)
    _shared: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def columns(self) -> FieldColumns:
        """The text fields of every record, flattened (computed on first use)."""
        if self._columns is None:
            row: list[int] = []
            fields: list[TextField] = []
            for i, record in enumerate(self.records):
                found = record.fields
                fields.extend(found)
                row.extend([i] * len(found))
            self._columns = FieldColumns(row, fields, [f.text for f in fields])
        return self._columns

    def shared(self, key: str, compute: Callable[[Batch], T]) -> T:
        """``compute(self)``, once per batch and key: per-batch facts that several checks use."""
        if key not in self._shared:
            self._shared[key] = compute(self)
        return self._shared[key]  # type: ignore[no-any-return]
