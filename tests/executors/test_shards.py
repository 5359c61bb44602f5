"""Shards of large Parquet files (runs of row groups), Arrow files (runs of record batches) and
JSON Lines read through fsspec (byte ranges): the whole-file report byte for byte (apart from the
executor it names) in this process and in a pool, through the per-file cache too, also when a
corrupt row group stops the reading."""

from __future__ import annotations

import json
from pathlib import Path

import fsspec
import pytest
from fsspec.implementations.memory import MemoryFileSystem
from fsspec.spec import AbstractBufferedFile
from planted import report_json
from sharded import GROUP_ROWS, ROWS, arrow_bytes, corrupt_row_group, jsonl_bytes, parquet_bytes, problem_rows

import dslint.engine
from dslint.api import lint
from dslint.cache import CACHE_FOLDER
from dslint.engine import FilePlan, shard_plans
from dslint.executors.inprocess import InProcessExecutor
from dslint.readers import discover
from dslint.readers.arrow import plan_batches
from dslint.readers.parquet import plan_row_groups


@pytest.fixture
def shards_of():
    """Runs where a file of over 1 KB is cut into ``parts`` shards, in this process or a pool."""

    def run(target: str, parts: int, executor: str) -> str:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(dslint.engine, "SHARD_MIN_BYTES", 1024)
            patch.setattr(InProcessExecutor, "parts", property(lambda self: parts))
            return report_json(lint(target, select=["ALL"], cache=False, executor=executor, jobs=parts), executor)

    return run


def whole(target: str) -> str:
    return report_json(lint(target, select=["ALL"], cache=False, executor="inprocess"))


def plans(target: str, parts: int, monkeypatch: pytest.MonkeyPatch) -> list[FilePlan]:
    monkeypatch.setattr(dslint.engine, "SHARD_MIN_BYTES", 1024)
    return shard_plans([FilePlan(s, s.display, None, None) for s in discover([target])], parts, None)


def test_row_group_runs_cover_the_file_in_order(tmp_path: Path) -> None:
    path = tmp_path / "train.parquet"
    path.write_bytes(parquet_bytes(problem_rows(ROWS, 1)))
    source = discover([str(path)])[0]
    runs = plan_row_groups(source, 4, path.stat().st_size)
    assert runs is not None and len(runs) == 4
    assert (runs[0].start, runs[-1].end) == (0, ROWS // GROUP_ROWS)
    assert all(a.end == b.start for a, b in zip(runs, runs[1:]))
    assert [r.first_index for r in runs] == [r.start * GROUP_ROWS for r in runs]
    assert sum(r.stored for r in runs) == path.stat().st_size  # the progress meter's total stays the file's size
    assert sorted(r.end - r.start for r in runs) == [3, 3, 4, 4]  # similar sizes
    single = tmp_path / "single.parquet"
    single.write_bytes(parquet_bytes(problem_rows(50, 1), group_rows=100))
    assert plan_row_groups(discover([str(single)])[0], 4, 1) is None  # one row group: nothing to cut


@pytest.mark.parametrize(("parts", "executor"), [(2, "inprocess"), (3, "pool"), (5, "inprocess")])
def test_parquet_shards_give_the_whole_file_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shards_of, parts: int, executor: str
) -> None:
    (tmp_path / "train.parquet").write_bytes(parquet_bytes(problem_rows(ROWS, 1)))
    (tmp_path / "test.parquet").write_bytes(parquet_bytes(problem_rows(120, 2)))
    monkeypatch.chdir(tmp_path)
    assert [p.row_groups is not None for p in plans(".", parts, monkeypatch)] == [True] * (min(parts, 4) + parts)
    reference = whole(".")
    found = json.loads(reference)["summary"]["by_rule"]
    assert {"DS108", "DS201", "DS203", "DS301"} <= set(found)  # missing values, duplicates, leakage
    assert shards_of(".", parts, executor) == reference


def test_a_corrupt_row_group_stops_reading_there_whole_or_sharded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shards_of
) -> None:
    (tmp_path / "train.parquet").write_bytes(corrupt_row_group(parquet_bytes(problem_rows(ROWS, 1)), 6))
    monkeypatch.chdir(tmp_path)
    reference = whole(".")
    report = json.loads(reference)
    assert report["summary"]["records"] == 6 * GROUP_ROWS  # the row groups before the corrupt one
    assert [f["message"][:25] for f in report["findings"] if f["rule"] == "DS100"] == ["cannot read past row 180:"]
    for parts in (2, 3, 5):  # the corrupt row group starts, ends or sits inside a shard
        assert shards_of(".", parts, "inprocess") == reference


@pytest.mark.parametrize(("stream", "executor"), [(True, "pool"), (False, "inprocess")])
def test_arrow_record_batch_shards_give_the_whole_file_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shards_of, stream: bool, executor: str
) -> None:
    """``save_to_disk`` folders hold Arrow IPC streams; the random-access file format is cut too."""
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "data-00000-of-00001.arrow").write_bytes(arrow_bytes(problem_rows(ROWS, 1), stream=stream))
    (tmp_path / "train" / "state.json").write_text('{"_split": "train"}')
    (tmp_path / "test.arrow").write_bytes(arrow_bytes(problem_rows(120, 2), stream=stream))
    monkeypatch.chdir(tmp_path)
    cut = plans(".", 3, monkeypatch)
    runs = [(p.source.display, p.row_groups.end - p.row_groups.start) for p in cut if p.row_groups]
    assert [name for name, _ in runs] == ["test.arrow"] * 3 + ["train/data-00000-of-00001.arrow"] * 3
    assert sum(n for _, n in runs) == 4 + ROWS // GROUP_ROWS  # every batch in one run
    reference = whole(".")
    assert {"DS108", "DS201", "DS301"} <= set(json.loads(reference)["summary"]["by_rule"])  # DS301: leakage across splits
    assert shards_of(".", 3, executor) == reference


