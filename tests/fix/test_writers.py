"""The CSV/TSV and Parquet writers: same dialect, header, schema, row groups and codec out as in;
untouched rows keep their bytes (CSV) or values (Parquet)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dslint


def test_csv_keeps_header_dialect_and_untouched_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # An AG News-style classification file: CRLF, a quoted multi-line cell, every cell quoted in one row.
    rows = [
        b"text,label\r\n",
        b'"Wall St. Bears Claw Back Into the Black (Reuters)",business\r\n',
        b'"Oil prices soar\nto all-time record",business\r\n',
        b'"Caf\xc3\xa9\xef\xbb\xbf owners rally","world"\r\n',
        b"\r\n",
        b"Oil prices soar\xe2\x80\x8b today,business\r\n",
    ]
    src = tmp_path / "train.csv"
    src.write_bytes(b"".join(rows))
    summary = dslint.fix(["train.csv"], "out")
    out = (tmp_path / "out" / "train.csv").read_bytes()
    assert out == b"".join([*rows[:3], b'"Caf\xc3\xa9 owners rally","world"\r\n', rows[4], b"Oil prices soar today,business\r\n"])
    assert summary.rewritten == {"DS605": 1, "DS606": 1}
    assert [(c.line, c.record) for c in summary.changes] == [(5, 2), (7, 3)]  # the quoted cell spans lines 3-4


def test_tsv_drops_ragged_rows_and_duplicates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    lines = ["sentence\tlabel", "the film is a triumph\tpositive", "a tedious mess\tnegative", "the film is a triumph\tpositive", "broken row"]
    (tmp_path / "sst2.tsv").write_text("\n".join(lines) + "\n")
    summary = dslint.fix(["sst2.tsv"], "out", unsafe_fixes=True)
    assert (tmp_path / "out" / "sst2.tsv").read_text().splitlines() == lines[:3]
    assert summary.dropped == {"DS101": 1, "DS201": 1}


def _messages(user: str, assistant: str) -> list[dict]:
    return [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]


def test_parquet_keeps_schema_row_groups_and_codec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    rows = [{"messages": _messages(f"Question {i}?", f"Answer number {i}."), "source": "oasst"} for i in range(25)]
    rows[3]["messages"][1]["content"] = "Answer\u202e number 3."
    rows[7] = {"messages": _messages("Question 1?", "Answer number 1."), "source": "oasst"}  # DS201
    table = pa.Table.from_pylist(rows).replace_schema_metadata({b"huggingface": b'{"info": {}}'})
    pq.write_table(table, tmp_path / "train.parquet", row_group_size=10, compression="zstd")
    summary = dslint.fix(["train.parquet"], "out", unsafe_fixes=True)
    fixed = pq.ParquetFile(tmp_path / "out" / "train.parquet")
    assert fixed.schema_arrow == table.schema and fixed.schema_arrow.metadata == table.schema.metadata
    assert [fixed.metadata.row_group(i).num_rows for i in range(fixed.metadata.num_row_groups)] == [10, 10, 4]
    assert fixed.metadata.row_group(0).column(0).compression == "ZSTD"
    out = fixed.read().to_pylist()
    assert out[3]["messages"][1]["content"] == "Answer number 3."
    assert out[:3] == rows[:3] and out[7:] == rows[8:]
    assert summary.dropped == {"DS201": 1} and summary.rewritten == {"DS607": 1}
    assert [(c.record, c.line) for c in summary.changes] == [(3, None), (7, None)]
    again = dslint.fix(["out/train.parquet"], "out2", unsafe_fixes=True)
    assert not again.changed
    assert json.dumps(pq.read_table(tmp_path / "out2" / "train.parquet").to_pylist()) == json.dumps(out)


def test_json_document_keeps_its_style_and_wrapper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # alpaca_data.json's layout: a JSON array, indent 4, non-ASCII escaped.
    rows = [
        {"instruction": "Give three tips for staying healthy.", "input": "", "output": "Eat well, sleep, move."},
        {"instruction": "Translate to French: coffee", "input": "<noinput>", "output": "Caf\u00e9."},
        {"instruction": "Give three tips for staying healthy.", "input": "", "output": "Eat well, sleep, move."},
    ]
    (tmp_path / "alpaca_data.json").write_text(json.dumps(rows, indent=4) + "\n")
    summary = dslint.fix(["alpaca_data.json"], "out", unsafe_fixes=True)
    expected = [rows[0], {**rows[1], "input": ""}]
    assert (tmp_path / "out" / "alpaca_data.json").read_text() == json.dumps(expected, indent=4) + "\n"
    assert [(c.rule, c.line) for c in summary.changes] == [("DS805", 7), ("DS201", 12)]
    # An object holding the list, compact: the wrapper stays; a no-op run keeps the bytes.
    wrapped = {"version": "1.0", "data": expected}
    (tmp_path / "wrapped.json").write_bytes(compact := json.dumps(wrapped, separators=(",", ":")).encode())
    again = dslint.fix(["wrapped.json"], "out2", unsafe_fixes=True)
    assert not again.changed and (tmp_path / "out2" / "wrapped.json").read_bytes() == compact
    (tmp_path / "wrapped.json").write_bytes(json.dumps({**wrapped, "data": [*expected, expected[0]]}, separators=(",", ":")).encode())
    dslint.fix(["wrapped.json"], "out3", unsafe_fixes=True)
    assert (tmp_path / "out3" / "wrapped.json").read_bytes() == compact


def test_csv_cells_past_the_default_field_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    monkeypatch.chdir(tmp_path)
    previous = csv.field_size_limit(131072)  # the csv module's default: this process reads no CSV itself
    request.addfinalizer(lambda: csv.field_size_limit(previous))
    long_answer = "word " * 40000  # 200 KB: a chat transcript in one cell
    (tmp_path / "train.csv").write_text(f"prompt,response\nSummarise\ufeff,{long_answer}\nHi\ufeff,Hello\n")
    (tmp_path / "test.csv").write_text("prompt,response\nBye,Goodbye\n")
    summary = dslint.fix(["train.csv", "test.csv"], "out", jobs=2)  # the files are read in workers
    assert (tmp_path / "out" / "train.csv").read_text() == f"prompt,response\nSummarise,{long_answer}\nHi,Hello\n"
    assert [(c.record, c.rule) for c in summary.changes] == [(0, "DS605"), (1, "DS605")]


def test_a_kind_without_writer_is_copied_and_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dslint.fix.runner

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(dslint.fix.runner, "WRITERS", {"jsonl": dslint.fix.runner.WRITERS["jsonl"]})
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.csv").write_bytes(b"text,label\r\nGreat\xef\xbb\xbf film,pos\r\n")
    (tmp_path / "data" / "test.jsonl").write_text(json.dumps({"text": "Dull\ufeff film", "label": "neg"}) + "\n")
    summary = dslint.fix(["data"], "out")
    assert (tmp_path / "out" / "train.csv").read_bytes() == (tmp_path / "data" / "train.csv").read_bytes()
    assert json.loads((tmp_path / "out" / "test.jsonl").read_text())["text"] == "Dull film"
    assert summary.unwritable == ["data/train.csv"]
    assert "left unchanged, dslint fix cannot write this format yet: data/train.csv" in summary.to_text()
