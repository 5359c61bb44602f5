"""A Python regex as an RE2 pattern that matches at least where it does, for ``dslint.prefilter``.

RE2 (google-re2) scans text in linear time, many times
faster than Python's ``re`` on long alternations such as the phrase lists of DS801/DS802, but it
has no lookarounds or backreferences and its ``\\w``, ``\\b`` and case folding differ from
Python's. ``re2_superset`` rewrites the parsed pattern so that every text the Python regex
matches, the RE2 pattern matches too; the few it also matches are searched again with Python's
``re``. So it drops lookarounds and word boundaries (fewer constraints, more matches), lets a
character class match any non-ASCII character where Python's Unicode classes might, and spells
case-insensitive letters as the very set of characters Python's ``re`` folds together. A pattern
it cannot rewrite this way (backreferences, conditionals, a negated set ignoring case) gives None.
"""

from __future__ import annotations

import _sre
import re
import sys
from functools import lru_cache
from re import _casefix as _sre_casefix  # type: ignore[attr-defined]  # the stdlib's own tables
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser as _sre_parse  # type: ignore[attr-defined]

import re2  # google-re2

RE2_MAX_REPEAT = 1000  # RE2 rejects larger counted repetitions
QUIET = re2.Options()
QUIET.log_errors = False  # else RE2 writes to stderr, e.g. when data fills a DFA's memory budget
_MAX_RANGE = 512  # characters a case-insensitive range may expand to before we give up
_NON_ASCII = (0x80, sys.maxunicode)


class _Unsupported(Exception):
    pass


@lru_cache(maxsize=256)
def re2_superset(regex: re.Pattern[str]) -> str | None:
    """An RE2 pattern matching every string ``regex`` finds a match in, or None."""
    if not isinstance(regex.pattern, str) or regex.flags & re.LOCALE:
        return None
    try:
        parsed = _sre_parse.parse(regex.pattern, regex.flags)
        return _emit(parsed, regex.flags)
    except (_Unsupported, re.error, RecursionError):
        return None


def _emit(items: object, flags: int) -> str:
    return "".join(_emit_item(op, arg, flags) for op, arg in items)  # type: ignore[attr-defined]


def _emit_item(op: object, arg: object, flags: int) -> str:
    ignore_case = bool(flags & re.IGNORECASE)
    if op is _c.LITERAL:
        if ignore_case:
            return _folded_literal(arg)  # type: ignore[arg-type]
        return _code(arg)  # type: ignore[arg-type]
    if op is _c.NOT_LITERAL:
        if ignore_case:
            raise _Unsupported
        return f"[^{_code(arg)}]"  # type: ignore[arg-type]
    if op is _c.ANY:
        return "(?s:.)" if flags & re.DOTALL else "[^\\n]"
    if op is _c.IN:
        return _emit_in(arg, ignore_case)  # type: ignore[arg-type]
    if op is _c.CATEGORY:
        return "[" + _category(arg, widen=True) + "]"
    if op is _c.AT:
        if arg is _c.AT_BEGINNING and flags & re.MULTILINE:  # Python's compiler makes it a line start
            return _AT[_c.AT_BEGINNING_LINE]
        return _AT.get(arg, "")  # word boundaries are dropped: a superset
    if op is _c.BRANCH:
        return "(?:" + "|".join(_emit(alt, flags) for alt in arg[1]) + ")"  # type: ignore[index]
    if op is _c.SUBPATTERN:
        _group, add, remove, sub = arg  # type: ignore[misc]
        return "(?:" + _emit(sub, (flags | add) & ~remove) + ")"
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, high, sub = arg  # type: ignore[misc]
        if low > RE2_MAX_REPEAT:
            raise _Unsupported
        bound = "" if high is _c.MAXREPEAT or high > RE2_MAX_REPEAT else str(high)
        return "(?:" + _emit(sub, flags) + "){" + f"{low},{bound}" + "}"
    if op is _c.ATOMIC_GROUP:
        return "(?:" + _emit(arg, flags) + ")"
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return ""  # a lookaround only removes matches
    raise _Unsupported  # backreferences, conditionals


_AT = {
    _c.AT_BEGINNING: "^",
    _c.AT_BEGINNING_STRING: "^",
    _c.AT_BEGINNING_LINE: "(?m:^)",
    _c.AT_END: "(?m:$)",  # Python's $ also matches before a final newline
    _c.AT_END_LINE: "(?m:$)",
    _c.AT_END_STRING: "$",
}


