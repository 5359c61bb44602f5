"""Detectors of PII and secrets written as text: private keys, tokens of known formats, values
assigned to secret names, email addresses; the ``Hit`` they all return and the masks.

Numbers (cards, IBANs, SSNs, IP and phone numbers) are in numbers.py; pii.py runs them
all. Every pattern runs in linear time on adversarial input: no quantifier is nested inside another
over the same characters and every repetition is bounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dslint.detect import validators as v
from dslint.detect.secrets import find_secrets

DEFAULT_SECRET_NAMES = (
    "password", "passwd", "pwd", "passphrase", "secret", "token", "api_key", "apikey", "access_key",
    "private_key", "client_secret", "auth_key", "credential", "credentials",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Hit:
    """One detected value. ``value`` is the raw text and must never leave the check."""

    kind: str  # one of dslint.detect.pii.KINDS
    start: int
    end: int
    value: str
    norm: str  # canonical form: what allow-lists compare and value_hash hashes
    label: str  # for messages, e.g. "Visa card number"
    masked: str  # safe to print
    category: str = ""  # reserved-domain, fictional, toll-free, documentation, private, public
    detail: str = ""  # card issuer, token provider, key type, "international"/"national", IP version
    entropy: float = 0.0  # credentials only
    hex: bool = False  # credentials only: the value is all hex digits


# --- masking ---------------------------------------------------------------------------------


def mask_middle(value: str, keep: int = 4, max_stars: int = 16) -> str:
    """'AKIAIOSFODNN7EXAMPLE' -> 'AKIA************MPLE'; short values are masked entirely."""
    if len(value) < keep * 3:
        return "*" * min(len(value), max_stars)
    return value[:keep] + "*" * min(len(value) - 2 * keep, max_stars) + value[-keep:]


def mask_digits(value: str, head: int = 0, tail: int = 2) -> str:
    """Mask digits but the first ``head`` and last ``tail`` ones, keeping separators."""
    positions = [i for i, ch in enumerate(value) if ch.isdigit()]
    keep = set(positions[:head]) | set(positions[len(positions) - tail :] if tail else ())
    return "".join("*" if ch.isdigit() and i not in keep else ch for i, ch in enumerate(value))


# --- private keys ----------------------------------------------------------------------------

_PEM_HEADER = re.compile(r"-----BEGIN ((?:[A-Z0-9]{1,12} ){0,3})PRIVATE KEY(?: BLOCK)?-----")
# Optional "Proc-Type:"/"DEK-Info:" lines, then the base64 body (real or JSON-escaped newlines).
_PEM_BODY = re.compile(
    r"(?:\s|\\n){0,4}(?:[A-Za-z-]{1,40}:[^\n]{0,200}\n){0,4}(?:\s|\\n){0,4}"
    r"([A-Za-z0-9+/=\r\n\\]{1,20000})(-----END [A-Z0-9 ]{1,40}-----)?"
)
_WS_OR_ESCAPED_NL = re.compile(r"\s|\\n")


def find_private_keys(text: str, validate: bool) -> Iterator[Hit]:
    if "PRIVATE KEY" not in text:
        return
    for m in _PEM_HEADER.finditer(text):
        body_m = _PEM_BODY.match(text, m.end())
        body = _WS_OR_ESCAPED_NL.sub("", body_m.group(1)) if body_m else ""
        # A header alone ("the file starts with -----BEGIN ... -----") or a placeholder body is
        # documentation, not a key.
        if validate and (len(body) < 40 or v.shannon_entropy(body[:512]) < 3.5):
            continue
        end = body_m.end() if body_m and body else m.end()
        kind = m.group(1).strip() or "PKCS#8"
        header = m.group(0)
        yield Hit("private-key", m.start(), end, text[m.start() : end], body or header,
                  f"{kind} private key", header + "[REDACTED]", detail=kind.lower())  # fmt: skip


# --- known token formats ---------------------------------------------------------------------

def find_tokens(text: str, validate: bool) -> Iterator[Hit]:
    """Credentials of the formats in the secrets catalogue (pii_secrets.CATALOGUE)."""
    for m in find_secrets(text, validate):
        yield Hit("token", m.start, m.end, m.value, m.value, m.secret.label, mask_middle(m.value),
                  category=m.category, detail=m.secret.id)  # fmt: skip


# --- values assigned to secret names ---------------------------------------------------------

_PLACEHOLDERS = (
    "xxx", "***", "...", "<", ">", "${", "{{", "%s", "your_", "your-", "changeme", "placeholder", "redacted", "dummy",
)  # fmt: skip
_BEARER = re.compile(r"(?<![\w-])[Bb]earer[ \t]{1,3}([A-Za-z0-9._~+/-]{16,2000}=*)(?![\w.~+/=-])")


def names_pattern(names: Iterable[str]) -> re.Pattern[str]:
    """The secret names, lower case, for a case-sensitive search of lower-cased text (several
    times faster than an IGNORECASE pattern). A name matches anywhere in an identifier
    (DB_PASSWORD, githubToken); '_' or '-' in a name also matches '-', '_' or nothing."""
    forms = sorted({n.lower().replace("-", "_") for n in names}, key=lambda n: (-len(n), n))
    return re.compile("|".join(re.escape(n).replace("_", "[_-]?") for n in forms))


# After the name: the rest of the identifier, an operator of code, config, JSON, YAML or .env
# syntax, and the value (group 2-5: double, single or back quotes, or unquoted up to a delimiter).
_ASSIGNMENT = re.compile(
    r"([\w.-]{0,24})[\"']?[ \t]{0,3}(?::=|=>|=|:)[ \t]{0,3}"
    r"(?:\"([^\"\s]{1,200})\"|'([^'\s]{1,200})'|`([^`\s]{1,200})`"
    r"|([^\s\"'`,;(){}\[\]<>]{1,200})(?![^\s\"'`,;)}\]>]))"
)


_NON_IDENTIFIER = re.compile(r"[^\w.-]")


def _is_placeholder(value: str) -> bool:
    low = value.lower()
    return any(p in low for p in _PLACEHOLDERS) or len(set(low)) <= 2


def find_credentials(text: str, names: re.Pattern[str], keywords: Iterable[str], validate: bool) -> Iterator[Hit]:
    """Values assigned to a name ``names`` (from names_pattern) matches; ``keywords``: words one
    of which the lower-cased text must contain for the search to run at all."""
    low = text.lower()
    for keyword in keywords:
        if keyword in low:
            break
    else:
        return
    # Lower-casing keeps offsets except for a few characters (U+0130): then search a copy of the
    # pattern that ignores case instead.
    if len(low) != len(text):
        names, low = re.compile(names.pattern, re.IGNORECASE), text
    found: set[tuple[int, int]] = set()  # "password_token = x" names the value twice
    for name in names.finditer(low):
        m = _ASSIGNMENT.match(text, name.end())
        if m is None:
            continue
        # publicKeyToken, STRIPE_PUBLISHABLE_KEY: published by design
        if validate:
            head = _NON_IDENTIFIER.split(low[max(0, name.start() - 40) : name.start()])[-1]
            if "public" in head or "public" in m.group(1).lower():
                continue
        group = next(i for i in (2, 3, 4, 5) if m.group(i) is not None)
        start, end = m.span(group)
        if group == 5:  # an unquoted value may end a sentence
            end -= len(m.group(5)) - len(m.group(5).rstrip("."))
        found.add((start, end))
    if "bearer" in low:
        found |= {m.span(1) for m in _BEARER.finditer(text)}
    for start, end in sorted(found):
        value = text[start:end]
        # "***": already masked (snippets are redacted twice: by the check, then by make_snippet)
        if len(value) < 4 or "***" in value or (validate and _is_placeholder(value)):
            continue
        entropy, is_hex = v.secret_entropy(value)
        yield Hit("credential", start, end, value, value, "secret value", "*" * min(len(value), 12),
                  entropy=entropy, hex=is_hex)  # fmt: skip


# --- email addresses -------------------------------------------------------------------------

# Not after '*': a masked value ("ghp_****A1b2@github.com") is not an address to mask again.
_EMAIL = re.compile(
    r"(?<![\w.%+*-])([A-Za-z0-9_][A-Za-z0-9_.%+-]{0,63})@"
    r"([A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9-]{1,63}){1,8})(?![\w-]|\.[A-Za-z0-9])"
)
_TLD = re.compile(r"[a-z]{2,24}|xn--[a-z0-9-]{1,59}")
# File extensions that follow '@' in asset names (icon@2x.png) and are no real top-level domain.
_FILE_EXTENSIONS = frozenset(
    "png jpg jpeg gif svg webp ico bmp tif tiff css js mjs ts tsx jsx json html htm txt pdf csv yaml yml "
    "xml wasm mp3 mp4 wav webm ogg map lock".split()
)
RESERVED_DOMAINS = ("example.com", "example.org", "example.net")
RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost"})
# Shared service addresses, not a person's.
_SERVICE_ADDRESSES = frozenset({"git@github.com", "git@gitlab.com", "git@bitbucket.org"})


def domain_within(domain: str, parents: Iterable[str]) -> bool:
    """True when ``domain`` is one of ``parents`` or a subdomain of one."""
    return any(domain == p or domain.endswith("." + p) for p in parents)


def find_emails(text: str, validate: bool) -> Iterator[Hit]:
    if "@" not in text:
        return
    for m in _EMAIL.finditer(text):
        local, domain = m.group(1), m.group(2).lower()
        tld = domain.rsplit(".", 1)[-1]
        if validate and (
            local.endswith(".") or ".." in local
            or not _TLD.fullmatch(tld) or tld in _FILE_EXTENSIONS
            or any(label.startswith("-") or label.endswith("-") for label in domain.split("."))
        ):  # fmt: skip
            continue
        norm = f"{local.lower()}@{domain}"
        if norm in _SERVICE_ADDRESSES and validate:
            continue
        reserved = tld in RESERVED_TLDS or domain_within(domain, RESERVED_DOMAINS)
        masked = f"{local[0]}***@{domain[0]}***.{tld}"
        yield Hit("email", m.start(), m.end(), m.group(0), norm, "email address", masked,
                  category="reserved-domain" if reserved else "")  # fmt: skip
