"""Mergeable length statistics: log-scale bucket histograms and bounded lists of extreme fields.

A ``Group`` summarises the lengths of one (split, field role) in a fixed number of integer
buckets (16 per doubling, computed with integer arithmetic only, so every machine buckets alike)
plus exact count, sum, min and max, and keeps the K longest and K shortest fields with their
locations. Merging adds the histograms and keeps the K most extreme of both lists under a total
order, so it is associative and commutative and the result never depends on sharding. Medians,
percentiles and the MAD come from the histogram (within 1/16 of a doubling, about 4%).
"""

from __future__ import annotations

import heapq
import math
from bisect import insort
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

SUB_BUCKETS = 16  # per doubling of (length + 1); must be a power of two
_SUB_BITS = SUB_BUCKETS.bit_length() - 1
MAD_SCALE = 0.6745  # makes the MAD of a normal distribution comparable to its standard deviation
MIN_MAD = math.log2(1 + 1 / SUB_BUCKETS)  # one bucket: the histogram cannot resolve less

# (sort key, file, record index, JSON pointer, line, content hash); the sort key is -length in
# `longest` and length in `shortest`, so both lists are ascending and the head is the most extreme.
Candidate = tuple[int, str, int, str, int | None, str]


def bucket(length: int) -> int:
    """The bucket of a length: the position of the leading bit of length + 1, refined by the next
    four bits (exact for lengths below 31)."""
    m = length + 1
    octave = m.bit_length() - 1
    sub = ((m << _SUB_BITS) >> octave) & (SUB_BUCKETS - 1)
    return octave * SUB_BUCKETS + sub


def buckets(lengths: np.ndarray) -> np.ndarray:
    """``bucket`` of each of an int64 array of lengths. frexp's exponent is the bit length of
    length + 1 (exact: lengths are far below 2**53)."""
    m = lengths + 1
    octave = np.frexp(m)[1].astype(np.int64) - 1
    sub = ((m << _SUB_BITS) >> octave) & (SUB_BUCKETS - 1)
    return octave * SUB_BUCKETS + sub


def bucket_value(b: int) -> float:
    """The middle of the lengths that fall into bucket ``b``."""
    octave, sub = divmod(b, SUB_BUCKETS)
    low = ((SUB_BUCKETS + sub) << octave) >> _SUB_BITS  # smallest length + 1 in the bucket
    high = ((SUB_BUCKETS + sub + 1) << octave) >> _SUB_BITS  # one past the largest
    return (low + max(high, low + 1) - 1) / 2 - 1


@dataclass
class Group:
    """The lengths of one (split, field role), in one unit (characters or tokens)."""

    hist: Counter[int] = field(default_factory=Counter)
    count: int = 0
    total: int = 0
    min: int = 0
    max: int = 0
    longest: list[Candidate] = field(default_factory=list)
    shortest: list[Candidate] = field(default_factory=list)

    def add(self, length: int) -> None:
        self.hist[bucket(length)] += 1
        if length < self.min or not self.count:
            self.min = length
        if length > self.max:
            self.max = length
        self.count += 1
        self.total += length

    def add_many(self, lengths: np.ndarray) -> None:
        """``add`` of each of an int64 array of lengths, in one go."""
        if not len(lengths):
            return
        found, counts = np.unique(buckets(lengths), return_counts=True)
        for b, n in zip(found.tolist(), counts.tolist()):
            self.hist[b] += n
        low, high = int(lengths.min()), int(lengths.max())
        self.min = low if not self.count else min(self.min, low)
        self.max = max(self.max, high)
        self.count += len(lengths)
        self.total += int(lengths.sum())

    def would_keep(self, length: int, keep: int) -> tuple[bool, bool]:
        """Whether a text of ``length`` may enter (longest, shortest): a cheap test that spares
        building candidates for the common case (``offer`` decides ties exactly)."""
        if keep <= 0:
            return False, False
        longer = len(self.longest) < keep or length >= -self.longest[-1][0]
        shorter = len(self.shortest) < keep or length <= self.shortest[-1][0]
        return longer, shorter

    def offer(self, side: list[Candidate], candidate: Candidate, keep: int) -> None:
        """Keep ``candidate`` if it is among the ``keep`` most extreme of ``side``."""
        if keep <= 0 or (len(side) >= keep and candidate >= side[-1]):
            return
        insort(side, candidate)
        if len(side) > keep:
            side.pop()

    def merged(self, other: Group, keep: int) -> Group:
        """A new group holding both (the inputs are left unchanged)."""
        counted = [g for g in (self, other) if g.count]
        return Group(
            hist=self.hist + other.hist,
            count=self.count + other.count,
            total=self.total + other.total,
            min=min((g.min for g in counted), default=0),
            max=max((g.max for g in counted), default=0),
            longest=list(heapq.merge(self.longest, other.longest))[:keep],
            shortest=list(heapq.merge(self.shortest, other.shortest))[:keep],
        )

    def percentile(self, p: float) -> int:
        """Nearest-rank percentile from the histogram, clamped to the exact min and max."""
        rank = max(1, math.ceil(p * self.count))
        seen = 0
        for b in sorted(self.hist):
            seen += self.hist[b]
            if seen >= rank:
                return min(self.max, max(self.min, round(bucket_value(b))))
        return self.max

    def summary(self, unit: str) -> dict[str, int | float | str]:
        return {
            "unit": unit,
            "count": self.count,
            "min": self.min,
            "p50": self.percentile(0.5),
            "p95": self.percentile(0.95),
            "max": self.max,
            "mean": round(self.total / self.count, 1) if self.count else 0.0,
        }

    def histogram(self) -> list[dict[str, int]]:
        """Counts per doubling of length + 1 (1, 2-3, 4-7, ...): coarse enough to chart."""
        octaves: Counter[int] = Counter()
        for b, n in self.hist.items():
            octaves[b // SUB_BUCKETS] += n
        return [{"from": (1 << o) - 1, "to": (2 << o) - 2, "count": octaves[o]} for o in sorted(octaves)]

    def log_median_mad(self) -> tuple[float, float]:
        """Median and MAD of log2(length + 1), from the histogram; the MAD is at least one bucket."""
        points = sorted((math.log2(bucket_value(b) + 1), n) for b, n in self.hist.items())
        median = _weighted_median(points, self.count)
        deviations = sorted((abs(v - median), n) for v, n in points)
        return median, max(_weighted_median(deviations, self.count), MIN_MAD)


def _weighted_median(points: list[tuple[float, int]], total: int) -> float:
    """The lower median of values given as sorted (value, count) pairs."""
    rank = (total + 1) // 2
    seen = 0
    for value, n in points:
        seen += n
        if seen >= rank:
            return value
    return points[-1][0] if points else 0.0


def robust_z(length: int, median: float, mad: float) -> float:
    """The modified z-score (Iglewicz and Hoaglin) of a length on the log scale."""
    return MAD_SCALE * (math.log2(length + 1) - median) / mad


Groups = dict[tuple[str, str], Group]


def merge_groups(a: Groups, b: Groups, keep: int) -> Groups:
    """Merge two states group by group; the result shares no mutable part with the inputs."""
    empty = Group()
    return {key: a.get(key, empty).merged(b.get(key, empty), keep) for key in sorted(set(a) | set(b))}
