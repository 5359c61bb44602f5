"""Benchmark: dslint's near-duplicate detection against datasketch's MinHashLSH, in one run.

Both tools get the same input (the normalised text dslint compares: ``RecordView.text`` of each
record), the same shingles (word 5-grams), the same threshold and 128 permutations. Each tool runs
in its own subprocess, so its peak memory (``ru_maxrss``) is its own:

  dslint              signatures (one-permutation MinHash, in the checks' batches), LSH banding
                      (bands x rows derived from the threshold), verification with the estimated
                      Jaccard similarity: the pairs DS203 clusters.
  dslint DS203 check  the whole DuplicatesCheck from records to findings (normalisation included),
                      for scale; it reports clusters, not pairs, so it has no precision/recall.
  datasketch LSH      MinHash.bulk + MinHashLSH (its own banding for the threshold), candidates
                      as returned by ``query``.
  datasketch + verify the same candidates kept when ``MinHash.jaccard`` >= threshold (what dslint does).
  dslint (baseline)   with ``--baseline DIR``: the first row's work done by another dslint checkout
                      (e.g. ``git archive main | tar -x -C DIR``), in the same run, for a before/after.

Memory at scale (``--table-rows``, default 1,000,000): the finalize step of DS203 (``Frame`` of
the check's chunks and ``rep_pairs``: banding, verification) over that many rows of 128-position
signatures, a quarter of them planted near-duplicates of an earlier row. It reports the growth of
peak RSS over the RSS with the chunks built: what finalize adds on top of the signature table
(512 MB at 1M rows), for this checkout and the baseline.

Ground truth. Exact Jaccard over all 1.25e9 pairs is out of reach in a few minutes, so it is pooled:
the exact Jaccard similarity of every planted pair (base-variant and variant-variant) and every
pair either tool reports; a pair is a true near-duplicate when it is >= the threshold. Recall is
relative to that pool (pairs no tool found and nobody planted are unknown). To check the pooling,
the tools also run on a sample of the corpus (whole planted groups plus random records) where
the exact Jaccard of *all* pairs is computed with a sparse matrix product.

    python bench/bench_neardup.py [--records 50000] [--groups 2000] [--threshold 0.8] [--sample 4000] [--repeat 2]
                                  [--baseline DIR] [--table-rows 1000000]

Prints tables; asserts nothing. datasketch is a benchmark-only dependency (pip install datasketch).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from neardup_corpus import SHINGLE, SIZE, planted_path, write_neardup_corpus  # noqa: E402

from dslint.checks._shared.tables import FLUSH_CHARS, FLUSH_ROWS  # noqa: E402
from dslint.minhash import MinHashConfig, lsh_params, near_duplicate_pairs, reference_shingles, signatures  # noqa: E402

NUM_PERM = 128


# --- workers (run in subprocesses) ---------------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 1e6


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # KiB on Linux


def load_texts(path: Path) -> list[str]:
    from neardup_corpus import record_text

    with path.open(encoding="utf-8") as fh:
        return [record_text(json.loads(line)) for line in fh]


def batches(texts: list[str]) -> list[list[str]]:
    """Texts in the batches the checks flush: FLUSH_ROWS rows or FLUSH_CHARS characters."""
    out: list[list[str]] = [[]]
    chars = 0
    for t in texts:
        if len(out[-1]) >= FLUSH_ROWS or chars >= FLUSH_CHARS:
            out.append([])
            chars = 0
        out[-1].append(t)
        chars += len(t)
    return out


def dslint_pairs(texts: list[str], threshold: float) -> np.ndarray:
    cfg = MinHashConfig(shingle=SHINGLE, size=SIZE, num_perm=NUM_PERM)
    keep = np.array([bool(t) for t in texts])
    sig = np.concatenate([signatures(batch, cfg) for batch in batches(texts)])
    idx = np.flatnonzero(keep)
    bands, rows = lsh_params(threshold, NUM_PERM)
    pairs, _ = near_duplicate_pairs(sig[idx], threshold, bands, rows)
    return idx[pairs]


def clock() -> np.ndarray:
    """Wall and CPU seconds: CPU time is the fairer figure on a shared machine (every tool
    here runs on one core)."""
    return np.array([time.perf_counter(), time.process_time()])


def datasketch_pairs(texts: list[str], threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidates, verified pairs, and the wall and CPU seconds verification took."""
    from datasketch import MinHash, MinHashLSH

    idx = [i for i, t in enumerate(texts) if t]
    sets = [[s.encode("utf-8") for s in reference_shingles(texts[i], SHINGLE, SIZE)] for i in idx]
    hashes = MinHash.bulk(sets, num_perm=NUM_PERM)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for k, m in enumerate(hashes):
            session.insert(k, m)
    found = set()
    for k, m in enumerate(hashes):
        for other in lsh.query(m):
            if other != k:
                found.add((min(k, other), max(k, other)))
    candidates = sorted(found)
    start = clock()
    verified = [(a, b) for a, b in candidates if hashes[a].jaccard(hashes[b]) >= threshold]
    verify_seconds = clock() - start
    ids = np.array(idx)

    def as_rows(pairs: list[tuple[int, int]]) -> np.ndarray:
        return ids[np.array(pairs, dtype=np.int64).reshape(-1, 2)] if pairs else np.empty((0, 2), dtype=np.int64)

    return as_rows(candidates), as_rows(verified), verify_seconds


