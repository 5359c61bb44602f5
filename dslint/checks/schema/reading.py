"""Schema rules for input that could not become records. The readers detect these problems and
the engine reports them; this module holds their metadata so they are selectable like any rule."""

from __future__ import annotations

from dslint.check import Fix, Rule
from dslint.finding import Severity

UNREADABLE_FILE = Rule(
    code="DS100",
    name="unreadable-file",
    family="schema",
    severity=Severity.ERROR,
    scope="file",
    summary="A file cannot be read as its format at all (binary, corrupt archive, I/O error).",
    docs="""\
What it does: Reports a file that dslint cannot read as a dataset: a binary file with a data
extension, a truncated gzip/zstd stream, a Parquet file with a broken footer, a JSON document that
does not parse, a JSON Lines file whose first lines are all unparseable, or a CSV/TSV header or
Parquet schema that names a column twice (a record keeps one value per name, so the other column
would be lost). Reading stops there.

Why it matters: A trainer that meets such a file either crashes hours into a job or, worse,
silently skips it, and the run trains on less data than you think.

Example: `train.jsonl` that is really a gzip archive without the `.gz` extension.

Options: none.""",
)

INVALID_JSON = Rule(
    code="DS101",
    fix=Fix("drop-record", safe=False, does="Drops the line: it is not valid JSON, so no trainer can read it."),
    name="invalid-json",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="A line of a JSON Lines file is not valid JSON.",
    docs="""\
What it does: Reports each JSON Lines line that does not parse as JSON (a truncated line, a
trailing comma, two objects on one line, single quotes). Reading continues with the next line.

Why it matters: Most loaders either abort on the first bad line or drop it without a word.

Example: `{"messages": [{"role": "user", "content": "Hi"}` (the line was cut off).

Options: none.""",
)

INVALID_UTF8 = Rule(
    code="DS102",
    fix=Fix("drop-record", safe=False, does="Drops the line or row: its bytes are not UTF-8."),
    name="invalid-utf8",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="A line or row contains bytes that are not valid UTF-8.",
    docs="""\
What it does: Reports lines (JSON Lines, CSV) containing byte sequences that are not UTF-8, such
as Latin-1 or Windows-1252 text pasted into a UTF-8 file.

Why it matters: JSON must be UTF-8; loaders either fail or replace the bytes with U+FFFD, and the
model learns the replacement characters.

Example: the byte 0xE9 (Latin-1 "é") inside an otherwise UTF-8 line.

Options: none.""",
)

NOT_AN_OBJECT = Rule(
    code="DS103",
    fix=Fix("drop-record", safe=False, does="Drops the line: it is JSON but not an object."),
    name="not-an-object",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="A record is valid JSON but not a JSON object (an array, string, number or null).",
    docs="""\
What it does: Reports records whose top-level value is not an object: `[...]`, `"text"`, `42`,
`null`.

Why it matters: Every fine-tuning format is a mapping of named fields; other values crash the
trainer's collator or are dropped.

Example: `["user", "Hi", "assistant", "Hello"]` on a line of a chat dataset.

Options: none.""",
)

EMPTY_FILE = Rule(
    code="DS118",
    name="empty-file",
    family="schema",
    severity=Severity.WARNING,
    scope="file",
    summary="A data file holds no records at all.",
    docs="""\
What it does: Reports a file that yields no records: zero bytes, only blank lines, a CSV with just
a header, a JSON array that is empty, or a Parquet file with no rows.

Why it matters: An empty split usually means an export or a sampling step failed; training or
evaluating on it silently measures nothing.

Example: `data/validation.jsonl` of size 0 after a failed `head -n` pipeline.

Options: none.""",
)

UNRECOGNIZED_FORMAT = Rule(
    code="DS120",
    name="unrecognized-format",
    family="schema",
    severity=Severity.ERROR,
    scope="file",
    summary="No known dataset layout matches a file's records, so most checks cannot tell prompts from answers.",
    docs="""\
What it does: Reports a file whose records match none of the layouts dslint reads (see the
README's format table), naming the top-level keys it saw. Its top-level strings are still checked
as plain text (PII, encoding), but nothing that needs to know which text is the prompt and which
the answer can run.

Why it matters: A file that is silently not checked passes the gate with zero findings, which
reads as "clean". Usually the layout has different key names (`question`/`answer`,
`query`/`response`); map them and every check applies.

Example: `{"question": "What is 2+2?", "answer": "4"}` in every record. Map it with
`fields: {input: question, output: answer}` or name its format in `formats:`.

Options: none.""",
)


# Registered as bare rules: the engine reports them while reading, no check class runs.
RECORD_TOO_LARGE = Rule(
    code="DS123",
    name="record-too-large",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="A JSON Lines line or CSV row is larger than the maximum record size (64 MB by default).",
    docs="""\
What it does: Reports a line (JSON Lines) or row (CSV/TSV) longer than `max-record-size` (in MB,
64 by default, set at the top of the config). dslint reads past it without keeping it in memory
and goes on with the next line.

Why it matters: One huge record is almost always a mistake (a whole file pasted into a field, a
missing newline between records), and it takes a trainer's memory with it.

Example: a 200 MB line of base64 image data in `train.jsonl`.

Options: none (the limit is the top-level `max-record-size`).""",
)

READ_RULES = (UNREADABLE_FILE, INVALID_JSON, INVALID_UTF8, NOT_AN_OBJECT, EMPTY_FILE, UNRECOGNIZED_FORMAT, RECORD_TOO_LARGE)
