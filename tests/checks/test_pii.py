"""The PII and secrets family (DS501-DS509): detectors, look-alikes, options, severity by role,
redaction of every finding, and linear time on adversarial input.

Secret-looking values are assembled at run time (prefix + filler) so that no literal that a secret
scanner would flag sits in the repository.
"""

from __future__ import annotations

import base64
import random

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dslint.batch import Batch
from dslint.check import DOC_SECTIONS, CheckContext, Rule
from dslint.checks.pii.check import CHECKS, PiiCheck, allow_key
from dslint.checks.pii.rules import PII_RULES
from dslint.detect.pii import KINDS, ScanConfig, narrowed, needed_kinds, scan
from dslint.detect.secrets import expand
from dslint.detect.validators import card_issuer, iban_ok, luhn_ok, shannon_entropy, ssn_ok
from dslint.finding import Finding, Severity
from dslint.formats import make_format
from dslint.record import Record, stable_hash

RULES = {r.code: r for r in PII_RULES}


def chat(*turns: tuple[str, str], index: int = 0) -> Record:
    data = {"messages": [{"role": role, "content": text} for role, text in turns]}
    return Record(file="train.jsonl", line=index + 1, index=index, data=data, split="train", format=make_format("openai-chat"))


def answer(text: str, question: str = "Can you help me with this?") -> Record:
    return chat(("user", question), ("assistant", text))


def run(record: Record, options: dict | None = None, enabled: set[str] | None = None) -> list[Finding]:
    ctx = CheckContext(
        options={code: RULES[code].options.model_validate(raw) for code, raw in (options or {}).items()},
        enabled=frozenset(enabled) if enabled is not None else None,
    )
    check = PiiCheck(ctx)
    findings = list(check.check(record))
    # The batch path, which runs only the detectors the texts' triggers call for, agrees.
    check.prefilter_from = 0
    assert list(check.check_batch(Batch([record]))) == findings
    return findings


