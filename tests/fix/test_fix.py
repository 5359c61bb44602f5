"""`dslint fix` and `dslint.fix()`: each fix on realistic records, byte-identity of untouched
lines, the change log, selection, safety, idempotence and determinism, end to end."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dslint
from dslint.registry import load_registry


def chat(user: str, assistant: str) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


def write_lines(path: Path, lines: list[str | dict], newline: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join((json.dumps(x) if isinstance(x, dict) else x) + newline for x in lines)
    path.write_bytes(text.encode("utf-8"))
    return path


def log_entries(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / ".dslint" / "fixes.jsonl").read_text().splitlines()]


def contents(path: Path) -> list[str]:
    return [m["content"] for line in path.read_text().splitlines() if line.strip() for m in json.loads(line)["messages"]]


def test_untouched_lines_keep_their_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # Four serialisation styles, CRLF endings, a blank line: only the BOM record is re-serialised.
    lines = [
        json.dumps(chat("Translate 'chat' to English.", "Cat.")),
        json.dumps(chat("Ünïcode?", "Ja, natürlich."), ensure_ascii=False, separators=(",", ":")),
        "",
        json.dumps(chat("Spaced\ufeff out", "Indeed."), ensure_ascii=False),
        '{"messages":[{"role":"user","content":"http:\\/\\/example.com"},{"role":"assistant","content":"A URL."}]}',
    ]
    src = write_lines(tmp_path / "data" / "train.jsonl", lines, newline="\r\n")
    summary = dslint.fix(["data"], "clean")
    out = (tmp_path / "clean" / "train.jsonl").read_bytes().split(b"\r\n")
    before = src.read_bytes().split(b"\r\n")
    assert [i for i, (a, b) in enumerate(zip(before, out)) if a != b] == [3]
    assert len(out) == len(before)
    # The rewritten line keeps its style: spaced separators, non-ASCII as is.
    assert out[3].decode() == json.dumps(chat("Spaced out", "Indeed."), ensure_ascii=False)
    assert summary.rewritten == {"DS605": 1}
    [entry] = log_entries(tmp_path / "clean")
    assert entry | {"before": "", "after": ""} == {
        "file": "data/train.jsonl", "line": 4, "record": 2, "rule": "DS605", "name": "byte-order-mark",
        "action": "rewrite", "field": "/messages/0/content", "before": "", "after": "", "pass": 1,
    }
    assert entry["before"] != entry["after"]


def test_safe_text_rewrites_and_unsafe_ones_held_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_lines(tmp_path / "train.jsonl", [
        chat("Build log?", "Build finished \u001b[32mOK\u001b[0m"),  # DS603 ANSI colours
        chat("Spell it", "pass\u200bword"),  # DS606 zero-width space between Latin letters
        chat("Review this", "access = 1 \u202e } \u2066// admin"),  # DS607 Trojan Source
        chat("Caf\u0065\u0301?", "Oui."),  # DS608 decomposed é
        chat("Where?", "The cafÃ© opens at 8."),  # DS601 mojibake: unsafe
        chat("Where?", "The cafÃ© opens at 8."),  # DS201 duplicate: unsafe
        chat("Keep the family emoji", "👨\u200d👩\u200d👧 and کتاب\u200cها"),  # legitimate joiners
    ])
    summary = dslint.fix(["train.jsonl"], "out")
    texts = contents(tmp_path / "out" / "train.jsonl")
    assert texts[1] == "Build finished OK"
    assert texts[3] == "password"
    assert texts[5] == "access = 1  } // admin"
    assert texts[6] == "Caf\u00e9?"
    assert texts[9] == "The cafÃ© opens at 8."  # mojibake needs --unsafe-fixes
    assert texts[13] == "👨\u200d👩\u200d👧 and کتاب\u200cها"
    assert summary.records_out == 7
    assert summary.unsafe_available == {"DS201": 1, "DS601": 2}
    assert "more fixes are available with --unsafe-fixes" in summary.to_text()


def test_unsafe_drops_keep_the_first_occurrence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    first = chat("What is the boiling point of water?", "100 °C at sea level.")
    write_lines(tmp_path / "train.jsonl", [
        first,
        chat("Name a prime number.", "Seven."),
        first,  # DS201
        chat("what is the boiling point of water", "100 °C at sea level"),  # DS202
        '{"messages": [{"role": "user", "content": "cut',  # DS101
        "[1, 2, 3]",  # DS103
        {"messages": [{"role": "user", "content": "No answer here"}]},  # DS109
    ])
    summary = dslint.fix(["train.jsonl"], "out", unsafe_fixes=True)
    kept = (tmp_path / "out" / "train.jsonl").read_text().splitlines()
    assert [json.loads(x) for x in kept] == [first, chat("Name a prime number.", "Seven.")]
    assert summary.dropped == {"DS101": 1, "DS103": 1, "DS109": 1, "DS201": 1, "DS202": 1}
    assert summary.to_text().startswith("5 records in, 2 kept, 3 dropped, 0 rewritten; 2 unreadable lines dropped (1 pass)")
    assert [(e["line"], e["rule"]) for e in log_entries(tmp_path / "out")] == [
        (3, "DS201"), (4, "DS202"), (5, "DS101"), (6, "DS103"), (7, "DS109")
    ]


@pytest.mark.parametrize("side, train_left, test_left", [("train", 1, 2), ("eval", 2, 1)])
def test_leaks_are_dropped_from_the_side_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, side: str, train_left: int, test_left: int) -> None:
    monkeypatch.chdir(tmp_path)
    leaked = chat("Translate 'merci' to English.", "Thank you.")
    write_lines(tmp_path / "data" / "train.jsonl", [leaked, chat("Translate 'chien'.", "Dog.")])
    write_lines(tmp_path / "data" / "test.jsonl", [chat("Translate 'chat'.", "Cat."), leaked])
    summary = dslint.fix(["data"], "out", unsafe_fixes=True, drop_leaked=side)  # type: ignore[arg-type]
    assert len((tmp_path / "out" / "train.jsonl").read_text().splitlines()) == train_left
    assert len((tmp_path / "out" / "test.jsonl").read_text().splitlines()) == test_left
    [entry] = summary.changes
    assert (entry.file, entry.rule) == (f"data/{'train' if side == 'train' else 'test'}.jsonl", "DS301")


def test_pii_is_redacted_with_typed_placeholders_and_never_logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli) -> None:
    monkeypatch.chdir(tmp_path)
    secret = "q8Zr2LwP0xVn7TfKc4YmHs9BdJ6uGe1A"
    write_lines(tmp_path / "train.jsonl", [
        chat("Who do I email?", "Write to maria.gonzalez@gmail.com or maria.gonzalez@gmail.com."),
        chat("Card on file?", "Charge 4111 1111 1111 1111 please."),
        chat("Push it", f'Set client_secret = "{secret}" in the config.'),
    ])
    result = cli("fix", "train.jsonl", "-o", "out", "--unsafe-fixes")
    assert result.code == 0
    texts = contents(tmp_path / "out" / "train.jsonl")
    assert texts[1] == "Write to <EMAIL> or <EMAIL>."
    assert texts[3] == "Charge <CARD> please."
    assert texts[5] == 'Set client_secret = "<SECRET>" in the config.'
    log = (tmp_path / "out" / ".dslint" / "fixes.jsonl").read_text()
    for raw in ("maria.gonzalez", "4111", secret):
        assert raw not in log and raw not in result.out
    assert cli("check", "out", "--select", "DS5", "--format", "concise").code == 0


def test_empty_input_markers_become_empty_strings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    rows = [
        {"instruction": "Give three tips for staying healthy.", "input": "<noinput>", "output": "Eat well, sleep, move."},
        {"instruction": "Summarise the text.", "input": "N/A", "output": "There is no text to summarise."},
        {"instruction": "Add the numbers.", "input": "2, 3", "output": "5"},
    ]
    write_lines(tmp_path / "alpaca.jsonl", rows)
    summary = dslint.fix(["alpaca.jsonl"], "out")
    out = [json.loads(x) for x in (tmp_path / "out" / "alpaca.jsonl").read_text().splitlines()]
    assert [r["input"] for r in out] == ["", "", "2, 3"]
    assert summary.rewritten == {"DS805": 2}


def test_selection_and_config_switch_fixes_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_lines(tmp_path / "train.jsonl", [chat("Hi\ufeff", "Cafe\u0301.")])
    assert dslint.fix(["train.jsonl"], "a", select=["DS605"]).rewritten == {"DS605": 1}
    assert dslint.fix(["train.jsonl"], "b", ignore=["DS605"]).rewritten == {"DS608": 1}
    (tmp_path / "dslint.yaml").write_text("rules:\n  not-nfc:\n    fix: false\n")
    assert dslint.fix(["train.jsonl"], "c").rewritten == {"DS605": 1}


def test_gzip_is_kept_and_output_identical_for_any_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    rows = [chat(f"Question {i}\ufeff", f"Answer {i % 7}") for i in range(40)] + [chat("Question 1\ufeff", "Answer 1")]
    (tmp_path / "data").mkdir()
    with gzip.open(tmp_path / "data" / "train.jsonl.gz", "wt") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    dslint.fix(["data"], "one", unsafe_fixes=True, jobs=1)
    dslint.fix(["data"], "two", unsafe_fixes=True, jobs=2)
    dslint.fix(["data"], "pool", unsafe_fixes=True, jobs=2, executor="pool")
    one = (tmp_path / "one" / "train.jsonl.gz").read_bytes()
    assert one == (tmp_path / "two" / "train.jsonl.gz").read_bytes() == (tmp_path / "pool" / "train.jsonl.gz").read_bytes()
    assert len(gzip.decompress(one).splitlines()) == 40


def test_in_place_replaces_only_changed_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    dirty = write_lines(tmp_path / "data" / "train.jsonl", [chat("Hi\ufeff", "Hello.")])
    clean = write_lines(tmp_path / "data" / "test.jsonl", [chat("Bye", "Goodbye.")])
    # DS805 on a required field: an edit is computed, but the fix leaves required fields alone.
    unfixable = write_lines(tmp_path / "data" / "validation.jsonl", [{"instruction": "N/A", "input": "", "output": "Sure."}])
    inodes = {p: p.stat().st_ino for p in (clean, unfixable)}
    summary = dslint.fix(["data"], in_place=True)
    assert contents(dirty) == ["Hi", "Hello."]
    assert {p: p.stat().st_ino for p in (clean, unfixable)} == inodes
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [".dslint", "test.jsonl", "train.jsonl", "validation.jsonl"]
    assert summary.remaining == {"DS805": 1} and "still found after fixing: DS805 (1)" in summary.to_text()
    assert len(log_entries(tmp_path / "data")) == 1


def test_bad_invocations_exit_2_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli) -> None:
    write_lines(tmp_path / "train.jsonl", [chat("Hi", "Hello.")])
    no_target = cli("fix", "train.jsonl", cwd=tmp_path)
    assert no_target.code == 2 and "--output-dir" in no_target.err
    onto_itself = cli("fix", "train.jsonl", "-o", ".", cwd=tmp_path)
    assert onto_itself.code == 2 and "overwrite the input" in onto_itself.err
    assert cli("fix", "-", "-o", "out", cwd=tmp_path).code == 2
    assert cli("fix", "train.jsonl", "-o", "x", "--in-place", cwd=tmp_path).code == 2
    no_ray = cli("fix", "train.jsonl", "-o", "x", "--ray-address", "localhost:1", cwd=tmp_path)
    assert no_ray.code == 2 and no_ray.err == "dslint: error: --ray-address needs --executor ray (see dslint --help)\n"


def test_last_runs_output_inside_the_input_folder_is_not_fixed_again(tmp_path: Path, cli) -> None:
    write_lines(tmp_path / "train.jsonl", [chat("Hi\ufeff", "Hello.")])
    assert cli("fix", ".", "-o", "clean", cwd=tmp_path).code == 0
    again = cli("fix", ".", "-o", "clean", cwd=tmp_path)
    assert again.code == 0 and "1 record in" in again.out
    assert not (tmp_path / "clean" / "clean").exists()


def test_end_to_end_check_fails_fix_then_check_passes(tmp_path: Path, cli) -> None:
    data = tmp_path / "data"
    write_lines(data / "train.jsonl", [
        chat("Summarise: the meeting moved to Friday.", "The meeting is now on Friday."),
        chat("Summarise: the meeting moved to Friday.", "The meeting is now on Friday."),
        chat("Contact?", "Mail jonas.keller@web.de\u202e today"),
        chat("Translate 'gracias'.", "Thank you."),
        "{not json",
    ])
    write_lines(data / "validation.jsonl", [chat("Translate 'gracias'.", "Thank you."), chat("Translate 'adios'.", "Goodbye.")])
    fixed = "DS101,DS201,DS301,DS501,DS607"
    before = cli("check", "data", "--select", fixed, "--format", "json", cwd=tmp_path)
    assert before.code == 1
    assert {f["rule"] for f in before.json()["findings"]} == set(fixed.split(","))
    assert cli("fix", "data", "-o", "clean", "--unsafe-fixes", cwd=tmp_path).code == 0
    after = cli("check", "clean", "--select", fixed, "--format", "json", cwd=tmp_path)
    assert after.code == 0 and after.json()["findings"] == []
    again = cli("fix", "clean", "-o", "clean2", "--unsafe-fixes", cwd=tmp_path)
    assert "0 dropped, 0 rewritten" in again.out
    for name in ("train.jsonl", "validation.jsonl"):
        assert (tmp_path / "clean" / name).read_bytes() == (tmp_path / "clean2" / name).read_bytes()


def test_rule_docs_say_what_the_fix_does(cli) -> None:
    page = cli("rule", "DS201")
    assert "Fix (unsafe; runs with `dslint fix --unsafe-fixes`): Drops the copy" in page.out
    assert "Fix (safe; runs with `dslint fix`): Normalises the text to NFC." in cli("rule", "not-nfc").out
    listed = {r["code"]: r["fix"] for r in json.loads(cli("rules", "--format", "json").out)}
    assert listed["DS605"] == {"action": "rewrite-field", "applicability": "safe", "does": "Removes the U+FEFF characters."}
    assert listed["DS204"] is None
    registry_rules = load_registry().rules
    assert all(r.fix.does.endswith(".") for r in registry_rules.values() if r.fix is not None)


# Text defects the fixes repair, planted at random into realistic answers.
_DEFECTS = st.sampled_from(["", "\ufeff", "\u200b", "\u202e", "e\u0301", "\u001b[1m", "Ã©", "\x07"])
_ROWS = st.lists(
    st.tuples(st.sampled_from(["How do I boil an egg?", "Capital of Peru?", "Say hi"]), _DEFECTS, st.sampled_from(["Lima.", "Boil it 8 minutes.", "Hi!"])),
    min_size=1,
    max_size=12,
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_ROWS)
def test_fix_is_idempotent_and_deterministic(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str, str]]) -> None:
    root = tmp_path_factory.mktemp("prop")
    records = [chat(q, f"{a[:2]}{d}{a[2:]}") for q, d, a in rows]
    write_lines(root / "data" / "train.jsonl", records[::2])
    write_lines(root / "data" / "test.jsonl", records[1::2] or [chat("Spare", "Row.")])  # two files: a real pool
    first = dslint.fix([str(root / "data")], root / "one", unsafe_fixes=True, jobs=1)
    twice = dslint.fix([str(root / "one")], root / "two", unsafe_fixes=True, jobs=1)
    dslint.fix([str(root / "data")], root / "par", unsafe_fixes=True, jobs=2)
    assert not twice.changed, twice.changes
    assert not first.remaining
    for name in ("train.jsonl", "test.jsonl"):
        out = (root / "one" / name).read_bytes()
        assert out == (root / "two" / name).read_bytes() == (root / "par" / name).read_bytes()


def test_readme_fix_table_is_generated_from_rule_metadata() -> None:
    from dslint.docs import FIX_END, FIX_START, fix_table

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split(FIX_START, 1)[1].split(FIX_END, 1)[0].strip()
    assert table == fix_table(load_registry().rules.values()), "stale: run `python -m dslint.docs`"


def test_diff_shows_rewrites_redacted_and_escaped(tmp_path: Path, cli) -> None:
    write_lines(tmp_path / "train.jsonl", [
        chat("Reach me\u200b", "Sure: pay with 4111 1111 1111 1111 or write to jonas.keller@web.de\nBye\u001b[2J"),
        chat("Unchanged", "Fine."),
    ])
    result = cli("fix", "train.jsonl", "-o", "out", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert result.code == 0
    assert "--- a/train.jsonl:1 /messages/0/content (DS606)" in result.out
    assert "-Reach me\\u200b\n+Reach me" in result.out
    assert "+Sure: pay with <CARD> or write to <EMAIL>" in result.out
    assert "+Bye" in result.out and "\x1b" not in result.out
    for raw in ("4111 1111 1111 1111", "jonas.keller"):  # masks keep at most 4+4 digits
        assert raw not in result.out
    assert "Unchanged" not in result.out


def test_mojibake_is_repaired_only_with_unsafe_fixes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_lines(tmp_path / "train.jsonl", [
        chat("Wo ist das CafÃ©?", "Gleich um die Ecke, neben der BÃ¤ckerei."),
        chat("Quote?", "He said \u0093hello\u0094 twice."),  # windows-1252 quotes read as latin-1
    ])
    assert contents(tmp_path / "train.jsonl")[0] == "Wo ist das CafÃ©?"
    safe = dslint.fix(["train.jsonl"], "safe")
    # DS603 holds back on C1 controls that are mojibake: removing them would lose the quotes.
    assert contents(tmp_path / "safe" / "train.jsonl")[3] == "He said \u0093hello\u0094 twice."
    assert safe.unsafe_available == {"DS601": 3}
    dslint.fix(["train.jsonl"], "unsafe", unsafe_fixes=True)
    assert contents(tmp_path / "unsafe" / "train.jsonl") == [
        "Wo ist das Café?", "Gleich um die Ecke, neben der Bäckerei.", "Quote?", "He said \u201chello\u201d twice."
    ]


def _pair(prompt: str, chosen: str | None, rejected: str) -> dict:
    return {"prompt": prompt, "chosen": chosen, "rejected": rejected}


def test_schema_invalid_and_near_duplicate_records_are_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    story = (
        "Once upon a time a small fox lived at the edge of a quiet forest, where every morning it walked to "
        "the river to drink and watch the herons fish among the reeds until the sun was high"
    )
    write_lines(tmp_path / "prefs.jsonl", [
        _pair("Tell me a story.", story + ".", "No."),
        _pair("Tell me a story.", story + " again.", "No."),  # DS203
        _pair("Summarise the plot of Hamlet.", None, "A prince hesitates."),  # DS105: chosen is null
        {"prompt": "What is 2+2?", "rejected": "5"},  # DS104/DS114: no chosen answer
        _pair("Name a planet.", "Mars.", "A banana."),
    ])
    summary = dslint.fix(["prefs.jsonl"], "out", unsafe_fixes=True, select=["DS1", "DS2"])
    kept = [json.loads(x)["prompt"] for x in (tmp_path / "out" / "prefs.jsonl").read_text().splitlines()]
    assert kept == ["Tell me a story.", "Name a planet."]
    assert "DS203" in summary.dropped and sum(summary.dropped.values()) == 3


def test_hostile_names_and_unreadable_files(tmp_path: Path, cli) -> None:
    evil = "evil\x1b[31m\u202e.jsonl"
    write_lines(tmp_path / evil, [chat("Hi\ufeff", "Hello.")])
    body = b"".join(json.dumps(chat(f"Hi {i}", "Hello.")).encode() + b"\n" for i in range(300))
    packed = gzip.compress(body)
    (tmp_path / "cut.jsonl.gz").write_bytes(packed[: len(packed) // 2])  # a truncated download
    (tmp_path / "zip.jsonl").write_bytes(b"PK\x03\x04" + bytes(range(256)))
    (tmp_path / evil).chmod(0o640)
    result = cli("fix", ".", "-o", "out", "--diff", cwd=tmp_path)
    assert result.code == 0
    assert "\x1b" not in result.out and "\u202e" not in result.out
    assert "evil\\x1b[31m\\u202e.jsonl:1" in result.out
    assert "left unchanged, not readable: cut.jsonl.gz" in result.out
    for name in ("cut.jsonl.gz", "zip.jsonl"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / name).read_bytes()
    assert (tmp_path / "out" / evil).stat().st_mode & 0o777 == 0o640
    assert contents(tmp_path / "out" / evil) == ["Hi", "Hello."]


def test_in_place_keeps_permissions(tmp_path: Path) -> None:
    data = write_lines(tmp_path / "train.jsonl", [chat("Hi\ufeff", "Hello.")])
    data.chmod(0o644)
    summary = dslint.fix([str(data)], in_place=True)
    assert contents(data) == ["Hi", "Hello."]
    assert data.stat().st_mode & 0o777 == 0o644
    assert Path(summary.log) == tmp_path / ".dslint" / "fixes.jsonl" and len(log_entries(tmp_path)) == 1


_PIECES = [*"abc déf ÅΩ中\t\\\"/", "\ufeff", "\u200b", "e\u0301", "\u202e", "\x07"]
_TEXT = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12).map("".join)
_STYLES = [
    lambda r: json.dumps(r),
    lambda r: json.dumps(r, ensure_ascii=False),
    lambda r: json.dumps(r, separators=(",", ":")),
    lambda r: json.dumps(r, ensure_ascii=False, separators=(",", ":"), indent=None),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(_TEXT, _TEXT, st.sampled_from(range(len(_STYLES))), st.sampled_from(["\n", "\r\n"])), min_size=1, max_size=10))
def test_only_lines_with_findings_change(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str, int, str]]) -> None:
    root = tmp_path_factory.mktemp("bytes")
    lines = [(_STYLES[style](chat("Q: " + user, "A: " + answer)) + end).encode() for user, answer, style, end in rows]
    (root / "train.jsonl").write_bytes(b"".join(lines))
    fixable = [code for code, rule in load_registry().rules.items() if rule.fix is not None and rule.fix.safe]
    flagged = {f.location.record for f in dslint.lint([str(root / "train.jsonl")], select=fixable, fail_on="never").findings if f.location}
    dslint.fix([str(root / "train.jsonl")], root / "out", select=fixable)
    out = (root / "out" / "train.jsonl").read_bytes().splitlines(keepends=True)
    assert len(out) == len(lines)  # safe fixes never drop a record
    for index, (before, after) in enumerate(zip(lines, out)):
        if index not in flagged:
            assert before == after
        else:
            assert after.endswith(before[-2:] if before.endswith(b"\r\n") else b"\n")


def test_a_plugin_rule_declares_a_drop_fix(tmp_path: Path, cli) -> None:
    (tmp_path / "checks.py").write_text(
        "from dslint import Fix, RecordCheck, Rule, Severity\n"
        "TODO = Rule('ACME201', 'todo-in-answer', 'content', Severity.ERROR, 'record', 'An answer contains TODO.',\n"
        "            'What it does: x\\n\\nWhy it matters: x\\n\\nExample: x\\n\\nOptions: none.',\n"
        "            fix=Fix('drop-record', safe=False, does='Drops the record.'))\n"
        "class NoTodo(RecordCheck):\n"
        "    rules = (TODO,)\n"
        "    def check(self, record):\n"
        "        for f in record.fields:\n"
        "            if f.learned and 'TODO' in f.text:\n"
        "                yield TODO.at(record, 'answer contains TODO', field=f.pointer)\n"
        "CHECKS = [NoTodo]\n"
    )
    (tmp_path / "dslint.yaml").write_text("plugins: [checks.py]\n")
    write_lines(tmp_path / "data" / "train.jsonl", [chat("Write the intro.", "TODO: write intro"), chat("Hi", "Hello.")])
    assert "1 more fix is available with --unsafe-fixes (ACME201)" in cli("fix", "data", "-o", "safe", "--allow-plugins", cwd=tmp_path).out
    assert cli("fix", "data", "-o", "out", "--unsafe-fixes", "--allow-plugins", cwd=tmp_path).code == 0
    assert contents(tmp_path / "out" / "train.jsonl") == ["Hi", "Hello."]


def test_sharded_lint_gives_the_same_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dslint.engine

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(dslint.engine, "SHARD_MIN_BYTES", 4 * 1024)  # split the file into byte ranges
    rows = [chat(f"Question {i}: what is {i} squared?", f"{i * i}.{chr(0xFEFF) if i % 9 == 0 else ''}") for i in range(300)]
    write_lines(tmp_path / "data" / "train.jsonl", rows + rows[:40:7])
    write_lines(tmp_path / "data" / "test.jsonl", [chat("Capital of Peru?", "Lima."), *rows[100:103]])
    one = dslint.fix(["data"], "one", unsafe_fixes=True, jobs=1)
    three = dslint.fix(["data"], "three", unsafe_fixes=True, jobs=3)
    assert one.dropped == three.dropped == {"DS201": 6, "DS301": 3}
    for name in ("train.jsonl", "test.jsonl", ".dslint/fixes.jsonl"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "three" / name).read_bytes()
