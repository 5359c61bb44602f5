"""Checksums, number ranges and reserved ranges that turn a pattern match into a finding.

Pure functions of one value each, without regular expressions: a look-alike (a 16-digit order
number failing Luhn, an IBAN with a bad checksum, an SSN in a never-issued range, a documentation
IP address) is rejected here.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
from collections import Counter

import orjson

# --- payment cards ---------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) checksum every payment card number carries."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_MAESTRO_PREFIXES = ("5018", "5020", "5038", "5893", "6304", "6759", "6761", "6762", "6763")


def card_issuer(digits: str) -> str | None:
    """The network a card number belongs to, judged by its prefix (IIN) and length, after the
    networks' published IIN ranges: Visa 4 (13, 16-19 digits); Mastercard 51-55 and 2221-2720
    (16); American Express 34, 37 (15); Discover 6011, 644-649, 65 (16-19); JCB 3528-3589
    (16-19); Diners Club 300-305, 309, 36, 38-39 (14-19); UnionPay 62, 81 (16-19); Maestro
    5018, 5020, 5038, 5893, 6304, 6759, 6761-6763 (12-19); Mir 2200-2204 (16-19)."""
    n = len(digits)
    if not 12 <= n <= 19 or not digits.isdigit():
        return None
    p2, p3, p4, p6 = int(digits[:2]), int(digits[:3]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4" and (n == 13 or n >= 16):
        return "visa"
    if n == 16 and (51 <= p2 <= 55 or 2221 <= p4 <= 2720):
        return "mastercard"
    if n == 15 and p2 in (34, 37):
        return "amex"
    if 16 <= n <= 19 and 2200 <= p4 <= 2204:
        return "mir"
    if 16 <= n <= 19 and (p4 == 6011 or p2 == 65 or 644 <= p3 <= 649 or 622126 <= p6 <= 622925):
        return "discover"
    if 16 <= n <= 19 and 3528 <= p4 <= 3589:
        return "jcb"
    if 14 <= n <= 19 and (300 <= p3 <= 305 or p3 == 309 or p2 in (36, 38, 39)):
        return "diners"
    if digits.startswith(_MAESTRO_PREFIXES):
        return "maestro"
    if 16 <= n <= 19 and (p2 == 62 or 8100 <= p4 <= 8171):
        return "unionpay"
    return None


# --- IBAN ------------------------------------------------------------------------------------

# ISO 13616 registry: country code -> IBAN length.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


def iban_ok(iban: str) -> bool:
    """ISO 7064 mod 97-10: move the first four characters to the end, letters become 10..35."""
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban[2:4].isdigit():
        return False
    rearranged = iban[4:] + iban[:4]
    try:
        return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
    except ValueError:
        return False


# --- US social security numbers --------------------------------------------------------------

# Published in advertising or documentation and never valid (SSA: Woolworth's wallet card, the
# 1940s pamphlet number, and the placeholder everyone uses).
SSN_PLACEHOLDERS = frozenset({"078051120", "219099999", "123456789"})


def ssn_ok(area: str, group: str, serial: str) -> bool:
    """Area 001-899 except 666, group 01-99, serial 0001-9999 (SSA's never-issued ranges); not a
    published example nor a repeated-digit placeholder such as 111-22-3333."""
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    if len(set(area)) == len(set(group)) == len(set(serial)) == 1:
        return False
    return area + group + serial not in SSN_PLACEHOLDERS


# --- phone numbers ---------------------------------------------------------------------------

NANP_TOLL_FREE = frozenset({"800", "833", "844", "855", "866", "877", "888"})


def phone_category(country: str, national: str) -> str:
    """'fictional', 'toll-free' or '' for a national significant number (no trunk 0).

    Fictional ranges are reserved for films and documentation: NANP 555-0100..0199; Ofcom's drama
    numbers (020 7946 0xxx, 0113-0191 496 0xxx, 01632 960xxx, 07700 900xxx, 0808 157 0xxx);
    ACMA's (02/03/07/08 5550 xxxx and 7010 xxxx, 0491 57x xxx).
    """
    if country == "1":
        if national[3:6] == "555" and national[6:8] == "01":
            return "fictional"
        return "toll-free" if national[:3] in NANP_TOLL_FREE else ""
    if country == "44":
        drama = ("2079460", "1632960", "7700900", "8081570")
        if national.startswith(drama) or (national[:1] == "1" and national[4:8] == "4960"):
            return "fictional"
        return "toll-free" if national.startswith(("800", "808")) else ""
    if country == "61":
        if national[:1] in "2378" and national[1:5] in ("5550", "7010") or national.startswith("49157"):
            return "fictional"
        return "toll-free" if national.startswith(("1800", "1300")) else ""
    if country in ("33", "49") and national.startswith("80"):
        return "toll-free"
    return ""


# --- IP addresses ----------------------------------------------------------------------------

DOCUMENTATION_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20")
)
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def ip_category(addr: IPAddress) -> str:
    """'documentation', 'private' (private, loopback, link-local, shared, multicast, reserved,
    unspecified) or 'public'. Documentation comes first: `ipaddress` counts it as private."""
    if any(addr in net for net in DOCUMENTATION_NETWORKS if net.version == addr.version):
        return "documentation"
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return ip_category(addr.ipv4_mapped)
        if addr not in _GLOBAL_UNICAST_V6:  # "dead::beef" and friends: unallocated, never a host
            return "private"
    return "public" if addr.is_global and not addr.is_multicast else "private"


# --- secrets ---------------------------------------------------------------------------------


def shannon_entropy(value: str) -> float:
    """Bits per character of the value's own character distribution."""
    n = len(value)
    if not n:
        return 0.0
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


HEX_CHARS = frozenset("0123456789abcdefABCDEF")


def secret_entropy(value: str) -> tuple[float, bool]:
    """(entropy, is_hex). Like detect-secrets, an all-digit value is penalised: it is far more
    often an id, a phone number or a timestamp than a key."""
    entropy = shannon_entropy(value)
    is_hex = all(ch in HEX_CHARS for ch in value)
    if value.isdigit() and len(value) > 1:
        entropy -= 1.2 / math.log2(len(value))
    return entropy, is_hex


def jwt_ok(token: str) -> bool:
    """The header of a JWT decodes (base64url) to a JSON object naming its algorithm."""
    header = token.split(".", 1)[0]
    try:
        decoded = orjson.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (binascii.Error, ValueError):
        return False
    return isinstance(decoded, dict) and ("alg" in decoded or "typ" in decoded)


def mixed_token(value: str) -> bool:
    """Random keys mix upper case, lower case and digits; kebab-case names and words do not."""
    return any(c.isdigit() for c in value) and any(c.islower() for c in value) and any(c.isupper() for c in value)
