"""``dslint.lint()``: the same run as ``dslint check``, for notebooks and training scripts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dslint.config import LoadedConfig, load_config
from dslint.engine import Progress, run
from dslint.finding import Report
from dslint.policy import Overrides, Policy
from dslint.readers import InputError, Source, discover

SUPPORTED = ".jsonl, .ndjson, .json, .csv, .tsv (also .gz, .zst) and .parquet"
from dslint.registry import Registry, load_registry, plugins_allowed
from dslint.yamlpos import ConfigError


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
    paths: Sequence[str | Path] | str | Path | None = None,
    config: str | Path | None = None,
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    extend_select: list[str] | None = None,
    fail_on: str | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    allow_plugins: bool = False,
) -> Report:
    """Lint ``paths`` (default: the config's ``paths``, else ``.``) and return the report.

    Code plugins named by the config run only with ``allow_plugins=True`` (see ``prepare``).
    Raises ``dslint.yamlpos.ConfigError`` for a bad config, ``dslint.readers.InputError`` for
    a path that cannot be read and ``ValueError`` for an unknown ``fail_on``.
    """
    overrides = Overrides(select=select, extend_select=extend_select or [], ignore=ignore or [], fail_on=fail_on)
    loaded, registry, policy = prepare(config, overrides, allow_plugins=allow_plugins)
    if isinstance(paths, (str, Path)):
        paths = [paths]
    targets = [str(p) for p in paths] if paths else resolve_default_paths(loaded)
    sources = find_sources(targets, loaded)
    return run(sources, loaded, registry, policy, jobs=jobs or loaded.config.jobs, progress=progress)


def find_sources(targets: Sequence[str], loaded: LoadedConfig) -> list[Source]:
    """The data files under ``targets``; finding none is an error, not a silent pass."""
    sources = discover(targets, exclude=loaded.config.exclude)
    if not sources:
        raise InputError(f"no data files found in {', '.join(targets)} (looked for {SUPPORTED})")
    return sources


def resolve_default_paths(loaded: LoadedConfig) -> list[str]:
    """The config's ``paths`` (relative to its folder), else the working directory."""
    if not loaded.config.paths:
        return ["."]
    return [_relative_to_cwd(loaded.root / p) for p in loaded.config.paths]


def _relative_to_cwd(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(path)
