"""``dslint check --pre-commit FILES``: gate the dataset that the staged files belong to.

pre-commit passes only the staged files, but duplicates and leakage are about the whole dataset:
a new ``data/test.jsonl`` that copies a row of the unstaged ``data/train.jsonl`` must fail. So
the run lints the whole dataset (the config's ``paths``, else the folders the staged data files
live in) and reports the findings that touch a staged file, plus findings about the dataset as a
whole. Staged files that are not data (``package.json``, a JSON Schema, files the config
excludes) are skipped quietly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dslint.config import LoadedConfig
from dslint.diff import WHOLE_FILE, Changes
from dslint.paths import detect_split, root_relative
from dslint.readers.sources import Discovery, discover_inputs, display_path, file_kind, is_excluded
from dslint.readers.sniff import walk_skip_reason


@dataclass
class HookRun:
    discovery: Discovery  # the whole dataset
    changes: Changes  # which findings to report: those touching the staged data files


def plan_hook(
    files: Sequence[str],
    loaded: LoadedConfig,
    scope: Sequence[str],
    use_ignore_files: bool = True,
    include: Sequence[str] = (),
) -> HookRun | None:
    """What to lint for the staged ``files``: ``scope`` (the config's paths, with the patterns
    ``include`` selecting below them) when given, else the dataset folders of the staged data
    files. None when no staged file is data."""
    exclude = loaded.config.exclude
    staged = [display_path(Path(f)) for f in files if _is_data(Path(f))]
    staged = [f for f in staged if not is_excluded(root_relative(f, loaded.root), exclude)]
    if not staged:
        return None
    targets = list(scope) or sorted({dataset_folder(f) for f in staged})
    discovery = discover_inputs(targets, exclude, loaded.root, use_ignore_files=use_ignore_files, include=include)
    found = {s.display for s in discovery.sources}
    staged = [f for f in staged if f in found]  # outside the config's paths: not the dataset
    if not staged:
        return None
    return HookRun(discovery, Changes({f: WHOLE_FILE for f in staged}, keep_dataset_wide=True))


def dataset_folder(file: str) -> str:
    """The folder holding a data file's dataset: its own folder, or the one above when that is a
    split folder (``data/train/part-0.jsonl`` → ``data``)."""
    folder = Path(file).parent
    if folder.name and detect_split(folder.name) is not None:
        folder = folder.parent
    return folder.as_posix()


def _is_data(path: Path) -> bool:
    kind = file_kind(path.name)
    return kind is not None and path.is_file() and walk_skip_reason(path, kind[0]) is None
