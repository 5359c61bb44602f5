"""The labels check family (DS410-DS413): is the annotation itself consistent?

``LabelConflictCheck`` (DS410: one input, several labels), ``InvertedPreferenceCheck`` (DS411:
chosen and rejected swapped between pairs), ``AnnotatorAgreementCheck`` (DS412: Cohen's or
Fleiss' kappa over annotator columns) and ``LabelVariantsCheck`` (DS413: one label spelt several
ways). Rule metadata lives in ``rules.py``.
"""

from __future__ import annotations

from dslint.checks.labels.agreement import AnnotatorAgreementCheck, fleiss_kappa
from dslint.checks.labels.conflicts import InvertedPreferenceCheck, LabelConflictCheck, LabelVariantsCheck

CHECKS = [LabelConflictCheck, InvertedPreferenceCheck, AnnotatorAgreementCheck, LabelVariantsCheck]

__all__ = [
    "CHECKS",
    "AnnotatorAgreementCheck",
    "InvertedPreferenceCheck",
    "LabelConflictCheck",
    "LabelVariantsCheck",
    "fleiss_kappa",
]
