"""The JSON Schemas of the config file and of ``.dslint-ignore.yaml``, generated from the pydantic
models and the rules' options.

Editors with a YAML language server complete and validate ``dslint.yaml`` with it (``dslint init``
writes the ``# yaml-language-server: $schema=...`` line). It is kept in the repository as
``dslint/config.schema.json``; ``dslint schema --config`` prints it and a test keeps it current.
Under ``rules:`` each built-in rule, by code or by name, accepts ``severity``, ``max-count``,
``max-ratio`` and its own options and nothing else; other keys (plugin rules) get the common ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from dslint import __version__
from dslint.check import Rule
from dslint.config import Config, RuleSettings
from dslint.formats import FORMAT_NAMES

SCHEMA_PATH = Path(__file__).resolve().parent / "config.schema.json"
SCHEMA_ID = "https://dslint.dev/schema/config-v1.json"
IGNORE_SCHEMA_PATH = SCHEMA_PATH.with_name("ignore.schema.json")


def schema_url(name: str = "config.schema.json") -> str:
    """Where editors fetch a schema of this version (the file as tagged in the repository)."""
    return f"https://raw.githubusercontent.com/dslint/dslint/v{__version__}/dslint/{name}"


def config_schema(rules: Iterable[Rule]) -> dict[str, Any]:
    rules = list(rules)
    option_models = {r.options for r in rules}
    models = [Config, RuleSettings, *sorted(option_models, key=lambda m: (m.__module__, m.__qualname__))]
    refs, top = models_json_schema([(m, "validation") for m in models], by_alias=True)
    defs: dict[str, Any] = top["$defs"]
    config = defs.pop(_def_name(refs, Config))
    settings = defs[_def_name(refs, RuleSettings)]
    common = settings["properties"]

    option_defs = {m: defs[_def_name(refs, m)] for m in option_models}
    by_key: dict[str, Any] = {}
    for rule in rules:
        name = f"rule-{rule.code}"
        defs[name] = {
            "type": "object",
            "title": f"{rule.code} {rule.name}",
            "description": rule.summary,
            "properties": {**common, **option_defs[rule.options].get("properties", {})},
            "additionalProperties": False,
        }
        by_key[rule.code] = by_key[rule.name] = {"$ref": f"#/$defs/{name}"}
    for model in option_models:  # inlined above; drop unless something else refers to them
        key = _def_name(refs, model)
        if f'"#/$defs/{key}"' not in json.dumps(defs):
            defs.pop(key)

    # What the loader accepts beyond the model: one `extends` name as a string, and format names
    # (checked in a validator, which pydantic cannot express in the schema).
    extends = config["properties"]["extends"]
    extends["anyOf"] = [{"type": "string"}, {"type": "array", "items": extends.pop("items")}]
    del extends["type"]
    config["properties"]["formats"]["additionalProperties"] = {"enum": sorted(FORMAT_NAMES)}
    rules_prop = config["properties"]["rules"]
    rules_prop["properties"] = by_key
    rules_prop["additionalProperties"] = {"$ref": f"#/$defs/{_def_name(refs, RuleSettings)}"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **config,
        "title": "dslint configuration (dslint.yaml, .dslint.yaml or [tool.dslint] in pyproject.toml)",
        "$defs": dict(sorted(defs.items())),
    }


def _def_name(refs: dict, model: type) -> str:
    return refs[(model, "validation")]["$ref"].rsplit("/", 1)[-1]


def builtin_schema_text() -> str:
    """The schema for the built-in rules, independent of any user config."""
    from dslint.registry import load_registry

    return json.dumps(config_schema(load_registry().rules.values()), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def ignore_file_schema_text() -> str:
    """The schema of ``.dslint-ignore.yaml``."""
    from dslint.suppressions import IgnoreFile

    schema = IgnoreFile.model_json_schema(by_alias=True)
    schema.update({"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://dslint.dev/schema/ignore-v1.json"})
    schema["title"] = "dslint suppressions (.dslint-ignore.yaml)"
    schema["$defs"]["SuppressionEntry"]["anyOf"] = [{"required": ["fingerprint"]}, {"required": ["file"]}]
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
