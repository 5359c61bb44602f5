from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from dslint.check import Rule
from dslint.config import load_config
from dslint.finding import Finding, Location, Severity
from dslint.policy import Overrides, Policy
from dslint.registry import Registry
from dslint.yamlpos import ConfigError


class AllowOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    allow: list[str] = []


MISSING = Rule("DS104", "missing-required-key", "schema", Severity.ERROR, "record", "s", "d")
UNKNOWN = Rule("DS106", "unknown-key", "schema", Severity.WARNING, "record", "s", "d", options=AllowOptions)
BOILER = Rule("DS801", "ai-boilerplate", "content", Severity.WARNING, "record", "s", "d")
LANGUAGE = Rule("DS813", "language-mismatch", "content", Severity.INFO, "record", "s", "d")  # the preset ignores it


def registry() -> Registry:
    reg = Registry()
    for r in (MISSING, UNKNOWN, BOILER, LANGUAGE):
        reg.add_rule(r)
    return reg


def policy(tmp_path: Path, yaml: str, overrides: Overrides | None = None) -> Policy:
    (tmp_path / "dslint.yaml").write_text(yaml)
    return Policy.build(load_config(start=tmp_path), registry(), overrides)


def finding(rule: Rule, file: str = "data/train.jsonl", record: int = 0) -> Finding:
    return Finding(
        rule=rule.code, name=rule.name, check=rule.family, severity=rule.severity, message="m",
        location=Location(file=file, line=record + 1, record=record), fingerprint=f"{rule.code}-{file}-{record}",
    )


def test_severity_override_and_gate(tmp_path: Path) -> None:
    pol = policy(tmp_path, "rules:\n  ai-boilerplate: {severity: error}\n")
    out = pol.apply([finding(BOILER)], 10, {})
    assert out[0].severity is Severity.ERROR
    assert not pol.passed(out)


def test_warnings_pass_the_default_gate_but_not_fail_on_warning(tmp_path: Path) -> None:
    pol = policy(tmp_path, "extend-select: [DS106]\n")
    out = pol.apply([finding(BOILER)], 10, {})
    assert pol.passed(out)
    strict = policy(tmp_path, "extend-select: [DS106]\n", Overrides(fail_on="warning"))
    assert not strict.passed(strict.apply([finding(BOILER)], 10, {}))


def test_disabled_rules_are_dropped(tmp_path: Path) -> None:
    pol = policy(tmp_path, "select: [DS1]\n")  # DS106 stays off through the preset's ignore
    out = pol.apply([finding(MISSING), finding(UNKNOWN), finding(BOILER)], 10, {})
    assert [f.rule for f in out] == ["DS104"]


def test_cli_select_replaces_config_select(tmp_path: Path) -> None:
    pol = policy(tmp_path, "select: [DS1]\n", Overrides(select=["DS8"]))
    assert pol.enabled == {"DS801"}


def test_per_file_ignores_match_paths_from_the_config_folder(tmp_path: Path) -> None:
    pol = policy(tmp_path, "per-file-ignores:\n  'legacy/*.jsonl': [DS104]\n")
    findings = [finding(MISSING, "../repo/legacy/old.jsonl"), finding(MISSING, "data/train.jsonl")]
    out = pol.apply(findings, 10, {"../repo/legacy/old.jsonl": "legacy/old.jsonl"})
    assert [f.location.file for f in out] == ["data/train.jsonl"]


def test_budget_within_limit_does_not_fail_the_gate(tmp_path: Path) -> None:
    pol = policy(tmp_path, "rules:\n  DS104: {max-count: 3}\n")
    out = pol.apply([finding(MISSING, record=i) for i in range(3)], 100, {})
    assert [f.suppressed for f in out] == ["budget"] * 3
    assert pol.passed(out)


def test_budget_exceeded_adds_one_dataset_finding_that_fails(tmp_path: Path) -> None:
    pol = policy(tmp_path, "rules:\n  DS104: {max-ratio: 0.02}\n")
    out = pol.apply([finding(MISSING, record=i) for i in range(3)], 100, {})
    over = [f for f in out if f.location is None]
    assert len(over) == 1
    assert over[0].rule == "DS104" and over[0].severity is Severity.ERROR and over[0].suppressed is None
    assert over[0].message == "3 missing-required-key findings exceed the budget (max-ratio 0.02) over 100 records"
    assert over[0].metrics["count"] == 3
    assert not pol.passed(out)
    assert out[-1] is over[0]  # dataset-level findings sort last


def test_rule_options_are_validated_with_suggestions(tmp_path: Path) -> None:
    (tmp_path / "dslint.yaml").write_text("fail-on: error\nrules:\n  DS106:\n    severity: info\n    alow: [source]\n")
    with pytest.raises(ConfigError, match=r"unknown option 'alow' for rule DS106 at dslint.yaml:5; did you mean 'allow'\?"):
        Policy.build(load_config(start=tmp_path), registry())
    pol = policy(tmp_path, "rules:\n  unknown-key: {allow: [source]}\n")
    assert pol.options["DS106"].allow == ["source"]


def test_budget_typo_is_caught_as_an_unknown_rule_option(tmp_path: Path) -> None:
    (tmp_path / "dslint.yaml").write_text("rules:\n  DS104:\n    maxratio: 0.1\n")
    with pytest.raises(ConfigError, match=r"unknown option 'maxratio' for rule DS104 at dslint.yaml:3; did you mean 'max-ratio'\?"):
        Policy.build(load_config(start=tmp_path), registry())


def test_unknown_rule_key_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "dslint.yaml").write_text("rules:\n  DS140: {severity: info}\n")
    with pytest.raises(ConfigError, match=r"unknown rule 'DS140' at dslint.yaml:2; did you mean 'DS10[46]'\?"):
        Policy.build(load_config(start=tmp_path), registry())


def test_a_severity_graded_by_the_check_is_kept_unless_configured(tmp_path: Path) -> None:
    graded = finding(MISSING).model_copy(update={"severity": Severity.WARNING})  # e.g. PII in a prompt
    assert policy(tmp_path, "fail-on: error\n").apply([graded], 10, {})[0].severity is Severity.WARNING
    forced = policy(tmp_path, "rules:\n  DS104: {severity: error}\n").apply([graded], 10, {})
    assert forced[0].severity is Severity.ERROR
