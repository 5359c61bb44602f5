"""State shared by the duplicates (DS2xx) and leakage (DS3xx) checks: what each record contributes
(``RecordView``), a columnar, mergeable table of those facts (``Table``), the sorted view of a
finished table (``Frame``) that finalize works on, and the init/merge/finalize plumbing both
checks share (``TableCheck``).

A table row is one record: its file, index, line and a few 64-bit hashes, appended to Python lists
and turned into numpy chunks every ``FLUSH_ROWS`` rows (about 40 bytes a row, plus the MinHash
signature when near-duplicates are on). Merging concatenates chunk lists; ``Frame`` sorts rows by
(file, record index), so findings never depend on how records were sharded or merged. The
signatures are not sorted: ``Frame.sigs`` reads them from the chunks through the sort order.
A table can be condensed to the rows that share a key with another row (``TableCheck.keys`` and
``condensed``, the ``dslint.keyed`` protocol a cluster uses); the rows left out are counted per
file, so figures by file and split do not change.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

import numpy as np
import xxhash

from dslint.arrays import sorted_unique
from dslint.batch import Batch
from dslint.check import DatasetCheck
from dslint.finding import Finding, Location
from dslint.formats.base import TextField
from dslint.keyed import Keys
from dslint.minhash import SignatureTable
from dslint.normalize import normalize_text, normalize_texts
from dslint.record import HASH_SEED, Record, canonical_json

# The hash columns of the tables that duplicates and leakage build.
CONTENT, NORM, INPUT, OUTPUT = range(4)
FLUSH_ROWS = 2048
FLUSH_CHARS = 1_000_000  # bounds the temporaries of one signature batch
Scope = str  # "file" | "split" | "dataset"


def _h(text: str) -> int:
    """A non-zero 64-bit hash (0 means "absent" in the tables)."""
    return xxhash.xxh3_64_intdigest(text.encode("utf-8", "surrogatepass"), seed=HASH_SEED) or 1


class RecordView(NamedTuple):  # a tuple: a third of the time of a frozen dataclass to build
    """What duplicate and leakage detection compare in a record, hashed.

    ``norm``: every text field (role, branch and normalised text, in order) plus the label;
    ``input`` / ``output``: the normalised input fields and learned output fields (0 when there
    are none); ``text``: the normalised text of every non-system field, joined: what shingles and
    n-grams are taken from (a long system prompt shared by all records would otherwise make
    unrelated conversations look alike).
    """

    content: int
    norm: int
    input: int
    output: int
    text: str
    task: str  # the format's task (sft, preference, kto, ...)


def batch_views(batch: Batch) -> list[RecordView | None]:
    """Each record's view (None for a record without text fields), computed once per batch: the
    duplicates and leakage checks both read them. The batch's texts are normalised together."""
    return batch.shared("record-views", _batch_views)


def _batch_views(batch: Batch) -> list[RecordView | None]:
    columns = batch.columns
    texts = normalize_texts(columns.texts)
    views: list[RecordView | None] = []
    at = 0
    for record in batch.records:
        n = len(record.fields)
        views.append(_view(record, columns.fields[at : at + n], texts[at : at + n]) if n else None)
        at += n
    return views


def view_of(record: Record) -> RecordView | None:
    """The record's view, or None when it has no text fields."""
    fields = record.fields
    return _view(record, fields, [normalize_text(f.text) for f in fields]) if fields else None


