"""PiiCheck: the family's one pass (see the package docstring)."""

from __future__ import annotations

import bisect
import ipaddress
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from dslint.batch import Batch
from dslint.check import CheckContext, RecordCheck, Rule
from dslint.detect.patterns import DEFAULT_SECRET_NAMES, Hit, domain_within
from dslint.checks.pii.rules import PII_RULES, RULE_BY_KIND
from dslint.detect.pii import REDACTION, ScanConfig, merge_hits, narrowed, needed_kinds, scan
from dslint.detect.secrets import trie_pattern
from dslint.finding import Finding, Severity
from dslint.formats import TextField
from dslint.prefilter import batch_haystack
from dslint.record import Record, stable_hash
from dslint.redact import SNIPPET_CHARS

_WHERE = {
    "system": "a system prompt",
    "user": "a user turn",
    "assistant": "an assistant turn",
    "tool": "a tool result",
    "prompt": "a prompt",
    "response": "a response",
    "text": "the text",
}
# A text field that contains this marker keeps its secrets: a tutorial showing a revoked key on
# purpose, a secret scanner's test fixture. It does not suppress personal data.
ALLOW_SECRET_MARKER = "dslint: allow-secret"
_SECRET_KINDS = frozenset({"token", "credential", "private-key"})
# Hits that are reported as warnings wherever they are: test-mode keys and documented examples.
_LOW_CATEGORIES = frozenset({"test", "example"})
SNIPPET_BEFORE = 24  # characters of context shown before the masked value
SNIPPET_WINDOW = 4 * SNIPPET_CHARS + 1  # more than make_snippet reads, so that it marks the cut
_PHONE_ONLY = ScanConfig(kinds=frozenset({"phone"}), validate=False)
FIELD_SEPARATOR = "\n\x00\n"  # no detector's character classes cross a NUL between newlines


def allow_key(kind: str, value: str) -> str:
    """The form in which a value is compared with an allow-list entry."""
    if kind == "email":
        return value.lower()
    if kind == "phone":  # any spelling of the number: its E.164 digits when it parses
        hits = scan(value, _PHONE_ONLY)
        return "".join(ch for ch in (hits[0].norm if hits else value) if ch.isdigit())
    if kind in ("card", "ssn"):
        return "".join(ch for ch in value if ch.isdigit())
    if kind == "iban":
        return value.replace(" ", "").upper()
    if kind == "ip":
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return value
    return value


@dataclass(frozen=True)
class _RuleFilter:
    """One rule's options, prepared once per check instance."""

    kind: str
    options: Any  # the rule's options model (pii_rules.PiiOptions or a subclass)
    allowed: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    @classmethod
    def build(cls, kind: str, options: Any) -> _RuleFilter:
        nets = getattr(options, "allow_networks", [])
        return cls(
            kind=kind,
            options=options,
            allowed=frozenset(allow_key(kind, a) for a in options.allow),
            patterns=tuple(re.compile(p) for p in options.allow_patterns),
            networks=tuple(ipaddress.ip_network(n, strict=False) for n in nets),
        )

    def reports(self, hit: Hit) -> bool:
        """False for values the rule's options allow or ignore."""
        if self.allowed and (allow_key(self.kind, hit.norm) in self.allowed or allow_key(self.kind, hit.value) in self.allowed):
            return False
        if any(p.search(hit.value) for p in self.patterns):
            return False
        opts = self.options
        if self.kind == "email":
            domain = hit.norm.rsplit("@", 1)[-1]
            if hit.category == "reserved-domain" and opts.ignore_reserved_domains:
                return False
            return not domain_within(domain, [d.lower().lstrip("@") for d in opts.allow_domains])
        if self.kind == "phone":
            return not (
                (hit.category == "fictional" and opts.ignore_fictional)
                or (hit.category == "toll-free" and opts.ignore_toll_free)
            )
        if self.kind == "ip":
            if (hit.category == "documentation" and opts.ignore_documentation) or (
                hit.category == "private" and opts.ignore_private
            ):
                return False
            addr = ipaddress.ip_address(hit.norm)
            return not any(addr in net for net in self.networks if net.version == addr.version)
        if self.kind == "credential":
            threshold = opts.hex_entropy if hit.hex else opts.base64_entropy
            return len(hit.value) >= opts.min_length and hit.entropy >= threshold
        return True


