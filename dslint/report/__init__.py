"""Reporters: turn a ``Report`` into text on a stream.

Each output format is one module with a ``Renderer`` function and one entry in ``RENDERERS``.
Renderers are imported on first use, so ``--format json`` does not pay for importing rich.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

from dslint.check import Rule
from dslint.finding import Report
from dslint.policy import Budget  # the policy's budget, so the CLI passes policy.budgets as is

__all__ = ["RENDERERS", "Budget", "RenderOptions", "Renderer", "render"]


@dataclass(frozen=True)
class RenderOptions:
    """What a renderer needs besides the report."""

    rules: Mapping[str, Rule]  # every known rule by code
    budgets: Mapping[str, Budget] = field(default_factory=dict)  # per rule code, when configured
    color: bool = False  # False: no ANSI escape sequence at all
    width: int | None = None  # terminal width; None: the terminal's, or 100 when not a terminal
    statistics: bool = False  # counts per rule instead of the individual findings
    enabled: frozenset[str] = frozenset()  # codes of the rules that ran (JUnit lists them)


Renderer = Callable[[Report, TextIO, RenderOptions], None]


def _lazy(target: str) -> Renderer:
    """The renderer ``module:function``, imported when first called."""
    module, _, name = target.partition(":")

    def renderer(report: Report, stream: TextIO, options: RenderOptions) -> None:
        getattr(importlib.import_module(module), name)(report, stream, options)

    renderer.__name__ = renderer.__qualname__ = name
    return renderer


RENDERERS: dict[str, Renderer] = {
    "rich": _lazy("dslint.report.terminal:render"),
    "concise": _lazy("dslint.report.concise:render"),
    "json": _lazy("dslint.report.jsonfmt:render_json"),
    "jsonl": _lazy("dslint.report.jsonfmt:render_jsonl"),
    "sarif": _lazy("dslint.report.sarif:render_sarif"),
    "github": _lazy("dslint.report.github:render_github"),
    "junit": _lazy("dslint.report.junit:render_junit"),
    "gitlab": _lazy("dslint.report.gitlab:render_gitlab"),
    "markdown": _lazy("dslint.report.markdown:render_markdown"),
    "html": _lazy("dslint.report.html:render_html"),
}


def render(name: str, report: Report, stream: TextIO, options: RenderOptions) -> None:
    """Write ``report`` to ``stream`` in the output format ``name``."""
    renderer = RENDERERS.get(name)
    if renderer is None:
        raise ValueError(f"unknown output format {name!r}; choose from {', '.join(sorted(RENDERERS))}")
    renderer(report, stream, options)
