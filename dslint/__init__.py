"""dslint: a data-quality linter and CI gate for machine-learning fine-tuning datasets.

The public Python API::

    import dslint
    report = dslint.lint(["data/"])          # same findings as `dslint check data/`
    report.passed, report.findings
    summary = dslint.fix(["data/"], "clean/")  # same as `dslint fix data/ --output-dir clean/`
"""

from __future__ import annotations

__version__ = "0.1.0"

from dslint.batch import Batch  # noqa: E402
from dslint.check import CheckContext, DatasetCheck, Fix, RecordCheck, Rule  # noqa: E402
from dslint.finding import Finding, Location, Report, Severity  # noqa: E402


def __getattr__(name: str) -> object:
    # lint() pulls in the engine, readers and every check; load it only when asked for.
    if name == "lint":
        from dslint.api import lint

        return lint
    if name == "fix":
        from dslint.fix import fix

        return fix
    raise AttributeError(f"module 'dslint' has no attribute {name!r}")


__all__ = [
    "Batch",
    "CheckContext",
    "DatasetCheck",
    "Finding",
    "Fix",
    "Location",
    "RecordCheck",
    "Report",
    "Rule",
    "Severity",
    "__version__",
    "fix",
    "lint",
]
