"""EncodingCheck: the family's one pass (see the package docstring)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import compress
from operator import not_

import ftfy
from ftfy.badness import is_bad

from dslint.batch import Batch
from dslint.check import CheckContext, RecordCheck
from dslint.checks.encoding.chars import (
    BIDI,
    BOM,
    CONTROL,
    INVISIBLE,
    MOJIBAKE_HINT,
    REPLACEMENT,
    SURROGATE,
    Hit,
    ascii_suspicious,
    describe,
    hidden_tag_text,
    scan,
)
from dslint.checks.encoding.rules import (
    BIDI_CONTROL,
    BYTE_ORDER_MARK,
    CONTROL_CHARACTER,
    INVISIBLE_CHARACTER,
    LONE_SURROGATE,
    MOJIBAKE,
    NOT_NFC,
    REPLACEMENT_CHARACTER,
)
from dslint.finding import Finding
from dslint.formats.base import TextField
from dslint.record import Record
from dslint.redact import make_snippet, quote

_CODE_POINT = re.compile(r"^[Uu]\+([0-9A-Fa-f]{4,6})$")
_C1 = re.compile("[\x80-\x9f]")


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

    def check_batch(self, batch: Batch) -> Iterable[Finding]:
        """Only the fields that may hold a finding: those beyond ASCII, and the ASCII ones with a
        control character, looked for in all of them at once first (most text has none)."""
        columns = batch.columns
        texts = columns.texts
        ascii = list(map(str.isascii, texts))  # map and compress: no bytecode per text
        wide = list(compress(range(len(texts)), map(not_, ascii)))
        if self.kinds_on and ascii_suspicious("".join(compress(texts, ascii))):
            wide = sorted(wide + [i for i in compress(range(len(texts)), ascii) if ascii_suspicious(texts[i])])
        findings: list[Finding] = []
        for i in wide:
            findings.extend(self._field(batch.records[columns.row[i]], columns.fields[i]))
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
