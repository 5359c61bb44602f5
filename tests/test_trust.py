"""The trust model for configuration: a config file may come from the repository being linted (a
pull request), so the code plugins it names run only when the user opts in, and every file it
names (plugins, extends, rule packs) stays inside its repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dslint import lint
from dslint.yamlpos import ConfigError
from conftest import CLEAN_CHATS, write_jsonl

# A plugin that would leave a mark if it ever ran.
MARKER_PLUGIN = """\
from pathlib import Path
Path(__file__).with_name("PLUGIN_RAN").write_text("yes")
CHECKS = []
"""


def _repo_with_plugin(root: Path, config: str = "dslint.yaml", text: str = "plugins: [evil.py]\n") -> Path:
    (root / "evil.py").write_text(MARKER_PLUGIN)
    (root / config).write_text(text)
    write_jsonl(root / "train.jsonl", CLEAN_CHATS)
    return root / "PLUGIN_RAN"


@pytest.mark.parametrize(
    ("config", "text"),
    [
        ("dslint.yaml", "plugins: [evil.py]\n"),
        (".dslint.yaml", "plugins: [evil]\n"),  # a bare module name is code too
        ("pyproject.toml", '[project]\nname = "x"\n\n[tool.dslint]\nplugins = ["evil.py"]\n'),
    ],
)
def test_a_discovered_config_cannot_run_code_without_opt_in(cli, tmp_path: Path, monkeypatch, config: str, text: str) -> None:
    monkeypatch.delenv("DSLINT_ALLOW_PLUGINS", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))  # so a bare module name would import if allowed
    marker = _repo_with_plugin(tmp_path, config, text)
    res = cli("check", "train.jsonl", cwd=tmp_path)
    assert res.code == 2
    lines = res.err.strip().splitlines()
    assert len(lines) == 1 and "would run code from this repository" in lines[0] and "--allow-plugins" in lines[0]
    assert not marker.exists()
    for command in (["rules"], ["rule", "DS101"], ["baseline", "create", "train.jsonl"]):
        assert cli(*command, cwd=tmp_path).code == 2
    assert not marker.exists()


def test_the_opt_in_runs_plugins_by_flag_or_environment(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DSLINT_ALLOW_PLUGINS", raising=False)
    marker = _repo_with_plugin(tmp_path)
    assert cli("--allow-plugins", "check", "train.jsonl", "--quiet", cwd=tmp_path).code == 0
    assert marker.exists()
    marker.unlink()
    monkeypatch.setenv("DSLINT_ALLOW_PLUGINS", "1")
    assert cli("check", "train.jsonl", "--quiet", cwd=tmp_path).code == 0
    assert marker.exists()


def test_the_api_needs_the_opt_in_too(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DSLINT_ALLOW_PLUGINS", raising=False)
    marker = _repo_with_plugin(tmp_path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="would run code"):
        lint("train.jsonl")
    assert not marker.exists()
    assert lint("train.jsonl", allow_plugins=True).passed
    assert marker.exists()


@pytest.mark.parametrize("spec", ["../outside.py", "{outside}"])
def test_plugin_paths_stay_inside_the_config_folder(cli, tmp_path: Path, monkeypatch, spec: str) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "outside.py").write_text(MARKER_PLUGIN)
    spec = spec.format(outside=tmp_path / "outside.py")
    (repo / "dslint.yaml").write_text(f"plugins: ['{spec}']\n")
    write_jsonl(repo / "train.jsonl", CLEAN_CHATS)
    res = cli("--allow-plugins", "check", "train.jsonl", cwd=repo)
    assert res.code == 2 and "outside the config's folder" in res.err
    assert not (tmp_path / "PLUGIN_RAN").exists()


def test_a_plugin_symlinked_from_outside_is_refused(cli, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "outside.py").write_text(MARKER_PLUGIN)
    (repo / "local.py").symlink_to(tmp_path / "outside.py")
    (repo / "dslint.yaml").write_text("plugins: [local.py]\n")
    write_jsonl(repo / "train.jsonl", CLEAN_CHATS)
    res = cli("--allow-plugins", "check", "train.jsonl", cwd=repo)
    assert res.code == 2 and "outside the config's folder" in res.err


@pytest.mark.parametrize("key", ["extends", "rule-packs"])
@pytest.mark.parametrize("target", ["../shared.yaml", "{abs}", "link.yaml"])
def test_extends_and_rule_packs_stay_inside_the_repository(cli, tmp_path: Path, key: str, target: str) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    outside = tmp_path / "shared.yaml"
    outside.write_text("select: [ALL]\n" if key == "extends" else "pack: x\nrules: []\n")
    (repo / "link.yaml").symlink_to(outside)
    target = target.format(abs=outside)
    (repo / "dslint.yaml").write_text(f"{key}: ['{target}']\n")
    write_jsonl(repo / "train.jsonl", CLEAN_CHATS)
    res = cli("check", "train.jsonl", cwd=repo)
    assert res.code == 2 and "outside the repository" in res.err, res.err
    assert len(res.err.strip().splitlines()) == 1


def test_extends_may_reach_the_top_of_a_git_repository(cli, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "base.yaml").write_text("fail-on: warning\n")
    sub = tmp_path / "datasets" / "chat"
    sub.mkdir(parents=True)
    (sub / "dslint.yaml").write_text("extends: [../../base.yaml]\n")
    write_jsonl(sub / "train.jsonl", CLEAN_CHATS)
    res = cli("check", "train.jsonl", "--format", "json", cwd=sub)
    assert res.code in (0, 1) and '"fail_on": "warning"' in res.out


def test_a_config_given_on_the_command_line_may_live_anywhere(cli, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "team.yaml").write_text("fail-on: warning\n")
    write_jsonl(repo / "train.jsonl", CLEAN_CHATS)
    res = cli("check", "train.jsonl", "--config", str(tmp_path / "team.yaml"), "--format", "json", cwd=repo)
    assert res.code in (0, 1) and '"fail_on": "warning"' in res.out
