"""The encoding check family (DS6xx): is each text field clean Unicode?

``EncodingCheck`` looks at every text field of a record. ASCII text only needs one scan for C0
controls; other text is scanned once with a character class covering every suspicious code
point, checked for NFC, and handed to ftfy only when a cheap pre-filter sees a possible UTF-8
lead byte decoded in a single-byte encoding.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import ftfy
from ftfy.badness import is_bad
from pydantic import Field, field_validator

from dslint.check import CheckContext, Fix, RecordCheck, Rule, RuleOptions
from dslint.checks.encoding_chars import (
    BIDI,
    BOM,
    CONTROL,
    INVISIBLE,
    MOJIBAKE_HINT,
    REPLACEMENT,
    SURROGATE,
    Hit,
    describe,
    hidden_tag_text,
    scan,
)
from dslint.finding import Finding, Severity
from dslint.formats.base import TextField
from dslint.record import Record
from dslint.redact import make_snippet, quote

_CODE_POINT = re.compile(r"^[Uu]\+([0-9A-Fa-f]{4,6})$")
_C1 = re.compile("[\x80-\x9f]")




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

_RULE_OF_KIND = {
    CONTROL: CONTROL_CHARACTER,
    REPLACEMENT: REPLACEMENT_CHARACTER,
    SURROGATE: LONE_SURROGATE,
    BOM: BYTE_ORDER_MARK,
    INVISIBLE: INVISIBLE_CHARACTER,
    BIDI: BIDI_CONTROL,
}
_CONTEXT_BEFORE, _CONTEXT_AFTER = 30, 50


class EncodingCheck(RecordCheck):
    rules = (
        MOJIBAKE,
        REPLACEMENT_CHARACTER,
        CONTROL_CHARACTER,
        LONE_SURROGATE,
        BYTE_ORDER_MARK,
        INVISIBLE_CHARACTER,
        BIDI_CONTROL,
        NOT_NFC,
    )

    def __init__(self, ctx: CheckContext | None = None) -> None:
        super().__init__(ctx)
        self.allowed = {
            CONTROL: frozenset(self.ctx.opts(CONTROL_CHARACTER).allow),
            INVISIBLE: frozenset(self.ctx.opts(INVISIBLE_CHARACTER).allow),
        }
        self.kinds_on = {kind for kind, rule in _RULE_OF_KIND.items() if self.ctx.is_enabled(rule)}
        self.mojibake_on = self.ctx.is_enabled(MOJIBAKE)
        self.nfc_on = self.ctx.is_enabled(NOT_NFC)

    def check(self, record: Record) -> Iterable[Finding]:
        findings: list[Finding] = []
        for f in record.fields:
            if f.text:
                findings.extend(self._field(record, f))
        return findings

    def _field(self, record: Record, f: TextField) -> list[Finding]:
        text = f.text
        out: list[Finding] = []
        ascii_only = text.isascii()
        mojibake = False
        if not ascii_only and self.mojibake_on and MOJIBAKE_HINT.search(text):
            finding = _mojibake(record, f)
            if finding is not None:
                out.append(finding)
                mojibake = True
        if self.kinds_on:
            hits = scan(text).hits
            for kind in sorted(hits, key=lambda k: hits[k][0].offset):
                if kind not in self.kinds_on:
                    continue
                allowed = self.allowed.get(kind, frozenset())
                found = [h for h in hits[kind] if f"U+{ord(text[h.offset]):04X}" not in allowed]
                if kind == CONTROL and mojibake:  # C1 controls in mojibake are DS601's
                    found = [h for h in found if not 0x80 <= ord(text[h.offset]) <= 0x9F]
                if found:
                    out.append(self._chars_finding(record, f, kind, found))
        if not ascii_only and self.nfc_on and not unicodedata.is_normalized("NFC", text):
            out.append(_not_nfc(record, f))
        return out

    def _chars_finding(self, record: Record, f: TextField, kind: str, hits: list[Hit]) -> Finding:
        first = hits[0].offset
        codes = sorted({h.code for h in hits})
        shown = ",".join(codes[:10]) + (",…" if len(codes) > 10 else "")
        message = f"{_subject(f.role)} has {describe(hits)}"
        hidden = hidden_tag_text(f.text, hits) if kind == INVISIBLE else ""
        if hidden:
            message += f"; the tag characters spell {quote(hidden)}"
        return _RULE_OF_KIND[kind].at(
            record,
            message,
            field=f.pointer,
            snippet=_window(f.text, first),
            metrics={"count": len(hits), "first_offset": first, "code_points": shown},
        )


def _subject(role: str) -> str:
    """How a message names a field: 'assistant text', or just 'text' for a role-less field."""
    return "text" if role == "text" else f"{role} text"


def _window(text: str, offset: int) -> str:
    """The text around ``offset``, cut at spaces so that no multi-character sequence is split."""
    start = max(0, offset - _CONTEXT_BEFORE)
    end = min(len(text), offset + _CONTEXT_AFTER)
    if start > 0:
        space = text.find(" ", start, offset)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", offset + 1, end)
        end = space if space != -1 else end
    return text[start:end]


def _mojibake(record: Record, f: TextField) -> Finding | None:
    text = f.text
    if not is_bad(text) and not _C1.search(text):
        return None
    repaired = ftfy.fix_encoding_and_explain(text)
    if repaired.text == text or not repaired.explanation:
        return None
    first = _first_difference(text, repaired.text)
    excerpt = _window(text, first)
    suggestion = ftfy.fix_encoding(excerpt)
    steps = [f"{op} {arg}" for op, arg in repaired.explanation]
    return MOJIBAKE.at(
        record,
        f"{_subject(f.role)} looks like mojibake ({_how(repaired.explanation)}) from offset {first};"
        f" ftfy repairs it as {quote(suggestion, 60)}",
        field=f.pointer,
        snippet=excerpt,
        metrics={"first_offset": first, "fix": ", ".join(steps), "suggestion": make_snippet(suggestion)},
    )


def _first_difference(a: str, b: str) -> int:
    n = min(len(a), len(b))
    return next((i for i in range(n) if a[i] != b[i]), n)


def _how(explanation: list[tuple[str, str]]) -> str:
    """'UTF-8 text read as windows-1252' from ftfy's [('encode', 'sloppy-windows-1252'), ('decode', 'utf-8')]."""
    encodes = [arg.removeprefix("sloppy-") for op, arg in explanation if op == "encode"]
    decodes = [arg for op, arg in explanation if op == "decode"]
    if encodes and decodes:
        source = "UTF-8" if decodes[0] == "utf-8" else decodes[0]
        layers = f", {len(decodes)} layers deep" if len(decodes) > 1 else ""
        return f"{source} text read as {encodes[0]}{layers}"
    if any(arg == "decode_inconsistent_utf8" for _, arg in explanation):
        return "UTF-8 text read as windows-1252 in parts"
    return ", ".join(f"{op} {arg}" for op, arg in explanation)


def _not_nfc(record: Record, f: TextField) -> Finding:
    text = f.text
    normalized = unicodedata.normalize("NFC", text)
    first = _first_unnormalized(text)
    delta = len(text) - len(normalized)
    change = (
        f"NFC is {delta} character{'s' if abs(delta) != 1 else ''} {'shorter' if delta > 0 else 'longer'}"
        if delta
        else "NFC keeps its length but changes characters"
    )
    return NOT_NFC.at(
        record,
        f"{_subject(f.role)} is not in Unicode NFC (first non-NFC character at offset {first}); {change}",
        field=f.pointer,
        snippet=_window(text, first),
        metrics={"first_offset": first, "length_change": -delta},
    )


def _first_unnormalized(text: str) -> int:
    """The offset of the character that makes ``text`` non-NFC: the shortest non-NFC prefix ends
    there (a prefix of an NFC text is NFC in practice, so a binary search finds it)."""
    lo, hi = 1, len(text)  # the whole text is not NFC
    while lo < hi:
        mid = (lo + hi) // 2
        if unicodedata.is_normalized("NFC", text[:mid]):
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


CHECKS = [EncodingCheck]
