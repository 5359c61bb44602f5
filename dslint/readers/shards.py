"""Shards of one large file, so several processes can lint it: byte ranges of an uncompressed
JSON Lines file (local or a URL), and runs of whole row groups of a Parquet file or of record
batches of an Arrow file (their readers plan and read those runs).

A shard knows the record index it starts at (and a byte range the physical line), so its
records carry the same line and index as in a single pass over the whole file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from itertools import accumulate
from typing import BinaryIO

from dslint.readers.sources import Source
from dslint.readers.streams import Oversized, ReadPosition, bounded_lines

# Opens the file's stored bytes for reading and seeking; the stream is closed by the context.
Opener = Callable[[], AbstractContextManager[BinaryIO]]


def opener(source: Source) -> Opener:
    """Opens a file's stored bytes where this runs: a local path, or a URL through fsspec."""
    if source.url is not None:
        from dslint.readers.remote import open_url  # fsspec is imported only for URLs

        return lambda: open_url(source)  # type: ignore[return-value]  # a file object is its own context
    path = source.path
    assert path is not None, "stdin and data in memory are never cut into shards"
    return lambda: path.open("rb")


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    end: int  # exclusive; the shard ends with the line that crosses or reaches it
    first_line: int  # 1-based physical line of the first byte
    first_index: int  # record index of the first non-blank line


@dataclass(frozen=True, slots=True)
class RowGroups:
    """A run of a Parquet file's row groups, or of an Arrow file's record batches."""

    start: int  # first row group
    end: int  # exclusive
    first_index: int  # row number (record index) of the shard's first row
    stored: int  # this shard's share of the file's stored bytes, for the progress meter


def plan_ranges(open_file: Opener, size: int, parts: int) -> list[ByteRange]:
    """Split a file of ``size`` bytes into about ``parts`` ranges of similar size at line boundaries.

    One pass over the lines counts lines and non-blank lines (each non-blank line is a record or
    a read issue and takes an index), which is cheap next to parsing and checking them.
    """
    targets = [size * k // parts for k in range(1, parts)]
    ranges: list[ByteRange] = []
    start, first_line, first_index = 0, 1, 0
    offset, line, index = 0, 1, 0
    with open_file() as fh:
        for raw in bounded_lines(fh, 1 << 20):  # bounded memory; only sizes matter
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
    open_file: Opener, byte_range: ByteRange, max_record: int, position: ReadPosition | None = None
) -> Iterator[bytes | Oversized]:
    """The lines of one range, line endings kept; Oversized for a line over ``max_record`` bytes."""
    remaining = byte_range.end - byte_range.start
    with open_file() as fh:
        fh.seek(byte_range.start)
        if position is not None:
            position.follow(fh, byte_range.start)
        for raw in bounded_lines(fh, max_record):
            yield raw
            remaining -= raw.size if type(raw) is Oversized else len(raw)
            if remaining <= 0:
                return


def group_runs(sizes: list[int], parts: int) -> list[tuple[int, int]]:
    """Cut consecutive items of ``sizes`` into at most ``parts`` runs ``(start, end)`` of similar
    total size, each cut at the item boundary nearest its target; every run holds an item."""
    before = list(accumulate(sizes))[:-1]  # before[i]: the size of items 0..i, left of cut i + 1
    cuts: list[int] = []
    for k in range(1, parts):
        target = sum(sizes) * k / parts
        cut = min(range(len(before)), key=lambda i: abs(before[i] - target), default=-1) + 1
        if cut and (not cuts or cut > cuts[-1]):
            cuts.append(cut)
    return list(zip([0, *cuts], [*cuts, len(sizes)]))


def row_runs(units: list[tuple[int, int]], parts: int, stored: int) -> list[RowGroups] | None:
    """Runs of consecutive units (row groups, record batches: ``(rows, bytes)`` each) of similar
    size, at most ``parts`` of them, with the file's ``stored`` bytes shared out in proportion
    (for the progress meter); None when there is nothing to cut."""
    sizes = [size for _, size in units]
    total = sum(sizes) or 1
    runs: list[RowGroups] = []
    rows = done = 0
    for start, end in group_runs(sizes, parts) if len(units) > 1 else []:
        share = stored * (done + sum(sizes[start:end])) // total - stored * done // total
        runs.append(RowGroups(start, end, rows, share))
        rows += sum(n for n, _ in units[start:end])
        done += sum(sizes[start:end])
    return runs if len(runs) > 1 else None
