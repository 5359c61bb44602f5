"""Path patterns (gitignore-like globs) and split names recognised from file and folder names."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

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


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    pattern = pattern.removeprefix("./")
    anchored = "/" in pattern.rstrip("/")
    pat = pattern.strip("/")
    out, i = [], 0
    while i < len(pat):
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif pat[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pat[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pat[i]))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    # A pattern naming a folder matches everything below it.
    return re.compile(f"^{prefix}{''.join(out)}(?:/.*)?$")


def glob_match(pattern: str, path: str) -> bool:
    """Match a '/'-separated relative path like .gitignore does: a pattern without '/' matches a
    name at any depth, one with '/' is anchored at the root, '**' spans folders, and a pattern
    that names a folder matches the files below it."""
    return bool(_compile(pattern).match(path[2:] if path.startswith("./") else path))


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
