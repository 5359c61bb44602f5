"""dslint.minhash: shingle hashes, signatures, LSH banding, verification and clustering."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslint import minhash
from dslint.minhash import (
    EMPTY,
    MinHashConfig,
    candidate_pairs,
    cluster_roots,
    estimate_jaccard,
    lsh_params,
    near_duplicate_pairs,
    reference_shingles,
    shingle_hashes,
    signatures,
)
from dslint.normalize import normalize_text

ANSWERS = [
    "To reset your password, open Settings, choose Security and click Reset password. We email you a link that "
    "stays valid for thirty minutes; if it does not arrive, check the spam folder or ask an admin to resend it.",
    "A binary search halves the search interval at every step: compare the middle element with the target, then "
    "continue in the left or right half. On a sorted list of a million items it needs at most twenty comparisons.",
    "Docker volumes live outside the container's writable layer, so data survives when the container is removed. "
    "Mount one with docker run -v mydata:/var/lib/postgresql/data and back it up with docker cp or a sidecar job.",
    "Die Rechnung finden Sie im Kundenportal unter Abrechnung. Dort können Sie jede Rechnung als PDF herunterladen "
    "und die Zahlungsart ändern; Rückfragen beantwortet unser Support werktags von 9 bis 17 Uhr.",
    "東京の天気は今日は晴れで、最高気温は二十五度の予報です。夕方から風が強くなるので、上着を持って出かけると安心です。",
]
TEXTS = [normalize_text(t) for t in ANSWERS]
VOCAB = "account invoice folder backup quota plan mobile client server token export import sync share delete restore".split()


def jaccard(a: str, b: str, cfg: MinHashConfig) -> float:
    sa, sb = reference_shingles(a, cfg.shingle, cfg.size), reference_shingles(b, cfg.shingle, cfg.size)
    return len(sa & sb) / len(sa | sb)


def edited(text: str, edits: int, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(edits):
        words[rng.randrange(len(words))] = rng.choice(VOCAB)
    return " ".join(words)


@pytest.mark.parametrize(("shingle", "size"), [("word", 5), ("word", 1), ("word", 13), ("char", 5), ("char", 1)])
def test_shingle_hashes_are_the_reference_shingles(shingle: str, size: int) -> None:
    texts = [*TEXTS, "", "hello", "hello world", TEXTS[0]]
    sh = shingle_hashes(texts, shingle, size, seed=1)  # type: ignore[arg-type]
    by_string: dict[str, int] = {}
    for doc, text in enumerate(texts):
        ref = reference_shingles(text, shingle, size)  # type: ignore[arg-type]
        hashes = sh.hashes[sh.docs == doc]
        assert len(set(hashes.tolist())) == len(ref)
        for h, pos in zip(hashes.tolist(), sh.positions[sh.docs == doc].tolist()):
            if len(ref) == 1 and text in ref:
                piece = text
            elif shingle == "word":
                piece = " ".join(text.split(" ")[pos : pos + size])
            else:
                piece = text[pos : pos + size]
            assert piece in ref
            assert by_string.setdefault(piece, h) == h  # equal strings, equal hashes, in any document


def test_short_texts_have_no_shingles_when_asked() -> None:
    sh = shingle_hashes(["too short to count", TEXTS[1]], "word", 13, seed=1, short=False)
    assert set(sh.docs.tolist()) == {1}
    assert len(sh.hashes) == len(TEXTS[1].split(" ")) - 12


def test_signatures_do_not_depend_on_the_batch() -> None:
    cfg = MinHashConfig()
    alone = signatures([TEXTS[2]], cfg)
    batch = signatures([TEXTS[0], TEXTS[2], "", TEXTS[4]], cfg)
    assert alone.shape == (1, 128) and alone.dtype == np.uint16
    assert np.array_equal(alone[0], batch[1])
    assert (batch[2] == EMPTY).all()  # empty text: no signature
    assert not (batch[[0, 1, 3]] == EMPTY).any()  # densification filled every bin


def test_seed_and_config_change_the_signature() -> None:
    a = signatures([TEXTS[0]], MinHashConfig(seed=1))
    assert not np.array_equal(a, signatures([TEXTS[0]], MinHashConfig(seed=2)))
    assert not np.array_equal(a, signatures([TEXTS[0]], MinHashConfig(shingle="char")))
    assert signatures([TEXTS[0]], MinHashConfig(num_perm=64)).shape == (1, 64)


def test_estimates_track_exact_jaccard() -> None:
    cfg = MinHashConfig()
    rng = random.Random(5)
    errors = []
    for _ in range(200):
        base = " ".join(rng.choice(TEXTS).split(" ") * 2)
        other = edited(base, rng.randint(1, 14), rng)
        sig = signatures([base, other], cfg)
        est = estimate_jaccard(sig, np.array([[0, 1]]))[0]
        errors.append(est - jaccard(base, other, cfg))
    errors_arr = np.array(errors)
    assert abs(errors_arr.mean()) < 0.01  # unbiased
    assert errors_arr.std() < 0.045  # about sqrt(J(1-J)/128) or better
    assert np.abs(errors_arr).max() < 0.15


def test_identical_texts_agree_everywhere_and_unrelated_ones_almost_nowhere() -> None:
    sig = signatures([TEXTS[0], TEXTS[0], TEXTS[1]], MinHashConfig())
    est = estimate_jaccard(sig, np.array([[0, 1], [0, 2]]))
    assert est[0] == 1.0
    assert est[1] < 0.05


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.8, 128), (0.5, 128), (0.9, 256), (0.95, 64)])
def test_banding_makes_pairs_at_the_threshold_candidates(threshold: float, num_perm: int) -> None:
    bands, rows = lsh_params(threshold, num_perm)
    assert bands * rows <= num_perm
    assert 1 - (1 - threshold**rows) ** bands >= 0.99
    # one more row per band would miss pairs at the threshold
    more = rows + 1
    assert 1 - (1 - threshold**more) ** (num_perm // more) < 0.99


def test_near_duplicate_pairs_are_verified_against_the_threshold() -> None:
    cfg = MinHashConfig()
    rng = random.Random(11)
    base = " ".join((TEXTS[1], TEXTS[2], TEXTS[0]))
    close = edited(base, 2, rng)
    far = edited(base, 25, rng)
    texts = [base, TEXTS[0], close, far, TEXTS[3]]
    sig = signatures(texts, cfg)
    bands, rows = lsh_params(0.8, 128)
    pairs, sims = near_duplicate_pairs(sig, 0.8, bands, rows)
    assert jaccard(base, close, cfg) > 0.8 > jaccard(base, far, cfg)
    assert pairs.tolist() == [[0, 2]]
    assert sims[0] >= 0.8
    # ``allow`` filters candidates before verification
    none, _ = near_duplicate_pairs(sig, 0.8, bands, rows, allow=lambda p: p[:, 1] != 2)
    assert len(none) == 0


def test_big_buckets_are_paired_with_a_window_not_quadratically() -> None:
    sig = signatures([TEXTS[0]] * 200, MinHashConfig())
    pairs = candidate_pairs(sig, 4, 8)
    assert len(pairs) < 200 * 33
    assert (pairs[:, 0] < pairs[:, 1]).all()
    # the window still connects the whole bucket
    assert (cluster_roots(200, pairs) == 0).all()


def test_cluster_roots_are_the_smallest_member() -> None:
    pairs = np.array([[5, 3], [3, 9], [7, 8], [9, 4]])[:, ::-1]
    roots = cluster_roots(10, np.sort(pairs, axis=1))
    assert roots.tolist() == [0, 1, 2, 3, 3, 3, 6, 7, 7, 3]
    assert cluster_roots(3, np.empty((0, 2), dtype=np.int64)).tolist() == [0, 1, 2]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 60).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=80))))
def test_cluster_roots_agree_with_a_plain_union_find(graph: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = graph
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for x, y in edges:
        rx, ry = find(x), find(y)
        parent[max(rx, ry)] = min(rx, ry)
    pairs = np.array(edges, dtype=np.int64).reshape(-1, 2)
    assert cluster_roots(n, pairs).tolist() == [find(x) for x in range(n)]


def test_unicode_and_lone_surrogates_do_not_crash() -> None:
    texts = ["emoji 😀 and text " * 3, "lone \ud800 surrogate in text", "ﬁ ligature and ＡＢＣ"]
    sig = signatures([normalize_text(t) for t in texts], MinHashConfig(shingle="char"))
    assert sig.shape == (3, 128)


def test_a_batch_signed_twice_in_a_row_is_computed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """DS203 and DS302 flush the same batches: the second check reuses the first's signatures."""
    calls = []
    original = minhash.shingle_hashes
    monkeypatch.setattr(minhash, "shingle_hashes", lambda *a, **k: calls.append(1) or original(*a, **k))
    texts = ["the cat sat on the mat today", "a dog ran in the park at noon"]
    cfg = MinHashConfig()
    first = minhash.signatures(texts, cfg)
    assert minhash.signatures(list(texts), cfg) is first and len(calls) == 1
    assert not first.flags.writeable  # shared, so nobody may change it
    minhash.signatures(texts, MinHashConfig(seed=2))
    minhash.signatures([*texts, "one more"], cfg)
    assert len(calls) == 3


