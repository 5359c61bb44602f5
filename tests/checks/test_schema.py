"""The schema family: rule cases as data (cases/schema*.yaml), metadata, DS117 merging, fuzzing."""

from __future__ import annotations

import random
import re
from functools import reduce
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from dslint.batch import Batch
from dslint.check import DOC_SECTIONS, CheckContext, DatasetCheck, RecordCheck, Rule
from dslint.checks.schema import consistency as schema_consistency
from dslint.checks.schema.reading import READ_RULES
from dslint.checks.schema.check import CHECKS, EMPTY_FILE, InconsistentFieldsCheck, SchemaCheck
from dslint.checks.schema.base import doc_position
from dslint.finding import Finding
from dslint.formats import make_format
from dslint.formats.base import resolve_pointer
from dslint.record import Record

CASES_DIR = Path(__file__).parent / "cases"
RULES = {r.code: r for r in (*READ_RULES, *SchemaCheck.rules, *InconsistentFieldsCheck.rules)}


def make_record(data: dict, fmt_name: str, i: int = 0, fields: dict | None = None, file: str = "train.jsonl") -> Record:
    return Record(file=file, line=i + 1, index=i, data=data, split="train", format=make_format(fmt_name, fields))


def load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("schema*.yaml")):
        for case in YAML(typ="safe").load(path.read_text(encoding="utf-8")):
            params.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return params


def context(options: dict | None) -> CheckContext:
    """Rule options as the policy validates them from config (kebab-case aliases)."""
    return CheckContext(options={code: RULES[code].options.model_validate(raw) for code, raw in (options or {}).items()})


def run_case(case: dict) -> list[Finding]:
    """Record findings record by record, then the file-level findings of DS117."""
    rows = case["records"] if "records" in case else [case["record"]]
    records = [make_record(d, case["format"], i, case.get("fields")) for i, d in enumerate(rows)]
    ctx = context(case.get("options"))
    schema, fields = SchemaCheck(ctx), InconsistentFieldsCheck(ctx)
    findings = [f for r in records for f in schema.check(r)]
    # The batch path, twice: the second time the shapes the first found clean are skipped.
    for _ in range(2):
        assert list(schema.check_batch(Batch(records))) == findings
    state = fields.init()
    for r in records:
        state = fields.update(state, r)
    return findings + list(fields.finalize(state))


@pytest.mark.parametrize("case", load_cases())
def test_rule_case(case: dict) -> None:
    findings = run_case(case)
    got = [(f.rule, f.location.field, f.location.record) for f in findings]
    want = [(e["rule"], e["field"], e.get("record", 0)) for e in case["expected"]]
    assert got == want
    for finding, expected in zip(findings, case["expected"]):
        assert finding.name == RULES[finding.rule].name
        assert finding.severity == RULES[finding.rule].severity
        if "message" in expected:
            assert expected["message"] in finding.message


def test_every_rule_has_cases_that_fire() -> None:
    fired = {e["rule"] for p in load_cases() for e in p.values[0]["expected"]}
    own = {r.code for r in (*SchemaCheck.rules, *InconsistentFieldsCheck.rules)}
    assert own <= fired


def test_every_format_has_a_clean_case() -> None:
    clean = {p.values[0]["format"] for p in load_cases() if not p.values[0]["expected"]}
    assert clean >= {
        "openai-chat", "sharegpt", "sharegpt-ranking", "alpaca", "preference", "openai-preference", "kto",
        "prompt-completion", "instruction-response", "sharegpt-kto", "alpaca-kto", "stepwise", "classification", "text", "mapped", "unknown",
    }


# --- registration and metadata -----------------------------------------------------------


def test_checks_list_registers_read_rules_and_check_classes() -> None:
    rules = [item for item in CHECKS if isinstance(item, Rule)]
    classes = [item for item in CHECKS if isinstance(item, type)]
    assert rules == list(READ_RULES)
    assert EMPTY_FILE in rules
    assert issubclass(classes[0], RecordCheck) and classes[0] is SchemaCheck
    assert issubclass(classes[1], DatasetCheck) and classes[1] is InconsistentFieldsCheck
    codes = sorted(r.code for r in rules) + sorted(r.code for c in classes for r in c.rules)
    assert sorted(codes) == [f"DS{n}" for n in range(100, 124)]


