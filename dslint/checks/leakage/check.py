"""LeakageCheck: the family's one pass (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from dslint.batch import Batch
from dslint.check import CheckContext, Rule
from dslint.checks._shared.neardup import lsh_keys, minhash_config, minhash_settings, rep_pairs
from dslint.checks._shared.tables import (
    CONTENT, INPUT, NORM, OUTPUT, Chunk, Frame, RecordView, TableCheck, TableState, batch_views, column_keys, groups, view_of, where,
)
from dslint.checks.leakage.ngrams import BenchmarkIndex, EvalMatch, eval_contamination, load_benchmarks, ngram_extras
from dslint.checks.leakage.rules import (
    LEAKAGE_RULES,
    LEAKED_EXAMPLE,
    LEAKED_NEAR_DUPLICATE,
    NGRAM_CONTAMINATION,
    PROMPT_LEAK,
)
from dslint.finding import Finding
from dslint.keyed import Keys
from dslint.minhash import signatures
from dslint.record import Record
from dslint.redact import normalised

SPLIT_RANK = {"train": 0, "validation": 1, "test": 2}


@dataclass
class Leaks:
    """Per row of a frame: the earlier-split record it matches (-1: none) and how."""

    exact: np.ndarray
    normalized: np.ndarray
    near: np.ndarray | None
    near_similarity: np.ndarray | None
    prompt: np.ndarray
    ngram: dict[int, EvalMatch] | None
    textless: np.ndarray  # rows without output text (a classification row): a shared prompt beats a near-copy


class LeakageCheck(TableCheck):
    rules = LEAKAGE_RULES
    stats_key = "leakage"
    state_version = 3  # needles sorted by hash
    width = 4

    def __init__(self, ctx: CheckContext | None = None) -> None:
        super().__init__(ctx)
        self.bench: BenchmarkIndex | None = None
        opts = self.ctx.opts(NGRAM_CONTAMINATION)
        if self.ctx.is_enabled(NGRAM_CONTAMINATION) and opts.against:
            self.bench = load_benchmarks([self.ctx.path(p) for p in opts.against], opts.ngram)
        # With fewer than two of train/validation/test and no benchmark, nothing can leak:
        # skip the per-record work (n-gram tables are the largest state dslint keeps).
        splits = self.ctx.splits
        self.active = self.bench is not None or splits is None or len(splits & SPLIT_RANK.keys()) >= 2

    def _near_on(self) -> bool:
        return self.ctx.is_enabled(LEAKED_NEAR_DUPLICATE)

    def _ngrams_on(self) -> bool:
        return self.ctx.is_enabled(NGRAM_CONTAMINATION)

    def update(self, state: TableState, record: Record) -> TableState:
        if not self.active or record.split not in SPLIT_RANK:
            return state
        return self._add(state, record, view_of(record), self._texts_on())

    def update_batch(self, state: TableState, batch: Batch) -> TableState:
        if not self.active or not batch.records or batch.records[0].split not in SPLIT_RANK:
            return state  # a batch's records are of one file, so of one split
        texts = self._texts_on()  # once a batch, not once a record
        for record, view in zip(batch.records, batch_views(batch)):
            state = self._add(state, record, view, texts)
        return state

    def _texts_on(self) -> bool:
        """Whether rows keep their text: for signatures or n-grams."""
        return self._near_on() or self._ngrams_on()

    def _add(self, state: TableState, record: Record, view: RecordView | None, texts: bool) -> TableState:
        if view is None:
            return state
        return self.add(state, record, (view.content, view.norm, view.input, view.output), view.text if texts else "")

    def fill(self, chunk: Chunk, texts: list[str]) -> None:
        if self._near_on():
            chunk.sigs = signatures(texts, minhash_config(self.ctx.opts(LEAKED_NEAR_DUPLICATE)))
        if self._ngrams_on():
            is_train = np.array([s == "train" for s in chunk.splits], dtype=bool)[chunk.file]
            chunk.extra = ngram_extras(texts, is_train, self.ctx.opts(NGRAM_CONTAMINATION).ngram, self.bench)

    def row_keys(self, chunks: list[Chunk]) -> dict[str, Keys]:
        """Rows relate across splits (the side of a key) by equal content, normalised text or
        input, a shared LSH band key, or an n-gram of an evaluation record in a training record."""
        if not chunks:
            return {}
        rank = np.concatenate([np.array([SPLIT_RANK[s] for s in c.splits], dtype=np.int8)[c.file] for c in chunks])
        keys = {}
        for name, col in (("content", CONTENT), ("norm", NORM), ("input", INPUT)):
            values, rows = column_keys(chunks, col)
            keys[name] = Keys(values, rows, rank[rows])
        if self._near_on():
            values, rows = lsh_keys(chunks, self.ctx.opts(LEAKED_NEAR_DUPLICATE))
            keys["band"] = Keys(values, rows, rank[rows])
        if self._ngrams_on():
            starts = np.cumsum([0] + [len(c.index) for c in chunks])
            hay = [(c.extra["hay"]["hash"], start + c.extra["hay"]["row"]) for c, start in zip(chunks, starts) if "hay" in c.extra]
            needle = [(c.extra["needle"]["hash"], start + c.extra["needle"]["row"]) for c, start in zip(chunks, starts) if "needle" in c.extra]
            values = np.concatenate([h for h, _ in hay + needle] or [np.empty(0, dtype=np.uint64)])
            rows = np.concatenate([r.astype(np.int64) for _, r in hay + needle] or [np.empty(0, dtype=np.int64)])
            sides = np.concatenate([np.zeros(sum(len(h) for h, _ in hay), dtype=np.int8), np.ones(sum(len(h) for h, _ in needle), dtype=np.int8)])
            keys["ngram"] = Keys(values, rows, sides)
        return keys

    def condensed(self, state: TableState, rows: np.ndarray) -> TableState:
        """Training rows matching a benchmark stay too: their findings need no other row."""
        self._flush(state.table)
        starts = np.cumsum([0] + [len(c.index) for c in state.table.chunks])
        bench = [start + c.extra["bench"]["row"] for c, start in zip(state.table.chunks, starts) if "bench" in c.extra]
        return super().condensed(state, np.concatenate((rows, *bench)))

    # --- analysis ------------------------------------------------------------------------

    def analyse(self, frame: Frame) -> tuple[list[Finding], dict[str, Any]]:
        rank = frame.split_codes(SPLIT_RANK)
        leaks = self._leaks(frame, rank)
        r301, r302, r303, r304 = _priority(leaks, rank, self.ctx.is_enabled)
        findings: list[Finding] = []
        for i in np.flatnonzero(r301):
            findings.append(self._copy_finding(frame, i, leaks))
        for i in np.flatnonzero(r302):
            findings.append(self._near_finding(frame, i, leaks))
        for i in np.flatnonzero(r303):
            root = frame.location(leaks.prompt[i])
            findings.append(
                PROMPT_LEAK.at(
                    frame.stub(i),
                    f"same input as {where(root)} ({root.split}) with a different output",
                    related=[root],
                    metrics={"split": frame.split(i), "matched_split": root.split},
                )
            )
        for i in np.flatnonzero(r304):
            findings.append(self._ngram_finding(frame, i, leaks))
        findings.extend(self._bench_findings(frame))
        return findings, self._figures(frame, rank, leaks)

    def _leaks(self, frame: Frame, rank: np.ndarray) -> Leaks:
        content, norm, inp = frame.column(CONTENT), frame.column(NORM), frame.column(INPUT)
        exact = _earlier([content], rank)
        normalized = _earlier([norm], rank)
        prompt = _earlier([inp], rank, valid=inp != 0)
        # A shared prompt counts only when the rest of the record differs.
        prompt[(prompt >= 0) & (norm == norm[np.maximum(prompt, 0)])] = -1
        near = near_sim = None
        if self._near_on() and frame.total:
            near, near_sim = self._near(frame, rank)
        ngram = None
        if self._ngrams_on() and frame.total:
            opts = self.ctx.opts(NGRAM_CONTAMINATION)
            ngram = eval_contamination(frame, opts.ngram, opts.min_matches)
        return Leaks(exact, normalized, near, near_sim, prompt, ngram, frame.column(OUTPUT) == 0)

    def _near(self, frame: Frame, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row, its best near-duplicate in an earlier split: earliest split, then the
        highest estimated similarity, then the smallest row."""
        n = frame.n
        if n == 0:  # every row condensed away
            return np.empty(0, dtype=np.int64), np.zeros(0)
        assert frame.sigs is not None
        valid, rep_of, reps, pairs, sims = rep_pairs(frame, rank, self.ctx.opts(LEAKED_NEAR_DUPLICATE), np.not_equal)
        a, b = reps[pairs[:, 0]], reps[pairs[:, 1]]
        later = rank[a] > rank[b]
        ev, tr = np.where(later, a, b), np.where(later, b, a)
        order = np.lexsort((tr, -sims, rank[tr], ev))
        first = np.ones(len(order), dtype=bool)
        first[1:] = ev[order][1:] != ev[order][:-1]
        match = np.full(n, -1, dtype=np.int64)
        similarity = np.zeros(n)
        match[ev[order][first]] = tr[order][first]
        similarity[ev[order][first]] = sims[order][first]
        # Copies of an evaluation record within its split share its match.
        idx = np.flatnonzero(valid)
        match[idx] = match[rep_of[idx]]
        similarity[idx] = similarity[rep_of[idx]]
        return match, similarity

    def _copy_finding(self, frame: Frame, i: int, leaks: Leaks) -> Finding:
        exact = leaks.exact[i] >= 0
        root = frame.location(leaks.exact[i] if exact else leaks.normalized[i])
        what = "an exact copy" if exact else "a copy (after normalisation)"
        return LEAKED_EXAMPLE.at(
            frame.stub(i),
            f"{frame.split(i)} record is {what} of {where(root)} ({root.split})",
            related=[root],
            metrics={"match": "exact" if exact else "normalized", "split": frame.split(i), "matched_split": root.split},
        )

    def _near_finding(self, frame: Frame, i: int, leaks: Leaks) -> Finding:
        assert leaks.near is not None and leaks.near_similarity is not None
        root = frame.location(leaks.near[i])
        sim = float(leaks.near_similarity[i])
        threshold = self.ctx.opts(LEAKED_NEAR_DUPLICATE).threshold
        return LEAKED_NEAR_DUPLICATE.at(
            frame.stub(i),
            f"{frame.split(i)} record is a near-duplicate of {where(root)} ({root.split}; estimated Jaccard {sim:.2f}, threshold {threshold:g})",
            related=[root],
            metrics={"similarity": round(sim, 4), "threshold": threshold, "split": frame.split(i), "matched_split": root.split},
        )

    def _ngram_finding(self, frame: Frame, i: int, leaks: Leaks) -> Finding:
        assert leaks.ngram is not None
        m = leaks.ngram[int(i)]
        root = frame.location(m.train_row)
        n = self.ctx.opts(NGRAM_CONTAMINATION).ngram
        return NGRAM_CONTAMINATION.at(
            frame.stub(i),
            f"{m.matched} of the {m.total} {n}-grams of this {frame.split(i)} record appear in training text"
            f" (first in {where(root)})",
            snippet=normalised(m.snippet),
            related=[root],
            metrics={"matched": m.matched, "ngrams": m.total, "overlap": round(m.matched / m.total, 4), "n": n},
        )

    def _bench_findings(self, frame: Frame) -> Iterable[Finding]:
        if self.bench is None or not self._ngrams_on():
            return
        opts = self.ctx.opts(NGRAM_CONTAMINATION)
        found = frame.extra("bench")
        if not found:
            return
        for k in np.lexsort((found["bench"], found["row"])):
            if found["matched"][k] < opts.min_matches:
                continue
            file = int(found["bench"][k])
            item = self.bench.location(file, int(found["item"][k]))
            items = int(found["items"][k])
            yield NGRAM_CONTAMINATION.at(
                frame.stub(int(found["row"][k])),
                f"training record contains {found['matched'][k]} {opts.ngram}-grams of {items} item{'s' if items > 1 else ''}"
                f" of benchmark {item.file} (first: {where(item)})",
                snippet=normalised(str(found["snippet"][k])),
                related=[item],
                metrics={"matched": int(found["matched"][k]), "items": items, "benchmark": item.file, "n": opts.ngram},
                key=item.file,
            )

    def _figures(self, frame: Frame, rank: np.ndarray, leaks: Leaks) -> dict[str, Any]:
        if frame.total == 0:
            return {}
        c301, c302, c303, c304 = _priority(leaks, rank, lambda rule: True)
        file_rank = np.array([SPLIT_RANK[s] for s in frame.splits], dtype=np.int64)
        per_split: dict[str, Any] = {}
        for name, r in SPLIT_RANK.items():
            mask = rank == r
            records = int(frame.file_records[file_rank == r].sum())  # with rows condensing left out
            if r == 0 or not records:
                continue
            counts = {"records": records, "leaked_copies": int((c301 & mask).sum())}
            if leaks.near is not None:
                counts["leaked_near"] = int((c302 & mask).sum())
            counts["leaked_prompt"] = int((c303 & mask).sum())
            if leaks.ngram is not None:
                counts["contaminated"] = int((c304 & mask).sum())
            counts["leak_rate"] = round(sum(v for k, v in counts.items() if k != "records") / counts["records"], 4)
            per_split[name] = counts
        figures: dict[str, Any] = {"splits": per_split, "matrix": _matrix(rank, leaks, (c301, c302, c303, c304))}
        if leaks.near is not None:
            figures["near_duplicates"] = minhash_settings(self.ctx.opts(LEAKED_NEAR_DUPLICATE))
        if leaks.ngram is not None:
            opts = self.ctx.opts(NGRAM_CONTAMINATION)
            figures["ngrams"] = {"n": opts.ngram, "min_matches": opts.min_matches}
            if self.bench is not None:
                found = frame.extra("bench")
                hits = found["bench"][found["matched"] >= opts.min_matches] if found else np.empty(0, dtype=np.int64)
                figures["against"] = {
                    name: {"items": len(self.bench.items[f]), "contaminated_train_records": int((hits == f).sum())}
                    for f, name in enumerate(self.bench.files)
                }
        return figures


