"""DuplicatesCheck: the family's one pass (see the package docstring)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from dslint.batch import Batch
from dslint.check import Rule
from dslint.checks.duplicates.rules import (
    CONFLICTING_OUTPUTS,
    DUPLICATE_RULES,
    EXACT_DUPLICATE,
    NEAR_DUPLICATE,
    NORMALIZED_DUPLICATE,
)
from dslint.checks._shared.neardup import MinHashOptions, lsh_keys, minhash_config, minhash_settings, rep_pairs
from dslint.checks._shared.tables import (
    CONTENT, INPUT, NORM, OUTPUT, Chunk, Frame, RecordView, TableCheck, TableState, batch_views, column_keys, groups, view_of, where,
)
from dslint.finding import Finding
from dslint.keyed import Keys
from dslint.minhash import (
    cluster_roots,
    estimate_jaccard,
    signatures,
)
from dslint.record import Record

MULTI_RESPONSE_TASKS = frozenset({"preference", "kto"})  # several responses per prompt by design
LARGEST_CLUSTERS = 5
UNSPLIT = "(unsplit)"  # how stats name the records whose file has no split


@dataclass
class NearMatches:
    """Near-duplicate clusters over the rows of a frame (rows without text: root -1)."""

    root: np.ndarray  # cluster root per row
    size: np.ndarray  # cluster size per row
    neighbour: np.ndarray  # the row each row matched best (itself for roots)
    similarity: np.ndarray  # estimated Jaccard with that row


def near_matches(frame: Frame, group: np.ndarray, opts: MinHashOptions) -> NearMatches:
    """Cluster the rows of each group by verified near-duplicate pairs."""
    n = frame.n
    if n == 0:  # every row condensed away
        empty = np.empty(0, dtype=np.int64)
        return NearMatches(empty, empty, empty, np.empty(0))
    valid, rep_of, reps, pairs, sims = rep_pairs(frame, group, opts, np.equal)
    sub_root = cluster_roots(len(reps), pairs)
    # Each entry's best match: highest similarity, then the smallest row.
    src = np.concatenate((pairs[:, 0], pairs[:, 1]))
    dst = np.concatenate((pairs[:, 1], pairs[:, 0]))
    sim = np.concatenate((sims, sims))
    order = np.lexsort((dst, -sim, src))
    first = np.ones(len(order), dtype=bool)
    first[1:] = src[order][1:] != src[order][:-1]
    best = np.arange(len(reps))
    best_sim = np.ones(len(reps))
    best[src[order][first]] = dst[order][first]
    best_sim[src[order][first]] = sim[order][first]

    sub_of = np.full(n, -1, dtype=np.int64)
    sub_of[reps] = np.arange(len(reps))
    root = np.full(n, -1, dtype=np.int64)
    neighbour = np.arange(n)
    similarity = np.ones(n)
    idx = np.flatnonzero(valid)
    rep = rep_of[idx]
    del rep_of
    sub = sub_of[rep]
    del sub_of
    root[idx] = reps[sub_root[sub]]
    is_rep = rep == idx
    neighbour[idx] = np.where(is_rep, reps[best[sub]], rep)
    similarity[idx] = np.where(is_rep, best_sim[sub], 1.0)
    del idx, rep, sub, is_rep  # a million rows' worth each: gone before the last grouping
    _, size = groups([root], valid)
    return NearMatches(root, size, neighbour, similarity)


class DuplicatesCheck(TableCheck):
    rules = DUPLICATE_RULES
    stats_key = "duplicates"
    state_version = 2  # 16-bit signatures
    width = 4

    def _near_on(self) -> bool:
        return self.ctx.is_enabled(NEAR_DUPLICATE)

    def update(self, state: TableState, record: Record) -> TableState:
        return self._add(state, record, view_of(record), self._near_on())

    def update_batch(self, state: TableState, batch: Batch) -> TableState:
        near = self._near_on()  # once a batch, not once a record
        for record, view in zip(batch.records, batch_views(batch)):
            state = self._add(state, record, view, near)
        return state

    def _add(self, state: TableState, record: Record, view: RecordView | None, near: bool) -> TableState:
        if view is None:
            return state
        # Several responses to one prompt are the point of preference data, not a conflict.
        conflicts = view.output != 0 and view.task not in MULTI_RESPONSE_TASKS
        values = (view.content, view.norm, view.input if conflicts else 0, view.output if conflicts else 0)
        return self.add(state, record, values, view.text if near else "")

    def fill(self, chunk: Chunk, texts: list[str]) -> None:
        if self._near_on():
            chunk.sigs = signatures(texts, minhash_config(self.ctx.opts(NEAR_DUPLICATE)))

    def row_keys(self, chunks: list[Chunk]) -> dict[str, Keys]:
        """Rows relate by equal content, normalised text or input (a conflict needs an output
        too), or a shared LSH band key; keys are not scoped: rows of other files or splits only
        keep more rows than needed."""
        keys = {
            "content": Keys(*column_keys(chunks, CONTENT)),
            "norm": Keys(*column_keys(chunks, NORM)),
            "input": Keys(*column_keys(chunks, INPUT, lambda v: (v[:, INPUT] != 0) & (v[:, OUTPUT] != 0))),
        }
        if self._near_on():
            keys["band"] = Keys(*lsh_keys(chunks, self.ctx.opts(NEAR_DUPLICATE)))
        return keys

    def _scope(self, rule: Rule) -> str:
        return self.ctx.opts(rule).scope

    def analyse(self, frame: Frame) -> tuple[list[Finding], dict[str, Any]]:
        n = frame.n
        rows = np.arange(n)
        on = self.ctx.is_enabled
        exact_root, exact_size = groups([frame.group(self._scope(EXACT_DUPLICATE)), frame.column(CONTENT)])
        norm_root, norm_size = groups([frame.group(self._scope(NORMALIZED_DUPLICATE)), frame.column(NORM)])
        near_opts = self.ctx.opts(NEAR_DUPLICATE)
        near = near_matches(frame, frame.group(near_opts.scope), near_opts) if self._near_on() and frame.total else None

        r201 = (exact_root != rows) & on(EXACT_DUPLICATE)
        r202 = (norm_root != rows) & ~r201 & on(NORMALIZED_DUPLICATE)
        r203 = (near.root >= 0) & (near.root != rows) & ~r201 & ~r202 if near is not None else np.zeros(n, dtype=bool)

        findings: list[Finding] = []
        for i in np.flatnonzero(r201):
            findings.append(self._copy_finding(EXACT_DUPLICATE, frame, i, exact_root[i], exact_size[i], "exact duplicate of"))
        for i in np.flatnonzero(r202):
            findings.append(self._copy_finding(NORMALIZED_DUPLICATE, frame, i, norm_root[i], norm_size[i], "same text after normalisation as"))
        if near is not None:
            findings.extend(self._near_findings(frame, near, np.flatnonzero(r203), near_opts.threshold))
        if on(CONFLICTING_OUTPUTS):
            findings.extend(self._conflicts(frame))
        return findings, self._figures(frame, exact_root, norm_root, near, norm_size)

    def _copy_finding(self, rule: Rule, frame: Frame, i: int, root: int, size: int, what: str) -> Finding:
        root_loc = frame.location(root)
        cid = where(root_loc)  # a cluster is named by its root, the first record of it
        return rule.at(
            frame.stub(i),
            f"{what} {cid} ({size} records in this cluster)",
            related=[root_loc],
            metrics={"cluster": cid, "cluster_size": int(size), "similarity": 1.0},
        )

    def _near_findings(self, frame: Frame, near: NearMatches, reported: np.ndarray, threshold: float) -> Iterable[Finding]:
        if len(reported) == 0:
            return
        assert frame.sigs is not None
        root_sims = estimate_jaccard(frame.sigs, np.stack((reported, near.root[reported]), axis=1))
        for i, root_sim in zip(reported, root_sims):
            root, nb, sim = near.root[i], near.neighbour[i], float(near.similarity[i])
            root_loc = frame.location(root)
            related = [root_loc] if nb == root else [root_loc, frame.location(nb)]
            cid = where(root_loc)
            yield NEAR_DUPLICATE.at(
                frame.stub(i),
                f"near-duplicate of {where(frame.location(nb))} (estimated Jaccard {sim:.2f}, threshold {threshold:g});"
                f" cluster of {near.size[i]} records from {cid}",
                related=related,
                metrics={
                    "similarity": round(sim, 4),
                    "root_similarity": round(float(root_sim), 4),
                    "threshold": threshold,
                    "cluster": cid,
                    "cluster_size": int(near.size[i]),
                },
            )

    def _conflicts(self, frame: Frame) -> Iterable[Finding]:
        inp, out = frame.column(INPUT), frame.column(OUTPUT)
        group = frame.group(self._scope(CONFLICTING_OUTPUTS))
        valid = (inp != 0) & (out != 0)
        rows = np.arange(frame.n)
        root, size = groups([group, inp], valid)
        variant_root, _ = groups([group, inp, out], valid)
        distinct = np.bincount(root[variant_root == rows], minlength=frame.n)  # outputs per input group
        for i in np.flatnonzero(valid & (root != rows) & (out != out[np.maximum(root, 0)])):
            r = root[i]
            root_loc = frame.location(r)
            k = int(distinct[r])
            yield CONFLICTING_OUTPUTS.at(
                frame.stub(i),
                f"same input as {where(root_loc)} but a different output ({k} distinct outputs among {size[i]} records with this input)",
                related=[root_loc],
                metrics={"outputs": k, "records_with_input": int(size[i])},
            )

    def _figures(self, frame: Frame, exact_root: np.ndarray, norm_root: np.ndarray, near: NearMatches | None, norm_size: np.ndarray) -> dict[str, Any]:
        if frame.total == 0:
            return {}
        rows = np.arange(frame.n)
        exact = exact_root != rows
        normalised = (norm_root != rows) & ~exact
        near_dup = (near.root >= 0) & (near.root != rows) & ~exact & ~normalised if near is not None else None
        split_codes = np.array([frame.splits[f] or UNSPLIT for f in range(len(frame.files))], dtype=object)
        row_split = split_codes[frame.file]
        per_split: dict[str, Any] = {}
        for name in _split_order(set(split_codes.tolist())):
            mask = row_split == name
            records = int(frame.file_records[split_codes == name].sum())  # with rows condensing left out
            counts = {"records": records, "exact_duplicates": int((exact & mask).sum()), "normalized_duplicates": int((normalised & mask).sum())}
            if near_dup is not None:
                counts["near_duplicates"] = int((near_dup & mask).sum())
            removable = sum(v for k, v in counts.items() if k != "records")
            counts["duplicate_rate"] = round(removable / counts["records"], 4)
            per_split[name] = counts
        root, size = (near.root, near.size) if near is not None else (norm_root, norm_size)
        roots = [r for r in np.flatnonzero((root == rows) & (size > 1))]
        roots.sort(key=lambda r: (-int(size[r]), int(r)))
        clusters = []
        for r in roots[:LARGEST_CLUSTERS]:
            loc = frame.location(r)
            clusters.append({"cluster": where(loc), "split": loc.split, "size": int(size[r])})
        figures: dict[str, Any] = {
            "scope": {rule.code: self._scope(rule) for rule in DUPLICATE_RULES},
            "splits": per_split,
            "largest_clusters": clusters,
            "clusters_kind": "near" if near is not None else "normalized",
        }
        if near is not None:
            figures["near_duplicates"] = minhash_settings(self.ctx.opts(NEAR_DUPLICATE))
        return figures


SPLIT_ORDER = {"train": 0, "validation": 1, "test": 2}


def _split_order(names: set[str]) -> list[str]:
    return sorted(names, key=lambda s: (SPLIT_ORDER.get(s, 3), s))


CHECKS = [DuplicatesCheck]