def test_registry_loads_the_schema_family_through_its_entry_point() -> None:
    from dslint.registry import load_registry

    registry = load_registry()
    assert {f"DS{n}" for n in range(100, 120)} <= set(registry.rules)
    assert SchemaCheck in registry.check_classes and InconsistentFieldsCheck in registry.check_classes


@pytest.mark.parametrize("rule", [*SchemaCheck.rules, *InconsistentFieldsCheck.rules], ids=lambda r: r.code)
def test_rule_docs_have_every_section_in_order(rule: Rule) -> None:
    assert rule.family == "schema"
    positions = [rule.docs.find(f"{section}:") for section in DOC_SECTIONS]
    assert -1 not in positions and positions == sorted(positions)
    assert rule.summary.endswith(".") and "\n" not in rule.summary
    assert (rule.scope == "file") == (rule.code == "DS117")


def test_options_use_kebab_case_aliases_and_reject_unknown_options() -> None:
    role_opts = RULES["DS107"].options
    assert role_opts.model_validate({"extra-roles": ["ipython"]}).extra_roles == ["ipython"]
    assert role_opts.model_validate({"extra_roles": ["ipython"]}).extra_roles == ["ipython"]
    with pytest.raises(ValueError):
        role_opts.model_validate({"extra-role": ["ipython"]})
    with pytest.raises(ValueError):
        RULES["DS106"].options.model_validate({"allowed": ["x"]})


# --- behaviour that the YAML cases cannot express ----------------------------------------


def test_messages_quote_record_values_redacted() -> None:
    data = {
        "messages": [
            {"role": "jane.doe@example.com", "content": "Hi"},
            {"role": "assistant", "content": "Hello!", "\x1b[31mred": 1},
        ]
    }
    messages = [f.message for f in SchemaCheck().check(make_record(data, "openai-chat"))]
    assert any("j***@e***.com" in m for m in messages)
    assert not any("jane.doe@example.com" in m or "\x1b" in m for m in messages)


def test_snippets_show_the_offending_turn() -> None:
    data = {
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Call me at +1 415 555 0199"},
        ]
    }
    (finding,) = SchemaCheck().check(make_record(data, "openai-chat"))
    assert finding.rule == "DS119"
    assert finding.snippet is not None and "555 0199" not in finding.snippet and finding.snippet.startswith("Call me at")


def test_fingerprints_survive_moving_the_record() -> None:
    data = {"messages": [{"role": "user", "content": "Hi"}, {"role": "bot", "content": "Hello!"}]}
    first = SchemaCheck().check(make_record(data, "openai-chat", 0))
    moved = SchemaCheck().check(make_record(data, "openai-chat", 57))
    assert [f.fingerprint for f in first] == [f.fingerprint for f in moved]
    assert len({f.fingerprint for f in first}) == len(first) == 2


