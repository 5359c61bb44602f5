"""The imbalance check family (DS401-DS408): how labels and chosen fields are distributed over
each split, how the splits compare with train, and whether the splits themselves make sense.

``LabelDistributionCheck`` covers DS401-DS407 and publishes the ``labels`` stats;
``FieldImbalanceCheck`` covers DS408 and publishes the ``fields`` stats. Rule metadata lives in
``labels_rules.py`` with the labels family's.
"""

from __future__ import annotations

from dslint.checks.labels_distribution import LabelDistributionCheck
from dslint.checks.labels_fields import FieldImbalanceCheck

CHECKS = [LabelDistributionCheck, FieldImbalanceCheck]