def test_hashes_stay_right_while_the_prefix_memory_is_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches share one prefix-sum buffer: a batch's hashes, kept or recomputed, do not depend on
    the batches hashed since, smaller or larger, nor does one past the buffer's cap."""
    monkeypatch.setattr(minhash._Powers, "CACHED", 4096)
    monkeypatch.setattr(minhash, "_PREFIX", minhash._PrefixBuffer())
    small = [" ".join(f"w{i}x{j}" for j in range(30)) for i in range(20)]  # about 3,000 code points
    large = [text + " tail" * 200 for text in small]  # past the cap
    fresh = {name: shingle_hashes(texts, "word", 3, seed=1).hashes.copy() for name, texts in (("small", small), ("large", large))}
    kept = shingle_hashes(small, "word", 3, seed=1)
    for texts in (small[:5], large, small[:1], small):
        shingle_hashes(texts, "char", 4, seed=1)
        shingle_hashes(texts, "word", 3, seed=1)
    assert np.array_equal(kept.hashes, fresh["small"])
    assert np.array_equal(shingle_hashes(small, "word", 3, seed=1).hashes, fresh["small"])
    assert np.array_equal(shingle_hashes(large, "word", 3, seed=1).hashes, fresh["large"])
    # A batch whose hashing fails after its prefix sums overwrote the buffer: the batch cached
    # before it is computed again, not read from the overwritten memory.
    prefix_sums = minhash._prefix_sums

    def fails_after_writing(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        prefix_sums(codes)
        raise MemoryError

    small_first = [text[::-1] for text in small]
    shingle_hashes(small, "word", 3, seed=1)
    monkeypatch.setattr(minhash, "_prefix_sums", fails_after_writing)
    with pytest.raises(MemoryError):
        shingle_hashes(small_first, "word", 3, seed=1)
    monkeypatch.setattr(minhash, "_prefix_sums", prefix_sums)
    assert np.array_equal(shingle_hashes(small, "word", 3, seed=1).hashes, fresh["small"])


def test_a_text_hashes_alike_in_an_ascii_batch_and_in_a_unicode_one() -> None:
    """A batch is read as bytes when it is ASCII and as code points otherwise: same hashes."""
    for shingle, size in (("word", 3), ("char", 4)):
        alone = shingle_hashes([TEXTS[0]], shingle, size, seed=1)  # type: ignore[arg-type]
        mixed = shingle_hashes([TEXTS[3], TEXTS[0], TEXTS[4]], shingle, size, seed=1)  # type: ignore[arg-type]
        assert np.array_equal(alone.hashes, mixed.hashes[mixed.docs == 1])
        assert np.array_equal(alone.positions, mixed.positions[mixed.docs == 1])


def test_words_are_the_runs_between_spaces() -> None:
    messy = shingle_hashes(["  alpha  beta gamma ", "", " ", "delta"], "word", 1, seed=1)
    clean = shingle_hashes(["alpha beta gamma", "", "", "delta"], "word", 1, seed=1)
    assert np.array_equal(messy.hashes, clean.hashes)
    assert messy.docs.tolist() == [0, 0, 0, 3] and messy.positions.tolist() == [0, 1, 2, 0]


def _reference_hash(shingle: str, seed: int) -> int:
    """The module docstring's shingle hash, one code point at a time in Python."""
    mask = (1 << 64) - 1
    h = sum((ord(c) + 1) * pow(minhash._BASE_INV, i, 1 << 64) for i, c in enumerate(shingle)) & mask
    h ^= int(minhash._seed_word(seed, 0))
    for mult in (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, None):
        h ^= h >> 33
        if mult is not None:
            h = (h * mult) & mask
    return h


@pytest.mark.parametrize(
    "texts",
    [
        ["plain ascii words here", "more of them"],
        ["naïve café straße", "ascii too"],  # BMP only: code points read as UTF-16 units
        ["emoji 😀 beyond the bmp", "ﬁ and é"],  # a character beyond the BMP: four bytes each
        ["lone \ud800 surrogate \udfff here"],
    ],
)
def test_shingle_hashes_are_the_polynomial_hash_of_the_code_points(texts: list[str]) -> None:
    sh = shingle_hashes(texts, "word", 2, seed=3)
    for doc, text in enumerate(texts):
        words = text.split(" ")
        expected = [_reference_hash(" ".join(words[i : i + 2]), 3) for i in range(len(words) - 1)]
        assert sh.hashes[sh.docs == doc].tolist() == expected


def test_densified_bins_hold_values_of_the_texts_own_shingles() -> None:
    cfg = MinHashConfig(size=2)
    text = "one two three four"  # three shingles for 128 bins: most bins are filled by probing
    low = set((shingle_hashes([text], "word", 2, cfg.seed).hashes & np.uint64(0xFFFF)).tolist())
    sig = signatures([text, TEXTS[1]], cfg)[0]
    assert set(sig.tolist()) <= low  # every bin holds (the kept low bits of) one of the text's own minima
    assert len(set(sig.tolist())) > 1


def test_kept_low_bits_never_read_as_a_text_without_shingles() -> None:
    bins = np.array([[0x1234FFFF, 0x0001FFFE, 7], [0xFFFFFFFF] * 3, [0xABCD0000, 0xFFFF, 0x10000]], dtype=np.uint32)
    low = minhash._low_bits(bins)
    assert low.dtype == np.uint16
    assert low.tolist() == [[0xFFFE, 0xFFFE, 7], [EMPTY] * 3, [0, 0xFFFE, 0]]


def _reference_candidates(sig: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    """The banding definition, one band at a time: rows with equal band values form a bucket;
    each row pairs with the next ``_PAIR_WINDOW`` rows of its bucket."""
    found = set()
    for band in range(bands):
        buckets: dict[bytes, list[int]] = {}
        for i in range(len(sig)):
            buckets.setdefault(sig[i, band * rows : (band + 1) * rows].tobytes(), []).append(i)
        for members in buckets.values():
            for k, i in enumerate(members):
                found |= {(i, j) for j in members[k + 1 : k + 1 + minhash._PAIR_WINDOW]}
    return found


def test_candidate_pairs_follow_the_banding_definition() -> None:
    rng = np.random.default_rng(4)
    sig = rng.integers(0, 50, size=(300, 32), dtype=np.uint32)  # small values: chance collisions
    sig[100:150] = sig[10]  # a bucket bigger than the pair window in every band
    sig[200:210, :16] = sig[20, :16]  # shares the first bands only
    pairs = candidate_pairs(sig, 8, 4)
    assert {(int(a), int(b)) for a, b in pairs} == _reference_candidates(sig, 8, 4)
    assert pairs.tolist() == sorted(pairs.tolist())


def test_a_signature_table_in_parts_reads_like_the_reordered_array() -> None:
    """Frames keep signatures in their chunks and read them through the sort order."""
    rng = np.random.default_rng(9)
    whole = rng.integers(0, 8, size=(500, 16), dtype=np.uint32)
    whole[250:260] = whole[3]
    parts = [whole[:120], whole[120:121], whole[121:400], whole[400:]]
    order = rng.permutation(500)
    table = minhash.SignatureTable(parts, order)
    reordered = whole[order]
    idx = rng.integers(0, 500, size=80)
    assert np.array_equal(table.take(idx), reordered[idx])
    assert np.array_equal(table.take(None, 4, 8), reordered[:, 4:8])
    sub = rng.choice(500, size=300, replace=False)
    assert np.array_equal(table.subset(sub).take(), reordered[sub])
    assert np.array_equal(candidate_pairs(table, 4, 4), candidate_pairs(reordered, 4, 4))
    pairs = np.array([[0, 1], [5, 499], [17, 17]])
    assert np.array_equal(estimate_jaccard(table, pairs), estimate_jaccard(reordered, pairs))
    assert table.valid().all()
    # Ascending rows (a subset of distinct rows of a frame in order) are read part by part:
    # all of a part, some of it, or none of it.
    in_order = minhash.SignatureTable(parts)
    for rows in (np.arange(500), np.flatnonzero(rng.random(500) < 0.7), np.r_[0:120, 121:300]):
        assert np.array_equal(in_order.subset(rows).take(None, 2, 9), whole[rows, 2:9])
