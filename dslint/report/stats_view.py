"""Dataset figures in the terminal report: length distributions, label counts, duplicate rates.

Values come from ``report.summary.stats`` (published by dataset checks). Labels and field values
are data, so every string goes through ``printable`` into a ``Text``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from dslint.redact import printable

MAX_LABELS = 8


def _table(title: str, *columns: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", title=Text(title), title_justify="left")
    for i, col in enumerate(columns):
        table.add_column(col, justify="left" if i < 2 else "right", overflow="fold")
    return table


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else printable(str(value))


def length_table(stats: Mapping[str, Any]) -> Table:
    title = f"Length distribution ({printable(str(stats.get('tokenizer', '')))})"
    table = _table(title, "split", "field", "unit", "count", "min", "p50", "p95", "max")
    for split, groups in sorted(stats.get("splits", {}).items()):
        for field, g in groups.items():
            table.add_row(*(Text(printable(str(v))) for v in (split, field, g.get("unit", ""))),
                          *(Text(_num(g.get(k, ""))) for k in ("count", "min", "p50", "p95", "max")))
    return table


def labels_table(stats: Mapping[str, Any]) -> Table | None:
    """Label counts per split; with several tasks, a row per split and task."""
    tasks = stats.get("tasks")
    per_task = tasks.items() if isinstance(tasks, Mapping) else [(None, stats)]
    table = _table("Labels per split", "split", "labels (most common first)", "records")
    for task, figures in sorted(per_task, key=lambda kv: kv[0] or ""):
        splits = figures.get("splits") if isinstance(figures, Mapping) else None
        if not isinstance(splits, Mapping):
            continue
        for split, info in sorted(splits.items()):
            counts = info.get("labels") or info.get("counts") or {}
            if not isinstance(counts, Mapping) or not counts:
                continue
            top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            shown = ", ".join(f"{printable(str(k))} {v:,}" for k, v in top[:MAX_LABELS])
            more = f", … {len(top) - MAX_LABELS} more" if len(top) > MAX_LABELS else ""
            name = str(split) if task is None else f"{split} · {task}"
            table.add_row(Text(printable(name)), Text(shown + more), Text(_num(info.get("records", sum(counts.values())))))
    return table if table.row_count else None


def stats_renderables(stats: Mapping[str, Any]) -> Iterator[RenderableType]:
    """One table per kind of figures the report carries."""
    if "length" in stats:
        yield length_table(stats["length"])
    if "labels" in stats:
        table = labels_table(stats["labels"])
        if table is not None:
            yield table
