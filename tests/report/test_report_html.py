"""The HTML report: self-contained, escaped, redacted, bounded in size, and working in a browser."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dslint.finding import FileSummary, Finding, Location, Report, Severity, Summary, ToolInfo
from dslint.report import RenderOptions, render
from dslint.report.html import MAX_ROWS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Our own markup: anything else in the page would have come from the data.
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "nav", "a", "section", "div",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "figure", "figcaption", "img", "b", "code", "span",
    "label", "select", "option", "input", "details", "summary", "pre", "mark", "script",
}


class Page(HTMLParser):
    """Every start tag with its attributes, and the text of each script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def assert_safe(text: str) -> Page:
    """No markup, script, handler or link from the data; every image is an embedded SVG."""
    page = parse(text)
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    assert len(page.scripts) == 1 and "function" in page.scripts[0]
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "a":
            assert (attrs.get("href") or "").startswith("#")
        if tag == "img":
            assert (attrs.get("src") or "").startswith("data:image/svg+xml;base64,")
    return page


def svgs(page: Page) -> list[str]:
    return [base64.b64decode(attrs["src"].split(",", 1)[1]).decode() for tag, attrs in page.tags if tag == "img"]


def run_html(cli, *args: str) -> tuple[int, str]:
    result = cli("check", *args, "--format", "html")
    return result.code, result.out


def test_examples_report_has_every_section_and_every_finding(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    code, text = run_html(cli, "examples")
    assert code == 1
    page = assert_safe(text)
    rows = [attrs for tag, attrs in page.tags if tag == "tr" and "data-rule" in attrs]
    report = cli("check", "examples", "--format", "json").json()
    assert sorted(r["data-rule"] for r in rows) == sorted(f["rule"] for f in report["findings"])
    ids = {attrs.get("id") for _, attrs in page.tags}
    assert {"overview", "figures", "findings", "rules"} <= ids
    assert {f"rule-{f['rule']}" for f in report["findings"]} <= ids  # rule docs one click away
    assert "<h1>Gate failed</h1>" in text
    charts = svgs(page)
    assert any("assistant length" in svg for svg in charts) and any("duplicates per split" in svg for svg in charts)
    # The leaked test row is shown next to the train row it copies.
    assert 'class="pair"' in text and "examples/train.jsonl:3" in text


def test_the_same_report_renders_the_same_bytes(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    assert run_html(cli, "examples")[1] == run_html(cli, "examples")[1]


SECRETS = {
    "github": "ghp_" + "Zq8xR2mK4vN7pL1sT9wY3bC6dF0hJ5gA2eU8",
    "aws": "AKIA" + "QWERTYU2IOPASDFG",
    "email": "helena.brandt@posteo.de",
}
HOSTILE = [
    "<script>alert(document.cookie)</script>",
    "</textarea><img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "\u202eevil\u202c and \u2066isolate\u2069",
    "]]></svg><script>alert(2)</script>",
]


def test_hostile_text_and_secrets_never_reach_the_page_raw(tmp_path: Path, cli) -> None:
    rows = []
    for i, text in enumerate(HOSTILE):
        answer = f"{text} token {SECRETS['github']} key {SECRETS['aws']} mail {SECRETS['email']}"
        rows.append({"messages": [{"role": "user", "content": f"Question {i}: {text}"}, {"role": "assistant", "content": answer}]})
    rows.append(rows[0])  # a duplicate, so a pair is shown side by side
    name = "<b onmouseover=alert(1)>train.jsonl"
    (tmp_path / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "test.jsonl").write_text(json.dumps(rows[1]) + "\n")  # leaked into test
    code, text = run_html(cli, str(tmp_path))
    assert code == 1
    page = assert_safe(text)
    assert "javascript:" not in "".join(str(v) for _, attrs in page.tags for v in attrs.values())
    assert "\u202e" not in text and "\u2066" not in text
    for secret in SECRETS.values():
        for chunk in (secret[i : i + 8] for i in range(len(secret) - 7)):
            assert chunk not in text, chunk
            assert all(chunk not in svg for svg in svgs(page)), chunk
    assert 'class="pair"' in text  # the duplicate and the leak are shown, redacted


def big_report(n: int) -> Report:
    findings = [
        Finding(
            rule="DS108",
            name="empty-content",
            check="schema",
            severity=Severity.ERROR if i % 3 else Severity.WARNING,
            message="content is whitespace only",
            location=Location(file=f"data/shard-{i % 50:03d}.jsonl", line=i + 1, record=i, field="/messages/1/content", split="train"),
            snippet="   ",
            fingerprint=f"{i:016x}",
        )
        for i in range(n)
    ]
    files = [FileSummary(path=f"data/shard-{k:03d}.jsonl", format="openai-chat", split="train", records=n) for k in range(50)]
    summary = Summary(files=50, records=50 * n, by_severity={}, by_rule={"DS108": n}, file_details=files, stats={})
    return Report(version="1", tool=ToolInfo(name="dslint", version="0"), passed=False, fail_on="error", summary=summary, findings=findings)


def test_a_report_of_100k_findings_stays_small_and_keeps_every_count() -> None:
    import io

    out = io.StringIO()
    render("html", big_report(100_000), out, RenderOptions(rules={}))
    text = out.getvalue()
    assert len(text.encode()) <= 3 * 1024 * 1024
    assert text.count('data-rule="DS108"') == MAX_ROWS
    assert "100,000 findings" in text and f"{100_000 - MAX_ROWS:,} more are counted above" in text


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(chromium() is None and not os.environ.get("CI"), reason="needs a Chromium; .ci/run installs it")
def test_the_report_opens_in_a_real_browser_without_console_errors(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    browser = chromium()
    assert browser is not None, "CI must install Chromium (.ci/run does)"
    monkeypatch.chdir(EXAMPLES.parent)
    page = tmp_path / "report.html"
    page.write_text(run_html(cli, "examples")[1])
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert 'data-ready="yes"' in dom.stdout  # the script ran to its end
    assert "15 of 15 listed findings shown" in dom.stdout
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Content Security Policy" in line]
    assert console == []
    shot = tmp_path / "report.png"
    subprocess.run([*flags, "--window-size=1280,2000", f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