def _view(record: Record, fields: Sequence[TextField], texts: Sequence[str]) -> RecordView:
    """The view of a record from its fields and their normalised texts. The hashed strings are
    built by one join each from their pieces, each piece followed by its separator."""
    norm: list[str] = []
    inputs: list[str] = []
    outputs: list[str] = []
    body: list[str] = []
    for f, text in zip(fields, texts):
        role, branch, part = f.role, f.branch, f.part
        norm += (role, "\x1e", branch or "", "\x1e", text, "\x1f")
        if part == "input":
            inputs += (role, "\x1e", text, "\x1f")
        elif part == "output" and branch != "rejected":  # TextField.learned, inlined
            outputs += (text, "\x1f")
        if text and role != "system":
            body.append(text)
    fmt = record.format
    label = fmt.label(record.data) if fmt is not None else None
    if label is not None:
        norm += ("\x1dlabel\x1e", canonical_json(label[1]).decode("utf-8", "replace"), "\x1f")
    norm.pop()
    if inputs:
        inputs.pop()
    if outputs:
        outputs.pop()
    return RecordView(
        content=int(record.content_hash, 16),
        norm=_h("".join(norm)),
        input=_h("".join(inputs)) if inputs else 0,
        output=_h("".join(outputs)) if outputs else 0,
        text=" ".join(body),
        task=fmt.task if fmt is not None else "",
    )


@dataclass
class Chunk:
    """Flushed rows: a local file table, per-row columns, and check-specific arrays (``extra``)
    whose ``row`` column indexes this chunk's rows."""

    files: tuple[str, ...]
    splits: tuple[str | None, ...]
    file: np.ndarray  # int32 index into files
    index: np.ndarray  # int64
    line: np.ndarray  # int64, -1 when unknown
    values: np.ndarray  # (n, width) uint64
    sigs: np.ndarray | None = None  # (n, num_perm) uint32
    extra: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


@dataclass
class Pending:
    """Rows not flushed yet, with their texts (for signatures and n-grams)."""

    rows: list[tuple[str, str | None, int, int, tuple[int, ...]]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    chars: int = 0


@dataclass
class Table:
    """Per-record facts of one shard, mergeable by concatenation. ``dropped``: per file, its
    split and how many of its rows condensing left out (see ``TableCheck.condensed``)."""

    width: int
    chunks: list[Chunk] = field(default_factory=list)
    pending: Pending = field(default_factory=Pending)
    dropped: dict[str, tuple[str | None, int]] = field(default_factory=dict)

    def add(self, record: Record, values: tuple[int, ...], text: str = "") -> bool:
        """Append a row; True when the pending rows should be flushed."""
        line = record.line if record.line is not None else -1
        self.pending.rows.append((record.file, record.split, record.index, line, values))
        self.pending.texts.append(text)
        self.pending.chars += len(text)
        return self.due()

    def due(self) -> bool:
        return len(self.pending.rows) >= FLUSH_ROWS or self.pending.chars >= FLUSH_CHARS

    def take(self) -> tuple[Chunk, list[str]] | None:
        """Turn the pending rows into a chunk (without signatures or extras yet)."""
        rows, texts = self.pending.rows, self.pending.texts
        if not rows:
            return None
        self.pending = Pending()
        files = tuple(sorted({r[0] for r in rows}))
        code = {f: i for i, f in enumerate(files)}
        split_of = {r[0]: r[1] for r in rows}
        chunk = Chunk(
            files=files,
            splits=tuple(split_of[f] for f in files),
            file=np.fromiter((code[r[0]] for r in rows), dtype=np.int32, count=len(rows)),
            index=np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows)),
            line=np.fromiter((r[3] for r in rows), dtype=np.int64, count=len(rows)),
            values=np.array([r[4] for r in rows], dtype=np.uint64).reshape(len(rows), self.width),
        )
        return chunk, texts

    def merged(self, other: Table) -> Table:
        pending = Pending(
            self.pending.rows + other.pending.rows,
            self.pending.texts + other.pending.texts,
            self.pending.chars + other.pending.chars,
        )
        dropped = dict(self.dropped)
        for name, (split, count) in other.dropped.items():
            dropped[name] = (split, dropped.get(name, (split, 0))[1] + count)
        return Table(self.width, self.chunks + other.chunks, pending, dropped)


