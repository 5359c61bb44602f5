"""The PII and secrets family (DS5xx): personal data and credentials in text fields.

``PiiCheck`` scans every text field of a record once with the detectors of the enabled rules
(``dslint.detect.pii``), drops what the rules' options allow, and reports each distinct value once per
field. Severity follows the field's role: the rule's severity (error) where the model learns to
produce the text, a warning in input-side text. The raw value never reaches a finding: messages
and snippets show it masked, and ``metrics.value_hash`` hashes its normalised form.
"""

from dslint.checks.pii.check import CHECKS

__all__ = ["CHECKS"]
