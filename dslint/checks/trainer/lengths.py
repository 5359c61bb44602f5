"""How a trainer fits a measured row into its maximum length: keep, drop or truncate.

A row is a list of segments (token count, trainable) in sequence order. Truncation keeps a
prefix (right) or a suffix (left) of the tokens; LLaMA-Factory instead walks the turns and
shares what is left of ``cutoff_len`` between each prompt and response (``infer_seqlen``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dslint.tokens import flagged_in_first

Segment = tuple[int, bool]  # (tokens, trainable)


@dataclass(frozen=True, slots=True)
class Fit:
    tokens: int
    trainable: int
    kept: int  # tokens left after truncation (all of them when the row fits)
    kept_trainable: int
    dropped: bool = False

    @property
    def truncated(self) -> bool:
        return not self.dropped and self.kept < self.tokens


def fit(segments: Sequence[Segment], max_length: int | None, overflow: str, side: str, pairs: bool = False) -> Fit:
    """What the trainer keeps of a row. ``pairs``: LLaMA-Factory's per-turn ``infer_seqlen``."""
    tokens = sum(n for n, _ in segments)
    trainable = sum(n for n, t in segments if t)
    if max_length is None or tokens <= max_length:
        return Fit(tokens, trainable, tokens, trainable)
    if overflow == "drop":
        return Fit(tokens, trainable, 0, 0, dropped=True)
    if pairs:
        kept, kept_trainable = _turn_pairs(segments, max_length)
        return Fit(tokens, trainable, kept, kept_trainable)
    ordered = segments if side == "right" else list(reversed(segments))
    return Fit(tokens, trainable, max_length, flagged_in_first(ordered, max_length))


def infer_seqlen(source_len: int, target_len: int, cutoff_len: int) -> tuple[int, int]:
    """LLaMA-Factory's ``infer_seqlen``: the lengths kept of one (prompt, response) turn."""
    if target_len * 2 < cutoff_len:  # truncate the source only
        max_target_len = cutoff_len
    elif source_len * 2 < cutoff_len:  # truncate the target only
        max_target_len = cutoff_len - source_len
    else:  # truncate both, in proportion
        max_target_len = int(cutoff_len * (target_len / (source_len + target_len)))
    new_target_len = min(max_target_len, target_len)
    max_source_len = max(cutoff_len - new_target_len, 0)
    new_source_len = min(max_source_len, source_len)
    return new_source_len, new_target_len


def _turn_pairs(segments: Sequence[Segment], cutoff_len: int) -> tuple[int, int]:
    """Pairs are (input tokens before a trainable segment, that segment); input after the last
    trainable segment is a last pair without a response. Turns after ``cutoff_len`` is reached
    are left out whole, as LLaMA-Factory's encoder does."""
    pairs: list[tuple[int, int]] = []
    source = 0
    for n, t in segments:
        if t:
            pairs.append((source, n))
            source = 0
        else:
            source += n
    if source:
        pairs.append((source, 0))
    total = kept_trainable = 0
    for source_len, target_len in pairs:
        if total >= cutoff_len:
            break
        s, t = infer_seqlen(source_len, target_len, cutoff_len - total)
        total += s + t
        kept_trainable += t
    return total, kept_trainable
