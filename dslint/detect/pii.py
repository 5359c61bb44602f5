"""Run the PII and secret detectors over a text: which ones, in which order, and how their hits
combine. The DS5xx check and snippet redaction (dslint.redact) both go through ``scan``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from dslint.detect.numbers import (
    CLUSTER,
    digit_clusters,
    find_cards,
    find_ibans,
    find_ipv4,
    find_ipv6,
    find_ssns,
)
from dslint.detect.phones import REGIONS, find_phones
from dslint.detect.patterns import (
    DEFAULT_SECRET_NAMES,
    Hit,
    find_credentials,
    find_emails,
    find_private_keys,
    find_tokens,
    names_pattern,
)
from dslint.detect.secrets import HINTS
from dslint.prefilter import Haystack, may_match_each

# Detectors in the order they claim text: a span an earlier one reported (a token, an email) is not
# reported again by a later one (a phone number inside it).
KINDS = ("private-key", "token", "credential", "email", "iban", "card", "ssn", "ip", "phone")
_NUMERIC_KINDS = frozenset({"iban", "card", "ssn", "ip", "phone"})


@dataclass(frozen=True)
class ScanConfig:
    """Which detectors run and how. ``validate=False`` (redaction) keeps shapes that fail a
    checksum or a plausibility test: masking too much in a snippet is harmless."""

    kinds: frozenset[str] = frozenset(KINDS)
    regions: tuple[str, ...] = REGIONS
    secret_names: tuple[str, ...] = DEFAULT_SECRET_NAMES
    validate: bool = True
    names_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    keywords: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names_re", names_pattern(self.secret_names))
        # Cheap pre-filter: the last word of some name must appear in the lower-cased text
        # ("key" stands for apikey too: a word containing another is left out).
        words = {re.split(r"[_-]", n.lower())[-1] for n in self.secret_names} | {"bearer"}
        minimal = {w for w in words if not any(o != w and o in w for o in words)}
        object.__setattr__(self, "keywords", tuple(sorted(minimal)))


# --- the scan --------------------------------------------------------------------------------


# Invisible characters that split a value without showing (zero-width space, soft hyphen, bidi
# marks, tag characters): a value is detected, and masked, as if they were not there.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\U000e0000-\U000e007f]")


def _scan_visible(text: str, config: ScanConfig) -> list[Hit]:
    """``scan`` of the text without its invisible characters; offsets point into ``text``."""
    kept = [i for i, ch in enumerate(text) if not INVISIBLE.match(ch)]
    hits = scan("".join(text[i] for i in kept), config)
    return [replace(h, start=kept[h.start], end=kept[h.end - 1] + 1) for h in hits]


def scan(text: str, config: ScanConfig) -> list[Hit]:
    """Every hit of the configured detectors in ``text``, non-overlapping, in text order."""
    if not text.isascii() and INVISIBLE.search(text):
        return _scan_visible(text, config)
    kinds, validate = config.kinds, config.validate
    found: list[Iterable[Hit]] = []
    if "private-key" in kinds:
        found.append(find_private_keys(text, validate))
    if "token" in kinds:
        found.append(find_tokens(text, validate))
    if "credential" in kinds:
        found.append(find_credentials(text, config.names_re, config.keywords, validate))
    if "email" in kinds:
        found.append(find_emails(text, validate))
    clusters = digit_clusters(text) if kinds & _NUMERIC_KINDS else []
    if clusters:
        # Every IBAN holds a run of 7+ digits (its account number): no cluster, no IBAN.
        if "iban" in kinds:
            found.append(find_ibans(text, validate))
        if "card" in kinds:
            found.append(find_cards(text, clusters, validate))
        if "ssn" in kinds:
            found.append(find_ssns(text, clusters, validate))
        if "ip" in kinds:
            found.append(find_ipv4(text, clusters, validate))
        if "phone" in kinds:
            found.append(find_phones(text, clusters, config.regions, validate))
    if "ip" in kinds:
        found.append(find_ipv6(text, validate))
    hits: list[Hit] = []
    for detected in found:
        new = list(detected)
        if new:
            # Longest first where two candidates start together (a national number in a longer one).
            new.sort(key=lambda h: (h.start, -h.end))
            hits = merge_hits(hits, new)
    return hits


def merge_hits(claimed: list[Hit], new: list[Hit]) -> list[Hit]:
    """Add the ``new`` hits that overlap neither a claimed one nor an earlier new one; one sweep
    over both sorted lists, so thousands of hits in one text stay linear."""
    if not new:
        return claimed
    out: list[Hit] = []
    i = 0
    last_end = -1
    for hit in new:
        while i < len(claimed) and claimed[i].end <= hit.start:
            out.append(claimed[i])
            i += 1
        if hit.start < last_end or (i < len(claimed) and claimed[i].start < hit.end):
            continue
        out.append(hit)
        last_end = hit.end
    out.extend(claimed[i:])
    return out


REDACTION = ScanConfig(validate=False)


# --- which detectors a text needs ---------------------------------------------------------------

_PRIVATE_KEY = re.compile("PRIVATE KEY")
_AT = re.compile("@")
_TWO_COLONS = re.compile(":[0-9A-Fa-f]{0,4}:")


def _triggers(config: ScanConfig) -> tuple[tuple[frozenset[str], re.Pattern[str]], ...]:
    """Pairs (detectors, regex): in a text the regex matches nowhere, those detectors find nothing.
    No match crosses a NUL line, so texts joined with one need what any of them needs."""
    names = config.names_re.pattern
    return (
        (frozenset({"private-key"}), _PRIVATE_KEY),
        (frozenset({"token"}), HINTS),  # every token of the catalogue holds one of its hints
        # a secret name (matched in lower case, so in any case), then find_credentials's
        # assignment up to its operator; or a bearer token
        (frozenset({"credential"}), re.compile(rf"(?i:{names})[\w.-]{{0,24}}[\"']?[ \t]{{0,3}}[:=]|[Bb]earer[ \t]")),
        (frozenset({"email"}), _AT),
        (_NUMERIC_KINDS, CLUSTER),  # all of them but IPv6 search only inside digit clusters
        (frozenset({"ip"}), _TWO_COLONS),  # an IPv6 address's first two colons are at most 5 apart
        (frozenset(KINDS), INVISIBLE),  # scan drops them and searches what is left
    )


def needed_kinds(texts: Sequence[str], config: ScanConfig, haystack: Haystack | None = None) -> np.ndarray:
    """Per text, a bit mask of the detectors (bit ``i``: ``KINDS[i]``) that may find something in
    it; any other finds nothing. The triggers run over all the texts at once with RE2
    (``dslint.prefilter.may_match_each``; ``haystack``: the texts already encoded)."""
    triggers = _triggers_of(config)
    masks = np.zeros(len(texts), dtype=np.int64)
    for (kinds, _), found in zip(triggers, may_match_each([regex for _, regex in triggers], texts, haystack)):
        masks[found] |= _bits(kinds & config.kinds)
    return masks


@lru_cache(maxsize=16)
def _triggers_of(config: ScanConfig) -> tuple[tuple[frozenset[str], re.Pattern[str]], ...]:
    return tuple((kinds, regex) for kinds, regex in _triggers(config) if kinds & config.kinds)


def _bits(kinds: Iterable[str]) -> int:
    return sum(1 << KINDS.index(kind) for kind in kinds)


@lru_cache(maxsize=256)
def narrowed(config: ScanConfig, mask: int) -> ScanConfig:
    """``config`` running only the detectors of ``mask`` (a bit mask from ``needed_kinds``)."""
    return replace(config, kinds=frozenset(kind for i, kind in enumerate(KINDS) if mask >> i & 1))


def mask(text: str, hits: Iterable[Hit]) -> str:
    """``text`` with every hit replaced by its masked form (hits sorted and non-overlapping)."""
    parts, pos = [], 0
    for hit in hits:
        parts += [text[pos : hit.start], hit.masked]
        pos = hit.end
    parts.append(text[pos:])
    return "".join(parts)
