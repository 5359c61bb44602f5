"""Byte-range shards of a large JSON Lines file, so one file can be linted by several processes.

A shard starts right after a newline and knows the physical line and the record index it starts
at, so its records carry the same line and index as in a single pass over the whole file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dslint.readers.streams import Oversized, ReadPosition, bounded_lines


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    end: int  # exclusive; the shard ends with the line that crosses or reaches it
    first_line: int  # 1-based physical line of the first byte
    first_index: int  # record index of the first non-blank line


def plan_ranges(path: Path, parts: int) -> list[ByteRange]:
    """Split ``path`` into about ``parts`` ranges of similar size at line boundaries.

    One pass over the lines counts lines and non-blank lines (each non-blank line is a record or
    a read issue and takes an index), which is cheap next to parsing and checking them.
    """
    size = path.stat().st_size
    targets = [size * k // parts for k in range(1, parts)]
    ranges: list[ByteRange] = []
    start, first_line, first_index = 0, 1, 0
    offset, line, index = 0, 1, 0
    with path.open("rb") as fh:
        for raw in bounded_lines(fh, 1 << 20):  # type: ignore[arg-type]  # bounded memory; only sizes matter
            offset += raw.size if type(raw) is Oversized else len(raw)
            line += 1
            if type(raw) is Oversized or not raw.isspace():
                index += 1
            if targets and offset >= targets[0]:
                ranges.append(ByteRange(start, offset, first_line, first_index))
                start, first_line, first_index = offset, line, index
                while targets and targets[0] <= offset:
                    targets.pop(0)
    if start < size or not ranges:
        ranges.append(ByteRange(start, size, first_line, first_index))
    return ranges


def range_lines(
    path: Path, byte_range: ByteRange, max_record: int, position: ReadPosition | None = None
) -> Iterator[bytes | Oversized]:
    """The lines of one range, line endings kept; Oversized for a line over ``max_record`` bytes."""
    remaining = byte_range.end - byte_range.start
    with path.open("rb") as fh:
        fh.seek(byte_range.start)
        if position is not None:
            position.follow(fh, byte_range.start)
        for raw in bounded_lines(fh, max_record):  # type: ignore[arg-type]
            yield raw
            remaining -= raw.size if type(raw) is Oversized else len(raw)
            if remaining <= 0:
                return
