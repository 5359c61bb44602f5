"""JSON Lines: records, locations, every kind of bad line, binary input, stdin, huge lines."""

from __future__ import annotations

import gzip
import json
from io import BytesIO
from pathlib import Path

import orjson
import pytest
from readers_util import CHATS, chat, issues, jsonl_bytes, read_all, records, shape

from dslint.readers import Source, discover, read_source
from dslint.readers.jsonl import GIVE_UP_AFTER
from dslint.readers.streams import RAW_LIMIT, SNIFF_BYTES
from dslint.record import Record


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def write(name: str, data: bytes) -> Path:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_clean_file_yields_records_with_locations() -> None:
    write("data/train.jsonl", jsonl_bytes(CHATS))
    items = read_all("data/train.jsonl")
    assert all(isinstance(item, Record) for item in items)
    assert records(items) == CHATS
    assert shape(items) == [("record", i + 1, i) for i in range(5)]
    assert {item.file for item in items} == {"data/train.jsonl"}
    assert all(item.split is None and item.format is None for item in items)


def test_blank_lines_are_skipped_without_taking_an_index() -> None:
    lines = jsonl_bytes(CHATS[:3]).split(b"\n")
    write("train.jsonl", b"\n" + lines[0] + b"\n   \n\t\r\n" + lines[1] + b"\n\n\n" + lines[2] + b"\n\n")
    assert shape(read_all("train.jsonl")) == [("record", 2, 0), ("record", 5, 1), ("record", 8, 2)]


def test_crlf_line_endings_and_bom_are_tolerated() -> None:
    write("train.jsonl", b"\xef\xbb\xbf" + jsonl_bytes(CHATS, newline=b"\r\n"))
    items = read_all("train.jsonl")
    assert records(items) == CHATS
    assert [item.line for item in items] == [1, 2, 3, 4, 5]


def test_last_line_without_newline_is_read() -> None:
    write("train.jsonl", jsonl_bytes(CHATS[:2]).rstrip(b"\n"))
    assert records(read_all("train.jsonl")) == CHATS[:2]


def test_bad_lines_of_each_kind_keep_exact_lines_and_indices() -> None:
    good = [json.dumps(c).encode() for c in CHATS]
    lines = [
        good[0],
        b'{"messages": [{"role": "user", "content": "Hi"}',  # cut off
        b"",
        '{"messages": [{"role": "user", "content": "Caf\u00e9"}]}'.encode("latin-1"),
        b'["user", "Hi", "assistant", "Hello"]',
        good[1],
        b'{"prompt": "one"} {"prompt": "two"}',
    ]
    write("train.jsonl", b"\n".join(lines) + b"\n")
    items = read_all("train.jsonl")
    assert shape(items) == [
        ("record", 1, 0),
        ("DS101", 2, 1),
        ("DS102", 4, 2),
        ("DS103", 5, 3),
        ("record", 6, 4),
        ("DS101", 7, 5),
    ]
    bad = issues(items)
    assert bad[0].message == "invalid JSON: unexpected end of data at column 48"  # just past the end
    assert bad[1].message == "invalid UTF-8: byte 0xE9 at column 47"
    assert bad[2].message == "record is a JSON array, not an object"
    assert bad[3].message == "invalid JSON: unexpected content after document at column 19"
    assert bad[0].raw == lines[1]


@pytest.mark.parametrize(
    ("line", "name"),
    [
        (b'"What is the capital of France?"', "a JSON string"),
        (b"42", "a JSON number"),
        (b"3.5", "a JSON number"),
        (b"true", "a JSON boolean"),
        (b"null", "JSON null"),
        (b'[{"role": "user", "content": "Hi"}]', "a JSON array"),
    ],
)
def test_non_object_values_name_their_type(line: bytes, name: str) -> None:
    write("train.jsonl", line + b"\n")
    (issue,) = read_all("train.jsonl")
    assert (issue.rule, issue.line, issue.index) == ("DS103", 1, 0)
    assert issue.message == f"record is {name}, not an object"


def test_messages_never_quote_record_text() -> None:
    secret = b'{"text": "mail jane.doe@example.com, key sk-proj-abcdefghijklmnopqrstuvwxyz", '
    write("train.jsonl", secret + b"\n" + secret.replace(b"jane", b"\xff") + b"\n")
    for issue in issues(read_all("train.jsonl")):
        assert "example.com" not in issue.message and "sk-proj" not in issue.message


def test_raw_is_capped_and_has_no_line_ending() -> None:
    long_bad = b'{"text": "' + b"lorem ipsum " * 1000 + b'"'  # no closing brace
    write("train.jsonl", long_bad + b"\r\n" + b"{'single': 'quotes'}\r\n")
    first, second = read_all("train.jsonl")
    assert first.raw == long_bad[:RAW_LIMIT]
    assert second.raw == b"{'single': 'quotes'}"


