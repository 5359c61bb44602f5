"""``dslint fix --diff``: a unified diff of each rewritten field, redacted and escaped like every
snippet (a secret shows masked on the ``-`` side, its placeholder on the ``+`` side)."""

from __future__ import annotations

import difflib

from dslint.redact import printable, redact


def field_diff(file: str, line: int | None, record: int, pointer: str, before: str, after: str) -> str:
    where = f"{printable(file)}:{line if line is not None else f'record {record}'} {printable(pointer)}"
    old = [printable(redact(x)) for x in before.split("\n")]
    new = [printable(redact(x)) for x in after.split("\n")]
    return "\n".join(difflib.unified_diff(old, new, f"a/{where}", f"b/{where}", lineterm="", n=1))
