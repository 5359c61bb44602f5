"""The HTML report: one self-contained page with the verdict, the dataset's figures as charts, a
filterable findings table and the docs of the rules that fired.

Safe to open from a CI artifact: a Content-Security-Policy forbids every network request, all
data text is redacted (as in every format) and HTML-escaped, charts are images that cannot run
script, and the one inline script only filters rows. Without JavaScript every section still reads;
only the filters need it. The listed rows are capped (``MAX_ROWS``); every count includes all.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from dslint.finding import Finding, Report
from dslint.redact import printable
from dslint.report import RenderOptions
from dslint.report.common import SEVERITIES, findings_phrase, rule_rows, scope_phrase, where
from dslint.report.html_charts import HEIGHT, WIDTH, Chart, build_charts
from dslint.report.html_pairs import load_texts, marked_pair, pair_keys

MAX_ROWS = 3000  # findings listed in the table; a 100k-finding report stays a few MB
MAX_FILES = 200  # files listed in the overview
FAMILIES = ("schema", "duplicates", "leakage", "imbalance", "labels", "pii", "encoding", "length", "content")


def esc(value: object) -> str:
    """Text from the report as HTML: control and invisible characters shown as escapes, then
    HTML-escaped (quotes too, so it is safe in attributes)."""
    return html.escape(printable(str(value)), quote=True)


def render_html(report: Report, stream: TextIO, options: RenderOptions) -> None:
    ordered = sorted(report.findings, key=lambda f: (-f.severity.rank, f.sort_key()))
    listed = ordered[:MAX_ROWS]
    stream.write(_page(report, options, listed, build_charts(report.summary.stats, report.findings)))


def _page(report: Report, options: RenderOptions, listed: Sequence[Finding], charts: Sequence[Chart]) -> str:
    verdict = "passed" if report.passed else "failed"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No network at view time, whatever the data holds: only inline style and script run.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:;"
        " style-src 'unsafe-inline'; script-src 'unsafe-inline'\">",
        f"<title>dslint report: {verdict}</title>",
        f"<style>{_CSS}</style></head>",
        '<body data-ready="no">',
        f'<header class="verdict {verdict}"><h1>Gate {verdict}</h1>'
        f"<p>{esc(findings_phrase(report.findings).capitalize())} in {esc(scope_phrase(report))}"
        f" (fail-on: {esc(report.fail_on)}) · dslint {esc(report.tool.version)}</p></header>",
        '<nav><a href="#overview">Overview</a><a href="#figures">Figures</a><a href="#findings">Findings</a>'
        '<a href="#rules">Rules</a></nav>',
        _overview(report, options),
        _figures(report, charts),
        _findings(report, listed),
        _rules(report, options),
        f"<script>{_JS}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


# --- overview ------------------------------------------------------------------------------


def _overview(report: Report, options: RenderOptions) -> str:
    summary = report.summary
    details = summary.file_details
    splits: Counter[str] = Counter()
    for d in details:
        splits[d.split or "(unsplit)"] += d.records
    formats = Counter(d.format or "(none)" for d in details)
    rows = "".join(
        f"<tr><td>{esc(d.path)}</td><td>{esc(d.format or '')}</td><td>{esc(d.split or '')}</td>"
        f'<td class="n">{d.records:,}</td></tr>'
        for d in details[:MAX_FILES]
    )
    more = f"<p>{len(details) - MAX_FILES:,} more files not listed.</p>" if len(details) > MAX_FILES else ""
    by_family = Counter((f.check, f.severity) for f in report.findings)
    families = [fam for fam in FAMILIES if any(by_family[(fam, s)] for s in SEVERITIES)]
    family_rows = "".join(
        f"<tr><th>{esc(fam)}</th>" + "".join(f'<td class="n">{by_family[(fam, s)]:,}</td>' for s in SEVERITIES) + "</tr>"
        for fam in families
    )
    budget_rows = "".join(
        f"<tr><td>{esc(r.code)} {esc(r.name)}</td><td class=\"n\">{esc(r.budget)}</td>"
        f"<td>{'over budget' if r.over_budget else 'within budget'}</td></tr>"
        for r in rule_rows(report, options.budgets)
        if r.budget is not None
    )
    return (
        '<section id="overview"><h2>Overview</h2><div class="cards">'
        f"{_card('files', f'{summary.files:,}')}{_card('records', f'{summary.records:,}')}"
        f"{_card('splits', ', '.join(f'{k} {v:,}' for k, v in sorted(splits.items())) or '(none)')}"
        f"{_card('formats', ', '.join(f'{k} ×{v}' for k, v in sorted(formats.items())) or '(none)')}"
        "</div>"
        "<h3>Findings by family and severity</h3>"
        + (
            '<table class="grid"><tr><th></th>' + "".join(f"<th>{s.value}</th>" for s in SEVERITIES) + f"</tr>{family_rows}</table>"
            if family_rows
            else "<p>No findings.</p>"
        )
        + (f"<h3>Budgets</h3><table class=\"grid\">{budget_rows}</table>" if budget_rows else "")
        + f"<h3>Files</h3><table class=\"grid\"><tr><th>file</th><th>format</th><th>split</th><th>records</th></tr>{rows}</table>{more}"
        "</section>"
    )


def _card(label: str, value: str) -> str:
    return f'<div class="card"><div class="label">{esc(label)}</div><div class="value">{esc(value)}</div></div>'


# --- figures -------------------------------------------------------------------------------


def _figures(report: Report, charts: Sequence[Chart]) -> str:
    stats = report.summary.stats
    blocks = [
        f'<figure><img src="{chart.data_url}" alt="{esc(chart.title)}" width="{WIDTH}" height="{HEIGHT}">'
        f"<figcaption><b>{esc(chart.title)}</b>: {esc(chart.caption)}</figcaption></figure>"
        for chart in charts
    ]
    blocks.append(_leakage_matrix(stats.get("leakage") or {}))
    blocks.append(_clusters((stats.get("duplicates") or {}).get("largest_clusters") or []))
    body = "".join(b for b in blocks if b) or "<p>No figures: the checks that compute them did not run.</p>"
    return f'<section id="figures"><h2>Figures</h2><div class="figures">{body}</div></section>'


def _leakage_matrix(leakage: Mapping[str, Any]) -> str:
    matrix: Mapping[str, Mapping[str, Mapping[str, int]]] = leakage.get("matrix") or {}
    splits = leakage.get("splits") or {}
    if not splits:
        return ""
    sources = sorted({s for row in matrix.values() for s in row} | {"train"})
    head = "".join(f"<th>from {esc(s)}</th>" for s in sources)
    rows = ""
    for split in sorted(splits):
        cells = ""
        for source in sources:
            cell = (matrix.get(split) or {}).get(source) or {}
            text = ", ".join(f"{kind} {n:,}" for kind, n in sorted(cell.items())) or "0"
            cells += f'<td class="{"hot" if cell else ""}">{esc(text)}</td>'
        rows += f"<tr><th>{esc(split)} ({splits[split].get('records', 0):,} records)</th>{cells}</tr>"
    return (
        '<figure class="wide"><table class="grid"><caption>Leakage: evaluation records found in an earlier split'
        f" (copies, near copies, shared prompts, n-gram contamination)</caption><tr><th></th>{head}</tr>{rows}</table></figure>"
    )


def _clusters(clusters: Sequence[Mapping[str, Any]]) -> str:
    if not clusters:
        return ""
    rows = "".join(
        f"<tr><td>{esc(c.get('cluster', ''))}</td><td>{esc(c.get('split') or '')}</td><td class=\"n\">{c.get('size', 0):,}</td></tr>"
        for c in clusters
    )
    return (
        '<figure class="wide"><table class="grid"><caption>Largest duplicate clusters (named by their first record)</caption>'
        f"<tr><th>first record</th><th>split</th><th>records</th></tr>{rows}</table></figure>"
    )


# --- findings ------------------------------------------------------------------------------


def _findings(report: Report, listed: Sequence[Finding]) -> str:
    texts = load_texts(listed)
    rows = "".join(_row(f, texts) for f in listed)
    left = len(report.findings) - len(listed)
    note = (
        f"<p class=\"note\">The {len(listed):,} most severe findings are listed; {left:,} more are counted above"
        " but not listed. The JSON report (<code>--format json</code>) holds them all.</p>"
        if left > 0
        else ""
    )
    filters = "".join(
        f'<label>{name} <select data-filter="{name}"><option value="">all</option>'
        + "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)
        + "</select></label>"
        for name, values in _filter_values(listed)
    )
    return (
        f'<section id="findings"><h2>Findings</h2>{note}'
        f'<div class="filters">{filters}<label>text <input type="search" data-filter="text"></label>'
        '<span id="shown"></span></div>'
        '<table class="findings"><thead><tr><th>severity</th><th>rule</th><th>where</th><th>field</th>'
        f"<th>message</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _filter_values(findings: Iterable[Finding]) -> list[tuple[str, list[str]]]:
    rules, files, splits = set(), set(), set()
    for f in findings:
        rules.add(f.rule)
        files.add(f.location.file if f.location else "<dataset>")
        splits.add((f.location.split if f.location else None) or "(unsplit)")
    order = {s.value: i for i, s in enumerate(SEVERITIES)}
    severities = sorted({f.severity.value for f in findings}, key=order.__getitem__)
    return [("severity", severities), ("rule", sorted(rules)), ("file", sorted(files)), ("split", sorted(splits))]


def _row(f: Finding, texts: Mapping[tuple[str, int], str]) -> str:
    loc = f.location
    file = loc.file if loc else "<dataset>"
    split = (loc.split if loc else None) or "(unsplit)"
    detail = ""
    if f.snippet:
        detail += f'<div class="snippet">{esc(f.snippet)}</div>'
    keys = pair_keys(f)
    if keys and keys[0] in texts and keys[1] in texts:
        mine, theirs = marked_pair(texts[keys[0]], texts[keys[1]])
        detail += (
            f'<div class="pair"><div><b>this record</b><p>{mine}</p></div>'
            f"<div><b>{esc(where(f.related[-1] if f.rule == 'DS203' else f.related[0]))}</b><p>{theirs}</p></div></div>"
        )
    if f.suppressed:
        detail += f'<div class="note">suppressed by {esc(f.suppressed)}</div>'
    return (
        f'<tr class="{f.severity.value}" data-severity="{esc(f.severity.value)}" data-rule="{esc(f.rule)}"'
        f' data-file="{esc(file)}" data-split="{esc(split)}">'
        f'<td><span class="sev">{esc(f.severity.value)}</span></td>'
        f'<td><a href="#rule-{esc(f.rule)}">{esc(f.rule)}</a> {esc(f.name)}</td>'
        f"<td>{esc(where(loc))}</td><td><code>{esc(loc.field if loc and loc.field else '')}</code></td>"
        f"<td>{esc(f.message)}{detail}</td></tr>"
    )


# --- rules ---------------------------------------------------------------------------------


def _rules(report: Report, options: RenderOptions) -> str:
    codes = sorted({f.rule for f in report.findings})
    blocks = []
    for code in codes:
        rule = options.rules.get(code)
        if rule is None:
            continue
        blocks.append(
            f'<details id="rule-{esc(code)}"><summary><b>{esc(code)}</b> {esc(rule.name)} ({esc(rule.severity.value)}):'
            f" {esc(rule.summary)}</summary><pre>{esc(rule.docs)}</pre></details>"
        )
    body = "".join(blocks) or "<p>No rule fired.</p>"
    return f'<section id="rules"><h2>Rules that fired</h2>{body}</section>'


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header.verdict{padding:18px 28px;color:#fff}header.passed{background:#2f7d4f}header.failed{background:#b3261e}
header h1{margin:0;font-size:24px}header p{margin:4px 0 0}
nav{display:flex;gap:18px;padding:10px 28px;background:#fff;border-bottom:1px solid #dde1e7;position:sticky;top:0}
nav a{color:#3b6fb6;text-decoration:none;font-weight:600}
section{padding:8px 28px 20px}h2{font-size:19px;border-bottom:1px solid #dde1e7;padding-bottom:4px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:10px 14px;min-width:140px}
.card .label{color:#5b6475;font-size:12px;text-transform:uppercase}.card .value{font-size:16px;font-weight:600;overflow-wrap:anywhere}
table.grid{border-collapse:collapse;background:#fff;margin:6px 0}table.grid td,table.grid th{border:1px solid #dde1e7;padding:4px 8px;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.hot{background:#fde2df}
caption{text-align:left;font-weight:600;padding:4px 0}
.figures{display:flex;flex-wrap:wrap;gap:14px}figure{margin:0;background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:8px}
figure img{max-width:100%;height:auto}figcaption{font-size:12px;color:#5b6475;max-width:560px}figure.wide{flex-basis:100%}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:8px 0}.filters select,.filters input{font:inherit}
table.findings{border-collapse:collapse;width:100%;background:#fff}table.findings th,table.findings td{border-bottom:1px solid #e6e9ee;padding:5px 8px;vertical-align:top;text-align:left}
table.findings td:nth-child(3),table.findings td:nth-child(4){overflow-wrap:anywhere;max-width:260px}
.sev{font-weight:600;font-size:12px;padding:1px 6px;border-radius:8px}tr.error .sev{background:#fde2df;color:#8c1d18}
tr.warning .sev{background:#fff1d6;color:#7a4b00}tr.info .sev{background:#e3ecf8;color:#27508f}
.snippet{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;background:#f3f4f6;padding:3px 6px;margin-top:4px;overflow-wrap:anywhere}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:8px;margin-top:6px}.pair div{background:#f8f9fb;border:1px solid #e6e9ee;padding:4px 6px;font-size:12px}
.pair p{margin:2px 0;white-space:pre-wrap;overflow-wrap:anywhere}mark{background:#ffe08a}
.note{color:#5b6475}pre{white-space:pre-wrap;background:#fff;border:1px solid #dde1e7;padding:8px}
details{margin:4px 0}summary{cursor:pointer}
"""

# Filters rows by the selects and the search box; marks the page ready (the browser test waits
# for it). Reads only attributes dslint wrote; never builds HTML from data.
_JS = """
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('table.findings tbody tr'));
  var controls = Array.prototype.slice.call(document.querySelectorAll('[data-filter]'));
  var shown = document.getElementById('shown');
  function apply() {
    var count = 0;
    rows.forEach(function (row) {
      var ok = controls.every(function (c) {
        var value = c.value.trim();
        if (!value) { return true; }
        if (c.dataset.filter === 'text') { return row.textContent.toLowerCase().indexOf(value.toLowerCase()) >= 0; }
        return row.dataset[c.dataset.filter] === value;
      });
      row.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = count + ' of ' + rows.length + ' listed findings shown';
  }
  controls.forEach(function (c) { c.addEventListener('input', apply); });
  apply();
  document.body.dataset.ready = 'yes';
})();
"""