@pytest.mark.parametrize("shift", [-2, -1, 0, 1, 2, 500])
def test_lines_across_the_sniffed_head_are_intact(shift: int) -> None:
    # Records sized so that the read-ahead of the first bytes ends before, on, and after a
    # newline, and inside a record.
    first = {"text": "x" * (SNIFF_BYTES - 14 + shift)}
    rows = [first, *CHATS]
    write("train.jsonl", jsonl_bytes(rows))
    items = read_all("train.jsonl")
    assert records(items) == rows
    assert shape(items) == [("record", i + 1, i) for i in range(len(rows))]


def test_binary_file_is_one_issue() -> None:
    write("train.jsonl", b"\x00\x01\x02 some binary payload \x00" * 100)
    (issue,) = read_all("train.jsonl")
    assert (issue.rule, issue.index, issue.line) == ("DS100", 0, None)
    assert issue.message == "binary file, not JSON Lines"


def test_gzip_data_without_extension_is_named() -> None:
    write("train.jsonl", gzip.compress(jsonl_bytes(CHATS)))
    (issue,) = read_all("train.jsonl")
    assert issue.rule == "DS100"
    assert issue.message == "binary file (gzip-compressed data without a .gz extension), not JSON Lines"


def test_reading_stops_when_no_line_is_json() -> None:
    csv_lines = b"".join(b"How are you %d?,I am fine.,chat\n" % i for i in range(GIVE_UP_AFTER + 50))
    write("train.jsonl", b"prompt,completion,source\n" + csv_lines)
    items = read_all("train.jsonl")
    assert len(items) == GIVE_UP_AFTER + 1
    assert {i.rule for i in items[:-1]} == {"DS101"}
    last = items[-1]
    assert (last.rule, last.index) == ("DS100", GIVE_UP_AFTER)
    assert "reading stopped" in last.message


def test_reading_goes_on_once_one_line_parsed() -> None:
    bad = b"".join(b"{'prompt': 'question %d'}\n" % i for i in range(GIVE_UP_AFTER + 20))
    write("train.jsonl", jsonl_bytes(CHATS[:1]) + bad)
    items = read_all("train.jsonl")
    assert len(items) == GIVE_UP_AFTER + 21
    assert [i.rule for i in issues(items)] == ["DS101"] * (GIVE_UP_AFTER + 20)


def test_a_good_line_after_99_bad_ones_keeps_reading() -> None:
    bad = b"".join(b"not json %d\n" % i for i in range(GIVE_UP_AFTER - 1))
    write("train.jsonl", bad + jsonl_bytes(CHATS))
    items = read_all("train.jsonl")
    assert records(items) == CHATS
    assert "DS100" not in {i.rule for i in issues(items)}


@pytest.mark.parametrize("content", [b"", b"\n\n  \r\n", b"\xef\xbb\xbf"])
def test_empty_files_yield_nothing(content: bytes) -> None:
    write("train.jsonl", content)
    assert read_all("train.jsonl") == []


def test_50_mb_single_line_is_read_whole() -> None:
    text = "Summarise the following server log and list every error code you find. " * 720_000
    big = orjson.dumps(chat(text, "No errors were found."))
    assert len(big) > 50_000_000
    write("big.jsonl", jsonl_bytes(CHATS[:1]) + big + b"\n" + jsonl_bytes(CHATS[1:2]))
    items = read_all("big.jsonl")
    assert shape(items) == [("record", 1, 0), ("record", 2, 1), ("record", 3, 2)]
    assert items[1].data["messages"][0]["content"] == text


def test_stdin_is_json_lines() -> None:
    stream = BytesIO(jsonl_bytes(CHATS[:2]) + b"not json\n")
    items = read_all("-", stdin=stream)
    assert shape(items) == [("record", 1, 0), ("record", 2, 1), ("DS101", 3, 2)]
    assert {item.file for item in items} == {"<stdin>"}
    assert not stream.closed


def test_io_errors_become_issues(tmp_path: Path) -> None:
    Path("folder.jsonl").mkdir()
    gone = Source(tmp_path / "gone.jsonl", "gone.jsonl", "jsonl", None)
    folder = Source(tmp_path / "folder.jsonl", "folder.jsonl", "jsonl", None)
    (missing,) = read_source(gone)
    (directory,) = read_source(folder)
    assert (missing.rule, missing.message) == ("DS100", "cannot read file: no such file or directory")
    assert (directory.rule, directory.message) == ("DS100", "cannot read file: is a directory")



def test_reading_is_lazy() -> None:
    stream = BytesIO(jsonl_bytes(CHATS) * 20_000)  # ~10 MB
    (source,) = discover(["-"])
    first = next(read_source(source, stream))
    assert first.data == CHATS[0]
    assert stream.tell() < 64 * 1024
