"""Detectors of PII written as numbers: IBANs, payment cards, US SSNs and IPv4/IPv6 addresses
(phone numbers: pii_phones.py). Apart from IPv6, they search only inside digit clusters (``digit_clusters``): runs
of seven or more digits and separators found by one flat pattern, so prose costs one scan and each
number a few anchored searches. Checksums and ranges live in pii_validators.py.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from dslint.detect import validators as v
from dslint.detect.patterns import Hit, mask_digits

# --- IBAN ------------------------------------------------------------------------------------

# Upper or lower case (people type "de89 3704 ..." too), with or without spaces between groups of four.
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?:[ ]?[A-Za-z0-9]){10,34}")


def find_ibans(text: str, validate: bool) -> Iterator[Hit]:
    pos = 0
    while m := _IBAN.search(text, pos):
        pos = m.start() + 1
        length = v.IBAN_LENGTHS.get(m.group(0)[:2].upper())
        if length is None:
            continue
        # Walk exactly `length` characters; spaces are allowed only between groups of four.
        chars: list[str] = []
        i = 0
        for i, ch in enumerate(m.group(0)):
            if ch == " ":
                if len(chars) % 4:
                    break
            else:
                chars.append(ch)
                if len(chars) == length:
                    break
        end = m.start() + i + 1
        if len(chars) != length or (end < len(text) and text[end].isalnum()):
            continue
        value = text[m.start() : end]
        iban = "".join(chars).upper()
        if validate and not v.iban_ok(iban):
            continue
        masked = "".join("*" if 4 <= n < len(value) - 2 and ch != " " else ch for n, ch in enumerate(value))
        yield Hit("iban", m.start(), end, value, iban, "IBAN", masked, detail=iban[:2])
        pos = end


# --- cards, SSNs, IPv4 and phone numbers, inside digit clusters ------------------------------

# A run of at least seven digits and separators: every numeric detector searches only inside
# these, so plain prose costs one scan and numbers cost a few anchored searches each.
CLUSTER = re.compile(r"[0-9][0-9 ()./-]{5,60}[0-9]")
# Card numbers of 12 to 19 digits, grouped the way cards print them (4-4-4, 4-4-4-1 ... 4-4-4-4-3,
# Amex 4-6-5, Diners 4-6-4), or 13 to 19 bare digits; not inside a longer run of digits, letters or
# groups (an IBAN's "DE89 3704 ..." or an order number).
_CARD = re.compile(
    r"(?<![\w.,+/-])(?:[0-9]{4}(?P<s>[ -])[0-9]{4}(?P=s)[0-9]{4}(?:(?P=s)[0-9]{4})?(?:(?P=s)[0-9]{1,3})?"
    r"|[0-9]{4}(?P<t>[ -])[0-9]{6}(?P=t)[0-9]{4,5}|[0-9]{13,19})(?![\w/]|[.,-][0-9]|[ ][0-9])"
)
# A group of letters and digits right before a grouped number makes it part of a longer code.
_GROUP_BEFORE = re.compile(r"[A-Za-z0-9]*[0-9][A-Za-z0-9]*[ -]$")
_SSN = re.compile(r"(?<![\w.,+/-])([0-9]{3})-([0-9]{2})-([0-9]{4})(?![\w/]|[.,-][0-9])")
# Not followed by more dotted parts: "1.0.0.127.in-addr.arpa" is a DNS name, "1.3.6.1.4.1" an OID.
_IPV4 = re.compile(r"(?<![\w.])[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?![\w]|\.\w)")
# Words right before a dotted quad that make it a version, a section number or an OID.
_VERSION_CONTEXT = re.compile(
    r"(?i)(?:\bv|version|ver\.|release|build|firmware|section|sections|§|chapter|figure|table|rfc|oid"
    r"|identifier\(|==|>=|<=|~=|@|[a-z]/)[\s\"'(]{0,2}$"
)
def digit_clusters(text: str) -> list[tuple[int, int]]:
    """Spans of the digit clusters, each widened to a '+' or '(' just before it (+44, (415))."""
    spans = []
    for m in CLUSTER.finditer(text):
        start = m.start()
        spans.append((start - 1 if start and text[start - 1] in "+(" else start, m.end()))
    return spans


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _in_clusters(text: str, clusters: list[tuple[int, int]], pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
    for start, end in clusters:
        # Two characters past the cluster so that end-of-number lookaheads see the real text.
        yield from pattern.finditer(text, start, min(len(text), end + 2))


def find_cards(text: str, clusters: list[tuple[int, int]], validate: bool) -> Iterator[Hit]:
    for m in _in_clusters(text, clusters, _CARD):
        digits = _digits(m.group(0))
        issuer = v.card_issuer(digits)
        if validate and (
            issuer is None
            or not v.luhn_ok(digits)
            or _bare_argument(text, m)
            or (not m.group(0).isdigit() and _GROUP_BEFORE.search(text, max(0, m.start() - 12), m.start()))
        ):
            continue
        label = f"{_ISSUER_NAMES.get(issuer or '', 'payment')} card number"
        yield Hit("card", m.start(), m.end(), m.group(0), digits, label, mask_digits(m.group(0), 4, 4), detail=issuer or "")


def _bare_argument(text: str, m: re.Match[str]) -> bool:
    """`default_rng(348912093445235)`: an unquoted number alone in parentheses is a seed or an id."""
    return m.group(0).isdigit() and text[m.start() - 1 : m.start()] == "(" and text[m.end() : m.end() + 1] == ")"


_ISSUER_NAMES = {
    "visa": "Visa", "mastercard": "Mastercard", "amex": "American Express", "discover": "Discover",
    "jcb": "JCB", "diners": "Diners Club", "unionpay": "UnionPay", "maestro": "Maestro", "mir": "Mir",
}  # fmt: skip


def find_ssns(text: str, clusters: list[tuple[int, int]], validate: bool) -> Iterator[Hit]:
    for m in _in_clusters(text, clusters, _SSN):
        if validate and not v.ssn_ok(*m.groups()):
            continue
        masked = "***-**-**" + m.group(3)[2:]
        yield Hit("ssn", m.start(), m.end(), m.group(0), _digits(m.group(0)), "US social security number", masked)


def _ip_hit(m: re.Match[str], value: str, addr: v.IPAddress) -> Hit:
    if addr.version == 4:
        masked = value.split(".", 1)[0] + ".***.***.***"
    else:
        masked = value.split(":", 1)[0] + ":****"
    return Hit("ip", m.start(), m.start() + len(value), value, str(addr), f"IPv{addr.version} address", masked,
               category=v.ip_category(addr), detail=f"ipv{addr.version}")  # fmt: skip


def find_ipv4(text: str, clusters: list[tuple[int, int]], validate: bool) -> Iterator[Hit]:
    for m in _in_clusters(text, clusters, _IPV4):
        value = m.group(0)
        try:
            addr = ipaddress.IPv4Address(value)
        except ValueError:  # an octet over 255 or with a leading zero
            continue
        # "1.2.3.4", "2.4.8.19", "8.8.8.8": section numbers, versions and public resolvers, not
        # anybody's host; "3.0.4.16-5a1e7" is a build; "192.31.196.0/24" a network.
        if validate and (
            all(int(o) < 32 for o in value.split("."))
            or _VERSION_CONTEXT.search(text, max(0, m.start() - 12), m.start())
            or (text.startswith("-", m.end()) and text[m.end() + 1 : m.end() + 2].isalnum())
            or _is_network(text, m.end())
        ):
            continue
        yield _ip_hit(m, value, addr)


_IPV6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]{2,44}(?![\w:])")


def _is_network(text: str, end: int) -> bool:
    """A CIDR prefix length follows: the text names a network, not a host."""
    return text.startswith("/", end) and text[end + 1 : end + 2].isdigit()


def find_ipv6(text: str, validate: bool) -> Iterator[Hit]:
    if "::" not in text and text.count(":") < 7:
        return
    for m in _IPV6.finditer(text):
        value = m.group(0).rstrip(".")
        if value.count(":") < 2 or (validate and _is_network(text, m.start() + len(value))):
            continue
        try:
            addr = ipaddress.IPv6Address(value)
        except ValueError:
            continue
        yield _ip_hit(m, value, addr)
