"""Phone numbers, found and validated by ``phonenumbers`` (the Python port of Google's
libphonenumber) inside the digit clusters of pii_numbers.py.

The library knows every region's numbering plan, extensions ("x459", "ext. 12") and national
prefixes; this module only decides where to ask it and which answers to trust. International
numbers (``+CC``) are looked up whatever the regions; a national number is tried against each
configured region whose national format it can be, in order, and the first region where it is
valid wins. A few cheap tests before the library keep dates, decimals and bare digit runs (ids,
timestamps) out: national numbers must be written with separators.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher, PhoneNumberType

from dslint.detect import validators as v
from dslint.detect.patterns import Hit, mask_digits

# Where fine-tuning data mostly comes from: North America, Europe, Oceania, and the largest
# markets of Asia, Latin America and Africa. `regions` in DS502's options replaces the list.
REGIONS = (
    "US", "CA", "GB", "IE", "FR", "DE", "AT", "CH", "NL", "BE", "ES", "IT", "PT", "SE", "NO", "DK",
    "FI", "PL", "AU", "NZ", "IN", "SG", "JP", "BR", "MX", "ZA",
)  # fmt: skip
SUPPORTED_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)

# An extension right after a cluster: "x459", " ext. 12", " extension 7", "#22".
_EXTENSION = re.compile(r"[ ]?(?:x|ext\.?|extn?\.?|extension|#)[ ]?[0-9]{1,6}(?![\w])", re.IGNORECASE)
_DATE_OR_TIME = re.compile(
    r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4}|[0-9]{1,2}:[0-9]{2}"
)
_NOT_DIGITS_BEFORE_EXTENSION = re.compile(r"[ ]?[A-Za-z#]")
_PIECE_SEPARATOR = re.compile(r" [/-] ")
_BAD_SEPARATORS = re.compile(r"[ .-]{2}|[(][^0-9]|[^0-9 ][)]")
# Dotted runs that are versions, OIDs, addresses and networks ("1.3.6.1.4.1.311", "52.94.0.0/16"),
# and signed decimals ("+1234567890.6").
_NOT_A_NUMBER = re.compile(r"(?<![0-9])[0-9]\.[0-9]{1,3}\.|/[0-9]{1,2}$|^\+?[0-9]+\.[0-9]+$")
# A number is not one part of a longer token or of a run of spaced digit groups (a table of figures).
_BEFORE = re.compile(r"[\w.,/+-]\Z|[0-9] \Z")  # \Z, not $: "$" also matches before a newline
_AFTER = re.compile(r"[\w/]|[-.][0-9]| [0-9]")


@lru_cache(maxsize=512)
def _region_plan(region: str) -> tuple[str, re.Pattern[str] | None]:
    """(national prefix a national number must start with, or "", the plan's pattern of national
    significant numbers): a cheap test before the library's full parse."""
    md = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if md is None:
        return "", None
    prefix = md.national_prefix or ""
    pattern = md.general_desc.national_number_pattern if md.general_desc else None
    # NANP's trunk "1" is optional: national numbers are written with or without it.
    return ("" if prefix == "1" else prefix), (re.compile(pattern) if pattern else None)


def _may_be_national(region: str, digits: str) -> bool:
    """The digits are a national significant number of the region's plan, after its national
    prefix or without it (Brazil's "(11) 96123-4567" is written without its trunk 0)."""
    prefix, pattern = _region_plan(region)
    if pattern is None:
        return True
    if pattern.fullmatch(digits):
        return True
    trunk = prefix or "1"
    return digits.startswith(trunk) and pattern.fullmatch(digits[len(trunk) :]) is not None


def _window_end(text: str, end: int) -> int:
    m = _EXTENSION.match(text, end)
    return m.end() if m else end


def find_phones(text: str, clusters: list[tuple[int, int]], regions: Iterable[str], validate: bool) -> Iterator[Hit]:
    leniency = Leniency.VALID if validate else Leniency.POSSIBLE
    order = _distinct_plans(tuple(regions))
    for start, end in clusters:
        end = _window_end(text, end)
        if not _standalone(text, start, end):
            continue  # one piece of a longer run of digit groups, cut by the cluster's length cap
        # "(415) 555-0134 / 1-800-642-7676": one cluster, two numbers
        pos = start
        for m in _PIECE_SEPARATOR.finditer(text, start, end):
            yield from _phones_in(text, pos, m.start(), order, leniency)
            pos = m.end()
        yield from _phones_in(text, pos, end, order, leniency)


def _phones_in(text: str, start: int, end: int, order: tuple[str, ...], leniency: Leniency) -> Iterator[Hit]:
    window = text[start:end]
    number = _NOT_DIGITS_BEFORE_EXTENSION.split(window, 1)[0]  # without the extension
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) < 5:
        return
    # Shape tests apply to redaction too: it must leave dates, versions and decimals alone.
    if (
        _DATE_OR_TIME.search(number)
        or _BAD_SEPARATORS.search(number.replace("(0)", ""))
        or _NOT_A_NUMBER.search(number)
    ):
        return
    if window.startswith("+"):
        candidates: Iterable[str] = ("ZZ",)
    elif window.isdigit():
        return  # a bare national digit run is an id, a timestamp or an amount far more often
    else:
        candidates = (r for r in order if _may_be_national(r, digits))
    for region in candidates:
        matches = list(PhoneNumberMatcher(window, region, leniency=leniency))
        if not matches and region in _FICTIONAL_PLANS:
            # The plan reserves ranges for fiction that the library counts as invalid: such a
            # number is this region's fictional number, not a valid one of the next region.
            possible = PhoneNumberMatcher(window, region, leniency=Leniency.POSSIBLE)
            matches = [m for m in possible if _category(m.number) == "fictional"]
        if matches:
            for m in matches:
                if _standalone(text, start + m.start, start + m.end):
                    yield _hit(text, start + m.start, start + m.end, m.number)
            return


def _standalone(text: str, start: int, end: int) -> bool:
    return not _BEFORE.search(text, max(0, start - 2), start) and not _AFTER.match(text, end)


@lru_cache(maxsize=64)
def _distinct_plans(regions: tuple[str, ...]) -> tuple[str, ...]:
    """One region per calling code: the library validates any NANP number from "US" alike."""
    seen: set[int] = set()
    out = []
    for region in regions:
        code = phonenumbers.country_code_for_region(region)
        if code and code not in seen:
            seen.add(code)
            out.append(region)
    return tuple(out)


_FICTIONAL_PLANS = frozenset({"US", "CA", "GB", "AU"})  # the plans pii_validators.phone_category knows


def _category(number: phonenumbers.PhoneNumber) -> str:
    category = v.phone_category(str(number.country_code), str(number.national_number))
    if not category and phonenumbers.number_type(number) == PhoneNumberType.TOLL_FREE:
        category = "toll-free"
    return category


def _hit(text: str, start: int, end: int, number: phonenumbers.PhoneNumber) -> Hit:
    value = text[start:end]
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    category = _category(number)
    written = "international" if value.startswith("+") else "national"
    return Hit("phone", start, end, value, e164, "phone number", mask_digits(value),
               category=category, detail=written)  # fmt: skip
