from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import CLEAN_CHATS, write_jsonl

from dslint.paths import PatternError, check_pattern, detect_split, glob_match, match_list, root_relative


@pytest.mark.parametrize(
    ("path", "split"),
    [
        ("train.jsonl", "train"),
        ("data/test/part-00000.parquet", "test"),
        ("foo-val.csv", "validation"),
        ("data/dev_set.jsonl", "validation"),
        ("eval/gsm8k.jsonl", "validation"),
        ("validation/train_extra.jsonl", "train"),  # the file name wins over the folder
        ("data/contest.jsonl", None),  # 'test' inside a word is not a split
        ("data/latest.jsonl", None),
        ("corpus.jsonl", None),
    ],
)
def test_split_from_names(path: str, split: str | None) -> None:
    assert detect_split(path) == split


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.jsonl", "data/a.jsonl", True),
        ("data/*.jsonl", "data/a.jsonl", True),
        ("data/*.jsonl", "x/data/a.jsonl", False),
        ("data/*.jsonl", "data/sub/a.jsonl", False),
        ("data/**/*.jsonl", "data/sub/deep/a.jsonl", True),
        ("data/**/*.jsonl", "data/a.jsonl", True),
        ("legacy", "a/legacy/b.jsonl", True),
        ("data/legacy/", "data/legacy/old/x.csv", True),
        ("train.jsonl", "data/train.jsonl.gz", False),
        ("./data/*.csv", "data/x.csv", True),
        ("data/shard-[0-9].jsonl", "data/shard-3.jsonl", True),
        ("data/shard-[0-9].jsonl", "data/shard-x.jsonl", False),
        ("data/shard-[!0-9].jsonl", "data/shard-x.jsonl", True),
        ("data/part-?.csv", "data/part-7.csv", True),
        ("data/part-?.csv", "data/part-17.csv", False),
        ("/train.jsonl", "train.jsonl", True),
        ("/train.jsonl", "data/train.jsonl", False),
        ("**/test-*.parquet", "snapshots/abc/data/test-00000-of-00001.parquet", True),
    ],
)
def test_glob_match(pattern: str, path: str, expected: bool) -> None:
    assert glob_match(pattern, path) is expected


@pytest.mark.parametrize(
    ("patterns", "path", "expected"),
    [
        (["data/"], "data/raw/x.jsonl", True),
        (["data/", "!data/raw/keep.jsonl"], "data/raw/keep.jsonl", False),
        (["data/", "!data/raw/keep.jsonl"], "data/raw/other.jsonl", True),
        (["!data/raw/keep.jsonl", "data/"], "data/raw/keep.jsonl", True),  # the last match decides
        (["*.jsonl", "!train*", "train-bad.jsonl"], "data/train-bad.jsonl", True),
        ([], "data/x.jsonl", False),
    ],
)
def test_pattern_lists_are_read_like_gitignore(patterns: list[str], path: str, expected: bool) -> None:
    assert match_list(patterns, path) is expected


@pytest.mark.parametrize("pattern", ["!", "", "   ", "# a comment"])
def test_invalid_patterns_are_rejected(pattern: str) -> None:
    with pytest.raises(PatternError):
        check_pattern(pattern)


def test_root_relative_keeps_a_links_own_name(tmp_path: Path) -> None:
    blob = tmp_path / "blobs" / "9f86d08"
    blob.parent.mkdir()
    blob.write_text("x")
    link = tmp_path / "snapshots" / "rev" / "data" / "test-00000-of-00001.parquet"
    link.parent.mkdir(parents=True)
    link.symlink_to(os.path.relpath(blob, link.parent))
    assert root_relative(link, tmp_path) == "snapshots/rev/data/test-00000-of-00001.parquet"
    assert root_relative(blob, tmp_path / "snapshots") == "../blobs/9f86d08"


# Every config key that names files speaks the same language, with the same result.

BROKEN = {"messages": [{"role": "user", "content": "Where is my parcel?"}]}


def shard_repo(root: Path, config: str) -> None:
    (root / "dslint.yaml").write_text(config)
    write_jsonl(root / "data" / "shard-1.jsonl", CLEAN_CHATS[:3] + [BROKEN])
    write_jsonl(root / "data" / "shard-x.jsonl", CLEAN_CHATS[3:] + [BROKEN])


def details(res) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {d["path"]: d for d in res.json()["summary"]["file_details"]}


