"""The GitHub Action: action.yml's wiring, and its run step (dslint/action.py) under the environment
variables GitHub sets (INPUT_*, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_BASE_REF); no network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import CLEAN_CHATS, write_jsonl
from ruamel.yaml import YAML

from dslint.action import main

REPO = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
BROKEN_LINE = '{"messages": [{"role": "user", "content": "unterminated\n'


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose main branch has clean data, checked out as a PR branch (origin/main is the
    base, as actions/checkout leaves it)."""
    write_jsonl(tmp_path / "data" / "train.jsonl", CLEAN_CHATS)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "ci@example.com")
    git(tmp_path, "config", "user.name", "ci")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "data")
    git(tmp_path, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def github_env(tmp_path: Path, **inputs: str) -> dict[str, str]:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(tmp_path / "output"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    return env


def outputs(env: dict[str, str]) -> dict[str, str]:
    lines = Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_a_failing_run_writes_annotations_summary_sarif_and_outputs(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with (repo / "data" / "train.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(BROKEN_LINE)
    env = github_env(repo, paths="data", sarif="true", sarif_file="out/dslint.sarif")
    (repo / "out").mkdir()
    assert main(env) == 1
    stdout = capsys.readouterr().out
    assert "::error file=data/train.jsonl,line=6," in stdout
    assert outputs(env) == {
        "verdict": "failed", "exit-code": "1", "findings": "1", "errors": "1", "warnings": "0", "infos": "0",
        "suppressed": "0", "sarif-file": "out/dslint.sarif",
    }
    action = YAML(typ="safe", pure=True).load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert set(outputs(env)) == set(action["outputs"])
    assert "❌ **dslint failed**" in Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    sarif = json.loads((repo / "out" / "dslint.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, SARIF_SCHEMA)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["DS101"]


def test_on_a_pull_request_only_changed_lines_count(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The old defect is on main already; GITHUB_BASE_REF makes the diff base origin/main."""
    write_jsonl(repo / "data" / "old.jsonl", [{"messages": []}])
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "old defect")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    env = github_env(repo)
    assert main({**env, "GITHUB_BASE_REF": "main"}) == 0
    assert outputs(env)["verdict"] == "passed"
    Path(env["GITHUB_OUTPUT"]).unlink()
    assert main({**env, "GITHUB_BASE_REF": "main", "INPUT_DIFF_BASE": "none"}) == 1  # lint everything
    assert outputs(env)["verdict"] == "failed" and "data/old.jsonl" in capsys.readouterr().out


def test_baseline_and_fail_on_inputs(repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    with (repo / "data" / "train.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(BROKEN_LINE)
    assert cli("baseline", "create", "data", "-o", "base.json", cwd=repo).code == 0
    env = github_env(repo, paths="data", baseline="base.json")
    assert main(env) == 0
    assert outputs(env)["suppressed"] == "1" and outputs(env)["findings"] == "0"
    Path(env["GITHUB_OUTPUT"]).unlink()
    env = github_env(repo, paths="data", fail_on="never", format="json")
    assert main(env) == 0 and outputs(env)["errors"] == "1"


def test_a_config_error_is_one_line_and_the_verdict_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "dslint.yaml").write_text("fail-on: sometimes\n", encoding="utf-8")
    env = github_env(repo)
    assert main(env) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.err.startswith("dslint: error: invalid value for 'fail-on'")
    assert captured.out.startswith("::error title=dslint::")
    assert outputs(env) == {"verdict": "error", "exit-code": "2"}


def test_the_module_runs_as_the_action_calls_it(repo: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    env.update(github_env(repo, paths="'data/train.jsonl'", args="--jobs 2"))
    res = subprocess.run([sys.executable, "-m", "dslint.action"], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert outputs(env)["verdict"] == "passed"


def test_action_yml_maps_every_input_to_the_run_step() -> None:
    action = YAML(typ="safe", pure=True).load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = {s.get("id") or s.get("name") or s.get("uses"): s for s in action["runs"]["steps"]}
    lint = steps["lint"]
    assert lint["run"] == "python -m dslint.action"
    for name in set(action["inputs"]) - {"version", "python-version"}:
        assert lint["env"][f"INPUT_{name.upper().replace('-', '_')}"] == f"${{{{ inputs.{name} }}}}"
    for name, spec in action["outputs"].items():
        assert spec["value"] == f"${{{{ steps.lint.outputs.{name} }}}}"
    upload = steps["Upload SARIF to code scanning"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "inputs.sarif == 'true'" in upload["if"] and "always()" in upload["if"]
