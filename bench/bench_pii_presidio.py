"""Benchmark: dslint's PII and secret detectors against presidio-analyzer's pattern recognizers,
on the same generated, labelled records in one run. Prints throughput and precision/recall per
kind; asserts nothing.

    pip install -e '.[bench]'        # presidio-analyzer, only for this benchmark
    python bench/bench_pii_presidio.py --records 5000

Presidio's predefined recognizers (email, phone, credit card, IBAN, IP, US SSN) are instantiated
directly and called without an NLP engine, so no spaCy model is needed; they score their matches
and a threshold of 0 keeps them all (the best recall presidio's patterns can give). Presidio has no
recognizer for API keys and tokens, so the secrets table is dslint's alone.

The labelled set: realistic sentences with planted values generated from the schemes' documented
formats (Luhn-valid cards of every scheme and length, mod-97-valid IBANs of 20 countries in upper
and lower case, phonenumbers' example numbers of 26 regions in national, international and E.164
form, some with extensions, public IPv4/IPv6, SSNs in issued ranges) and with look-alikes that are
not PII (Luhn-failing numbers, wrong IBAN check digits, dates, versions, ISBNs, UUIDs, hashes,
order numbers, unassigned SSN ranges). Secrets: every catalogue format's examples expanded with
fresh random characters, against placeholders of the same shapes.
"""

from __future__ import annotations

import argparse
import logging
import random
import string
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dslint.detect.phones import REGIONS  # noqa: E402
from dslint.detect.pii import ScanConfig, scan  # noqa: E402
from dslint.detect.secrets import CATALOGUE, expand, find_secrets  # noqa: E402
from dslint.detect.validators import IBAN_LENGTHS  # noqa: E402

Span = tuple[int, int, str]  # start, end, kind
KINDS = ("email", "phone", "card", "iban", "ip", "ssn")
PRESIDIO_KIND = {
    "EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "CREDIT_CARD": "card",
    "IBAN_CODE": "iban", "IP_ADDRESS": "ip", "US_SSN": "ssn",
}  # fmt: skip

# --- generators of labelled values -----------------------------------------------------------

CARD_SCHEMES = [  # (prefix, length) pairs from the schemes' published IIN ranges
    ("4", 16), ("4", 13), ("4", 19), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16), ("34", 15), ("37", 15),
    ("6011", 16), ("65", 16), ("644", 19), ("3528", 16), ("3589", 19), ("300", 14), ("36", 14), ("38", 16),
    ("62", 16), ("62", 19), ("6759", 16), ("5018", 19), ("6304", 18), ("2200", 16),
]  # fmt: skip


