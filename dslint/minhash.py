"""Near-duplicate machinery shared by the duplicates and leakage checks: shingling, MinHash
signatures, LSH banding, verification and clustering, vectorised with numpy over batches of texts.

Texts are normalised first (``dslint.normalize``: words separated by single spaces). Shingles are
word n-grams or character n-grams of that text; a text shorter than one shingle is one shingle.

Shingle hashes: a polynomial hash of the shingle's code points (mod 2**64, computed for a whole
batch at once from prefix sums, so no Python loop touches a shingle), finished with the murmur3
mixer and a fixed seed. A hash depends only on the shingle's characters: equal shingles get equal
64-bit hashes in any document, batch, process or machine.

Signatures: one-permutation MinHash with optimal densification (Li, Owen and Zhang 2012;
Shrivastava 2017). Each shingle hash picks one of ``num_perm`` bins with its high bits and
competes there with its low bits; bins left empty borrow the value of a non-empty bin chosen by a
fixed probe sequence that is the same for every document. As with classic MinHash (one min per
hash function), two signatures agree in each position with probability equal to the Jaccard
similarity of the shingle sets, so LSH banding and the estimate ``mean(sig_a == sig_b)`` work
unchanged; but the cost per document is O(shingles + num_perm) instead of O(shingles x num_perm),
which is what makes dslint fast (bench/bench_neardup.py).

Candidates come from LSH banding (``bands`` x ``rows`` positions); every candidate is verified
with the Jaccard similarity estimated from the full signatures before it counts. Clusters join
verified pairs (union-find semantics) and are rooted at their smallest member.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

Shingle = Literal["word", "char"]

EMPTY = np.uint32(0xFFFFFFFF)  # the value of a bin no shingle fell into
_U64 = np.uint64
_MASK32 = _U64(0xFFFFFFFF)
_BASE = 0x100000001B3 | 1  # odd, so it has an inverse modulo 2**64
_BASE_INV = pow(_BASE, -1, 1 << 64)
_M1, _M2 = _U64(0xFF51AFD7ED558CCD), _U64(0xC4CEB9FE1A85EC53)
_GOLDEN = 0x9E3779B97F4A7C15
_PAIR_WINDOW = 32  # in a big LSH bucket, each member is paired with its next 32 members only
_VERIFY_CHUNK = 1 << 16


@dataclass(frozen=True)
class MinHashConfig:
    """How texts become signatures; equal configs give equal signatures on every machine."""

    shingle: Shingle = "word"
    size: int = 5
    num_perm: int = 128
    seed: int = 1


def reference_shingles(text: str, shingle: Shingle, size: int) -> set[str]:
    """The shingles of a normalised text as strings: the definition the hashes implement, used
    by tests and by the benchmark's exact Jaccard."""
    if not text:
        return set()
    if shingle == "char":
        if len(text) <= size:
            return {text}
        return {text[i : i + size] for i in range(len(text) - size + 1)}
    words = text.split(" ")
    if len(words) <= size:
        return {text}
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def _fmix(h: np.ndarray) -> np.ndarray:
    """The murmur3 64-bit finaliser: a bijection that spreads every input bit over the output."""
    h = h ^ (h >> _U64(33))
    h = h * _M1
    h = h ^ (h >> _U64(33))
    h = h * _M2
    return h ^ (h >> _U64(33))


def _seed_word(seed: int, salt: int) -> np.uint64:
    return _fmix(np.array([(seed * _GOLDEN + salt) & 0xFFFFFFFFFFFFFFFF], dtype=_U64))[0]


