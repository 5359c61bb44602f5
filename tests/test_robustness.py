"""Robustness: bad input is a finding or a one-line `dslint: error:` with exit 2, never a
traceback or a hang; the same data gives the same report whatever `--jobs`; record text reaches
terminals and CI logs escaped and redacted.
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import xml.dom.minidom
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from conftest import CLEAN_CHATS, chat, write_jsonl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dslint
from dslint.registry import load_registry
from dslint.redact import printable
from dslint.report import RENDERERS, RenderOptions, render
from dslint.yamlpos import ConfigError

# ---------------------------------------------------------------------------------------------
# helpers


def assert_clean_exit(res: Any) -> dict | None:
    """A run ended the way the product promises: 0/1 with a report, or 2 with one error line.

    Returns the parsed JSON report when the run produced one (``--format json``)."""
    err = res.err if hasattr(res, "err") else res.stderr
    out = res.out if hasattr(res, "out") else res.stdout
    code = res.code if hasattr(res, "code") else res.returncode
    assert "Traceback" not in err, err
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("dslint: error: "), err
        return None
    assert code in (0, 1), (code, err)
    assert err.strip() == "", err
    return json.loads(out) if out.lstrip().startswith("{") else None


def run_dslint(*args: str, cwd: Path, stdin: bytes | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess (for stdin, hangs and process-level failures)."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "FORCE_COLOR")}
    env["NO_COLOR"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "dslint", *args],
        check=False,
        cwd=cwd,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=timeout,
        env=env,
    )
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


def rules_by_file(report: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in report["findings"]:
        if f["location"]:
            out.setdefault(f["location"]["file"], set()).add(f["rule"])
    return out


def gz(data: bytes) -> bytes:
    return gzip.compress(data)


def zst(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


CHAT_LINE = json.dumps(chat("What is the boiling point of water at sea level?", "100 °C (212 °F) at standard pressure."))
TWO_CHATS = (CHAT_LINE + "\n" + json.dumps(CLEAN_CHATS[1]) + "\n").encode()
GOOD_PARQUET = parquet_bytes(pa.table({"text": ["The plot was gripping.", "Too long and dull."], "label": ["positive", "negative"]}))

# ---------------------------------------------------------------------------------------------
# malformed files: each becomes a finding on its own file, and the other files are still read

MALFORMED: dict[str, tuple[bytes, str]] = {
    "truncated.jsonl": (CHAT_LINE[:-20].encode() + b"\n", "DS101"),
    "garbage.jsonl": (bytes(range(256)) * 8, "DS100"),
    "latin1.jsonl": ('{"text": "Café crème, s\'il vous plaît"}\n'.encode("latin-1"), "DS102"),
    "array_line.jsonl": (b'["user", "Hi there"]\n' + CHAT_LINE.encode() + b"\n", "DS103"),
    "nan.jsonl": (b'{"text": "A fine film.", "label": NaN}\n', "DS101"),
    "overflow.jsonl": (b'{"text": "A fine film.", "score": 1e400}\n', "DS101"),
    "deep_array.jsonl": (b"[" * 100_000 + b"]" * 100_000 + b"\n", "DS101"),
    "deep_object.jsonl": (b'{"a":' * 20_000 + b"1" + b"}" * 20_000 + b"\n", "DS101"),
    "truncated.json": (b'[{"messages": [{"role": "user", "content": "Hi', "DS100"),
    "deep.json": (b"[" * 100_000 + b"]" * 100_000, "DS100"),
    "scalar.json": (b"42", "DS100"),
    "two_lists.json": (b'{"train": [], "test": []}', "DS100"),
    "utf16.jsonl": ('{"text": "hello"}\n'.encode("utf-16"), "DS100"),
    "ragged.csv": (b"text,label\nThe acting was superb,positive,extra\n", "DS101"),
    "ragged.tsv": (b"text\tlabel\nDull and slow\n", "DS101"),
    "bad_header.csv": (b"t\xffext,label\nhello,positive\n", "DS100"),
    "garbage.parquet": (b"PAR1" + os.urandom(64) + b"PAR1", "DS100"),
    "truncated.parquet": (GOOD_PARQUET[: len(GOOD_PARQUET) // 2], "DS100"),
    "truncated.jsonl.gz": (gz(TWO_CHATS * 50)[:-30], "DS100"),
    "notgzip.jsonl.gz": (TWO_CHATS, "DS100"),
    "truncated.jsonl.zst": (zst(TWO_CHATS * 50)[:-10], "DS100"),
    "garbage.csv.zst": (b"\x28\xb5\x2f\xfd" + b"\x00" * 40, "DS100"),
}


def test_malformed_files_of_every_kind_are_findings_not_errors(cli, tmp_path: Path) -> None:
    for name, (data, _) in MALFORMED.items():
        (tmp_path / name).write_bytes(data)
    write_jsonl(tmp_path / "good_train.jsonl", CLEAN_CHATS)
    res = cli("check", ".", "--format", "json", cwd=tmp_path)
    report = assert_clean_exit(res)
    assert res.code == 1 and report is not None
    found = rules_by_file(report)
    for name, (_, rule) in MALFORMED.items():
        assert rule in found.get(name, set()), (name, found.get(name))
    # Reading went on: the good file's records all arrived.
    details = {d["path"]: d for d in report["summary"]["file_details"]}
    assert details["good_train.jsonl"]["records"] == len(CLEAN_CHATS)
    assert "good_train.jsonl" not in found


def test_partially_readable_compressed_file_keeps_the_records_before_the_damage(tmp_path: Path) -> None:
    lines = [json.dumps(chat(f"Question {i}: what is {i} squared?", f"{i} squared is {i * i}.")) for i in range(2000)]
    blob = gz(("\n".join(lines) + "\n").encode())
    (tmp_path / "train.jsonl.gz").write_bytes(blob[: len(blob) - 200])
    report = dslint.lint([str(tmp_path)], select=["DS1"])
    ds100 = [f for f in report.findings if f.rule == "DS100"]
    assert len(ds100) == 1 and "truncated" in ds100[0].message
    assert 1000 < report.summary.records < 2000


# ---------------------------------------------------------------------------------------------
# records with the wrong type anywhere: findings, never a crashed check, no record lost

TEMPLATES: dict[str, dict[str, Any]] = {
    "chat": {
        "messages": [
            {"role": "system", "content": "You are a travel assistant."},
            {"role": "user", "content": "What's the weather in Lisbon?"},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Lisbon\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp_c\": 21, \"sky\": \"clear\"}"},
            {"role": "assistant", "content": "It's 21 °C and clear in Lisbon.", "weight": 1},
        ],
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
    },
    "sharegpt": {"system": "Answer briefly.", "conversations": [{"from": "human", "value": "Translate 'cat' to German."}, {"from": "gpt", "value": "Katze."}]},
    "alpaca": {"instruction": "Summarise the review.", "input": "Great battery, weak camera.", "output": "Good battery life but a disappointing camera."},
    "preference": {"prompt": "Write a haiku about rain.", "chosen": "Soft rain on the roof / the gutters hum their old song / tea steams by the glass", "rejected": "Rain is wet."},
    "preference_chat": {
        "chosen": [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello! How can I help today?"}],
        "rejected": [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "What."}],
    },
    "kto": {"prompt": "Name a prime number.", "completion": "7 is prime.", "label": True},
    "classification": {"text": "The acting was wooden and the plot predictable.", "label": "negative", "annotator": "ann_03"},
}
WEIRD_VALUES: list[Any] = [
    None, 0, -1, 2.5, 2**70, True, "", "   ", [], {}, [1, 2], ["text"], [{"text": "part"}],
    {"role": "user"}, {"nested": {"deeper": [None]}}, "\x00\x1b[2J\u202e", "a" * 3000, 1e308,
]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _mutations(template: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path in _paths(template)[1:]:
        for weird in WEIRD_VALUES:
            rec = copy.deepcopy(template)
            node = rec
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = weird
            out.append(rec)
        rec = copy.deepcopy(template)
        node = rec
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        out.append(rec)
    return out


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_wrong_types_in_every_field_are_findings(tmp_path: Path, kind: str) -> None:
    rows = [TEMPLATES[kind]] * 5 + _mutations(TEMPLATES[kind])
    write_jsonl(tmp_path / "train.jsonl", rows)
    write_jsonl(tmp_path / "test.jsonl", rows[:40])
    report = dslint.lint([str(tmp_path)], select=["ALL"])  # a crashed check raises CheckCrashed
    assert report.summary.records == len(rows) + 40  # nothing silently dropped
    assert not report.passed
    report.to_json()


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["", "user", "assistant", "tool", "gpt", "human", "As an AI language model, I can't.", "mail me: jo@example.com", "\u202e\x1b[31m", "e\u0301"]
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)
_KEYS = st.sampled_from(["messages", "role", "content", "conversations", "from", "value", "instruction", "input", "output", "prompt", "chosen", "rejected", "completion", "label", "text", "tool_calls", "tool_call_id"])


@st.composite
def _records(draw: st.DrawFn) -> dict[str, Any]:
    base = copy.deepcopy(draw(st.sampled_from(list(TEMPLATES.values()))))
    for _ in range(draw(st.integers(0, 3))):
        paths = _paths(base)[1:]
        path = draw(st.sampled_from(paths))
        node = base
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = draw(_JSON)
    if draw(st.booleans()):
        base[draw(_KEYS)] = draw(_JSON)
    return base


_RULES = load_registry().rules


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(st.lists(_records(), min_size=1, max_size=8), min_size=1, max_size=3))
def test_random_records_lint_and_render_in_every_format(files: list[list[dict[str, Any]]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for i, rows in enumerate(files):
            write_jsonl(Path(tmp) / ("train" if i % 2 == 0 else "test") / f"part{i}.jsonl", rows)
        report = dslint.lint([tmp], select=["ALL"])
    assert report.summary.records == sum(len(rows) for rows in files)
    for fmt in RENDERERS:
        for statistics in (False, True):
            buf = io.StringIO()
            render(fmt, report, buf, RenderOptions(rules=_RULES, statistics=statistics, enabled=frozenset(_RULES), width=100))
            out = buf.getvalue()
            assert "\x1b" not in out
            if fmt not in ("json", "jsonl", "sarif", "gitlab"):
                assert "\u202e" not in out
            if fmt in ("json", "sarif", "gitlab"):
                json.loads(out)
            elif fmt == "junit":
                xml.dom.minidom.parseString(out)


def test_deeply_nested_value_inside_a_record_does_not_abort_the_run(cli, tmp_path: Path) -> None:
    nested = "[" * 1000 + "]" * 1000
    line = '{"text": "The service was friendly.", "label": "positive", "meta": ' + nested + "}"
    (tmp_path / "train.jsonl").write_text(line + "\n" + json.dumps({"text": "Cold food.", "label": "negative"}) + "\n")
    res = cli("check", "train.jsonl", "--format", "json", cwd=tmp_path)
    assert_clean_exit(res)
    assert res.code in (0, 1)


def test_lone_surrogate_escape_is_ds604_not_invalid_json(tmp_path: Path) -> None:
    line = '{"messages": [{"role": "user", "content": "Rate this"}, {"role": "assistant", "content": "Great job! \\ud83d"}]}'
    (tmp_path / "train.jsonl").write_text(line + "\n" + line.replace("\\ud83d", "\\ud83d\\ude00") + "\n")
    (tmp_path / "test.json").write_text("[" + line + "]")
    report = dslint.lint([str(tmp_path)], select=["ALL"])
    ds604 = [(Path(f.location.file).name, f.location.line) for f in report.findings if f.rule == "DS604"]
    assert ds604 == [("test.json", 1), ("train.jsonl", 1)]  # the escaped pair on line 2 is a real emoji
    assert report.summary.records == 3


def test_duplicate_csv_column_is_reported(tmp_path: Path) -> None:
    (tmp_path / "train.csv").write_text("text,text,label\nGreat value for money,Arrived broken,positive\n")
    pq.write_table(pa.Table.from_arrays([pa.array(["Great value"]), pa.array(["Broken"])], names=["text", "text"]), tmp_path / "test.parquet")
    report = dslint.lint([str(tmp_path)], select=["DS1"])  # reading and schema rules
    found = sorted((Path(f.location.file).name, f.rule, f.message) for f in report.findings if f.location)
    assert [(name, rule) for name, rule, _ in found] == [("test.parquet", "DS100"), ("train.csv", "DS100")]
    assert all("column 'text' appears twice (columns 1 and 2)" in message for _, _, message in found)


# ---------------------------------------------------------------------------------------------
# record text in terminal and CI output: escaped, redacted, cannot forge workflow commands

HOSTILE = "\x1b[31mRED\x1b[0m [bold]x[/bold] \u202eevil\r\n::error file=a.py::forged %0A jane.roe@gmail.com 4111 1111 1111 1111 AKIAIOSFODNN7EXAMPLE"


def test_record_text_is_escaped_and_redacted_in_every_text_format(cli, tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "train.jsonl",
        [
            chat("Please help " + HOSTILE, "As an AI language model, " + HOSTILE),
            {"messages": [{"role": HOSTILE, "content": "Hi"}, {"role": "assistant", "content": "Hello!"}], HOSTILE: 1},
            *CLEAN_CHATS,
        ],
    )
    write_jsonl(tmp_path / "labels_train.jsonl", [{"text": "Loved it", "label": HOSTILE}, {"text": "Hated it", "label": "negative"}])
    write_jsonl(tmp_path / "labels_test.jsonl", [{"text": "Meh", "label": "unseen " + HOSTILE}])
    write_jsonl(tmp_path / ("evil\x1b]0;title\x07\u202e.jsonl"), [{"messages": [{"role": "user", "content": "No answer"}]}])
    for fmt in ("concise", "rich", "github", "markdown", "junit"):
        res = cli("check", ".", "--select", "ALL", "--format", fmt, cwd=tmp_path)
        assert res.code == 1, (fmt, res.err)
        out = res.out
        for raw in ("\x1b", "\x07", "\u202e", "\r", "jane.roe@gmail.com", "4111 1111 1111 1111", "AKIAIOSFODNN7EXAMPLE"):
            assert raw not in out, (fmt, raw)
        if fmt == "github":
            for line in out.splitlines():
                assert line.startswith(("::error ", "::warning ", "::notice ", "dslint ")), line


# ---------------------------------------------------------------------------------------------
# paths: odd names, loops, folders that look like files, stdin

def test_odd_file_names_and_a_folder_named_like_a_file(cli, tmp_path: Path) -> None:
    for name in ("with space.jsonl", "ünïcødé ✓.jsonl", "-leading-dash.jsonl"):
        write_jsonl(tmp_path / "data" / name, CLEAN_CHATS[:2])
    write_jsonl(tmp_path / "data" / "shard.jsonl" / "part-0.jsonl", CLEAN_CHATS[2:])
    res = cli("check", "--format", "json", "--", "data", "data/-leading-dash.jsonl", cwd=tmp_path)
    report = assert_clean_exit(res)
    assert report is not None
    paths = sorted(d["path"] for d in report["summary"]["file_details"])
    assert paths == ["data/-leading-dash.jsonl", "data/shard.jsonl/part-0.jsonl", "data/with space.jsonl", "data/ünïcødé ✓.jsonl"]
    assert report["summary"]["records"] == len(CLEAN_CHATS) + 4


def test_symlink_loop_in_a_folder_walk_terminates_and_counts_each_file_once(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "data" / "train.jsonl", CLEAN_CHATS)
    (tmp_path / "data" / "sub").mkdir()
    os.symlink("..", tmp_path / "data" / "sub" / "loop")
    os.symlink("../..", tmp_path / "data" / "sub" / "loop2")
    report = dslint.lint([str(tmp_path / "data")])
    assert report.summary.files == 1 and report.summary.records == len(CLEAN_CHATS)


def test_symlink_loop_under_a_recursive_glob_counts_each_file_once(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "data" / "train.jsonl", CLEAN_CHATS)
    (tmp_path / "data" / "sub").mkdir()
    os.symlink("..", tmp_path / "data" / "sub" / "loop")
    res = cli("check", "data/**/*.jsonl", "--format", "json", cwd=tmp_path)
    report = assert_clean_exit(res)
    assert report is not None and report["summary"]["files"] == 1


def test_fifo_in_a_folder_does_not_hang(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "data" / "train.jsonl", CLEAN_CHATS)
    os.mkfifo(tmp_path / "data" / "incoming.jsonl")
    for target in ("data", "data/*.jsonl", "data/**/*.jsonl"):
        try:
            res = run_dslint("check", target, "--format", "json", cwd=tmp_path, timeout=5)
        except subprocess.TimeoutExpired:
            pytest.fail(f"dslint hung on a fifo matched by {target}")
        report = assert_clean_exit(res)
        assert report is not None and [d["path"] for d in report["summary"]["file_details"]] == ["data/train.jsonl"]


def test_binary_stdin_is_a_finding(tmp_path: Path) -> None:
    res = run_dslint("check", "-", "--format", "json", cwd=tmp_path, stdin=b"\x1f\x8b\x08\x00" + bytes(range(256)))
    report = assert_clean_exit(res)
    assert res.returncode == 1 and report is not None
    assert [f["rule"] for f in report["findings"]] == ["DS100"]


def test_stdin_records_are_read_with_several_jobs(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    stdin = "".join(json.dumps(r) + "\n" for r in CLEAN_CHATS[:3]).encode()
    res = run_dslint("check", "-", "train.jsonl", "--jobs", "2", "--format", "json", cwd=tmp_path, stdin=stdin)
    report = assert_clean_exit(res)
    assert report is not None
    details = {d["path"]: d["records"] for d in report["summary"]["file_details"]}
    assert details == {"<stdin>": 3, "train.jsonl": len(CLEAN_CHATS)}


# ---------------------------------------------------------------------------------------------
# configuration mistakes: exit 2 with one line naming the place, or a normal run

CONFIG_ERRORS = {
    "tabs": ("select:\n\t- ALL\n", "dslint.yaml:2"),
    "list at top": ("- select\n- ALL\n", "dslint.yaml:1"),
    "scalar at top": ("just some text\n", "dslint.yaml:1"),
    "select as string": ("select: DS101\n", "dslint.yaml:1"),
    "jobs as word": ("jobs: many\n", "dslint.yaml:1"),
    "jobs zero": ("jobs: 0\n", "dslint.yaml:1"),
    "fail-on unknown": ("fail-on: fatal\n", "dslint.yaml:1"),
    "unknown option": ("selct: [ALL]\n", "did you mean 'select'"),
    "unknown rule in per-file-ignores": ("per-file-ignores:\n  'data/*.jsonl': [DS999]\n", "dslint.yaml:2"),
    "per-file-ignores as list": ("per-file-ignores: [DS101]\n", "dslint.yaml:1"),
    "rule settings as string": ("rules:\n  DS702: info\n", "dslint.yaml:2"),
    "rule option wrong type": ("rules:\n  DS702: {max-chars: lots}\n", "dslint.yaml:2"),
    "rule option unknown": ("rules:\n  DS702: {maxchars: 10}\n", "did you mean 'max-chars'"),
    "budget negative": ("rules:\n  DS119: {max-count: -1}\n", "dslint.yaml:2"),
    "budget ratio over one": ("rules:\n  DS119: {max-ratio: 5}\n", "dslint.yaml:2"),
    "unknown format": ("formats:\n  '*.jsonl': chatml\n", "chatml"),
    "extends cycle": ("extends: [dslint.yaml]\n", "cycle"),
    "extends unknown preset": ("extends: [strictest]\n", "strictest"),
    "duplicate key": ("select: [ALL]\nselect: [DS1]\n", "dslint.yaml:2"),
    "missing rule pack": ("rule-packs: [lint/missing.yaml]\n", "missing.yaml"),
    "missing plugin": ("plugins: [lint/missing_plugin.py]\n", "missing_plugin.py"),
    "not utf-8": ("select: [\xff]\n".encode("latin-1"), "dslint.yaml"),
}


@pytest.mark.parametrize("name", sorted(CONFIG_ERRORS))
def test_config_mistakes_are_one_line_errors(cli, tmp_path: Path, name: str) -> None:
    text, where = CONFIG_ERRORS[name]
    (tmp_path / "dslint.yaml").write_bytes(text if isinstance(text, bytes) else text.encode())
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    res = cli("check", "train.jsonl", "--format", "json", cwd=tmp_path)
    assert_clean_exit(res)
    assert res.code == 2 and where in res.err, res.err


CONFIG_OK = {
    "empty file": "",
    "comments only": "# nothing configured yet\n",
    "anchors and aliases": "rules:\n  DS702: &quiet {severity: info}\n  DS701: *quiet\n",
    "huge budget": "rules:\n  DS119: {max-count: 100000000000000000000000000000}\n",
    "huge option": "rules:\n  DS702: {max-chars: 1000000000000000000000000000}\n",
    "empty extends": "extends: []\n",
    "pyproject without dslint table": None,
}


@pytest.mark.parametrize("name", sorted(CONFIG_OK))
def test_unusual_but_valid_configs_run(cli, tmp_path: Path, name: str) -> None:
    text = CONFIG_OK[name]
    if text is None:
        (tmp_path / "pyproject.toml").write_text("[project]\nname = 'sentiment-data'\n")
    else:
        (tmp_path / "dslint.yaml").write_text(text)
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    res = cli("check", "train.jsonl", "--format", "json", cwd=tmp_path)
    report = assert_clean_exit(res)
    assert res.code == 0 and report is not None and report["summary"]["records"] == len(CLEAN_CHATS)


@pytest.mark.parametrize(
    ("filename", "text"),
    [
        pytest.param("dslint.yaml", "base: &b {severity: info}\nrules:\n  DS702:\n    <<: *b\n", id="yaml-merge-key"),
        pytest.param("dslint.yaml", "select: !!omap [{ALL: 1}]\n", id="yaml-tagged-sequence"),
        pytest.param("pyproject.toml", "tool = 'dslint'\n", id="pyproject-tool-not-a-table"),
        pytest.param("pyproject.toml", "[tool]\ndslint = ['ALL']\n", id="pyproject-dslint-not-a-table"),
    ],
)
def test_config_shapes_that_crash_the_loader(cli, tmp_path: Path, filename: str, text: str) -> None:
    (tmp_path / filename).write_text(text)
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    res = cli("check", "train.jsonl", "--format", "json", cwd=tmp_path)
    assert_clean_exit(res)


def test_yaml_alias_bomb_does_not_hang(tmp_path: Path) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefg", "bcdefgh"):
        levels.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    (tmp_path / "dslint.yaml").write_text("\n".join(levels) + "\n")
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    try:
        res = run_dslint("check", "train.jsonl", cwd=tmp_path, timeout=5)
    except subprocess.TimeoutExpired:
        pytest.fail("dslint hung expanding YAML aliases")
    assert_clean_exit(res)
    assert res.returncode == 2


def test_bad_ignore_selector_is_reported_in_the_users_config(cli, tmp_path: Path) -> None:
    (tmp_path / "dslint.yaml").write_text("fail-on: error\nignore: [DS11O]\n")
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    res = cli("check", "train.jsonl", cwd=tmp_path)
    assert res.code == 2 and "dslint.yaml:2" in res.err, res.err


# ---------------------------------------------------------------------------------------------
# command line edge cases


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", ".", "--jobs", "0"], "--jobs"),
        (["check", ".", "--jobs", "-3"], "--jobs"),
        (["check", ".", "--jobs", "two"], "--jobs"),
        (["check", ".", "--no-such-flag"], "--no-such-flag"),
        (["check", ".", "--format", "xml"], "xml"),
        (["check", ".", "--select", "DS9999"], "DS9999"),
        (["check", ".", "--output", "missing-folder/report.json"], "missing-folder/report.json"),
        (["check", ".", "--output", "."], "directory"),
        (["check", ".", "--summary-file", "."], "directory"),
        (["check", ".", "--baseline", "no-baseline.json"], "no-baseline.json"),
        (["check", ".", "--config", "nope.yaml"], "nope.yaml"),
        (["check", "trian.jsonl"], "trian.jsonl"),
        (["check", "notes.txt"], "unsupported"),
        (["check", "data/*.parquet"], "data/*.parquet"),
        (["rule", ""], "unknown rule"),
        (["rule", "DS10"], "unknown rule"),
        (["rule", "../../etc/passwd"], "unknown rule"),
        (["rules", "--format", "yaml"], "yaml"),
        (["baseline", "prune", "."], "dslint-baseline.json"),
    ],
)
def test_command_line_mistakes_are_one_line_errors(cli, tmp_path: Path, args: list[str], message: str) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    (tmp_path / "notes.txt").write_text("not data\n")
    res = cli(*args, cwd=tmp_path)
    assert_clean_exit(res)
    assert res.code == 2 and message in res.err, res.err


def test_more_jobs_than_files_works(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    write_jsonl(tmp_path / "test.jsonl", CLEAN_CHATS[:2])
    res = cli("check", ".", "--jobs", "1000", "--format", "json", "--select", "DS1", cwd=tmp_path)
    report = assert_clean_exit(res)
    assert res.code == 0 and report is not None and report["summary"]["records"] == len(CLEAN_CHATS) + 2


def test_rule_lookup_by_name(cli, tmp_path: Path) -> None:
    res = cli("rule", "invalid-json", cwd=tmp_path)
    assert res.code == 0 and res.out.startswith("DS101 invalid-json")


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize("extra", [["--statistics"], ["--quiet"], ["--statistics", "--quiet"]])
def test_every_format_with_statistics_and_quiet_on_a_failing_gate(cli, tmp_path: Path, fmt: str, extra: list[str]) -> None:
    write_jsonl(tmp_path / "train.jsonl", [*CLEAN_CHATS, {"messages": [{"role": "user", "content": "Where is my parcel?"}]}])
    res = cli("check", "train.jsonl", "--format", fmt, *extra, cwd=tmp_path)
    assert res.code == 1 and res.err == ""
    assert res.out.strip()
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(res.out)
    elif fmt == "jsonl":
        [json.loads(line) for line in res.out.splitlines()]
    elif fmt == "junit":
        xml.dom.minidom.parseString(res.out)


def test_quiet_still_writes_the_output_file_when_the_gate_passes(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    (tmp_path / "report.sarif").write_text("stale report from yesterday")
    res = cli("check", "train.jsonl", "--format", "sarif", "--output", "report.sarif", "--quiet", cwd=tmp_path)
    assert res.code == 0
    json.loads((tmp_path / "report.sarif").read_text())


def test_debug_flag_with_the_check_shorthand(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    assert cli("--debug", "train.jsonl", cwd=tmp_path).code == 0


def test_init_in_an_empty_folder_writes_a_config_that_loads(cli, tmp_path: Path) -> None:
    res = cli("init", cwd=tmp_path)
    assert res.code == 0 and (tmp_path / "dslint.yaml").is_file()
    assert_clean_exit(cli("check", "--format", "json", cwd=tmp_path))  # nothing to lint yet
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    res = cli("check", "--format", "json", cwd=tmp_path)  # lints the config's paths
    report = assert_clean_exit(res)
    assert res.code == 0 and report is not None and report["summary"]["records"] == len(CLEAN_CHATS)
    assert cli("init", cwd=tmp_path).code == 2  # no silent overwrite


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"select: [ALL\n", id="invalid-yaml"),
        pytest.param(b"- paths\n- formats\n", id="list-at-top"),
        pytest.param(b"just a sentence\n", id="scalar-at-top"),
        pytest.param(b"paths: [\xff]\n", id="not-utf8"),
    ],
)
def test_init_update_on_a_broken_config_is_a_one_line_error(cli, tmp_path: Path, content: bytes) -> None:
    write_jsonl(tmp_path / "data" / "train.jsonl", CLEAN_CHATS)
    (tmp_path / "dslint.yaml").write_bytes(content)
    res = cli("init", "--update", "data", cwd=tmp_path)
    assert_clean_exit(res)
    assert res.code == 2


def test_deeply_nested_baseline_is_a_one_line_error(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    (tmp_path / "baseline.json").write_text("[" * 100_000 + "]" * 100_000)
    res = cli("check", "train.jsonl", "--baseline", "baseline.json", cwd=tmp_path)
    assert_clean_exit(res)


def test_api_rejects_an_unknown_fail_on(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    with pytest.raises((ValueError, ConfigError)):
        dslint.lint([str(tmp_path)], fail_on="fatal")


PLUGIN_EXIT = '''
import os
from dslint import RecordCheck, Rule, Severity
RULE = Rule(code="ACME901", name="worker-dies", family="content", severity=Severity.WARNING, scope="record",
            summary="Dies.", docs="What it does: x\\n\\nWhy it matters: x\\n\\nExample: x\\n\\nOptions: none.")
class Dies(RecordCheck):
    rules = (RULE,)
    def check(self, record):
        os._exit(3)  # what the OOM killer does to a worker
CHECKS = [Dies]
'''


def test_dead_worker_process_is_a_one_line_error(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    write_jsonl(tmp_path / "test.jsonl", CLEAN_CHATS[:2])
    (tmp_path / "dies.py").write_text(PLUGIN_EXIT)
    (tmp_path / "dslint.yaml").write_text("plugins: [dies.py]\n")
    res = run_dslint("check", ".", "--jobs", "2", "--allow-plugins", cwd=tmp_path)
    assert_clean_exit(res)
    assert res.returncode == 2


# ---------------------------------------------------------------------------------------------
# --diff-base


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_diff_base_keeps_findings_on_files_with_unusual_names(cli, tmp_path: Path) -> None:
    names = ["plain.jsonl", "with space.jsonl", "données.jsonl", 'say "hi"\tnow.jsonl']
    _git(tmp_path, "init", "-q", ".")
    for name in names:
        write_jsonl(tmp_path / "data" / name, CLEAN_CHATS)
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "-c", "user.name=ci", "-c", "user.email=ci@example.org", "commit", "-qm", "data")
    for name in names:
        with open(tmp_path / "data" / name, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"messages": [{"role": "user", "content": "Where is my parcel?"}]}) + "\n")
    res = cli("check", "data", "--diff-base", "HEAD", "--select", "DS109", "--format", "json", cwd=tmp_path)
    report = assert_clean_exit(res)
    assert report is not None
    # File names leave dslint escaped like record text: the tab shows as \t.
    assert sorted(f["location"]["file"] for f in report["findings"]) == sorted(printable(f"data/{n}") for n in names)


# ---------------------------------------------------------------------------------------------
# determinism: the same data gives the same report whatever --jobs, run after run

_WORDS = ["the", "order", "parcel", "refund", "arrived", "late", "broken", "python", "list", "sort", "weather", "Lisbon", "rain", "answer", "please", "thanks"]


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 10))).capitalize() + "."


def _random_dataset(root: Path, seed: int) -> None:
    rng = random.Random(seed)
    pool: list[dict[str, Any]] = []
    for i in range(6):
        rows: list[str] = []
        for _ in range(rng.randint(0, 30)):
            roll = rng.random()
            if roll < 0.15 and pool:
                rec = rng.choice(pool)  # duplicates within and across files and splits
            elif roll < 0.2:
                rows.append('{"messages": [{"role": "user"')
                continue
            elif roll < 0.6:
                rec = chat(_sentence(rng), rng.choice([_sentence(rng), "", "As an AI language model, I cannot help.", "Mail jane.roe@example.org"]))
            else:
                rec = {"text": _sentence(rng), "label": rng.choice(["positive", "negative", "neutral", "Positive", None])}
            pool.append(rec)
            rows.append(json.dumps(rec))
        folder = root / rng.choice(["", "part-a", "part-b/deep"])
        folder.mkdir(parents=True, exist_ok=True)
        split = rng.choice(["train", "train", "test", "validation"])
        (folder / f"{split}-{i}.jsonl").write_text("".join(r + "\n" for r in rows))


@pytest.mark.parametrize("seed", [7, 2024])
def test_same_report_for_any_jobs_and_across_runs(cli, tmp_path: Path, seed: int) -> None:
    _random_dataset(tmp_path / "data", seed)
    outputs = [cli("check", "data", "--select", "ALL", "--format", "json", "--jobs", str(jobs), cwd=tmp_path) for jobs in (1, 3, 1)]
    for res in outputs:
        assert_clean_exit(res)
    assert '"executor": "pool"' in outputs[1].out  # the one difference the report may show
    texts = [res.out.replace('"executor": "pool"', '"executor": "inprocess"', 1) for res in outputs]
    assert texts[0] == texts[1] == texts[2]
    assert json.loads(outputs[0].out)["findings"], "the random dataset should have defects"


def test_report_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    _random_dataset(tmp_path / "data", 99)
    args = ("check", "data", "--select", "ALL", "--format", "json", "--jobs", "2")
    env = dict(os.environ, NO_COLOR="1")
    outs = []
    for seed in ("1", "4242"):
        env["PYTHONHASHSEED"] = seed
        proc = subprocess.run([sys.executable, "-m", "dslint", *args], check=False, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode in (0, 1), proc.stderr
        outs.append(proc.stdout)
    assert outs[0] == outs[1]
