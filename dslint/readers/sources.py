"""Input discovery: turn command-line paths, folders and globs into a sorted list of sources."""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from dslint.paths import match_list, root_relative
from dslint.readers.ignore import IgnoreRules, skip_folder
from dslint.readers.sniff import walk_skip_reason

Kind = Literal["jsonl", "json", "csv", "tsv", "parquet", "arrow", "memory"]
Compression = Literal["gzip", "zstd"]

_KINDS: dict[str, Kind] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".arrow": "arrow",
}
_COMPRESSIONS: dict[str, Compression] = {".gz": "gzip", ".zst": "zstd"}
SUPPORTED = ".jsonl, .ndjson, .json, .csv, .tsv (each optionally .gz or .zst), .parquet or .arrow"
_GLOB_CHARS = frozenset("*?[")


class InputError(Exception):
    """A path problem that stops the run (nonexistent path, permission denied, unsupported
    explicit file). The message is one line, e.g. "no such file or directory: data/trian.jsonl"."""


@dataclass(frozen=True, slots=True)
class Source:
    """One input to read: a file, stdin (``path`` None), or records in memory (``kind``
    "memory", ``data`` the object: a list of dicts, a DataFrame, a ``datasets.Dataset``)."""

    path: Path | None
    display: str  # posix path relative to cwd when under it, else as given; "<stdin>" for stdin
    kind: Kind
    compression: Compression | None
    data: Any = field(default=None, compare=False, repr=False)
    url: str | None = None  # a file fsspec opens (s3://, memory://, ...); ``path`` is then None


STDIN = Source(None, "<stdin>", "jsonl", None)


def is_url(arg: str) -> bool:
    """Whether a command-line path names a file system by protocol (``s3://bucket/data``)."""
    scheme, sep, _ = arg.partition("://")
    return bool(sep) and len(scheme) > 1 and scheme.replace("+", "").replace("-", "").isalnum()


def file_kind(name: str) -> tuple[Kind, Compression | None] | None:
    """The format and compression a file name announces, or None when it is not a data file."""
    stem, ext = os.path.splitext(name.lower())
    compression = _COMPRESSIONS.get(ext)
    if compression is not None:
        stem, ext = os.path.splitext(stem)
    kind = _KINDS.get(ext)
    if kind is None or not stem or (kind in ("parquet", "arrow") and compression is not None):
        return None
    return kind, compression


@dataclass
class Discovery:
    """The sources found, and the files a walk passed over because they are not datasets
    (display path → reason, e.g. "package.json": "not a dataset")."""

    sources: list[Source]
    skipped: dict[str, str] = field(default_factory=dict)
    excluded: list[str] = field(default_factory=list)  # from the config's folder, as patterns see them


def discover(paths: Sequence[str], exclude: Sequence[str] = (), root: Path | None = None) -> list[Source]:
    """The sources of :func:`discover_inputs`, honouring ignore files."""
    return discover_inputs(paths, exclude, root).sources


def discover_inputs(
    paths: Sequence[str],
    exclude: Sequence[str] = (),
    root: Path | None = None,
    *,
    use_ignore_files: bool = True,
    include: Sequence[str] = (),
) -> Discovery:
    """Expand files, folders (walked recursively), glob patterns and ``-`` (JSON Lines on stdin)
    into sources sorted by display path, without duplicates and without files ``exclude`` names
    (gitignore-style patterns matched against the path from ``root``, the config's folder;
    default: the working directory). With ``include`` (the config's ``paths`` as patterns), only
    files those patterns select are kept.

    What a walk or a wildcard meets is filtered: hidden files and folders, virtual environments
    and tool folders (:func:`skip_folder`), what ``.gitignore``/``.dslintignore`` list (unless
    ``use_ignore_files`` is false), and JSON that is not a dataset or that dslint wrote. A path
    named explicitly is always read.

    Raises InputError for a path that does not exist, a glob that matches no data file, an
    explicitly named file of an unsupported type, and a file or folder that cannot be read.
    """
    walk = _Walk(IgnoreRules() if use_ignore_files else None)
    base = root or Path.cwd()
    found: dict[str, Source] = {}
    excluded: set[str] = set()
    for arg in paths:
        if arg == "-":
            found[STDIN.display] = STDIN
            continue
        if is_url(arg):
            from dslint.readers.remote import discover_url  # fsspec is imported only for URLs

            found.update((source.display, source) for source in discover_url(arg))
            continue
        for source in walk.expand(arg):
            if include and not match_list(include, root_relative(source.display, base)):
                continue
            if is_excluded(root_relative(source.display, base), exclude):
                excluded.add(root_relative(source.display, base))
            else:
                found[source.display] = source
    skipped = {
        name: why
        for name, why in sorted(walk.skipped.items())
        if name not in found and not is_excluded(root_relative(name, base), exclude)
        and (not include or match_list(include, root_relative(name, base)))
    }
    return Discovery(sorted(found.values(), key=lambda s: Path(s.display).parts), skipped, sorted(excluded))


