"""``--diff-base REF``: which files, and which lines of them, changed since a git ref.

Findings are computed on the whole dataset (so a new row that duplicates an old one is caught)
and then kept only when they, or one of their related locations, touch a changed line.
"""

from __future__ import annotations

import ast
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field

from dslint.finding import Finding, Location
from dslint.redact import printable, quote
from dslint.yamlpos import ConfigError

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
WHOLE_FILE = None  # a file whose every line counts as changed (new, untracked, or binary)


@dataclass
class Changes:
    # file (relative to the working directory) → changed line numbers, or WHOLE_FILE
    files: dict[str, set[int] | None] = field(default_factory=dict)
    # whether findings about the whole dataset (no location at all) are kept
    keep_dataset_wide: bool = False

    def touches(self, loc: Location) -> bool:
        if loc.file not in self.files:
            return False
        lines = self.files[loc.file]
        return lines is WHOLE_FILE or loc.line is None or loc.line in lines

    def keep(self, finding: Finding) -> bool:
        locations = ([finding.location] if finding.location else []) + list(finding.related)
        if not locations:
            return self.keep_dataset_wide
        return any(self.touches(loc) for loc in locations)


def _git(args: Sequence[str]) -> str:
    try:
        # quotePath=true: every unusual name is C-quoted in ASCII, which _header_path decodes
        proc = subprocess.run(["git", "-c", "core.quotePath=true", *args], capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ConfigError(f"--diff-base needs git: {exc}") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        if any("not a git repository" in line for line in message):
            raise ConfigError("--diff-base needs a git repository, and the working directory is not in one")
        raise ConfigError(f"git {' '.join(args[:2])} failed: {printable(message[-1]) if message else proc.returncode}")
    return proc.stdout.decode("utf-8", "surrogateescape")


def changes_since(ref: str) -> Changes:
    """Lines added or changed in the working tree since ``ref``, plus untracked files."""
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"])
    except ConfigError as exc:
        if "--diff-base needs" in str(exc):
            raise
        raise ConfigError(f"--diff-base: {quote(ref, 80)} is not a commit in this repository (try a branch, tag or commit, e.g. origin/main)") from None
    common = ["--no-color", "--no-ext-diff", "--relative", "--no-renames", ref, "--"]
    changes = Changes()
    current: str | None = None
    for line in _git(["diff", "--unified=0", *common]).splitlines():
        if line.startswith("+++ "):
            target = _header_path(line[4:])
            current = None if target == "/dev/null" else target.removeprefix("b/")
            if current is not None:
                changes.files.setdefault(current, set())
        elif current is not None and (m := _HUNK.match(line)):
            start, count = int(m.group(1)), int(m.group(2) or 1)
            lines = changes.files[current]
            if lines is not WHOLE_FILE:
                lines.update(range(start, start + count))
    # Files changed without a text hunk (binary, e.g. Parquet) count whole, as do untracked ones.
    for path in _git(["diff", "--name-only", "-z", *common]).split("\0"):
        if path and path not in changes.files:
            changes.files[path] = WHOLE_FILE
    for path in _git(["ls-files", "-z", "--others", "--exclude-standard"]).split("\0"):
        if path:
            changes.files[path] = WHOLE_FILE
    return changes


def _header_path(text: str) -> str:
    """A path from a ``+++`` line: git C-quotes names with unusual bytes ("b/donn\\303\\251es")
    and ends names that contain a space with a tab."""
    text = text.rstrip("\t")
    if not (text.startswith('"') and text.endswith('"')):
        return text
    try:
        raw = ast.literal_eval("b" + text)
    except (SyntaxError, ValueError):
        return text
    return raw.decode("utf-8", "surrogateescape")