class _Powers:
    """BASE**i and BASE**-i modulo 2**64 for i < n. Tables up to ``CACHED`` entries are kept
    (grown on demand); a batch longer than that gets its own, freed after use."""

    CACHED = 1 << 21

    def __init__(self) -> None:
        self.up = np.ones(1, dtype=_U64)
        self.down = np.ones(1, dtype=_U64)

    @staticmethod
    def _table(base: int, n: int) -> np.ndarray:
        return np.concatenate(([_U64(1)], np.cumprod(np.full(n - 1, base, dtype=_U64))))

    def get(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n > self.CACHED:
            return self._table(_BASE, n), self._table(_BASE_INV, n)
        if n > len(self.up):
            size = min(max(n, 2 * len(self.up)), self.CACHED)
            self.up, self.down = self._table(_BASE, size), self._table(_BASE_INV, size)
        return self.up[:n], self.down[:n]


_POWERS = _Powers()


class Shingles(NamedTuple):
    """The shingle hashes of a batch of texts: one entry per shingle occurrence, grouped by text
    (the single shingle of each short text comes last)."""

    hashes: np.ndarray  # uint64
    docs: np.ndarray  # int64: which text of the batch
    positions: np.ndarray  # int64: the shingle's first word (or character) within its text


def shingle_hashes(texts: Sequence[str], shingle: Shingle, size: int, seed: int, *, short: bool = True) -> Shingles:
    """Hash every shingle of every text. ``short``: a non-empty text with fewer words (characters)
    than ``size`` is one shingle; otherwise it has none."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    if int(lengths.sum()) == 0:
        empty = np.empty(0, dtype=np.int64)
        return Shingles(np.empty(0, dtype=_U64), empty, empty)
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    doc_start = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    if shingle == "char":
        start = np.arange(len(codes), dtype=np.int64)
        units = _Units(start, start + 1, np.repeat(np.arange(len(texts)), lengths), lengths, doc_start)
    else:
        units = _words(codes, doc_start, lengths)
    s, e, docs, positions = units.spans(size, short)
    return Shingles(_fmix(_span_hashes(codes, s, e) ^ _seed_word(seed, 0)), docs, positions)


class _Units:
    """The words (or characters) of a batch: where each starts and ends, and its text."""

    def __init__(self, start: np.ndarray, end: np.ndarray, doc: np.ndarray, count: np.ndarray, first: np.ndarray) -> None:
        self.start, self.end, self.doc = start, end, doc
        self.count = count  # units per text
        self.first = first  # index of each text's first unit

    def spans(self, size: int, short: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(start, end, text, position) of every run of ``size`` units within one text."""
        last = np.arange(len(self.start)) + size - 1
        ok = last < len(self.start)
        ok[ok] = self.doc[last[ok]] == self.doc[ok]
        idx = np.flatnonzero(ok)
        s, e, docs = self.start[idx], self.end[last[idx]], self.doc[idx]
        positions = idx - self.first[docs]
        if short:
            few = np.flatnonzero((self.count > 0) & (self.count < size))
            s = np.concatenate((s, self.start[self.first[few]]))
            e = np.concatenate((e, self.end[self.first[few] + self.count[few] - 1]))
            docs = np.concatenate((docs, few))
            positions = np.concatenate((positions, np.zeros(len(few), dtype=np.int64)))
        return s, e, docs, positions


def _words(codes: np.ndarray, doc_start: np.ndarray, lengths: np.ndarray) -> _Units:
    """Words are runs of non-space characters; texts are concatenated, so their ends split too."""
    space = codes == 32
    boundary_before = np.ones(len(codes), dtype=bool)
    boundary_before[1:] = space[:-1]
    boundary_after = np.ones(len(codes), dtype=bool)
    boundary_after[:-1] = space[1:]
    nonempty = lengths > 0
    boundary_before[doc_start[nonempty]] = True
    boundary_after[doc_start[nonempty] + lengths[nonempty] - 1] = True
    start = np.flatnonzero(~space & boundary_before)
    end = np.flatnonzero(~space & boundary_after) + 1
    doc = np.searchsorted(doc_start + lengths, start, side="right")
    count = np.bincount(doc, minlength=len(lengths))
    return _Units(start, end, doc, count, np.concatenate(([0], np.cumsum(count)[:-1])))


def _span_hashes(codes: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Polynomial hashes of ``codes[s:e]`` for every span at once: prefix sums of the code
    points weighted by BASE**-i, each span's difference scaled back by BASE**s."""
    up, down = _POWERS.get(len(codes) + 1)
    weighted = codes.astype(_U64)
    weighted += _U64(1)
    weighted *= down[: len(codes)]
    prefix = np.zeros(len(codes) + 1, dtype=_U64)
    np.cumsum(weighted, out=prefix[1:])
    return (prefix[e] - prefix[s]) * up[s]


# The last batch signed in this process. The duplicates and leakage checks see the same records
# and flush the same batches one after the other, so the second asks for what the first just got.
_last: tuple[MinHashConfig, list[str], np.ndarray] | None = None


def signatures(texts: Sequence[str], cfg: MinHashConfig) -> np.ndarray:
    """The (len(texts), num_perm) uint32 signatures, read-only; an empty text gets all-EMPTY."""
    global _last
    if _last is not None and _last[0] == cfg and _last[1] == texts:
        return _last[2]
    n, perm = len(texts), cfg.num_perm
    sh = shingle_hashes(texts, cfg.shingle, cfg.size, cfg.seed)
    sig = np.full(n * perm, EMPTY, dtype=np.uint32)
    bins = (((sh.hashes >> _U64(32)) * _U64(perm)) >> _U64(32)).astype(np.int64)
    np.minimum.at(sig, sh.docs * perm + bins, (sh.hashes & _MASK32).astype(np.uint32))
    sig = _densify(sig.reshape(n, perm), cfg)
    sig.flags.writeable = False  # shared with the next caller of the same batch
    _last = (cfg, list(texts), sig)
    return sig


def _densify(sig: np.ndarray, cfg: MinHashConfig) -> np.ndarray:
    """Fill each empty bin from the first non-empty bin on its probe sequence (same for all
    documents), so that equal sets give equal signatures and similar sets agree as often as
    their Jaccard similarity."""
    filled = sig != EMPTY
    has_any = filled.any(axis=1)
    todo_doc, todo_bin = np.nonzero(~filled & has_any[:, None])
    if len(todo_doc) == 0:
        return sig
    out = sig.copy()
    perm = cfg.num_perm
    salt = _seed_word(cfg.seed, 1)
    attempt = 0
    max_attempts = 8 * perm + 64
    while len(todo_doc) and attempt < max_attempts:
        attempt += 1
        probe_key = todo_bin.astype(_U64) * _U64(_GOLDEN) + _U64((attempt * int(_M2)) & 0xFFFFFFFFFFFFFFFF)
        probe = (((_fmix(probe_key ^ salt) >> _U64(32)) * _U64(perm)) >> _U64(32)).astype(np.int64)
        hit = filled[todo_doc, probe]
        out[todo_doc[hit], todo_bin[hit]] = sig[todo_doc[hit], probe[hit]]
        todo_doc, todo_bin = todo_doc[~hit], todo_bin[~hit]
    if len(todo_doc):  # vanishingly rare: fall back to the document's first non-empty bin
        out[todo_doc, todo_bin] = sig[todo_doc, np.argmax(filled[todo_doc], axis=1)]
    return out


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows for a threshold: the most rows per band (fewest false candidates) that still
    make a pair at the threshold a candidate with probability >= 0.99. Candidates are verified
    afterwards, so a generous banding costs only time, never precision."""
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= 0.99:
            best = (bands, rows)
    return best


def _band_keys(sig: np.ndarray, band: int, rows: int, seed: int) -> np.ndarray:
    key = np.full(sig.shape[0], _seed_word(seed, 2 + band), dtype=_U64)
    for col in range(band * rows, (band + 1) * rows):
        key = _fmix(key ^ sig[:, col].astype(_U64))
    return key


def candidate_pairs(sig: np.ndarray, bands: int, rows: int, seed: int = 1) -> np.ndarray:
    """Unique (i, j) row pairs, i < j, that share at least one LSH band, sorted. In a bucket of
    more than ``_PAIR_WINDOW + 1`` rows each row is paired with the next ``_PAIR_WINDOW`` only,
    which keeps templated data from producing a quadratic number of pairs."""
    n = sig.shape[0]
    found = []
    for band in range(bands):
        keys = _band_keys(sig, band, rows, seed)
        order = np.argsort(keys, kind="stable")  # rows of a bucket stay in ascending order
        sorted_keys = keys[order]
        for d in range(1, _PAIR_WINDOW + 1):
            same = np.flatnonzero(sorted_keys[d:] == sorted_keys[:-d])
            if len(same) == 0:
                break
            found.append(order[same] * n + order[same + d])
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack((codes // n, codes % n), axis=1)


def estimate_jaccard(sig: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """The share of equal signature positions of each pair: the estimated Jaccard similarity."""
    out = np.empty(len(pairs), dtype=np.float64)
    for lo in range(0, len(pairs), _VERIFY_CHUNK):
        chunk = pairs[lo : lo + _VERIFY_CHUNK]
        out[lo : lo + len(chunk)] = (sig[chunk[:, 0]] == sig[chunk[:, 1]]).mean(axis=1)
    return out


def near_duplicate_pairs(
    sig: np.ndarray,
    threshold: float,
    bands: int,
    rows: int,
    seed: int = 1,
    allow: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Verified pairs (estimated Jaccard >= threshold) and their similarities. ``allow``
    optionally filters candidates before verification: a function of the (m, 2) pair array
    returning a boolean mask, e.g. "same split" or "different splits"."""
    pairs = candidate_pairs(sig, bands, rows, seed)
    if allow is not None and len(pairs):
        pairs = pairs[allow(pairs)]
    sims = estimate_jaccard(sig, pairs)
    keep = sims >= threshold - 1e-12  # k / num_perm is a float: 96/128 must pass 0.75
    return pairs[keep], sims[keep]


def cluster_roots(n: int, pairs: np.ndarray) -> np.ndarray:
    """Union-find over ``pairs``: for each of ``n`` rows, the smallest row of its cluster.

    The partition is computed by scipy's connected components (the same result as a union-find
    over the pairs, in C); each component is then rooted at its smallest member.
    """
    roots = np.arange(n, dtype=np.int64)
    if n == 0 or len(pairs) == 0:
        return roots
    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    smallest = np.full(labels.max() + 1, n, dtype=np.int64)
    np.minimum.at(smallest, labels, roots)
    return smallest[labels]
