"""LengthCheck (DS701-DS703, each record alone) and LengthOutlierCheck (DS704 and the length stats)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import numpy as np

from dslint.batch import Batch
from dslint.check import CheckContext, DatasetCheck, RecordCheck
from dslint.checks.length.rules import (
    FIELD_TOO_LONG,
    LENGTH_OUTLIER,
    OVER_CONTEXT,
    TRIVIAL_OUTPUT,
    ContextOptions,
    FieldTooLongOptions,
    OutlierOptions,
)
from dslint.checks.length.stats import MAD_SCALE, Candidate, Group, bucket_value, merge_groups, robust_z
from dslint.finding import Finding, Location
from dslint.formats.base import TextField
from dslint.record import Record, stable_hash
from dslint.redact import quote
from dslint.tokens import TokenCounter, build_counter, flagged_in_first

_ALNUM = re.compile(r"[^\W_]")  # a letter or digit of any script


# --- token measurements, shared by both checks ---------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenSequence:
    """One token sequence a trainer builds from a record: its fields and their token counts."""

    branch: str | None  # "chosen" / "rejected" when a preference record yields two sequences
    fields: tuple[int, ...]  # indices into record.fields
    total: int


@dataclass(frozen=True, slots=True)
class Measure:
    tokens: tuple[int, ...]  # content tokens per field, parallel to record.fields
    sequences: tuple[TokenSequence, ...]

    @property
    def longest(self) -> TokenSequence:
        return max(self.sequences, key=lambda s: s.total)  # first of equals: chosen before rejected


def measure(record: Record, counter: TokenCounter, per_message: int) -> Measure:
    """Token counts of a record's fields and sequences."""
    return _measure(record.fields, [counter.count(f.text) for f in record.fields], per_message)


@dataclass(frozen=True, slots=True)
class BatchMeasures:
    """A batch's token counts, counted once for both length checks: per field (parallel to
    ``batch.columns``) and per record, its longest sequence; a record's full ``Measure`` on demand."""

    tokens: list[int]
    bounds: list[int]  # record j's fields are the columns bounds[j]:bounds[j + 1]
    longest: list[int]  # tokens of each record's longest sequence (0 for a record without fields)
    per_message: int

    def measure(self, batch: Batch, j: int) -> Measure:
        return _measure(batch.records[j].fields, self.tokens[self.bounds[j] : self.bounds[j + 1]], self.per_message)


def batch_measures(batch: Batch, counter: TokenCounter, per_message: int) -> BatchMeasures:
    """The batch's ``BatchMeasures``, with every text counted in one call (a real tokenizer's
    batch encoder); computed once per batch for both length checks."""

    def compute(b: Batch) -> BatchMeasures:
        columns = b.columns
        tokens = counter.count_batch(columns.texts)
        bounds = [0, *accumulate(len(record.fields) for record in b.records)]
        # One sequence of all fields per record (sums of the running total), except a record
        # with two branches (chosen, rejected): one sequence per branch, measured alone.
        running = np.concatenate(([0], np.cumsum(np.asarray(tokens, dtype=np.int64))))
        ends = np.asarray(bounds)
        longest = (np.diff(running[ends]) + per_message * np.diff(ends)).tolist()
        for j in {columns.row[i] for i, f in enumerate(columns.fields) if f.branch}:
            fields, counts = b.records[j].fields, tokens[bounds[j] : bounds[j + 1]]
            longest[j] = _measure(fields, counts, per_message).longest.total
        return BatchMeasures(tokens, bounds, longest, per_message)

    return batch.shared(f"length-measures:{id(counter)}:{per_message}", compute)


def batch_chars(batch: Batch) -> np.ndarray:
    """The length in characters of each text of the batch (int64), shared by both length checks."""

    def compute(b: Batch) -> np.ndarray:
        texts = b.columns.texts
        return np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))

    return batch.shared("length-chars", compute)


def _measure(fields: Sequence[TextField], counts: Sequence[int], per_message: int) -> Measure:
    tokens = tuple(counts)
    branches = sorted({f.branch for f in fields if f.branch})
    groups = [(None, range(len(fields)))] if len(branches) < 2 else [
        (b, [i for i, f in enumerate(fields) if f.branch in (None, b)]) for b in branches
    ]
    sequences = tuple(
        TokenSequence(branch, tuple(idx), sum(tokens[i] + per_message for i in idx)) for branch, idx in groups
    )
    return Measure(tokens, sequences)


