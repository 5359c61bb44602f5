"""Large results come back from pool workers through a file in shared memory: the arrays arrive
whole and writable, the file is gone once read, and whatever cannot take that way goes by the pipe."""

from __future__ import annotations

import os
import pickle
import stat
import time
from pathlib import Path

import numpy as np
import pytest
from planted import in_process_report, report_json, write_dataset

import dslint.engine
from dslint.api import lint
from dslint.executors import handoff
from dslint.executors.base import WorkerDied


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "handoff"
    path.mkdir(mode=0o700)
    return path


def _result() -> dict[str, object]:
    return {
        "hashes": np.arange(300_000, dtype=np.uint64),  # 2.4 MB: over MIN_BYTES
        "rows": np.arange(7, dtype=np.int32),  # an odd size: the next buffer is still aligned
        "fortran": np.asfortranarray(np.arange(12, dtype=np.float64).reshape(3, 4)),
        "texts": np.array(["a", None, "ç"], dtype=object),
        "name": "train.jsonl",
    }


def test_a_large_result_goes_through_the_folder_and_comes_back_whole(folder: Path) -> None:
    original = _result()
    shipped = handoff.pack(original, folder)
    assert isinstance(shipped, handoff.Shipped)
    assert len(pickle.dumps(shipped)) < 10_000  # the arrays are not in what goes by the pipe
    file = Path(shipped.path)
    assert file.parent == folder and stat.S_IMODE(file.stat().st_mode) == 0o600
    back = handoff.unpack(shipped)
    assert not file.exists()  # unlinked once mapped
    assert back.keys() == original.keys() and back["name"] == "train.jsonl"
    for key in ("hashes", "rows", "fortran", "texts"):
        assert back[key].dtype == original[key].dtype
        assert np.array_equal(back[key], original[key])
    assert back["fortran"].flags.f_contiguous
    assert all(back[k].ctypes.data % 8 == 0 for k in ("hashes", "rows", "fortran"))
    back["hashes"][0] = 99  # writable (a private mapping): merges may work in place
    assert back["hashes"][0] == 99


def test_small_results_and_no_folder_go_by_the_pipe(folder: Path) -> None:
    small = {"rows": np.arange(10)}
    assert handoff.pack(small, folder) is small
    large = _result()
    assert handoff.pack(large, None) is large
    assert handoff.unpack(small) is small
    assert not any(folder.iterdir())


def test_without_room_or_when_the_write_fails_the_result_goes_by_the_pipe(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    large = _result()
    monkeypatch.setattr(handoff, "_has_room", lambda folder, size: False)
    assert handoff.pack(large, folder) is large
    monkeypatch.undo()

    class FillsUp:
        """A file whose second write finds the folder full."""

        def __init__(self, fd: int, mode: str) -> None:
            self.file, self.writes = open(fd, mode), 0  # noqa: SIM115

        def write(self, data: object) -> int:
            self.writes += 1
            if self.writes > 1:
                raise OSError(28, "No space left on device")
            return self.file.write(data)

        def __enter__(self) -> FillsUp:
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

    monkeypatch.setattr(handoff, "open", FillsUp, raising=False)
    assert handoff.pack(large, folder) is large
    assert not any(folder.iterdir())  # the half-written file is gone


def test_a_lost_hand_off_is_a_one_line_error(folder: Path) -> None:
    shipped = handoff.pack(_result(), folder)
    Path(shipped.path).unlink()  # /dev/shm cleared under the run
    with pytest.raises(WorkerDied, match="lost from shared memory"):
        handoff.unpack(shipped)


def test_the_folder_is_private_and_removed_with_what_is_left_in_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handoff, "SHARED_MEMORY", tmp_path)
    folder = handoff.open_folder()
    assert folder is not None and folder.parent == tmp_path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    handoff.pack(_result(), folder)  # never unpacked: a worker stopped mid-run
    handoff.close_folder(folder)
    assert not any(tmp_path.iterdir()) and not handoff._locks
    monkeypatch.setattr(handoff, "SHARED_MEMORY", tmp_path / "missing")
    assert handoff.open_folder() is None


def test_folders_of_runs_killed_outright_are_removed_by_the_next_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder nothing holds the lock of, older than a minute, is a killed run's; whatever else
    is in /dev/shm is left alone, and nothing there can fail a run."""
    monkeypatch.setattr(handoff, "SHARED_MEMORY", tmp_path)
    live = handoff.open_folder()  # a run still going: it holds its folder's lock
    orphan = tmp_path / "dslint-4194999999-abc123"  # a huge pid: no matter
    orphan.mkdir()
    (orphan / "1-0").write_bytes(b"x" * 100)
    young = tmp_path / "dslint-1-young"  # made a moment ago: its run may lock it yet
    young.mkdir()
    plain = tmp_path / "dslint-2-file"
    plain.write_text("not a folder")
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "dslint-3-link").symlink_to(target)
    odd = tmp_path / "dslint-²-x"
    odd.mkdir()
    an_hour_ago = time.time() - 3600
    for path in (live, orphan, odd):
        os.utime(path, (an_hour_ago, an_hour_ago))
    os.utime(tmp_path / "dslint-3-link", (an_hour_ago, an_hour_ago), follow_symlinks=False)
    folder = handoff.open_folder()
    assert folder is not None and folder != live
    assert not orphan.exists() and not odd.exists()  # unlocked and old: a killed run's
    assert live.is_dir() and young.is_dir() and plain.is_file() and target.is_dir() and (tmp_path / "dslint-3-link").is_symlink()
    handoff.close_folder(folder)
    handoff.close_folder(live)
    assert not live.exists()


def test_the_pool_gives_the_in_process_report_when_every_result_is_handed_off(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = write_dataset(tmp_path_factory.mktemp("planted"))
    reference = in_process_report(dataset)
    shared = tmp_path_factory.mktemp("shm")
    monkeypatch.setattr(handoff, "SHARED_MEMORY", shared)
    monkeypatch.setattr(handoff, "MIN_BYTES", 0)  # the workers are forked: they see it too
    monkeypatch.setattr(dslint.engine, "SHARD_MIN_BYTES", 1024)
    unpacked: list[object] = []
    unpack = handoff.unpack
    monkeypatch.setattr(handoff, "unpack", lambda item: unpacked.append(item) or unpack(item))
    monkeypatch.chdir(dataset)
    assert report_json(lint(".", select=["ALL"], cache=False, executor="pool", jobs=2), "pool") == reference
    assert len(unpacked) > 2 and all(isinstance(item, handoff.Shipped) for item in unpacked)
    assert not any(shared.iterdir())  # the run's folder is gone
