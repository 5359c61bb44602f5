"""Write output files atomically: a temporary file in the same folder, then a rename, so a run that
is interrupted, killed or fails part-way leaves the previous file intact, never a truncated one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: str | Path, text: str | bytes, *, append: bool = False) -> None:
    """Replace ``path`` with ``text`` (with ``append``: its old content followed by ``text``)."""
    with open_atomic(path, append=append) as fh:
        fh.write(text.encode("utf-8") if isinstance(text, str) else text)


@contextmanager
def open_atomic(path: str | Path, *, append: bool = False) -> Iterator[BinaryIO]:
    """A binary stream that replaces ``path`` when the block ends without an error (with
    ``append``: ``path``'s old content comes first), so a large output is written as it is made."""
    target = Path(path)
    if target.exists() and not target.is_file():
        # /dev/stdout, a pipe or another special file cannot be replaced: write to it directly.
        with open(target, "ab" if append else "wb") as fh:
            yield fh
        return
    old = b""
    if append:
        try:
            old = target.read_bytes()
        except FileNotFoundError:
            pass
    mode = target.stat().st_mode & 0o777 if target.exists() else None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    except OSError as exc:  # name the file the user asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(old)
            yield fh
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