def is_trivial(text: str, min_chars: int) -> bool:
    """Not blank (that is DS108's), but without a letter or digit, or shorter than ``min_chars``."""
    if not text or text.isspace():
        return False
    return _ALNUM.search(text) is None or (min_chars > 1 and len(text.strip()) < min_chars)


def _subject(role: str) -> str:
    """How a message names a field: 'assistant text', 'response/chosen text', or just 'text'."""
    return "text" if role == "text" else f"{role} text"


def _split_name(split: str) -> str:
    return f"split {quote(split)}" if split else "the unsplit records"


def _group_name(f: TextField) -> str:
    return f"{f.role}/{f.branch}" if f.branch else f.role


# --- per record ----------------------------------------------------------------------------


class LengthCheck(RecordCheck):
    rules = (TRIVIAL_OUTPUT, FIELD_TOO_LONG, OVER_CONTEXT)

    def __init__(self, ctx: CheckContext | None = None) -> None:
        super().__init__(ctx)
        self.trivial = self.ctx.opts(TRIVIAL_OUTPUT) if self.ctx.is_enabled(TRIVIAL_OUTPUT) else None
        self.too_long = self.ctx.opts(FIELD_TOO_LONG) if self.ctx.is_enabled(FIELD_TOO_LONG) else None
        self.context: ContextOptions = self.ctx.opts(OVER_CONTEXT)
        self.context_on = self.ctx.is_enabled(OVER_CONTEXT)
        needs_tokens = self.context_on or (self.too_long is not None and self.too_long.max_tokens is not None)
        self.counter = build_counter(self.context.tokenizer, self.context.chars_per_token, self.ctx.root) if needs_tokens else None

    def check(self, record: Record) -> Iterable[Finding]:
        m = measure(record, self.counter, self.context.tokens_per_message) if self.counter and record.fields else None
        return self._check(record, m)

    def check_batch(self, batch: Batch) -> Iterable[Finding]:
        """``_check`` of the records that may have a finding, picked over the whole batch."""
        columns = batch.columns
        measures = batch_measures(batch, self.counter, self.context.tokens_per_message) if self.counter else None
        rows: set[int] = set()
        if self.trivial is not None:
            min_chars = self.trivial.min_chars
            # A text that opens with a letter or digit (str.isalnum is the regex's [^\W_]) is
            # trivial only by min-chars: most outputs are out after one character.
            rows.update(
                columns.row[i]
                for i, f in enumerate(columns.fields)
                if f.learned and (min_chars > 1 or not f.text[:1].isalnum()) and is_trivial(f.text, min_chars)
            )
        if self.too_long is not None:
            long = batch_chars(batch) > self.too_long.max_chars
            if self.too_long.max_tokens is not None and measures is not None:
                long |= np.asarray(measures.tokens, dtype=np.int64) > self.too_long.max_tokens
            rows.update(columns.row[i] for i in np.flatnonzero(long).tolist())
        if self.context_on and measures is not None:
            window = self.context.context_window
            rows.update(j for j, total in enumerate(measures.longest) if total > window)
        for j in sorted(rows):
            yield from self._check(batch.records[j], measures.measure(batch, j) if measures is not None else None)

    def _check(self, record: Record, m: Measure | None) -> list[Finding]:
        fields = record.fields
        if not fields:
            return []
        out: list[Finding] = []
        for i, f in enumerate(fields):
            if self.trivial is not None and f.learned and is_trivial(f.text, self.trivial.min_chars):
                out.append(self._trivial(record, f))
            if self.too_long is not None:
                finding = self._too_long(record, f, m.tokens[i] if m else None)
                if finding is not None:
                    out.append(finding)
        if self.context_on and m is not None:
            seq = m.longest
            if seq.total > self.context.context_window:
                out.append(self._over_context(record, fields, m, seq))
        return out

    def _trivial(self, record: Record, f: TextField) -> Finding:
        stripped = f.text.strip()
        n = len(stripped)
        if _ALNUM.search(stripped):
            why = f"is {n} character{'s' if n > 1 else ''} long, below min-chars {self.trivial.min_chars}"
        else:
            why = "has no letter or digit"
        subject = "output" if f.role == "text" else f"{f.role} output"
        return TRIVIAL_OUTPUT.at(record, f"{subject} {why}", field=f.pointer, snippet=f.text, metrics={"chars": n})

    def _too_long(self, record: Record, f: TextField, tokens: int | None) -> Finding | None:
        opts = self.too_long
        chars = len(f.text)
        if chars > opts.max_chars:
            what, limit = f"{chars:,} characters", f"max-chars {opts.max_chars:,}"
            metrics = {"chars": chars, "limit": opts.max_chars}
        elif opts.max_tokens is not None and tokens is not None and tokens > opts.max_tokens:
            what, limit = f"{tokens:,} tokens ({self.counter.name})", f"max-tokens {opts.max_tokens:,}"
            metrics = {"tokens": tokens, "limit": opts.max_tokens}
        else:
            return None
        return FIELD_TOO_LONG.at(
            record, f"{_subject(f.role)} is {what}, over {limit}", field=f.pointer, snippet=f.text, metrics=metrics
        )

    def _over_context(self, record: Record, fields: Sequence[TextField], m: Measure, seq: TokenSequence) -> Finding:
        window, per_message = self.context.context_window, self.context.tokens_per_message
        cut = seq.total - window
        # Each field is [template tokens][content]; a trainer cuts from one end of the sequence.
        segments = [
            seg for i in seq.fields for seg in ((per_message, False), (m.tokens[i], fields[i].part == "output"))
        ]
        if self.context.truncation_side == "right":
            segments.reverse()
        output_cut = flagged_in_first(segments, cut)
        output = sum(m.tokens[i] for i in seq.fields if fields[i].part == "output")
        what = f"{seq.branch} sequence (prompt + {seq.branch})" if seq.branch else "example"
        message = (
            f"{what} is {seq.total:,} tokens ({self.counter.name}), over the {window:,}-token context window:"
            f" {cut:,} tokens ({cut / seq.total:.0%}) would be cut"
        )
        if output and output_cut == output:
            message += ", the whole output: the example teaches nothing"
        elif output_cut:
            message += f", {output_cut / output:.0%} of the output"
        return OVER_CONTEXT.at(
            record,
            message,
            metrics={
                "tokens": seq.total,
                "context_window": window,
                "cut_tokens": cut,
                "cut_share": round(cut / seq.total, 4),
                "output_tokens": output,
                "output_cut_share": round(output_cut / output, 4) if output else 0.0,
                "tokenizer": self.counter.name,
            },
            key=seq.branch or "",
        )