@pytest.fixture
def memory_files():
    """Files in this process's memory:// (a pool's forked workers see them too)."""
    fs = fsspec.filesystem("memory")
    written: list[str] = []

    def put(name: str, data: bytes) -> str:
        fs.pipe(f"/dslint-shards/{name}", data)
        written.append(f"/dslint-shards/{name}")
        return "memory://dslint-shards/"

    yield put
    for path in written:
        fs.rm(path)


@pytest.mark.parametrize(("parts", "executor"), [(2, "pool"), (4, "inprocess")])
def test_url_json_lines_and_parquet_shards_give_the_whole_file_report(
    memory_files, monkeypatch: pytest.MonkeyPatch, shards_of, parts: int, executor: str
) -> None:
    memory_files("train.jsonl", jsonl_bytes())
    url = memory_files("test.parquet", parquet_bytes(problem_rows(200, 3)))
    cut = plans(url, parts, monkeypatch)
    assert [(p.source.kind, p.byte_range is not None or p.row_groups is not None) for p in cut] == [
        ("parquet", True)
    ] * parts + [("jsonl", True)] * parts
    memory_files("validation.arrow", arrow_bytes(problem_rows(200, 5)))
    assert plan_batches(discover([f"{url}validation.arrow"])[0], parts, 0) is None  # finding a stream's batches reads it all
    reference = whole(url)
    assert {"DS101", "DS103", "DS201", "DS302"} <= set(json.loads(reference)["summary"]["by_rule"])  # DS302: near leakage
    assert shards_of(url, parts, executor) == reference


class SizelessFileSystem(MemoryFileSystem):
    """A file system that reports no sizes (as some HTTP servers do)."""

    protocol = "sizeless"

    @classmethod
    def _strip_protocol(cls, path: str) -> str:  # type: ignore[override]
        return super()._strip_protocol(path.replace("sizeless://", "memory://", 1))

    def size(self, path: str) -> None:  # type: ignore[override]
        return None


def test_a_url_without_a_size_is_read_whole(memory_files, monkeypatch: pytest.MonkeyPatch, shards_of) -> None:
    fsspec.register_implementation("sizeless", SizelessFileSystem, clobber=True)
    memory_files("train.jsonl", jsonl_bytes())  # the memory file systems share one store
    url = "sizeless://dslint-shards/"
    assert len(plans(url, 3, monkeypatch)) == 1
    assert shards_of(url, 3, "inprocess") == whole(url)


class _Block(AbstractBufferedFile):
    def _fetch_range(self, start: int, end: int) -> bytes:
        return self.fs.store[self.path].getvalue()[start:end]


class ObjectStoreFileSystem(MemoryFileSystem):
    """memory:// files read as s3fs, gcsfs and hf read objects: range requests behind fsspec's
    buffered file, whose ``readline`` takes no size and copies a block per line."""

    protocol = "objectstore"

    @classmethod
    def _strip_protocol(cls, path: str) -> str:  # type: ignore[override]
        return super()._strip_protocol(path.replace("objectstore://", "memory://", 1))

    def _open(self, path: str, mode: str = "rb", block_size: int | None = None, **kwargs: object) -> _Block:  # type: ignore[override]
        path = self._strip_protocol(path)
        return _Block(self, path, mode, block_size=block_size or 4096, size=self.size(path))


def test_object_store_files_are_read_whole_and_in_shards(memory_files, monkeypatch: pytest.MonkeyPatch, shards_of) -> None:
    fsspec.register_implementation("objectstore", ObjectStoreFileSystem, clobber=True)
    memory_files("train.jsonl", jsonl_bytes())
    memory_files("test.parquet", parquet_bytes(problem_rows(200, 3)))
    url = "objectstore://dslint-shards/"
    assert len(plans(url, 3, monkeypatch)) == 6
    reference = whole(url)
    assert reference == whole("memory://dslint-shards/").replace("memory://", "objectstore://")
    assert json.loads(reference)["summary"]["records"] == 396 + 200
    assert shards_of(url, 3, "inprocess") == reference


@pytest.mark.parametrize("jobs", ["1", "3"])
def test_the_cache_keeps_one_entry_per_sharded_parquet_file(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    monkeypatch.delenv("DSLINT_NO_CACHE")
    (tmp_path / "train.parquet").write_bytes(parquet_bytes(problem_rows(ROWS, 1)))
    (tmp_path / "test.parquet").write_bytes(corrupt_row_group(parquet_bytes(problem_rows(120, 2)), 2))
    monkeypatch.setattr(dslint.engine, "SHARD_MIN_BYTES", 1024)  # -j3 cuts both files in three

    def report(*args: str) -> tuple[dict, dict | None]:
        result = cli("check", ".", "--format", "json", "--select", "ALL", "--exit-zero", *args, cwd=tmp_path)
        data = result.json()
        data["tool"].pop("executor")
        return data, data["summary"].pop("cache")

    uncached, _ = report("--no-cache", "--jobs", "1")
    cold, counts = report("--jobs", jobs)
    assert counts == {"hits": 0, "misses": 2}
    # per file, however many shards: its findings and its states; and the run's entry
    assert len([p for p in (tmp_path / CACHE_FOLDER).rglob("*") if p.is_file() and len(p.name) == 40]) == 5
    for warm_jobs in ("1", "3"):
        warm, counts = report("--jobs", warm_jobs)
        assert counts == {"hits": 2, "misses": 0}
        assert warm == cold == uncached
    assert {"DS100", "DS201", "DS301"} <= {f["rule"] for f in uncached["findings"]}