def codes(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def assert_hidden(findings: list[Finding], *raw: str) -> None:
    """None of the raw values anywhere in a finding: message, snippet, metrics, location."""
    for finding in findings:
        dumped = finding.model_dump_json()
        for value in raw:
            assert value not in dumped, f"{value!r} leaked in {finding.rule}"


def random_b64(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return base64.b64encode(rng.randbytes(n)).decode()[:n]


def random_alnum(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def jwt(payload: dict) -> str:
    def seg(obj: object) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(obj)).decode().rstrip("=")

    return seg({"alg": "HS256", "typ": "JWT"}) + "." + seg(payload) + "." + random_alnum(43, 5)


# --- registration and metadata -------------------------------------------------------------


def test_checks_list_and_rule_metadata() -> None:
    assert CHECKS == [PiiCheck] and PiiCheck.rules == PII_RULES
    assert [r.code for r in PII_RULES] == [f"DS50{i}" for i in range(1, 10)]
    assert len({r.name for r in PII_RULES}) == 9


@pytest.mark.parametrize("rule", PII_RULES, ids=lambda r: r.code)
def test_rule_docs_have_every_section_in_order(rule: Rule) -> None:
    assert rule.family == "pii" and rule.scope == "record" and rule.severity is Severity.ERROR
    positions = [rule.docs.find(f"{section}:") for section in DOC_SECTIONS]
    assert -1 not in positions and positions == sorted(positions)
    assert rule.summary.endswith(".") and "\n" not in rule.summary
    # every option the model accepts is documented under its kebab-case name
    for name, info in rule.options.model_fields.items():
        assert f"`{info.alias or name}`" in rule.docs and info.description


def test_options_use_kebab_case_and_reject_bad_values() -> None:
    email = RULES["DS501"].options
    assert email.model_validate({"allow-domains": ["acme.io"]}).allow_domains == ["acme.io"]
    assert email.model_validate({"allow_domains": ["acme.io"]}).allow_domains == ["acme.io"]
    with pytest.raises(ValueError, match="extra"):
        email.model_validate({"allow-domain": ["acme.io"]})
    with pytest.raises(ValueError, match="invalid regular expression"):
        RULES["DS503"].options.model_validate({"allow-patterns": ["4111("]})
    with pytest.raises(ValueError, match="invalid network"):
        RULES["DS506"].options.model_validate({"allow-networks": ["10.0.0.0/33"]})
    with pytest.raises(ValueError):
        RULES["DS502"].options.model_validate({"regions": ["XX"]})
    with pytest.raises(ValueError):
        RULES["DS509"].options.model_validate({"base64-entropy": 9})


# --- detectors: positives ------------------------------------------------------------------

AWS_EXAMPLE_KEY = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example access key id
AWS_KEY = expand("AKIA{u16}", random.Random(5))
GITHUB = expand("ghp_{m30}{crc}", random.Random(1))  # with its CRC32 suffix
GITHUB_FINE = expand("github_pat_{m22}_{m59}", random.Random(2))
GITLAB = expand("glpat-{b20}", random.Random(3))
SLACK = expand("xoxb-{d12}-{d13}-{m24}", random.Random(4))
OPENAI = "sk-proj-" + random_alnum(48, 1)
ANTHROPIC = "sk-ant-api03-" + random_alnum(80, 2) + "-AA"
HUGGING = "hf_" + random_alnum(34, 3)
GOOGLE = "AIza" + random_alnum(35, 4)
JWT = jwt({"sub": "1234567890", "name": "Jane Doe", "iat": 1516239022})

POSITIVES = [
    # (rule, text in an assistant turn, raw value that must stay hidden, masked form shown)
    ("DS501", "Sure, write to jane.doe@gmail.com and she will reply today.", "jane.doe@gmail.com", "j***@g***.com"),
    ("DS501", "Contact: Jürgen <j.weber+orders@mail.weber-bau.de> for invoices.", "j.weber+orders@mail.weber-bau.de", "j***@m***.de"),
    ("DS501", "My login is kim_lee_88@yahoo.co.uk, reset it please.", "kim_lee_88@yahoo.co.uk", "k***@y***.uk"),
    ("DS502", "You can call our London office on +44 20 7123 4567 anytime.", "+44 20 7123 4567", "+** ** **** **67"),
    ("DS502", "Her mobile is (415) 839-2047, text first.", "839-2047", "(***) ***-**47"),
    ("DS502", "Dial 1 (415) 839-2047 from a landline.", "839-2047", "* (***) ***-**47"),
    ("DS502", "Ruf mich unter 030 12345678 an.", "12345678", "*** ******78"),
    ("DS502", "Appelez le 06 12 34 56 78 avant midi.", "06 12 34 56 78", "** ** ** ** 78"),
    ("DS502", "Text Maria on 07911 123456 after six.", "07911 123456", "***** ****56"),
    ("DS502", "Mobile: 0412 345 678 (Sydney).", "0412 345 678", "**** *** *78"),
    ("DS502", "Our Paris desk: +33 1 42 68 53 00.", "42 68 53", "+** * ** ** ** 00"),
    ("DS503", "Your Visa 4111 1111 1111 1111 was charged $20.", "4111 1111 1111 1111", "4111 **** **** 1111"),
    ("DS503", "Use the card 5555-5555-5555-4444 for the test order.", "5555-5555-5555-4444", "5555-****-****-4444"),
    ("DS503", "Amex on file: 378282246310005.", "378282246310005", "3782*******0005"),
    ("DS504", "Transfer the deposit to DE89 3704 0044 0532 0130 00 by Friday.", "DE89 3704 0044 0532 0130 00", "DE89 **** **** **** **** 00"),
    ("DS504", "IBAN: GB33BUKB20201555555555", "GB33BUKB20201555555555", "GB33****************55"),
    ("DS505", "Her SSN is 536-22-1459, please update the file.", "536-22-1459", "***-**-**59"),
    ("DS506", "The login came from 81.2.69.160 at 03:12.", "81.2.69.160", "81.***.***.***"),
    ("DS506", "The AAAA record points to 2a00:1450:4001:82a::200e now.", "2a00:1450:4001:82a::200e", "2a00:****"),
    ("DS507", f"export AWS_ACCESS_KEY_ID={AWS_KEY}", AWS_KEY, AWS_KEY[:4] + "*" * 12 + AWS_KEY[-4:]),
    ("DS507", f"git clone https://{GITHUB}@github.com/acme/app.git", GITHUB, "ghp_****************" + GITHUB[-4:]),
    ("DS507", f"Use the fine-grained token {GITHUB_FINE} in CI.", GITHUB_FINE, "gith"),
    ("DS507", f'gitlab_token: "{GITLAB}"', GITLAB, "glpa"),
    ("DS507", f"SLACK_BOT_TOKEN={SLACK}", SLACK, "xoxb"),
    ("DS507", f'client = OpenAI(api_key="{OPENAI}")', OPENAI, "sk-p"),
    ("DS507", f"ANTHROPIC_API_KEY={ANTHROPIC}", ANTHROPIC, "sk-a"),
    ("DS507", f"huggingface-cli login --token {HUGGING}", HUGGING, "hf_"),
    ("DS507", f"https://maps.googleapis.com/maps/api/geocode/json?key={GOOGLE}", GOOGLE, "AIza"),
    ("DS507", f"Authorization: Bearer {JWT}", JWT, "eyJh"),
]


@pytest.mark.parametrize(("code", "text", "raw", "masked"), POSITIVES, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSITIVES)])
def test_detector_reports_value_masked(code: str, text: str, raw: str, masked: str) -> None:
    findings = run(answer(text))
    assert codes(findings) == [code]
    (finding,) = findings
    assert finding.severity is Severity.ERROR and finding.location.field == "/messages/1/content"
    assert masked in finding.message and masked in (finding.snippet or "")
    assert finding.metrics["learned"] is True and finding.metrics["occurrences"] == 1
    digits = "".join(ch for ch in raw if ch.isdigit())
    assert_hidden(findings, raw, *([digits] if len(digits) >= 9 else []))


