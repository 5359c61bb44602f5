"""Near-duplicate machinery shared by the duplicates and leakage checks: shingling, MinHash
signatures, LSH banding, verification and clustering, vectorised with numpy over batches of texts.

Texts are normalised first (``dslint.normalize``: words separated by single spaces). Shingles are
word n-grams or character n-grams of that text; a text shorter than one shingle is one shingle.

Shingle hashes: a polynomial hash of the shingle's code points (mod 2**64, computed for a whole
batch at once from prefix sums, so no Python loop touches a shingle), finished with the murmur3
mixer and a fixed seed. A hash depends only on the shingle's characters: equal shingles get equal
64-bit hashes in any document, batch, process or machine. A batch is one string (its texts
joined by spaces, so words are the runs between spaces), held as bytes when it is ASCII.

Signatures: one-permutation MinHash with optimal densification (Li, Owen and Zhang 2012;
Shrivastava 2017). Each shingle hash picks one of ``num_perm`` bins with its high bits and
competes there with its low 32 bits; bins left empty borrow the value of a non-empty bin chosen by
a fixed probe sequence that is the same for every document. The low 16 bits of each bin's value
are kept (b-bit minwise hashing): 256 bytes a text at 128 permutations. As with classic MinHash (one min per
hash function), two signatures agree in each position with probability equal to the Jaccard
similarity of the shingle sets, so LSH banding and the estimate ``mean(sig_a == sig_b)`` work
unchanged; but the cost per document is O(shingles + num_perm) instead of O(shingles x num_perm),
which is what makes dslint fast (bench/bench_neardup.py).

Candidates come from LSH banding (``bands`` x ``rows`` positions); every candidate is verified
with the Jaccard similarity estimated from the full signatures before it counts. Clusters join
verified pairs (union-find semantics) and are rooted at their smallest member. The signatures of
a whole dataset stay in the chunks they were computed in (``SignatureTable``): banding reads one
band's columns at a time and verification reads the rows of its candidates, so the table is
never copied or reordered as a whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, Literal, NamedTuple, TypeVar

import numpy as np

from dslint.arrays import sorted_unique

Shingle = Literal["word", "char"]
T = TypeVar("T")

EMPTY = np.uint16(0xFFFF)  # every value of the signature of a text without a shingle
_NO_SHINGLE = np.uint32(0xFFFFFFFF)  # a bin no shingle fell into, while a signature is made
_U64 = np.uint64
_MASK32 = _U64(0xFFFFFFFF)
_BASE = 0x100000001B3 | 1  # odd, so it has an inverse modulo 2**64
_BASE_INV = pow(_BASE, -1, 1 << 64)
_M1, _M2 = _U64(0xFF51AFD7ED558CCD), _U64(0xC4CEB9FE1A85EC53)
_GOLDEN = 0x9E3779B97F4A7C15
_PAIR_WINDOW = 32  # in a big LSH bucket, each member is paired with its next 32 members only
_SINGLE_PROBES = 4  # densification probes taken one at a time before probing in blocks
_VERIFY_CHUNK = 1 << 14  # candidate pairs verified at once: 2 x 16k rows of signatures


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
    """The murmur3 64-bit finaliser, in place (callers pass arrays of their own): a bijection
    that spreads every input bit over the output."""
    h ^= h >> _U64(33)
    h *= _M1
    h ^= h >> _U64(33)
    h *= _M2
    h ^= h >> _U64(33)
    return h


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
        """By doubling: the first k powers times BASE**k are the next k (a vectorised multiply
        per step, several times as fast as a cumprod)."""
        out = np.empty(n, dtype=_U64)
        out[0] = 1
        k = 1
        while k < n:
            step = min(k, n - k)
            np.multiply(out[:step], _U64(pow(base, k, 1 << 64)), out=out[k : k + step])
            k += step
        return out

    def get(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n > self.CACHED:
            return self._table(_BASE, n), self._table(_BASE_INV, n)
        if n > len(self.up):
            size = min(max(n, 2 * len(self.up)), self.CACHED)
            self.up, self.down = self._table(_BASE, size), self._table(_BASE_INV, size)
        return self.up[:n], self.down[:n]


_POWERS = _Powers()


class _PrefixBuffer:
    """The memory of the prefix sums, reused from one batch to the next (up to ``_Powers.CACHED``
    entries; a longer batch gets its own). A fresh array per batch, 8 MB at a thousand records,
    was faulted in page by page every time; numpy advises the kernel to back arrays of 4 MB and
    more with huge pages, and where the kernel's THP defrag setting is ``madvise`` (the usual
    default) those faults can stall on compaction: 1.1-1.6 s of a 100k-record lint went to the
    kernel there, 0.2 s with the memory reused. The prefix sums of a batch are therefore valid
    until the next batch's are computed, which ``_last_units`` (one batch) respects."""

    def __init__(self) -> None:
        self.memory = np.empty(0, dtype=_U64)

    def get(self, n: int) -> np.ndarray:
        if n > _Powers.CACHED:
            return np.empty(n, dtype=_U64)
        if n > len(self.memory):
            self.memory = np.empty(min(max(n, 2 * len(self.memory)), _Powers.CACHED), dtype=_U64)
        return self.memory[:n]


