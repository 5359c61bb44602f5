"""The config's JSON Schema: current, shipped, and in agreement with the loader on real configs."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import jsonschema
import pytest
from conftest import CLEAN_CHATS, write_jsonl
from ruamel.yaml import YAML

from dslint.api import prepare
from dslint.config import presets_dir
from dslint.config_schema import SCHEMA_PATH, builtin_schema_text
from dslint.yamlpos import ConfigError

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _yaml(text: str) -> object:
    return YAML(typ="safe", pure=True).load(text)


def readme_configs() -> list[str]:
    """The README's YAML blocks that are dslint configs (they start with `# dslint.yaml`)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)
    return [b for b in blocks if b.startswith("# dslint.yaml")]


def test_schema_file_is_current_and_printed_by_the_cli(cli) -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == builtin_schema_text(), "stale: run `python -m dslint.docs`"
    res = cli("schema", "--config")
    assert res.code == 0 and res.out == builtin_schema_text()
    assert json.loads(cli("schema").out)["title"] == "Report"


def test_readme_and_preset_configs_validate(validator) -> None:
    configs = readme_configs()
    assert len(configs) >= 1
    for text in [*configs, *(p.read_text(encoding="utf-8") for p in presets_dir().glob("*.yaml"))]:
        errors = [e.message for e in validator.iter_errors(_yaml(text))]
        assert errors == [], text


def _test_suite_configs() -> list[str]:
    """Every literal config string the tests write to a dslint.yaml."""
    found = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or "dslint.yaml" not in ast.unparse(node):
                continue
            found += [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str) and "\n" in a.value]
    return found


def test_schema_agrees_with_the_loader_on_every_config_in_the_tests(validator, tmp_path: Path) -> None:
    """A config the loader accepts validates; one it rejects for an unknown key or a bad value of a
    known one is rejected by the schema too (other errors, such as YAML syntax, are not its job)."""
    configs = _test_suite_configs()
    assert len(configs) >= 20
    accepted = rejected = 0
    for text in configs:
        try:
            data = _yaml(text)
        except Exception:  # noqa: BLE001 - invalid YAML is the loader's to report
            continue
        (tmp_path / "dslint.yaml").write_text(text, encoding="utf-8")
        try:
            prepare(tmp_path / "dslint.yaml")  # the config and its rules' options
        except ConfigError as exc:
            if re.match(r"unknown option '[^']+' (at|for rule)|invalid value for '[^']+' (at|of rule)", str(exc)):
                assert not validator.is_valid(data), f"schema accepts what the loader rejects: {text!r} ({exc})"
                rejected += 1
            continue
        assert validator.is_valid(data), f"schema rejects a valid config: {text!r}"
        accepted += 1
    assert accepted >= 8 and rejected >= 4


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("extend-selet: [DS106]\n", ["extend-selet"]),
        ("rules:\n  DS117: {maxratio: 0.1}\n", ["rules", "DS117"]),
        ("rules:\n  unknown-key: {severity: info, alow: [source]}\n", ["rules", "unknown-key"]),
        ("rules:\n  DS106: {severity: critical}\n", ["rules", "DS106", "severity"]),
        ("fail-on: errors\n", ["fail-on"]),
        ("fields: {inputs: question}\n", ["fields"]),
    ],
)
def test_schema_rejects_typos_with_their_place(validator, text: str, where: list[str]) -> None:
    errors = list(validator.iter_errors(_yaml(text)))
    assert errors and any(list(e.absolute_path)[: len(where)] == where or list(e.absolute_path) == where[:-1] for e in errors)


def test_plugin_rules_accept_the_common_settings_only(validator) -> None:
    assert validator.is_valid(_yaml("rules:\n  ACME101: {severity: warning, max-count: 3}\n"))
    assert not validator.is_valid(_yaml("rules:\n  ACME101: {max-count: -1}\n"))


def test_init_output_points_editors_at_the_schema_and_validates(cli, validator, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "data" / "train.jsonl", CLEAN_CHATS)
    assert cli("init", "data", cwd=tmp_path).code == 0
    text = (tmp_path / "dslint.yaml").read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert re.fullmatch(r"# yaml-language-server: \$schema=https://\S+/v[\d.]+/dslint/config\.schema\.json", first)
    assert validator.is_valid(_yaml(text))