def _matrix(rank: np.ndarray, leaks: Leaks, reported: tuple[np.ndarray, ...]) -> dict[str, Any]:
    """Split by split: how many records of each evaluation split leak from each earlier split,
    by kind (copies, near, prompt; n-gram contamination is always against train)."""
    names = {r: name for name, r in SPLIT_RANK.items()}
    c301, c302, c303, c304 = reported
    copies = np.where(leaks.exact >= 0, leaks.exact, leaks.normalized)
    sources = [("copies", c301, copies), ("prompt", c303, leaks.prompt)]
    if leaks.near is not None:
        sources.append(("near", c302, leaks.near))
    out: dict[str, Any] = {}
    for kind, rows, matched in sources:
        for i in np.flatnonzero(rows):
            cell = out.setdefault(names[int(rank[i])], {}).setdefault(names[int(rank[matched[i]])], {})
            cell[kind] = cell.get(kind, 0) + 1
    for i in np.flatnonzero(c304):
        cell = out.setdefault(names[int(rank[i])], {}).setdefault("train", {})
        cell["ngram"] = cell.get("ngram", 0) + 1
    return {e: {s: dict(sorted(c.items())) for s, c in sorted(v.items())} for e, v in sorted(out.items())}


def _earlier(keys: list[np.ndarray], rank: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Per row, the first row (earliest split, then smallest id) with equal keys when that row
    is in an earlier split than this one; else -1."""
    root, _ = groups(keys, valid, prefer=rank)
    out = np.full(len(rank), -1, dtype=np.int64)
    has = root >= 0
    earlier = has.copy()
    earlier[has] = rank[root[has]] < rank[has]
    out[earlier] = root[earlier]
    return out


def _priority(leaks: Leaks, rank: np.ndarray, on: Callable[[Rule], bool]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which rule reports each row: the strongest enabled one that applies."""
    n = len(rank)
    r301 = ((leaks.exact >= 0) | (leaks.normalized >= 0)) & bool(on(LEAKED_EXAMPLE))
    prompt = (leaks.prompt >= 0) & ~r301 & bool(on(PROMPT_LEAK))
    r302 = np.zeros(n, dtype=bool)
    if leaks.near is not None:
        # The same text with another label is a shared prompt, not a near-copy.
        r302 = (leaks.near >= 0) & ~r301 & ~(prompt & leaks.textless) & bool(on(LEAKED_NEAR_DUPLICATE))
    r303 = prompt & ~r302
    r304 = np.zeros(n, dtype=bool)
    if leaks.ngram:
        r304[list(leaks.ngram)] = True
        r304 &= ~r301 & ~r302 & ~r303 & bool(on(NGRAM_CONTAMINATION))
    return r301, r302, r303, r304


CHECKS = [LeakageCheck]
