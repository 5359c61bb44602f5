from __future__ import annotations

from pathlib import Path

import pytest

from dslint.config import load_config
from dslint.yamlpos import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_config_file_use_the_recommended_preset(tmp_path: Path) -> None:
    loaded = load_config(start=tmp_path)
    assert loaded.source is None
    assert loaded.config.extends == ["recommended"]
    assert loaded.config.select == ["ALL"]
    assert "DS106" in loaded.config.ignore
    assert loaded.config.fail_on == "error"


def test_discovery_walks_up_to_the_nearest_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "dslint.yaml", "fail-on: warning\n")
    nested = tmp_path / "data" / "chat"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    loaded = load_config()
    assert loaded.config.fail_on == "warning"
    assert loaded.root == tmp_path


def test_dslint_yaml_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.dslint]\nfail-on = 'info'\n")
    write(tmp_path / "dslint.yaml", "fail-on: never\n")
    assert load_config(start=tmp_path).config.fail_on == "never"


def test_pyproject_without_a_dslint_table_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    child = tmp_path / "sub"
    write(child / "pyproject.toml", "[tool.other]\nx = 1\n")
    assert load_config(start=child).source is None


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        "[project]\nname = 'x'\n\n[tool.dslint]\nfail-on = 'warning'\nextend-select = ['DS106']\n\n"
        "[tool.dslint.rules.DS117]\nmax-ratio = 0.05\n",
    )
    cfg = load_config(start=tmp_path).config
    assert cfg.fail_on == "warning"
    assert cfg.extend_select == ["DS106"]
    assert cfg.rules["DS117"].max_ratio == 0.05


def test_unknown_top_level_option_names_file_line_and_suggestion(tmp_path: Path) -> None:
    write(tmp_path / "dslint.yaml", "# chat data\nfail-on: error\nextend-selet: [DS106]\n")
    with pytest.raises(ConfigError) as exc:
        load_config(start=tmp_path)
    assert str(exc.value) == "unknown option 'extend-selet' at dslint.yaml:3; did you mean 'extend-select'?"


def test_unknown_option_in_pyproject_names_its_line(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n\n[tool.dslint]\nfail-on = 'error'\nfailon = 'warning'\n")
    with pytest.raises(ConfigError, match=r"unknown option 'failon' at pyproject.toml:6; did you mean 'fail-on'\?"):
        load_config(start=tmp_path)


def test_invalid_value_is_explained_with_its_line(tmp_path: Path) -> None:
    write(tmp_path / "dslint.yaml", "paths: [data]\nfail-on: critical\n")
    with pytest.raises(ConfigError, match=r"invalid value for 'fail-on' at dslint.yaml:2: Input should be 'error', 'warning', 'info' or 'never'"):
        load_config(start=tmp_path)


def test_negative_budget_is_rejected(tmp_path: Path) -> None:
    write(tmp_path / "dslint.yaml", "rules:\n  DS117:\n    max-count: -1\n")
    with pytest.raises(ConfigError, match=r"'rules.DS117.max-count' at dslint.yaml:3"):
        load_config(start=tmp_path)


def test_unknown_format_suggests_the_closest(tmp_path: Path) -> None:
    write(tmp_path / "dslint.yaml", "formats:\n  'data/*.jsonl': openai_chat\n")
    with pytest.raises(ConfigError, match=r"unknown format 'openai_chat'.*did you mean 'openai-chat'"):
        load_config(start=tmp_path)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    write(tmp_path / "dslint.yaml", "fail-on: error\nselect: [DS1\n")
    with pytest.raises(ConfigError, match=r"invalid YAML at dslint.yaml:\d"):
        load_config(start=tmp_path)


def test_a_config_that_is_not_a_mapping_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "dslint.yaml", "- DS101\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(start=tmp_path)


def test_extends_strict_preset_replaces_the_default(tmp_path: Path) -> None:
    write(tmp_path / "dslint.yaml", "extends: strict\n")
    cfg = load_config(start=tmp_path).config
    assert cfg.fail_on == "warning"
    assert cfg.ignore == []


def test_extends_a_file_and_merges_tables_and_accumulates_ignores(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", "ignore: [DS110]\nrules:\n  DS117: {max-count: 5}\nformats: {'a.jsonl': alpaca}\n")
    write(
        tmp_path / "dslint.yaml",
        "extends: [recommended, base.yaml]\nignore: [DS111]\nrules:\n  DS106: {severity: info}\nformats: {'b.jsonl': sharegpt}\n",
    )
    cfg = load_config(start=tmp_path).config
    assert cfg.ignore == ["DS106", "DS813", "DS110", "DS111"]
    assert set(cfg.rules) == {"DS117", "DS106"}
    assert cfg.formats == {"a.jsonl": "alpaca", "b.jsonl": "sharegpt"}


def test_extends_errors(tmp_path: Path) -> None:
    write(tmp_path / "dslint.yaml", "extends: [recomended]\n")
    with pytest.raises(ConfigError, match=r"unknown preset 'recomended' at dslint.yaml:1; did you mean 'recommended'\?"):
        load_config(start=tmp_path)
    write(tmp_path / "dslint.yaml", "extends: [missing.yaml]\n")
    with pytest.raises(ConfigError, match="extended config not found: missing.yaml"):
        load_config(start=tmp_path)


def test_extends_cycle_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "extends: [b.yaml]\n")
    write(tmp_path / "b.yaml", "extends: [a.yaml]\n")
    write(tmp_path / "dslint.yaml", "extends: [a.yaml]\n")
    with pytest.raises(ConfigError, match="cycle"):
        load_config(start=tmp_path)


def test_explicit_config_path_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found: nope.yaml"):
        load_config("nope.yaml", start=tmp_path)