class _Walk:
    def __init__(self, ignore: IgnoreRules | None) -> None:
        self.ignore = ignore
        self.skipped: dict[str, str] = {}

    def expand(self, arg: str) -> Iterator[Source]:
        path = Path(arg)
        if not os.path.lexists(path) and _GLOB_CHARS.intersection(arg):
            yield from self._expand_glob(arg)
        elif not path.exists():
            raise InputError(f"no such file or directory: {arg}")
        elif path.is_dir():
            yield from self._walk(path)
        else:
            kind = file_kind(path.name)
            if kind is None:
                raise InputError(f"unsupported file type: {arg} (dslint reads {SUPPORTED})")
            yield _source(path, *kind)

    def _expand_glob(self, pattern: str) -> Iterator[Source]:
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
            if self._hidden_below(path, fixed):
                continue
            if path.is_dir():
                for source in self._walk(path):
                    matched = True
                    yield source
            elif (kind := file_kind(path.name)) is not None and not _special(path) and self._wanted(path, kind[0]):
                matched = True
                yield _source(path, *kind)
        if not matched:
            raise InputError(f"no data files match: {pattern}")

    def _hidden_below(self, path: Path, fixed: int) -> bool:
        """Whether a folder a wildcard walked into (below the pattern's fixed part) is one a
        walk skips, or the match itself is ignored."""
        parts = path.parts
        for depth in range(fixed + 1, len(parts)):
            folder = Path(*parts[:depth])
            if skip_folder(folder) or self._ignored(folder, is_dir=True):
                return True
        return self._ignored(path, is_dir=path.is_dir())

    def _walk(self, top: Path) -> Iterator[Source]:
        def fail(exc: OSError) -> None:
            raise InputError(f"{_reason(exc)}: {display_path(Path(exc.filename or top))}")

        for dirpath, dirnames, filenames in os.walk(top, onerror=fail):
            dirnames[:] = sorted(
                d for d in dirnames if not skip_folder(Path(dirpath, d)) and not self._ignored(Path(dirpath, d), is_dir=True)
            )
            for name in sorted(filenames):
                kind = file_kind(name)
                path = Path(dirpath, name)
                if kind is None or name.startswith(".") or _special(path) or self._ignored(path, is_dir=False):
                    continue
                if self._wanted(path, kind[0]):
                    # Not _source: an unreadable file or a dangling link found by a walk (a
                    # git-annex checkout without content) is DS100 when read; the run goes on.
                    yield Source(path, display_path(path), *kind)

    def _ignored(self, path: Path, is_dir: bool) -> bool:
        return self.ignore is not None and self.ignore.ignored(path, is_dir)

    def _wanted(self, path: Path, kind: Kind) -> bool:
        """A file a walk met that holds data (not a manifest, a schema or a dslint report)."""
        reason = walk_skip_reason(path, kind)
        if reason is not None:
            self.skipped[display_path(path)] = reason
        return reason is None


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


def _special(path: Path) -> bool:
    """A named pipe, socket or device found by a walk: reading a pipe would block forever."""
    return path.exists() and not path.is_file()


def _source(path: Path, kind: Kind, compression: Compression | None) -> Source:
    if not os.access(path, os.R_OK):
        reason = "permission denied" if path.exists() else "no such file or directory (broken link)"
        raise InputError(f"{reason}: {display_path(path)}")
    return Source(path, display_path(path), kind, compression)


def display_path(path: Path) -> str:
    """How a file is shown: posix, relative to the working directory when under it."""
    try:
        return Path(os.path.abspath(path)).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def is_excluded(path: str, patterns: Sequence[str]) -> bool:
    """Whether the config's ``exclude`` patterns (a gitignore-style list, ``!`` re-includes)
    name this file, given by its path from the config's folder."""
    return match_list(patterns, path)


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()
