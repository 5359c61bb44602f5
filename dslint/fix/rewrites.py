"""Field rewrites: the new text of a field for one finding of a fixable rule.

Each rewrite is a pure function of the field's current text, so several rules can fix the same
field in one pass (a stray BOM, then NFC); it returns the text unchanged when it has nothing to do.
The detectors are the checks' own, so a rewrite removes exactly what the rule reported.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import ftfy

from dslint.check import CheckContext
from dslint.checks.encoding.rules import CONTROL_CHARACTER, INVISIBLE_CHARACTER
from dslint.checks.encoding.chars import BIDI, CONTROL, INVISIBLE, scan
from dslint.detect.patterns import DEFAULT_SECRET_NAMES
from dslint.checks.pii.rules import RULE_BY_KIND
from dslint.detect.pii import ScanConfig
from dslint.detect.pii import scan as scan_pii
from dslint.finding import Finding
from dslint.formats import Format
from dslint.formats.base import TextField
from dslint.record import stable_hash

# What a redacted value becomes, by detector (dslint.detect.pii.KINDS).
PLACEHOLDERS = {
    "email": "<EMAIL>",
    "phone": "<PHONE>",
    "card": "<CARD>",
    "iban": "<IBAN>",
    "ssn": "<SSN>",
    "ip": "<IP_ADDRESS>",
    "token": "<SECRET>",
    "credential": "<SECRET>",
    "private-key": "<PRIVATE_KEY>",
}
# Keys of an instruction layout that hold optional extra input, which "" means "none" for.
OPTIONAL_INPUT_KEYS = ("input", "context")
# A whole ANSI escape sequence: CSI (colours, cursor moves) or OSC (titles, links).
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")


@dataclass(frozen=True)
class Target:
    """What a rewrite is given besides the text: the finding, the field and the run's options."""

    finding: Finding
    field: TextField
    format: Format
    ctx: CheckContext


Rewrite = Callable[[str, Target], str]


def _without(text: str, offsets: set[int]) -> str:
    return "".join(ch for i, ch in enumerate(text) if i not in offsets)


def _remove_chars(kind: str, allow_rule: object | None = None) -> Rewrite:
    def rewrite(text: str, target: Target) -> str:
        allowed = frozenset(target.ctx.opts(allow_rule).allow) if allow_rule is not None else frozenset()
        offsets = {h.offset for h in scan(text).hits.get(kind, []) if f"U+{ord(text[h.offset]):04X}" not in allowed}
        if kind == CONTROL and ftfy.fix_encoding(text) != text:
            # C1 controls in mojibake are DS601's ("\x93" is a curly quote read as latin-1).
            offsets = {i for i in offsets if not 0x80 <= ord(text[i]) <= 0x9F}
        if kind == CONTROL and "U+001B" not in allowed:
            # An escape sequence goes as a whole: "ESC[32m" without ESC leaves "[32m" behind.
            for m in _ANSI.finditer(text):
                offsets.update(range(m.start(), m.end()))
        return _without(text, offsets) if offsets else text

    return rewrite


def _nfc(text: str, target: Target) -> str:
    return unicodedata.normalize("NFC", text)


def _bom(text: str, target: Target) -> str:
    return text.replace("\ufeff", "")


def _mojibake(text: str, target: Target) -> str:
    return ftfy.fix_encoding(text)


def _redact(kind: str) -> Rewrite:
    """Replace every occurrence of the finding's value (matched by its ``value_hash``)."""
    rule = RULE_BY_KIND[kind]

    def rewrite(text: str, target: Target) -> str:
        opts = target.ctx.opts(rule)
        config = ScanConfig(
            kinds=frozenset({kind}),
            secret_names=tuple(getattr(opts, "names", DEFAULT_SECRET_NAMES)),
            **({"regions": tuple(opts.regions)} if getattr(opts, "regions", None) else {}),
        )
        wanted = target.finding.metrics.get("value_hash")
        hits = [h for h in scan_pii(text, config) if stable_hash(h.norm) == wanted]
        for hit in sorted(hits, key=lambda h: h.start, reverse=True):
            text = text[: hit.start] + PLACEHOLDERS[kind] + text[hit.end :]
        return text

    return rewrite


def _empty_input(text: str, target: Target) -> str:
    """'<noinput>' or 'N/A' in an optional input field means no input: write it as ""."""
    key = target.field.pointer[1:]
    optional = getattr(target.format, "optional", ())
    if key in OPTIONAL_INPUT_KEYS and key in optional and target.field.part == "input":
        return ""
    return text


REWRITES: dict[str, Rewrite] = {
    "DS601": _mojibake,
    "DS603": _remove_chars(CONTROL, CONTROL_CHARACTER),
    "DS605": _bom,
    "DS606": _remove_chars(INVISIBLE, INVISIBLE_CHARACTER),
    "DS607": _remove_chars(BIDI),
    "DS608": _nfc,
    "DS805": _empty_input,
    **{rule.code: _redact(kind) for kind, rule in RULE_BY_KIND.items()},
}
