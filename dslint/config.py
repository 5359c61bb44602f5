"""Configuration: discovery, ``extends`` (presets and files), validation with file:line errors.

Sources, nearest directory upward: ``dslint.yaml``, ``.dslint.yaml``, then ``[tool.dslint]`` in
``pyproject.toml``. Every config starts from the ``recommended`` preset unless it names its own
``extends``. Later layers override earlier ones key by key; ``extend-select`` and ``ignore``
accumulate, and the ``rules``, ``per-file-ignores``, ``formats`` and ``splits`` tables merge.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from dslint.finding import Severity
from dslint.formats import FORMAT_NAMES
from dslint.paths import SPLIT_ALIASES, check_pattern
from dslint.redact import quote
from dslint.profiles import profile_names
from dslint.yamlpos import ConfigError, Positions, did_you_mean, load_pyproject, load_yaml

CONFIG_FILES = ("dslint.yaml", ".dslint.yaml", "pyproject.toml")
DEFAULT_PRESET = "recommended"
FailOn = Literal["error", "warning", "info", "never"]
_ACCUMULATE = ("extend-select", "ignore")
_MERGE_TABLES = ("rules", "per-file-ignores", "formats", "splits")


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=_kebab)


class RuleSettings(BaseModel):
    """Per-rule settings: severity, budget, and the rule's own options (validated by the rule)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, alias_generator=_kebab)
    severity: Severity | None = None
    max_count: int | None = Field(None, ge=0)
    max_ratio: float | None = Field(None, ge=0, le=1)
    fix: bool = True  # false: `dslint fix` leaves this rule's findings alone

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


def _known_format(name: str) -> str:
    if name not in FORMAT_NAMES:
        raise ValueError(f"unknown format {quote(name, 80)}{did_you_mean(name, FORMAT_NAMES)}")
    return name


def _canonical_split(name: str) -> str:
    """Split names are train, validation, test or one of their aliases (dev, eval, ...)."""
    canonical = SPLIT_ALIASES.get(name.lower())
    if canonical is None:
        raise ValueError(f"unknown split {quote(name, 80)}{did_you_mean(name, list(SPLIT_ALIASES))}")
    return canonical


# Validated per entry, so an error names the entry's own line.
FormatName = Annotated[str, AfterValidator(_known_format)]
SplitName = Annotated[str, AfterValidator(_canonical_split)]


class FieldMap(_Model):
    """Where the text lives in a schema dslint does not know: keys or JSON pointers."""

    input: str | list[str] | None = None
    output: str | list[str] | None = None
    text: str | list[str] | None = None
    label: str | None = None


class Config(_Model):
    paths: list[str] = Field(
        default_factory=list,
        description="What `dslint check` lints by default: files and folders, or gitignore-style patterns (`!` excludes).",
    )
    exclude: list[str] = Field(default_factory=list, description="Glob patterns of files to skip.")
    extends: list[str] = Field(default_factory=list, description="Presets or files this config builds on.")
    select: list[str] | None = None
    extend_select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    fail_on: FailOn = "error"
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict)
    rules: dict[str, RuleSettings] = Field(default_factory=dict)
    formats: dict[str, FormatName] = Field(default_factory=dict, description="Pattern → format name.")
    splits: dict[str, SplitName] = Field(default_factory=dict, description="Pattern → split name (train, validation, test or an alias).")
    fields: FieldMap | None = None
    rule_packs: list[str] = Field(default_factory=list, description="Extra YAML rule packs.")
    plugins: list[str] = Field(default_factory=list, description="Python modules or .py files with CHECKS.")
    jobs: int | None = Field(
        None, ge=1, le=256, description="Worker processes; default: one per available CPU once the data reaches 2 MB, else 1."
    )
    executor: Literal["inprocess", "pool", "ray"] | None = Field(
        None, description="Where files are scanned; default: pool when jobs > 1, else inprocess."
    )
    max_record_size: int = Field(64, ge=1, le=2048, description="MB; a longer JSON Lines line or CSV row is DS123.")
    profile: str | None = Field(
        None,
        description="Trainer profile for the DS9xx rules: openai, trl, axolotl, llama-factory or torchtune.",
        json_schema_extra={"enum": [*profile_names(), None]},
    )
    cache_dir: str | None = Field(None, description="Folder of the per-file cache, inside the config's folder (default .dslint_cache).")

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, value: str | None) -> str | None:
        names = profile_names()
        if value is not None and value not in names:
            raise ValueError(f"unknown profile {quote(value, 80)}{did_you_mean(value, names)} (profiles: {', '.join(names)})")
        return value

    @field_validator("exclude", "paths")
    @classmethod
    def _valid_patterns(cls, value: list[str]) -> list[str]:
        return [check_pattern(p) for p in value]

    @field_validator("splits", "formats", "per_file_ignores", mode="before")
    @classmethod
    def _valid_pattern_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for pattern in value:
                check_pattern(str(pattern))
        return value


