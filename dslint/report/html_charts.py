"""Charts of the HTML report, drawn with pygal from ``summary.stats`` and the findings.

Each chart is an SVG document embedded as an ``<img>`` data URL: an image cannot run script, works
with JavaScript disabled and needs no network. Every label comes from the stats (already redacted)
and is escaped by pygal's XML writer; the random chart id and the date comment pygal writes are
replaced, so the same report gives the same bytes.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dslint.finding import Finding

WIDTH, HEIGHT = 560, 300
MAX_SERIES = 12  # labels or splits drawn per chart; the rest are summed as "other"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True)
class Chart:
    """One chart: its title, a sentence of what it shows, and the SVG as a data URL."""

    title: str
    caption: str
    data_url: str


def _style() -> Any:
    from pygal.style import Style

    return Style(
        background="white",
        plot_background="white",
        font_family="system-ui, -apple-system, 'Segoe UI', sans-serif",
        colors=("#3b6fb6", "#e0873a", "#4c9f70", "#c44e52", "#8172b2", "#937860", "#da8bc3", "#8c8c8c"),
        title_font_size=14,
        label_font_size=11,
        major_label_font_size=11,
        legend_font_size=11,
    )


def _config(**extra: Any) -> dict[str, Any]:
    # js=[]: pygal would otherwise load its tooltip script from the network.
    return {"js": [], "style": _style(), "width": WIDTH, "height": HEIGHT, "disable_xml_declaration": True, **extra}


def _encode(chart: Any, title: str, caption: str, index: int) -> Chart:
    svg = chart.render(is_unicode=True)
    svg = _COMMENT.sub("", _UUID.sub(str(index), svg))
    return Chart(title, caption, "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii"))


def build_charts(stats: Mapping[str, Any], findings: Iterable[Finding]) -> list[Chart]:
    """Every chart the report's figures support, in reading order."""
    import pygal  # imported here: only the HTML format needs it

    drafts = [
        *_length_charts(pygal, stats.get("length") or {}),
        *_label_charts(pygal, stats.get("labels") or {}),
        *_duplicate_charts(pygal, stats.get("duplicates") or {}),
        *_pii_charts(pygal, findings),
    ]
    return [_encode(chart, title, caption, i) for i, (chart, title, caption) in enumerate(drafts)]


Draft = tuple[Any, str, str]


def _length_charts(pygal: Any, length: Mapping[str, Any]) -> Iterator[Draft]:
    """A histogram per field role (characters) and one of example tokens, a series per split."""
    splits: Mapping[str, Any] = length.get("splits") or {}
    roles = sorted({role for groups in splits.values() for role in groups})
    for role in roles:
        series = {split: groups[role] for split, groups in sorted(splits.items()) if role in groups}
        buckets = sorted({(b["from"], b["to"]) for g in series.values() for b in g.get("histogram", [])})
        if not buckets:
            continue
        chart = pygal.Bar(**_config(x_label_rotation=30, legend_at_bottom=True, value_formatter=lambda v: f"{v:.1f}%"))
        chart.title = f"{role} length ({'tokens' if role == 'example' else 'characters'}), % of each split"
        chart.x_labels = [f"{lo:,}-{hi:,}" for lo, hi in buckets]
        for split, group in list(series.items())[:MAX_SERIES]:
            counts = {(b["from"], b["to"]): b["count"] for b in group.get("histogram", [])}
            total = sum(counts.values()) or 1
            chart.add(split, [round(100 * counts.get(key, 0) / total, 2) for key in buckets])
        notes = []
        for split, group in series.items():
            bounds = group.get("outliers")
            if bounds:
                notes.append(f"{split}: outliers below {bounds['short_below']:,} or above {bounds['long_above']:,}")
        if role == "example" and length.get("context_window"):
            notes.append(f"context window {length['context_window']:,} tokens ({length.get('tokenizer', 'estimate')})")
        yield chart, chart.title, "; ".join(notes) or "counts per doubling of length"


def _label_charts(pygal: Any, labels: Mapping[str, Any]) -> Iterator[Draft]:
    """Label counts per split, stacked; one chart per task when there are several."""
    tasks = labels.get("tasks")
    per_task = sorted(tasks.items()) if isinstance(tasks, Mapping) else [(None, labels)]
    for task, figures in per_task:
        splits: Mapping[str, Any] = figures.get("splits") or {}
        totals: Counter[str] = Counter()
        for info in splits.values():
            totals.update(info.get("labels") or {})
        if not totals:
            continue
        shown = [label for label, _ in totals.most_common(MAX_SERIES)]
        chart = pygal.StackedBar(**_config(legend_at_bottom=True))
        chart.title = "labels per split" + (f" ({task})" if task else "")
        chart.x_labels = list(splits)
        for label in shown:
            chart.add(label, [(info.get("labels") or {}).get(label, 0) for info in splits.values()])
        rest = [sum(v for k, v in (info.get("labels") or {}).items() if k not in shown) for info in splits.values()]
        if any(rest):
            chart.add("other", rest)
        drift = figures.get("drift_from_train") or {}
        caption = "; ".join(f"{split}: Jensen-Shannon {d['jensen_shannon']:.3f} from train" for split, d in sorted(drift.items()))
        yield chart, chart.title, caption or "records per label"


def _duplicate_charts(pygal: Any, duplicates: Mapping[str, Any]) -> Iterator[Draft]:
    splits: Mapping[str, Any] = duplicates.get("splits") or {}
    if not splits:
        return
    chart = pygal.Bar(**_config(legend_at_bottom=True))
    chart.title = "duplicates per split"
    chart.x_labels = list(splits)
    for key, name in (("exact_duplicates", "exact"), ("normalized_duplicates", "normalised"), ("near_duplicates", "near")):
        chart.add(name, [info.get(key, 0) for info in splits.values()])
    rates = ", ".join(f"{split} {info.get('duplicate_rate', 0) * 100:.1f}%" for split, info in splits.items())
    yield chart, chart.title, f"duplicate rate: {rates}"


def _pii_charts(pygal: Any, findings: Iterable[Finding]) -> Iterator[Draft]:
    """PII and secret findings by kind, split into learned text and text the model only reads."""
    counts: Counter[tuple[str, bool]] = Counter()
    for f in findings:
        if f.check == "pii":
            counts[(f.name, bool(f.metrics.get("learned")))] += 1
    if not counts:
        return
    kinds = sorted({kind for kind, _ in counts})
    chart = pygal.HorizontalStackedBar(**_config(legend_at_bottom=True))
    chart.title = "PII and secrets by kind"
    chart.x_labels = kinds
    chart.add("in learned text", [counts[(k, True)] for k in kinds])
    chart.add("in input or rejected text", [counts[(k, False)] for k in kinds])
    yield chart, chart.title, "findings per kind; learned text is what the model is trained to produce"
