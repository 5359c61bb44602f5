"""Metadata, documentation and options of the labels rules DS410-DS413: is the annotation itself
consistent?

Option names avoid `severity`, `max-count` and `max-ratio`: those keys of a rule's settings are
the policy's own (severity override and finding budgets).
"""

from __future__ import annotations


from pydantic import Field, field_validator

from dslint.check import Rule, RuleOptions
from dslint.finding import Severity


class AgreementOptions(RuleOptions):
    annotators: list[str] = Field(
        default=[],  # pydantic copies mutable defaults; a literal shows up in `dslint rule`
        description="Keys or JSON pointers of the annotator columns, e.g. [ann_1, ann_2, ann_3].",
    )
    min_kappa: float = Field(0.6, ge=-1, le=1, description="Kappa below which agreement is reported.")
    min_items: int = Field(20, ge=2, description="Fewer items rated by two or more annotators than this: no verdict.")

    @field_validator("annotators")
    @classmethod
    def _two_or_more(cls, value: list[str]) -> list[str]:
        if len(value) == 1:
            raise ValueError("agreement needs at least two annotator columns")
        if len(set(value)) != len(value):
            raise ValueError("an annotator column is listed twice")
        return value


LABEL_CONFLICT = Rule(
    code="DS410",
    name="label-conflict",
    family="labels",
    severity=Severity.WARNING,
    scope="dataset",
    summary="The same input (after normalisation) carries different labels.",
    docs="""\
What it does: Groups labelled records by their normalised text (every text field of the record:
the classification text, a KTO prompt with its completion, a mapped schema's inputs and outputs;
compared after Unicode NFKC, case folding and dropping punctuation) and reports each group whose
records disagree on the label, across all splits. The finding is located at the group's first
record and lists the first record of every other label.

Why it matters: Contradictory labels put a ceiling on accuracy and teach the model noise; in KTO
data the same completion marked both desirable and undesirable cancels out.

Example: "Where is my parcel?" labelled `track_order` in one row and `delivery_delay` in another.

Options: none.""",
)

INVERTED_PREFERENCE = Rule(
    code="DS411",
    name="inverted-preference",
    family="labels",
    severity=Severity.WARNING,
    scope="dataset",
    summary="Two preference pairs with the same prompt have their chosen and rejected answers swapped.",
    docs="""\
What it does: Reports preference pairs (every preference layout; the prompt is the explicit one or
the implicit shared prefix) with the same normalised prompt where
one pair prefers answer X over Y and another prefers Y over X, located at the first of them with
the other as related location.

Why it matters: The two pairs pull the policy in opposite directions and their gradients cancel;
inversions usually come from a column swap in one export or from merging annotators who disagree.

Example: pair A: prompt "Summarise this email", chosen X, rejected Y; pair B: same prompt, chosen
Y, rejected X.

Options: none.""",
)

LOW_AGREEMENT = Rule(
    code="DS412",
    name="low-annotator-agreement",
    family="labels",
    severity=Severity.WARNING,
    scope="dataset",
    summary="Annotators agree too little (Cohen's or Fleiss' kappa below a threshold).",
    docs="""\
What it does: For data carrying one label column per annotator (listed in `annotators`), measures
agreement beyond chance: Cohen's kappa for two annotators, Fleiss' kappa for three or more (an item
counts when at least two annotators labelled it). Reports the dataset when kappa is below
`min-kappa`, with the number of items the annotators disagree on and the first 20 of them as
related locations. Nothing is reported on fewer than `min-items` items.

Why it matters: Labels the annotators cannot agree on are labels a model cannot learn; below about
0.6 the guidelines or the label set usually need work before more data is labelled.

Example: `annotators: [ann_1, ann_2, ann_3]` on a toxicity set where Fleiss' kappa is 0.38.

Options: `annotators` (list of keys or JSON pointers, default empty: the rule is inactive),
`min-kappa` (-1 to 1, default 0.6), `min-items` (default 20).""",
    options=AgreementOptions,
)

LABEL_VARIANTS = Rule(
    code="DS413",
    name="label-variants",
    family="labels",
    severity=Severity.WARNING,
    scope="dataset",
    summary="Labels that differ only in case, spacing or punctuation.",
    docs="""\
What it does: Reports groups of labels that are the same after case folding, Unicode NFKC and
dropping punctuation and spacing (`Positive`, `positive `, `POSITIVE`; `not_spam` and `not-spam`),
located at the first record of the least common spelling, with the first record of every other
spelling as related locations.

Why it matters: Each spelling becomes its own class: the model splits one concept across several
outputs and the metrics count correct answers as errors.

Example: 3,402 records labelled `positive` and 17 labelled `Positive`.

Options: none.""",
)

LABEL_RULES = (LABEL_CONFLICT, INVERTED_PREFERENCE, LOW_AGREEMENT, LABEL_VARIANTS)
