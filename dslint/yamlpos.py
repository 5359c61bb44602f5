"""Load YAML and TOML config files as plain data plus the line of every key, for error messages."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, CommentedSet, TaggedScalar
from ruamel.yaml.error import YAMLError

Path_ = tuple[str | int, ...]


class ConfigError(Exception):
    """A configuration, rule-pack or plugin problem; the message is one line, naming file:line."""


# A config or rule pack is a few kilobytes; anything this big is a mistake (or /dev/zero).
MAX_FILE_BYTES = 16 << 20


def read_small_file(path: Path, display: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is a ConfigError, so a
    device, a pipe or a huge file named as a config never hangs or exhausts memory."""
    try:
        if not path.is_file():
            raise ConfigError(f"cannot read {display}: not a regular file")
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read {display}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise ConfigError(f"cannot read {display}: larger than {limit >> 20} MB")
    return data


class Positions:
    """Where each key of a loaded document was written: ``file:line`` by key path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[Path_, int] = {}

    def where(self, path: Path_) -> str:
        """The file and the line of the deepest known key on ``path``."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return f"{self.file}:{line}"
        return self.file


def load_yaml(path: Path, display: str) -> tuple[Any, Positions]:
    """Parse a YAML file, keeping the 1-based line of every mapping key and sequence item."""
    doc = load_roundtrip(path, display)
    positions = Positions(display)
    return _plain(doc, (), positions), positions


def load_roundtrip(path: Path, display: str) -> Any:
    """A YAML file as ruamel's round-trip document (comments kept); errors are ConfigErrors."""
    try:
        text = read_small_file(path, display).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read {display}: {exc}") from None
    try:
        doc = YAML(typ="rt").load(text)
    except RecursionError:
        raise ConfigError(_too_deep(display)) from None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{display}:{mark.line + 1}" if mark is not None else display
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"invalid YAML at {where}: {problem}") from None
    return doc


# Far more than any real config; a bound that stops alias "billion laughs" expansion early.
MAX_VALUES = 100_000
# Far deeper than any real config (they nest 3 or 4 levels); deeper is refused, not recursed into.
MAX_DEPTH = 64


def _too_deep(display: str) -> str:
    return f"{display} nests values more than {MAX_DEPTH} levels deep"


def _plain(node: Any, path: Path_, positions: Positions) -> Any:
    if len(positions.lines) > MAX_VALUES:
        raise ConfigError(f"{positions.file} holds more than {MAX_VALUES:,} values (YAML aliases expanding?)")
    if len(path) > MAX_DEPTH:
        raise ConfigError(f"{positions.where(path)}: {_too_deep(positions.file)}")
    if isinstance(node, CommentedMap):
        out = {}
        for key, value in node.items():
            positions.lines[(*path, str(key))] = _line(node, node.lc.key, key)
            out[str(key)] = _plain(value, (*path, str(key)), positions)
        return out
    if isinstance(node, CommentedSeq | CommentedSet):
        out_list = []
        for i, value in enumerate(node):
            positions.lines[(*path, i)] = _line(node, node.lc.item, i)
            out_list.append(_plain(value, (*path, i), positions))
        return out_list
    if isinstance(node, TaggedScalar):
        return str(node.value)
    if isinstance(node, str):
        return str(node)
    return node


def _line(node: CommentedMap | CommentedSeq | CommentedSet, lookup: Callable[[Any], Any], key: Any) -> int:
    """The 1-based line of a key or item; keys from a ``<<`` merge and entries of tagged
    collections have no position of their own, so they get their collection's line."""
    try:
        return lookup(key)[0] + 1
    except (KeyError, TypeError, IndexError):
        return (node.lc.line or 0) + 1


def load_pyproject(path: Path, display: str) -> tuple[dict[str, Any] | None, Positions]:
    """The ``[tool.dslint]`` table of a pyproject.toml (None when absent), with approximate lines:
    tomllib keeps no positions, so each key is found by scanning the text below the table."""
    try:
        text = read_small_file(path, display).decode("utf-8")
        doc = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read {display}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {display}: {exc}") from None
    except RecursionError:
        raise ConfigError(_too_deep(display)) from None
    tool = doc.get("tool")
    table = tool.get("dslint") if isinstance(tool, dict) else None
    positions = Positions(display)
    if table is None:
        return None, positions
    lines = text.splitlines()
    if not isinstance(table, dict):
        line = next((i + 1 for i, ln in enumerate(lines) if re.match(r"\s*(?:tool\.)?dslint\s*=", ln)), None)
        raise ConfigError(f"{display}{f':{line}' if line else ''}: [tool.dslint] must be a table of options")
    if _depth(table) > MAX_DEPTH:
        raise ConfigError(_too_deep(display))
    start = next((i for i, ln in enumerate(lines) if re.match(r"\s*\[\s*tool\.dslint\b", ln)), 0)
    _toml_positions(table, (), lines, start, positions)
    return table, positions


def _depth(value: Any) -> int:
    """How deep lists and tables nest in ``value``, without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:  # no need to walk further than the limit
            children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _toml_positions(node: Any, path: Path_, lines: list[str], start: int, positions: Positions) -> None:
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        key_re = re.compile(rf"""^\s*(?:\[+\s*tool\.dslint\.(?:.*\.)?)?["']?{re.escape(str(key))}["']?\s*[=\].]""")
        for i in range(start, len(lines)):
            if key_re.match(lines[i]):
                positions.lines[(*path, str(key))] = i + 1
                break
        _toml_positions(value, (*path, str(key)), lines, start, positions)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """"; did you mean 'x'?" for the closest choice, or an empty string."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""
