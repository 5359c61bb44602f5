"""Writing fixed files: compression as the input had it, reproducibly, and never half-written.

Every file is written to a temporary name in its destination folder and renamed into place once
complete, so an interrupted run leaves either the old file or the new one. gzip headers carry no
time or name, so the same input gives the same bytes on every run.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import tempfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import zstandard

from dslint.readers.sources import Compression


@dataclass
class Kept:
    """The items a writer kept, by their index and line (-1: no line, as in Parquet) in the file
    it read."""

    indices: array = field(default_factory=lambda: array("q"))
    lines: array = field(default_factory=lambda: array("q"))
    dropped: dict[int, str] = field(default_factory=dict)  # index -> hash of the dropped item

    def add(self, index: int, line: int | None) -> None:
        self.indices.append(index)
        self.lines.append(-1 if line is None else line)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(dest: Path, mode_of: Path | None = None) -> Iterator[Path]:
    """A temporary path next to ``dest`` that replaces ``dest`` when the block ends without error.
    The file gets the permissions of ``mode_of`` (the input it is a copy of), else of ``dest``,
    else the umask's default (a temporary file's own 0600 would lock other users out)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name[:40]}.", suffix=".dslint-tmp", dir=dest.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        like = next((p for p in (mode_of, dest) if p is not None and p.exists()), None)
        os.chmod(tmp, like.stat().st_mode & 0o7777 if like is not None else 0o666 & ~_umask())
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def open_output(dest: Path, compression: Compression | None, mode_of: Path | None = None) -> Iterator[BinaryIO]:
    """A binary stream whose bytes end up in ``dest``, compressed like the input."""
    with atomic_path(dest, mode_of) as tmp, open(tmp, "wb") as raw:
        if compression == "gzip":
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
                yield out  # type: ignore[misc]
        elif compression == "zstd":
            with zstandard.ZstdCompressor().stream_writer(raw, closefd=False) as out:
                yield out  # type: ignore[misc]
        else:
            yield raw


def copy_file(src: Path, dest: Path) -> None:
    """A byte-for-byte copy, for files no fix touches."""
    with atomic_path(dest, src) as tmp:
        shutil.copyfile(src, tmp)
