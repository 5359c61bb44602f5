"""What a folder walk passes over: tool and environment folders, and what ignore files list.

``.gitignore`` and ``.dslintignore`` are read with gitignore semantics (``pathspec``): each file's
patterns apply below its folder, a deeper file overrides a shallower one, ``!`` re-includes.
Ignore files are read from the folder being walked up to the repository root (the nearest folder
holding ``.git``); outside a repository, up to the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from pathspec import GitIgnoreSpec

IGNORE_FILES = (".gitignore", ".dslintignore")
# Folders of tools and builds: never datasets, often full of JSON (SBOMs, schemas, manifests).
SKIP_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages", "__pypackages__", "build", "dist"})
_IGNORE_FILE_LIMIT = 1 << 20  # bytes; a larger "ignore file" is not one a person wrote


def skip_folder(path: Path) -> bool:
    """A hidden folder, a tool or build folder, a cache (tagged with ``CACHEDIR.TAG``, as dslint's
    own is), or a Python or conda environment."""
    name = path.name
    if name.startswith(".") and name not in (".", ".."):
        return True
    if name in SKIP_FOLDERS or name.endswith(".egg-info"):
        return True
    return (path / "pyvenv.cfg").is_file() or (path / "conda-meta").is_dir() or (path / "CACHEDIR.TAG").is_file()


class IgnoreRules:
    """Answers "do the ignore files exclude this path?", reading each folder's files once."""

    def __init__(self) -> None:
        self._specs: dict[Path, GitIgnoreSpec | None] = {}
        self._boundaries: dict[Path, Path] = {}
        self._cwd = Path(os.getcwd())  # as os.path.abspath sees it

    def ignored(self, path: Path, is_dir: bool) -> bool:
        target = Path(os.path.abspath(path))
        boundary = self._boundary(target.parent)
        for base in (target.parent, *target.parent.parents):
            spec = self._spec(base)
            if spec is not None:
                relative = target.relative_to(base).as_posix() + ("/" if is_dir else "")
                include = spec.check_file(relative).include
                if include is not None:
                    return include
            if base == boundary:
                break
        return False

    def _boundary(self, folder: Path) -> Path:
        if folder not in self._boundaries:
            repo = next((f for f in (folder, *folder.parents) if (f / ".git").exists()), None)
            if repo is None:
                repo = self._cwd if folder.is_relative_to(self._cwd) else folder
            self._boundaries[folder] = repo
        return self._boundaries[folder]

    def _spec(self, folder: Path) -> GitIgnoreSpec | None:
        if folder not in self._specs:
            lines: list[str] = []
            for name in IGNORE_FILES:
                lines += _read_lines(folder / name)
            self._specs[folder] = _compile(lines) if lines else None
        return self._specs[folder]


def _read_lines(path: Path) -> list[str]:
    try:
        if not path.is_file() or path.stat().st_size > _IGNORE_FILE_LIMIT:
            return []
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _compile(lines: list[str]) -> GitIgnoreSpec | None:
    """The spec of an ignore file; lines git would reject (a lone ``!``) are dropped, as git does."""
    try:
        return GitIgnoreSpec.from_lines(lines)
    except ValueError:
        return GitIgnoreSpec.from_lines([line for line in lines if _valid(line)])


def _valid(line: str) -> bool:
    try:
        GitIgnoreSpec.from_lines([line])
    except ValueError:
        return False
    return True
