"""The imbalance check family (DS401-DS408): how labels and chosen fields are distributed over
each split, how the splits compare with train, and whether the splits themselves make sense.

``LabelDistributionCheck`` covers DS401-DS407 and publishes the ``labels`` stats;
``FieldImbalanceCheck`` covers DS408 and publishes the ``fields`` stats. Rule metadata lives in
``rules.py``.
"""

from __future__ import annotations

from dslint.checks.imbalance.distribution import LabelDistributionCheck
from dslint.checks.imbalance.fields import FieldImbalanceCheck

CHECKS = [LabelDistributionCheck, FieldImbalanceCheck]
