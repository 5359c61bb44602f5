"""One pattern language (gitignore-style, via ``pathspec``) for every config key that names files,
and split names recognised from file and folder names."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from pathlib import Path

from pathspec import GitIgnoreSpec

SPLIT_ALIASES = {
    "train": "train",
    "training": "train",
    "val": "validation",
    "valid": "validation",
    "validation": "validation",
    "dev": "validation",
    "eval": "validation",
    "evaluation": "validation",
    "test": "test",
    "testing": "test",
    "heldout": "test",
}
_TOKEN = re.compile(r"[a-z]+")


class PatternError(ValueError):
    """A pattern git would reject (a lone ``!``, an empty pattern)."""


@functools.lru_cache(maxsize=1024)
def _spec(pattern: str) -> GitIgnoreSpec:
    try:
        return GitIgnoreSpec.from_lines([pattern.removeprefix("./")])
    except ValueError as exc:
        raise PatternError(f"invalid pattern {pattern!r}: {exc}") from None


def check_pattern(pattern: str) -> str:
    """``pattern`` when it is a valid gitignore-style pattern; raises PatternError otherwise."""
    if not pattern.strip() or pattern.strip().startswith("#"):
        raise PatternError(f"invalid pattern {pattern!r}: it is empty or a comment")
    _spec(pattern)
    return pattern


def glob_match(pattern: str, path: str) -> bool:
    """Match a '/'-separated path, relative to the config's folder, like one line of .gitignore
    (``pathspec``): a pattern without '/' matches a name at any depth, one with '/' is anchored
    at the root, '*' stays within a folder, '**' spans folders, '[0-9]' is a character class,
    and a pattern that names a folder matches the files below it."""
    return _spec(pattern).match_file(path.removeprefix("./"))


def match_list(patterns: Sequence[str], path: str) -> bool:
    """Match a list of patterns as .gitignore does: the last pattern that matches decides, and
    a ``!pattern`` re-includes what earlier patterns matched."""
    decided = False
    path = path.removeprefix("./")
    for pattern in patterns:
        negated = pattern.startswith("!")
        if _spec(pattern[1:] if negated else pattern).match_file(path):
            decided = not negated
    return decided


def is_pattern(entry: str) -> bool:
    """Whether a ``paths`` entry is a pattern (a wildcard, a character class or a ``!``) rather
    than the name of a file or folder."""
    return entry.startswith("!") or any(c in entry for c in "*?[")


def path_selection(entries: Sequence[str]) -> list[str]:
    """The config's ``paths`` as gitignore-style patterns over paths from the config's folder,
    or [] when every entry names a file or folder. A named path is anchored at the folder
    (``data`` means ``./data``, not every folder called data), so mixing both keeps its meaning."""
    if not any(is_pattern(e) for e in entries):
        return []
    return [e if is_pattern(e) else "/" + e.removeprefix("./").strip("/") for e in entries]


def root_relative(path: str | os.PathLike[str], root: Path) -> str:
    """A file's path from the config's folder, '/'-separated, as written: symbolic links are not
    followed (a Hugging Face cache file keeps its own name, not its blob's). Files outside the
    folder keep a path that starts with '../', which no pattern matches."""
    return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(root))).as_posix()


def resolve_from(root: Path | None, value: str) -> str:
    """A relative path from a config option, resolved from ``root`` (the config's folder) and
    given relative to the working directory, as the data files' paths are shown."""
    path = Path(value).expanduser()
    if path.is_absolute() or root is None:
        return str(path)
    return os.path.relpath(root / path)


def detect_split(path: str) -> str | None:
    """train / validation / test from the file name first, then the folders, innermost first."""
    parts = path.replace("\\", "/").split("/")
    for part in reversed(parts):
        for token in reversed(_TOKEN.findall(part.lower())):
            if token in SPLIT_ALIASES:
                return SPLIT_ALIASES[token]
    return None
