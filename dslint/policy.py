"""From config to verdict: which rules run with which options, and what the findings mean for the
gate (severity overrides, per-file ignores, budgets, fail-on)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from pydantic import BaseModel, ValidationError

from dslint.check import Rule
from dslint.config import LoadedConfig
from dslint.finding import AnyFinding, Severity, sort_findings
from dslint.paths import glob_match
from dslint.profiles import load_profile
from dslint.registry import Registry
from dslint.selection import enabled_rules, matches_any, validate_selectors
from dslint.yamlpos import ConfigError, did_you_mean

FAIL_RANK = {"info": 0, "warning": 1, "error": 2, "never": 99}


@dataclass(frozen=True)
class Budget:
    """How many findings of a rule are tolerated before the gate fails."""

    max_count: int | None = None
    max_ratio: float | None = None

    def allows(self, count: int, records: int) -> bool:
        if self.max_count is not None and count > self.max_count:
            return False
        return not (self.max_ratio is not None and count > self.max_ratio * max(records, 1))

    def describe(self) -> str:
        parts = [f"max-count {self.max_count}"] if self.max_count is not None else []
        parts += [f"max-ratio {self.max_ratio:g}"] if self.max_ratio is not None else []
        return ", ".join(parts)


@dataclass
class Overrides:
    """Command-line options that take precedence over the config file."""

    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: str | None = None
    profile: str | None = None  # --profile: a trainer profile, over the config's

    def __post_init__(self) -> None:
        if self.fail_on is not None and self.fail_on not in FAIL_RANK:
            raise ValueError(f"fail_on must be one of {', '.join(FAIL_RANK)}, not {self.fail_on!r}")


@dataclass
class Policy:
    rules: Mapping[str, Rule]
    enabled: frozenset[str]
    options: dict[str, BaseModel]
    severities: dict[str, Severity]
    budgets: dict[str, Budget]
    per_file_ignores: list[tuple[str, list[str]]]
    fail_on: str
    profile: str | None = None

    @classmethod
    def build(cls, loaded: LoadedConfig, registry: Registry, overrides: Overrides | None = None) -> Policy:
        cfg = loaded.config
        ov = overrides or Overrides()
        rules = registry.rules
        select = ov.select if ov.select is not None else (cfg.select if cfg.select is not None else ["ALL"])
        validate_selectors(select, rules, "--select" if ov.select is not None else partial(loaded.where, "select"))
        validate_selectors(cfg.extend_select, rules, partial(loaded.where, "extend-select"))
        validate_selectors(cfg.ignore, rules, partial(loaded.where, "ignore"))
        validate_selectors(ov.extend_select, rules, "--extend-select")
        validate_selectors(ov.ignore, rules, "--ignore")
        profile = load_profile(ov.profile or cfg.profile) if (ov.profile or cfg.profile) else None
        # A profile turns its DS9xx rules on by code, as an explicit selection would
        extend = [*cfg.extend_select, *ov.extend_select, *(profile.select if profile else [])]
        if ov.select is not None:  # the command line beats the config, and its preset, on a tie
            enabled = enabled_rules(rules, select, extend, ov.ignore, outranked_ignore=cfg.ignore)
        else:
            enabled = enabled_rules(rules, select, extend, [*cfg.ignore, *ov.ignore])
        if profile is None:  # the trainer rules measure rows as a profile's trainer would: none, nothing to run
            enabled = {code for code in enabled if rules[code].family != "trainer"}
        for pattern, selectors in cfg.per_file_ignores.items():
            validate_selectors(selectors, rules, partial(loaded.where, "per-file-ignores", pattern))

        options: dict[str, BaseModel] = {}
        severities: dict[str, Severity] = {}
        budgets: dict[str, Budget] = {}
        if profile is not None:  # the profile's severities; the config's `rules:` override them
            severities.update({code: sev for code, sev in profile.severity.items() if code in rules})
        for key, settings in cfg.rules.items():
            rule = registry.resolve(key)
            if rule is None:
                choices = [*rules, *(r.name for r in rules.values())]
                raise ConfigError(f"unknown rule '{key}' at {loaded.where('rules', key)}{did_you_mean(key, choices)}")
            options[rule.code] = _rule_options(rule, settings.options, loaded, key)
            if settings.severity is not None:
                severities[rule.code] = settings.severity
            if settings.max_count is not None or settings.max_ratio is not None:
                budgets[rule.code] = Budget(settings.max_count, settings.max_ratio)
        return cls(
            rules=rules,
            enabled=frozenset(enabled),
            options=options,
            severities=severities,
            budgets=budgets,
            per_file_ignores=list(cfg.per_file_ignores.items()),
            fail_on=ov.fail_on or cfg.fail_on,
            profile=profile.name if profile else None,
        )

    def severity(self, code: str) -> Severity:
        return self.severities.get(code) or self.rules[code].severity

    def apply(self, findings: Iterable[AnyFinding], records: int, root_paths: Mapping[str, str]) -> list[AnyFinding]:
        """Keep the findings of enabled rules not ignored for their file, set severities, apply
        budgets, and sort. ``root_paths`` maps each file as displayed to its path from the
        config's folder, which is what per-file-ignores patterns are written against."""
        kept: list[AnyFinding] = []
        for f in findings:
            if f.rule not in self.enabled or self._ignored_for_file(f, root_paths):
                continue
            # Checks may grade a finding below its rule's default (PII in a prompt rather than a
            # response); only a severity the user configured overrides theirs.
            configured = self.severities.get(f.rule)
            kept.append(f if configured is None or configured == f.severity else f.model_copy(update={"severity": configured}))
        kept = self._apply_budgets(kept, records)
        sort_findings(kept)
        return kept

    def _ignored_for_file(self, f: AnyFinding, root_paths: Mapping[str, str]) -> bool:
        if f.location is None or not self.per_file_ignores:
            return False
        path = root_paths.get(f.location.file, f.location.file)
        rule = self.rules[f.rule]
        return any(glob_match(p, path) and matches_any(sels, rule) for p, sels in self.per_file_ignores)

    def _apply_budgets(self, findings: list[AnyFinding], records: int) -> list[AnyFinding]:
        if not self.budgets:
            return findings
        counts = Counter(f.rule for f in findings)
        out = [f.model_copy(update={"suppressed": "budget"}) if f.rule in self.budgets else f for f in findings]
        for code, budget in sorted(self.budgets.items()):
            count = counts.get(code, 0)
            if code in self.enabled and not budget.allows(count, records):
                rule = self.rules[code]
                message = f"{count} {rule.name} findings exceed the budget ({budget.describe()}) over {records} records"
                metrics = {"count": count, "records": records, "max_count": budget.max_count, "max_ratio": budget.max_ratio}
                out.append(
                    rule.dataset(message, key="budget", metrics=metrics).model_copy(update={"severity": self.severity(code)})
                )
        return out

    def passed(self, findings: Sequence[AnyFinding]) -> bool:
        threshold = FAIL_RANK[self.fail_on]
        return not any(f.suppressed is None and f.severity.rank >= threshold for f in findings)


def _rule_options(rule: Rule, raw: dict, loaded: LoadedConfig, key: str) -> BaseModel:
    try:
        return rule.options.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        where = loaded.where("rules", key, *loc)
        if err["type"] == "extra_forbidden":
            choices = ["severity", "max-count", "max-ratio"] + [
                f.alias or n for n, f in rule.options.model_fields.items()
            ]
            return_hint = did_you_mean(str(loc[-1]), choices)
            raise ConfigError(f"unknown option '{loc[-1]}' for rule {rule.code} at {where}{return_hint}") from None
        raise ConfigError(f"invalid value for '{'.'.join(map(str, loc))}' of rule {rule.code} at {where}: {err['msg']}") from None


def severity_counts(findings: Iterable[AnyFinding]) -> tuple[dict[str, int], dict[str, int]]:
    """Counts of all findings by severity and by rule (suppressed ones included)."""
    by_sev: dict[str, int] = {s.value: 0 for s in Severity}
    by_rule: dict[str, int] = defaultdict(int)
    for f in findings:
        by_sev[f.severity.value] += 1
        by_rule[f.rule] += 1
    return by_sev, dict(sorted(by_rule.items()))
