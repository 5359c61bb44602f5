"""Large results handed from pool workers to the main process through shared memory.

A shard's result can hold a hundred megabytes of arrays (the leakage check's training n-grams).
Through the pool's single result pipe it is pickled into one copy, written in pieces and read back
while the other worker, done too, waits for the pipe. Instead a worker packs it as the cache packs
an entry (``cache_blob``: a protocol-5 pickle, its arrays out of band), writes that to a file in a
private folder of /dev/shm (memory, never a disk), and sends the file's name; the main process
maps the file, unpickles the arrays as views of the mapping, without a copy, and unlinks the file
at once. Where /dev/shm is missing or lacks room, or the result packs small, it goes by the pipe
as before. The folder goes with the pool; one left
by a run killed outright is removed by the next run.
"""

from __future__ import annotations

import fcntl
import itertools
import mmap
import os
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dslint.cache_blob import pieces
from dslint.cache_blob import unpack as unpack_blob
from dslint.executors.base import WorkerDied

SHARED_MEMORY = Path("/dev/shm")
MIN_BYTES = 1 << 20  # a result packed smaller goes by the pipe: as fast
_numbers = itertools.count()
_locks: dict[Path, int] = {}  # in the main process: each open folder's locked descriptor


@dataclass(frozen=True)
class Shipped:
    """A result waiting in the file at ``path``."""

    path: str


def open_folder() -> Path | None:
    """A private folder for this run's hand-offs (None: results go by the pipe), locked while
    this process (or a worker it forked) lives, so the next run can tell a killed run's folder
    from a live one: pids are no proof across containers sharing /dev/shm."""
    if not SHARED_MEMORY.is_dir():
        return None
    _remove_orphans()
    try:
        folder = Path(tempfile.mkdtemp(prefix=f"dslint-{os.getpid()}-", dir=SHARED_MEMORY))
    except OSError:
        return None
    lock = os.open(folder, os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)
    _locks[folder] = lock
    return folder


def close_folder(folder: Path | None) -> None:
    """Remove the folder and any hand-off a stopped worker left in it."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        lock = _locks.pop(folder, None)
        if lock is not None:
            os.close(lock)


def pack(result: Any, folder: Path | None) -> Any:
    """In a worker: the result itself, or a ``Shipped`` naming its file in ``folder`` (laid out as
    a cache entry's content, ``cache_blob``: the pickle, then the arrays, aligned)."""
    if folder is None:
        return result
    parts = pieces(result)
    size = sum(memoryview(part).nbytes for part in parts)
    if size < MIN_BYTES or not _has_room(folder, size):
        return result
    path = folder / f"{os.getpid()}-{next(_numbers)}"
    try:
        out = open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
    except OSError:
        return result
    try:
        with out:
            for part in parts:
                out.write(part)
    except OSError:  # the folder filled up meanwhile: the pipe still works
        path.unlink(missing_ok=True)
        return result
    return Shipped(str(path))


def unpack(item: Any) -> Any:
    """In the main process: the result a worker packed; its arrays are views of the mapping."""
    if not isinstance(item, Shipped):
        return item
    try:
        with open(item.path, "rb") as f:  # a private (copy-on-write) mapping: the arrays stay writable
            mapped = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY))
    except OSError as exc:  # /dev/shm cleared under the run (systemd's RemoveIPC at logout does)
        raise WorkerDied(f"a worker's result was lost from shared memory ({exc.strerror}); try --jobs 1") from None
    finally:
        Path(item.path).unlink(missing_ok=True)  # the mapping keeps the memory until the arrays are gone
    return unpack_blob(mapped)


def _remove_orphans() -> None:
    """Remove this user's hand-off folders whose run is gone (killed with -9, its workers with
    it): nothing holds their lock. A folder made in the last minute is left alone, as its run may
    not have locked it yet. Never fails a run: anything odd in /dev/shm is skipped."""
    for entry in SHARED_MEMORY.glob("dslint-*"):
        try:
            info = entry.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or time.time() - info.st_mtime < 60:
                continue
            lock = os.open(entry, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # held: a live run
                continue
            finally:
                os.close(lock)
            shutil.rmtree(entry, ignore_errors=True)
        except (OSError, ValueError):
            continue


def _has_room(folder: Path, size: int) -> bool:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize > 2 * size  # leave as much again for the other workers
