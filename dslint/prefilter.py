"""One regex pass over many texts instead of one search per text.

``may_match(regex, texts)`` joins the texts with newlines and searches the joined string once,
with ``re.MULTILINE`` added, so ``^`` and ``$`` match at every seam as they would at a text's
edges. It returns the indices of the texts a match touched: a superset of the texts the regex
matches alone, which callers then search one by one (few, on real data) for the exact match.

Why a superset: a match of text ``j`` alone starts at some position of ``j``; searching the joined
string from an earlier position finds that match or an earlier one, which overlaps ``j`` or ends
before it (and the search goes on from the next text). That holds when a match does not depend on
what lies outside it, so patterns with lookarounds or ``\\A``/``\\Z`` are searched text by text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

from re import _constants as _sre_constants  # type: ignore[attr-defined]  # the stdlib's own parser
from re import _parser as _sre_parse  # type: ignore[attr-defined]

SEAM = "\n"
_CONTEXT_OPS = {_sre_constants.ASSERT, _sre_constants.ASSERT_NOT}
_CONTEXT_ATS = {_sre_constants.AT_BEGINNING_STRING, _sre_constants.AT_END_STRING}


def may_match(regex: re.Pattern[str], texts: Sequence[str]) -> list[int]:
    """Indices (ascending) of the texts that may match ``regex``: every one that does."""
    joined = _joined_form(regex)
    if joined is None or not texts:
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
    """Whether a parsed pattern has a lookaround or a string-edge anchor anywhere in it."""
    stack = [items]
    while stack:
        node = stack.pop()
        if isinstance(node, _sre_parse.SubPattern):
            stack.extend(node.data)
        elif isinstance(node, tuple) and len(node) == 2 and isinstance(node[0], _sre_constants._NamedIntConstant):
            op, arg = node
            if op in _CONTEXT_OPS or (op is _sre_constants.AT and arg in _CONTEXT_ATS):
                return True
            stack.append(arg)
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return False
