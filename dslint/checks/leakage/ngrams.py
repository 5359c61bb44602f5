"""N-gram contamination (DS304): word n-grams of evaluation items looked up in training text.

What the state keeps, per chunk of records (see ``ngram_extras``):
  ``hay``     training n-grams: 64-bit hash and the chunk row it first appears in, deduplicated
              (so sorted by hash);
  ``needle``  evaluation n-grams: hash, row and word position (positions give the matched span),
              sorted by hash;
  ``needle_text`` the normalised text of each evaluation record, to quote the matched span;
  ``bench``   matches of training records against the benchmark files named in ``against``.
The training side is the big one, so at finalize each chunk's ``hay`` is first filtered down to the
hashes evaluation items have before anything is concatenated. Benchmarks are known before the
data is read, so training records are matched against them as they are flushed and only the
matches stay in the state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from dslint.arrays import sorted_unique
from dslint.checks._shared.tables import Frame, view_of
from dslint.finding import Location
from dslint.minhash import shingle_hashes, sort_order
from dslint.record import Record
from dslint.yamlpos import ConfigError

NGRAM_SEED = 13


@dataclass
class BenchmarkIndex:
    """The n-grams of benchmark files: sorted unique hashes and the first item having each."""

    files: list[str] = field(default_factory=list)
    items: list[list[tuple[int | None, int]]] = field(default_factory=list)  # per file: (line, index)
    hashes: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    owner_file: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    owner_item: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def location(self, file: int, item: int) -> Location:
        line, index = self.items[file][item]
        return Location(file=self.files[file], line=line, record=index)


def load_benchmarks(paths: Sequence[str], n: int) -> BenchmarkIndex:
    """Read the benchmark files (any format dslint reads; a folder or glob means the data files
    it names) and index their n-grams."""
    from dslint.formats import DETECT_SAMPLE, detect_format
    from dslint.readers import InputError, discover, read_source

    index = BenchmarkIndex()
    all_hashes, all_files, all_items = [], [], []
    for path in paths:
        try:
            sources = discover([path])  # a file, a folder or a glob
        except InputError as exc:
            problem = "not found" if str(exc).startswith("no such file") else str(exc)
            raise ConfigError(f"benchmark file {path}: {problem} (rules: DS304: against)") from None
        for src in sources:
            records = [item for item in read_source(src) if isinstance(item, Record)]
            fmt = detect_format([r.data for r in records[:DETECT_SAMPLE]])
            texts = []
            for r in records:
                r.format = fmt
                view = view_of(r)
                texts.append(view.text if view is not None else "")
            sh = shingle_hashes(texts, "word", n, NGRAM_SEED, short=False)
            all_hashes.append(sh.hashes)
            all_items.append(sh.docs)
            all_files.append(np.full(len(sh.hashes), len(index.files), dtype=np.int64))
            index.files.append(src.display)
            index.items.append([(r.line, r.index) for r in records])
    if all_hashes:
        hashes, files, items = np.concatenate(all_hashes), np.concatenate(all_files), np.concatenate(all_items)
        order = np.lexsort((items, files, hashes))
        hashes, files, items = hashes[order], files[order], items[order]
        first = np.ones(len(hashes), dtype=bool)
        first[1:] = hashes[1:] != hashes[:-1]
        index.hashes, index.owner_file, index.owner_item = hashes[first], files[first], items[first]
    return index


def longest_run(positions: np.ndarray) -> tuple[int, int]:
    """(start, length) of the longest run of consecutive positions; the first one on ties."""
    pos = sorted_unique(positions)
    breaks = np.flatnonzero(np.diff(pos) != 1) + 1
    starts = np.concatenate(([0], breaks))
    lengths = np.diff(np.concatenate((starts, [len(pos)])))
    best = int(np.argmax(lengths))
    return int(pos[starts[best]]), int(lengths[best])


def first_rows(hashes: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct hashes, sorted, and the smallest row each appears in. A sort of the hashes
    (``sort_order``: a quarter of the time of an argsort) and a minimum per run of equal hashes,
    which is the run's first row when rows come in ascending order (a chunk's n-grams do)."""
    order, hs = sort_order(hashes)
    first = np.ones(len(hs), dtype=bool)
    first[1:] = hs[1:] != hs[:-1]
    starts = np.flatnonzero(first)
    if len(starts) == 0:
        return hs, rows[:0]
    if bool(np.all(rows[1:] >= rows[:-1])):  # sort_order keeps equal hashes in input order
        return hs[starts], rows[order[starts]]
    return hs[starts], np.minimum.reduceat(rows[order], starts)