def run_check(path: Path) -> int:
    from dslint.check import CheckContext
    from dslint.checks.duplicates.check import DuplicatesCheck
    from dslint.formats import make_format
    from dslint.readers import discover, read_source
    from dslint.record import Record

    check = DuplicatesCheck(CheckContext(enabled=frozenset({"DS203"})))
    fmt = make_format("openai-chat")
    state = check.init()
    for item in (r for src in discover([str(path)]) for r in read_source(src)):
        if isinstance(item, Record):
            item.split, item.format = "train", fmt
            state = check.update(state, item)
    return len(list(check.finalize(state)))


def finalize_table(rows: int, seed: int = 3) -> tuple[float, float, int]:
    """CPU seconds and peak-RSS growth (MB) of DS203's finalize over ``rows`` rows of signatures,
    and the number of verified pairs. Runs on this checkout's or the baseline's dslint alike."""
    from dslint.checks._shared.neardup import MinHashOptions, rep_pairs
    from dslint.checks._shared.tables import Chunk, Frame

    rng = np.random.default_rng(seed)
    chunks = []
    for lo in range(0, rows, FLUSH_ROWS):
        n = min(FLUSH_ROWS, rows - lo)
        sigs = rng.integers(0, 2**32 - 1, size=(n, NUM_PERM), dtype=np.uint32)
        near = np.flatnonzero(rng.random(n) < 0.25)
        near = near[near > 0]
        sigs[near] = sigs[near - 1]  # a near-duplicate of the row before: 10 positions differ
        sigs[near[:, None], rng.integers(0, NUM_PERM, size=(len(near), 10))] = rng.integers(0, 2**31, size=(len(near), 10), dtype=np.uint32)
        values = rng.integers(1, 2**63, size=(n, 4), dtype=np.uint64)
        chunks.append(Chunk(files=("train.jsonl",), splits=("train",), file=np.zeros(n, dtype=np.int32),
                            index=np.arange(lo, lo + n, dtype=np.int64), line=np.arange(lo, lo + n, dtype=np.int64),
                            values=values, sigs=sigs))
    rng.shuffle(chunks)  # merged shards come in any order; Frame sorts them
    before = rss_mb()
    start = time.process_time()
    frame = Frame(chunks, 4)
    found = rep_pairs(frame, frame.group("split"), MinHashOptions(), np.equal)
    return time.process_time() - start, peak_mb() - before, len(found.pairs)


def worker(tool: str, path: Path, out: Path, threshold: float, repeat: int) -> None:
    """Run one tool ``repeat`` times; report the fastest wall and CPU times (the machine may be shared)."""
    result: dict[str, float | int] = {}
    if tool == "finalize":
        # the THRESHOLD slot carries the row count
        result["seconds"], result["delta_mb"], result["pairs"] = finalize_table(int(threshold))
        print(json.dumps(result))
        return
    texts: list[str] = []
    if tool != "dslint-check":
        start = time.perf_counter()
        texts = load_texts(path)
        result["prep_seconds"] = time.perf_counter() - start
    before = rss_mb()
    times, verify_times = [], []
    for _ in range(repeat):
        start = clock()
        if tool == "dslint-check":
            result["findings"] = run_check(path)
        elif tool in ("dslint", "baseline"):
            np.save(out, dslint_pairs(texts, threshold))
        else:
            candidates, verified, verify_seconds = datasketch_pairs(texts, threshold)
            np.save(out, candidates)
            np.save(out.with_suffix(".verified.npy"), verified)
            verify_times.append(verify_seconds)
        times.append(clock() - start - (verify_times[-1] if verify_times else 0.0))
    result["seconds"], result["cpu_seconds"] = (min(t[k] for t in times) for k in (0, 1))
    if verify_times:
        result["verify_seconds"], result["verify_cpu_seconds"] = (min(t[k] for t in verify_times) for k in (0, 1))
    result["peak_mb"] = peak_mb()
    result["delta_mb"] = peak_mb() - before
    print(json.dumps(result))


# --- ground truth and scoring ---------------------------------------------------------------------