PATTERN = "data/shard-[0-9].jsonl"


def test_same_pattern_in_exclude(tmp_path: Path, cli) -> None:
    shard_repo(tmp_path, f'exclude: ["{PATTERN}"]\n')
    assert list(details(cli("check", "--format", "json", cwd=tmp_path))) == ["data/shard-x.jsonl"]


def test_same_pattern_in_splits(tmp_path: Path, cli) -> None:
    shard_repo(tmp_path, f'splits:\n  "{PATTERN}": test\n  "data/shard-[!0-9].jsonl": train\n')
    found = details(cli("check", "--format", "json", cwd=tmp_path))
    assert found["data/shard-1.jsonl"]["split"] == "test" and found["data/shard-x.jsonl"]["split"] == "train"


def test_same_pattern_in_formats(tmp_path: Path, cli) -> None:
    shard_repo(tmp_path, f'formats:\n  "{PATTERN}": text\n')
    found = details(cli("check", "--format", "json", cwd=tmp_path))
    assert found["data/shard-1.jsonl"]["format"] == "text" and found["data/shard-x.jsonl"]["format"] == "openai-chat"


def test_same_pattern_in_per_file_ignores(tmp_path: Path, cli) -> None:
    shard_repo(tmp_path, f'per-file-ignores:\n  "{PATTERN}": [DS109]\n')
    res = cli("check", "--format", "json", cwd=tmp_path)
    assert {f["location"]["file"] for f in res.json()["findings"] if f["rule"] == "DS109"} == {"data/shard-x.jsonl"}


def test_patterns_match_the_path_from_the_configs_folder(tmp_path: Path, cli) -> None:
    shard_repo(tmp_path, f'splits:\n  "{PATTERN}": test\n')
    (tmp_path / "src").mkdir()
    found = details(cli("check", "--format", "json", "../data", cwd=tmp_path / "src"))  # config found upward
    assert found["../data/shard-1.jsonl"]["split"] == "test"


def test_symlinked_files_keep_their_own_names_for_patterns_and_splits(tmp_path: Path, cli) -> None:
    """A Hugging Face Hub cache snapshot: the files are links to blobs named by hash."""
    blobs = tmp_path / "blobs"
    write_jsonl(blobs / "4e1243bd22c66e76c2ba9eddc1f91394e57f9f83", CLEAN_CHATS)
    write_jsonl(blobs / "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", CLEAN_CHATS[:1] + [BROKEN])
    data = tmp_path / "snapshots" / "rev1" / "data"
    data.mkdir(parents=True)
    (data / "train-00000-of-00001.jsonl").symlink_to("../../../blobs/4e1243bd22c66e76c2ba9eddc1f91394e57f9f83")
    (data / "test-00000-of-00001.jsonl").symlink_to("../../../blobs/a94a8fe5ccb19ba61c4c0873d391e987982fbbd3")
    (tmp_path / "dslint.yaml").write_text('per-file-ignores:\n  "snapshots/*/data/test-*.jsonl": [DS109]\n')
    res = cli("check", "--format", "json", "snapshots", cwd=tmp_path)
    report = res.json()
    assert res.code == 1
    splits = {d["path"]: d["split"] for d in report["summary"]["file_details"]}
    assert splits == {"snapshots/rev1/data/test-00000-of-00001.jsonl": "test", "snapshots/rev1/data/train-00000-of-00001.jsonl": "train"}
    rules = {(f["rule"], f["location"]["file"]) for f in report["findings"] if f["location"]}
    assert ("DS301", "snapshots/rev1/data/test-00000-of-00001.jsonl") in rules  # a leak, not a mere duplicate
    assert all(rule != "DS109" for rule, _ in rules)


def test_pattern_matching_no_file_is_a_warning_with_key_and_line(tmp_path: Path, cli) -> None:
    shard_repo(tmp_path, 'exclude:\n  - "data/raw/"\nsplits:\n  "data/trian/**": train\nformats:\n  "data/*.csv": text\nper-file-ignores:\n  "data/shard-*.jsonl": [DS109]\n')
    res = cli("check", "--format", "concise", cwd=tmp_path)
    assert res.err.splitlines() == [
        "dslint: warning: pattern 'data/raw/' in 'exclude' at dslint.yaml:2 matches no file",
        "dslint: warning: pattern 'data/trian/**' in 'splits' at dslint.yaml:4 matches no file",
        "dslint: warning: pattern 'data/*.csv' in 'formats' at dslint.yaml:6 matches no file",
    ]