def test_value_hash_is_the_hash_of_the_normalised_value() -> None:
    (email,) = run(answer("Mail JANE.DOE@Gmail.com please."))
    assert email.metrics["value_hash"] == stable_hash("jane.doe@gmail.com")
    # the same phone number written nationally and internationally hashes the same (E.164)
    intl = run(answer("Call +1 (415) 839-2047."))[0].metrics["value_hash"]
    national = run(answer("Call 415.839.2047."))[0].metrics["value_hash"]
    assert intl == national == stable_hash("+14158392047")
    (card,) = run(answer("Card 4111-1111-1111-1111."))
    assert card.metrics["value_hash"] == stable_hash("4111111111111111") and card.metrics["type"] == "visa"
    assert_hidden([email, card], "jane.doe", "4111111111111111")


def test_private_key_block_is_reported_and_its_body_hidden() -> None:
    body = "\n".join(random_b64(64, s) for s in range(6))
    header, footer = "-----BEGIN " + "RSA PRIVATE KEY-----", "-----END " + "RSA PRIVATE KEY-----"
    text = f"Here is the deploy key:\n\n```\n{header}\n{body}\n{footer}\n```\nKeep it safe."
    findings = run(answer(text))
    assert codes(findings) == ["DS508"]
    assert findings[0].metrics["type"] == "rsa" and "RSA private key" in findings[0].message
    assert_hidden(findings, *body.splitlines())
    # JSON-escaped newlines, as keys pasted into code strings appear
    escaped = "key = '" + header + "\\n" + "\\n".join(body.splitlines()) + "\\n" + footer + "'"
    assert codes(run(answer(escaped))) == ["DS508"]


def test_high_entropy_values_assigned_to_secret_names() -> None:
    rng = random.Random(8)
    b64_secret, hex_secret = random_b64(32, 7), "".join(rng.choice("0123456789abcdef") for _ in range(40))
    text = (
        "Put this in settings.py:\n\n```python\n"
        f'CLIENT_SECRET = "{b64_secret}"\n'
        f"DB_PASSWORD={random_alnum(40, 9)}\n"
        "```\n\nand in config.json:\n\n"
        f'{{"apiKey": "{hex_secret}"}}'
    )
    findings = run(answer(text))
    assert codes(findings) == ["DS509"] * 3
    entropies = [f.metrics["entropy"] for f in findings]
    assert entropies[0] >= 4.5 and entropies[1] >= 4.5 and 3.0 <= entropies[2] < 4.5
    assert all("************" in f.message for f in findings)
    assert_hidden(findings, b64_secret, hex_secret)


# --- look-alikes: negatives ----------------------------------------------------------------

