"""Metadata, options and documentation of the duplicates rules DS201-DS204 (the check lives in
duplicates.py). Severities: copies and contradictory answers are warnings (they skew training but
do not make it invalid); near-duplicates are info, because a similarity threshold also catches
legitimately templated examples."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dslint.check import Fix, Rule, RuleOptions
from dslint.checks._shared.neardup import MinHashOptions
from dslint.finding import Severity

ScopeName = Literal["file", "split", "dataset"]
SCOPE_HELP = (
    "Where to look for copies: `file` (within each file), `split` (across the files of each split;"
    " files without a split form one group) or `dataset` (everything)."
)


class ScopeOptions(RuleOptions):
    scope: ScopeName = Field("split", description=SCOPE_HELP)


class NearDuplicateOptions(MinHashOptions):
    scope: ScopeName = Field("split", description=SCOPE_HELP)


_SCOPE_DOC = """`scope` (`file`, `split` or `dataset`; default `split`): where to look. The
default compares the files of each split together (shards of one split are one logical set) and
leaves copies across splits to the leakage rules (DS301-DS303), which report them on the
evaluation side; `dataset` reports those pairs here as well."""

# the fix of DS201-DS203
_DROP_COPY = Fix("drop-record", safe=False, does="Drops the copy and keeps the cluster's root, its first occurrence.")


EXACT_DUPLICATE = Rule(
    code="DS201",
    fix=_DROP_COPY,
    name="exact-duplicate",
    family="duplicates",
    severity=Severity.WARNING,
    scope="dataset",
    summary="A record is an exact copy of an earlier record.",
    docs=f"""\
What it does: Finds records whose whole content is identical (canonical JSON: same keys and values,
key order and whitespace ignored). Each group of copies is a cluster rooted at its first record
(smallest file, then record index); every other member is reported, with the root as the related
location and the cluster size in the metrics. Records without text fields are skipped.

Why it matters: Copies over-weight their example (the model memorises it and its style), waste
compute, and in an evaluation split count the same item twice.

Example: the same `{{"messages": [...]}}` line appears at lines 12 and 4810 of `train.jsonl`; line
4810 is reported.

Options: {_SCOPE_DOC}""",
    options=ScopeOptions,
)

NORMALIZED_DUPLICATE = Rule(
    code="DS202",
    fix=_DROP_COPY,
    name="normalized-duplicate",
    family="duplicates",
    severity=Severity.WARNING,
    scope="dataset",
    summary="A record has the same text as an earlier record once case, spacing and punctuation are ignored.",
    docs=f"""\
What it does: Compares the record's text fields in order, each normalised (Unicode NFKC, case
folded, punctuation dropped, whitespace collapsed), together with their roles and the record's
label. Records equal that way but not byte-identical (different `id`, extra metadata, "Hello!" vs
"hello") form a cluster rooted at the first one; the others are reported with the root as related
location. A record already reported as an exact copy (DS201) is not reported again.

Why it matters: These are copies in every way the model sees; they over-weight one example just
like exact copies do, and unique `id` fields hide them from naive deduplication.

Example: `{{"id": 7, "instruction": "Name the largest planet.", "output": "Jupiter."}}` and
`{{"id": 912, "instruction": "name the largest planet", "output": "Jupiter"}}`.

Options: {_SCOPE_DOC}""",
    options=ScopeOptions,
)

NEAR_DUPLICATE = Rule(
    code="DS203",
    fix=_DROP_COPY,
    name="near-duplicate",
    family="duplicates",
    severity=Severity.INFO,
    scope="dataset",
    summary="A record is nearly identical to another record (MinHash estimate of Jaccard similarity at or above the threshold).",
    docs=f"""\
What it does: Compares records by the Jaccard similarity of their shingle sets: word 5-grams of the
normalised text of every non-system field (system prompts are left out, since one long system
prompt shared by every record would make unrelated conversations look alike). Similar pairs are
found with MinHash signatures and LSH banding, and each candidate is verified against the
threshold with the similarity estimated from the full signatures. Verified pairs are joined into
clusters (union-find) rooted at their first record; each other member is reported with its
cluster, the cluster size, the root and the member it matched as related locations, and the
similarity. Records already reported by DS201 or DS202 are not reported again.

Why it matters: Paraphrased or lightly edited copies (a changed name, a trailing sentence) weigh
on training like exact copies, and scraped or synthetic data is full of them.

Example: two support answers that differ only in the product name and one sentence: estimated
Jaccard 0.86 at the default threshold 0.8.

Options: `threshold` (default 0.8): minimum estimated Jaccard similarity. `shingle` (`word` or
`char`, default `word`) and `shingle-size` (default 5): what the sets are made of. `num-perm`
(default 128): signature length; longer is more precise and slower. `bands` and `rows` (default:
derived from the threshold so that a pair at the threshold becomes a candidate with probability
0.99): the LSH banding. `seed` (default 1): the hash seed. The report records them in
`stats.duplicates.near_duplicates`.
{_SCOPE_DOC}""",
    options=NearDuplicateOptions,
)

CONFLICTING_OUTPUTS = Rule(
    code="DS204",
    name="conflicting-outputs",
    family="duplicates",
    severity=Severity.WARNING,
    scope="dataset",
    summary="The same input appears with different outputs.",
    docs=f"""\
What it does: Groups records by their normalised input (system, user and prompt fields with their
roles) and reports every record whose learned output differs from the output of the group's first
record, naming that record as related location and the number of distinct outputs. Preference
data in every layout (preference, sharegpt-ranking, openai-preference) and KTO data, where one
prompt has several responses by design, are not checked, and neither are
classification rows, which have no output text (label disagreements are DS410 label-conflict).

Why it matters: The model is taught two answers to one question: it learns to hedge or picks one
at random, and an answer fixed in one copy survives in the other.

Example: "What is the capital of Australia?" answered "Canberra." in one record and "Sydney." in
another.

Options: {_SCOPE_DOC}""",
    options=ScopeOptions,
)

DUPLICATE_RULES = (EXACT_DUPLICATE, NORMALIZED_DUPLICATE, NEAR_DUPLICATE, CONFLICTING_OUTPUTS)
