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
    rules: Mapping[str, Rule], select: Iterable[str], extend_select: Iterable[str], ignore: Iterable[str]
) -> set[str]:
    """The codes of the rules that run."""
    on = [*select, *extend_select]
    off = list(ignore)
    enabled = set()
    for code, rule in rules.items():
        best_on = max((s for s in (specificity(x, rule) for x in on) if s is not None), default=-1)
        best_off = max((s for s in (specificity(x, rule) for x in off) if s is not None), default=-1)
        if best_on > best_off:
            enabled.add(code)
    return enabled


def matches_any(selectors: Iterable[str], rule: Rule) -> bool:
    return any(specificity(s, rule) is not None for s in selectors)