def span_text(text: str, start: int, run: int, n: int) -> str:
    """The words covered by ``run`` consecutive n-grams starting at word ``start``."""
    return " ".join(text.split(" ")[start : start + run + n - 1])


def ngram_extras(
    texts: Sequence[str], is_train: np.ndarray, n: int, bench: BenchmarkIndex | None
) -> dict[str, dict[str, np.ndarray]]:
    """The n-gram arrays of one chunk (rows = positions in ``texts``)."""
    sh = shingle_hashes(texts, "word", n, NGRAM_SEED, short=False)
    train = is_train[sh.docs]
    extras: dict[str, dict[str, np.ndarray]] = {}
    h, rows = sh.hashes[train], sh.docs[train]
    hay_hash, hay_row = first_rows(h, rows)
    extras["hay"] = {"hash": hay_hash, "row": hay_row.astype(np.int32)}
    ev = ~train
    # Sorted by hash here, where chunks are flushed in parallel, so finalize never sorts them:
    # a row's occurrences of one n-gram are then adjacent (sort_order keeps rows in order).
    order, needle_hash = sort_order(sh.hashes[ev])
    extras["needle"] = {
        "hash": needle_hash,
        "row": sh.docs[ev][order].astype(np.int32),
        "pos": sh.positions[ev][order].astype(np.int32),
    }
    eval_rows = sorted_unique(sh.docs[ev])
    extras["needle_text"] = {"row": eval_rows, "text": np.array([texts[r] for r in eval_rows] + [None], dtype=object)[:-1]}
    if bench is not None and len(bench.hashes):
        extras["bench"] = _bench_matches(texts, sh.hashes[train], rows, sh.positions[train], n, bench)
    return extras


def _bench_matches(
    texts: Sequence[str], hashes: np.ndarray, rows: np.ndarray, positions: np.ndarray, n: int, bench: BenchmarkIndex
) -> dict[str, np.ndarray]:
    hit, at = member(hashes, bench.hashes)
    at, rows, positions, hashes = at[hit], rows[hit], positions[hit], hashes[hit]
    out: dict[str, list] = {"row": [], "bench": [], "item": [], "matched": [], "items": [], "snippet": []}
    files = bench.owner_file[at]
    for row, file in sorted(set(zip(rows.tolist(), files.tolist()))):
        mask = (rows == row) & (files == file)
        start, run = longest_run(positions[mask])
        out["row"].append(row)
        out["bench"].append(file)
        out["item"].append(int(bench.owner_item[at[mask]].min()))
        out["matched"].append(len(sorted_unique(hashes[mask])))
        out["items"].append(len(sorted_unique(bench.owner_item[at[mask]])))
        out["snippet"].append(span_text(texts[row], start, run, n))
    arrays = {k: np.array(v, dtype=np.int64) for k, v in out.items() if k != "snippet"}
    arrays["snippet"] = np.array(out["snippet"] + [None], dtype=object)[:-1]
    return arrays


@dataclass(frozen=True)
class EvalMatch:
    """An evaluation record's overlap with training text."""

    train_row: int  # the training record holding its first shared n-gram
    matched: int  # distinct n-grams shared
    total: int  # distinct n-grams of the record
    snippet: str  # the longest shared span, normalised words


def eval_contamination(frame: Frame, n: int, min_matches: int) -> dict[int, EvalMatch]:
    """Evaluation rows sharing at least ``min_matches`` n-grams with training rows."""
    # The hashes alone first: the rest of the needles is read only when some training n-gram
    # matches (the concatenation is this function's own, sorted in place).
    wanted = frame.extra("needle", names=("hash",)).get("hash")
    if wanted is None or len(wanted) == 0:
        return {}
    in_wanted = MembershipFilter(sorted_unique(wanted, overwrite=True))
    hay = frame.extra("hay", keep=lambda a: in_wanted(a["hash"]))
    if not hay or len(hay["hash"]) == 0:
        return {}
    hay_hash, hay_row = first_rows(hay["hash"], hay["row"])  # each hash with its smallest training row

    # Each chunk's needles are sorted by hash, rows ascending within a hash (``ngram_extras``):
    # a row's occurrences of an n-gram are adjacent, so the first of each counts it once.
    needle = frame.extra("needle")
    rows, hashes = needle["row"], needle["hash"]
    found, at = member(hashes, hay_hash)
    distinct = np.ones(len(rows), dtype=bool)
    distinct[1:] = (rows[1:] != rows[:-1]) | (hashes[1:] != hashes[:-1])
    total = np.bincount(rows[distinct], minlength=frame.n)
    matched = np.bincount(rows[distinct & found], minlength=frame.n)
    # The found occurrences of the rows reported, grouped by row: one slice each.
    hits = np.flatnonzero(found)
    hits = hits[matched[rows[hits]] >= min_matches]
    hits = hits[np.argsort(rows[hits], kind="stable")]
    hit_rows = rows[hits]
    texts = frame.extra("needle_text")
    text_of = dict(zip(texts["row"].tolist(), texts["text"].tolist()))
    out: dict[int, EvalMatch] = {}
    for row in np.flatnonzero(matched >= min_matches).tolist():
        lo, hi = np.searchsorted(hit_rows, [row, row + 1])
        start, run = longest_run(needle["pos"][hits[lo:hi]])
        owner = int(hay_row[at[hits[lo:hi]]].min())
        out[row] = EvalMatch(owner, int(matched[row]), int(total[row]), span_text(text_of[row], start, run, n))
    return out


