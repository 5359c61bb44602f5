"""The length family (DS7xx): trivially short outputs, overlong fields, examples over the context
window, and length outliers; plus the dataset's length distribution for the report.

``LengthCheck`` judges each record alone (DS701-DS703). ``LengthOutlierCheck`` folds every text
field's length into mergeable histograms per (split, field role), keeps the most extreme fields
with their locations, reports outliers by robust statistics (DS704) and publishes the length
distribution as ``summary.stats["length"]``. Token counts come from ``dslint.tokens``: the
tokenizer configured on DS703, else an estimate from characters.
"""

from dslint.checks.length.check import CHECKS

__all__ = ["CHECKS"]
