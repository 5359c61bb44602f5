"""Input discovery: turn command-line paths, folders and globs into a sorted list of sources."""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dslint.paths import glob_match

Kind = Literal["jsonl", "json", "csv", "tsv", "parquet"]
Compression = Literal["gzip", "zstd"]

_KINDS: dict[str, Kind] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
}
_COMPRESSIONS: dict[str, Compression] = {".gz": "gzip", ".zst": "zstd"}
SUPPORTED = ".jsonl, .ndjson, .json, .csv, .tsv (each optionally .gz or .zst) or .parquet"
# Folders never worth walking into; hidden folders (.git, .venv, ...) are skipped as well.
SKIP_DIRS = frozenset({"node_modules", "__pycache__"})
_GLOB_CHARS = frozenset("*?[")


class InputError(Exception):
    """A path problem that stops the run (nonexistent path, permission denied, unsupported
    explicit file). The message is one line, e.g. "no such file or directory: data/trian.jsonl"."""


@dataclass(frozen=True, slots=True)
class Source:
    """One input to read: a file, or stdin when ``path`` is None."""

    path: Path | None
    display: str  # posix path relative to cwd when under it, else as given; "<stdin>" for stdin
    kind: Kind
    compression: Compression | None


STDIN = Source(None, "<stdin>", "jsonl", None)


def file_kind(name: str) -> tuple[Kind, Compression | None] | None:
    """The format and compression a file name announces, or None when it is not a data file."""
    stem, ext = os.path.splitext(name.lower())
    compression = _COMPRESSIONS.get(ext)
    if compression is not None:
        stem, ext = os.path.splitext(stem)
    kind = _KINDS.get(ext)
    if kind is None or not stem or (kind == "parquet" and compression is not None):
        return None
    return kind, compression


def discover(paths: Sequence[str], exclude: Sequence[str] = ()) -> list[Source]:
    """Expand files, folders (walked recursively), glob patterns and ``-`` (JSON Lines on stdin)
    into sources sorted by display path, without duplicates and without files ``exclude`` names.

    Raises InputError for a path that does not exist, a glob that matches no data file, an
    explicitly named file of an unsupported type, and a file or folder that cannot be read.
    """
    found: dict[str, Source] = {}
    for arg in paths:
        if arg == "-":
            found[STDIN.display] = STDIN
            continue
        for source in _expand(arg):
            if not _excluded(source.display, exclude):
                found[source.display] = source
    return sorted(found.values(), key=lambda s: Path(s.display).parts)


def _expand(arg: str) -> Iterator[Source]:
    path = Path(arg)
    if not os.path.lexists(path) and _GLOB_CHARS.intersection(arg):
        yield from _expand_glob(arg)
    elif not path.exists():
        raise InputError(f"no such file or directory: {arg}")
    elif path.is_dir():
        yield from _walk(path)
    else:
        kind = file_kind(path.name)
        if kind is None:
            raise InputError(f"unsupported file type: {arg} (dslint reads {SUPPORTED})")
        yield _source(path, *kind)


def _expand_glob(pattern: str) -> Iterator[Source]:
    # Parts of the pattern before its first wildcard are the user's choice; folders a wildcard
    # walks into are filtered like a folder walk would.
    fixed = 0
    for part in Path(pattern).parts:
        if _GLOB_CHARS.intersection(part):
            break
        fixed += 1
    matched = False
    matches = _glob_walk(pattern) if "**" in pattern else glob.glob(pattern)
    for match in sorted(matches):
        path = Path(match)
        if any(_skip_dir(part) for part in path.parts[fixed:-1]):
            continue
        if path.is_dir():
            for source in _walk(path):
                matched = True
                yield source
        elif (kind := file_kind(path.name)) is not None and not _special(path):
            matched = True
            yield _source(path, *kind)
    if not matched:
        raise InputError(f"no data files match: {pattern}")


def _glob_walk(pattern: str) -> Iterator[str]:
    """What glob's ``**`` matches, found by a walk that does not follow symbolic links to
    folders: glob follows them, so a link loop repeats files (two loops: exponentially)."""
    parts = pattern.split("/")
    fixed = next(i for i, part in enumerate(parts) if _GLOB_CHARS.intersection(part))
    prefix = "/".join(parts[:fixed])
    for dirpath, dirnames, filenames in os.walk(prefix or "."):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in dirnames + [f for f in filenames if not f.startswith(".")]:
            path = os.path.join(dirpath, name)
            path = path if prefix else path.removeprefix("./")
            if _glob_parts_match(parts[fixed:], path.split("/")[fixed:]):
                yield path


def _glob_parts_match(parts: Sequence[str], names: Sequence[str]) -> bool:
    """glob semantics per '/'-separated name: '**' spans any number of folders, anything else
    is an fnmatch pattern for one name."""
    if not parts:
        return not names
    if parts[0] == "**":
        return any(_glob_parts_match(parts[1:], names[k:]) for k in range(len(names) + 1))
    return bool(names) and fnmatch.fnmatchcase(names[0], parts[0]) and _glob_parts_match(parts[1:], names[1:])


def _walk(top: Path) -> Iterator[Source]:
    def fail(exc: OSError) -> None:
        raise InputError(f"{_reason(exc)}: {_display(Path(exc.filename or top))}")

    for dirpath, dirnames, filenames in os.walk(top, onerror=fail):
        dirnames[:] = sorted(d for d in dirnames if not _skip_dir(d))
        for name in sorted(filenames):
            kind = file_kind(name)
            path = Path(dirpath, name)
            if kind is None or name.startswith(".") or _special(path):
                continue
            # Not _source: an unreadable file or a dangling link found by a walk (a git-annex
            # checkout without content) is a DS100 finding when it is read, and the run goes on.
            yield Source(path, _display(path), *kind)


def _special(path: Path) -> bool:
    """A named pipe, socket or device found by a walk: reading a pipe would block forever."""
    return path.exists() and not path.is_file()


def _skip_dir(name: str) -> bool:
    return (name.startswith(".") and name not in (".", "..")) or name in SKIP_DIRS


def _source(path: Path, kind: Kind, compression: Compression | None) -> Source:
    if not os.access(path, os.R_OK):
        reason = "permission denied" if path.exists() else "no such file or directory (broken link)"
        raise InputError(f"{reason}: {_display(path)}")
    return Source(path, _display(path), kind, compression)


def _display(path: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def _excluded(display: str, patterns: Sequence[str]) -> bool:
    # glob_match gives the project's gitignore-like semantics (a folder pattern such as
    # "data/raw/" covers the files below it); fnmatch covers plain shell-style patterns.
    return any(glob_match(p, display) or fnmatch.fnmatchcase(display, p) for p in patterns)


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()
