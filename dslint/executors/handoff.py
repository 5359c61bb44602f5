"""Large results handed from pool workers to the main process through shared memory.

A shard's result can hold a hundred megabytes of arrays (the leakage check's training n-grams).
Through the pool's single result pipe it is pickled into one copy, written in pieces and read back
while the other worker, done too, waits for the pipe. Instead a worker pickles it with protocol 5,
writes the arrays' buffers to a file in a private folder of /dev/shm (memory, never a disk), and
sends the small rest; the main process maps the file, unpickles the arrays over the mapping
without a copy, and unlinks the file at once. Where /dev/shm is missing or lacks room, or the
result is small, it goes by the pipe as before. The folder goes with the pool; one left by a run
killed outright is removed by the next run.
"""

from __future__ import annotations

import itertools
import mmap
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHARED_MEMORY = Path("/dev/shm")
MIN_BYTES = 1 << 20  # below this the pipe is as fast
_ALIGN = 64  # each buffer starts on a cache line, so the arrays over it are aligned
_numbers = itertools.count()


@dataclass(frozen=True)
class Shipped:
    """A result whose buffers wait in ``path``: ``sizes`` bytes each, at ``_ALIGN``ed offsets."""

    pickled: bytes
    path: str
    sizes: tuple[int, ...]


def open_folder() -> Path | None:
    """A private folder for this run's hand-offs (None: results go by the pipe). Its name holds
    this process's id, so that folders left by runs killed outright are removed here."""
    if not SHARED_MEMORY.is_dir():
        return None
    _remove_orphans()
    try:
        return Path(tempfile.mkdtemp(prefix=f"dslint-{os.getpid()}-", dir=SHARED_MEMORY))
    except OSError:
        return None


def close_folder(folder: Path | None) -> None:
    """Remove the folder and any hand-off a stopped worker left in it."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def pack(result: Any, folder: Path | None) -> Any:
    """In a worker: the result itself, or a ``Shipped`` whose buffers are in ``folder``."""
    if folder is None:
        return result
    buffers: list[pickle.PickleBuffer] = []
    pickled = pickle.dumps(result, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    sizes = tuple(r.nbytes for r in raws)
    if sum(sizes) < MIN_BYTES or not _has_room(folder, sum(sizes) + _ALIGN * len(sizes)):
        return result
    path = folder / f"{os.getpid()}-{next(_numbers)}"
    try:
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            for raw in raws:
                out.write(raw)
                out.write(bytes(-len(raw) % _ALIGN))
    except OSError:  # the folder filled up meanwhile: the pipe still works
        path.unlink(missing_ok=True)
        return result
    return Shipped(pickled, str(path), sizes)


def unpack(item: Any) -> Any:
    """In the main process: the result a worker packed."""
    if not isinstance(item, Shipped):
        return item
    try:
        with open(item.path, "rb") as f:  # a private (copy-on-write) mapping: the arrays stay writable
            mapped = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY))
    finally:
        os.unlink(item.path)  # the mapping keeps the memory until the arrays are gone
    buffers, at = [], 0
    for size in item.sizes:
        buffers.append(mapped[at : at + size])
        at += size + (-size % _ALIGN)
    return pickle.loads(item.pickled, buffers=buffers)


def _remove_orphans() -> None:
    """Remove the hand-off folders of dslint runs that no longer exist (killed with -9, their
    workers with them): memory in /dev/shm is not freed until its files are."""
    for folder in SHARED_MEMORY.glob("dslint-*-*"):
        pid = folder.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)  # another user's stays: not ours to remove


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def _has_room(folder: Path, size: int) -> bool:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize > 2 * size  # leave as much again for the other workers
