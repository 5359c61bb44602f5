"""``dslint fix``: write a cleaned copy of a dataset and a log of every change.

Rules declare their fix (``Rule.fix``): drop the record, or rewrite a field (``rewrites.py``).
Only this package writes files (``output.py``, ``jsonl.py``); untouched lines keep their bytes.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence
from pathlib import Path

from dslint.fix.log import Change, FixSummary
from dslint.fix.runner import DropLeaked, run_fix

__all__ = ["Change", "FixSummary", "fix"]


def fix(
    paths: Sequence[str | Path] | str | Path | None = None,
    output_dir: str | Path | None = None,
    config: str | Path | None = None,
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    unsafe_fixes: bool = False,
    drop_leaked: DropLeaked = "train",
    in_place: bool = False,
    jobs: int | None = None,
    executor: str | None = None,
    ray_address: str | None = None,
    diff: bool = False,
    allow_plugins: bool = False,
) -> FixSummary:
    """Write fixed copies of the files under ``paths`` into ``output_dir`` (or, with
    ``in_place=True``, replace each changed input atomically) and return what changed, the same
    summary ``dslint fix`` prints. Safe fixes only, unless ``unsafe_fixes``; ``drop_leaked``
    chooses which side of a train/eval leak is dropped; ``diff`` fills ``summary.diff`` with a
    redacted unified diff of the rewrites. Code plugins named by the config run only with
    ``allow_plugins=True``, and ``executor`` / ``ray_address`` choose where the files are linted,
    as in ``dslint.lint``.

    Raises ``dslint.yamlpos.ConfigError`` for a bad config and ``dslint.readers.InputError`` for
    paths that cannot be read or an output that would overwrite an input."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return run_fix(
        [str(p) for p in paths or []], output_dir, config,
        select=select, ignore=ignore, unsafe_fixes=unsafe_fixes, drop_leaked=drop_leaked, jobs=jobs, in_place=in_place, diff=diff,
        allow_plugins=allow_plugins, executor=executor, ray_address=ray_address,
    )


class _CallableModule(types.ModuleType):
    """Importing this package sets ``dslint.fix`` to the module, hiding the function of the same
    name; a callable module keeps ``dslint.fix(...)`` working either way."""

    def __call__(self, *args: object, **kwargs: object) -> FixSummary:
        return fix(*args, **kwargs)  # type: ignore[arg-type]


sys.modules[__name__].__class__ = _CallableModule
