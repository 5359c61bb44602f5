"""Phone numbers (phonenumbers), payment cards of every major scheme and length, and IBANs in
either case: the misses and false alarms the detectors used to have, as tests."""

from __future__ import annotations

import pytest

from dslint.detect.pii import ScanConfig, narrowed, needed_kinds, scan
from dslint.detect.validators import card_issuer, luhn_ok
from tests.checks.test_pii import answer, assert_hidden, codes, run


def kinds(text: str, **options: object) -> list[tuple[str, str]]:
    config = ScanConfig(**options)  # type: ignore[arg-type]
    hits = scan(text, config)
    assert scan(text, narrowed(config, int(needed_kinds([text], config)[0]))) == hits  # the batch path's triggers
    return [(h.kind, h.value) for h in hits]


# --- phone numbers ---------------------------------------------------------------------------

PHONES = [
    # (text, the number as written, its E.164 form)
    ("Call 415.555.2671x459 before noon.", "415.555.2671x459", "+14155552671"),
    ("Tel: 212-555-1234 ext. 12.", "212-555-1234 ext. 12", "+12125551234"),
    ("Office (415) 839-2047-Fax", "(415) 839-2047", "+14158392047"),
    ("Fax +1 415 839 2047-Fax", "+1 415 839 2047", "+14158392047"),
    ("Studio: +49 30 12345678 ext. 12", "+49 30 12345678 ext. 12", "+493012345678"),
    ("Oficina en Madrid: 912 345 678.", "912 345 678", "+34912345678"),
    ("Mumbai desk +91 22 2345 6789, ask for Ravi.", "+91 22 2345 6789", "+912223456789"),
    ("Tokyo office: +81 3-1234-5678.", "+81 3-1234-5678", "+81312345678"),
    ("Wellington: +64 4 472 1234.", "+64 4 472 1234", "+6444721234"),
]


@pytest.mark.parametrize(("text", "written", "e164"), PHONES)
def test_phone_numbers_with_extensions_and_national_formats(text: str, written: str, e164: str) -> None:
    hits = scan(text, ScanConfig())
    assert [(h.kind, h.value, h.norm) for h in hits] == [("phone", written, e164)]
    findings = run(answer(text))
    assert codes(findings) == ["DS502"]
    assert_hidden(findings, written)


@pytest.mark.parametrize(
    "text",
    [
        "Shipped 2024-03-15, order 20240315093012, build 1.3.6.1.4.1.311.",
        "Timestamps 1700000000 and 1700000123; amount 4155552671 cents.",  # bare digit runs
        "Call (415) 555-0134 or 020 7946 0958: both fictional.",
        "Toll-free: 1-800-642-7676, 0800 123 4567.",
        "Figures 12 345 678 90 12 in the table.",
        "Version 10.2.33.4567 and ratio 3.14159265.",
    ],
)
def test_phone_look_alikes_and_exclusions(text: str) -> None:
    assert run(answer(text)) == []


def test_national_numbers_belong_to_the_first_region_where_they_are_valid() -> None:
    # "06 4567 8901" is a Rome number and an Irish one: the order of `regions` decides
    text = "Ufficio di Roma: 06 4567 8901."
    assert [h.norm for h in scan(text, ScanConfig(regions=("IT", "IE")))] == ["+390645678901"]
    assert [h.norm for h in scan(text, ScanConfig(regions=("IE", "IT")))] == ["+353645678901"]


def test_regions_option_accepts_every_region_the_library_knows() -> None:
    text = "Llámame al 612 34 56 78."
    assert kinds(text, regions=("US",)) == []
    assert kinds(text, regions=("ES",)) == [("phone", "612 34 56 78")]
    from tests.checks.test_pii import RULES

    assert RULES["DS502"].options.model_validate({"regions": ["es", "BR"]}).regions == ["ES", "BR"]
    with pytest.raises(ValueError, match="unknown region"):
        RULES["DS502"].options.model_validate({"regions": ["XX"]})


# --- payment cards ---------------------------------------------------------------------------

# Test numbers the schemes and payment processors publish (Luhn-valid, never issued).
CARDS = [
    ("4222222222222", "visa"),  # 13 digits
    ("4111 1111 1111 1111", "visa"),
    ("4111 1111 1111 1111 003", "visa"),  # 19 digits
    ("5555 5555 5555 4444", "mastercard"),
    ("2223 0031 2200 3222", "mastercard"),  # 2-series
    ("3782 822463 10005", "amex"),
    ("6011 1111 1111 1117", "discover"),
    ("3056 930902 5904", "diners"),  # 14 digits
    ("3530 1113 3330 0000", "jcb"),
    ("6200 0000 0000 0005", "unionpay"),
    ("6759 6498 2643 8453", "maestro"),
    ("6304 0000 0000 0000 000", "maestro"),  # 19 digits
    ("2200 0000 0000 0004", "mir"),
]


@pytest.mark.parametrize(("number", "issuer"), CARDS)
def test_cards_of_every_scheme_and_length(number: str, issuer: str) -> None:
    digits = number.replace(" ", "")
    assert luhn_ok(digits) and card_issuer(digits) == issuer
    findings = run(answer(f"Charge card {number} for the deposit."))
    assert codes(findings) == ["DS503"] and findings[0].metrics["type"] == issuer
    assert_hidden(findings, digits[4:-4])


@pytest.mark.parametrize(
    "text",
    [
        "IBAN DE89 3704 0044 0532 0130 01 (one digit off) was rejected.",  # 3704 0044 0532 0130 is Luhn-valid
        "Order 12 4111 1111 1111 1111 ships Monday.",  # part of a longer run of groups
        "Ref ORD4111111111111111X in the ledger.",
        "Tracking 4111 1111 1111 1111 22 arrived.",
    ],
)
def test_card_numbers_inside_longer_codes_are_not_cards(text: str) -> None:
    assert [f for f in run(answer(text)) if f.rule == "DS503"] == []


# --- IBAN ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iban",
    ["de89370400440532013000", "de89 3704 0044 0532 0130 00", "gb33bukb20201555555555", "Nl91Abna0417164300"],
)
def test_lower_and_mixed_case_ibans(iban: str) -> None:
    findings = run(answer(f"Please wire it to {iban} today."))
    assert codes(findings) == ["DS504"]
    assert findings[0].metrics["value_hash"] and iban[4:10] not in findings[0].message


def test_iban_digits_are_not_reported_as_a_card() -> None:
    assert codes(run(answer("IBAN DE89 3704 0044 0532 0130 00."))) == ["DS504"]
    assert codes(run(answer("IBAN DE89 3704 0044 0532 0130 00."), enabled={"DS503"})) == []


@pytest.mark.parametrize(
    "text",
    ["415-839-2047, " * 4_000, "030 1234567, " * 4_000, "+44 20 7123 4567; " * 3_000, "415.555.2671x459 " * 3_000, "(415) 839-2047 / " * 3_000],
    ids=["nanp", "national-zero", "international", "extensions", "slashes"],
)
def test_many_phone_numbers_give_well_formed_hits(text: str) -> None:
    # Timing lives in bench/bench_pii.py; here every hit is the text it claims, in order.
    hits = scan(text, ScanConfig())
    assert all(text[h.start : h.end] == h.value for h in hits)
    assert all(a.end <= b.start for a, b in zip(hits, hits[1:]))


def test_numbers_at_the_start_of_a_line_and_national_forms_without_trunk_prefix() -> None:
    text = "Details below.\n+44 121 234 5678 is her office.\nSão Paulo: (11) 96123-4567"
    assert [h.norm for h in scan(text, ScanConfig())] == ["+441212345678", "+5511961234567"]