class MembershipFilter:
    """``member(values, table)[0]`` for many arrays of values against one table (sorted, unique):
    a bitset of the table's top bits rejects most values with one lookup each (re-runs with the
    cache and large evaluation splits spend most of their finalize time here, on the training
    n-grams), and the rest are looked up in their bucket of the table by fewer top bits, about one
    entry, instead of by binary search (whose ~20 scattered reads per value cost more than the
    bitset). Both are indexed by top bits so that sorted values (a chunk's training n-grams are)
    sweep them front to back: a quarter of the time of lookups at random places in the bitset.
    The bitset has 32 to 64 bits per table entry, so some 1.5-3% of the values not in the table
    pass it (with half as many bits, twice as many do, and their lookups cost more than the larger
    bitset saves)."""

    MAX_BITS = 28  # a 32 MB bitset at most
    MAX_BUCKET_BITS = 23  # a 32 MB bucket index at most

    def __init__(self, table: np.ndarray) -> None:
        self.table = table
        bits = min(self.MAX_BITS, max(16, int(len(table)).bit_length() + 5))
        self.bit_shift = np.uint64(64 - bits)
        # One scratch array of the table's size, shifted in place: fresh memory is what a
        # finalize after a big scan pays most for.
        top = table >> self.bit_shift
        bit = top.astype(np.uint8)  # wraps: the low 8 bits
        bit &= np.uint8(7)
        np.left_shift(np.uint8(1), bit, out=bit)
        top >>= _THREE
        self.bitset = np.zeros(1 << (bits - 3), dtype=np.uint8)
        np.bitwise_or.at(self.bitset, top.view(np.intp), bit)
        buckets = min(self.MAX_BUCKET_BITS, max(1, int(len(table)).bit_length()))
        self.shift = np.uint64(64 - buckets)
        np.right_shift(table, self.shift, out=top)
        top += np.uint64(1)
        # Bucket b holds table[starts[b]:starts[b + 1]]: the entries whose top bits are b. Each
        # entry is counted one bucket up, so the counts' running sum, taken in place, is starts.
        self.starts = np.bincount(top.view(np.intp), minlength=(1 << buckets) + 1)
        np.cumsum(self.starts, out=self.starts)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        top = values >> self.bit_shift
        bit = top.astype(np.uint8)  # wraps: the low 8 bits
        bit &= np.uint8(7)
        top >>= _THREE
        hit = self.bitset[top.view(np.intp)]
        hit >>= bit
        hit &= np.uint8(1)
        candidates = np.flatnonzero(hit.view(bool))  # a bool view: nonzero's fast path
        found = np.zeros(len(values), dtype=bool)
        if len(candidates):
            found[candidates] = self._in_buckets(values[candidates])
        return found

    def _in_buckets(self, values: np.ndarray) -> np.ndarray:
        """Which values are in the table: each bucket is sorted, so a value is compared with
        its bucket's entries in turn while they are smaller (one or two rounds for almost all)."""
        bucket = (values >> self.shift).view(np.intp)
        at, end = self.starts[bucket], self.starts[bucket + 1]
        found = np.zeros(len(values), dtype=bool)
        todo = np.flatnonzero(at < end)
        while len(todo):
            entry, value = self.table[at[todo]], values[todo]
            found[todo[entry == value]] = True
            todo = todo[entry < value]
            at[todo] += 1
            todo = todo[at[todo] < end[todo]]
        return found


_THREE = np.uint64(3)


def member(values: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which ``values`` are in ``table`` (sorted, unique), and where (searchsorted: no hashing,
    no copies of the big array)."""
    if len(table) == 0:
        return np.zeros(len(values), dtype=bool), np.zeros(len(values), dtype=np.int64)
    at = np.minimum(np.searchsorted(table, values), len(table) - 1)
    return table[at] == values, at
