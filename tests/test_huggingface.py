"""Hugging Face layouts (Hub cache snapshots, save_to_disk folders, shard names) and
``dslint.lint()`` on data in memory: lists of dicts, DataFrames, ``datasets`` objects."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import CLEAN_CHATS, chat, write_jsonl

import dslint

datasets = pytest.importorskip("datasets", reason="the datasets extra (pip install dslint[datasets]); .ci/run installs it")

MULTILINGUAL = [json.loads(line) for line in (Path(__file__).parent / "data" / "clean_multilingual.jsonl").read_text("utf-8").splitlines()]
TRAIN = CLEAN_CHATS + MULTILINGUAL[:8]
TEST = MULTILINGUAL[8:] + [TRAIN[2]]  # the last test row leaks a train row
BROKEN = {"messages": [{"role": "user", "content": "Where is my parcel?"}]}


def identity(report: dslint.Report) -> list[tuple]:
    """What a finding says, apart from how its input is named: rule, split, record, field,
    severity, fingerprint."""
    return sorted(
        (f.rule, f.location.split if f.location else None, f.location.record if f.location else None,
         f.location.field if f.location else None, f.severity.value, f.fingerprint)
        for f in report.findings
    )


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dslint.Report:
    """The reference: the same data as JSON Lines files."""
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "data" / "train.jsonl", TRAIN + [BROKEN])
    write_jsonl(tmp_path / "data" / "test.jsonl", TEST)
    return dslint.lint(["data"])


def test_reference_run_has_the_planted_defects(files: dslint.Report) -> None:
    assert {"DS301", "DS109"} <= {f.rule for f in files.findings}
    assert not files.passed


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda rows: rows, id="list-of-dicts"),
        pytest.param(pd.DataFrame, id="pandas"),
        pytest.param(pl.DataFrame, id="polars"),
        pytest.param(pa.Table.from_pylist, id="pyarrow"),
        pytest.param(datasets.Dataset.from_list, id="datasets"),
    ],
)
def test_objects_in_memory_give_the_same_findings_as_files(files: dslint.Report, make) -> None:  # type: ignore[no-untyped-def]
    report = dslint.lint({"train": make(TRAIN + [BROKEN]), "test": make(TEST)})
    assert identity(report) == identity(files)
    assert report.passed == files.passed
    assert [(d.path, d.split, d.records) for d in report.summary.file_details] == [("<test>", "test", 5), ("<train>", "train", 14)]


def test_dataset_dict_splits_come_from_its_keys(files: dslint.Report) -> None:
    dd = datasets.DatasetDict({"train": datasets.Dataset.from_list(TRAIN + [BROKEN]), "test": datasets.Dataset.from_list(TEST)})
    report = dslint.lint(dd)
    assert identity(report) == identity(files)
    leak = next(f for f in report.findings if f.rule == "DS301")
    assert leak.location.file == "<test>" and leak.related[0].file == "<train>"


def test_a_single_object_is_one_unsplit_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    rows = CLEAN_CHATS + [BROKEN, "not a record"]
    write_jsonl(tmp_path / "rows.jsonl", rows)
    expected = identity(dslint.lint("rows.jsonl"))
    assert {f[0] for f in expected} >= {"DS109", "DS103"}
    for obj in (rows, datasets.Dataset.from_list([r for r in rows if isinstance(r, dict)])):
        report = dslint.lint(obj)
        if isinstance(obj, list):
            assert identity(report) == expected
        assert report.summary.file_details[0].path in ("<records>", "<Dataset>")


def test_paths_are_still_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "a.jsonl", CLEAN_CHATS)
    assert dslint.lint(["a.jsonl"]).summary.files == 1
    assert dslint.lint([Path("a.jsonl")]).summary.files == 1
    assert dslint.lint("a.jsonl").summary.records == 5


def test_save_to_disk_folder_with_a_planted_leak_fails_the_gate(tmp_path: Path, cli) -> None:
    dd = datasets.DatasetDict({"train": datasets.Dataset.from_list(TRAIN), "test": datasets.Dataset.from_list(TEST)})
    dd.save_to_disk(str(tmp_path / "chat_ds"))
    res = cli("check", "chat_ds", "--format", "json", cwd=tmp_path)
    report = res.json()
    assert res.code == 1
    assert {(d["path"].rsplit("/", 1)[0], d["split"], d["records"]) for d in report["summary"]["file_details"]} == {
        ("chat_ds/train", "train", 13),
        ("chat_ds/test", "test", 5),
    }
    leaks = [f for f in report["findings"] if f["rule"] == "DS301"]
    assert len(leaks) == 1 and leaks[0]["severity"] == "error" and leaks[0]["location"]["file"].startswith("chat_ds/test/")
    # dataset_dict.json, dataset_info.json and state.json are metadata, not data
    assert sorted(report["summary"]["skipped"]) == [
        "chat_ds/dataset_dict.json",
        "chat_ds/test/dataset_info.json",
        "chat_ds/test/state.json",
        "chat_ds/train/dataset_info.json",
        "chat_ds/train/state.json",
    ]


def test_a_saved_single_dataset_takes_its_split_from_state_json(tmp_path: Path, cli) -> None:
    datasets.Dataset.from_list(TEST, split="test").save_to_disk(str(tmp_path / "heldout_v2"))
    write_jsonl(tmp_path / "sft.jsonl", TRAIN)
    report = cli("check", ".", "--format", "json", cwd=tmp_path).json()
    splits = {d["path"]: d["split"] for d in report["summary"]["file_details"]}
    assert [split for path, split in splits.items() if path.endswith(".arrow")] == ["test"]


def test_hub_cache_snapshot_of_parquet_links_keeps_splits(tmp_path: Path, cli) -> None:
    """models--…/datasets--org--name/snapshots/<rev>/data/<split>-00000-of-00001.parquet -> blobs."""
    repo = tmp_path / "datasets--acme--support-chat"
    blobs = repo / "blobs"
    blobs.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(TRAIN), blobs / "0f3c1a9d2b")
    pq.write_table(pa.Table.from_pylist(TEST), blobs / "7e55b2c4aa")
    data = repo / "snapshots" / "3b1e0c2" / "data"
    data.mkdir(parents=True)
    (data / "train-00000-of-00001.parquet").symlink_to("../../../blobs/0f3c1a9d2b")
    (data / "test-00000-of-00001.parquet").symlink_to("../../../blobs/7e55b2c4aa")
    res = cli("check", str(repo.relative_to(tmp_path)), "--format", "json", cwd=tmp_path)
    report = res.json()
    assert res.code == 1
    assert sorted(d["split"] for d in report["summary"]["file_details"]) == ["test", "train"]
    leak = next(f for f in report["findings"] if f["rule"] == "DS301")
    assert leak["severity"] == "error" and leak["location"]["file"].endswith("data/test-00000-of-00001.parquet")


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("data/train-00000-of-00004.parquet", "train"),
        ("data/validation-00002-of-00003.parquet", "validation"),
        ("data/test-00000-of-00001.parquet", "test"),
        ("default/partial-train/0000.parquet", "train"),
    ],
)
def test_shard_names_give_splits(tmp_path: Path, cli, name: str, split: str) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([chat("Hello?", "Hello, how can I help?")]), path)
    report = cli("check", name, "--format", "json", cwd=tmp_path).json()
    assert report["summary"]["file_details"][0]["split"] == split


def test_corrupt_arrow_file_is_a_finding(tmp_path: Path, cli) -> None:
    (tmp_path / "data-00000-of-00001.arrow").write_bytes(b"\xff\xff\xff\xff garbage")
    res = cli("check", "data-00000-of-00001.arrow", cwd=tmp_path)
    assert res.code == 1 and "DS100" in res.out and "not a readable Arrow IPC file" in res.out