class Frame:
    """All rows of a finished table sorted by (file, record index), with global file codes.
    ``dropped`` rows (left out by condensing) count in ``file_records`` and ``total`` only."""

    def __init__(self, chunks: Sequence[Chunk], width: int, dropped: Mapping[str, tuple[str | None, int]] | None = None) -> None:
        dropped = dropped or {}
        self.files: list[str] = sorted({f for c in chunks for f in c.files} | set(dropped))
        code = {f: i for i, f in enumerate(self.files)}
        split_of: dict[str, str | None] = {f: s for f, (s, _) in dropped.items()}
        split_of.update({f: s for c in chunks for f, s in zip(c.files, c.splits)})
        self.splits: list[str | None] = [split_of[f] for f in self.files]
        self._chunks = list(chunks)
        self._starts = np.cumsum([0] + [len(c.index) for c in chunks])
        if chunks:
            file = np.concatenate([np.array([code[f] for f in c.files], dtype=np.int32)[c.file] for c in chunks])
            index = np.concatenate([c.index for c in chunks])
        else:
            file, index = np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int64)
        # Chunks usually come in file and record order already (one file, or files in plan order):
        # then nothing is sorted or copied in that order.
        order = None if _ascending(file, index) else np.lexsort((index, file))
        self.n = len(index)
        self.file, self.index = (file, index) if order is None else (file[order], index[order])
        line = np.concatenate([c.line for c in chunks]) if chunks else np.empty(0, dtype=np.int64)
        values = np.concatenate([c.values for c in chunks]) if chunks else np.empty((0, width), dtype=np.uint64)
        self.line, self.values = (line, values) if order is None else (line[order], values[order])
        # Signatures stay in their chunks, read through the sort order: never copied as a whole.
        with_sigs = [c.sigs for c in chunks if c.sigs is not None]
        self.sigs = SignatureTable(with_sigs, order) if chunks and len(with_sigs) == len(chunks) else None
        self._where: np.ndarray | None = None  # concatenated position -> sorted position (None: the same)
        if order is not None:
            self._where = np.empty(self.n, dtype=np.int64)
            self._where[order] = np.arange(self.n)
        self.file_records = np.bincount(self.file, minlength=len(self.files)).astype(np.int64)
        for name, (_, count) in dropped.items():
            self.file_records[code[name]] += count
        self.total = int(self.file_records.sum())  # records, with those condensing left out

    def column(self, i: int) -> np.ndarray:
        return self.values[:, i]

    def split(self, row: int) -> str | None:
        return self.splits[int(self.file[row])]

    def split_codes(self, names: dict[str | None, int]) -> np.ndarray:
        """Per row, ``names[split]`` (-1 for splits not named)."""
        per_file = np.array([names.get(s, -1) for s in self.splits], dtype=np.int64)
        return per_file[self.file] if self.n else np.empty(0, dtype=np.int64)

    def group(self, scope: Scope) -> np.ndarray:
        """Per row, the id of the group duplicates are looked for in."""
        if scope == "file":
            return self.file.astype(np.int64)
        if scope == "split":
            names = {s: i for i, s in enumerate(sorted({s or "" for s in self.splits}))}
            per_file = np.array([names[s or ""] for s in self.splits], dtype=np.int64)
            return per_file[self.file] if self.n else np.empty(0, dtype=np.int64)
        return np.zeros(self.n, dtype=np.int64)

    def location(self, row: int) -> Location:
        line = int(self.line[row])
        return Location(
            file=self.files[int(self.file[row])],
            line=line if line >= 0 else None,
            record=int(self.index[row]),
            split=self.split(row),
        )

    def stub(self, row: int) -> Record:
        """A stand-in record for ``Rule.at``: only the location and the content hash matter."""
        line = int(self.line[row])
        return Record(
            file=self.files[int(self.file[row])],
            line=line if line >= 0 else None,
            index=int(self.index[row]),
            data={},
            split=self.split(row),
            _content_hash=f"{int(self.values[row, 0]):016x}",
        )

    def extra(
        self, key: str, keep: Callable[[dict[str, np.ndarray]], np.ndarray] | None = None, names: Collection[str] | None = None
    ) -> dict[str, np.ndarray]:
        """A check-specific array set from every chunk (only the arrays ``names`` when given), its
        ``row`` column mapped to sorted rows; ``keep`` filters each chunk's entries before they are
        concatenated (to bound memory)."""
        parts: dict[str, list[np.ndarray]] = {}
        for start, chunk in zip(self._starts, self._chunks):
            arrays = chunk.extra.get(key)
            if not arrays:
                continue
            mask = keep(arrays) if keep is not None else None
            for name, arr in arrays.items():
                if names is not None and name not in names:
                    continue
                arr = arr[mask] if mask is not None else arr
                if name == "row":
                    arr = (start + arr).astype(np.int64, copy=False) if self._where is None else self._where[start + arr]
                parts.setdefault(name, []).append(arr)
        return {name: np.concatenate(arrs) for name, arrs in parts.items()}


