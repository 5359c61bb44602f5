"""Rule selectors: codes, code prefixes, rule names, family names and ALL.

For each rule, the most specific matching selector decides whether it runs (a full code or a name
beats a prefix, a longer prefix beats a shorter one, a family name sits with the two-letter prefix,
ALL is the least specific); on a tie ``ignore`` wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from dslint.check import Rule
from dslint.finding import FAMILIES
from dslint.yamlpos import ConfigError, did_you_mean

EXACT = 100


def specificity(selector: str, rule: Rule) -> int | None:
    """How specifically ``selector`` names ``rule``; None when it does not match."""
    if selector == "ALL":
        return 0
    if selector in (rule.code, rule.name):
        return EXACT
    if selector == rule.family:
        return 2
    if rule.code.startswith(selector):
        return len(selector)
    return None


def validate_selectors(selectors: Iterable[str], rules: Mapping[str, Rule], where: str | Callable[[int], str]) -> None:
    """Every selector must match at least one rule: a typo would silently disable nothing.

    ``where`` names the place of the list, or gives the place of its i-th item."""
    choices = sorted({*rules, *(r.name for r in rules.values()), *FAMILIES, "ALL"})
    for i, sel in enumerate(selectors):
        if not any(specificity(sel, r) is not None for r in rules.values()):
            place = where if isinstance(where, str) else where(i)
            raise ConfigError(f"unknown rule selector '{sel}' at {place}{did_you_mean(sel, choices)}")


def enabled_rules(
    rules: Mapping[str, Rule],
    select: Iterable[str],
    extend_select: Iterable[str],
    ignore: Iterable[str],
    outranked_ignore: Iterable[str] = (),
) -> set[str]:
    """The codes of the rules that run. ``outranked_ignore`` (the config's ignores when the
    command line gives ``--select``) loses ties: ``--select DS106`` beats a preset's ``ignore: [DS106]``."""
    on = [*select, *extend_select]
    off = list(ignore)
    outranked = list(outranked_ignore)
    enabled = set()
    for code, rule in rules.items():
        best_on = _best(on, rule)
        if best_on > _best(off, rule) and best_on >= _best(outranked, rule):
            enabled.add(code)
    return enabled


def _best(selectors: list[str], rule: Rule) -> int:
    return max((s for s in (specificity(x, rule) for x in selectors) if s is not None), default=-1)


def matches_any(selectors: Iterable[str], rule: Rule) -> bool:
    return any(specificity(s, rule) is not None for s in selectors)
