from __future__ import annotations

from pathlib import Path

from conftest import CLEAN_CHATS, write_jsonl

from dslint.config import load_config


def test_init_writes_a_commented_config_that_loads(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "data" / "train.jsonl", CLEAN_CHATS)
    write_jsonl(tmp_path / "data" / "dev.jsonl", [{"instruction": "Add 2 and 3.", "input": "", "output": "5"}])
    res = cli("init", "data", cwd=tmp_path)
    assert res.code == 0, res.err
    text = (tmp_path / "dslint.yaml").read_text()
    assert "# Lowest severity that fails the gate" in text
    cfg = load_config(start=tmp_path).config
    assert cfg.paths == ["data"]
    assert cfg.formats == {"data/dev.jsonl": "alpaca", "data/train.jsonl": "openai-chat"}
    assert cfg.splits == {"data/dev.jsonl": "validation", "data/train.jsonl": "train"}
    assert cli("check", cwd=tmp_path).code == 0


def test_init_refuses_to_overwrite_and_update_keeps_user_comments(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "data" / "train.jsonl", CLEAN_CHATS)
    assert cli("init", "data", cwd=tmp_path).code == 0
    again = cli("init", "data", cwd=tmp_path)
    assert again.code == 2 and "already exists" in again.err
    path = tmp_path / "dslint.yaml"
    path.write_text(path.read_text().replace("fail-on: error", "fail-on: warning  # agreed in review, see #12"))
    write_jsonl(tmp_path / "data" / "test.jsonl", CLEAN_CHATS)
    assert cli("init", "data", "--update", cwd=tmp_path).code == 0
    text = path.read_text()
    assert "fail-on: warning  # agreed in review, see #12" in text
    assert "data/test.jsonl: openai-chat" in text


USER_CONFIG = """\
# Team dataset gate. Owner: data-platform.
# Keep in sync with the training recipe.

paths:
  - data   # the only folder we ship
  - extra
# Formats were checked by hand in March.
formats:
  data/old.jsonl: text   # legacy dump, removed later
  data/train.jsonl: openai-chat  # the main split

# Splits: dev is our validation set.
splits:
  data/train.jsonl: train  # 80 %
  data/old.jsonl: train

# Severity policy agreed in review.
fail-on: warning  # see #12
rules:
  # budgets for legacy data
  DS117: {max-ratio: 0.01}  # temporary
"""


def comment_lines(text: str) -> list[str]:
    """Every comment (full-line or end-of-line) and every blank line, in order."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            out.append("")
        elif "#" in line:
            out.append(line[line.index("#"):].strip())
    return out


def test_update_keeps_every_comment_and_blank_line(cli, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "data" / "train.jsonl", CLEAN_CHATS)
    write_jsonl(tmp_path / "data" / "dev.jsonl", CLEAN_CHATS[:2])
    path = tmp_path / "dslint.yaml"
    path.write_text(USER_CONFIG)
    res = cli("init", "data", "--update", cwd=tmp_path)
    assert res.code == 0, res.err
    text = path.read_text()
    expected = [c for c in comment_lines(USER_CONFIG) if c != "# legacy dump, removed later"]
    assert comment_lines(text) == expected
    cfg = load_config(str(path)).config
    assert cfg.paths == ["data"]
    assert cfg.formats == {"data/dev.jsonl": "openai-chat", "data/train.jsonl": "openai-chat"}
    assert cfg.splits == {"data/dev.jsonl": "validation", "data/train.jsonl": "train"}
    assert "data/train.jsonl: openai-chat  # the main split" in text
    assert "  - data   # the only folder we ship" in text
    assert "fail-on: warning  # see #12" in text
    # a second update changes nothing
    assert cli("init", "data", "--update", cwd=tmp_path).code == 0
    assert path.read_text() == text