def luhn_complete(partial: str) -> str:
    """``partial`` plus the check digit that makes the whole number pass Luhn."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return partial + str((10 - total % 10) % 10)


def group_card(number: str, rng: random.Random) -> str:
    sep = rng.choice([" ", "-", ""])
    if not sep:
        return number
    if len(number) == 15:
        return sep.join((number[:4], number[4:10], number[10:]))
    if len(number) == 14 and rng.random() < 0.5:
        return sep.join((number[:4], number[4:10], number[10:]))
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


def card(rng: random.Random) -> str:
    prefix, length = rng.choice(CARD_SCHEMES)
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    return group_card(luhn_complete(body), rng)


def iban(rng: random.Random, valid: bool = True) -> str:
    country = rng.choice(["DE", "FR", "GB", "NL", "ES", "IT", "BE", "CH", "AT", "PL", "SE", "DK", "IE", "PT", "NO", "FI", "LU", "CZ", "HU", "RO"])
    length = IBAN_LENGTHS[country]
    bban = "".join(rng.choice(string.digits) for _ in range(length - 4))
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(numeric) % 97
    if not valid:
        check = rng.choice([c for c in range(2, 99) if c != check])  # any other check digits
    value = f"{country}{check:02d}{bban}"
    if rng.random() < 0.5:
        value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return value.lower() if rng.random() < 0.2 else value


def phone(rng: random.Random) -> str:
    region = rng.choice(REGIONS)
    kind = rng.choice([PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE])
    number = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
    style = rng.random()
    if style < 0.45:
        text = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    elif style < 0.9:
        text = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    else:
        text = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if rng.random() < 0.1 and not text.endswith(")"):
        text += rng.choice([" ext. ", "x", " ext "]) + str(rng.randint(10, 9999))
    return text


def email(rng: random.Random) -> str:
    first = rng.choice(["maria", "jan", "li.wei", "a.kumar", "sofia_r", "tom.baker88", "eva-marie"])
    return f"{first}@{rng.choice(['gmail.com', 'outlook.de', 'proton.me', 'acme-corp.io', 'uni-heidelberg.de', 'yahoo.co.uk'])}"


def ip(rng: random.Random) -> str:
    if rng.random() < 0.8:
        return ".".join(str(o) for o in (rng.choice([81, 92, 151, 185, 212, 34, 52, 104]), rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)))
    return f"2a00:1450:{rng.randint(0x1000, 0xffff):x}:{rng.randint(1, 0xfff):x}::{rng.randint(1, 0xffff):x}"


def ssn(rng: random.Random) -> str:
    return f"{rng.randint(1, 665):03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


GENERATORS: dict[str, Callable[[random.Random], str]] = {"email": email, "phone": phone, "card": card, "iban": iban, "ip": ip, "ssn": ssn}

# Look-alikes: none of these is PII.
def look_alike(rng: random.Random) -> str:
    options = [
        lambda: group_card(luhn_complete(rng.choice(["4", "5", "37"]) + "".join(rng.choice(string.digits) for _ in range(13)))[:-1] + "0", rng),
        lambda: iban(rng, valid=False),
        lambda: f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        lambda: f"v{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
        lambda: f"ISBN 978-{rng.randint(0, 9)}-{rng.randint(100, 999)}-{rng.randint(10000, 99999)}-{rng.randint(0, 9)}",
        lambda: "-".join("".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12)),
        lambda: "".join(rng.choice("0123456789abcdef") for _ in range(40)),
        lambda: f"order #{rng.randint(10**9, 10**12)}",
        lambda: f"{rng.choice(['000', '666', '912'])}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
        lambda: f"{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}",
        lambda: f"{rng.randint(1, 99)},{rng.randint(100, 999)},{rng.randint(100, 999)} people",
        lambda: f"timestamp {rng.randint(1_600_000_000, 1_800_000_000)}",
    ]
    return rng.choice(options)()


TEMPLATES = [
    "Sure! You can reach her at {v} if the portal is down.",
    "The customer wrote: my details are {v}, please update the account.",
    "Here is the record you asked for:\n- contact: {v}\n- status: active",
    "{v} is what the form says; double-check before sending.",
    "In the log I see {v} right before the crash.",
    '{{"user": "anon", "value": "{v}", "ok": true}}',
]


def labelled_records(n: int, seed: int = 5) -> list[tuple[str, list[Span]]]:
    rng = random.Random(seed)
    out: list[tuple[str, list[Span]]] = []
    for _ in range(n):
        parts, spans, text = [], [], ""
        for _ in range(rng.randint(1, 3)):
            template = rng.choice(TEMPLATES)
            if rng.random() < 0.6:
                kind = rng.choice(KINDS)
                value = GENERATORS[kind](rng)
            else:
                kind, value = "", look_alike(rng)
            before, after = template.split("{v}")
            start = len(text) + len(before)
            text += before + value + after + "\n"
            if kind:
                spans.append((start, start + len(value), kind))
            parts.append(value)
        out.append((text, spans))
    return out


def labelled_secrets(seed: int = 9) -> list[tuple[str, bool]]:
    """Each catalogue format's examples with fresh random characters, and placeholders of the same shapes."""
    rng = random.Random(seed)
    out: list[tuple[str, bool]] = []
    fillers = {"x": "x", "X": "X", "0": "0"}
    for secret in CATALOGUE:
        for template in secret.examples:
            for _ in range(10):
                out.append((f"token = {expand(template, rng)}", True))
            if "{jwt}" not in template and "{crc}" not in template:
                for filler in fillers:
                    out.append((f"token = {expand(template, _Constant(filler))}", False))
                out.append((f"token = {expand(template, _Sequence())}", False))
    return out


class _Constant(random.Random):
    def __init__(self, char: str) -> None:
        super().__init__(0)
        self.char = char

    def choice(self, seq):  # type: ignore[no-untyped-def, override]
        return self.char if self.char in seq else seq[0]


class _Sequence(random.Random):
    def __init__(self) -> None:
        super().__init__(0)
        self.i = -1

    def choice(self, seq):  # type: ignore[no-untyped-def, override]
        self.i += 1
        return sorted(seq)[self.i % len(seq)]


