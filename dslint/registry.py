"""Every rule dslint knows: built-ins and third-party plugins (entry-point group ``dslint.checks``),
local plugin modules named in config, and YAML rule packs (shipped ones and the user's).

An entry point or plugin module exposes ``CHECKS``: a list of RecordCheck/DatasetCheck classes and
bare ``Rule`` objects (rules the engine reports itself).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from dslint.check import DatasetCheck, RecordCheck, Rule
from dslint.config import rules_dir
from dslint.packs import PackRule, load_pack
from dslint.yamlpos import ConfigError

PLUGIN_MODULE_PREFIX = "dslint_plugin_"  # how a plugin loaded from a .py file is named in sys.modules

ENTRY_POINT_GROUP = "dslint.checks"


class PluginError(ConfigError):
    """A plugin that cannot be imported or declares bad rules."""


@dataclass
class Registry:
    rules: dict[str, Rule] = field(default_factory=dict)  # by code, sorted
    check_classes: list[type[RecordCheck] | type[DatasetCheck]] = field(default_factory=list)
    pack_rules: list[PackRule] = field(default_factory=list)

    def add_rule(self, rule: Rule) -> None:
        existing = self.rules.get(rule.code)
        if existing is not None and existing is not rule:
            raise PluginError(f"rule code {rule.code} is defined twice ({existing.origin} and {rule.origin})")
        clash = next((r for r in self.rules.values() if r.name == rule.name and r.code != rule.code), None)
        if clash is not None:
            raise PluginError(f"rule name '{rule.name}' is used by {clash.code} and {rule.code}")
        self.rules[rule.code] = rule

    def add(self, items: Iterable[Any], origin: str) -> None:
        for item in items:
            if isinstance(item, Rule):
                self.add_rule(item)
            elif isinstance(item, type) and issubclass(item, (RecordCheck, DatasetCheck)):
                if not item.rules:
                    raise PluginError(f"{origin}: check {item.__name__} declares no rules")
                for rule in item.rules:
                    self.add_rule(rule)
                if item not in self.check_classes:
                    self.check_classes.append(item)
            else:
                raise PluginError(f"{origin}: CHECKS holds {item!r}, not a check class or Rule")

    def add_pack(self, rules: Iterable[PackRule]) -> None:
        for pack_rule in rules:
            self.add_rule(pack_rule.rule)
            self.pack_rules.append(pack_rule)

    def resolve(self, selector: str) -> Rule | None:
        """A rule by code or name."""
        if selector in self.rules:
            return self.rules[selector]
        return next((r for r in self.rules.values() if r.name == selector), None)

    def sorted(self) -> None:
        self.rules = dict(sorted(self.rules.items()))


ALLOW_PLUGINS_ENV = "DSLINT_ALLOW_PLUGINS"


def plugins_allowed(flag: bool = False) -> bool:
    """Whether the user opted in to running code plugins named by a config file."""
    return flag or os.environ.get(ALLOW_PLUGINS_ENV, "").strip().lower() in ("1", "true", "yes")


def load_registry(rule_packs: Sequence[Path] = (), plugins: Sequence[str] = (), root: Path | None = None) -> Registry:
    """Built-ins and installed plugins, the shipped packs, then the config's packs and plugins.

    Installed entry points are the user's own environment; ``plugins`` (named by a config file,
    which may come from an untrusted repository) must have been allowed by the caller."""
    registry = Registry()
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.value.split(":")[0] != "dslint", e.name)):
        try:
            loaded = ep.load()
        except Exception as exc:  # a broken third-party plugin must not crash the run
            raise PluginError(f"cannot load plugin '{ep.name}' ({ep.value}): {type(exc).__name__}: {exc}") from None
        registry.add(loaded if isinstance(loaded, (list, tuple)) else [loaded], f"entry point {ep.name}")
    for pack in sorted(rules_dir().joinpath("packs").glob("*.yaml")):
        registry.add_pack(load_pack(pack, f"rules/packs/{pack.name}"))
    for pack_path in rule_packs:
        registry.add_pack(load_pack(pack_path, str(pack_path)))
    for plugin in plugins:
        registry.add(_load_plugin_module(plugin, root or Path.cwd()), f"plugin {plugin}")
    registry.sorted()
    return registry


def _load_plugin_module(spec: str, root: Path) -> list[Any]:
    """A dotted module name, or a path to a .py file (relative to the config's folder)."""
    try:
        if spec.endswith(".py") or "/" in spec:
            path = (root / spec).resolve()
            if not path.is_relative_to(root.resolve()):
                raise PluginError(f"plugin file {spec} is outside the config's folder; plugins must live next to the config")
            if not path.is_file():
                raise PluginError(f"plugin file not found: {spec}")
            name = f"{PLUGIN_MODULE_PREFIX}{path.stem}"
            module_spec = importlib.util.spec_from_file_location(name, path)
            assert module_spec is not None and module_spec.loader is not None
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[name] = module  # so worker processes and pickling find its classes
            module_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(spec)
    except PluginError:
        raise
    except Exception as exc:
        raise PluginError(f"cannot load plugin '{spec}': {type(exc).__name__}: {exc}") from None
    checks = getattr(module, "CHECKS", None)
    if not isinstance(checks, (list, tuple)):
        raise PluginError(f"plugin '{spec}' has no CHECKS list")
    return list(checks)
