"""Metadata, documentation and options of the imbalance rules DS401-DS408: label and field
distributions per split, and whether the splits themselves make sense.

Option names avoid `severity`, `max-count` and `max-ratio`: those keys of a rule's settings are
the policy's own (severity override and finding budgets).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from dslint.check import Rule, RuleOptions
from dslint.finding import Severity


class ClassImbalanceOptions(RuleOptions):
    max_imbalance: float = Field(
        10.0, ge=1, description="Largest accepted ratio of the most to the least common label's count."
    )


class RareClassOptions(RuleOptions):
    min_count: int = Field(
        10, ge=0, description="Labels with fewer records than this in a split are reported (0: off)."
    )
    min_share: float = Field(
        0.001, ge=0, le=1, description="Labels carried by a smaller share of a split's labelled records are reported (0: off)."
    )


class LabelDriftOptions(RuleOptions):
    method: Literal["jensen-shannon", "chi-square"] = Field(
        "jensen-shannon", description="How distributions are compared: Jensen-Shannon distance or a chi-square test."
    )
    max_distance: float = Field(
        0.1, ge=0, le=1, description="Largest accepted Jensen-Shannon distance (base 2, 0 to 1)."
    )
    alpha: float = Field(0.001, gt=0, lt=1, description="Chi-square p-value below which the distributions differ.")
    min_records: int = Field(50, ge=1, description="Splits with fewer labelled records than this are not compared.")


class EmptySplitOptions(RuleOptions):
    expected_splits: list[str] = Field(
        default=[],  # pydantic copies mutable defaults; a literal shows up in `dslint rule`
        description="Split names that must hold records, e.g. [train, validation, test].",
    )


class EvalLargerOptions(RuleOptions):
    max_size_ratio: float = Field(
        1.0, gt=0, description="Largest accepted ratio of an evaluation split's records to train's."
    )


class EvalTooSmallOptions(RuleOptions):
    min_records: int = Field(100, ge=1, description="Evaluation splits with fewer records than this are reported.")


class FieldImbalanceOptions(RuleOptions):
    fields: list[str] = Field(
        default=[],  # pydantic copies mutable defaults; a literal shows up in `dslint rule`
        description="JSON pointers (or top-level keys) whose values are counted, e.g. [/source, /messages/0/content].",
    )
    max_share: float = Field(
        0.9, gt=0, le=1, description="Largest accepted share of a split's records for one value."
    )
    max_imbalance: float = Field(
        20.0, ge=1, description="Largest accepted ratio of the most to the least common value's count."
    )

    @field_validator("fields", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


CLASS_IMBALANCE = Rule(
    code="DS401",
    name="class-imbalance",
    family="imbalance",
    severity=Severity.WARNING,
    scope="dataset",
    summary="A split's most common label outnumbers its least common one beyond a ratio, or a split has a single label.",
    docs="""\
What it does: Counts the labels of each split (the `label` of classification and KTO records, the
configured `fields.label` of a mapped schema; each element of a multi-label list counts once) and
reports a split whose most common label has more than `max-imbalance` times the records of its
least common one (a tie is balanced). A split whose labelled records all carry the same label is
reported too. Records of files without a split are counted together as the unsplit records. Labels
are counted per task, a format and its label field ("kto /label", "classification /label"): a KTO
file and a classifier's CSV in one split are two distributions, and messages name the task when
a dataset has several. DS402-DS404 count the same way.

Why it matters: A classifier trained on 95% `no_issue` learns to answer `no_issue`; accuracy on
such a split hides that the minority classes are never predicted. A KTO set with far more
undesirable than desirable completions needs its loss weights adjusted.

Example: an intent set whose train split has 2,400 `check_balance` and 40 `report_fraud` records
(60x).

Options: `max-imbalance` (number >= 1, default 10): the largest accepted ratio.""",
    options=ClassImbalanceOptions,
)

RARE_CLASS = Rule(
    code="DS402",
    name="rare-class",
    family="imbalance",
    severity=Severity.WARNING,
    scope="dataset",
    summary="A label has too few records, or too small a share, in a split.",
    docs="""\
What it does: Reports each label of a split with fewer than `min-count` records or a share of the
split's labelled records below `min-share`, located at the label's first record in that split.

Why it matters: A model cannot learn a class from a handful of examples, and per-class metrics on
three test records are noise. Rare labels are also often typos of a common one.

Example: `cancel_subscription` appears 4 times in a 3,000-record train split.

Options: `min-count` (integer, default 10) and `min-share` (0-1, default 0.001); 0 turns a
criterion off.""",
    options=RareClassOptions,
)

LABEL_NOT_IN_TRAIN = Rule(
    code="DS403",
    name="label-not-in-train",
    family="imbalance",
    severity=Severity.ERROR,
    scope="dataset",
    summary="A label appears in an evaluation split but never in train.",
    docs="""\
What it does: Reports each label present in a validation, test or other evaluation split and
absent from the train split, located at its first evaluation record. Runs only when the train
split has labelled records.

Why it matters: The model can never predict a class it was not trained on; every evaluation record
with that label counts as an error, and it usually means the splits were cut from different label
schemes or a label was renamed in one export only.

