"""What a fix run did: one change-log entry per change (``fixes.jsonl``) and the summary.

Entries hash values instead of quoting them: a redacted secret must not reappear in the log.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from dslint.redact import printable

# In a hidden folder of the output, so that linting or fixing the output does not read the log.
LOG_PATH = Path(".dslint", "fixes.jsonl")
# Lines that never became records (invalid JSON or UTF-8, not an object): not counted as records.
READ_ISSUE_RULES = frozenset({"DS101", "DS102", "DS103"})


@dataclass(frozen=True)
class Change:
    """One change: a dropped record or line, or a rewritten field of a record.

    ``line`` and ``record`` are where the record was in the input; ``before``/``after`` are
    stable hashes of the dropped line or of the field's text before and after the fix."""

    file: str
    line: int | None
    record: int
    rule: str
    name: str
    action: Literal["drop", "rewrite"]
    field: str | None
    before: str
    after: str | None
    pass_: int

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "record": self.record,
            "rule": self.rule,
            "name": self.name,
            "action": self.action,
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "pass": self.pass_,
        }


@dataclass
class FileTally:
    path: str  # as the input was displayed
    output: str
    records_in: int
    records_out: int = 0


@dataclass
class FixSummary:
    """The result of ``dslint fix`` / ``dslint.fix()``."""

    output_dir: str | None  # None with --in-place
    log: str  # path of fixes.jsonl
    files: list[FileTally]
    changes: list[Change]
    passes: int
    remaining: dict[str, int] = field(default_factory=dict)  # findings of applied fixes still there
    unsafe_available: dict[str, int] = field(default_factory=dict)  # need --unsafe-fixes
    unreadable: list[str] = field(default_factory=list)  # files copied unchanged (DS100)
    unwritable: list[str] = field(default_factory=list)  # files with fixes of a kind no writer handles
    names: dict[str, str] = field(default_factory=dict)  # rule code -> name
    diff: str = ""  # with diff=True: a redacted unified diff of every rewritten field

    @property
    def dropped(self) -> dict[str, int]:
        """Records or lines dropped, per rule."""
        return dict(sorted(Counter(c.rule for c in self.changes if c.action == "drop").items()))

    @property
    def rewritten(self) -> dict[str, int]:
        """Records rewritten, per rule (a record counts once per rule however many fields)."""
        seen = {(c.rule, c.file, c.record) for c in self.changes if c.action == "rewrite"}
        return dict(sorted(Counter(rule for rule, _, _ in seen).items()))

    @property
    def records_in(self) -> int:
        return sum(f.records_in for f in self.files)

    @property
    def records_out(self) -> int:
        return sum(f.records_out for f in self.files)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def to_text(self) -> str:
        """The summary printed at the end of a run."""
        rewritten_records = len({(c.file, c.record) for c in self.changes if c.action == "rewrite"})
        unreadable = sum(n for code, n in self.dropped.items() if code in READ_ISSUE_RULES)
        lines = [
            f"{self.records_in:,} record{'s' if self.records_in != 1 else ''} in, {self.records_out:,} kept, "
            f"{sum(self.dropped.values()) - unreadable:,} dropped, {rewritten_records:,} rewritten"
            + (f"; {unreadable:,} unreadable line{'s' if unreadable != 1 else ''} dropped" if unreadable else "")
            + f" ({self.passes} pass{'es' if self.passes != 1 else ''})"
        ]
        for code, count in self.dropped.items():
            lines.append(f"  {code} {self.names.get(code, '')}: dropped {count:,}")
        for code, count in self.rewritten.items():
            lines.append(f"  {code} {self.names.get(code, '')}: rewrote {count:,} record{'s' if count != 1 else ''}")
        if self.unsafe_available:
            total = sum(self.unsafe_available.values())
            codes = ", ".join(sorted(self.unsafe_available))
            lines.append(f"{total:,} more {'fix is' if total == 1 else 'fixes are'} available with --unsafe-fixes ({codes})")
        if self.remaining:
            codes = ", ".join(f"{code} ({n})" for code, n in sorted(self.remaining.items()))
            lines.append(f"still found after fixing: {codes}")
        for path in self.unreadable:
            lines.append(f"left unchanged, not readable: {printable(path)}")
        for path in self.unwritable:
            lines.append(f"left unchanged, dslint fix cannot write this format yet: {printable(path)}")
        where = printable(self.output_dir) if self.output_dir is not None else "in place"
        lines.append(f"wrote {where}; change log: {printable(self.log)}")
        return "\n".join(lines)
