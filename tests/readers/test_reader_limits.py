"""Readers end and stay bounded: concatenated gzip members and zstd frames are read exactly once,
a record over the maximum record size is a DS123 finding (reading goes on) and does not take
memory in proportion to its size, and inputs read whole (baseline, config) have size limits."""

from __future__ import annotations

import gzip
import json
import random
import tracemalloc
from pathlib import Path

import pytest
import zstandard

from dslint.readers import discover, read_source
from dslint.record import ReadIssue, Record
from conftest import CLEAN_CHATS, write_jsonl
from readers_util import chat, jsonl_bytes


def _rows(n: int, seed: int) -> list[dict]:
    """Chat rows of random words, so that gzip members stay large (over 128 KiB compressed)."""
    rng = random.Random(seed)
    words = [f"w{rng.getrandbits(40):x}" for _ in range(5000)]
    return [chat(" ".join(rng.choices(words, k=30)), " ".join(rng.choices(words, k=60))) for _ in range(n)]


def _read(path: Path, max_record: int | None = None) -> list[Record | ReadIssue]:
    (source,) = discover([str(path)])
    return list(read_source(source) if max_record is None else read_source(source, max_record=max_record))


def test_concatenated_large_gzip_members_are_read_exactly_once(tmp_path: Path) -> None:
    first, second = _rows(600, 1), _rows(700, 2)
    members = [gzip.compress(jsonl_bytes(first)), gzip.compress(jsonl_bytes(second))]
    assert min(map(len, members)) > 128 << 10  # the size at which the bytes after a member were read twice
    path = tmp_path / "train.jsonl.gz"
    path.write_bytes(b"".join(members))
    items = _read(path)
    assert all(isinstance(i, Record) for i in items)
    assert [r.data for r in items] == first + second  # type: ignore[union-attr]


def test_many_zstd_frames_are_read_exactly_once(tmp_path: Path) -> None:
    parts = [_rows(50, seed) for seed in range(6)]
    path = tmp_path / "train.jsonl.zst"
    path.write_bytes(b"".join(zstandard.ZstdCompressor().compress(jsonl_bytes(p)) for p in parts))
    assert [r.data for r in _read(path)] == [row for p in parts for row in p]  # type: ignore[union-attr]


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".csv"])
def test_an_oversized_record_is_a_finding_and_reading_goes_on(tmp_path: Path, suffix: str) -> None:
    limit = 1 << 16
    huge = "x" * (3 * limit)
    if suffix == ".csv":
        data = f"text,label\nfirst,a\n{huge},b\nlast,c\n".encode()
    else:
        data = jsonl_bytes([{"text": "first"}, {"text": huge}, {"text": "last"}])
    path = tmp_path / f"train{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    items = _read(path, max_record=limit)
    kinds = [(type(i).__name__, i.index, i.line) for i in items]
    assert kinds == [("Record", 0, 2 if suffix == ".csv" else 1), ("ReadIssue", 1, 3 if suffix == ".csv" else 2), ("Record", 2, 4 if suffix == ".csv" else 3)]
    issue = items[1]
    assert isinstance(issue, ReadIssue) and issue.rule == "DS123"
    assert "over the maximum record size of 0.0625 MB" in issue.message
    assert items[2].data["text"] == "last"  # type: ignore[union-attr]


def test_memory_on_a_huge_line_is_bounded_by_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    line_bytes = 24 << 20
    with path.open("wb") as fh:
        fh.write(b'{"text": "')
        chunk = b"y" * (1 << 20)
        for _ in range(line_bytes >> 20):
            fh.write(chunk)
        fh.write(b'"}\n' + jsonl_bytes([{"text": "after"}]))
    tracemalloc.start()
    try:
        items = _read(path, max_record=1 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [getattr(i, "rule", "record") for i in items] == ["DS123", "record"]
    assert peak < 4 << 20, peak  # a few times the 1 MB limit, not the 24 MB line


def test_max_record_size_comes_from_the_config(cli, tmp_path: Path) -> None:
    (tmp_path / "dslint.yaml").write_text("max-record-size: 1\n")
    rows = [*CLEAN_CHATS[:2], {"messages": [{"role": "user", "content": "z" * (2 << 20)}]}, CLEAN_CHATS[2]]
    write_jsonl(tmp_path / "train.jsonl", rows)
    res = cli("check", "train.jsonl", "--format", "json", cwd=tmp_path)
    report = json.loads(res.out)
    assert res.code == 1
    assert [(f["rule"], f["location"]["line"]) for f in report["findings"] if f["rule"] == "DS123"] == [("DS123", 3)]
    assert report["summary"]["records"] == 3


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "big"])
def test_inputs_read_whole_have_a_limit(cli, tmp_path: Path, target: str) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    if target == "fifo":
        import os

        os.mkfifo(tmp_path / "fifo")  # nobody writes to it: reading would block forever
    elif target == "big":
        with (tmp_path / "big").open("wb") as fh:
            fh.truncate((16 << 20) + 1)  # sparse: over the config limit without using the disk
    for args in (["--baseline", target], ["--config", target]):
        res = cli("check", "train.jsonl", *args, cwd=tmp_path)
        assert res.code == 2, (args, res.err)
        assert len(res.err.strip().splitlines()) == 1


def test_an_extended_device_file_is_refused(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "train.jsonl", CLEAN_CHATS)
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    (tmp_path / "dslint.yaml").write_text("extends: [zero.yaml]\n")
    res = cli("check", "train.jsonl", cwd=tmp_path)
    assert res.code == 2 and len(res.err.strip().splitlines()) == 1
