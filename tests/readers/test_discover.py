"""discover(): files, folders, globs, stdin, exclusion, ordering and path errors."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from dslint.readers import InputError, Source, discover
from dslint.readers.sources import file_kind


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def touch(*names: str) -> None:
    for name in names:
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{"text": "Hello"}\n', encoding="utf-8")


def shown(sources: list[Source]) -> list[str]:
    return [s.display for s in sources]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("train.jsonl", ("jsonl", None)),
        ("train.ndjson", ("jsonl", None)),
        ("train.JSONL.GZ", ("jsonl", "gzip")),
        ("train.ndjson.gz", ("jsonl", "gzip")),
        ("train.jsonl.zst", ("jsonl", "zstd")),
        ("alpaca_data.json", ("json", None)),
        ("alpaca_data.json.gz", ("json", "gzip")),
        ("alpaca_data.json.zst", ("json", "zstd")),
        ("labels.csv", ("csv", None)),
        ("labels.csv.gz", ("csv", "gzip")),
        ("labels.csv.zst", ("csv", "zstd")),
        ("pairs.tsv", ("tsv", None)),
        ("pairs.tsv.gz", ("tsv", "gzip")),
        ("train-00000-of-00001.parquet", ("parquet", None)),
        ("train.parquet.gz", None),
        ("train.gz", None),
        ("notes.txt", None),
        ("README.md", None),
        ("train.jsonl.bak", None),
    ],
)
def test_file_kind_from_name(name: str, expected: tuple[str, str | None] | None) -> None:
    assert file_kind(name) == expected


def test_folders_are_walked_recursively_and_sorted() -> None:
    touch(
        "data/train.jsonl",
        "data/sft/chat.jsonl.gz",
        "data/eval/test.csv",
        "data/eval/extra/valid.parquet",
        "data-extra/more.jsonl",
        "data/README.md",
        "data/notes.txt",
        "data/.hidden.jsonl",
        "data/.cache/tmp.jsonl",
        "data/node_modules/pkg/fixture.json",
        "data/__pycache__/x.jsonl",
        ".git/objects/x.jsonl",
    )
    sources = discover(["."])
    assert shown(sources) == [
        "data/eval/extra/valid.parquet",
        "data/eval/test.csv",
        "data/sft/chat.jsonl.gz",
        "data/train.jsonl",
        "data-extra/more.jsonl",
    ]
    by_name = {s.display: s for s in sources}
    assert by_name["data/sft/chat.jsonl.gz"] == Source(Path("data/sft/chat.jsonl.gz"), "data/sft/chat.jsonl.gz", "jsonl", "gzip")
    assert by_name["data/eval/test.csv"].kind == "csv"


def test_a_hidden_folder_named_explicitly_is_walked() -> None:
    touch(".cache/train.jsonl")
    assert shown(discover([".cache"])) == [".cache/train.jsonl"]


def test_display_paths_are_relative_to_the_working_folder(tmp_path: Path) -> None:
    touch("data/train.jsonl", "data/test.jsonl")
    assert shown(discover(["./data/train.jsonl", str(tmp_path / "data" / "test.jsonl")])) == [
        "data/test.jsonl",
        "data/train.jsonl",
    ]


def test_paths_outside_the_working_folder_are_shown_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch("shared/eval.jsonl", "project/train.jsonl")
    monkeypatch.chdir(tmp_path / "project")
    absolute = (tmp_path / "shared" / "eval.jsonl").as_posix()
    assert shown(discover(["../shared/eval.jsonl"])) == ["../shared/eval.jsonl"]
    assert shown(discover([absolute])) == [absolute]
    assert shown(discover(["../shared"])) == ["../shared/eval.jsonl"]


def test_duplicates_are_removed() -> None:
    touch("data/train.jsonl", "data/test.jsonl")
    assert shown(discover(["data/train.jsonl", "./data/train.jsonl", "data", "data/*.jsonl"])) == [
        "data/test.jsonl",
        "data/train.jsonl",
    ]


def test_glob_patterns_expand() -> None:
    touch("data/train.jsonl", "data/test.jsonl", "data/labels.csv", "data/shards/a.parquet", "data/shards/deep/b.parquet", "c.parquet")
    assert shown(discover(["data/*.jsonl"])) == ["data/test.jsonl", "data/train.jsonl"]
    assert shown(discover(["**/*.parquet"])) == ["c.parquet", "data/shards/a.parquet", "data/shards/deep/b.parquet"]
    assert shown(discover(["data/sh*"])) == ["data/shards/a.parquet", "data/shards/deep/b.parquet"]


def test_glob_skips_unsupported_files_and_skipped_folders() -> None:
    touch("data/train.jsonl", "data/README.md", "node_modules/pkg/data/x.jsonl")
    assert shown(discover(["data/*"])) == ["data/train.jsonl"]
    assert shown(discover(["**/data/*.jsonl"])) == ["data/train.jsonl"]


def test_glob_matching_nothing_is_an_error() -> None:
    touch("data/train.jsonl", "data/notes.txt")
    with pytest.raises(InputError, match=r"^no data files match: data/\*\.parquet$"):
        discover(["data/*.parquet"])
    with pytest.raises(InputError, match=r"^no data files match: data/\*\.txt$"):
        discover(["data/*.txt"])


def test_dash_means_stdin() -> None:
    touch("train.jsonl")
    sources = discover(["-", "train.jsonl", "-"])
    assert [(s.path, s.display, s.kind, s.compression) for s in sources] == [
        (None, "<stdin>", "jsonl", None),
        (Path("train.jsonl"), "train.jsonl", "jsonl", None),
    ]


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        (["data/raw/"], ["data/clean/train.jsonl", "data/test.csv", "other/raw.jsonl"]),
        (["data/raw"], ["data/clean/train.jsonl", "data/test.csv", "other/raw.jsonl"]),
        (["*.csv"], ["data/clean/train.jsonl", "data/raw/dump.jsonl", "data/raw/sub/old.jsonl", "other/raw.jsonl"]),
        (["**/raw*"], ["data/clean/train.jsonl", "data/test.csv"]),
        (["data/*/*.jsonl"], ["data/test.csv", "other/raw.jsonl"]),  # shell-style: '*' also spans folders
        (["data/*"], ["other/raw.jsonl"]),
    ],
)
def test_exclude_patterns(patterns: list[str], expected: list[str]) -> None:
    touch("data/raw/dump.jsonl", "data/raw/sub/old.jsonl", "data/clean/train.jsonl", "data/test.csv", "other/raw.jsonl")
    assert shown(discover(["."], exclude=patterns)) == expected


def test_exclude_applies_to_files_named_explicitly() -> None:
    touch("data/raw/dump.jsonl", "data/train.jsonl")
    assert shown(discover(["data/raw/dump.jsonl", "data/train.jsonl"], exclude=["data/raw/"])) == ["data/train.jsonl"]


def test_nonexistent_path_is_an_error() -> None:
    touch("data/train.jsonl")
    with pytest.raises(InputError, match=r"^no such file or directory: data/trian\.jsonl$"):
        discover(["data/train.jsonl", "data/trian.jsonl"])


def test_unsupported_explicit_file_is_an_error() -> None:
    touch("notes.txt")
    with pytest.raises(InputError, match=r"^unsupported file type: notes\.txt \(dslint reads \.jsonl, "):
        discover(["notes.txt"])


def test_unreadable_file_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root in CI containers, where chmod does not deny reads: simulate the check.
    touch("data/private.jsonl", "data/public.jsonl")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: "private" not in str(path) and real_access(path, mode))
    assert shown(discover(["data/public.jsonl"])) == ["data/public.jsonl"]
    with pytest.raises(InputError, match=r"^permission denied: data/private\.jsonl$"):
        discover(["data/private.jsonl"])
    # Found by a walk, it is listed: reading it gives a DS100 finding and the run goes on.
    assert shown(discover(["data"])) == ["data/private.jsonl", "data/public.jsonl"]


def test_broken_link_in_a_folder_is_listed_for_a_ds100_finding() -> None:
    touch("data/train.jsonl")
    Path("data/test.jsonl").symlink_to("../elsewhere/test.jsonl")
    assert shown(discover(["data"])) == ["data/test.jsonl", "data/train.jsonl"]
    with pytest.raises(InputError, match=r"^no such file or directory"):
        discover(["data/test.jsonl"])


def test_unreadable_folder_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    touch("data/locked/train.jsonl")
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str] = ".") -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(InputError, match=r"^permission denied: data/locked$"):
        discover(["data"])


def test_sources_survive_pickling_for_worker_processes() -> None:
    touch("data/train.jsonl")
    sources = discover(["data", "-"])
    assert pickle.loads(pickle.dumps(sources)) == sources
