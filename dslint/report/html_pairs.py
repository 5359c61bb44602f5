"""Side-by-side texts of duplicate and leakage findings for the HTML report.

A finding names its record and the record it copies; the report reads both back from the data
files (only for the rows it lists, each file once) and shows their text redacted, with the words
that differ marked. A file that cannot be read again (moved, stdin) simply shows no pair.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable, Sequence

from dslint.finding import Finding, Location
from dslint.formats import detect_format
from dslint.readers import InputError, discover, read_source
from dslint.record import Record
from dslint.redact import make_snippet

PAIR_RULES = frozenset({"DS201", "DS202", "DS203", "DS301", "DS302", "DS303"})
PAIR_CHARS = 600  # characters of each side shown
_WORDS = re.compile(r"(\s+)")

Key = tuple[str, int]  # (file, record index)


def _key(loc: Location | None) -> Key | None:
    return (loc.file, loc.record) if loc is not None and loc.record is not None else None


def pair_keys(finding: Finding) -> tuple[Key, Key] | None:
    """The finding's record and the record it matches, when it is a pair finding."""
    if finding.rule not in PAIR_RULES or not finding.related:
        return None
    own, other = _key(finding.location), _key(finding.related[-1] if finding.rule == "DS203" else finding.related[0])
    return (own, other) if own is not None and other is not None else None


def record_text(record: Record) -> str:
    """What a person compares: each text field with its role, in document order."""
    fields = detect_format([record.data]).fields(record.data)
    return "\n".join(f"{f.role}: {f.text}" for f in fields)


def load_texts(findings: Sequence[Finding]) -> dict[Key, str]:
    """The redacted text of every record the listed pair findings name, read back from disk."""
    wanted: dict[str, set[int]] = {}
    for finding in findings:
        keys = pair_keys(finding)
        for file, index in keys or ():
            wanted.setdefault(file, set()).add(index)
    texts: dict[Key, str] = {}
    for file, indices in sorted(wanted.items()):
        texts.update(_read(file, indices))
    return texts


def _read(file: str, indices: set[int]) -> dict[Key, str]:
    found: dict[Key, str] = {}
    try:
        for source in discover([file]):
            for item in read_source(source):
                if isinstance(item, Record) and item.index in indices:
                    found[(file, item.index)] = make_snippet(record_text(item), PAIR_CHARS)
                    if len(found) == len(indices):
                        return found
    except (InputError, OSError, ValueError):
        return found
    return found


def marked_pair(left: str, right: str) -> tuple[str, str]:
    """Both texts as HTML, escaped, with the words that differ wrapped in ``<mark>``."""
    a, b = _WORDS.split(left), _WORDS.split(right)
    out_a: list[str] = []
    out_b: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        _append(out_a, a[i1:i2], op != "equal")
        _append(out_b, b[j1:j2], op != "equal")
    return "".join(out_a), "".join(out_b)


def _append(out: list[str], words: Iterable[str], changed: bool) -> None:
    text = html.escape("".join(words))
    if text:
        out.append(f"<mark>{text}</mark>" if changed and text.strip() else text)
