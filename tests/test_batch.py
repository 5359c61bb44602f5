"""The batch path gives the per-record path's findings: for any batch size, and with every check's
``check_batch``/``update_batch`` replaced by the per-record adapters of the base classes. The
one-pass regex prefilter finds every text the regex matches alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_tokenizers import make_tokenizer

import dslint.engine
from dslint.api import lint
from dslint.batch import Batch
from dslint.check import DatasetCheck, RecordCheck

REPO = Path(__file__).resolve().parent.parent

def _write_corpus(root: Path) -> Path:
    """Real layouts, the examples, and records planted for every record-level family."""
    for path in (REPO / "tests/data/layouts").iterdir():
        shutil.copy(path, root / path.name)
    for path in (REPO / "examples").iterdir():
        shutil.copy(path, root / f"ex-{path.name}")
    rows = []
    for i in range(1300):  # several batches of the default size
        user = [
            f"Explain why the sky is blue, case {i}.",
            f"Contact me at jane.doe{i}@example.com or +1 415 555 01{i % 90:02d}",
            f"Use key AKIA{'ABCDEFGHIJKLMNOP'[i % 16]}2345678901234 please",
            "Fill in {name} and [PLACEHOLDER] for me",
            "https://example.com/doc",
            "CafÃ© and naÃ¯ve text\u200b here",
        ][i % 6]
        assistant = [
            "Yes.",
            f"Sure <|im_end|> <div>answer {i}</div>",
            "```python\nprint(1)",
            user,
            "N/A",
            f"Answer {i}: the scattering of light. User: next question?",
        ][i % 5]
        rows.append({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": user}, {"role": "assistant", "content": assistant}]})
    (root / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + "{broken\n")
    (root / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[::97]))
    return root


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_corpus(tmp_path_factory.mktemp("batch"))


def _report(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(corpus)
    return lint(".", select=["ALL"], cache=False, jobs=1).model_dump_json(indent=2)


@pytest.fixture(scope="module")
def reference(corpus: Path) -> str:
    with pytest.MonkeyPatch.context() as mp:
        return _report(corpus, mp)


def test_the_corpus_fires_many_rules(reference: str) -> None:
    fired = set(json.loads(reference)["summary"]["by_rule"])
    assert len(fired) >= 25
    assert {"DS101", "DS201", "DS301", "DS501", "DS801"} <= fired


@pytest.mark.parametrize("size", [1, 7, 100_000])
def test_any_batch_size_gives_the_same_report(corpus: Path, reference: str, monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    monkeypatch.setattr(dslint.engine, "BATCH_RECORDS", size)
    assert _report(corpus, monkeypatch) == reference


@pytest.fixture(scope="module")
def tokenized_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus measured by a real tokenizer.json, which counts a batch in one call."""
    root = _write_corpus(tmp_path_factory.mktemp("batch-tokenizer"))
    make_tokenizer(root / "tokenizer.json")
    (root / "dslint.yaml").write_text("rules:\n  DS703: {tokenizer: tokenizer.json, context-window: 12}\n")
    return root


@pytest.mark.parametrize("tokenized", [False, True])
def test_the_per_record_path_gives_the_batch_path_report(
    corpus: Path, tokenized_corpus: Path, reference: str, monkeypatch: pytest.MonkeyPatch, tokenized: bool
) -> None:
    """Every check run through the base classes' adapters (``check``/``update`` per record)."""
    if tokenized:
        corpus, reference = tokenized_corpus, _report(tokenized_corpus, monkeypatch)
        assert "DS703" in json.loads(reference)["summary"]["by_rule"]
    calls = {"record": 0, "dataset": 0}

    def per_record(self: RecordCheck, batch: Batch):  # type: ignore[no-untyped-def]
        calls["record"] += 1
        return [f for record in batch.records for f in self.check(record)]

    def update_each(self: DatasetCheck, state, batch: Batch):  # type: ignore[no-untyped-def]
        calls["dataset"] += 1
        for record in batch.records:
            state = self.update(state, record)
        return state

    for cls in _subclasses(RecordCheck):
        monkeypatch.setattr(cls, "check_batch", per_record, raising=False)
    for cls in _subclasses(DatasetCheck):
        monkeypatch.setattr(cls, "update_batch", update_each, raising=False)
    assert _report(corpus, monkeypatch) == reference
    assert calls["record"] and calls["dataset"]


def _subclasses(cls: type) -> list[type]:
    out, todo = [], [cls]
    while todo:
        c = todo.pop()
        out.append(c)
        todo.extend(c.__subclasses__())
    return out


class _FailsOnRecord600(RecordCheck):
    def check(self, record):  # type: ignore[no-untyped-def]
        if record.index == 600:
            raise ValueError("boom")
        return []


class _FailsToFold600(DatasetCheck):
    def init(self):  # type: ignore[no-untyped-def]
        return 0

    def update(self, state, record):  # type: ignore[no-untyped-def]
        if record.index == 600:
            raise ValueError("boom")
        return state + 1


@pytest.mark.parametrize("failing", [_FailsOnRecord600, _FailsToFold600])
def test_a_check_that_raises_in_a_batch_is_named_with_its_record(corpus: Path, monkeypatch: pytest.MonkeyPatch, failing: type) -> None:
    build = dslint.engine.build_checks

    def with_failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        checks = build(*args, **kwargs)
        (checks.dataset if issubclass(failing, DatasetCheck) else checks.record).append(failing())
        return checks

    monkeypatch.setattr(dslint.engine, "build_checks", with_failing)
    monkeypatch.chdir(corpus)
    with pytest.raises(dslint.engine.CheckCrashed, match=rf"^{failing.__name__} failed on train\.jsonl:601: ValueError: boom$"):
        lint(["train.jsonl"], select=["ALL"], cache=False, jobs=1)
