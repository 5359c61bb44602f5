"""A real Hugging Face tokenizer.json, built here and read from disk (never downloaded)."""

from __future__ import annotations

from pathlib import Path

from conftest import chat, write_jsonl
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from tokenizers.pre_tokenizers import Whitespace

from dslint.tokens import build_counter

WORDS = ["[UNK]", "restart", "the", "service", "and", "check", "logs", "how", "do", "i", "fix", "it", "?", "."]


def make_tokenizer(path: Path) -> Path:
    tok = Tokenizer(WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    tok.pre_tokenizer = Whitespace()
    tok.save(str(path))
    return path


def test_tokenizer_json_counts_real_tokens(tmp_path: Path) -> None:
    counter = build_counter(str(make_tokenizer(tmp_path / "tokenizer.json")))
    assert counter.count("restart the service and check the logs .") == 8
    assert counter.count("how do i fix it ?") == 6


def test_a_batch_is_counted_as_each_text_alone(tmp_path: Path) -> None:
    texts = ["restart the service and check the logs .", "", "how do i fix it ?", "unknown words here", "the " * 300]
    for counter in (build_counter(str(make_tokenizer(tmp_path / "tokenizer.json"))), build_counter(None, 3.7)):
        assert counter.count_batch(texts) == [counter.count(t) for t in texts]
    assert build_counter(None, 3.7).count_batch(texts)[0] == 11  # ceil(39 / 3.7)


def test_over_context_window_uses_the_configured_tokenizer(cli, tmp_path: Path) -> None:
    make_tokenizer(tmp_path / "tokenizer.json")
    long_answer = " ".join(["restart the service and check the logs ."] * 5)  # 40 tokens
    write_jsonl(tmp_path / "train.jsonl", [chat("how do i fix it ?", long_answer, system=None), chat("how do i fix it ?", "restart it .", system=None)])
    (tmp_path / "dslint.yaml").write_text(
        "rules:\n  DS703: {tokenizer: tokenizer.json, context-window: 30, tokens-per-message: 0}\n"
    )
    res = cli("check", "train.jsonl", "--select", "DS703", "--format", "json", cwd=tmp_path)
    findings = res.json()["findings"]
    assert [f["location"]["record"] for f in findings] == [0]
    assert findings[0]["metrics"]["tokens"] == 46


def test_option_paths_are_resolved_from_the_config_folder(cli, tmp_path: Path) -> None:
    """Run from a subfolder: the tokenizer and the benchmark files named in the project's
    dslint.yaml are found beside it, as the config's other paths are."""
    (tmp_path / "models").mkdir()
    make_tokenizer(tmp_path / "models" / "tokenizer.json")
    question = "how do i fix it ? restart the service and check the logs ."
    write_jsonl(tmp_path / "benchmarks" / "support_test.jsonl", [{"question": question, "answer": "restart it ."}])
    long_answer = " ".join(["restart the service and check the logs ."] * 5)
    write_jsonl(tmp_path / "data" / "train.jsonl", [chat(question, long_answer, system=None)])
    (tmp_path / "dslint.yaml").write_text(
        "rules:\n"
        "  DS703: {tokenizer: models/tokenizer.json, context-window: 30, tokens-per-message: 0}\n"
        "  DS304: {against: [benchmarks/support_test.jsonl], ngram: 5}\n"
    )
    res = cli("check", "train.jsonl", "--select", "DS703,DS304", "--format", "json", cwd=tmp_path / "data")
    findings = {f["rule"]: f for f in res.json()["findings"]}
    assert sorted(findings) == ["DS304", "DS703"], res.err
    assert findings["DS703"]["metrics"]["tokens"] == 54  # 14 + 40 words; the estimate would say 66
    assert findings["DS304"]["related"][0]["file"] == "../benchmarks/support_test.jsonl"
