"""JUnit XML: one test case per rule and file with findings (failed), and one passing case per
enabled rule that found nothing, so CI test dashboards show what was checked."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any, TextIO

from dslint.finding import Finding, Report
from dslint.redact import printable


def _line(f: Finding) -> str:
    loc = f.location
    if loc is None:
        return f"(dataset) {f.rule} [{f.severity.value}] {printable(f.message)}"
    where = f"{loc.file}:{loc.line}" if loc.line else f"{loc.file} record {loc.record}"
    field = f" {loc.field}" if loc.field else ""
    return f"{printable(where)}{printable(field)} {f.rule} [{f.severity.value}] {printable(f.message)}"


def render_junit(report: Report, stream: TextIO, options: Any) -> None:
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in report.findings:
        if f.suppressed:
            continue
        groups[(f.rule, printable(f.location.file) if f.location else "(dataset)")].append(f)
    enabled = sorted(options.enabled)
    cases = []
    for (code, file), findings in sorted(groups.items()):
        case = ET.Element("testcase", classname=f"dslint.{code}", name=file)
        failure = ET.SubElement(
            case, "failure", message=f"{len(findings)} {findings[0].name} findings", type=findings[0].severity.value
        )
        failure.text = "\n".join(_line(f) for f in findings)
        cases.append(case)
    failed_rules = {code for code, _ in groups}
    for code in enabled:
        if code not in failed_rules:
            rule = options.rules.get(code)
            cases.append(ET.Element("testcase", classname=f"dslint.{code}", name=rule.name if rule else code))
    suite = ET.Element(
        "testsuite",
        name="dslint",
        tests=str(len(cases)),
        failures=str(len(groups)),
        errors="0",
        skipped="0",
    )
    suite.extend(cases)
    root = ET.Element("testsuites", name="dslint", tests=suite.get("tests", "0"), failures=suite.get("failures", "0"))
    root.append(suite)
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")
