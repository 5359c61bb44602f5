"""The encoding check family (DS6xx): is each text field clean Unicode?

``EncodingCheck`` looks at every text field of a record. ASCII text only needs one scan for C0
controls; other text is scanned once with a character class covering every suspicious code
point, checked for NFC, and handed to ftfy only when a cheap pre-filter sees a possible UTF-8
lead byte decoded in a single-byte encoding.
"""

from dslint.checks.encoding.check import CHECKS

__all__ = ["CHECKS"]
