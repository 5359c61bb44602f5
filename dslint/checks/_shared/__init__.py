"""Helpers that more than one check family uses: record tables for hash-based dataset checks
(`tables.py`), MinHash near-duplicate settings and pairs (`neardup.py`), label extraction
(`labels.py`) and field pointers (`pointers.py`). A family imports these, never another family."""
