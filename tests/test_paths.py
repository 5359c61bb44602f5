from __future__ import annotations

import pytest

from dslint.paths import detect_split, glob_match


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
    ],
)
def test_glob_match(pattern: str, path: str, expected: bool) -> None:
    assert glob_match(pattern, path) is expected
