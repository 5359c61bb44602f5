"""The schema check family (DS1xx): is each record well-formed for its dataset format?

``SchemaCheck`` validates one record at a time (DS104-DS116, DS119), dispatching on the record's
format; ``InconsistentFieldsCheck`` compares key sets across a file (DS117). DS100-DS103 and
DS118 are reported by the engine while reading; their metadata lives in ``reading.py``.
"""

from dslint.checks.schema.check import CHECKS

__all__ = ["CHECKS"]
