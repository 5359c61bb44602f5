"""DS412 low-annotator-agreement: Cohen's kappa for two annotator columns, Fleiss' kappa for more.

The state holds exact integer sums, so merged shards give the same kappa to the last bit: for two
annotators the count of each (first label, second label) pair; for more, per number of ratings
n, the number of items and the sum over them of (sum_j n_ij^2 - n), and the ratings per category.
Items rated by fewer than two annotators do not count. With varying n per item this is the usual
generalisation of Fleiss' kappa (P_i with each item's own n, p_j over all ratings).
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dslint.check import CheckContext, DatasetCheck
from dslint.checks._shared.labels import Sample, add_counts, label_keys, sample_of
from dslint.checks.labels.rules import LOW_AGREEMENT
from dslint.checks._shared.pointers import key_pointer
from dslint.finding import Finding
from dslint.formats.base import resolve_pointer
from dslint.record import Record

LISTED = 20  # disagreeing items kept as related locations
SEP = "\x1f"
METHOD_NAMES = {"cohen": "Cohen's", "fleiss": "Fleiss'"}


@dataclass
class AgreementState:
    items: int = 0
    pairs: dict[tuple[str, str], int] = field(default_factory=dict)  # two annotators
    agree: dict[int, int] = field(default_factory=dict)  # n -> sum of (sum_j n_ij^2 - n); three or more
    rated: dict[int, int] = field(default_factory=dict)  # n -> items with n ratings
    totals: dict[str, int] = field(default_factory=dict)  # category -> ratings
    disagreements: int = 0
    listed: list[Sample] = field(default_factory=list)  # the first disagreeing items, sorted


def fleiss_from_sums(agree: Mapping[int, int], rated: Mapping[int, int], totals: Mapping[str, int]) -> float | None:
    """Fleiss' kappa from the merged sums; None when undefined (no items, or a single category)."""
    items = sum(rated.values())
    ratings = sum(totals.values())
    if not items or not ratings:
        return None
    observed = sum(agree.get(n, 0) / (n * (n - 1)) for n in sorted(rated)) / items
    expected = sum((c / ratings) ** 2 for _, c in sorted(totals.items()))
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def fleiss_kappa(table: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa of a table with one row per item and one column per category (rating counts)."""
    agree: dict[int, int] = {}
    rated: dict[int, int] = {}
    totals: dict[str, int] = {}
    for row in table:
        n = sum(row)
        if n < 2:
            continue
        agree[n] = agree.get(n, 0) + sum(c * c for c in row) - n
        rated[n] = rated.get(n, 0) + 1
        for j, c in enumerate(row):
            totals[str(j)] = totals.get(str(j), 0) + c
    return fleiss_from_sums(agree, rated, totals)


def cohen_from_pairs(pairs: Mapping[tuple[str, str], int]) -> float | None:
    """Cohen's kappa of two annotators from the counts of their label pairs (None if undefined)."""
    import warnings

    from sklearn.metrics import cohen_kappa_score

    ordered = sorted(pairs.items())
    if not ordered or len({label for pair, _ in ordered for label in pair}) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kappa = cohen_kappa_score(
            [a for (a, _), _ in ordered], [b for (_, b), _ in ordered], sample_weight=[n for _, n in ordered]
        )
    return None if kappa != kappa else float(kappa)  # NaN: chance agreement is total


class AnnotatorAgreementCheck(DatasetCheck[AgreementState]):
    rules = (LOW_AGREEMENT,)
    stats_key = "agreement"

    def __init__(self, ctx: CheckContext | None = None) -> None:
        super().__init__(ctx)
        self.pointers = [key_pointer(a) for a in self.ctx.opts(LOW_AGREEMENT).annotators]

    def init(self) -> AgreementState:
        return AgreementState()

    def update(self, state: AgreementState, record: Record) -> AgreementState:
        if len(self.pointers) < 2:
            return state
        values: list[str | None] = []
        for ptr in self.pointers:
            found, value = resolve_pointer(record.data, ptr)
            keys = label_keys(value) if found else ()
            values.append(SEP.join(keys) if keys else None)
        ratings = [v for v in values if v is not None]
        if len(ratings) < 2:
            return state
        state.items += 1
        if len(self.pointers) == 2:
            pair = (values[0], values[1])
            state.pairs[pair] = state.pairs.get(pair, 0) + 1  # type: ignore[index]
        else:
            n = len(ratings)
            counts: dict[str, int] = {}
            for r in ratings:
                counts[r] = counts.get(r, 0) + 1
            state.agree[n] = state.agree.get(n, 0) + sum(c * c for c in counts.values()) - n
            state.rated[n] = state.rated.get(n, 0) + 1
            for category, c in counts.items():
                state.totals[category] = state.totals.get(category, 0) + c
        if len(set(ratings)) > 1:
            state.disagreements += 1
            if len(state.listed) < LISTED or (record.file, record.index) < state.listed[-1][:2]:
                bisect.insort(state.listed, sample_of(record))
                del state.listed[LISTED:]
        return state

    def merge(self, a: AgreementState, b: AgreementState) -> AgreementState:
        return AgreementState(
            items=a.items + b.items,
            pairs=add_counts(a.pairs, b.pairs),
            agree=add_counts(a.agree, b.agree),
            rated=add_counts(a.rated, b.rated),
            totals=add_counts(a.totals, b.totals),
            disagreements=a.disagreements + b.disagreements,
            listed=list(heapq.merge(a.listed, b.listed))[:LISTED],
        )

    def kappa(self, state: AgreementState) -> tuple[str, float | None]:
        if len(self.pointers) == 2:
            return "cohen", cohen_from_pairs(state.pairs)
        return "fleiss", fleiss_from_sums(state.agree, state.rated, state.totals)

    def finalize(self, state: AgreementState) -> Iterable[Finding]:
        opts = self.ctx.opts(LOW_AGREEMENT)
        if len(self.pointers) < 2 or state.items < opts.min_items:
            return
        method, kappa = self.kappa(state)
        if kappa is None or kappa >= opts.min_kappa:
            return
        listed = f"; the first {len(state.listed)} are the related locations" if state.listed else ""
        yield LOW_AGREEMENT.dataset(
            f"annotators agree too little: {METHOD_NAMES[method]} kappa {kappa:.3f} < {opts.min_kappa:g}"
            f" over {state.items:,} items rated by two or more of {len(self.pointers)} annotators;"
            f" {state.disagreements:,} items have differing labels{listed}",
            key="\0".join(self.pointers),
            related=[s.location() for s in state.listed],
            metrics={
                "kappa": round(kappa, 6),
                "method": method,
                "items": state.items,
                "disagreements": state.disagreements,
                "threshold": opts.min_kappa,
            },
        )

    def stats(self, state: AgreementState) -> dict[str, Any]:
        if len(self.pointers) < 2 or not state.items:
            return {}
        method, kappa = self.kappa(state)
        return {
            "annotators": len(self.pointers),
            "method": method,
            "kappa": None if kappa is None else round(kappa, 6),
            "items": state.items,
            "disagreements": state.disagreements,
        }
