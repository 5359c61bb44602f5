"""JSON documents: arrays and wrapped lists of records, element lines, and documents that are not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readers_util import ALPACA, CHATS, issues, read_all, records, shape


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_pretty_printed_array_gives_the_line_of_each_element() -> None:
    text = json.dumps(ALPACA, indent=2, ensure_ascii=False)
    Path("alpaca.json").write_text(text, encoding="utf-8")
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line == "  {"]
    items = read_all("alpaca.json")
    assert records(items) == ALPACA
    assert shape(items) == [("record", line, i) for i, line in enumerate(starts)]
    assert {item.file for item in items} == {"alpaca.json"}


def test_object_holding_one_list_of_records() -> None:
    doc = {
        "version": "1.2",
        "meta": {"source": "support tickets, [redacted]", "splits": ["train"], "count": 3},
        "data": ALPACA,
        "license": "cc-by-4.0",
    }
    text = json.dumps(doc, indent=2)
    Path("tasks.json").write_text(text, encoding="utf-8")
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line == "    {"]
    items = read_all("tasks.json")
    assert records(items) == ALPACA
    assert [item.line for item in items] == starts


def test_strings_with_brackets_commas_and_escapes_do_not_confuse_lines() -> None:
    rows = [
        {"instruction": 'Parse "[1, 2], {3}"', "output": "a list, then a set"},
        {"instruction": "Windows path", "output": "C:\\Users\\\\"},
        {"instruction": 'Quote: \\"nested\\" ]}', "output": "line one\nline two"},
        {"instruction": "Unicode", "output": "naïve café, 東京"},
    ]
    text = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n"
    Path("tricky.json").write_text(text, encoding="utf-8")
    assert shape(read_all("tricky.json")) == [("record", i + 2, i) for i in range(4)]
    assert records(read_all("tricky.json")) == rows


def test_non_object_elements_are_issues_with_lines() -> None:
    Path("mixed.json").write_text('[\n  {"text": "Hello there"},\n  "just a string",\n  null,\n  [1, 2],\n  {"text": "Bye"}\n]', encoding="utf-8")
    items = read_all("mixed.json")
    assert shape(items) == [("record", 2, 0), ("DS103", 3, 1), ("DS103", 4, 2), ("DS103", 5, 3), ("record", 6, 4)]
    assert [i.message for i in issues(items)] == [
        "record is a JSON string, not an object",
        "record is JSON null, not an object",
        "record is a JSON array, not an object",
    ]
    assert issues(items)[0].raw == b'"just a string"'


@pytest.mark.parametrize("extra", [{}, {"tools": [{"type": "function", "function": {"name": "get_weather"}}]}])
def test_single_chat_object_is_one_record(extra: dict) -> None:
    record = CHATS[0] | extra
    Path("example.json").write_text("\n" + json.dumps(record, indent=2), encoding="utf-8")
    assert shape(read_all("example.json")) == [("record", 2, 0)]
    assert records(read_all("example.json")) == [record]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"all the training data"', "the JSON document is a JSON string; expected an array of records"),
        ('{"instruction": "Say hi", "output": "Hi"}', "the JSON document is an object without a list; expected an array"),
        ('{"train": [{"a": 1}], "test": [{"a": 2}]}', "the JSON document is an object with 2 lists ('train', 'test'); expected exactly one list"),
    ],
)
def test_documents_without_one_list_of_records_are_one_issue(text: str, message: str) -> None:
    Path("data.json").write_text(text, encoding="utf-8")
    (issue,) = read_all("data.json")
    assert (issue.rule, issue.index) == ("DS100", 0)
    assert issue.message.startswith(message)


def test_invalid_document_reports_line_and_column() -> None:
    Path("broken.json").write_text('[\n  {"text": "one"},\n  {"text": "two",}\n]', encoding="utf-8")
    (issue,) = read_all("broken.json")
    assert (issue.rule, issue.line) == ("DS100", 3)
    assert issue.message == "invalid JSON document: trailing comma is not allowed at line 3 column 17"  # the comma


def test_invalid_utf8_document_reports_line_and_column() -> None:
    Path("latin1.json").write_bytes('[\n  {"text": "Café au lait"}\n]'.encode("latin-1"))
    (issue,) = read_all("latin1.json")
    assert (issue.rule, issue.line) == ("DS100", 2)
    assert issue.message == "invalid UTF-8: byte 0xE9 at line 2 column 16"


@pytest.mark.parametrize("text", ["", "  \n", "[]", "[\n]", '{"data": []}'])
def test_empty_documents_yield_nothing(text: str) -> None:
    Path("empty.json").write_text(text, encoding="utf-8")
    assert read_all("empty.json") == []


def test_bom_and_crlf_are_tolerated() -> None:
    Path("bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(ALPACA, indent=1).replace("\n", "\r\n").encode())
    items = read_all("bom.json")
    assert records(items) == ALPACA
    assert [item.line for item in items] == [2, 7, 12]


def test_binary_file_is_one_issue() -> None:
    Path("model.json").write_bytes(b"PAR1\x00\x15\x04" + bytes(range(256)))
    (issue,) = read_all("model.json")
    assert issue.message == "binary file (a Parquet file without a .parquet extension), not JSON"


_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


# The autouse working-folder fixture is the same for every example, which is what we want.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    elements=st.lists(_values, max_size=6),
    indent=st.sampled_from([None, 1, 4]),
    separators=st.lists(st.sampled_from([",", ", ", ",\n", "\n,\n\n  ", "\r\n,\t"]), min_size=6, max_size=6),
    wrapped=st.booleans(),
)
def test_element_lines_match_where_each_element_was_written(
    tmp_path_factory: pytest.TempPathFactory, elements: list, indent: int | None, separators: list[str], wrapped: bool
) -> None:
    text, expected = "[\n", []
    for i, element in enumerate(elements):
        if i:
            text += separators[i]
        expected.append(text.count("\n") + 1)
        text += json.dumps(element, indent=indent, ensure_ascii=False)
    text += "\n]"
    if wrapped:
        text = '{"info": {"a": [1, {"b": ","}], "c": "]["},\n "rows": ' + text + ', "n": 1}'
        expected = [line + 1 for line in expected]
    path = tmp_path_factory.mktemp("doc") / "data.json"
    path.write_text(text, encoding="utf-8")
    items = read_all(path)
    assert [item.line for item in items] == expected
    assert [item.index for item in items] == list(range(len(elements)))
    assert [item.data for item in items if not hasattr(item, "rule")] == [e for e in elements if isinstance(e, dict)]