def _grouped(codes: np.ndarray, values: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(code, the values with that code in their order) for each distinct code, ascending."""
    order = np.argsort(codes, kind="stable")
    found, starts = np.unique(codes[order], return_index=True)
    return list(zip(found.tolist(), np.split(values[order], starts[1:])))


# --- over the dataset ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Scale:
    """A group's robust scale on log2(length + 1) and DS704's thresholds."""

    median: float
    mad: float
    threshold: float
    min_ratio: float

    @property
    def median_chars(self) -> float:
        return 2**self.median - 1

    def z(self, length: int) -> float:
        return robust_z(length, self.median, self.mad)

    def bounds(self) -> dict[str, int]:
        """The lengths beyond which a text is an outlier: the inverse of ``side``."""
        spread = self.threshold * self.mad / MAD_SCALE
        long = max(2 ** (self.median + spread) - 1, self.min_ratio * self.median_chars)
        short = min(2 ** (self.median - spread) - 1, self.median_chars / self.min_ratio)
        return {"short_below": max(math.floor(short), 0), "long_above": math.ceil(long)}

    def side(self, length: int) -> str | None:
        """"long" or "short" for an outlier, else None."""
        z = self.z(length)
        if z > self.threshold and length >= self.min_ratio * self.median_chars:
            return "long"
        if z < -self.threshold and length * self.min_ratio <= self.median_chars:
            return "short"
        return None


EXAMPLE = "example"  # the group of whole-example token counts, next to the field roles
UNSPLIT = "(unsplit)"  # how stats name the records whose file has no split (as the label stats do)
GroupKey = tuple[str, str]  # (split or "", field role or EXAMPLE)
LengthState = dict[GroupKey, Group]


class LengthOutlierCheck(DatasetCheck[LengthState]):
    """DS704 and the length distribution (stats key "length")."""

    rules = (LENGTH_OUTLIER,)
    stats_key = "length"

    def __init__(self, ctx: CheckContext | None = None) -> None:
        super().__init__(ctx)
        self.opts: OutlierOptions = self.ctx.opts(LENGTH_OUTLIER)
        context: ContextOptions = self.ctx.opts(OVER_CONTEXT)
        self.per_message = context.tokens_per_message
        self.counter = build_counter(context.tokenizer, context.chars_per_token, self.ctx.root)
        self.context_window = context.context_window
        self.min_chars = self.ctx.opts(TRIVIAL_OUTPUT).min_chars
        too_long: FieldTooLongOptions = self.ctx.opts(FIELD_TOO_LONG)
        self.max_chars, self.max_tokens = too_long.max_chars, too_long.max_tokens
        self.keep = self.opts.max_findings

    def init(self) -> LengthState:
        return {}

    def update(self, state: LengthState, record: Record) -> LengthState:
        return self._update(state, record, measure(record, self.counter, self.per_message) if record.fields else None)

    def update_batch(self, state: LengthState, batch: Batch) -> LengthState:
        """``_update`` over a batch at once: each group's lengths are added as an array, and only
        the fields that may enter a group's most extreme lists are looked at one by one."""
        columns = batch.columns
        measures = batch_measures(batch, self.counter, self.per_message)
        chars = batch_chars(batch)
        splits: dict[str, int] = {}
        split_of_record = np.array([splits.setdefault(r.split or "", len(splits)) for r in batch.records], dtype=np.int64)
        names: dict[str, int] = {}  # group names (_group_name, inline: this runs for every field)
        name_of_field = np.array(
            [names.setdefault(f"{f.role}/{f.branch}" if f.branch else f.role, len(names)) for f in columns.fields],
            dtype=np.int64,
        )
        # an empty optional field (Alpaca's input) is no length; DS108 reports required ones
        blank = np.array([t.isspace() for t in columns.texts], dtype=bool) | (chars == 0)
        kept = np.flatnonzero(~blank)
        code = split_of_record[np.asarray(columns.row, dtype=np.int64)[kept]] * len(names) + name_of_field[kept]
        split_names, group_names = list(splits), list(names)
        for c, idx in _grouped(code, kept):
            split, name = split_names[c // len(names)], group_names[c % len(names)]
            group = state.setdefault((split, name), Group())
            group.add_many(chars[idx])
            self._offer_extremes(group, batch, measures, idx, chars[idx])
        has_fields = np.flatnonzero(np.diff(measures.bounds) > 0)
        longest = np.asarray(measures.longest, dtype=np.int64)
        for c, rows in _grouped(split_of_record[has_fields], has_fields):
            state.setdefault((split_names[c], EXAMPLE), Group()).add_many(longest[rows])
        return state

    def _offer_extremes(
        self, group: Group, batch: Batch, measures: BatchMeasures, idx: np.ndarray, lengths: np.ndarray
    ) -> None:
        """Offer the fields ``idx`` (of the batch's columns) to the group's longest and shortest
        lists, most extreme first, until one could not enter; a field another rule reports is not offered."""
        if self.keep <= 0:
            return
        columns = batch.columns
        reported: dict[int, bool] = {}
        order = np.argsort(lengths, kind="stable")
        for shortest, ranked in ((False, order[::-1]), (True, order)):
            side = group.shortest if shortest else group.longest
            for i, n in zip(idx[ranked].tolist(), lengths[ranked].tolist()):
                if not group.would_keep(n, self.keep)[shortest]:
                    break  # every later field is less extreme
                record, f = batch.records[columns.row[i]], columns.fields[i]
                head = (n if shortest else -n, record.file, record.index, f.pointer, record.line)
                if len(side) >= self.keep and head >= side[-1][:5]:
                    continue  # offer would refuse it (a field's head is unique, the hash never decides)
                if i not in reported:
                    reported[i] = self._other_rule_reports(f, measures.tokens[i])
                if not reported[i]:
                    group.offer(side, (*head, record.content_hash), self.keep)

    def _update(self, state: LengthState, record: Record, m: Measure | None) -> LengthState:
        fields = record.fields
        if not fields or m is None:
            return state
        split = record.split or ""
        for i, f in enumerate(fields):
            if not f.text.strip():
                continue  # an empty optional field (Alpaca's input) is no length; DS108 reports required ones
            key = (split, _group_name(f))
            group = state.get(key)
            if group is None:
                group = state[key] = Group()
            n = len(f.text)
            group.add(n)
            longer, shorter = group.would_keep(n, self.keep)
            if (longer or shorter) and not self._other_rule_reports(f, m.tokens[i]):
                where = (record.file, record.index, f.pointer, record.line, record.content_hash)
                if longer:
                    group.offer(group.longest, (-n, *where), self.keep)
                if shorter:
                    group.offer(group.shortest, (n, *where), self.keep)
        key = (split, EXAMPLE)
        group = state.get(key)
        if group is None:
            group = state[key] = Group()
        group.add(m.longest.total)
        return state

    def _other_rule_reports(self, f: TextField, tokens: int) -> bool:
        """Blank (DS108), trivial (DS701) or over DS702's limits: that rule's finding suffices."""
        if not f.text.strip():
            return self._on("DS108")
        if len(f.text) > self.max_chars or (self.max_tokens is not None and tokens > self.max_tokens):
            return self._on(FIELD_TOO_LONG.code)
        return f.learned and is_trivial(f.text, self.min_chars) and self._on(TRIVIAL_OUTPUT.code)

    def _on(self, code: str) -> bool:
        return self.ctx.enabled is None or code in self.ctx.enabled

    def merge(self, a: LengthState, b: LengthState) -> LengthState:
        return merge_groups(a, b, self.keep)

    def finalize(self, state: LengthState) -> Iterable[Finding]:
        findings: list[Finding] = []
        for (split, role), group in sorted(state.items()):
            if role != EXAMPLE and group.count >= self.opts.min_records:
                findings.extend(self._outliers(split, role, group))
        return findings

    def _outliers(self, split: str, role: str, group: Group) -> list[Finding]:
        scale = _Scale(*group.log_median_mad(), self.opts.threshold, self.opts.min_ratio)
        # About how many texts of the group are outliers, judged bucket by bucket (blanks aside).
        total = sum(n for b, n in group.hist.items() if b and scale.side(round(bucket_value(b))))
        out: list[Finding] = []
        for side, candidates in (("long", group.longest), ("short", group.shortest)):
            for cand in candidates:  # the most extreme first: stop at the first that is not an outlier
                length = abs(cand[0])
                if scale.side(length) != side:
                    break
                out.append(self._finding(split, role, cand, length, scale, total))
        return out

    def _finding(self, split: str, role: str, cand: Candidate, length: int, scale: _Scale, total: int) -> Finding:
        _, file, index, ptr, line, content_hash = cand
        median = scale.median_chars
        side = scale.side(length)
        if side == "long":
            factor = f"{length / max(median, 1):,.1f}× the median of {median:,.0f}"
        else:
            factor = f"1/{median / max(length, 1):,.0f} of the median of {median:,.0f}"
        z = scale.z(length)
        return Finding(
            rule=LENGTH_OUTLIER.code,
            name=LENGTH_OUTLIER.name,
            check=LENGTH_OUTLIER.family,
            severity=LENGTH_OUTLIER.severity,
            message=f"{_subject(role)} is {length:,} characters, {factor} for {_subject(role)}s in"
            f" {_split_name(split)} (robust z {z:+.1f})",
            location=Location(file=file, line=line, record=index, field=ptr, split=split or None),
            metrics={"chars": length, "median_chars": round(median), "robust_z": round(z, 2), "side": side,
                     "group_outliers": total},
            fingerprint=stable_hash(f"{LENGTH_OUTLIER.code}\0{content_hash}\0{ptr}\0{side}"),
        )

    def stats(self, state: LengthState) -> dict[str, Any]:
        """Length distribution per split and field role (characters) and per example (tokens):
        summary figures, a histogram per doubling, and DS704's outlier bounds where it judges."""
        splits: dict[str, dict[str, Any]] = {}
        for (split, role), group in sorted(state.items(), key=lambda kv: (kv[0][0], kv[0][1] == EXAMPLE, kv[0][1])):
            unit = "tokens" if role == EXAMPLE else "characters"
            figures: dict[str, Any] = {**group.summary(unit), "histogram": group.histogram()}
            if role != EXAMPLE and group.count >= self.opts.min_records:
                figures["outliers"] = _Scale(*group.log_median_mad(), self.opts.threshold, self.opts.min_ratio).bounds()
            splits.setdefault(split or UNSPLIT, {})[role] = figures
        if not splits:
            return {}
        return {"tokenizer": self.counter.name, "context_window": self.context_window, "splits": splits}


CHECKS = [LengthCheck, LengthOutlierCheck]
