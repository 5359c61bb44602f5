"""gzip and zstd input: the same records as the plain file, and broken streams as DS100 issues."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
import zstandard
from readers_util import ALPACA, CHATS, jsonl_bytes, read_all, records, shape

MANY = [dict(ALPACA[i % 3], id=i) for i in range(3000)]  # ~400 KB: several zstd blocks


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def compress(data: bytes, how: str) -> bytes:
    return gzip.compress(data) if how == "gzip" else zstandard.ZstdCompressor().compress(data)


def csv_bytes(rows: list[dict], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize(("suffix", "how"), [(".gz", "gzip"), (".zst", "zstd")])
@pytest.mark.parametrize("name", ["train.jsonl", "train.ndjson"])
def test_compressed_json_lines_match_plain(name: str, suffix: str, how: str) -> None:
    plain = jsonl_bytes(CHATS) + b"\n" + b"[1, 2]\n"
    Path(name).write_bytes(plain)
    Path(name + suffix).write_bytes(compress(plain, how))
    assert shape(read_all(name + suffix)) == shape(read_all(name)) == [*(("record", i + 1, i) for i in range(5)), ("DS103", 7, 5)]
    assert records(read_all(name + suffix)) == CHATS


@pytest.mark.parametrize(("suffix", "how"), [(".gz", "gzip"), (".zst", "zstd")])
def test_compressed_json_csv_and_tsv(suffix: str, how: str) -> None:
    Path("chats.json" + suffix).write_bytes(compress(json.dumps(CHATS, indent=2).encode(), how))
    Path("tasks.csv" + suffix).write_bytes(compress(csv_bytes(ALPACA), how))
    Path("tasks.tsv" + suffix).write_bytes(compress(csv_bytes(ALPACA, "\t"), how))
    assert records(read_all("chats.json" + suffix)) == CHATS
    assert records(read_all("tasks.csv" + suffix)) == ALPACA
    assert records(read_all("tasks.tsv" + suffix)) == ALPACA


def test_concatenated_zstd_frames_are_all_read() -> None:
    first, second = jsonl_bytes(CHATS[:2]), jsonl_bytes(CHATS[2:])
    Path("train.jsonl.zst").write_bytes(compress(first, "zstd") + compress(second, "zstd"))
    assert records(read_all("train.jsonl.zst")) == CHATS


@pytest.mark.parametrize(("suffix", "how"), [(".gz", "gzip"), (".zst", "zstd")])
def test_truncated_stream_ends_with_an_issue_after_the_records_read(suffix: str, how: str) -> None:
    packed = compress(jsonl_bytes(MANY), how)
    Path("train.jsonl" + suffix).write_bytes(packed[: len(packed) // 2])
    items = read_all("train.jsonl" + suffix)
    *good, last = items
    assert 0 < len(good) < len(MANY)
    assert records(good) == MANY[: len(good)]
    assert (last.rule, last.index, last.line) == ("DS100", len(good), len(good) + 1)
    assert last.message == f"cannot read past line {len(good)}: the compressed stream ends early (truncated file)"


def test_corrupt_gzip_is_an_issue() -> None:
    packed = bytearray(gzip.compress(jsonl_bytes(MANY)))
    packed[len(packed) // 2] ^= 0xFF
    Path("train.jsonl.gz").write_bytes(bytes(packed))
    last = read_all("train.jsonl.gz")[-1]
    assert last.rule == "DS100"
    assert "corrupt gzip data" in last.message


def test_plain_file_with_gz_extension_is_an_issue() -> None:
    Path("train.jsonl.gz").write_bytes(jsonl_bytes(CHATS))
    (issue,) = read_all("train.jsonl.gz")
    assert (issue.rule, issue.index) == ("DS100", 0)
    assert issue.message == "cannot read past line 0: not a gzip file"


def test_truncated_json_document_is_an_issue() -> None:
    packed = gzip.compress(json.dumps(MANY).encode())
    Path("tasks.json.gz").write_bytes(packed[:-20])
    (issue,) = read_all("tasks.json.gz")
    assert issue.rule == "DS100"
    assert issue.message == "cannot read file: the compressed stream ends early (truncated file)"


@pytest.mark.parametrize(("suffix", "how"), [(".gz", "gzip"), (".zst", "zstd")])
def test_compressed_empty_file_yields_nothing(suffix: str, how: str) -> None:
    Path("train.jsonl" + suffix).write_bytes(compress(b"", how))
    assert read_all("train.jsonl" + suffix) == []


def test_zero_padding_after_gzip_members_is_allowed() -> None:
    packed = compress(jsonl_bytes(CHATS[:2]), "gzip") + compress(jsonl_bytes(CHATS[2:]), "gzip") + b"\0" * 512
    Path("train.jsonl.gz").write_bytes(packed)
    assert records(read_all("train.jsonl.gz")) == CHATS


def test_garbage_after_the_stream_is_an_issue_after_its_records() -> None:
    Path("train.jsonl.gz").write_bytes(compress(jsonl_bytes(CHATS), "gzip") + b"junk appended by a bad upload")
    items = read_all("train.jsonl.gz")
    assert records(items) == CHATS
    assert (items[-1].rule, items[-1].index, items[-1].message) == ("DS100", 5, "cannot read past line 5: corrupt gzip data")


def test_highly_repetitive_zstd_file_reads_completely() -> None:
    line = jsonl_bytes(CHATS[:1])
    Path("dupes.jsonl.zst").write_bytes(zstandard.ZstdCompressor(level=19).compress(line * 20_000))
    items = read_all("dupes.jsonl.zst")
    assert len(items) == 20_000
    assert items[-1].line == 20_000 and items[-1].data == CHATS[0]