def as_set(pairs: np.ndarray) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in np.sort(pairs, axis=1)} if len(pairs) else set()


class Truth:
    """Exact Jaccard similarity of pairs, from cached shingle sets."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.sets: dict[int, set[str]] = {}

    def jaccard(self, a: int, b: int) -> float:
        sa = self.sets.setdefault(a, reference_shingles(self.texts[a], SHINGLE, SIZE))
        sb = self.sets.setdefault(b, reference_shingles(self.texts[b], SHINGLE, SIZE))
        return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def planted_pairs(path: Path) -> set[tuple[int, int]]:
    meta = json.loads(planted_path(path).read_text(encoding="utf-8"))
    out = set()
    for g in meta["groups"]:
        m = sorted(g["members"])
        out |= {(a, b) for i, a in enumerate(m) for b in m[i + 1 :]}
    return out


def score(found: set[tuple[int, int]], positives: set[tuple[int, int]]) -> tuple[float, float]:
    tp = len(found & positives)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(positives) if positives else 1.0
    return precision, recall


def exhaustive_positives(texts: list[str], threshold: float) -> set[tuple[int, int]]:
    """All pairs with exact Jaccard >= threshold, by a sparse incidence-matrix product."""
    from scipy.sparse import csr_matrix

    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, t in enumerate(texts):
        for s in reference_shingles(t, SHINGLE, SIZE):
            rows.append(i)
            cols.append(vocab.setdefault(s, len(vocab)))
    x = csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(texts), len(vocab)))
    sizes = np.asarray(x.sum(axis=1)).ravel()
    inter = (x @ x.T).tocoo()
    upper = inter.row < inter.col
    a, b, n = inter.row[upper], inter.col[upper], inter.data[upper]
    jac = n / (sizes[a] + sizes[b] - n)
    keep = jac >= threshold
    return {(int(i), int(j)) for i, j in zip(a[keep], b[keep])}


# --- driver ---------------------------------------------------------------------------------------


def spawn(tool: str, path: Path, out: Path, threshold: float, repeat: int, checkout: Path | None = None) -> dict:
    """Run a worker; with ``checkout``, on that checkout's dslint instead of this one."""
    cmd = [sys.executable, __file__, "--worker", tool, str(path), str(out), str(threshold), str(repeat)]
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(checkout.resolve()), env.get("PYTHONPATH")]))
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def sample_run(texts: list[str], path: Path, size: int, threshold: float, seed: int) -> None:
    meta = json.loads(planted_path(path).read_text(encoding="utf-8"))
    chosen: list[int] = []
    for g in meta["groups"]:
        if len(chosen) + len(g["members"]) > size // 4:
            break
        chosen += g["members"]
    rng = np.random.default_rng(seed)
    rest = np.setdiff1d(np.arange(len(texts)), chosen)
    chosen += rng.choice(rest, size=size - len(chosen), replace=False).tolist()
    chosen.sort()
    sub = [texts[i] for i in chosen]
    truth = exhaustive_positives(sub, threshold)
    ours = as_set(dslint_pairs(sub, threshold))
    cand, verified, _ = datasketch_pairs(sub, threshold)
    print(f"\nexhaustive ground truth on a sample of {len(sub):,} records "
          f"({len(sub) * (len(sub) - 1) // 2:,} pairs, {len(truth)} with exact Jaccard >= {threshold}):")
    print(f"{'tool':<22}{'pairs':>8}{'precision':>11}{'recall':>9}")
    for name, found in (("dslint", ours), ("datasketch LSH", as_set(cand)), ("datasketch + verify", as_set(verified))):
        p, r = score(found, truth)
        print(f"{name:<22}{len(found):>8}{p:>11.3f}{r:>9.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--groups", type=int, default=2_000)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--sample", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=2, help="runs per tool; the fastest counts")
    parser.add_argument("--baseline", type=Path, help="another dslint checkout to compare with, in the same run")
    parser.add_argument("--table-rows", type=int, default=1_000_000, help="rows of the finalize memory run (0: skip)")
    parser.add_argument("--worker", nargs=5, metavar=("TOOL", "CORPUS", "OUT", "THRESHOLD", "REPEAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        tool, corpus, out, threshold, repeat = args.worker
        worker(tool, Path(corpus), Path(out), float(threshold), int(repeat))
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "neardup.jsonl"
        start = time.perf_counter()
        write_neardup_corpus(path, args.records, args.groups, args.seed)
        n_planted = len(planted_pairs(path))
        print(f"corpus: {args.records:,} chat records, {args.groups:,} planted groups ({n_planted:,} planted pairs, "
              f"Jaccard 0.5-0.95), generated in {time.perf_counter() - start:.1f}s")
        bands, rows = lsh_params(args.threshold, NUM_PERM)
        print(f"shingles: {SHINGLE} {SIZE}-grams of the normalised text; threshold {args.threshold}; {NUM_PERM} permutations;"
              f" dslint banding {bands}x{rows}")

        runs = {
            tool: spawn(tool, path, Path(tmp) / f"{tool}.npy", args.threshold, args.repeat)
            for tool in ("dslint", "datasketch", "dslint-check")
        }
        if args.baseline:
            runs["baseline"] = spawn("baseline", path, Path(tmp) / "baseline.npy", args.threshold, args.repeat, args.baseline)
        texts = load_texts(path)
        found = {
            "dslint": as_set(np.load(Path(tmp) / "dslint.npy")),
            **({"dslint (baseline)": as_set(np.load(Path(tmp) / "baseline.npy"))} if args.baseline else {}),
            "datasketch LSH": as_set(np.load(Path(tmp) / "datasketch.npy")),
            "datasketch + verify": as_set(np.load(Path(tmp) / "datasketch.verified.npy")),
        }
        truth = Truth(texts)
        pool = set().union(planted_pairs(path), *found.values())
        positives = {p for p in pool if truth.jaccard(*p) >= args.threshold}
        print(f"pooled ground truth: {len(pool):,} pairs with exact Jaccard computed, {len(positives):,} >= {args.threshold}")
        print(f"normalisation (shared, not in the times below): {runs['dslint']['prep_seconds']:.1f}s\n")

        ds = runs["datasketch"]
        ds_wall, ds_cpu = ds["seconds"], ds["cpu_seconds"]
        rows_out = [
            ("dslint", runs["dslint"], found["dslint"], 0.0, 0.0),
            *([("dslint (baseline)", runs["baseline"], found["dslint (baseline)"], 0.0, 0.0)] if args.baseline else []),
            ("datasketch LSH", ds, found["datasketch LSH"], 0.0, 0.0),
            ("datasketch + verify", ds, found["datasketch + verify"], ds["verify_seconds"], ds["verify_cpu_seconds"]),
        ]
        print(f"{'tool':<22}{'wall s':>8}{'speed-up':>9}{'CPU s':>8}{'speed-up':>9}{'peak MB':>9}{'pairs':>7}{'precision':>11}{'recall':>8}")
        for name, run, pairs, extra_wall, extra_cpu in rows_out:
            wall, cpu = run["seconds"] + extra_wall, run["cpu_seconds"] + extra_cpu
            p, r = score(pairs, positives)
            print(f"{name:<22}{wall:>8.2f}{ds_wall / wall:>8.1f}x{cpu:>8.2f}{ds_cpu / cpu:>8.1f}x{run['delta_mb']:>9.0f}"
                  f"{len(pairs):>7}{p:>11.3f}{r:>8.3f}")
        check = runs["dslint-check"]
        print(f"{'dslint DS203 check':<22}{check['seconds']:>8.2f}{'':>9}{check['cpu_seconds']:>8.2f}{'':>9}{check['delta_mb']:>9.0f}"
              f"   (records -> {check['findings']} findings, normalisation included)")
        print(f"seconds: fastest of {args.repeat} runs; speed-up: datasketch LSH's time over the tool's; "
              "peak MB: growth of the worker's peak RSS over its RSS before detection")

        if args.table_rows:
            print(f"\nDS203 finalize over {args.table_rows:,} rows of {NUM_PERM}-position signatures "
                  f"(table: {args.table_rows * NUM_PERM * 4 / 1e6:,.0f} MB):")
            print(f"{'dslint':<22}{'CPU s':>9}{'+peak MB':>10}{'pairs':>9}")
            checkouts = [("dslint", None), *([("dslint (baseline)", args.baseline)] if args.baseline else [])]
            for name, checkout in checkouts:
                r = spawn("finalize", path, Path(tmp) / "unused", args.table_rows, 1, checkout)
                print(f"{name:<22}{r['seconds']:>9.2f}{r['delta_mb']:>10.0f}{r['pairs']:>9}")

        print("\nrecall by exact Jaccard of the true pairs:")
        edges = [args.threshold, 0.85, 0.9, 0.95, 1.0001]
        print(f"{'Jaccard':<14}{'pairs':>7}" + "".join(f"{name:>22}" for name in found))
        for lo, hi in zip(edges, edges[1:]):
            bucket = {p for p in positives if lo <= truth.jaccard(*p) < hi}
            cells = "".join(f"{len(bucket & f) / len(bucket) if bucket else float('nan'):>22.3f}" for f in found.values())
            print(f"[{lo:.2f}, {min(hi, 1):.2f}){'':<2}{len(bucket):>7}{cells}")

        if args.sample:
            sample_run(texts, path, args.sample, args.threshold, args.seed)


if __name__ == "__main__":
    main()
