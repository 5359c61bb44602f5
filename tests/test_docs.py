"""The README stays true: its rule table and its test command."""

from __future__ import annotations

from pathlib import Path

from dslint.docs import END, START, builtin_table

REPO = Path(__file__).resolve().parent.parent
TEST_COMMAND = "python3 -m venv .venv && . .venv/bin/activate && pip install -q -e '.[test,datasets]' && pytest"


def test_readme_rule_table_is_generated_from_rule_metadata() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == builtin_table(), "the rule table is stale: run `python -m dslint.docs`"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert TEST_COMMAND in readme.splitlines()
    assert TEST_COMMAND in ci.splitlines()