class LoadedConfig:
    """A validated config, where it came from, and where each of its keys was written."""

    def __init__(
        self, config: Config, root: Path, source: str | None, positions: dict[tuple, str], boundary: Path | None = None
    ):
        self.config = config
        self.root = root  # patterns and relative paths are resolved from here
        self.source = source  # the user's config file, or None for defaults
        self.boundary = boundary or root  # files the config names (extends, rule packs) stay inside
        self._positions = positions

    def data_file(self, name: str, *key: str | int) -> Path:
        """A data file the config names (a rule pack), which must stay inside the repository."""
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.boundary.resolve()):
            raise ConfigError(f"{name} at {self.where(*key)} is outside the repository {self.boundary}; {_OUTSIDE}")
        return path

    def where(self, *path: str | int) -> str:
        for end in range(len(path), -1, -1):
            hit = self._positions.get(tuple(path[:end]))
            if hit:
                return hit
        return self.source or "config"


def presets_dir() -> Path:
    return rules_dir() / "presets"


def rules_dir() -> Path:
    """The shipped ``rules/`` folder: inside the wheel, or at the top of a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "_rules"
    return packaged if packaged.is_dir() else here.parent / "rules"


# A config file can come from the repository being linted: what it names is read only inside
# that repository, so a pull request cannot make dslint read (and quote) files elsewhere.
_OUTSIDE = "a config file can only name files inside its repository"


def repository_root(folder: Path) -> Path:
    """The git work tree holding ``folder`` (the nearest folder with ``.git``), else ``folder``."""
    folder = folder.resolve()
    return next((f for f in (folder, *folder.parents) if (f / ".git").exists()), folder)


def find_config(start: Path) -> Path | None:
    """The nearest config file from ``start`` upward."""
    for folder in (start, *start.parents):
        for name in CONFIG_FILES:
            candidate = folder / name
            if not candidate.is_file():
                continue
            if name == "pyproject.toml" and load_pyproject(candidate, str(candidate))[0] is None:
                continue
            return candidate
    return None


def load_config(explicit: str | None = None, start: Path | None = None) -> LoadedConfig:
    """Find (or take) the config file, resolve ``extends`` and validate it."""
    cwd = start or Path.cwd()
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"config file not found: {explicit}")
    else:
        path = find_config(cwd)
    if path is None:
        return default_config(cwd)
    display = _display(path, cwd)
    boundary = repository_root(path.parent)
    data, pos = _load_layer(path, display)
    data, positions = _resolve_extends(data, pos, path.parent, [str(path.resolve())], boundary)
    return _validate(data, positions, path.parent, display, boundary)


def default_config(root: Path) -> LoadedConfig:
    """The settings used when no config file is found: the default preset alone."""
    data, positions = _resolve_extends({"extends": [DEFAULT_PRESET]}, {}, root, [], root)
    return _validate(data, positions, root, None)


def _display(path: Path, cwd: Path) -> str:
    try:
        return path.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return str(path)


def _load_layer(path: Path, display: str) -> tuple[dict[str, Any], dict[tuple, str]]:
    if path.name == "pyproject.toml":
        data, positions = load_pyproject(path, display)
        data = data or {}
    else:
        data, positions = load_yaml(path, display)
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(f"{display}:1: the config must be a mapping of options")
    return data, {p: positions.where(p) for p in positions.lines}


def _resolve_extends(
    data: dict[str, Any], positions: dict[tuple, str], base: Path, chain: list[str], boundary: Path
) -> tuple[dict[str, Any], dict[tuple, str]]:
    """Merge the layers named by ``extends`` (presets or files) under ``data``, depth first."""
    extends = data.get("extends", [DEFAULT_PRESET])
    if isinstance(extends, str):
        extends = [extends]
    if not isinstance(extends, list):
        raise ConfigError(f"'extends' must be a list at {positions.get(('extends',), 'config')}")
    merged: dict[str, Any] = {}
    merged_pos: dict[tuple, str] = {}
    for i, name in enumerate(extends):
        path = _extends_target(str(name), base, positions.get(("extends", i)) or positions.get(("extends",)), boundary)
        key = str(path.resolve())
        if key in chain:
            raise ConfigError(f"'extends' cycle: {' -> '.join([*chain, key])}")
        layer, layer_pos = _load_layer(path, _display(path, Path.cwd()))
        # A preset or file without its own 'extends' does not pull in the default preset again.
        layer.setdefault("extends", [])
        layer, layer_pos = _resolve_extends(layer, layer_pos, path.parent, [*chain, key], boundary)
        merged, merged_pos = _merge(merged, merged_pos, layer, layer_pos)
    own = {k: v for k, v in data.items() if k != "extends"}
    merged, merged_pos = _merge(merged, merged_pos, own, positions)
    merged["extends"] = [str(e) for e in extends]
    return merged, merged_pos


def _extends_target(name: str, base: Path, where: str | None, boundary: Path) -> Path:
    preset = presets_dir() / f"{name}.yaml"
    if "/" not in name and not name.endswith((".yaml", ".yml", ".toml")):
        if preset.is_file():
            return preset
        names = sorted(p.stem for p in presets_dir().glob("*.yaml"))
        raise ConfigError(f"unknown preset '{name}' at {where or 'config'}{did_you_mean(name, names)}")
    path = (base / name).resolve()
    if not path.is_relative_to(boundary.resolve()) and not path.is_relative_to(presets_dir().resolve()):
        raise ConfigError(f"extended config {name} at {where or 'config'} is outside the repository {boundary}; {_OUTSIDE}")
    if not path.is_file():
        raise ConfigError(f"extended config not found: {name} at {where or 'config'}")
    return path


def _merge(
    base: dict[str, Any], base_pos: dict[tuple, str], top: dict[str, Any], top_pos: dict[tuple, str]
) -> tuple[dict[str, Any], dict[tuple, str]]:
    out = dict(base)
    pos = dict(base_pos)
    for key, value in top.items():
        if key in _ACCUMULATE and isinstance(value, list) and isinstance(out.get(key), list):
            offset = len(out[key])
            out[key] = [*out[key], *value]
            pos.update({(key, i + offset): top_pos[(key, i)] for i in range(len(value)) if (key, i) in top_pos})
            continue
        if key in _MERGE_TABLES and isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
            pos = {p: w for p, w in pos.items() if p[:1] != (key,)}
        pos.update({p: w for p, w in top_pos.items() if p[:1] == (key,)})
    return out, pos


def _validate(
    data: dict[str, Any], positions: dict[tuple, str], root: Path, source: str | None, boundary: Path | None = None
) -> LoadedConfig:
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, positions, source)) from None
    return LoadedConfig(config, root, source, positions, boundary)


def _explain(exc: ValidationError, positions: dict[tuple, str], source: str | None) -> str:
    """One line for the first validation error: what is wrong, where, and a suggestion."""
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    where = next((positions[loc[:end]] for end in range(len(loc), 0, -1) if loc[:end] in positions), source or "config")
    dotted = ".".join(str(p) for p in loc)
    if err["type"] == "extra_forbidden":
        model = _model_at(Config, loc[:-1])
        choices = [f.alias or n for n, f in model.model_fields.items()] if model else []
        return f"unknown option {quote(str(loc[-1]), 80)} at {where}{did_you_mean(str(loc[-1]), choices)}"
    msg = err["msg"].removeprefix("Value error, ")
    return f"invalid value for {quote(dotted, 120)} at {where}: {msg}"


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping found at ``loc``."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
            if field is None:
                return None
            current = field.annotation
        elif typing.get_origin(current) in (dict, list):
            current = typing.get_args(current)[-1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    """``X | None`` → ``X``."""
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return tp


__all__ = ["Config", "ConfigError", "FieldMap", "LoadedConfig", "Positions", "RuleSettings", "load_config"]