def test_a_clean_chat_shape_skips_only_records_that_are_plain_too() -> None:
    """Records with the keys and roles of a clean one are still checked when a message is not
    plain or another key holds a wrong value."""
    roles = ["system", "user", "assistant"]

    def chat(*contents: Any, **extra: Any) -> dict:
        return {"messages": [{"role": r, "content": c} for r, c in zip(roles, contents)], **extra}

    rows = [
        chat("Be brief.", "Hi", "Hello"),
        chat("Be brief.", "Hi", "  \n"),
        chat("Be brief.", "", "Hello"),
        chat("Be brief.", "Hi", None),
        chat("Be brief.", "Hi", [{"type": "text", "text": " "}]),
        chat("Be brief.", "Hi", "Hello", tools="none"),
        chat("Be brief.", "Hi", "Hello", extra=1),
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "weight": 0}]},
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "contents": "Hello"}]},
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "model", "content": "Hello"}]},
    ]
    records = [make_record(d, "openai-chat", i) for i, d in enumerate(rows)]

    def sharegpt(value: Any, system: Any = "Be brief.", **extra: Any) -> dict:
        turns = [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": value}]
        return {"system": system, "conversations": turns, **extra}

    shared = [sharegpt("Hello"), sharegpt("Hello", system=5), sharegpt(" "), sharegpt(["Hello"]), sharegpt("Hello", extra=1)]
    shared.append({"system": "Be brief.", "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "text": "Hello"}]})
    records += [make_record(d, "sharegpt", i) for i, d in enumerate(shared, start=len(rows))]
    check = SchemaCheck()
    expected = [f for r in records for f in check.check(r)]
    assert {f.location.record for f in expected} == set(range(len(records))) - {0, len(rows)}
    for _ in range(2):
        assert list(check.check_batch(Batch(records))) == expected
    assert len(check._clean_shapes) == 2


def test_records_without_a_format_are_skipped() -> None:
    record = Record(file="train.jsonl", line=1, index=0, data={"messages": "oops"})
    assert list(SchemaCheck().check(record)) == []


# --- DS117: mergeable state --------------------------------------------------------------

KEY_SETS = [
    {"messages": [], "id": "x"},
    {"messages": []},
    {"messages": [], "id": "x", "source": "forum"},
    {"prompt": "p", "id": "x"},
]


def dataset(seed: int, n: int = 60, files: int = 2) -> list[Record]:
    rng = random.Random(seed)
    out = []
    for f in range(files):
        for i in range(n):
            data = dict(rng.choice(KEY_SETS[: 2 + f]) if rng.random() < 0.3 else KEY_SETS[0])
            data["id"] = f"{f}-{i}" if "id" in data else None
            data = {k: v for k, v in data.items() if v is not None}
            out.append(make_record(data, "openai-chat", i, file=f"data/part-{f}.jsonl"))
    return out


def fold(check: InconsistentFieldsCheck, records: list[Record]) -> Any:
    state = check.init()
    for r in records:
        state = check.update(state, r)
    return state


def finalize(check: InconsistentFieldsCheck, state: Any) -> list[tuple]:
    return [
        (f.location.file, f.location.record, f.location.line, f.message, f.fingerprint, f.metrics)
        for f in check.finalize(state)
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    cuts=st.lists(st.integers(0, 120), max_size=6),
    order_seed=st.integers(0, 10_000),
    limit=st.sampled_from([2, 5, 1000]),
)
def test_inconsistent_fields_merge_is_order_independent(seed: int, cuts: list[int], order_seed: int, limit: int) -> None:
    check = InconsistentFieldsCheck()
    records = dataset(seed)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(schema_consistency, "SAMPLE_LIMIT", limit)
        expected = finalize(check, fold(check, records))
        bounds = [0, *sorted(cuts), len(records)]
        shards = [records[a:b] for a, b in zip(bounds, bounds[1:])]
        rng = random.Random(order_seed)
        rng.shuffle(shards)
        states = [fold(check, rng.sample(s, len(s))) for s in shards]  # records out of order inside a shard too
        left = reduce(check.merge, states)
        right = reduce(lambda a, b: check.merge(b, a), reversed(states))
        half = len(states) // 2
        tree = check.merge(reduce(check.merge, states[:half], check.init()), reduce(check.merge, states[half:], check.init()))
        assert expected  # the generated files always hold differing key sets
        assert finalize(check, left) == finalize(check, right) == finalize(check, tree) == expected


def test_inconsistent_fields_reports_each_differing_record_with_its_keys() -> None:
    rows = [{"messages": [], "id": str(i)} for i in range(5)]
    rows[3] = {"messages": [], "source": "forum"}
    check = InconsistentFieldsCheck()
    records = [make_record(d, "openai-chat", i) for i, d in enumerate(rows)]
    (finding,) = check.finalize(fold(check, records))
    assert (finding.rule, finding.location.record, finding.location.line, finding.location.split) == ("DS117", 3, 4, "train")
    assert finding.message == "keys differ from most records of this file: missing 'id'; extra 'source'"
    # Same fingerprint formula as Rule.at on the real record.
    assert finding.fingerprint == RULES["DS117"].at(records[3], "any message").fingerprint


def test_inconsistent_fields_tie_goes_to_the_alphabetically_first_key_set() -> None:
    rows = [{"instruction": "a", "output": "b"}, {"instruction": "a", "input": "", "output": "b"}]
    check = InconsistentFieldsCheck()
    for order in (rows, rows[::-1]):
        records = [make_record(d, "alpaca", i) for i, d in enumerate(order)]
        (finding,) = check.finalize(fold(check, records))
        assert "missing 'input'" in finding.message
        assert records[finding.location.record].data == rows[0]


def test_inconsistent_fields_keeps_the_first_records_and_summarises_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema_consistency, "SAMPLE_LIMIT", 3)
    rows = [{"text": f"row {i}", "label": "x"} if i % 3 else {"text": f"row {i}"} for i in range(30)]
    records = [make_record(d, "classification", i) for i, d in enumerate(rows)]
    check = InconsistentFieldsCheck()
    shards = [records[15:], records[:15]]
    findings = list(check.finalize(check.merge(*(fold(check, s) for s in shards))))
    listed = [f for f in findings if f.location.record is not None]
    assert [f.location.record for f in listed] == [0, 3, 6]
    (summary,) = [f for f in findings if f.location.record is None]
    assert summary.metrics == {"count": 10, "listed": 3}
    assert summary.message.startswith("7 more records of this file") and summary.location.file == "train.jsonl"


def test_inconsistent_fields_is_silent_on_uniform_files_and_empty_states() -> None:
    check = InconsistentFieldsCheck()
    records = [make_record({"text": f"doc {i}"}, "text", i) for i in range(4)]
    assert list(check.finalize(fold(check, records))) == []
    assert list(check.finalize(check.merge(check.init(), check.init()))) == []


# --- robustness: arbitrary JSON never raises, pointers are exact and ordered --------------

WORDS = ["", " ", "Hi", "call_1", "user", "assistant", "tool", "gpt", "human", "system", "function", "text"]
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), st.sampled_from(WORDS))
KEYS = st.sampled_from(
    ["messages", "role", "content", "tool_calls", "tool_call_id", "id", "type", "function", "name", "arguments"]
    + ["weight", "conversations", "from", "value", "prompt", "chosen", "rejected", "completion", "label", "text"]
    + ["instruction", "output", "input", "tools", "a/b"]
)
json_value = st.recursive(
    json_scalar, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)), max_leaves=25
)
FORMATS = ["openai-chat", "sharegpt", "alpaca", "preference", "kto", "classification", "text", "unknown"]
POINTER = re.compile(r"^(/([^~/]|~[01])*)+$")


