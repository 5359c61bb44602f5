"""The duplicates check family (DS2xx): exact copies, copies after normalisation, near-duplicates
(MinHash + LSH, dslint/minhash.py) and one input with several outputs.

One dataset check computes them all from one table of per-record hashes (and signatures when
DS203 is on). Each record is reported at most once, by the strongest rule that applies: an exact
copy is not also a normalised or a near-duplicate. Clusters are rooted at their smallest record
(file, then record index), so the findings are the same for any order or sharding of the input.
"""

from dslint.checks.duplicates.check import CHECKS

__all__ = ["CHECKS"]