@dataclass
class TableState:
    """A check's table, and its results once finalized (computed once for findings and stats)."""

    table: Table
    findings: list[Finding] | None = field(default=None, repr=False)
    figures: dict[str, Any] | None = field(default=None, repr=False)


class TableCheck(DatasetCheck[TableState]):
    """A dataset check whose state is a ``Table`` of ``width`` columns: subclasses say what a
    flushed chunk gets (``fill``: signatures, n-grams), what the sorted rows mean (``analyse``)
    and which keys relate rows (``row_keys``: a ``dslint.keyed.KeyedCheck``, so a cluster keeps
    only the rows sharing a key with another row)."""

    width: ClassVar[int]

    def fill(self, chunk: Chunk, texts: list[str]) -> None:
        """Add computed arrays to a chunk from its rows' texts."""

    def analyse(self, frame: Frame) -> tuple[list[Finding], dict[str, Any]]:
        raise NotImplementedError

    def init(self) -> TableState:
        return TableState(Table(self.width))

    def add(self, state: TableState, record: Record, values: tuple[int, ...], text: str) -> TableState:
        if state.table.add(record, values, text):
            self._flush(state.table)
        return state

    def merge(self, a: TableState, b: TableState) -> TableState:
        table = a.table.merged(b.table)
        if table.due():
            self._flush(table)
        return TableState(table)

    def settle(self, state: TableState) -> TableState:
        self._flush(state.table)  # signatures and n-grams instead of the pending rows' texts
        return state

    def finalize(self, state: TableState) -> Iterable[Finding]:
        return list(self._results(state)[0])

    def row_keys(self, chunks: Sequence[Chunk]) -> dict[str, Keys]:
        """Per key set, the keys of the rows (numbered through ``chunks`` in order)."""
        raise NotImplementedError

    def keys(self, state: TableState) -> dict[str, Keys]:
        self._flush(state.table)
        return self.row_keys(state.table.chunks)

    def condensed(self, state: TableState, rows: np.ndarray) -> TableState:
        """The state with only ``rows`` (numbered as in ``keys``); the others are counted per
        file in ``Table.dropped``, so figures by file and split stay whole."""
        table = state.table
        self._flush(table)
        dropped = dict(table.dropped)
        chunks = []
        start = 0
        rows = sorted_unique(rows)
        for chunk in table.chunks:
            keep = np.zeros(len(chunk.index), dtype=bool)
            lo, hi = np.searchsorted(rows, [start, start + len(keep)])
            keep[rows[lo:hi] - start] = True
            start += len(keep)
            for f, count in enumerate(np.bincount(chunk.file[~keep], minlength=len(chunk.files)).tolist()):
                if count:
                    name = chunk.files[f]
                    dropped[name] = (chunk.splits[f], dropped.get(name, (None, 0))[1] + count)
            if keep.any():
                chunks.append(_kept(chunk, keep))
        return TableState(Table(table.width, chunks, Pending(), dropped))

    def stats(self, state: TableState) -> Mapping[str, Any]:
        return self._results(state)[1]

    def _flush(self, table: Table) -> None:
        taken = table.take()
        if taken is not None:
            chunk, texts = taken
            self.fill(chunk, texts)
            table.chunks.append(chunk)

    def _results(self, state: TableState) -> tuple[list[Finding], dict[str, Any]]:
        if state.findings is None or state.figures is None:
            self._flush(state.table)
            state.findings, state.figures = self.analyse(Frame(state.table.chunks, self.width, state.table.dropped))
        return state.findings, state.figures


