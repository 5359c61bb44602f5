"""Make record text safe to print: redact PII and secrets, escape control characters, shorten.

Every snippet and every message that quotes record text goes through here before any reporter
sees it, because CI logs are often public and terminals interpret escape sequences.
"""

from __future__ import annotations

import re
import unicodedata

from dslint.checks.pii_scan import REDACTION, mask, scan

SNIPPET_CHARS = 80

# Digit runs the detectors do not claim (a 16-digit number failing Luhn, an account number) are
# masked anyway: 9+ digits, possibly grouped by spaces, dots or dashes. Linear: one digit per step.
_DIGITS = re.compile(r"(?<![\w])\+?\d(?:[ .-]?\d){8,30}(?![\w])")


def _mask_digits(m: re.Match[str]) -> str:
    text = m.group(0)
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    keep = set(digits[:4] + digits[-4:]) if len(digits) > 10 else set(digits[-2:])
    return "".join(c if (not c.isdigit() or i in keep) else "*" for i, c in enumerate(text))


def redact(text: str) -> str:
    """Mask what the DS5xx detectors find (emails, phone and card numbers, IBANs, SSNs, IP
    addresses, tokens, private keys, values assigned to secret names; without their checksums and
    allow-lists: masking too much in a snippet is harmless) and any other long digit run."""
    masked = mask(text, scan(text, REDACTION))
    return _DIGITS.sub(_mask_digits, masked)


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """Replace control, format (bidi, zero-width) and unpaired surrogate characters by escapes."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def make_snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """A short, redacted, printable excerpt of record text."""
    head = text[: limit * 4]  # bound the work on huge fields before redacting
    safe = printable(redact(head))
    if len(safe) > limit or len(text) > len(head):
        return safe[: limit - 1].rstrip() + "…"
    return safe


def quote(value: object, limit: int = 40) -> str:
    """A value from the data, quoted for a message: redacted, printable and short."""
    return repr(make_snippet(str(value), limit))
