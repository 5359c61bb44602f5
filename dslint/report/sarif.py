"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from dslint.finding import Finding, Location, Report, Severity
from dslint.redact import printable
from dslint.report.common import anchor

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT_KEY = "dslintFingerprint/v1"


def repo_root() -> Path:
    """The git work tree holding the working directory (SARIF URIs are relative to it)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, timeout=10, check=True
        )
        return Path(out.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return Path.cwd()


def artifact_uri(file: str, root: Path) -> str:
    """A '/'-separated URI relative to the repository root, percent-encoded."""
    path = Path(file)
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        rel = path.as_posix()
    return quote(rel, safe="/")


def _physical(loc: Location, root: Path) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(loc.file, root), "uriBaseId": "%SRCROOT%"}}
    # Code scanning wants a region; Parquet rows have no line, so they point at the file's start.
    physical["region"] = {"startLine": loc.line or 1}
    return physical


def _location(loc: Location, root: Path, index: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"physicalLocation": _physical(loc, root)}
    if index is not None:
        out["id"] = index
    if loc.field:
        out["logicalLocations"] = [{"fullyQualifiedName": printable(loc.field), "kind": "member"}]
    props = {k: v for k, v in (("record", loc.record), ("split", loc.split)) if v is not None}
    if props:
        out["properties"] = props
    return out


def _result(f: Finding, rule_index: dict[str, int], report: Report, root: Path) -> dict[str, Any]:
    message = printable(f.message)
    if f.snippet:
        message += f"\nSnippet: {printable(f.snippet)}"
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "level": LEVELS[f.severity],
        "message": {"text": message},
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {"check": f.check, "name": f.name, "metrics": f.metrics},
    }
    if f.rule in rule_index:
        result["ruleIndex"] = rule_index[f.rule]
    loc = anchor(f, report)
    if loc is not None:
        result["locations"] = [_location(loc, root)]
    if f.related:
        result["relatedLocations"] = [_location(r, root, i) for i, r in enumerate(f.related)]
    if f.suppressed:
        result["suppressions"] = [{"kind": "external", "justification": f.reason or f"dslint {f.suppressed}"}]
    return result


def _rule(rule: Any) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.docs, "markdown": rule.docs},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["dataset", rule.family], "family": rule.family, "scope": rule.scope},
    }


def sarif_document(report: Report, rules: dict[str, Any], root: Path | None = None) -> dict[str, Any]:
    root = root or repo_root()
    used = sorted({f.rule for f in report.findings} | set(rules))
    driver_rules = [_rule(rules[code]) for code in used if code in rules]
    rule_index = {r["id"]: i for i, r in enumerate(driver_rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dslint",
                        "version": report.tool.version,
                        "semanticVersion": report.tool.version,
                        "informationUri": "https://github.com/dslint/dslint",
                        "rules": driver_rules,
                    }
                },
                "results": [_result(f, rule_index, report, root) for f in report.findings],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def render_sarif(report: Report, stream: TextIO, options: Any) -> None:
    json.dump(sarif_document(report, dict(options.rules)), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