def test_unknown_split_name_is_a_config_error_at_its_entrys_line(tmp_path: Path, cli) -> None:
    shard_repo(tmp_path, 'splits:\n  "data/shard-1.jsonl": train\n  "data/shard-x.jsonl": tset\n')
    res = cli("check", cwd=tmp_path)
    assert res.code == 2
    assert res.err.strip() == (
        "dslint: error: invalid value for 'splits.data/shard-x.jsonl' at dslint.yaml:3: unknown split 'tset'; did you mean 'test'?"
    )


def test_unknown_format_name_is_a_config_error_at_its_entrys_line(tmp_path: Path, cli) -> None:
    shard_repo(tmp_path, 'formats:\n  "data/shard-1.jsonl": text\n  "data/shard-x.jsonl": opneai-chat\n')
    res = cli("check", cwd=tmp_path)
    assert res.code == 2
    assert res.err.strip() == (
        "dslint: error: invalid value for 'formats.data/shard-x.jsonl' at dslint.yaml:3: unknown format 'opneai-chat';"
        " did you mean 'openai-chat'?"
    )


# `paths` speaks the same language: named files and folders, or patterns with `!` negation.


def paths_repo(root: Path, paths: str) -> None:
    (root / "dslint.yaml").write_text(f"paths:\n{paths}")
    for name in ("data/shard-1.jsonl", "data/shard-x.jsonl", "data/old/shard-2.jsonl", "extra/more.jsonl", "data.jsonl"):
        write_jsonl(root / name, CLEAN_CHATS[:2])


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        ('  - "data/shard-[0-9].jsonl"\n', ["data/shard-1.jsonl"]),
        ('  - "data/**/*.jsonl"\n  - "!data/old/"\n', ["data/shard-1.jsonl", "data/shard-x.jsonl"]),
        ('  - "**/shard-*.jsonl"\n  - "!shard-x.jsonl"\n', ["data/old/shard-2.jsonl", "data/shard-1.jsonl"]),
        # A named folder next to a pattern keeps meaning that folder, anchored at the config's.
        ('  - extra\n  - "data/shard-?.jsonl"\n', ["data/shard-1.jsonl", "data/shard-x.jsonl", "extra/more.jsonl"]),
        # Without patterns, entries are paths as always.
        ("  - data/old\n  - data.jsonl\n", ["data.jsonl", "data/old/shard-2.jsonl"]),
    ],
)
def test_config_paths_select_like_gitignore(tmp_path: Path, cli, paths: str, expected: list[str]) -> None:
    paths_repo(tmp_path, paths)
    res = cli("check", "--format", "json", cwd=tmp_path)
    assert res.code == 0, res.err
    assert sorted(details(res)) == expected


def test_config_paths_pattern_matching_nothing_is_a_warning_with_its_line(tmp_path: Path, cli) -> None:
    paths_repo(tmp_path, '  - "data/*.jsonl"\n  - "data/trian/**"\n')
    res = cli("check", "--format", "concise", cwd=tmp_path)
    assert res.code == 0
    assert res.err.splitlines() == ["dslint: warning: pattern 'data/trian/**' in 'paths' at dslint.yaml:3 matches no file"]


def test_config_paths_patterns_also_scope_the_pre_commit_hook(tmp_path: Path, cli) -> None:
    paths_repo(tmp_path, '  - "data/*.jsonl"\n')
    # extra/ is outside the dataset the config names: staging it alone lints nothing.
    res = cli("check", "--pre-commit", "extra/more.jsonl", cwd=tmp_path)
    assert res.code == 0 and "no staged data files" in res.err


def test_split_aliases_are_accepted(tmp_path: Path, cli) -> None:
    shard_repo(tmp_path, 'splits:\n  "data/shard-*.jsonl": dev\n')
    assert {d["split"] for d in details(cli("check", "--format", "json", cwd=tmp_path)).values()} == {"validation"}


def test_invalid_pattern_is_a_config_error(tmp_path: Path, cli) -> None:
    shard_repo(tmp_path, 'exclude: ["!"]\n')
    res = cli("check", cwd=tmp_path)
    assert res.code == 2 and "invalid pattern '!'" in res.err
