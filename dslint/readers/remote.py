"""Inputs named by URL (``s3://``, ``gs://``, ``hf://``, ``memory://``, ...), listed and opened
through fsspec, so whoever reads a file (a Ray worker, say) opens it where it runs and records
never pass through the process that planned the run. Credentials come from fsspec's own
configuration (environment, config files), never from dslint's config.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
from collections.abc import Iterator
from typing import Any, BinaryIO

import pyarrow as pa

from dslint.readers.sources import SUPPORTED, InputError, Source, file_kind
from dslint.redact import printable

_GLOB_CHARS = frozenset("*?[")
_BUFFER = 1 << 20


def discover_url(arg: str) -> list[Source]:
    """The data files a URL names: a file, every data file below a folder, or a glob's matches;
    hidden files and folders are passed over. Raises InputError for one that names nothing."""
    shown = printable(arg)
    try:
        import fsspec

        fs, root = fsspec.core.url_to_fs(arg)
        if _GLOB_CHARS.intersection(root):
            paths = [p for p in fs.glob(root) if fs.isfile(p)]
        elif fs.isdir(root):
            paths = fs.find(root)
        elif fs.isfile(root):
            if file_kind(posixpath.basename(root)) is None:
                raise InputError(f"unsupported file type: {shown} (dslint reads {SUPPORTED})")
            paths = [root]
        else:
            raise InputError(f"no such file or directory: {shown}")
    except (ImportError, ValueError, OSError) as exc:
        raise InputError(f"cannot list {shown}: {_reason(exc)}") from None
    sources = []
    for path in sorted(paths):
        kind = file_kind(posixpath.basename(path))
        hidden = any(part.startswith(".") for part in path.split("/"))
        if kind is not None and not hidden:
            url = fs.unstrip_protocol(path)
            sources.append(Source(None, url, *kind, url=url))
    if not sources:
        raise InputError(f"no data files found in {shown} (looked for {SUPPORTED})")
    return sources


def open_url(source: Source, buffered: bool = True) -> BinaryIO:
    """The raw bytes of a URL source, opened where this runs; the caller closes the stream.

    ``buffered``: behind an ``io.BufferedReader``, whose ``readline`` takes a size limit and
    scans its buffer in C; the file objects of object stores (s3fs, gcsfs, hf: fsspec's
    ``AbstractBufferedFile``) take no limit and copy a whole block for every line."""
    import fsspec

    raw = fsspec.open(source.url, "rb").open()
    return io.BufferedReader(raw, _BUFFER) if buffered else raw  # type: ignore[no-any-return]


def url_size(source: Source) -> int | None:
    """The size in bytes the URL's file system reports for it, or None when it reports none."""
    try:
        import fsspec

        fs, path = fsspec.core.url_to_fs(source.url)
        size = fs.size(path)
    except (ImportError, ValueError, OSError):
        return None
    return size if isinstance(size, int) else None


@contextlib.contextmanager
def native_file(source: Source) -> Iterator[Any]:
    """What pyarrow reads a Parquet or Arrow file from: its path, or an opened URL."""
    if source.url is None:
        yield str(source.path)
        return
    with open_url(source, buffered=False) as raw:  # pyarrow reads what it needs, where it needs it
        yield pa.PythonFile(raw, mode="r")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return printable(text.splitlines()[0] if text else type(exc).__name__)[:200]
