"""The README stays true: its rule table and its test command."""

from __future__ import annotations

from pathlib import Path

from dslint.check import NoOptions
from dslint.docs import END, START, builtin_docs, builtin_table, rule_page
from dslint.registry import load_registry

REPO = Path(__file__).resolve().parent.parent
TEST_COMMAND = "python3 -m venv .venv && . .venv/bin/activate && pip install -q -e '.[test,datasets,ray]' && pytest"


def test_readme_rule_table_is_generated_from_rule_metadata() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == builtin_table(), "the rule table is stale: run `python -m dslint.docs`"


def test_rule_pages_and_index_are_generated_and_complete() -> None:
    expected = {path: text for path, text in builtin_docs().items() if path.startswith("docs/")}
    on_disk = {p.relative_to(REPO).as_posix(): p.read_text(encoding="utf-8") for p in (REPO / "docs" / "rules").glob("*.md")}
    assert sorted(on_disk) == sorted(expected), "pages added or missing: run `python -m dslint.docs`"
    stale = [path for path in expected if on_disk[path] != expected[path]]
    assert stale == [], f"stale pages {stale[:3]}: run `python -m dslint.docs`"
    rules = load_registry().rules
    assert len(expected) == len(rules) + 1
    index = expected["docs/rules/index.md"]
    assert all(f"[{code}]({code}.md)" in index for code in rules)


def test_a_rule_page_carries_metadata_docs_and_every_option_of_its_model() -> None:
    rule = load_registry().rules["DS203"]
    page = rule_page(rule, enabled=True)
    assert page.startswith("# DS203 near-duplicate\n")
    assert "| DS203 | `near-duplicate` | duplicates | info | dataset | yes |" in page
    for heading in ("## What it does", "## Why it matters", "## Example", "## Options", "## Option reference"):
        assert f"\n{heading}\n" in page
    for name, prop in rule.options.model_json_schema(by_alias=True)["properties"].items():
        assert f"| `{name}` |" in page and prop["description"] in page
    assert '| `shingle` | "word" or "char" | `"word"` |' in page
    assert "| `bands` | integer or null | `null` |" in page


def test_a_rule_without_options_says_so() -> None:
    rule = next(r for r in load_registry().rules.values() if r.options is NoOptions)
    assert "This rule has no options." in rule_page(rule, enabled=False)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert TEST_COMMAND in readme.splitlines()
    assert TEST_COMMAND in ci.splitlines()
