"""CSV and TSV: header rows, string values, rows spanning lines, bad rows, encodings."""

from __future__ import annotations

from pathlib import Path

import pytest
from readers_util import issues, read_all, records, shape


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_rows_become_records_of_strings() -> None:
    Path("reviews.csv").write_text(
        "text,label,score\n"
        "The battery died after two days.,negative,1\n"
        "Arrived early and works great,positive,\n",
        encoding="utf-8",
    )
    items = read_all("reviews.csv")
    assert records(items) == [
        {"text": "The battery died after two days.", "label": "negative", "score": "1"},
        {"text": "Arrived early and works great", "label": "positive", "score": ""},
    ]
    assert shape(items) == [("record", 2, 0), ("record", 3, 1)]
    assert {item.file for item in items} == {"reviews.csv"}


def test_quoted_fields_spanning_lines_keep_row_start_lines() -> None:
    Path("sft.csv").write_text(
        "prompt,response\n"
        '"Write a haiku about autumn.","Crisp leaves drift and fall\n'
        "Golden light on quiet paths\n"
        'The year exhales slow"\n'
        'What is 2 + 2?,"4, of course."\n'
        '"Explain ""overfitting""\n'
        'in one line.",The model memorises noise instead of signal.\n',
        encoding="utf-8",
    )
    items = read_all("sft.csv")
    assert shape(items) == [("record", 2, 0), ("record", 5, 1), ("record", 6, 2)]
    assert records(items)[0]["response"] == "Crisp leaves drift and fall\nGolden light on quiet paths\nThe year exhales slow"
    assert records(items)[2]["prompt"] == 'Explain "overfitting"\nin one line.'


def test_blank_lines_are_skipped_without_taking_an_index() -> None:
    Path("labels.csv").write_text("\ntext,label\n\nGreat service,positive\n\n\nCold food,negative\n\n", encoding="utf-8")
    assert shape(read_all("labels.csv")) == [("record", 4, 0), ("record", 7, 1)]


def test_bom_and_crlf_are_tolerated() -> None:
    Path("excel.csv").write_bytes(b"\xef\xbb\xbftext,label\r\nGreat service,positive\r\n\"Two\r\nlines\",neutral\r\nCold food,negative\r\n")
    items = read_all("excel.csv")
    assert list(records(items)[0]) == ["text", "label"]
    assert records(items)[1] == {"text": "Two\r\nlines", "label": "neutral"}
    assert [item.line for item in items] == [2, 3, 5]


def test_tsv_splits_on_tabs_only() -> None:
    Path("pairs.tsv").write_text(
        "question\tanswer\n"
        "Name three primary colours, please.\tRed, yellow and blue.\n"
        'Who wrote "Hamlet"?\tWilliam Shakespeare.\n',
        encoding="utf-8",
    )
    assert records(read_all("pairs.tsv")) == [
        {"question": "Name three primary colours, please.", "answer": "Red, yellow and blue."},
        {"question": 'Who wrote "Hamlet"?', "answer": "William Shakespeare."},
    ]


def test_rows_with_the_wrong_number_of_cells_are_issues() -> None:
    Path("tasks.csv").write_text(
        "instruction,input,output,category\n"
        "Translate to French,Good night,Bonne nuit,translation\n"
        "Summarise,The meeting moved to Friday.,Meeting moved.,summary,extra\n"
        "Classify,I love it\n"
        "Proofread\n"
        "Spell check,Recieve,Receive,spelling\n",
        encoding="utf-8",
    )
    items = read_all("tasks.csv")
    assert shape(items) == [("record", 2, 0), ("DS101", 3, 1), ("DS101", 4, 2), ("DS101", 5, 3), ("record", 6, 4)]
    assert [i.message for i in issues(items)] == [
        "row has 5 cells, header has 4",
        "row has 2 cells, header has 4",
        "row has 1 cell, header has 4",
    ]
    assert issues(items)[1].raw == b"Classify,I love it"


def test_invalid_utf8_row_is_an_issue_and_reading_goes_on() -> None:
    data = (
        "text,label\n"
        "Great service,positive\n"
        "Caf\u00e9 was closed,negative\n"
        '"Long review\nthat says na\u00efve things",neutral\n'
        "Cold food,negative\n"
    ).encode("latin-1")
    Path("latin1.csv").write_bytes(data)
    items = read_all("latin1.csv")
    assert shape(items) == [("record", 2, 0), ("DS102", 3, 1), ("DS102", 4, 2), ("record", 6, 3)]
    assert [i.message for i in issues(items)] == [
        "invalid UTF-8: byte 0xE9 at line 3 column 4",
        "invalid UTF-8: byte 0xEF at line 5 column 13",
    ]
    assert issues(items)[0].raw == "Caf\u00e9 was closed,negative".encode("latin-1")


def test_invalid_utf8_header_stops_reading() -> None:
    Path("header.csv").write_bytes("r\u00e9sum\u00e9,label\nshort,ok\n".encode("latin-1"))
    (issue,) = read_all("header.csv")
    assert (issue.rule, issue.line) == ("DS100", 1)
    assert issue.message == "the header row is not UTF-8 (invalid UTF-8: byte 0xE9 at line 1 column 2)"


@pytest.mark.parametrize("content", ["", "\n\n", "text,label\n"])
def test_empty_file_or_header_only_yields_nothing(content: str) -> None:
    Path("empty.csv").write_text(content, encoding="utf-8")
    assert read_all("empty.csv") == []


def test_fields_larger_than_the_csv_default_limit() -> None:
    transcript = "User: please summarise the attached meeting notes. " * 5000
    Path("long.csv").write_text(f'id,transcript\n1,"{transcript}"\n2,short\n', encoding="utf-8")
    items = read_all("long.csv")
    assert shape(items) == [("record", 2, 0), ("record", 3, 1)]
    assert records(items)[0]["transcript"] == transcript


def test_binary_file_is_one_issue() -> None:
    Path("export.csv").write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64)
    (issue,) = read_all("export.csv")
    assert (issue.rule, issue.message) == ("DS100", "binary file (a zip archive), not CSV")


def test_stray_carriage_return_is_a_bad_row_and_reading_goes_on() -> None:
    Path("scraped.csv").write_bytes(b"text,label\nGreat service,positive\nCold\rfood,negative\nSlow delivery,negative\n")
    items = read_all("scraped.csv")
    assert shape(items) == [("record", 2, 0), ("DS101", 3, 1), ("record", 4, 2)]
    assert issues(items)[0].message == "malformed CSV row: a carriage return inside an unquoted field"
    assert issues(items)[0].raw == b"Cold\rfood,negative"