Example: `test.jsonl` uses `refund_request` while `train.jsonl` only knows `refund`.

Options: none.""",
)

LABEL_DRIFT = Rule(
    code="DS404",
    name="label-drift",
    family="imbalance",
    severity=Severity.WARNING,
    scope="dataset",
    summary="An evaluation split's label distribution differs from train's beyond a threshold.",
    docs="""\
What it does: Compares the label distribution of every evaluation split with train's, either by
the Jensen-Shannon distance (base 2: 0 for identical distributions, 1 for disjoint ones) or by a
chi-square test of homogeneity, and reports the split when they differ; the message names the
label whose share moved most. Splits with fewer than `min-records` labelled records are not
compared. Both figures are in the finding's metrics and in the `labels` stats.

Why it matters: A metric measured on a differently distributed split does not estimate performance
on the training distribution; a sudden drift is often a sampling or join bug.

Example: `positive` is 50% of train but 85% of validation (distance 0.32).

Options: `method` (`jensen-shannon` or `chi-square`, default `jensen-shannon`), `max-distance`
(0-1, default 0.1), `alpha` (p-value, default 0.001, used by `chi-square`), `min-records`
(default 50). The chi-square test finds tiny differences significant on large splits; the distance
is the better default.""",
    options=LabelDriftOptions,
)

EMPTY_SPLIT = Rule(
    code="DS405",
    name="empty-split",
    family="imbalance",
    severity=Severity.ERROR,
    scope="dataset",
    summary="A split listed in `expected-splits` has no records.",
    docs="""\
What it does: Reports each split named in `expected-splits` that no linted record belongs to: its
files are missing, matched by no path, or empty. Splits come from the config's `splits` table or
from file and folder names (`train`, `validation`/`dev`/`val`, `test`). An empty file is also
reported by DS118 on its own; this rule sees the split as a whole.

Why it matters: A pipeline that silently evaluates on nothing reports a meaningless score, and a
missing train split means the job trains on nothing at all.

Example: with `expected-splits: [train, validation, test]`, the data folder holds `train.jsonl` and
`test.jsonl` but `validation.jsonl` was never exported.

Options: `expected-splits` (list of split names, default empty: the rule reports nothing until
it is set).""",
    options=EmptySplitOptions,
)

EVAL_LARGER_THAN_TRAIN = Rule(
    code="DS406",
    name="eval-larger-than-train",
    family="imbalance",
    severity=Severity.WARNING,
    scope="dataset",
    summary="An evaluation split has more records than the train split.",
    docs="""\
What it does: Reports an evaluation split (any split but train) with more than `max-size-ratio`
times as many records as train. Runs only when the train split has records.

Why it matters: It almost always means the files were swapped or the split was cut the wrong way
round, and the model trains on the smaller part of the data.

Example: `train.jsonl` with 1,000 records and `test.jsonl` with 9,000.

Options: `max-size-ratio` (number > 0, default 1.0).""",
    options=EvalLargerOptions,
)

EVAL_TOO_SMALL = Rule(
    code="DS407",
    name="eval-split-too-small",
    family="imbalance",
    severity=Severity.WARNING,
    scope="dataset",
    summary="An evaluation split has too few records to measure anything reliably.",
    docs="""\
What it does: Reports an evaluation split (any split but train) with fewer than `min-records`
records; the message gives the 95% margin of error of an accuracy measured on it (about
98/sqrt(n) points at worst).

Why it matters: On 40 examples an accuracy of 80% means anything between 65% and 95%, so model
comparisons on that split are noise.

Example: `validation.jsonl` with 37 records.

Options: `min-records` (integer, default 100).""",
    options=EvalTooSmallOptions,
)

FIELD_IMBALANCE = Rule(
    code="DS408",
    name="field-imbalance",
    family="imbalance",
    severity=Severity.WARNING,
    scope="dataset",
    summary="One value of a configured field dominates a split, or its values are very unevenly represented.",
    docs="""\
What it does: Counts, per split, the values found at each JSON pointer listed in `fields` (a
system prompt at `/messages/0/content`, a `/source`, `/language` or `/task` column; a record
without the field counts as "no value") and reports a split where one value holds more than
`max-share` of the records, or the most common value has more than `max-imbalance` times the
records of the least common one. A field with a single value is not reported, and neither is one
with more than 1,000 distinct values in a split (it is not a category).

Why it matters: A chat set where 95% of the examples share one system prompt teaches the model to
ignore the others; a mixture dominated by one source or language is not the mixture you meant.

Example: `fields: [/source]` and a train split with 9,300 `sharegpt` records, 500 `dolly` and 12
`oasst`.

Options: `fields` (list of JSON pointers or top-level keys, default empty: nothing is counted),
`max-share` (0-1, default 0.9), `max-imbalance` (number >= 1, default 20).""",
    options=FieldImbalanceOptions,
)

IMBALANCE_RULES = (
    CLASS_IMBALANCE,
    RARE_CLASS,
    LABEL_NOT_IN_TRAIN,
    LABEL_DRIFT,
    EMPTY_SPLIT,
    EVAL_LARGER_THAN_TRAIN,
    EVAL_TOO_SMALL,
    FIELD_IMBALANCE,
)
