"""``dslint.lint()``: the same run as ``dslint check``, for notebooks and training scripts."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dslint.config import LoadedConfig, load_config
from dslint.engine import Progress, resolve_jobs, run
from dslint.executors import make_executor
from dslint.finding import Report
from dslint.policy import Overrides, Policy
from dslint.paths import glob_match, is_pattern, path_selection, root_relative
from dslint.readers import InputError
from dslint.readers.memory import describe
from dslint.readers.sources import Discovery, Source, discover_inputs
from dslint.redact import quote
from dslint.registry import Registry, load_registry, plugins_allowed
from dslint.yamlpos import ConfigError

SUPPORTED = ".jsonl, .ndjson, .json, .csv, .tsv (also .gz, .zst), .parquet and .arrow"


def prepare(
    config: str | Path | None = None, overrides: Overrides | None = None, *, allow_plugins: bool = False
) -> tuple[LoadedConfig, Registry, Policy]:
    """Load the config (``config`` path, else discovery from the working directory), the rules
    it asks for, and the policy built from both.

    Code plugins named by the config run only with ``allow_plugins`` (or DSLINT_ALLOW_PLUGINS=1):
    a config file can come from the repository being linted, e.g. in a pull request."""
    loaded = load_config(str(config) if config is not None else None)
    cfg = loaded.config
    if cfg.plugins and not plugins_allowed(allow_plugins):
        raise ConfigError(
            f"{loaded.where('plugins')}: the config names code plugins ({', '.join(cfg.plugins)}), which would run code "
            "from this repository; if you trust it, pass --allow-plugins or set DSLINT_ALLOW_PLUGINS=1"
        )
    registry = load_registry(
        rule_packs=[loaded.data_file(p, "rule-packs", i) for i, p in enumerate(cfg.rule_packs)],
        plugins=cfg.plugins,
        root=loaded.root,
    )
    return loaded, registry, Policy.build(loaded, registry, overrides)


def lint(
    paths: Sequence[str | Path] | str | Path | Any = None,
    config: str | Path | None = None,
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    extend_select: list[str] | None = None,
    fail_on: str | None = None,
    jobs: int | None = None,
    executor: str | None = None,
    ray_address: str | None = None,
    progress: Progress | None = None,
    use_ignore_files: bool = True,
    allow_plugins: bool = False,
    profile: str | None = None,
    cache: bool = True,
) -> Report:
    """Lint ``paths`` (default: the config's ``paths``, else ``.``) and return the report.

    Instead of paths, ``paths`` may be data in memory, read without writing a file: a list of
    dicts, a pandas or polars DataFrame, a pyarrow Table, a ``datasets.Dataset``, or a mapping
    of split name to any of these (a ``datasets.DatasetDict``), whose keys give the splits.
    Findings name such data ``<records>``, ``<DataFrame>``, ``<Dataset>`` or ``<split>``.
    Folder walks honour ``.gitignore`` and ``.dslintignore`` unless ``use_ignore_files`` is false.
    Code plugins named by the config run only with ``allow_plugins=True`` (see ``prepare``).
    ``executor`` ("inprocess", "pool", "ray"; default: the config's) decides where files are
    scanned; ``ray_address`` names the Ray cluster (default: ``$RAY_ADDRESS``, else a local one).
    ``profile`` names a trainer profile (openai, trl, axolotl, llama-factory, torchtune) over the config's.
    Files read before come from the per-file cache (``.dslint_cache`` next to the config) unless
    ``cache`` is false; data in memory is never cached.

    Raises ``dslint.yamlpos.ConfigError`` for a bad config, ``dslint.readers.InputError`` for
    a path that cannot be read and ``ValueError`` for an unknown ``fail_on``.
    """
    overrides = Overrides(
        select=select, extend_select=extend_select or [], ignore=ignore or [], fail_on=fail_on, profile=profile
    )
    loaded, registry, policy = prepare(config, overrides, allow_plugins=allow_plugins)
    memory = in_memory_sources(paths)
    if memory is not None:
        found = Discovery(memory)
    else:
        if isinstance(paths, (str, Path)):
            paths = [paths]
        found = find_sources([str(p) for p in paths] if paths else [], loaded, use_ignore_files)
    jobs = resolve_jobs(jobs or loaded.config.jobs, found.sources)
    executor = make_executor(executor or loaded.config.executor, jobs, ray_address)
    return run(
        found.sources, loaded, registry, policy, jobs=jobs, executor=executor, progress=progress, skipped=found.skipped,
        cache=cache and memory is None, warn=lambda message: warnings.warn(message, stacklevel=2),
    )


def in_memory_sources(data: Any) -> list[Source] | None:
    """Sources for data in memory, or None when ``data`` names paths."""
    if isinstance(data, Mapping):
        if not data or not all(describe(value) for value in data.values()):
            return None
        return [Source(None, f"<{name}>", "memory", None, value) for name, value in sorted(data.items())]
    kind = describe(data)
    if kind is None or (kind == "records" and not any(isinstance(row, dict) for row in data)):
        return None
    split = getattr(data, "split", None) if kind == "Dataset" else None
    return [Source(None, f"<{split or kind}>", "memory", None, data)]


def find_sources(targets: Sequence[str], loaded: LoadedConfig, use_ignore_files: bool = True) -> Discovery:
    """The data files under ``targets`` (none: the config's ``paths``, else the working
    directory); finding none is an error, not a silent pass."""
    include: list[str] = []
    if not targets:
        targets, include = config_scope(loaded)
    found = discover_inputs(targets, loaded.config.exclude, loaded.root, use_ignore_files=use_ignore_files, include=include)
    if not found.sources:
        raise InputError(f"no data files found in {', '.join(targets)} (looked for {SUPPORTED})")
    return found


def unmatched_patterns(loaded: LoadedConfig, found: Discovery) -> list[str]:
    """A warning for each ``exclude``, ``splits``, ``formats`` or ``per-file-ignores`` pattern
    that matches none of the files found (or excluded), naming the key and where it is written."""
    cfg = loaded.config
    files = [root_relative(s.path, loaded.root) for s in found.sources if s.path is not None]
    keyed = [("exclude", i, p, found.excluded) for i, p in enumerate(cfg.exclude) if not p.startswith("!")]
    if path_selection(cfg.paths):  # named files and folders that do not exist are errors already
        keyed += [("paths", i, p, files) for i, p in enumerate(cfg.paths) if is_pattern(p) and not p.startswith("!")]
    for key, table in (("splits", cfg.splits), ("formats", cfg.formats), ("per-file-ignores", cfg.per_file_ignores)):
        keyed += [(key, p, p, files) for p in table]
    return [
        f"pattern {quote(pattern, 120)} in '{key}' at {loaded.where(key, at)} matches no file"
        for key, at, pattern, candidates in keyed
        if not any(glob_match(pattern, path) for path in candidates)
    ]


def config_scope(loaded: LoadedConfig) -> tuple[list[str], list[str]]:
    """What the config's ``paths`` name: (targets to expand, gitignore-style patterns selecting
    files below them). Named files and folders are expanded themselves; once an entry is a
    pattern, the config's folder is walked and the patterns select (the last match decides)."""
    entries = loaded.config.paths
    if not entries:
        return ["."], []
    include = path_selection(entries)
    if include:
        return [_relative_to_cwd(loaded.root)], include
    return [_relative_to_cwd(loaded.root / p) for p in entries], []


def _relative_to_cwd(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(path)
