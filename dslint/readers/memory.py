"""Records already in memory, for ``dslint.lint()``: a list of dicts, a pandas or polars
DataFrame, a pyarrow Table, or a Hugging Face ``datasets.Dataset``; one record per row, read in
batches without writing a file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from dslint.readers.jsonl import not_an_object
from dslint.record import ReadIssue, Record, canonical_json

BATCH_ROWS = 4096


def describe(data: Any) -> str | None:
    """A short name for a supported in-memory object ("DataFrame", "Dataset", "records"), or
    None when ``data`` is not one."""
    kind = type(data).__name__
    module = type(data).__module__.split(".")[0]
    if (module, kind) in {("pandas", "DataFrame"), ("polars", "DataFrame"), ("pyarrow", "Table"), ("datasets", "Dataset")}:
        return kind
    if isinstance(data, (list, tuple)):
        return "records"
    return None


def read_memory(name: str, data: Any) -> Iterator[Record | ReadIssue]:
    """Records of an in-memory object, in row order; ``line`` is None."""
    for index, row in enumerate(_rows(data)):
        if type(row) is dict:
            yield Record(name, None, index, row)
        else:
            yield not_an_object(name, None, index, row, canonical_json(row)[:4096])


def _rows(data: Any) -> Iterable[Any]:
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        # NaN of a missing value is JSON null, as in a file written with to_json
        frame = data.astype(object).where(data.notna(), None)
        return (row for start in range(0, len(frame), BATCH_ROWS) for row in frame.iloc[start : start + BATCH_ROWS].to_dict("records"))
    if module == "polars":
        return data.iter_rows(named=True)
    if module == "pyarrow":
        return (row for batch in data.to_batches(BATCH_ROWS) for row in batch.to_pylist())
    if module == "datasets":
        return (row for batch in data.with_format("arrow").iter(batch_size=BATCH_ROWS) for row in batch.to_pylist())
    return iter(data)