LOOK_ALIKES = [
    "Order 1234 5678 9012 3456 ships tomorrow.",  # 16 digits failing Luhn
    "Card 4111 1111 1111 1112 was declined.",  # a Visa prefix, Luhn fails
    "ISBN 978-0-306-40615-7 and 9780306406157 are the same book.",
    "Tracking number 1Z999AA10123456784, timestamp 1700000000000 ms.",
    "IBAN DE89 3704 0044 0532 0130 01 has a wrong check digit.",
    "XX12 3456 7890 1234 5678 is not a country.",
    "Invalid SSNs: 000-12-3456, 666-12-3456, 912-34-5678, 123-00-4567, 123-45-0000, 078-05-1120.",
    "Commit da39a3ee5e6b4b0d3255bfef95601890afd80709 fixed it; short sha 9fceb02.",
    "Request id 550e8400-e29b-41d4-a716-446655440000 and 123e4567-e89b-12d3-a456-426614174000.",
    "Released on 2024-03-15T14:30:00Z, patched 2023-12-31 at 10:30:45.",
    "Upgrade to version 2.14.0.1, numpy==1.26.4, Chrome/120.0.0.0 or v10.2.3.4.",
    "Section 1.2.3.4 and DNS 8.8.8.8 or 1.1.1.1.",
    "Write to support@example.com, noreply@mail.example.org, bob@test.invalid or dev@app.localhost.",
    "Assets: logo@2x.png, icon@3x.webp; clone git@github.com:acme/app.git; ping @maria.",
    "Servers 10.0.0.12, 172.16.4.1, 192.168.1.1, 127.0.0.1, 100.64.0.1, 169.254.10.10, 224.0.0.251.",
    "Docs: 192.0.2.10, 198.51.100.7, 203.0.113.42, 2001:db8:85a3::8a2e:370:7334, fe80::1, ::1.",
    "In C++, std::vector<int>::iterator; MAC 00:1a:2b:3c:4d:5e; dead::beef.",
    "Fictional: (415) 555-0134, +1 415 555 0199, 020 7946 0958, 07700 900123. Toll-free 1-800-642-7676.",
    "Population 8 336 817, price $1,299.99, coordinates 48.8584, 2.2945, pi 3.14159265358979.",
    "2^64 = 18446744073709551616 and 10! = 3628800.",
    "Run `pip install scikit-learn` then sk-learn-is-a-common-misspelling-of-scikit.",
    "Call hf_hub_download(repo_id=...) or read eyJhbGciOi... in the docs.",
    'ObjectIdentifier("2.5.29.32"), OID 1.3.6.1.4.1.311, 1.0.0.127.in-addr.arpa, 52.94.0.0/16, Guile 3.0.4.16-5a1e7.',
    "HTML5 section 8.2.4.45 covers bogus comments.",
    "rng = np.random.default_rng(348912093445235); INT32_MAX = +2147483647; Decimal('+1234567890.6').",
    "electron g factor   -2.002 319 304 3622   polarizability 1.648 777 2536 e-41",
    "The classic example SSN 111-22-3333 is not real.",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_are_not_findings(text: str) -> None:
    assert run(answer(text)) == []


CODE_WITHOUT_SECRETS = '''\
```python
import os
password = os.environ["DB_PASSWORD"]
api_key = os.getenv("OPENAI_API_KEY")
token = get_token(user)
secret: str = settings.SECRET_KEY
max_tokens = 4096
tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
SECRET_KEY = "changeme-changeme"
config = {"password": "<your-password>", "api_key": "${API_KEY}", "token": "xxxxxxxxxxxxxxxx"}
db_password = "hunter2"
```
```xml
<assemblyIdentity publicKeyToken="6595b64144ccf1df"/>
```
The password reset link expires after 24 hours; tokens: 2048.'''


def test_code_without_real_secrets_is_clean() -> None:
    assert run(answer(CODE_WITHOUT_SECRETS)) == []


def test_a_private_key_header_without_key_material_is_not_a_finding() -> None:
    header = "-----BEGIN " + "OPENSSH PRIVATE KEY-----"
    assert run(answer(f"The file starts with {header} and ends with the END line.")) == []
    assert run(answer(f"{header}\n<paste your key here>\n-----END OPENSSH PRIVATE KEY-----")) == []
    assert run(answer(f"{header}\n" + "A" * 70 + "\n-----END OPENSSH PRIVATE KEY-----")) == []


def test_invalid_token_shapes_are_not_findings() -> None:
    bad_jwt = "eyJub3QiOiJqc29u" + "." + "eyJzdWIiOiIxIn0" + "." + random_alnum(20, 1)  # header has no alg/typ
    assert run(answer(f"The string {bad_jwt} is no JWT.")) == []
    assert run(answer("The prefix ghp_ is followed by 36 characters, e.g. ghp_xxxx.")) == []


CLEAN_MULTILINGUAL = [
    chat(("user", "Wie spät ist es in München? Grüße aus Köln!"), ("assistant", "Es ist 14:30 Uhr in München (MEZ). Schönen Tag noch! 😊")),
    chat(("user", "¿Dónde está la estación de tren?"), ("assistant", "Está a 500 metros, junto a la Plaza Mayor. ¡Buen viaje! 🚆")),
    chat(("user", "東京タワーの高さは？"), ("assistant", "東京タワーの高さは333メートルです。1958年に完成しました。")),
    chat(("user", "ما هي عاصمة المغرب؟"), ("assistant", "عاصمة المغرب هي الرباط. عدد سكانها حوالي ٥٧٧٠٠٠ نسمة.")),
    chat(("user", "Как дела?"), ("assistant", "Спасибо, всё хорошо! А у вас? 🙂")),
    chat(
        ("user", "Fix my CSS and show the git log."),
        ("assistant", (
            "```css\n.button { color: #ff5733; background: #1e90ff; border: 1px solid #000000; }\n```\n"
            "```\ncommit 3f786850e387550fdab836ed7e6dc881de23001b\nAuthor: Jane <jane@example.com>\n"
            "Date:   2024-05-02T09:15:00+02:00\n\n    Bump version to 3.12.1 (build 20240502)\n```\n"
            "Object id: 7c9e6679-7425-40de-944b-e07fc1f90ae7."
        )),
    ),
    chat(
        ("user", "Explain Euler's identity and Avogadro's number."),
        ("assistant", "e^{iπ} + 1 = 0, and N_A ≈ 6.022 × 10^23 mol⁻¹. Also 1/3 ≈ 0.333 and √2 ≈ 1.41421356."),
    ),
    chat(
        ("system", "You are a network engineer."),
        ("user", "Which addresses can I use in my docs?"),
        ("assistant", (
            "Use 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24 for IPv4, e.g. 203.0.113.42, and "
            "2001:db8::/32 for IPv6, e.g. 2001:db8::1. Your router is at 192.168.0.1 and "
            "localhost is 127.0.0.1 or ::1. Mail admin@example.net or ops@corp.example."
        )),
    ),
    chat(("user", "What's new in Python 3.13?"), ("assistant", "Python 3.13.0 was released on 2024-10-07; pip 24.2 and setuptools 75.1.0 work with it.")),
]


@pytest.mark.parametrize("record", CLEAN_MULTILINGUAL, ids=lambda r: r.data["messages"][0]["content"][:12])
def test_clean_multilingual_sample_has_no_finding(record: Record) -> None:
    assert run(record) == []


# --- severity by role ----------------------------------------------------------------------

EMAIL_TEXT = "Send the report to priya.sharma@outlook.com by Monday."


def test_severity_follows_the_role_of_the_field() -> None:
    record = chat(("system", EMAIL_TEXT), ("user", EMAIL_TEXT), ("assistant", EMAIL_TEXT))
    findings = run(record)
    assert [(f.location.field, f.severity) for f in findings] == [
        ("/messages/0/content", Severity.WARNING),
        ("/messages/1/content", Severity.WARNING),
        ("/messages/2/content", Severity.ERROR),
    ]
    assert [f.metrics["learned"] for f in findings] == [False, False, True]
    assert "in a system prompt" in findings[0].message and "in an assistant turn" in findings[2].message


def test_unweighted_assistant_turns_and_rejected_answers_are_input_side() -> None:
    data = {"messages": [
        {"role": "user", "content": "Who do I email?"},
        {"role": "assistant", "content": EMAIL_TEXT, "weight": 0},
        {"role": "user", "content": "Thanks"},
        {"role": "assistant", "content": "You're welcome."},
    ]}  # fmt: skip
    record = Record(file="t.jsonl", line=1, index=0, data=data, format=make_format("openai-chat"))
    assert [f.severity for f in run(record)] == [Severity.WARNING]
    pair = {"prompt": "Who handles billing?", "chosen": EMAIL_TEXT, "rejected": "Ask " + EMAIL_TEXT}
    record = Record(file="p.jsonl", line=1, index=0, data=pair, format=make_format("preference"))
    findings = run(record)
    assert [(f.location.field, f.severity) for f in findings] == [("/chosen", Severity.ERROR), ("/rejected", Severity.WARNING)]
    assert "(rejected)" in findings[1].message


def test_inputs_option_turns_off_input_side_reports() -> None:
    record = chat(("user", EMAIL_TEXT + " My card is 4111 1111 1111 1111."), ("assistant", EMAIL_TEXT))
    findings = run(record, {"DS501": {"inputs": False}})
    assert [(f.rule, f.location.field) for f in findings] == [("DS503", "/messages/0/content"), ("DS501", "/messages/1/content")]


# --- options -------------------------------------------------------------------------------


def test_allow_values_are_compared_normalised() -> None:
    text = "Pay with 4111 1111 1111 1111, or mail Jane.Doe@Gmail.com, or call +44 20 7123 4567."
    assert run(answer(text), {
        "DS501": {"allow": ["jane.doe@gmail.com"]},
        "DS502": {"allow": ["020 7123 4567"]},
        "DS503": {"allow": ["4111-1111-1111-1111"]},
    }) == []  # fmt: skip
    token_text = f"AWS_ACCESS_KEY_ID={AWS_EXAMPLE_KEY} from 81.2.69.160"
    assert run(answer(token_text), {"DS507": {"allow": [AWS_EXAMPLE_KEY]}, "DS506": {"allow": ["81.2.69.160"]}}) == []


def test_allow_patterns_and_domains() -> None:
    text = "Escalate to oncall@acme-corp.io, billing@eu.acme-corp.io or the customer at lina.berg@proton.me."
    findings = run(answer(text), {"DS501": {"allow-domains": ["acme-corp.io"]}})
    assert [f.message.rsplit(": ", 1)[1] for f in findings] == ["l***@p***.me"]
    assert run(answer(text), {"DS501": {"allow-patterns": [r"@(eu\.)?acme-corp\.io$", r"^lina\."]}}) == []


def test_reserved_domains_private_ips_and_fictional_numbers_can_be_reported() -> None:
    text = "Mail test@example.com from 192.168.1.20 or 203.0.113.9, or call (415) 555-0134 / 1-800-642-7676."
    assert run(answer(text)) == []
    findings = run(answer(text), {
        "DS501": {"ignore-reserved-domains": False},
        "DS506": {"ignore-private": False, "ignore-documentation": False},
        "DS502": {"ignore-fictional": False, "ignore-toll-free": False},
    })  # fmt: skip
    assert codes(findings) == ["DS501", "DS506", "DS506", "DS502", "DS502"]
    assert "private IPv4 address" in findings[1].message and "documentation IPv4 address" in findings[2].message


def test_allow_networks() -> None:
    text = "Traffic from 52.94.76.10 and 81.2.69.160."
    findings = run(answer(text), {"DS506": {"allow-networks": ["52.94.0.0/16"]}})
    assert [f.message.rsplit(": ", 1)[1] for f in findings] == ["81.***.***.***"]


def test_phone_regions_select_national_formats() -> None:
    text = "Numbers: 06 12 34 56 78 and 030 12345678 and +49 30 12345678."
    # the German number twice is one value; "030 1234 5678" is also a UK 03 number, so the region
    # order decides whose national number it is
    assert len(run(answer(text), {"DS502": {"regions": ["FR", "DE"]}})) == 2
    assert len(run(answer(text))) == 3
    findings = run(answer(text), {"DS502": {"regions": ["US"]}})
    assert [f.metrics["type"] for f in findings] == ["international"]


def test_secret_assignment_thresholds_and_names() -> None:
    value = "Summer2024!Berlin"  # entropy ~3.6: a human password, below the base64 limit
    text = f'db_pass = "{value}"'
    assert run(answer(text)) == []
    assert run(answer(text), {"DS509": {"names": ["db_pass"]}}) == []
    findings = run(answer(text), {"DS509": {"names": ["db_pass"], "base64-entropy": 3.5}})
    assert codes(findings) == ["DS509"]
    assert_hidden(findings, value)
    assert run(answer(text), {"DS509": {"names": ["db_pass"], "base64-entropy": 3.5, "min-length": 20}}) == []


# --- findings: deduplication, locations, fingerprints, rule selection -----------------------


def test_one_finding_per_distinct_value_and_field() -> None:
    text = "Write to ana@fastmail.com (ana@fastmail.com, ANA@fastmail.com) or tom@fastmail.com."
    findings = run(chat(("user", text), ("assistant", text), ("user", "ok"), ("assistant", text)))
    assert [(f.location.field, f.metrics["occurrences"]) for f in findings] == [
        ("/messages/0/content", 3), ("/messages/0/content", 1),
        ("/messages/1/content", 3), ("/messages/1/content", 1),
        ("/messages/3/content", 3), ("/messages/3/content", 1),
    ]  # fmt: skip
    assert len({f.fingerprint for f in findings}) == 6


def test_fingerprints_survive_moving_the_record() -> None:
    turns = (("user", "hi"), ("assistant", "Card 4111 1111 1111 1111, mail ana@fastmail.com."))
    first, moved = run(chat(*turns, index=0)), run(chat(*turns, index=90))
    assert [f.fingerprint for f in first] == [f.fingerprint for f in moved] and len(first) == 2


def test_values_at_field_edges_stay_in_their_field() -> None:
    record = chat(("user", "My number is 415"), ("assistant", "839-2047 is not a number"), ("user", "mail me: lee@fastmail.com"))
    findings = run(record)
    assert [(f.rule, f.location.field) for f in findings] == [("DS501", "/messages/2/content")]


def test_earlier_detectors_claim_their_span() -> None:
    # a phone number inside an email address, a key assigned to api_key: reported once
    text = f"Text 415.839.2047@vtext.com or set api_key = '{AWS_EXAMPLE_KEY}'."
    assert codes(run(answer(text))) == ["DS501", "DS507"]


def test_disabled_rules_are_not_detected() -> None:
    text = "Mail ana@fastmail.com, card 4111 1111 1111 1111."
    assert codes(run(answer(text), enabled={"DS503"})) == ["DS503"]
    assert run(answer(text), enabled=set()) == []
    assert run(answer(text), enabled={"DS104"}) == []


def test_snippet_shows_context_and_masks_other_values() -> None:
    text = "Thanks! Reach me at lee@fastmail.com or 4111 1111 1111 1111; my SSN 536-22-1459."
    findings = run(answer(text), enabled={"DS501"})
    (finding,) = findings
    assert finding.snippet.startswith("Thanks! Reach me at l***@f***.com")
    assert_hidden(findings, "4111 1111 1111 1111", "536-22-1459", "lee@fastmail.com")


def test_undetectable_repeats_of_a_value_are_masked_in_the_snippet() -> None:
    # the second spelling is glued to a word, so no pattern matches it there
    text = "Call +44 20 7123 4567 (or +44 20 7123 4567th) before noon. " + "Thanks again. " * 40
    findings = run(answer(text))
    assert codes(findings) == ["DS502"] and findings[0].metrics["occurrences"] == 1
    assert findings[0].snippet.endswith("…") and findings[0].snippet.count("+** ** **** **67") == 2
    assert_hidden(findings, "+44 20 7123 4567")


def test_every_finding_hides_the_raw_value() -> None:
    text = "\n".join(p[1] for p in POSITIVES)
    findings = run(answer(text))
    assert {f.rule for f in findings} == {"DS501", "DS502", "DS503", "DS504", "DS505", "DS506", "DS507"}
    assert_hidden(findings, *(p[2] for p in POSITIVES))


# --- validators ----------------------------------------------------------------------------


def test_validators() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert [card_issuer(n) for n in ("4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "3530111333300000")] == [
        "visa", "mastercard", "amex", "discover", "jcb",
    ]  # fmt: skip
    assert card_issuer("9780306406157") is None
    assert iban_ok("NL91ABNA0417164300") and iban_ok("FR1420041010050500013M02606")
    assert not iban_ok("NL91ABNA0417164301") and not iban_ok("NL91ABNA041716430")
    assert ssn_ok("536", "22", "1459") and not ssn_ok("900", "22", "1459") and not ssn_ok("536", "00", "1459")
    assert shannon_entropy("aaaa") == 0 and round(shannon_entropy("abcd"), 6) == 2
    assert allow_key("phone", "+1 (415) 839-2047") == "14158392047" and allow_key("ip", "2001:DB8:0::1") == "2001:db8::1"


# --- linear time on adversarial input ------------------------------------------------------

ADVERSARIAL = {
    "emails": "a@a.a" * 20_000,
    "digits": "1 " * 100_000,
    "base64": random_b64(100_000, 1),
    "pem": "-----BEGIN " * 10_000,
    "pem-headers": ("-----BEGIN " + "RSA PRIVATE KEY-----\n") * 3_000,
    "phones": "+1 (" * 25_000,
    "cards": "4111 " * 20_000,
    "assignments": "password = " * 10_000,
    "jwt": "eyJ" + "a" * 100_000 + ".",
    "jwt-pieces": "eyJa.eyJa." * 10_000,
    "colons": "::" * 50_000,
    "quads": "1.1.1.1." * 12_500,
    "ibans": "DE89 " * 20_000,
}


# How long these take is measured in bench/bench_pii.py (the patterns are linear); here they must
# give well-formed results: spans that are the text they claim, in order, never overlapping.
@pytest.mark.parametrize("name", ADVERSARIAL)
def test_adversarial_input_gives_well_formed_hits(name: str) -> None:
    text = ADVERSARIAL[name]
    for config in (ScanConfig(), ScanConfig(validate=False)):
        hits = scan(text, config)
        assert all(text[h.start : h.end] == h.value for h in hits)
        assert all(a.end <= b.start for a, b in zip(hits, hits[1:]))
    for finding in run(answer(text)):
        assert finding.rule.startswith("DS5")


# --- robustness ------------------------------------------------------------------------------

FUZZ_ALPHABET = "0123456789 +-().:/@_AKISaeghkpsxyzJ=\"'\n\x00é東"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=FUZZ_ALPHABET, max_size=120))
def test_scan_never_raises_and_returns_ordered_disjoint_spans(text: str) -> None:
    for config in (ScanConfig(), ScanConfig(validate=False)):
        hits = scan(text, config)
        assert all(text[h.start : h.end] == h.value for h in hits)
        assert all(a.end <= b.start for a, b in zip(hits, hits[1:]))
    run(answer(text))


