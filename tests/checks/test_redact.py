"""Snippet and message redaction (dslint.redact): every kind the DS5xx detectors know is masked,
look-alikes too (masking too much is harmless in a snippet), control characters are escaped, and
snippets stay short."""

from __future__ import annotations

import base64
import random

import pytest

from dslint.redact import SNIPPET_CHARS, make_snippet, printable, quote, redact


def filler(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


GITHUB = "ghp_" + "A1b2" * 9
SLACK = "xoxb-" + "2048" * 3 + "-" + "aB3d" * 6

CASES = [
    # (text, raw values that must disappear, what the masked text shows)
    ("Write to jane.doe@example.com today.", ["jane.doe@example.com"], "Write to j***@e***.com today."),
    ("Mail ops@eu.mail.acme-corp.io now.", ["ops@eu", "acme-corp"], "Mail o***@e***.io now."),
    ("Card 4111 1111 1111 1111, exp 04/27.", ["1111 1111 1111 1111"], "Card 4111 **** **** 1111, exp 04/27."),
    ("Declined: 4111-1111-1111-1112.", ["1111-1111-1112"], "Declined: 4111-****-****-1112."),
    ("IBAN DE89 3704 0044 0532 0130 00.", ["3704 0044"], "IBAN DE89 **** **** **** **** 00."),
    ("SSN 536-22-1459 and 078-05-1120.", ["536-22-1459", "078-05-1120"], "SSN ***-**-**59 and ***-**-**20."),
    ("Call +1 415 555 0199 or (415) 839-2047.", ["555 0199", "839-2047"], "Call +* *** *** **99 or (***) ***-**47."),
    ("Ring 020 7123 4567.", ["7123 4567"], "Ring *** **** **67."),
    ("From 81.2.69.160 and 2a00:1450:4001:82a::200e.", ["2.69.160", "1450:4001"], "From 81.***.***.*** and 2a00:****."),
    ("key AKIAIOSFODNN7EXAMPLE", ["IOSFODNN7EX"], "key AKIA************MPLE"),
    (f"token {GITHUB} and {SLACK}", [GITHUB[4:-4], SLACK[4:-4]], "token ghp_****************A1b2 and xoxb****************aB3d"),
    ('password = "hunter2!"', ["hunter2"], 'password = "********"'),
    ("Order 1234 5678 9012 3456 77", ["5678 9012"], "Order 1234 **** **** **56 77"),
    ("Ref 8812 3391 0045 22 7", ["3391 0045"], "Ref **** **** **** *2 7"),
]


@pytest.mark.parametrize(("text", "hidden", "shown"), CASES, ids=[c[2][:24] for c in CASES])
def test_redact_masks_every_kind(text: str, hidden: list[str], shown: str) -> None:
    out = redact(text)
    assert out == shown
    assert not any(h in out for h in hidden)


def test_redact_masks_a_private_key_body() -> None:
    rng = random.Random(4)
    lines = [base64.b64encode(rng.randbytes(48)).decode() for _ in range(4)]
    header = "-----BEGIN " + "EC PRIVATE KEY-----"
    out = redact(f"{header}\n" + "\n".join(lines) + "\n-----END EC PRIVATE KEY-----\nDone.")
    assert out == f"{header}[REDACTED]\nDone."


def test_redact_leaves_ordinary_text_alone() -> None:
    text = (
        "Grüße aus München! 東京タワーは333メートル。 Version 3.12.1, released 2024-10-07 at 10:30. "
        "Colour #ff5733, commit 3f786850e387550fdab836ed7e6dc881de23001b, 1,440 minutes, π ≈ 3.14159."
    )
    assert redact(text) == text


def test_redact_is_idempotent_on_its_output() -> None:
    text = f"Mail jane.doe@gmail.com, card 4111 1111 1111 1111, key {GITHUB}, api_key = '{filler(32, 1)}'."
    once = redact(text)
    assert redact(once) == once


def test_printable_escapes_control_and_bidi_characters() -> None:
    assert printable("a\nb\tc\r") == "a\\nb\\tc\\r"
    assert printable("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m"
    assert printable("abc\u202edef\u200b") == "abc\\u202edef\\u200b"
    assert printable("émoji 😊 ok") == "émoji 😊 ok"


def test_make_snippet_redacts_escapes_and_shortens() -> None:
    assert SNIPPET_CHARS == 80
    short = make_snippet("Contact jane.doe@gmail.com\nthanks")
    assert short == "Contact j***@g***.com\\nthanks"
    long = make_snippet("word " * 100)
    assert len(long) == SNIPPET_CHARS and long.endswith("…")
    huge = make_snippet("x" * 10_000 + " 4111 1111 1111 1111")
    assert huge.endswith("…") and "1111 1111" not in huge


def test_quote_is_a_short_redacted_repr() -> None:
    assert quote("jane.doe@example.com") == "'j***@e***.com'"
    assert quote(42) == "'42'"
    assert len(quote("a" * 200)) <= 42


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\u2060", "\ufeff", "\U000e0041"])
def test_a_value_split_by_an_invisible_character_is_detected_and_masked(invisible: str) -> None:
    import random

    from dslint.detect.pii import ScanConfig, scan
    from dslint.detect.secrets import expand

    token = expand("ghp_{m30}{crc}", random.Random(7))  # a token the validating detector accepts
    text = f"use {token[:20]}{invisible}{token[20:]} now"
    (hit,) = scan(text, ScanConfig())
    assert (hit.kind, text[hit.start : hit.end].replace(invisible, "")) == ("token", token)
    assert hit.norm == token  # the same value_hash as the unsplit token
    shown = make_snippet(text)
    assert token[4:12] not in shown and token[20:28] not in shown and "ghp_****" in shown


def test_a_window_never_cuts_through_a_value() -> None:
    text = "Boilerplate &amp; intro. " * 3 + f"key={GITHUB} trailing words"
    for start in range(len(text) - 30, len(text) - 10):  # windows that end or begin inside the token
        for window in (text[:start], text[start - 40 : start]):
            shown = make_snippet(window, context=text)
            assert not any(GITHUB[i : i + 8] in shown for i in range(4, len(GITHUB) - 8)), shown


def test_secret_keys_in_pointers_and_url_passwords_are_masked() -> None:
    from dslint.redact import pointer_text, scrub

    assert "hunter" not in pointer_text("/postgres:~1~1admin:hunter2#x@db~1app/value")
    for url in ("https://bob:pa#ss!w%rd@host.example/x", "postgres://admin:s3cr3t!pw@db:5432/app"):
        assert "****" in scrub(url) and "ss!w" not in scrub(url) and "s3cr3t" not in scrub(url)


def test_ci_command_markers_from_data_are_broken_up() -> None:
    assert printable("::error file=x::boom ##vso[task.setvariable] ##[group]") == ":\\x3aerror file=x:\\x3aboom #\\x23vso[task.setvariable] #\\x23[group]"
    assert printable("## Heading and a::b") == "## Heading and a:\\x3ab"


def test_a_url_password_behind_an_invisible_character_is_masked() -> None:
    """Found by tests/fuzz_outputs.py: a word joiner inside the scheme hid the URL from the mask."""
    from dslint.redact import scrub

    for text in ("postgres\u2060://admin:va4D9T#cIH10M@db:5432/app", "postgres:\ufeff//admin:rtQu0u!eY9OyA@db/app"):
        shown = scrub(text)
        assert "va4D9T" not in shown and "rtQu0u" not in shown and "****" in shown
