"""Metadata, documentation and options of the encoding rules DS601-DS608 (the check lives in
check.py)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from dslint.check import Fix, Rule, RuleOptions
from dslint.finding import Severity

_CODE_POINT = re.compile(r"^[Uu]\+([0-9A-Fa-f]{4,6})$")


class AllowOptions(RuleOptions):
    allow: list[str] = Field(
        default_factory=list,
        description='Code points not to report, written like "U+00AD".',
    )

    @field_validator("allow")
    @classmethod
    def _code_points(cls, value: list[str]) -> list[str]:
        for item in value:
            if not _CODE_POINT.match(item):
                raise ValueError(f"{item!r} is not a code point like 'U+00AD'")
        return [f"U+{int(_CODE_POINT.match(v).group(1), 16):04X}" for v in value]  # type: ignore[union-attr]


MOJIBAKE = Rule(
    code="DS601",
    fix=Fix("rewrite-field", safe=False, does="Repairs the text with `ftfy.fix_encoding`; unsafe because the repair is a heuristic."),
    name="mojibake",
    family="encoding",
    severity=Severity.WARNING,
    scope="record",
    summary="Text looks like UTF-8 decoded with the wrong encoding (mojibake), and ftfy can repair it.",
    docs="""\
What it does: Reports a text field in which ftfy's heuristics find mojibake: UTF-8 bytes decoded
as windows-1252, latin-1, windows-1251, MacRoman and similar ("CafÃ©" for "Café", "â€™" for
"’"), or windows-1252 text read as latin-1 (C1 control characters instead of curly quotes). The
finding carries ftfy's repair of the first damaged passage (message and `metrics.suggestion`) and
the steps it took (`metrics.fix`). Clean text in any script is not reported: ftfy only runs on
non-ASCII text that contains a possible mis-decoded UTF-8 lead byte, and a finding needs both
ftfy's badness heuristic and a repair that changes the text.

Why it matters: The model learns the garbage as if it were language, and reproduces it in its
answers; a whole file is usually affected at once, from one export with the wrong codec.

Example: `{"role": "assistant", "content": "The cafÃ© opens at 8."}` is reported with the
suggestion 'The café opens at 8.'. Repair whole files with `ftfy.fix_text`.

Options: none.""",
)

REPLACEMENT_CHARACTER = Rule(
    code="DS602",
    name="replacement-character",
    family="encoding",
    severity=Severity.ERROR,
    scope="record",
    summary="Text contains U+FFFD replacement characters: bytes were lost when it was decoded.",
    docs="""\
What it does: Reports text fields containing U+FFFD (�), with the count and offsets.

Why it matters: A replacement character means some decoder met bytes it could not read and threw
them away; the original text cannot be recovered from the dataset, and the model learns to emit
"�". Unlike mojibake, there is nothing to repair: re-export the text from its source.

Example: `"Caf\\ufffd au lait"` (a latin-1 "é" decoded as UTF-8 with errors="replace").

Options: none.""",
)

CONTROL_CHARACTER = Rule(
    code="DS603",
    fix=Fix("rewrite-field", safe=True, does="Removes the control characters (an ANSI escape sequence as a whole), except allowed code points."),
    name="control-character",
    family="encoding",
    severity=Severity.ERROR,
    scope="record",
    summary="Text contains C0/C1 control characters other than tab, newline and carriage return.",
    docs="""\
What it does: Reports text fields containing control characters: NUL, BEL, backspace, form feed,
ESC (and ANSI escape sequences such as colour codes from captured terminal output), DEL and the C1
controls U+0080-U+009F. Tab, line feed and carriage return are fine. C1 controls that are part of
mojibake reported by DS601 are left to that rule.

Why it matters: NUL truncates strings in C-based tools and tokenizers; escape sequences are
terminal noise the model learns to produce; control characters are invisible in most editors,
so nobody notices them in review.

Example: `"Build finished \\u001b[32mOK\\u001b[0m"` (2 ANSI escape sequences at offsets 15, 22).

Options: `allow` lists code points not to report, e.g. `["U+000C"]` for form feeds in text
extracted from PDFs.""",
    options=AllowOptions,
)

LONE_SURROGATE = Rule(
    code="DS604",
    name="lone-surrogate",
    family="encoding",
    severity=Severity.ERROR,
    scope="record",
    summary="Text contains surrogate code points (U+D800-U+DFFF) that are not valid Unicode on their own.",
    docs="""\
What it does: Reports text fields containing UTF-16 surrogate code points, which a JSON escape
such as `"\\ud83d"` without its partner, or a broken UTF-16 conversion, leaves behind.