_PREFIX = _PrefixBuffer()


class Shingles(NamedTuple):
    """The shingle hashes of a batch of texts: one entry per shingle occurrence, grouped by text
    (the single shingle of each short text comes last)."""

    hashes: np.ndarray  # uint64
    docs: np.ndarray  # int64: which text of the batch
    positions: np.ndarray  # int64: the shingle's first word (or character) within its text


def shingle_hashes(texts: Sequence[str], shingle: Shingle, size: int, seed: int, *, short: bool = True) -> Shingles:
    """Hash every shingle of every text. ``short``: a non-empty text with fewer words (characters)
    than ``size`` is one shingle; otherwise it has none."""
    if sum(map(len, texts)) == 0:
        empty = np.empty(0, dtype=np.int64)
        return Shingles(np.empty(0, dtype=_U64), empty, empty)
    units, prefix, up = _units(texts, shingle)
    s, e, docs, positions = units.spans(size, short)
    hashes = prefix[e]
    hashes -= prefix[s]
    hashes *= up[s]
    hashes ^= _seed_word(seed, 0)
    return Shingles(_fmix(hashes), docs, positions)


class _LastBatch(Generic[T]):
    """What was last computed for a batch of texts (with given settings) in this process. The
    duplicates and leakage checks flush the same batches one after the other, so the second asks
    for what the first just got: the signatures, and the words and prefix sums that the leakage
    check's n-grams share with its shingles."""

    def __init__(self) -> None:
        self._key: tuple[object, list[str]] | None = None
        self._value: T | None = None

    def get(self, settings: object, texts: Sequence[str], compute: Callable[[], T]) -> T:
        if self._key is None or self._key[0] != settings or self._key[1] != texts:
            self._key = None  # forgotten first: computing may overwrite memory the last value used
            self._value = compute()
            self._key = (settings, list(texts))
        return self._value  # type: ignore[return-value]  # computed above when not cached


_last_units: _LastBatch[tuple[_Units, np.ndarray, np.ndarray]] = _LastBatch()