# --- scoring ---------------------------------------------------------------------------------


def score(records: list[tuple[str, list[Span]]], predict: Callable[[str], Iterable[Span]]) -> tuple[dict[str, tuple[int, int, int]], float]:
    """Per kind: (true positives, predictions, labels); and the seconds predict took."""
    tp, pred, gold = Counter(), Counter(), Counter()
    elapsed = 0.0
    for text, spans in records:
        start = time.perf_counter()
        predicted = [p for p in predict(text) if p[2] in KINDS]
        elapsed += time.perf_counter() - start
        for s in spans:
            gold[s[2]] += 1
        matched: set[int] = set()
        for p in predicted:
            pred[p[2]] += 1
            for i, s in enumerate(spans):
                if i not in matched and s[2] == p[2] and p[0] < s[1] and s[0] < p[1]:
                    matched.add(i)
                    tp[p[2]] += 1
                    break
    return {k: (tp[k], pred[k], gold[k]) for k in KINDS}, elapsed


def dslint_predict(text: str) -> list[Span]:
    return [(h.start, h.end, h.kind) for h in scan(text, ScanConfig())]


def presidio_predictor() -> Callable[[str], list[Span]]:
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)  # it tries to download a suffix list
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer, EmailRecognizer, IbanRecognizer, IpRecognizer, PhoneRecognizer, UsSsnRecognizer,
    )  # fmt: skip

    recognizers = [EmailRecognizer(), PhoneRecognizer(), CreditCardRecognizer(), IbanRecognizer(), IpRecognizer(), UsSsnRecognizer()]

    def predict(text: str) -> list[Span]:
        out = []
        for recognizer in recognizers:
            for r in recognizer.analyze(text, recognizer.supported_entities, None):
                out.append((r.start, r.end, PRESIDIO_KIND.get(r.entity_type, "")))
        return out

    return predict


def prf(tp: int, pred: int, gold: int) -> str:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    return f"{p:>6.3f}{r:>8.3f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=5000)
    args = parser.parse_args()

    records = labelled_records(args.records)
    chars = sum(len(t) for t, _ in records)
    presidio = presidio_predictor()
    presidio(records[0][0])  # warm-up: first calls compile patterns
    dslint_predict(records[0][0])
    ours, our_time = score(records, dslint_predict)
    theirs, their_time = score(records, presidio)
    print(f"labelled PII set: {len(records):,} records, {chars / 1e6:.2f} MB, {sum(len(s) for _, s in records):,} planted values")
    print(f"{'tool':<40}{'seconds':>9}{'records/s':>12}{'MB/s':>8}")
    for name, secs in (("dslint detectors (dslint.detect.pii.scan)", our_time), ("presidio pattern recognizers", their_time)):
        print(f"{name:<40}{secs:>9.2f}{len(records) / secs:>12,.0f}{chars / 1e6 / secs:>8.2f}")
    print(f"\n{'kind':<8}{'labels':>8}   {'dslint P':>8}{'R':>8}   {'presidio P':>10}{'R':>8}")
    for kind in KINDS:
        print(f"{kind:<8}{ours[kind][2]:>8}   {prf(*ours[kind]):>16}   {prf(*theirs[kind]):>18}")
    total_ours = [sum(v[i] for v in ours.values()) for i in range(3)]
    total_theirs = [sum(v[i] for v in theirs.values()) for i in range(3)]
    print(f"{'all':<8}{total_ours[2]:>8}   {prf(*total_ours):>16}   {prf(*total_theirs):>18}")

    secrets = labelled_secrets()
    start = time.perf_counter()
    results = [(bool(list(find_secrets(text, True))), label) for text, label in secrets]
    secs = time.perf_counter() - start
    tp = sum(1 for found, label in results if found and label)
    fp = sum(1 for found, label in results if found and not label)
    fn = sum(1 for found, label in results if not found and label)
    positives = sum(1 for _, label in secrets if label)
    print(f"\nsecrets: {len(CATALOGUE)} formats, {positives:,} generated tokens and {len(secrets) - positives:,} placeholders "
          f"of the same shapes, {secs:.3f} s")
    print(f"dslint precision {tp / (tp + fp):.3f}, recall {tp / (tp + fn):.3f}; presidio: no recognizer for credentials")


if __name__ == "__main__":
    main()
