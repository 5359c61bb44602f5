"""Near-duplicate search shared by DS203 (duplicates) and DS302 (leakage): the MinHash options,
their banding, how the report records them, and verified pairs between representative rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, NamedTuple

import numpy as np
from pydantic import Field, model_validator

from dslint.check import RuleOptions
from dslint.checks._shared.tables import NORM, Chunk, Frame, groups
from dslint.minhash import EMPTY, MinHashConfig, SignatureTable, band_keys, lsh_params, near_duplicate_pairs


class MinHashOptions(RuleOptions):
    """How near-duplicates are found; shared by DS203 and DS302."""

    threshold: float = Field(0.8, gt=0, le=1, description="Estimated Jaccard similarity at or above which two records are near-duplicates.")
    shingle: Literal["word", "char"] = Field("word", description="Shingles are word n-grams or character n-grams of the normalised text.")
    shingle_size: int = Field(5, ge=1, le=64, description="Words (or characters) per shingle.")
    num_perm: int = Field(128, ge=16, le=1024, description="Signature length (MinHash permutations).")
    bands: int | None = Field(None, ge=1, description="LSH bands; default: derived from threshold and num-perm.")
    rows: int | None = Field(None, ge=1, description="Signature positions per LSH band; set together with bands.")
    seed: int = Field(1, ge=0, le=2**32 - 1, description="Seed of the shingle hash and the signature.")

    @model_validator(mode="after")
    def _banding(self) -> MinHashOptions:
        if (self.bands is None) != (self.rows is None):
            raise ValueError("set both bands and rows, or neither")
        if self.bands is not None and self.rows is not None and self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands x rows ({self.bands * self.rows}) exceeds num-perm ({self.num_perm})")
        return self



def minhash_config(opts: MinHashOptions) -> MinHashConfig:
    return MinHashConfig(shingle=opts.shingle, size=opts.shingle_size, num_perm=opts.num_perm, seed=opts.seed)


def banding(opts: MinHashOptions) -> tuple[int, int]:
    if opts.bands is not None and opts.rows is not None:
        return opts.bands, opts.rows
    return lsh_params(opts.threshold, opts.num_perm)


def minhash_settings(opts: MinHashOptions) -> dict[str, Any]:
    """The near-duplicate settings as the report records them."""
    bands, rows = banding(opts)
    return {
        "threshold": opts.threshold,
        "shingle": opts.shingle,
        "shingle_size": opts.shingle_size,
        "num_perm": opts.num_perm,
        "bands": bands,
        "rows": rows,
        "seed": opts.seed,
        "signature": "one-permutation MinHash, optimal densification",
        "verification": "Jaccard estimated from the full signatures",
    }


class RepPairs(NamedTuple):
    valid: np.ndarray  # rows with a signature (some text)
    rep_of: np.ndarray  # per valid row, the first row with its key and normalised text
    reps: np.ndarray  # the rows that are their own rep: one LSH entry each
    pairs: np.ndarray  # (m, 2) verified near-duplicate pairs, as indices into reps
    sims: np.ndarray  # their estimated Jaccard similarity


def rep_pairs(
    frame: Frame, key: np.ndarray, opts: MinHashOptions, allow: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> RepPairs:
    """Verified near-duplicate pairs between rows whose keys ``allow`` accepts. Rows with the
    same key and equal normalised text are one LSH entry (their first row), so copies cost nothing."""
    n = frame.n
    sigs = frame.sigs if frame.sigs is not None else SignatureTable([np.full((n, 1), EMPTY)])
    valid = sigs.valid()
    rep_of, _ = groups([key, frame.column(NORM)], valid)
    reps = np.flatnonzero(rep_of == np.arange(n))
    rep_key = key[reps]
    bands, rows = banding(opts)
    pairs, sims = near_duplicate_pairs(
        sigs.subset(reps), opts.threshold, bands, rows, opts.seed,
        allow=lambda p: allow(rep_key[p[:, 0]], rep_key[p[:, 1]]),
    )
    return RepPairs(valid, rep_of, reps, pairs, sims)


def lsh_keys(chunks: list[Chunk], opts: MinHashOptions) -> tuple[np.ndarray, np.ndarray]:
    """The LSH bucket keys of every row with a signature, all bands (rows numbered through
    ``chunks``): two rows are candidates in ``rep_pairs`` only when they share one of these."""
    if not chunks or any(c.sigs is None for c in chunks):
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    table = SignatureTable([c.sigs for c in chunks if c.sigs is not None])
    valid = np.flatnonzero(table.valid())
    bands, rows = banding(opts)
    keys = np.stack([band_keys(table, band, rows, opts.seed)[valid] for band in range(bands)], axis=1)
    return keys.ravel(), np.repeat(valid, bands)