Why it matters: Such strings cannot be encoded as UTF-8: tokenizers, `json.dumps(...,
ensure_ascii=False)`, Arrow and most trainers raise on them, usually far into a job.

Example: `"Great job! \\ud83d"` (half of the 😀 surrogate pair).

Options: none.""",
)

BYTE_ORDER_MARK = Rule(
    code="DS605",
    fix=Fix("rewrite-field", safe=True, does="Removes the U+FEFF characters."),
    name="byte-order-mark",
    family="encoding",
    severity=Severity.WARNING,
    scope="record",
    summary="Text contains a byte-order mark (U+FEFF).",
    docs="""\
What it does: Reports text fields containing U+FEFF, typically at the start of a value that was
read from a file saved "with BOM", or in the middle of text built by concatenating such files.

Why it matters: The mark is invisible, becomes a token of its own, and makes otherwise equal
texts differ (duplicates and leakage go undetected, exact-match labels fail).

Example: `{"text": "\\ufeffWhat is the refund policy?"}`.

Options: none.""",
)

INVISIBLE_CHARACTER = Rule(
    code="DS606",
    fix=Fix("rewrite-field", safe=True, does="Removes the invisible characters the rule reports; joiners in their legitimate uses stay."),
    name="invisible-character",
    family="encoding",
    severity=Severity.WARNING,
    scope="record",
    summary="Text contains zero-width or other invisible characters outside their legitimate uses.",
    docs="""\
What it does: Reports zero-width spaces, joiners and non-joiners, word joiners, soft hyphens,
invisible math operators, Hangul fillers, stray variation selectors and Unicode tag characters
(the "ASCII smuggling" of hidden prompt text), with names, code points and offsets. Legitimate
uses are not reported: a zero-width joiner inside an emoji sequence (👨‍👩‍👧) or after an Indic
virama, a zero-width non-joiner between Persian or Hindi letters (می‌خواهم), a zero-width space
between Thai, Lao, Khmer, Myanmar or Tibetan letters, a variation selector right after the
character it modifies (❤️), and the tag characters of an emoji flag (🏴 Scotland).

Why it matters: Invisible characters split words into unusual tokens, defeat deduplication and
exact matching, can watermark or fingerprint text, and can hide instructions from reviewers.

Example: `"Reset your pass\\u200bword in Settings"` (1 zero-width space (U+200B) at offset 15).

Options: `allow` lists code points not to report, e.g. `["U+00AD"]` to accept soft hyphens.""",
    options=AllowOptions,
)

BIDI_CONTROL = Rule(
    code="DS607",
    fix=Fix("rewrite-field", safe=True, does="Removes the bidirectional embedding, override and isolate characters."),
    name="bidi-control",
    family="encoding",
    severity=Severity.ERROR,
    scope="record",
    summary="Text contains bidirectional embedding, override or isolate characters (Trojan Source).",
    docs="""\
What it does: Reports text fields containing the explicit bidirectional formatting characters
U+202A-U+202E (embeddings, overrides, pop) and U+2066-U+2069 (isolates). The implicit marks
U+200E/U+200F that mixed Arabic or Hebrew text needs are not reported.

Why it matters: These characters reorder how text is displayed without changing what it is, so
code or instructions can read differently to a reviewer than to a model or a compiler: the
"Trojan Source" attack (CVE-2021-42574). Training on such examples teaches the model to emit them.

Example: `"if access_level != \\"user\\u202e \\u2066// check if admin\\u2069 \\u2066\\":"`.

Options: none.""",
)

NOT_NFC = Rule(
    code="DS608",
    fix=Fix("rewrite-field", safe=True, does="Normalises the text to NFC."),
    name="not-nfc",
    family="encoding",
    severity=Severity.INFO,
    scope="record",
    summary="Text is not in Unicode normalization form C (NFC).",
    docs="""\
What it does: Reports text fields that change under NFC normalization: decomposed accents
("e" + U+0301 instead of "é", typical of text from macOS file names or some PDF extractors),
compatibility characters such as U+212B ANGSTROM SIGN, or decomposed Hangul.

Why it matters: The same word gets different token sequences depending on its normal form, and
exact comparisons (deduplication, labels, leakage) miss equal texts. Normalizing the whole dataset
with `unicodedata.normalize("NFC", text)` is safe.

Example: `"Cafe\\u0301 au lait"` (first non-NFC character at offset 4; NFC is 1 character shorter).

Options: none.""",
)