def _units(texts: Sequence[str], shingle: Shingle) -> tuple[_Units, np.ndarray, np.ndarray]:
    """The words (characters) of a batch, the prefix sums of its code points and BASE**i."""

    def compute() -> tuple[_Units, np.ndarray, np.ndarray]:
        codes, units = _words(texts) if shingle == "word" else _chars(texts)
        return (units, *_prefix_sums(codes))

    return _last_units.get(shingle, texts, compute)


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text``: one byte each when it is ASCII (the common case, a quarter
    of the memory traffic), two when all are in the BMP, else four."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    data = text.encode("utf-16-le", "surrogatepass")
    if len(data) == 2 * len(text):  # no character beyond the BMP: UTF-16 units are code points
        return np.frombuffer(data, dtype=np.uint16)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class _Units:
    """The words (or characters) of a batch: where each starts and ends, and its text."""

    def __init__(self, start: np.ndarray, end: np.ndarray, count: np.ndarray) -> None:
        self.start, self.end = start, end
        self.count = count  # units per text
        self.first = np.zeros(len(count), dtype=np.int64)  # index of each text's first unit
        np.cumsum(count[:-1], out=self.first[1:])
        self.doc = np.repeat(np.arange(len(count)), count)

    def spans(self, size: int, short: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(start, end, text, position) of every run of ``size`` units within one text."""
        runs = max(len(self.start) - size + 1, 0)
        idx = np.flatnonzero(self.doc[:runs] == self.doc[size - 1 : size - 1 + runs])
        s, e, docs = self.start[idx], self.end[size - 1 :][idx], self.doc[idx]
        positions = idx - self.first[docs]
        few = np.flatnonzero((self.count > 0) & (self.count < size)) if short else []
        if len(few):  # copying every span to append a few is worth skipping when there are none
            s = np.concatenate((s, self.start[self.first[few]]))
            e = np.concatenate((e, self.end[self.first[few] + self.count[few] - 1]))
            docs = np.concatenate((docs, few))
            positions = np.concatenate((positions, np.zeros(len(few), dtype=np.int64)))
        return s, e, docs, positions


def _words(texts: Sequence[str]) -> tuple[np.ndarray, _Units]:
    """Words are the non-empty runs between spaces. The texts are joined with a space after each,
    so every text ends at a space and the spaces alone delimit words."""
    codes = _code_points(" ".join([*texts, ""]))  # a space after each text, in one join
    space = np.flatnonzero(codes == 32)
    start = np.empty(len(space), dtype=np.int64)  # of the run that ends at each space
    start[0] = 0
    start[1:] = space[:-1] + 1
    keep = np.flatnonzero(space > start)
    end = space[keep]
    # The space after text t is the (sum of len(texts[:t+1]) + t)-th character.
    text_end = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1) - 1
    count = np.diff(np.searchsorted(end, text_end, side="right"), prepend=0)
    return codes, _Units(start[keep], end, count)


def _chars(texts: Sequence[str]) -> tuple[np.ndarray, _Units]:
    codes = _code_points("".join(texts))
    start = np.arange(len(codes), dtype=np.int64)
    count = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    return codes, _Units(start, start + 1, count)


def _prefix_sums(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Prefix sums of the code points (plus one) weighted by BASE**-i, and BASE**i: the
    polynomial hash of ``codes[s:e]`` is ``(prefix[e] - prefix[s]) * BASE**s``, for every span
    at once."""
    up, down = _POWERS.get(len(codes) + 1)
    prefix = _PREFIX.get(len(codes) + 1)  # overwritten by the next batch's (see _PrefixBuffer)
    prefix[0] = 0
    weighted = prefix[1:]
    weighted[:] = codes
    weighted += _U64(1)
    weighted *= down[: len(codes)]  # (c + 1) * BASE**-i
    np.cumsum(weighted, out=weighted)
    return prefix, up


_last_signed: _LastBatch[np.ndarray] = _LastBatch()


def signatures(texts: Sequence[str], cfg: MinHashConfig) -> np.ndarray:
    """The (len(texts), num_perm) uint16 signatures, read-only; an empty text gets all-EMPTY."""
    return _last_signed.get(cfg, texts, lambda: _signed(texts, cfg))


def _signed(texts: Sequence[str], cfg: MinHashConfig) -> np.ndarray:
    n, perm = len(texts), cfg.num_perm
    sh = shingle_hashes(texts, cfg.shingle, cfg.size, cfg.seed)
    sig = np.full(n * perm, _NO_SHINGLE, dtype=np.uint32)
    slot = sh.hashes >> _U64(32)
    slot *= _U64(perm)
    slot >>= _U64(32)
    slot = slot.astype(np.int64)
    slot += sh.docs * perm
    np.minimum.at(sig, slot, sh.hashes.astype(np.uint32))  # the low 32 bits compete in the bin
    sig = _low_bits(_densify(sig.reshape(n, perm), cfg))
    sig.flags.writeable = False  # shared with the next caller of the same batch
    return sig


def _low_bits(sig: np.ndarray) -> np.ndarray:
    """The low 16 bits of each bin's value (b-bit minwise hashing, Li and König 2010): half the
    memory of a dataset's signatures, while two values of different shingles agree by chance once
    in 65,536 (the estimated Jaccard similarity rises by (1 - J) / 65,536). A value that would read
    as EMPTY is taken one lower, so EMPTY marks texts without a shingle alone."""
    low = sig.astype(np.uint16)  # wraps: keeps the low 16 bits
    low[low == EMPTY] = EMPTY - 1
    low[sig[:, 0] == _NO_SHINGLE] = EMPTY  # densification fills all of a text's bins, or none
    return low


@lru_cache(maxsize=8)
def _probes(perm: int, seed: int) -> np.ndarray:
    """The densification probe sequence: row k is, per bin, the bin its (k+1)-th probe reads.
    It does not depend on the document, so it is computed once per configuration."""
    attempts = 8 * perm + 64
    attempt = np.arange(1, attempts + 1, dtype=_U64)[:, None]
    bins = np.arange(perm, dtype=_U64)[None, :]
    with np.errstate(over="ignore"):
        key = bins * _U64(_GOLDEN) + attempt * _M2
    key ^= _seed_word(seed, 1)
    probes = ((_fmix(key) >> _U64(32)) * _U64(perm)) >> _U64(32)
    out = probes.astype(np.int64)
    out.flags.writeable = False
    return out


def _densify(sig: np.ndarray, cfg: MinHashConfig) -> np.ndarray:
    """Fill each empty bin from the first non-empty bin on its probe sequence (same for all
    documents), so that equal sets give equal signatures and similar sets agree as often as
    their Jaccard similarity. Works on flat indices of the empty bins only."""
    n, perm = sig.shape
    empty = sig == _NO_SHINGLE
    todo = np.flatnonzero(empty & ~empty.all(axis=1, keepdims=True))
    if len(todo) == 0:
        return sig
    flat = sig.reshape(-1)
    out = flat.copy()
    probes = _probes(perm, cfg.seed)
    bins = todo % perm
    row_start = todo - bins
    # One probe at a time while many bins are left (most fill at the first probe), then blocks
    # of 2, 4, 8, ... probes, so the few bins that need many cost a handful of steps.
    attempt, width = 0, 1
    while len(todo) and attempt < len(probes):
        if width == 1:
            value = flat[row_start + probes[attempt][bins]]
        else:  # each bin's next ``width`` probes; the first filled one counts
            values = flat[row_start[:, None] + probes[attempt : attempt + width][:, bins].T]
            first = (values != _NO_SHINGLE).argmax(axis=1)
            value = values.reshape(-1)[np.arange(len(todo)) * values.shape[1] + first]
        filled = value != _NO_SHINGLE
        hit, miss = np.flatnonzero(filled), np.flatnonzero(~filled)  # indices: faster than masks
        out[todo[hit]] = value[hit]
        todo, bins, row_start = todo[miss], bins[miss], row_start[miss]
        attempt += width
        if attempt >= _SINGLE_PROBES:
            width *= 2
    if len(todo):  # vanishingly rare: fall back to the document's first non-empty bin
        out[todo] = flat[row_start + np.argmax(~empty[todo // perm], axis=1)]
    return out.reshape(n, perm)


class SignatureTable:
    """Signatures kept in parts (the chunks they were computed in) and read through a row map:
    row i is row ``rows[i]`` of the parts' concatenation. Reading a band's columns or a few rows
    copies only those; the table is never concatenated or reordered as a whole."""

    def __init__(self, parts: Sequence[np.ndarray], rows: np.ndarray | None = None) -> None:
        self.parts = list(parts)
        self.num_perm = self.parts[0].shape[1] if self.parts else 1
        self._starts = np.cumsum([0] + [len(p) for p in self.parts])
        self.rows = rows  # None: row i is row i of the concatenation (no map held)
        self.n = int(self._starts[-1]) if rows is None else len(rows)
        self._grouped: tuple[np.ndarray | None, np.ndarray, np.ndarray] | None = None

    @classmethod
    def of(cls, sig: np.ndarray | SignatureTable) -> SignatureTable:
        """A table as is, or an (n, num_perm) array as a table of one part."""
        return sig if isinstance(sig, SignatureTable) else cls([sig])

    def subset(self, idx: np.ndarray) -> SignatureTable:
        """Rows ``idx`` of this table, without copying signatures."""
        return SignatureTable(self.parts, idx if self.rows is None else self.rows[idx])

    def _group(self, pos: np.ndarray) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        """For positions in the concatenation: their order by part (None: ascending already, as
        the rows of a subset of distinct rows usually are), each part's slice of that order, and
        their row within their part."""
        if len(self.parts) == 1:
            return None, np.array([0, len(pos)]), pos
        order = None if bool(np.all(pos[1:] > pos[:-1])) else np.argsort(pos, kind="stable")
        bounds = np.searchsorted(pos if order is None else pos[order], self._starts)
        return order, bounds, pos - self._starts[np.searchsorted(self._starts, pos, side="right") - 1]

    def take(self, idx: np.ndarray | None = None, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Columns ``lo:hi`` of rows ``idx`` (all rows when None) as one (len, hi - lo) array."""
        hi = self.num_perm if hi is None else hi
        if idx is None and self.rows is None:  # the parts' rows in order: their columns, stacked
            return self.parts[0][:, lo:hi] if len(self.parts) == 1 else np.concatenate([p[:, lo:hi] for p in self.parts])
        if idx is None:
            if self._grouped is None:  # banding reads all rows once per band: group them once
                self._grouped = self._group(self.rows)  # type: ignore[arg-type]  # not None here
            order, bounds, local = self._grouped
        else:
            order, bounds, local = self._group(idx if self.rows is None else self.rows[idx])
        if len(self.parts) == 1:
            return self.parts[0][local, lo:hi]
        out = np.empty((len(local), hi - lo), dtype=self.parts[0].dtype)
        for part, a, b in zip(self.parts, bounds[:-1], bounds[1:]):
            if b == a:
                continue
            if order is not None:
                sel = order[a:b]
                out[sel] = part[local[sel], lo:hi]
            elif b - a == len(part):  # distinct ascending rows, as many as the part has: all of it
                out[a:b] = part[:, lo:hi]
            else:
                out[a:b] = part[local[a:b], lo:hi]
        return out

    def valid(self) -> np.ndarray:
        """Rows with a signature: a text has all bins filled or none (densification)."""
        return self.take(None, 0, 1)[:, 0] != EMPTY


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


def band_keys(table: SignatureTable, band: int, rows: int, seed: int) -> np.ndarray:
    """One 64-bit key per row for a band: its ``rows`` positions chained through the mixer."""
    cols = table.take(None, band * rows, (band + 1) * rows)
    key = np.full(table.n, _seed_word(seed, 2 + band), dtype=_U64)
    for col in range(rows):
        key ^= cols[:, col]
        _fmix(key)
    return key


def sort_order(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows ordered by key, and ascending within a key, with the keys in that order.

    A plain sort of 64-bit values is many times faster than a stable argsort, so each key's
    low bits are replaced by its row number and the result sorted. Should two different keys
    agree in the bits kept (about once in 10**13 pairs), the stable argsort decides instead."""
    bits = max(int(len(keys) - 1).bit_length(), 1)
    low = _U64((1 << bits) - 1)
    packed = keys & ~low
    packed |= np.arange(len(keys), dtype=_U64)
    packed.sort()
    order = (packed & low).astype(np.int64)
    sorted_keys = keys[order]
    high = packed >> _U64(bits)
    if bool(np.any((high[1:] == high[:-1]) & (sorted_keys[1:] != sorted_keys[:-1]))):
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
    return order, sorted_keys


def candidate_pairs(sig: np.ndarray | SignatureTable, bands: int, rows: int, seed: int = 1) -> np.ndarray:
    """Unique (i, j) row pairs, i < j, that share at least one LSH band, sorted. In a bucket of
    more than ``_PAIR_WINDOW + 1`` rows each row is paired with the next ``_PAIR_WINDOW`` only,
    which keeps templated data from producing a quadratic number of pairs."""
    table = SignatureTable.of(sig)
    n = table.n
    found = []
    for band in range(bands):
        order, sorted_keys = sort_order(band_keys(table, band, rows, seed))
        # Only rows of buckets with two or more rows can pair: the window runs over those alone.
        same = sorted_keys[1:] == sorted_keys[:-1]
        shared = np.zeros(n, dtype=bool)
        shared[1:] = same
        shared[:-1] |= same
        members = np.flatnonzero(shared)
        member_keys, member_rows = sorted_keys[members], order[members]
        for d in range(1, _PAIR_WINDOW + 1):
            hit = np.flatnonzero(member_keys[d:] == member_keys[:-d])
            if len(hit) == 0:
                break
            found.append(member_rows[hit] * n + member_rows[hit + d])
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    codes = sorted_unique(np.concatenate(found))
    return np.stack((codes // n, codes % n), axis=1)


def estimate_jaccard(sig: np.ndarray | SignatureTable, pairs: np.ndarray) -> np.ndarray:
    """The share of equal signature positions of each pair: the estimated Jaccard similarity."""
    table = SignatureTable.of(sig)
    out = np.empty(len(pairs), dtype=np.float64)
    for lo in range(0, len(pairs), _VERIFY_CHUNK):
        chunk = pairs[lo : lo + _VERIFY_CHUNK]
        out[lo : lo + len(chunk)] = (table.take(chunk[:, 0]) == table.take(chunk[:, 1])).mean(axis=1)
    return out


def near_duplicate_pairs(
    sig: np.ndarray | SignatureTable,
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

    Hook and compress, in NumPy: each pair hooks the larger of its two roots under the smaller,
    then every row jumps to its root's root until none moves; repeated until both rows of every
    pair share a root. Roots only ever decrease and stay in their cluster, so each cluster ends
    rooted at its smallest row. (scipy's connected components would cost 30 MB of imports at the
    run's peak of memory.)
    """
    roots = np.arange(n, dtype=np.int64)
    if n == 0 or len(pairs) == 0:
        return roots
    a, b = pairs[:, 0], pairs[:, 1]
    while True:
        ra, rb = roots[a], roots[b]
        apart = ra != rb
        if not apart.any():
            return roots
        ra, rb = ra[apart], rb[apart]
        np.minimum.at(roots, np.maximum(ra, rb), np.minimum(ra, rb))
        while True:
            jumped = roots[roots]
            if np.array_equal(jumped, roots):
                break
            roots = jumped
