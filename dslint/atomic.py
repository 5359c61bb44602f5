"""Write output files atomically: a temporary file in the same folder, then a rename, so a run that
is interrupted, killed or fails part-way leaves the previous file intact, never a truncated one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, text: str | bytes, *, append: bool = False) -> None:
    """Replace ``path`` with ``text`` (with ``append``: its old content followed by ``text``)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    target = Path(path)
    old = b""
    if append:
        try:
            old = target.read_bytes()
        except FileNotFoundError:
            pass
    if not target.exists() or target.is_file():
        mode = target.stat().st_mode & 0o777 if target.exists() else None
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
        except OSError as exc:  # name the file the user asked for, not the temporary one
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(old + data)
            os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return
    # /dev/stdout, a pipe or another special file cannot be replaced: write to it directly.
    with open(target, "ab" if append else "wb") as fh:
        fh.write(data)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
