from __future__ import annotations

import pytest

from dslint.check import Rule
from dslint.finding import Severity
from dslint.selection import enabled_rules, validate_selectors
from dslint.yamlpos import ConfigError


def rule(code: str, name: str, family: str = "schema") -> Rule:
    return Rule(code, name, family, Severity.ERROR, "record", "s", "d")  # type: ignore[arg-type]


RULES = {
    r.code: r
    for r in (
        rule("DS101", "invalid-json"),
        rule("DS104", "missing-required-key"),
        rule("DS106", "unknown-key"),
        rule("DS117", "inconsistent-fields"),
        rule("DS801", "ai-boilerplate", "content"),
    )
}


def on(select, extend=(), ignore=()):
    return sorted(enabled_rules(RULES, select, extend, ignore))


def test_all_and_ignore() -> None:
    assert on(["ALL"], ignore=["DS106"]) == ["DS101", "DS104", "DS117", "DS801"]


def test_longer_prefix_wins_over_shorter_one() -> None:
    assert on(["DS1"], ignore=["DS"]) == ["DS101", "DS104", "DS106", "DS117"]
    assert on(["DS"], ignore=["DS1"]) == ["DS801"]
    assert on(["DS10"], ignore=["DS1"]) == ["DS101", "DS104", "DS106"]


def test_exact_code_or_name_beats_any_prefix() -> None:
    assert on(["DS104"], ignore=["DS1"]) == ["DS104"]
    assert on(["ALL"], ignore=["unknown-key", "DS8"]) == ["DS101", "DS104", "DS117"]
    assert on(["unknown-key"], ignore=["DS10"]) == ["DS106"]


def test_ignore_wins_a_tie() -> None:
    assert on(["DS106"], ignore=["DS106"]) == []


def test_family_names_select() -> None:
    assert on(["content"]) == ["DS801"]
    assert on(["ALL"], ignore=["schema"]) == ["DS801"]


def test_extend_select_adds_to_select() -> None:
    assert on(["DS8"], extend=["DS117"]) == ["DS117", "DS801"]


def test_nothing_selected_means_nothing_runs() -> None:
    assert on([]) == []


def test_unknown_selector_is_an_error_with_suggestion() -> None:
    with pytest.raises(ConfigError, match=r"unknown rule selector 'unknown-kye' at dslint.yaml:3; did you mean 'unknown-key'\?"):
        validate_selectors(["unknown-kye"], RULES, "dslint.yaml:3")
    validate_selectors(["ALL", "DS1", "schema", "invalid-json"], RULES, "x")
