from __future__ import annotations

from pathlib import Path

import pytest

from dslint.batch import Batch
from dslint.check import CheckContext
from dslint.formats import make_format
from dslint.packs import PackCheck, load_pack
from dslint.record import Record
from dslint.yamlpos import ConfigError

PACK = """\
pack: house-style
description: Our team's rules.
rules:
  - code: ACME101
    name: internal-hostname
    kind: regex
    family: pii
    severity: error
    summary: An internal hostname leaked into the data.
    pattern: "\\\\b[a-z0-9-]+\\\\.corp\\\\.acme\\\\.net\\\\b"
    message: "internal hostname {match}"
  - code: ACME102
    name: answer-too-long
    kind: length-range
    parts: [output]
    max: 60
    summary: Answers stay short in this dataset.
  - code: ACME103
    name: source-required
    kind: required-field
    field: /source
    summary: Every row names its source.
  - code: ACME104
    name: known-language
    kind: allowed-values
    field: /lang
    values: [en, de]
    summary: Only English and German.
"""


def rec(data: dict, fmt: str = "openai-chat") -> Record:
    return Record(file="train.jsonl", line=1, index=0, data=data, split="train", format=make_format(fmt))


def run(pack_path: Path, data: dict, enabled: frozenset[str] | None = None) -> list[tuple[str, str | None, str]]:
    check = PackCheck(load_pack(pack_path, "pack.yaml"), CheckContext(enabled=enabled))
    return [(f.rule, f.location.field, f.message) for f in check.check(rec(data))]


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(PACK)
    return path


def test_each_rule_kind_fires(pack: Path) -> None:
    data = {
        "messages": [
            {"role": "user", "content": "Why can't I reach build-07.corp.acme.net from home?"},
            {"role": "assistant", "content": "The build farm is only reachable over the VPN; connect to it first, then retry the build."},
        ],
        "lang": "fr",
    }
    found = run(pack, data)
    assert found == [
        ("ACME101", "/messages/0/content", "internal hostname 'build-07.corp.acme.net'"),
        ("ACME102", "/messages/1/content", "assistant text has 89 characters (max 60)"),
        ("ACME103", "/source", "required field /source is missing or empty"),
        ("ACME104", "/lang", "/lang is 'fr', not one of the allowed values"),
    ]


def test_clean_record_passes(pack: Path) -> None:
    data = {
        "messages": [{"role": "user", "content": "Is the VPN required?"}, {"role": "assistant", "content": "Yes, for the build farm."}],
        "source": "helpdesk",
        "lang": "en",
    }
    assert run(pack, data) == []


def test_disabled_rules_do_no_work(pack: Path) -> None:
    data = {"messages": [{"role": "assistant", "content": "x" * 100}]}
    assert [r for r, _, _ in run(pack, data, enabled=frozenset({"ACME102"}))] == ["ACME102"]


def test_rule_metadata_comes_from_the_pack(pack: Path) -> None:
    rules = {p.rule.code: p.rule for p in load_pack(pack, "pack.yaml")}
    assert rules["ACME101"].family == "pii"
    assert rules["ACME101"].severity.value == "error"
    assert rules["ACME102"].severity.value == "warning"  # the default for pack rules
    assert rules["ACME101"].origin == "pack.yaml"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("pack: p\nrules:\n  - code: X101\n    name: a-b\n    kind: regexp\n    summary: s\n    pattern: x\n", r"unknown rule kind 'regexp' in rule pack at pack.yaml:3; did you mean 'regex'\?"),
        ("pack: p\nrules:\n  - code: X101\n    name: a-b\n    kind: regex\n    summary: s\n    pattern: x\n    colour: red\n", r"unknown key 'colour' in rule pack at pack.yaml:8"),
        ("pack: p\nrules:\n  - code: X101\n    name: a-b\n    kind: regex\n    summary: s\n    pattern: '(unclosed'\n", r"invalid rule in pack at pack.yaml:3: missing \), unterminated subpattern"),
        ("pack: p\nrules:\n  - code: x-101\n    name: a-b\n    kind: regex\n    summary: s\n    pattern: x\n", r"invalid rule in pack at pack.yaml:3: rule code 'x-101' must look like DS101"),
        ("pack: p\nrules:\n  - code: X101\n    name: a-b\n    kind: regex\n    summary: s\n    pattern: x\n    roles: [bot]\n", r"invalid rule pack at pack.yaml:8"),
    ],
)
def test_pack_errors_name_file_and_line(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=error):
        load_pack(path, "pack.yaml")


MORE = r"""
  - code: ACME105
    name: tripled-letter
    kind: regex
    parts: [output]
    summary: A letter three times over (a backreference, which RE2 cannot take).
    pattern: '([a-z])\1\1'
  - code: ACME106
    name: shouting
    kind: regex
    parts: [output]
    summary: Shouted words.
    pattern: '\b[A-Z]{5,}\b'
  - code: ACME107
    name: apology
    kind: regex
    parts: [output]
    ignore-case: true
    summary: An apology.
    pattern: 'sorry'
  - code: ACME108
    name: user-apology
    kind: regex
    roles: [user]
    summary: The user apologises.
    pattern: '[Ss]orry'
"""


@pytest.mark.parametrize("enabled", [None, frozenset({"ACME106", "ACME108"})])
def test_the_batch_path_finds_what_the_per_record_path_finds(tmp_path: Path, enabled: frozenset[str] | None) -> None:
    """Regex rules that look at the same fields share one pass, a rule RE2 cannot take (a
    backreference) included, searched with Python; other kinds go record by record."""
    path = tmp_path / "pack.yaml"
    path.write_text(PACK + MORE)
    check = PackCheck(load_pack(path, "pack.yaml"), CheckContext(enabled=enabled))
    turns = [
        ("Sorry, where is build-07.corp.acme.net?", "It is down. SORRY about that, the VPN is required."),
        ("Is it up?", "Yesss, it is back."),
        ("sorry to ask again", "Ask away: Sorry for the noise earlier. SORRY."),
        ("Thanks!", "You are welcome."),
    ] * 5
    records = [
        Record(file="train.jsonl", line=i + 1, index=i, data={"messages": [{"role": "user", "content": u}, {"role": "assistant", "content": a}]},
               split="train", format=make_format("openai-chat"))
        for i, (u, a) in enumerate(turns)
    ]  # fmt: skip
    per_record = sorted(f.sort_key() for r in records for f in check.check(r))
    assert len(per_record) >= (60 if enabled is None else 20)
    assert sorted(f.sort_key() for f in check.check_batch(Batch(records))) == per_record
