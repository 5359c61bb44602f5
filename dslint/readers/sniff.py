"""Is a JSON file met during a walk a dataset, or a file that merely sits next to one?

A walk (``dslint check data/``, the pre-commit hook) skips JSON that is plainly not records (a
package manifest, a JSON Schema, a settings object) and the reports and baselines dslint wrote.
A file named explicitly is always read, so a broken dataset still gets its finding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from dslint.paths import detect_split

# Files of well-known tools (and of Hugging Face datasets' metadata), never data.
NOT_DATA_NAMES = frozenset(
    {
        "package.json",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "composer.json",
        "composer.lock",
        "bower.json",
        "lerna.json",
        "tsconfig.json",
        "jsconfig.json",
        "deno.json",
        "renovate.json",
        ".eslintrc.json",
        "tslint.json",
        "manifest.json",
        "dataset_info.json",
        "dataset_infos.json",
        "dataset_dict.json",
        "state.json",
    }
)
# Bigger documents are parsed only by the reader: an object this large is data, not settings.
_PARSE_LIMIT = 16 << 20
# Keys that mark a single chat record (an object that is one dataset row).
_RECORD_KEYS = ("messages", "conversations")


# Keys every finding of a JSON Lines report has.
_FINDING_KEYS = frozenset({"rule", "name", "check", "severity", "message", "fingerprint"})
NOT_A_DATASET = "not a dataset"
DSLINT_OUTPUT = "written by dslint"


def walk_skip_reason(path: Path, kind: str) -> str | None:
    """Why a walk passes over this file (``NOT_A_DATASET``, ``DSLINT_OUTPUT``), or None to read it.
    Only uncompressed JSON and JSON Lines files are looked into."""
    if path.suffix.lower() in (".gz", ".zst") or kind not in ("json", "jsonl"):
        return None
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None  # the reader reports it
    if _dslint_output(head.lstrip(b"\xef\xbb\xbf \t\r\n"), kind):
        return DSLINT_OUTPUT
    if kind == "json" and not is_dataset_json(path):
        return NOT_A_DATASET
    return None


def _dslint_output(head: bytes, kind: str) -> bool:
    """A JSON report or baseline (``"tool"`` names dslint), a GitLab Code Quality report, or a
    JSON Lines report of findings."""
    if kind == "jsonl":
        try:
            first = orjson.loads(head.split(b"\n", 1)[0])
        except orjson.JSONDecodeError:
            return False
        return isinstance(first, dict) and _FINDING_KEYS <= first.keys()
    if head.startswith(b"["):
        return all(key in head for key in (b'"check_name"', b'"fingerprint"', b'"location"'))
    return head.startswith(b"{") and (b'"tool": "dslint ' in head or b'"name": "dslint"' in head[:200])


def is_dataset_json(path: Path) -> bool:
    """False for a JSON document that holds no list of records: a known tool file, a JSON
    Schema, or an object without exactly one list of objects. Unreadable or invalid files count
    as datasets, so the reader reports what is wrong with them."""
    if path.name.lower() in NOT_DATA_NAMES or path.name.lower().endswith(".schema.json"):
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
            if not head.startswith(b"{"):
                return True  # an array (or something the reader will complain about)
            if path.stat().st_size > _PARSE_LIMIT:
                return True
            doc = orjson.loads(head + fh.read())
    except (OSError, orjson.JSONDecodeError):
        return True
    return _holds_records(doc)


def _holds_records(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return True
    if any(isinstance(doc.get(key), list) for key in _RECORD_KEYS):
        return True
    if "$schema" in doc or ("$id" in doc and "properties" in doc):
        return False
    lists = {key: value for key, value in doc.items() if isinstance(value, list)}
    if len(lists) > 1:
        # {"train": [...], "test": [...]}: splits in one document, which the reader reports
        return any(detect_split(key) is not None for key in lists)
    rows = next(iter(lists.values()), None)
    if rows is None:
        return False
    return not rows or sum(isinstance(row, dict) for row in rows) * 2 >= len(rows)
