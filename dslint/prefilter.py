"""One regex pass over many texts instead of one search per text.

``may_match(regex, texts)`` returns the indices of a superset of the texts ``regex`` finds a match
in, which callers then search one by one (few, on real data) for the exact match. It runs, in
order of preference: an RE2 form of the regex (``dslint/re2.py``) over an Arrow array of the
texts, which is linear-time and many times faster than Python's ``re``; or Python's ``re`` once
over the texts joined; or, for a regex neither can take, a search of each text.

The joined search joins the texts with newlines and searches the joined string once,
with ``re.MULTILINE`` added, so ``^`` and ``$`` match at every seam as they would at a text's
edges, and keeps the texts a match touched.

Why a superset: a match of text ``j`` alone starts at some position of ``j``; searching the joined
string from an earlier position finds that match or an earlier one, which overlaps ``j`` or ends
before it (and the search goes on from the next text). That holds when a match does not depend on
what lies outside it, so patterns with lookaheads, ``\\A``/``\\Z`` or a negative lookbehind a seam
could fail are searched text by text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from re import _compiler as _sre_compiler  # type: ignore[attr-defined]  # the stdlib's own parser
from re import _constants as _sre_constants  # type: ignore[attr-defined]
from re import _parser as _sre_parse  # type: ignore[attr-defined]

import numpy as np
import pyarrow as pa

from dslint.arrays import arrow_strings, arrow_take, true_at
from dslint.batch import Batch
from dslint.re2 import re2_superset

SEAM = "\n"
FEW_TEXTS = 16  # fewer candidates than this are searched with Python's re
_CONTEXT_OPS = {_sre_constants.ASSERT, _sre_constants.ASSERT_NOT}
_CONTEXT_ATS = {_sre_constants.AT_BEGINNING_STRING, _sre_constants.AT_END_STRING}


def may_match(regex: re.Pattern[str], texts: Sequence[str]) -> list[int]:
    """Indices (ascending) of the texts that may match ``regex``: every one that does."""
    if not texts:
        return []
    found = _re2_matches(regex, texts)
    return found if found is not None else _joined_matches(regex, texts)


def batch_array(batch: Batch, rows: Sequence[int] | None = None) -> pa.Array | None:
    """The batch's texts (``batch.columns.texts``), or those at ``rows``, as an Arrow array: the
    whole built once per batch for every check that searches it, a part taken from it. None
    when a text of the batch has a lone surrogate."""
    whole = batch.shared("prefilter.texts", lambda b: _arrow(b.columns.texts))
    return whole if whole is None or rows is None else arrow_take(whole, rows)


def may_match_each(
    regexes: Sequence[re.Pattern[str]], texts: Sequence[str], array: pa.Array | None = None
) -> list[np.ndarray]:
    """Per regex, a boolean array over ``texts``: True for (a superset of) the texts it matches.
    ``may_match`` of several regexes at once: the texts go to Arrow once (or come as ``array``,
    e.g. ``batch_array``), and one RE2 pass of the regexes' alternation picks the candidates each
    regex is then tried on (few, when all are rare: then Python's ``re`` costs less than
    compiling each pattern for RE2)."""
    if array is None and texts:
        array = _arrow(texts)
    patterns = [re2_superset(regex) if array is not None else None for regex in regexes]
    everything = np.arange(len(texts))
    candidates = everything  # the texts one of the regexes with an RE2 form may match
    known = [p for p in patterns if p is not None]
    if array is not None and len(known) > 1:
        any_hit = _re2_flags(array, "|".join(f"(?:{p})" for p in known))
        if any_hit is not None:
            candidates = np.flatnonzero(any_hit)
            array = arrow_take(array, candidates) if len(candidates) >= FEW_TEXTS else None
    out = []
    for regex, pattern in zip(regexes, patterns):
        flags = np.zeros(len(texts), dtype=bool)
        hits = _re2_flags(array, pattern) if array is not None and pattern is not None else None
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
    array = _arrow(texts) if pattern is not None else None
    found = _re2_flags(array, pattern) if array is not None and pattern is not None else None
    return None if found is None else np.flatnonzero(found).tolist()


def _arrow(texts: Sequence[str]) -> pa.Array | None:
    try:
        return arrow_strings(texts)
    except UnicodeError:  # a lone surrogate in a text
        return None


def _re2_flags(array: pa.Array, pattern: str) -> np.ndarray | None:
    """Which strings of ``array`` RE2 finds ``pattern`` in; None if RE2 rejects the pattern."""
    import pyarrow.compute as pc  # here: importing it costs a quarter of a second at startup

    try:
        hits = pc.match_substring_regex(array, pattern=pattern)
    except pa.ArrowException:
        return None
    return true_at(hits)


def _joined_matches(regex: re.Pattern[str], texts: Sequence[str]) -> list[int]:
    joined = _joined_form(regex)
    if joined is None:
        return [i for i, text in enumerate(texts) if regex.search(text)]
    starts = [0] * len(texts)
    offset = 0
    for i, text in enumerate(texts):
        starts[i] = offset
        offset += len(text) + 1
    haystack = SEAM.join(texts)
    hits: list[int] = []
    pos = 0
    while pos <= len(haystack):
        m = joined.search(haystack, pos)
        if m is None:
            break
        first = bisect_right(starts, m.start()) - 1
        last = bisect_right(starts, max(m.start(), m.end() - 1)) - 1
        hits.extend(range(first, last + 1))  # later searches start past `last`
        if last + 1 >= len(texts):
            break
        pos = starts[last + 1]
    return hits


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
    """Whether a match may depend on text outside it: a lookahead, a string-edge anchor, or a
    lookbehind that a seam could fail. A positive lookbehind fails at a text's start alone and
    may pass at a seam (a superset, which is fine); a negative one of one character that never
    matches a newline sees at a seam what it sees at a start: no such character."""
    stack = [items]
    while stack:
        node = stack.pop()
        if isinstance(node, _sre_parse.SubPattern):
            stack.extend(node.data)
        elif isinstance(node, tuple) and len(node) == 2 and isinstance(node[0], _sre_constants._NamedIntConstant):
            op, arg = node
            if op is _sre_constants.AT and arg in _CONTEXT_ATS:
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
