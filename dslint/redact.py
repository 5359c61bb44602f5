"""Make record text safe to print: redact PII and secrets, escape control characters, shorten.

Every snippet and every message that quotes record text goes through here before any reporter
sees it, because CI logs are often public and terminals interpret escape sequences.
"""

from __future__ import annotations

import re
import unicodedata

SNIPPET_CHARS = 80

# Each pattern is linear-time: no nested quantifiers, bounded repetition only.
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-]{1,64})@([A-Za-z0-9-]{1,63})((?:\.[A-Za-z0-9-]{1,63}){1,8})\b")
_SECRET = re.compile(
    r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"  # AWS access key id
    r"|\bgh[pousr]_[A-Za-z0-9]{30,255}\b"  # GitHub tokens
    r"|\bglpat-[A-Za-z0-9_-]{20,64}\b"  # GitLab
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,200}\b"  # Slack
    r"|\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,200}\b"  # OpenAI / Anthropic
    r"|\bhf_[A-Za-z0-9]{30,64}\b"  # Hugging Face
    r"|\bAIza[0-9A-Za-z_-]{35}\b"  # Google API key
    r"|\beyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{0,4096}"  # JWT
)
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----")
# Runs of 9+ digits, possibly grouped by spaces, dots or dashes: phones, cards, IBAN tails, SSNs.
_DIGITS = re.compile(r"(?<![\w])\+?\d(?:[ .-]?\d){8,30}(?![\w])")
_SECRET_ASSIGN = re.compile(
    r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)(\s{0,3}[:=]\s{0,3}[\"']?)([^\s\"']{4,200})"
)


def _mask_keep_ends(value: str, keep: int = 4) -> str:
    if len(value) <= keep * 2:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - keep * 2) + value[-keep:]


def _mask_email(m: re.Match[str]) -> str:
    local, host, tld = m.group(1), m.group(2), m.group(3)
    return f"{local[:1]}***@{host[:1]}***{tld}"


def _mask_digits(m: re.Match[str]) -> str:
    text = m.group(0)
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    keep = set(digits[:4] + digits[-4:]) if len(digits) > 10 else set(digits[-2:])
    return "".join(c if (not c.isdigit() or i in keep) else "*" for i, c in enumerate(text))


def redact(text: str) -> str:
    """Mask emails, long digit runs, known secret formats and values assigned to secret names."""
    text = _PRIVATE_KEY.sub("-----BEGIN [REDACTED] PRIVATE KEY-----", text)
    text = _SECRET.sub(lambda m: _mask_keep_ends(m.group(0)), text)
    text = _SECRET_ASSIGN.sub(lambda m: m.group(1) + m.group(2) + "*" * min(len(m.group(3)), 12), text)
    text = _EMAIL.sub(_mask_email, text)
    return _DIGITS.sub(_mask_digits, text)


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