# --- the batch path's triggers ---------------------------------------------------------------

# Values of every kind, and text around them that the triggers must not be fooled by.
PIECES = [
    "jane.doe@gmail.com", "+44 20 7946 0321", "(415) 839-2047", "4539 1488 0343 6467", "4539148803436467",
    "DE89 3704 0044 0532 0130 00", "gb33bukb20201555555555", "536-22-1459", "81.2.69.160", "2a00:1450:4001:82b::200e",
    "1:2:3:4:5:6:81.2.69.160", "::ffff:81.2.69.160", "fe80::1", "AKIAQWERTYUIOPASDFGH", "password = 'q8Zr2LwP0xVn7TfKc4Ym'",
    "PASSWORD: Zr2LwP0xVn7TfKc4YmHs", "pAsS-WoRd=Zr2LwP0xVn7TfKc4YmHs9", "İ api_KEY = Zr2LwP0xVn7TfKc4YmHs9",
    "Authorization: Bearer Zr2LwP0xVn7TfKc4YmHs9BdJ6uGe1A", "-----BEGIN RSA PRIVATE KEY-----\n" + random_b64(200, 3),
    "\u200b", "\u00ad", "\ufeff", "\u212a", " ", "\n", ":", "::", "@", "10:30:00", "v1.2.3.4", "tel ", "é", "東",
]  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=6).map("".join), min_size=1, max_size=4))
def test_triggers_miss_no_hit_and_the_batch_path_agrees(texts: list[str]) -> None:
    """A detector the triggers leave out would have found nothing, in a field or in the record
    (IPv6 and IBANs look at the whole record's text); ``run`` compares the two paths."""
    for config in (ScanConfig(), ScanConfig(kinds=frozenset({"ip", "credential"}), secret_names=("pass-word", "key"))):
        for text, mask in zip(texts, needed_kinds(texts, config)):
            assert scan(text, narrowed(config, int(mask))) == scan(text, config)
    record = chat(*(("user" if i % 2 else "assistant", t) for i, t in enumerate(texts)))
    run(record)
    run(record, {code: {"inputs": False} for code in RULES})  # learned fields only


def test_triggers_of_a_record_come_from_all_its_fields() -> None:
    # An IPv6 address without '::' and fewer than seven colons is searched for only when the
    # record holds seven colons in all; its field alone would not be.
    ipv6 = "Connect from 2a00:1450:4001:82b:1:2:1.2.3.4 now."
    findings = run(chat(("user", "Time: 10:30, or 11:00"), ("assistant", ipv6)))
    assert [(f.rule, f.metrics["type"]) for f in findings] == [("DS506", "ipv6")]
    assert scan(ipv6, ScanConfig()) == []
    ip_field, time_field = needed_kinds([ipv6, "Time: 10:30, or 11:00"], ScanConfig()).tolist()
    assert ip_field & 1 << KINDS.index("ip") and time_field == 0


def test_a_text_arrow_cannot_hold_is_searched_in_python() -> None:
    text = "Mail jane.doe@gmail.com \ud800 now"  # a lone surrogate: no Arrow string
    assert codes(run(answer(text))) == ["DS501"]