def _emit_in(items: list[tuple[object, object]], ignore_case: bool) -> str:
    negated = bool(items) and items[0][0] is _c.NEGATE
    if negated and ignore_case:
        raise _Unsupported
    parts: list[str] = []
    for op, arg in items[1:] if negated else items:
        if op is _c.LITERAL:
            parts.append(_members(_folded(arg) if ignore_case else {arg}))  # type: ignore[arg-type]
        elif op is _c.RANGE:
            low, high = arg  # type: ignore[misc]
            if not ignore_case:
                parts.append(f"{_code(low)}-{_code(high)}")
            elif high - low > _MAX_RANGE:
                raise _Unsupported
            else:
                parts.append(_members(set().union(*(_folded(c) for c in range(low, high + 1)))))
        elif op is _c.CATEGORY:
            # In a negated set a class must shrink for the set to grow: its ASCII part only.
            parts.append(_category(arg, widen=not negated))
        else:
            raise _Unsupported
    if not parts:
        raise _Unsupported
    return ("[^" if negated else "[") + "".join(parts) + "]"


def _category(category: object, widen: bool) -> str:
    """A class's ASCII members, exactly as Python has them, plus (``widen``) every non-ASCII
    character: Python's Unicode tables may be newer than RE2's."""
    ascii_part = _ascii_members(category)
    return ascii_part + (f"{_code(_NON_ASCII[0])}-{_code(_NON_ASCII[1])}" if widen else "")


@lru_cache(maxsize=16)
def _ascii_members(category: object) -> str:
    regex = {
        _c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_NOT_DIGIT: r"\D", _c.CATEGORY_SPACE: r"\s",
        _c.CATEGORY_NOT_SPACE: r"\S", _c.CATEGORY_WORD: r"\w", _c.CATEGORY_NOT_WORD: r"\W",
    }.get(category)  # type: ignore[call-overload]
    if regex is None:
        raise _Unsupported
    compiled = re.compile(regex)
    return _members({c for c in range(128) if compiled.fullmatch(chr(c))})


@lru_cache(maxsize=4096)
def _folded_literal(c: int) -> str:
    """A character ignoring case: RE2's own ``(?i:c)`` where it matches all that Python's does
    (one DFA state, where a spelled-out set would blow up RE2's automaton), else the set."""
    chars = _folded(c)
    if len(chars) == 1:
        return _code(c)
    own = f"(?i:{_code(c)})"
    compiled = re2.compile(own.encode(), options=QUIET)
    if all(compiled.fullmatch(chr(x).encode()) for x in chars):
        return own
    return "[" + _members(set(chars)) + "]"


def _members(chars: set[int]) -> str:
    """Characters for inside a set, consecutive ones as ranges."""
    out, run = [], []
    for c in sorted(chars):
        if run and c == run[-1] + 1:
            run.append(c)
            continue
        if run:
            out.append(_run(run))
        run = [c]
    if run:
        out.append(_run(run))
    return "".join(out)


def _run(run: list[int]) -> str:
    return _code(run[0]) if len(run) == 1 else f"{_code(run[0])}-{_code(run[-1])}"


def _code(c: int) -> str:
    return "\\x{%x}" % c


@lru_cache(maxsize=4096)
def _folded(c: int) -> frozenset[int]:
    """Every character Python's ``re`` matches ``chr(c)`` against when ignoring case."""
    lower = _sre.unicode_tolower(c)
    keys = {lower, *_sre_casefix._EXTRA_CASES.get(lower, ())}
    candidates = {c, *keys}.union(*(_by_lower().get(k, ()) for k in keys))
    literal = re.compile(re.escape(chr(c)), re.IGNORECASE)
    return frozenset(x for x in candidates if x == c or literal.fullmatch(chr(x)))


@lru_cache(maxsize=1)
def _by_lower() -> dict[int, tuple[int, ...]]:
    """Characters grouped by their lower case as Python's ``re`` computes it (built once)."""
    groups: dict[int, list[int]] = {}
    for c in range(sys.maxunicode + 1):
        lower = _sre.unicode_tolower(c)
        if lower != c:
            groups.setdefault(lower, [lower]).append(c)
    return {k: tuple(v) for k, v in groups.items()}
