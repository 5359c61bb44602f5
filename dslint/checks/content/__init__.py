"""The content check family (DS8xx): what the text says, beyond its schema.

DS801 ai-boilerplate and DS802 refusal-phrase are regex rules in the YAML pack
rules/packs/content.yaml. ``ContentCheck`` runs DS803-DS813 in one pass per record: each field's
code and math are located once (``TextView``) and shared by the rules that look at prose only, and
every rule first checks for a character its pattern needs before running a regex.
"""

from dslint.checks.content.check import CHECKS

__all__ = ["CHECKS"]