class PiiCheck(RecordCheck):
    """DS501-DS509 over every text field of a record."""

    rules = PII_RULES
    # Fewer text fields in a batch (a small file) cost less scanned one by one than RE2's set-up.
    prefilter_from = 128

    def __init__(self, ctx: CheckContext | None = None) -> None:
        super().__init__(ctx)
        self._filters = {
            kind: _RuleFilter.build(kind, self.ctx.opts(rule))
            for kind, rule in RULE_BY_KIND.items()
            if self.ctx.is_enabled(rule)
        }
        phone = self._filters.get("phone")
        credential = self._filters.get("credential")
        common = {
            "regions": tuple(phone.options.regions) if phone else (),
            "secret_names": tuple(credential.options.names) if credential else DEFAULT_SECRET_NAMES,
        }
        self._config = ScanConfig(kinds=frozenset(self._filters), **common)
        self._input_kinds = frozenset(k for k, f in self._filters.items() if f.options.inputs)

    def check(self, record: Record) -> Iterable[Finding]:
        fields = [f for f in record.fields if f.text and (f.learned or self._input_kinds)]
        if not fields or not self._filters:
            return
        yield from self._check_fields(record, fields, self._config)

    def check_batch(self, batch: Batch) -> Iterable[Finding]:
        """``check`` of each record, running only the detectors its fields' texts may trigger
        (tested by RE2 over the whole batch, ``needed_kinds``): most records need none."""
        if not self._filters:
            return
        columns = batch.columns
        if self._input_kinds:  # every text field (the common case: no field's learned flag to read)
            chosen = [i for i, text in enumerate(columns.texts) if text]
        else:
            chosen = [i for i, f in enumerate(columns.fields) if f.text and f.learned]
        if len(chosen) < self.prefilter_from:
            yield from super().check_batch(batch)
            return
        rows = np.array([columns.row[i] for i in chosen])
        starts = np.flatnonzero(np.diff(rows, prepend=-1))  # each record's first chosen field
        ends = np.append(starts[1:], len(chosen))
        texts = [columns.texts[i] for i in chosen]
        needed = np.bitwise_or.reduceat(needed_kinds(texts, self._config, batch_haystack(batch, chosen)), starts)
        for k in np.flatnonzero(needed).tolist():
            fields = [columns.fields[i] for i in chosen[starts[k] : ends[k]]]
            record = batch.records[rows[starts[k]]]
            yield from self._check_fields(record, fields, narrowed(self._config, int(needed[k])))

    def _check_fields(self, record: Record, fields: list[TextField], config: ScanConfig) -> Iterator[Finding]:
        # One scan over all fields of the record: the pre-filters and the regex calls cost per
        # call more than per character. No pattern matches across the separator.
        text = FIELD_SEPARATOR.join(f.text for f in fields)
        hits = scan(text, config)
        if not hits:
            return
        starts = list(itertools.accumulate((len(f.text) + len(FIELD_SEPARATOR) for f in fields[:-1]), initial=0))
        by_field: dict[int, list[Hit]] = {}
        for hit in hits:
            i = bisect.bisect_right(starts, hit.start) - 1
            offset = starts[i]
            by_field.setdefault(i, []).append(replace(hit, start=hit.start - offset, end=hit.end - offset))
        for i, field_hits in by_field.items():
            field = fields[i]
            if not field.learned:
                field_hits = [h for h in field_hits if h.kind in self._input_kinds]
            if ALLOW_SECRET_MARKER in field.text:
                field_hits = [h for h in field_hits if h.kind not in _SECRET_KINDS]
            yield from self._findings(record, field, field_hits)

    def _findings(self, record: Record, field: TextField, hits: list[Hit]) -> Iterator[Finding]:
        # Distinct values in order of first occurrence, with how often each occurs.
        first: dict[tuple[str, str], Hit] = {}
        counts: dict[tuple[str, str], int] = {}
        for hit in hits:
            if self._filters[hit.kind].reports(hit):
                key = (hit.kind, hit.norm)
                first.setdefault(key, hit)
                counts[key] = counts.get(key, 0) + 1
        if not first:
            return
        masked_text, offsets = _mask_field(field.text, hits)
        # Another spelling of a value that no detector matched there (glued to a word: "...4567xh")
        # is masked too: the raw value must appear nowhere in a finding.
        # One trie-shaped pattern of every value, so a field with thousands of values stays linear.
        masks = {h.value: h.masked for h in sorted(hits, key=lambda h: (h.value, h.masked))}
        literal = re.compile(trie_pattern(masks))
        where = _WHERE.get(field.role, "a text field") + (f" ({field.branch})" if field.branch else "")
        for key, hit in first.items():
            rule = RULE_BY_KIND[hit.kind]
            value_hash = stable_hash(hit.norm)
            start = max(0, offsets[id(hit)] - SNIPPET_BEFORE)
            window = masked_text[start : start + SNIPPET_WINDOW]
            window = literal.sub(lambda m: masks[m.group(0)], window)
            finding = rule.at(
                record,
                _message(hit, where),
                field=field.pointer,
                snippet=window,
                metrics=_metrics(hit, value_hash, counts[key], field),
                key=value_hash,
            )
            if not field.learned or hit.category in _LOW_CATEGORIES:
                finding = finding.model_copy(update={"severity": Severity.WARNING})
            yield finding


def _message(hit: Hit, where: str) -> str:
    if hit.kind == "credential":
        return f"secret value (entropy {hit.entropy:.2f} bits/char) assigned to a credential name in {where}: {hit.masked}"
    label = f"{hit.category} {hit.label}" if hit.kind == "ip" and hit.category != "public" else hit.label
    return f"{label} in {where}: {hit.masked}"


def _metrics(hit: Hit, value_hash: str, occurrences: int, field: TextField) -> dict[str, str | int | float | bool]:
    metrics: dict[str, str | int | float | bool] = {
        "value_hash": value_hash,
        "occurrences": occurrences,
        "learned": field.learned,
    }
    if hit.detail:
        metrics["type"] = hit.detail
    if hit.kind == "credential":
        metrics["entropy"] = round(hit.entropy, 3)
    return metrics


def _mask_field(text: str, hits: list[Hit]) -> tuple[str, dict[int, int]]:
    """The field with every detected value masked, plus where each hit's mask starts in it.

    The check's own hits come first; the broader redaction scan covers anything else (a value of a
    disabled rule, an allowed one) so that a snippet cut mid-value cannot expose a fragment.
    """
    everything = merge_hits(hits, scan(text, REDACTION))
    parts: list[str] = []
    offsets: dict[int, int] = {}
    pos = length = 0
    for hit in everything:
        chunk = text[pos : hit.start]
        parts += [chunk, hit.masked]
        offsets[id(hit)] = length + len(chunk)
        length += len(chunk) + len(hit.masked)
        pos = hit.end
    parts.append(text[pos:])
    return "".join(parts), offsets


CHECKS: list[type[RecordCheck] | Rule] = [PiiCheck]
