"""Detectors: pure functions over text that find PII and secrets (`pii.scan`), shared by the pii
check family, redaction of every output, and `dslint fix`."""
