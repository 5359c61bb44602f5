"""The trainer family (DS9xx): will the dataset train as intended with a given trainer?

With a profile (``profile:`` in the config, ``--profile``; see ``dslint/profiles/``),
``TrainerCheck`` measures every row as that trainer would: its layouts and role rules, the chat
template (from a local model folder, rendered in a Jinja2 sandbox), exact tokens counted in
batches, the loss mask, and what the maximum length drops or truncates. Without a profile the
policy leaves the rules off, whatever the selection.
"""

from dslint.checks.trainer.check import TrainerCheck

CHECKS = [TrainerCheck]

__all__ = ["CHECKS", "TrainerCheck"]