function = st.dictionaries(st.sampled_from(["name", "arguments"]), json_value)
tool_call = st.dictionaries(st.sampled_from(["id", "type", "function", "text"]), st.one_of(json_value, function))
msg_value = st.one_of(json_scalar, json_value, st.lists(tool_call, max_size=3))
MESSAGE_KEYS = ["role", "content", "tool_calls", "tool_call_id", "weight", "name", "from", "value", "function_call"]
message = st.dictionaries(st.sampled_from(MESSAGE_KEYS), msg_value, min_size=1, max_size=5)
top_value = st.one_of(st.lists(st.one_of(message, message, json_scalar), max_size=6), json_value)


FORMAT_KEYS = {
    "openai-chat": ["messages", "tools"],
    "sharegpt": ["conversations", "system"],
    "alpaca": ["instruction", "input", "output", "history"],
    "preference": ["prompt", "chosen", "rejected"],
    "kto": ["prompt", "completion", "label"],
    "classification": ["text", "label"],
    "text": ["text"],
    "unknown": ["q"],
}


@st.composite
def shaped_record(draw: st.DrawFn) -> tuple[dict, str]:
    """A record of a format: its keys mostly present, their values (at every level) anything."""
    fmt = draw(st.sampled_from(FORMATS))
    data = {key: draw(top_value) for key in FORMAT_KEYS[fmt] if draw(st.integers(0, 4))}
    data.update(draw(st.dictionaries(st.sampled_from(["id", "a/b", "extra~"]), json_scalar, max_size=2)))
    return data, fmt


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=shaped_record())
def test_arbitrary_records_never_crash_and_pointers_are_exact(case: tuple[dict, str]) -> None:
    data, fmt = case
    record = make_record(data, fmt)
    findings = list(SchemaCheck().check(record))
    for f in findings:
        ptr = f.location.field
        assert ptr is not None and POINTER.match(ptr), ptr
        parent = ptr.rsplit("/", 1)[0]
        assert resolve_pointer(data, parent)[0], ptr  # the field or at least its container exists
    assert len({(f.rule, f.location.field) for f in findings}) == len(findings)
    positions = [doc_position(data, f.location.field) for f in findings]
    assert positions == sorted(positions)
