"""discover(): files, folders, globs, stdin, exclusion, ordering and path errors."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from conftest import write_jsonl

from dslint.readers import InputError, Source, discover
from dslint.readers.sources import discover_inputs, file_kind


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
        (["data/*/*.jsonl"], ["data/raw/sub/old.jsonl", "data/test.csv", "other/raw.jsonl"]),  # '*' stays in a folder
        (["data/**/*.jsonl"], ["data/test.csv", "other/raw.jsonl"]),
        (["data/*"], ["other/raw.jsonl"]),
        (["data/", "!data/clean/"], ["data/clean/train.jsonl", "other/raw.jsonl"]),  # ! re-includes
        (["*.jsonl", "!train.jsonl"], ["data/clean/train.jsonl", "data/test.csv"]),
        (["data/[a-m]*/"], ["data/raw/dump.jsonl", "data/raw/sub/old.jsonl", "data/test.csv", "other/raw.jsonl"]),  # a character class
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


# What counts as data: ignore files, environments and tool folders, non-data JSON, dslint's output.


def write(name: str, text: str) -> None:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_gitignore_is_honoured_with_nesting_and_negation() -> None:
    Path(".git").mkdir()
    write(".gitignore", "outputs/\n*.tmp.jsonl\n/scratch.jsonl\n")
    write("data/.gitignore", "raw/*\n!raw/keep.jsonl\n")
    touch(
        "data/train.jsonl",
        "data/raw/dump.jsonl",
        "data/raw/keep.jsonl",
        "data/cache.tmp.jsonl",
        "outputs/preds.jsonl",
        "data/outputs/preds.jsonl",
        "scratch.jsonl",
        "data/scratch.jsonl",
    )
    expected = ["data/raw/keep.jsonl", "data/scratch.jsonl", "data/train.jsonl"]
    assert shown(discover(["."])) == expected
    assert shown(discover(["data"])) == expected  # the root .gitignore still applies below it
    assert shown(discover(["**/*.jsonl"])) == expected
    everything = discover_inputs(["."], use_ignore_files=False).sources
    assert len(everything) == 8


def test_gitignore_above_the_repository_root_does_not_apply(tmp_path: Path) -> None:
    write(".gitignore", "*.jsonl\n")  # outside the repository below
    Path("project/.git").mkdir(parents=True)
    touch("project/data/train.jsonl")
    assert shown(discover(["project"])) == ["project/data/train.jsonl"]


def test_dslintignore_adds_to_and_overrides_gitignore() -> None:
    write(".gitignore", "generated/\n")
    write(".dslintignore", "data/synthetic/\n!generated/\n")
    touch("data/train.jsonl", "data/synthetic/gen.jsonl", "generated/eval.jsonl")
    assert shown(discover(["."])) == ["data/train.jsonl", "generated/eval.jsonl"]


def test_explicit_file_is_read_even_when_ignored() -> None:
    write(".gitignore", "*.jsonl\n")
    touch("data/train.jsonl")
    assert shown(discover(["data/train.jsonl"])) == ["data/train.jsonl"]
    assert shown(discover(["data/train.jsonl", "data"])) == ["data/train.jsonl"]


def test_hostile_ignore_file_is_not_fatal() -> None:
    Path(".gitignore").write_bytes(b"!\n\xff\xfe[\n**/skip/\n\x00\n")
    touch("data/train.jsonl", "data/skip/x.jsonl")
    assert shown(discover(["."])) == ["data/train.jsonl"]


def test_environments_and_tool_folders_are_not_entered() -> None:
    write("venv/pyvenv.cfg", "home = /usr/bin\n")
    touch(
        "data/train.jsonl",
        "venv/lib/python3.12/site-packages/pkg/data.jsonl",
        "env-py311/conda-meta/history.jsonl",
        "lib/python3.11/site-packages/x/fixtures.jsonl",
        "node_modules/ajv/lib/refs/rows.jsonl",
        "build/lib/data.jsonl",
        "dist/pkg/data.jsonl",
        "mypkg.egg-info/sources.jsonl",
    )
    Path("env-py311/conda-meta").mkdir(exist_ok=True)
    assert shown(discover(["."])) == ["data/train.jsonl"]
    # a folder named explicitly is walked, whatever it is; folders met below it are filtered
    assert shown(discover(["venv/lib/python3.12/site-packages/pkg"])) == ["venv/lib/python3.12/site-packages/pkg/data.jsonl"]
    assert shown(discover(["venv"])) == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("package.json", '{"name": "demo", "version": "1.0.0", "files": ["dist"], "scripts": {"test": "jest"}}'),
        ("tsconfig.json", '{"compilerOptions": {"strict": true, "lib": ["es2022", "dom"]}}'),
        ("config/settings.json", '{"learning_rate": 0.0002, "epochs": 3}'),
        ("schemas/record.json", '{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "required": ["messages"]}'),
        ("schemas/meta.json", '{"$id": "https://example.com/x", "properties": {"a": {}}, "enum_values": [{"a": 1}]}'),
        ("sbom.json", '{"bomFormat": "CycloneDX", "components": [{"name": "x"}], "dependencies": [{"ref": "x"}]}'),
        ("hf/dataset_info.json", '{"features": {"text": {"dtype": "string"}}, "splits": {"train": {"num_examples": 3}}}'),
        ("labels.json", '{"labels": ["positive", "negative", "neutral"]}'),
    ],
)
def test_json_that_is_not_a_dataset_is_skipped_and_counted(name: str, text: str) -> None:
    touch("data/train.jsonl")
    write(name, text)
    found = discover_inputs(["."])
    assert shown(found.sources) == ["data/train.jsonl"]
    assert found.skipped == {name: "not a dataset"}
    # named explicitly, it is read (and the reader reports what is wrong)
    assert shown(discover([name])) == [name]


@pytest.mark.parametrize(
    "text",
    [
        '[{"text": "a"}, {"text": "b"}]',
        '{"data": [{"instruction": "Add 2 and 2.", "output": "4"}], "version": "1.0"}',
        '{"messages": [{"role": "user", "content": "Hi"}], "meta": {}}',
        '{"rows": []}',
        '{"train": [{"text": "a"}], "test": [{"text": "b"}]}',  # read, so the reader reports the two lists
        '{"data": [{"a": 1}, ',  # broken: read, so the reader reports it
    ],
)
def test_json_datasets_are_read(text: str) -> None:
    write("data/alpaca.json", text)
    found = discover_inputs(["."])
    assert shown(found.sources) == ["data/alpaca.json"] and not found.skipped


def test_dslint_reports_and_baselines_are_skipped(cli) -> None:
    write_jsonl(Path("data/train.jsonl"), [{"text": "Hello there, this is a record."}, {"text": "Hello there, this is a record."}])
    for fmt, out in (("json", "report.json"), ("gitlab", "gl-code-quality.json"), ("jsonl", "findings.jsonl"), ("sarif", "dslint.sarif.json")):
        assert cli("check", "data", "--format", fmt, "-o", out, "--exit-zero").code == 0
    assert cli("baseline", "create", "data", "-o", "dslint-baseline.json").code == 0
    found = discover_inputs(["."])
    assert shown(found.sources) == ["data/train.jsonl"]
    assert found.skipped == {
        "dslint-baseline.json": "written by dslint",
        "dslint.sarif.json": "written by dslint",
        "findings.jsonl": "written by dslint",
        "gl-code-quality.json": "written by dslint",
        "report.json": "written by dslint",
    }


def test_summary_counts_skipped_files(cli) -> None:
    write_jsonl(Path("data/train.jsonl"), [{"text": "Hello there, this is a record."}])
    write("package.json", '{"name": "demo"}')
    res = cli("check", ".", "--format", "json")
    assert res.json()["summary"]["skipped"] == {"package.json": "not a dataset"}
    res = cli("check", ".", "--format", "concise")
    assert "in 1 file, 1 record (1 non-data file skipped)" in res.out
    res = cli("check", "package.json", "--format", "concise")
    assert res.code == 1 and "package.json: DS100 [error] the JSON document is an object without a list" in res.out


def test_no_ignore_flag(cli) -> None:
    write(".gitignore", "generated/\n")
    write_jsonl(Path("data/train.jsonl"), [{"text": "Hello there, this is a record."}])
    write_jsonl(Path("generated/more.jsonl"), [{"text": "Another record, generated."}])
    assert cli("check", ".", "--format", "json").json()["summary"]["files"] == 1
    assert cli("check", ".", "--no-ignore", "--format", "json").json()["summary"]["files"] == 2
