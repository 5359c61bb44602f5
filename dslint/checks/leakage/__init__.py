"""The leakage check family (DS3xx): evaluation examples that also appear in an earlier split
(train < validation < test), as copies, near-duplicates, shared prompts or shared n-grams, and
training records that contain text of named benchmark files.

One dataset check builds one table of the train, validation and test records (hashes, MinHash
signatures when DS302 is on, n-grams when DS304 is on) and reports each evaluation record at most
once, by the strongest rule that applies: DS301, then DS302, DS303, DS304 (except that a record
without output text, e.g. a classification row, whose input is shared goes to DS303 before DS302:
the same text with another label is a shared prompt, not a near-copy).
"""

from dslint.checks.leakage.check import CHECKS

__all__ = ["CHECKS"]
