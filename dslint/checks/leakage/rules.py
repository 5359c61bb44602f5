"""Metadata, options and documentation of the leakage rules DS301-DS304 (the check lives in
leakage.py). Leakage is reported on the evaluation side: of two matching records, the one in the
later split (train < validation < test), with the earlier one as related location.

Severities: a copy or near-copy of an evaluation example in an earlier split inflates the
metrics measured on it, so those are errors; a shared prompt with a different answer, or a shared
13-word span, is evidence of contamination that can be benign (a common question, boilerplate),
so those are warnings."""

from __future__ import annotations

from pydantic import Field

from dslint.check import Fix, Rule, RuleOptions
from dslint.checks._shared.neardup import MinHashOptions
from dslint.finding import Severity


class ContaminationOptions(RuleOptions):
    ngram: int = Field(13, ge=3, le=64, description="Words per n-gram (normalised words).")
    min_matches: int = Field(1, ge=1, description="Shared n-grams needed before an item counts as contaminated.")
    against: list[str] = Field(
        default_factory=list,
        description="Benchmark files, folders or globs (relative to the working directory) whose items must not appear in training data.",
    )


_SPLITS = """Only files whose split is `train`, `validation` or `test` (from their names or the
config's `splits`) take part."""

# the fix of DS301-DS302
_DROP_LEAKED = Fix("drop-record", safe=False, does="Drops one side of the leak: the copy in the earlier split (train) by default, the evaluation record with `--drop-leaked eval`.")


LEAKED_EXAMPLE = Rule(
    code="DS301",
    fix=_DROP_LEAKED,
    name="leaked-example",
    family="leakage",
    severity=Severity.ERROR,
    scope="dataset",
    summary="An evaluation record also appears, identical or identical after normalisation, in an earlier split.",
    docs=f"""\
What it does: Finds records of the validation or test split whose content is identical to a
record of an earlier split (train before validation before test), or identical after
normalisation of their text fields (case, spacing, punctuation) and label. The evaluation-side
record is reported; the first matching record of the earliest split is the related location, and
`match` in the metrics says `exact` or `normalized`. {_SPLITS}

Why it matters: The model is evaluated on an example it was trained on (or tuned on), so the
score measures memorisation; the classic source is deduplicating after, not before, the split.

Example: `test.jsonl:41` is byte-identical to `train.jsonl:9902`.

Options: none.""",
)

LEAKED_NEAR_DUPLICATE = Rule(
    code="DS302",
    fix=_DROP_LEAKED,
    name="leaked-near-duplicate",
    family="leakage",
    severity=Severity.ERROR,
    scope="dataset",
    summary="An evaluation record is a near-duplicate (MinHash estimate of Jaccard similarity at or above the threshold) of a record in an earlier split.",
    docs=f"""\
What it does: Compares the records of different splits by the Jaccard similarity of their shingle
sets, as DS203 does within a split: MinHash signatures and LSH banding find candidates, each is
verified against the threshold with the similarity estimated from the full signatures. Each
evaluation record with a match in an earlier split is reported once, with the best match of the
earliest split as related location and the estimated similarity in the metrics. Records already
reported by DS301 are not reported again, and a record without output text (a classification
row) whose input is shared is left to DS303. {_SPLITS}

Why it matters: A test question rephrased slightly, or a training answer with one sentence added,
leaks the answer as surely as a copy, and it survives exact deduplication.

Example: a test item that differs from a training item only in the numbers of a word problem's
story and one changed sentence: estimated Jaccard 0.84.

Options: the near-duplicate options of DS203: `threshold` (default 0.8), `shingle` (default
`word`), `shingle-size` (default 5), `num-perm` (default 128), `bands` and `rows` (default:
derived from the threshold), `seed` (default 1). They are recorded in the report's
`stats.leakage.near_duplicates`.""",
    options=MinHashOptions,
)

PROMPT_LEAK = Rule(
    code="DS303",
    name="leaked-prompt",
    family="leakage",
    severity=Severity.WARNING,
    scope="dataset",
    summary="An evaluation record has the same input as a record in an earlier split, with a different output.",
    docs=f"""\
What it does: Compares the normalised input of records (system, user and prompt fields with their
roles; the text of a classification row) across splits and reports evaluation records whose
input appears in an earlier split while their output (the learned response, or the label)
differs. Records already reported by DS301 or DS302 are not reported again. {_SPLITS}

Why it matters: The model has seen the evaluation question during training. Even with another
answer it has learned the prompt, and for classification the same text with another label is a
contradiction the metric will punish or reward by chance (DS410 label-conflict reports the
contradiction itself; this rule reports the leak, on the evaluation record).

Example: "Summarise the following email: ..." in `train.jsonl` and in `test.jsonl` with a
different reference summary.

Options: none.""",
)

NGRAM_CONTAMINATION = Rule(
    code="DS304",
    name="ngram-contamination",
    family="leakage",
    severity=Severity.WARNING,
    scope="dataset",
    summary="Training text contains a 13-word span of an evaluation item or of a named benchmark.",
    docs=f"""\
What it does: Takes the n-grams (13 normalised words by default) of every validation and test
record and looks them up in the text of the training records (system prompts excluded on both
sides). An evaluation record sharing at least `min-matches` n-grams is reported, with the
training record that has the first shared n-gram as related location, the share of its n-grams
found, and the longest shared span as the snippet (normalised text, with every word that could
be part of a secret, one holding a digit or of 8+ characters, masked). Benchmark files named in `against` are
checked the same way, but the report is on the training record that contains benchmark text,
with the benchmark item as related location. Evaluation records already reported by DS301-DS303
are not reported again, and records shorter than one n-gram are not checked.
{_SPLITS}

Why it matters: Overlap of long word sequences is the standard contamination test (GPT-3, the
Llama and PaLM reports): a benchmark question pasted into a forum post that was scraped into the
training data leaks the benchmark even when the records are not duplicates.

Example: `rules: {{DS304: {{against: [benchmarks/gsm8k_test.jsonl]}}}}` reports a training record
that quotes a GSM8K problem word for word inside a longer conversation.

Options: `ngram` (default 13): words per n-gram. `min-matches` (default 1): shared n-grams needed.
`against` (list of files, folders or glob patterns relative to the working directory, default
empty): benchmark files in any format dslint reads (JSONL, JSON, CSV, Parquet); a path that does
not exist is a configuration error.
Memory: evaluation n-grams are kept as 64-bit hashes with their record and position, and training
n-grams as 64-bit hashes with the record they first appear in (12 bytes each, deduplicated per
batch of records); benchmarks are matched while the training data is read, so only matches
are kept for them.""",
    options=ContaminationOptions,
)

LEAKAGE_RULES = (LEAKED_EXAMPLE, LEAKED_NEAR_DUPLICATE, PROMPT_LEAK, NGRAM_CONTAMINATION)
