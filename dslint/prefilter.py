"""One regex pass over many texts instead of one search per text.

``may_match(regex, texts)`` returns the indices of a superset of the texts ``regex`` finds a match
in, which callers then search one by one (few, on real data) for the exact match. It runs, in
order of preference: an RE2 form of the regex (``dslint/re2.py``), compiled once per process with
google-re2, over the texts joined (a ``Haystack``), which is linear-time and many times faster
than Python's ``re``; or Python's ``re`` once over the texts joined; or, for a regex neither can
take, a search of each text.

Both joined searches join the texts with newlines and search the joined string once, with
multi-line anchors, so ``^`` and ``$`` match at every seam as they would at a text's edges, and
keep the texts a match touched. (``pyarrow.compute.match_substring_regex`` searched each text
too, but compiled the pattern again on every call: for the phrase lists and the PII triggers,
1-3 ms a batch, more than the search.)

Why a superset: a match of text ``j`` alone starts at some position of ``j``; searching the joined
string from an earlier position finds that match or an earlier one, which overlaps ``j`` or ends
before it (and the search goes on from the next text). That holds when a match does not depend on
what lies outside it, so Python patterns with lookaheads, ``\\A``/``\\Z`` or a negative lookbehind
a seam could fail are searched text by text; RE2 forms have no lookarounds, and their string
anchors become line anchors.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate
from re import _compiler as _sre_compiler  # type: ignore[attr-defined]  # the stdlib's own parser
from re import _constants as _sre_constants  # type: ignore[attr-defined]
from re import _parser as _sre_parse  # type: ignore[attr-defined]

import numpy as np
import re2  # google-re2

from dslint.batch import Batch
from dslint.re2 import QUIET, re2_superset

SEAM = "\n"
_CONTEXT_OPS = {_sre_constants.ASSERT, _sre_constants.ASSERT_NOT}
_CONTEXT_ATS = {_sre_constants.AT_BEGINNING_STRING, _sre_constants.AT_END_STRING}
# No backtracking into them: one that runs on through a seam cannot give back what a match
# within the text needed.
_NO_BACKTRACK = {_sre_constants.ATOMIC_GROUP, _sre_constants.POSSESSIVE_REPEAT, _sre_constants.POSSESSIVE_REPEAT_ONE}


@dataclass(frozen=True)
class Haystack:
    """Texts as one UTF-8 byte string, joined by newlines: text ``i`` is
    ``data[starts[i] : starts[i] + len(parts[i])]``."""

    parts: list[bytes]  # each text, encoded

    @classmethod
    def of(cls, texts: Sequence[str]) -> Haystack | None:
        """None when a text holds a lone surrogate, which UTF-8 cannot encode."""
        try:
            return cls([text.encode() for text in texts])
        except UnicodeEncodeError:
            return None

    @cached_property
    def data(self) -> bytes:
        return SEAM.encode().join(self.parts)

    @cached_property
    def starts(self) -> list[int]:
        return _seam_starts(map(len, self.parts))

    def take(self, rows: Sequence[int] | np.ndarray) -> Haystack:
        return Haystack([self.parts[i] for i in rows])

    def ascii_leads(self) -> list[int]:
        """Per text, ``ord(s[0].lower())`` when ``s[:2].isascii() and s[:1].isalnum()``, else 0,
        read from the UTF-8 bytes at C speed: a lead byte below 0x80 is an ASCII character."""
        padded = np.zeros(len(self.data) + 2, dtype=np.uint8)  # room for s[1] of the last
        padded[: len(self.data)] = np.frombuffer(self.data, dtype=np.uint8)
        starts = np.array(self.starts, dtype=np.int64)
        size = np.fromiter(map(len, self.parts), dtype=np.int64, count=len(self.parts))
        first, second = padded[starts], padded[starts + 1]
        folded = first | 0x20  # ASCII upper case to lower; no other byte lands on a-z
        letter = (folded >= ord("a")) & (folded <= ord("z"))
        digit = (first >= ord("0")) & (first <= ord("9"))
        lead = (size > 0) & (letter | digit) & ((size == 1) | (second < 0x80))
        return np.where(lead, np.where(letter, folded, first), 0).tolist()


def may_match(regex: re.Pattern[str], texts: Sequence[str]) -> list[int]:
    """Indices (ascending) of the texts that may match ``regex``: every one that does."""
    if not texts:
        return []
    found = _re2_matches(regex, texts)
    return found if found is not None else _joined_matches(regex, texts)


def batch_haystack(batch: Batch, rows: Sequence[int] | None = None) -> Haystack | None:
    """The batch's texts (``batch.columns.texts``), or those at ``rows``, as a ``Haystack``: the
    whole encoded once per batch for every check that searches it, a part taken from it. None
    when a text of the batch has a lone surrogate."""
    whole = batch.shared("prefilter.texts", lambda b: Haystack.of(b.columns.texts))
    return whole if whole is None or rows is None else whole.take(rows)


def may_match_each(regexes: Sequence[re.Pattern[str]], texts: Sequence[str], haystack: Haystack | None = None) -> list[np.ndarray]:
    """Per regex, a boolean array over ``texts``: True for (a superset of) the texts it matches.
    ``may_match`` of several regexes at once: the texts are encoded once (or come as
    ``haystack``, e.g. ``batch_haystack``), and one RE2 pass of the regexes' alternation picks
    the candidates each regex is then tried on (few, when all are rare)."""
    if haystack is None and texts:
        haystack = Haystack.of(texts)
    patterns = [re2_superset(regex) if haystack is not None else None for regex in regexes]
    everything = np.arange(len(texts))
    candidates = everything  # the texts one of the regexes with an RE2 form may match
    known = [p for p in patterns if p is not None]
    if haystack is not None and len(known) > 1:
        any_hit = _re2_flags(haystack, "|".join(f"(?:{p})" for p in known))
        if any_hit is not None:
            candidates = np.flatnonzero(any_hit)
            haystack = haystack.take(candidates)
    out = []
    for regex, pattern in zip(regexes, patterns):
        flags = np.zeros(len(texts), dtype=bool)
        hits = _re2_flags(haystack, pattern) if haystack is not None and pattern is not None else None
        if hits is not None:
            flags[candidates] = hits
        else:
            pool = candidates if pattern is not None else everything
            if len(pool):
                flags[pool[_joined_matches(regex, [texts[i] for i in pool])]] = True
        out.append(flags)
    return out


def _re2_matches(regex: re.Pattern[str], texts: Sequence[str]) -> list[int] | None:
    pattern = re2_superset(regex)
    haystack = Haystack.of(texts) if pattern is not None else None
    found = _re2_flags(haystack, pattern) if haystack is not None and pattern is not None else None
    return None if found is None else np.flatnonzero(found).tolist()


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re2._Regexp | None:
    """``pattern`` compiled by RE2 once per process, its ``^`` and ``$`` line anchors (they must
    match at the seams); None if RE2 rejects it."""
    try:
        return re2.compile(f"(?m:{pattern})".encode(), options=QUIET)
    except re2.error:
        return None


def _re2_flags(haystack: Haystack, pattern: str) -> np.ndarray | None:
    """Which texts of ``haystack`` RE2 may find ``pattern`` in (a superset: a match across a seam
    marks the texts on both sides); None if RE2 rejects the pattern."""
    compiled = _compiled(pattern)
    if compiled is None:
        return None
    flags = np.zeros(len(haystack.parts), dtype=bool)
    flags[_texts_touched(compiled, haystack.data, haystack.starts)] = True
    return flags


def _joined_matches(regex: re.Pattern[str], texts: Sequence[str]) -> list[int]:
    joined = _joined_form(regex)
    if joined is None:
        return [i for i, text in enumerate(texts) if regex.search(text)]
    return _texts_touched(joined, SEAM.join(texts), _seam_starts(map(len, texts)))


def _texts_touched(pattern: re.Pattern[str] | re2._Regexp, joined: str | bytes, starts: list[int]) -> list[int]:
    """Indices (ascending) of the texts that the matches of ``pattern`` (Python's ``re`` over a
    string, or RE2 over UTF-8 bytes) in ``joined`` touch, the texts starting at ``starts``. After each match the search goes on from the next text's start:
    a match of that text alone starts at or after it."""
    hits: list[int] = []
    pos = 0
    while starts:
        m = pattern.search(joined, pos)
        if m is None:
            break
        first = bisect_right(starts, m.start()) - 1
        last = bisect_right(starts, max(m.start(), m.end() - 1)) - 1
        hits.extend(range(first, last + 1))
        if last + 1 >= len(starts):
            break
        pos = starts[last + 1]
    return hits


def _seam_starts(lengths: Iterable[int]) -> list[int]:
    """Where each text starts in the texts joined by a one-character (or one-byte) seam."""
    return list(accumulate((length + 1 for length in lengths), initial=0))[:-1]


@lru_cache(maxsize=256)
def _joined_form(regex: re.Pattern[str]) -> re.Pattern[str] | None:
    """The regex to search joined texts with, or None when a match may depend on its context."""
    try:
        parsed = _sre_parse.parse(regex.pattern, regex.flags)
    except (re.error, TypeError, ValueError):
        return None
    if _depends_on_context(parsed):
        return None
    return re.compile(regex.pattern, regex.flags | re.MULTILINE)


def _depends_on_context(items: object) -> bool:
    """Whether a match may depend on text outside it: a lookahead, a string-edge anchor (also
    ``^`` or ``$`` in a group that turns multi-line off), an atomic group or possessive repeat,
    or a lookbehind that a seam could fail. A positive lookbehind fails at a text's start alone
    and may pass at a seam (a superset, which is fine); a negative one of one character that never
    matches a newline sees at a seam what it sees at a start: no such character."""
    stack = [items]
    while stack:
        node = stack.pop()
        if isinstance(node, _sre_parse.SubPattern):
            stack.extend(node.data)
        elif isinstance(node, tuple) and len(node) == 2 and isinstance(node[0], _sre_constants._NamedIntConstant):
            op, arg = node
            if (op is _sre_constants.AT and arg in _CONTEXT_ATS) or op in _NO_BACKTRACK:
                return True
            if op is _sre_constants.SUBPATTERN and arg[2] & re.MULTILINE:  # (?-m:...)
                return True
            if op in _CONTEXT_OPS:
                direction, sub = arg
                if direction == 1 or (op is _sre_constants.ASSERT_NOT and not _never_a_newline(sub)):
                    return True
            stack.append(arg)
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return False


def _never_a_newline(sub: object) -> bool:
    """Whether a parsed lookbehind body is one character wide and does not match a newline."""
    try:
        return sub.getwidth() == (1, 1) and _sre_compiler.compile(sub, sub.state.flags).fullmatch(SEAM) is None  # type: ignore[attr-defined]
    except (re.error, TypeError, ValueError, AttributeError):
        return False