def _kept(chunk: Chunk, keep: np.ndarray) -> Chunk:
    """The chunk's rows where ``keep``; the ``row`` column of its extras renumbered."""
    renumber = np.cumsum(keep) - 1
    extra = {}
    for key, arrays in chunk.extra.items():
        rows = arrays["row"]
        sel = keep[rows]
        extra[key] = {name: (renumber[arr[sel]].astype(arr.dtype) if name == "row" else arr[sel]) for name, arr in arrays.items()}
    return Chunk(
        chunk.files, chunk.splits, chunk.file[keep], chunk.index[keep], chunk.line[keep], chunk.values[keep],
        chunk.sigs[keep] if chunk.sigs is not None else None, extra,
    )


def _ascending(file: np.ndarray, index: np.ndarray) -> bool:
    """Whether rows are already ordered by (file, index), as a stable sort would leave them."""
    same_file = file[1:] == file[:-1]
    return bool(np.all((file[1:] > file[:-1]) | (same_file & (index[1:] >= index[:-1]))))


def column_keys(chunks: Sequence[Chunk], column: int, valid: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A hash column's values and rows through ``chunks``, only where ``valid(values)``, the
    (n, width) value array, is true (default: the column is not 0, i.e. present)."""
    if not chunks:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    values = np.concatenate([c.values for c in chunks])
    mask = valid(values) if valid is not None else values[:, column] != 0
    return values[mask, column], np.flatnonzero(mask)


def groups(
    keys: Sequence[np.ndarray], valid: np.ndarray | None = None, prefer: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Rows with equal ``keys`` form a group: per row, the group's first row (smallest
    ``prefer``, then smallest row) and the group's size; -1 and 0 for rows outside ``valid``.
    Rows are sorted by record id, so the smallest row is the smallest record."""
    n = len(keys[0]) if keys else 0
    root = np.full(n, -1, dtype=np.int64)
    size = np.zeros(n, dtype=np.int64)
    rows = None if valid is None else np.flatnonzero(valid)
    if n == 0 or (rows is not None and len(rows) == 0):
        return root, size
    # lexsort is stable, so rows with equal keys (and ``prefer``) stay in ascending order; with
    # every row valid, no key is copied (these run over every record of the dataset at once)
    sort_by = [k if rows is None else k[rows] for k in (*([] if prefer is None else [prefer]), *reversed(keys))]
    order = np.lexsort(sort_by)
    del sort_by
    if rows is not None:
        order = rows[order]
    new = np.ones(len(order), dtype=bool)
    for k in keys:
        sk = k[order]
        new[1:] &= sk[1:] == sk[:-1]
    del sk
    new = ~new
    new[0] = True
    run = np.cumsum(new)
    run -= 1
    firsts = order[new]
    counts = np.bincount(run)
    root[order] = firsts[run]
    size[order] = counts[run]
    return root, size


def where(loc: Location) -> str:
    """A record's place for a message: ``file:line``, or ``file record N`` without lines."""
    if loc.line is not None:
        return f"{loc.file}:{loc.line}"
    return f"{loc.file} record {loc.record}"
