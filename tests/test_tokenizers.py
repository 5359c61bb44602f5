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
