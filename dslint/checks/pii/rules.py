"""Metadata, documentation and options of the PII and secrets rules DS501-DS509 (the check lives
in pii.py, the detectors in pii_patterns.py)."""

from __future__ import annotations

import ipaddress
import re
from pydantic import Field, field_validator

from dslint.check import Fix, Rule, RuleOptions
from dslint.detect.phones import REGIONS, SUPPORTED_REGIONS
from dslint.detect.patterns import DEFAULT_SECRET_NAMES
from dslint.finding import Severity

_SEVERITY_NOTE = """\
Severity: an error in text the model learns to produce (assistant turns, responses, chosen
answers); a warning in input-side text (system prompts, user turns, prompts, rejected answers).
A `severity` set for the rule in the config applies to both."""

_COMMON_OPTIONS = """\
`allow` (list of strings, default empty): values never reported, compared in normalised form;
`allow-patterns` (list of regular expressions, default empty): a value that any of them matches
(searched in the value as written) is not reported; `inputs` (boolean, default true): also look
at input-side text."""




class PiiOptions(RuleOptions):
    """Options every DS5xx rule accepts."""

    allow: list[str] = Field(
        default_factory=list,
        description="Values never reported, compared in normalised form (case-insensitive email, "
        "digits of a card, SSN or phone number, IBAN without spaces, canonical IP address).",
    )
    allow_patterns: list[str] = Field(
        default_factory=list,
        description="Regular expressions: a value any of them matches (re.search on the value as written) is not reported.",
    )
    inputs: bool = Field(
        True,
        description="Also report values in input-side text (system prompts, user turns, prompts, rejected answers), as warnings.",
    )

    @field_validator("allow_patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
        return patterns


class EmailOptions(PiiOptions):
    allow_domains: list[str] = Field(
        default_factory=list,
        description="Domains whose addresses (and their subdomains' addresses) are never reported, "
        "e.g. your company's support domain.",
    )
    ignore_reserved_domains: bool = Field(
        True,
        description="Ignore the RFC 2606/6761 example domains: example.com/.org/.net and *.example, *.test, "
        "*.invalid, *.localhost.",
    )


class PhoneOptions(PiiOptions):
    regions: list[str] = Field(
        default_factory=lambda: list(REGIONS),
        description="ISO 3166 region codes whose national formats are recognised, tried in order (the first "
        "region where a number is valid gives its country); international numbers (+CC ...) are always recognised.",
    )
    ignore_fictional: bool = Field(
        True,
        description="Ignore numbers reserved for fiction: NANP 555-0100 to 555-0199, Ofcom drama numbers, "
        "ACMA fictitious numbers.",
    )
    ignore_toll_free: bool = Field(
        True,
        description="Ignore toll-free business numbers (NANP 800/833-888, UK 0800/0808, 1800/1300 in Australia, "
        "080x in France and Germany).",
    )


    @field_validator("regions")
    @classmethod
    def _known_regions(cls, regions: list[str]) -> list[str]:
        unknown = [r for r in regions if r.upper() not in SUPPORTED_REGIONS]
        if unknown:
            raise ValueError(f"unknown region {unknown[0]!r}: use ISO 3166 codes such as US, GB, DE, IN")
        return [r.upper() for r in regions]


class IpOptions(PiiOptions):
    ignore_private: bool = Field(
        True,
        description="Ignore private, loopback, link-local, shared (CGNAT), multicast, reserved and unspecified addresses.",
    )
    ignore_documentation: bool = Field(
        True,
        description="Ignore documentation ranges: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20.",
    )
    allow_networks: list[str] = Field(
        default_factory=list, description="Networks in CIDR notation whose addresses are never reported, e.g. 52.94.0.0/16."
    )

    @field_validator("allow_networks")
    @classmethod
    def _networks(cls, networks: list[str]) -> list[str]:
        for net in networks:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError as exc:
                raise ValueError(f"invalid network {net!r}: {exc}") from None
        return networks


class SecretAssignmentOptions(PiiOptions):
    names: list[str] = Field(
        default_factory=lambda: list(DEFAULT_SECRET_NAMES),
        min_length=1,
        description="Names that mark a secret, matched case-insensitively anywhere in an identifier "
        "('_' also matches '-' or nothing). Replaces the default list.",
    )
    base64_entropy: float = Field(
        4.5, ge=0, le=8, description="Minimum Shannon entropy (bits per character) of a value that is not all hex digits."
    )
    hex_entropy: float = Field(3.0, ge=0, le=4, description="Minimum Shannon entropy of a value made of hex digits only.")
    min_length: int = Field(12, ge=4, description="Values shorter than this are never reported.")


EMAIL = Rule(
    code="DS501",
    fix=Fix("rewrite-field", safe=False, does="Replaces each occurrence of the reported value in the field with `<EMAIL>`."),
    name="email-address",
    family="pii",
    severity=Severity.ERROR,
    scope="record",
    summary="A text field contains an email address.",
    docs=f"""\
What it does: Reports email addresses in text fields: a local part, '@' and a domain whose top-level
domain is alphabetic (`name@2x.png` asset names and `git@github.com` are not addresses). One finding
per distinct address and field; the message shows the address masked (`j***@g***.com`) and the
metrics carry `value_hash`, a hash of the lower-cased address, to deduplicate across files.
{_SEVERITY_NOTE}

Why it matters: A model fine-tuned on personal addresses can reproduce them verbatim; GDPR and
CCPA treat them as personal data, and a dataset that contains them cannot be shared freely.

Example: `"content": "Sure, write to jane.doe@gmail.com and she will reply."` in an assistant turn.
`support@example.com` is not reported.

Options: {_COMMON_OPTIONS} `allow-domains` (list, default empty): domains whose addresses are
never reported; `ignore-reserved-domains` (boolean, default true): ignore example.com, .org, .net
and the .example, .test, .invalid and .localhost domains.""",
    options=EmailOptions,
)

PHONE = Rule(
    code="DS502",
    fix=Fix("rewrite-field", safe=False, does="Replaces each occurrence of the reported value in the field with `<PHONE>`."),
    name="phone-number",
    family="pii",
    severity=Severity.ERROR,
    scope="record",
    summary="A text field contains a phone number.",
    docs=f"""\
What it does: Reports phone numbers found and validated by `phonenumbers`, the Python port
of Google's libphonenumber: international numbers (`+44 20 7123 4567`, `+1 (415) 839-2047`) in any
country, and numbers in the national format of a configured region (`(415) 839-2047`,
`020 7123 4567`, `06 12 34 56 78`, `030 12345678`, `0412 345 678`, `612 34 56 78`), each valid
in its numbering plan, with an extension if one follows (`415.555.2671x459`, `ext. 12`). National
numbers need their separators, so bare digit runs (order numbers, timestamps) are not phone
numbers, nor are dates and times. The masked number keeps its last two digits; `value_hash`
hashes the E.164 form, so a number written nationally and internationally is one value.
{_SEVERITY_NOTE}

Why it matters: Phone numbers identify people; a model trained on them can repeat them to
strangers.

Example: `"content": "Call Maria on 07911 123456 after six."` in an assistant turn.

Options: {_COMMON_OPTIONS} `regions` (list of ISO 3166 region codes, default US, CA, GB, IE, FR,
DE, AT, CH, NL, BE, ES, IT, PT, SE, NO, DK, FI, PL, AU, NZ, IN, SG, JP, BR, MX, ZA): national
formats recognised, tried in order; `ignore-fictional` (boolean, default true): ignore numbers reserved for fiction
(NANP 555-0100 to 555-0199, Ofcom drama numbers, ACMA fictitious numbers);
`ignore-toll-free` (boolean, default true): ignore toll-free business numbers (the library's
toll-free type in every country).""",
    options=PhoneOptions,
)

CARD = Rule(
    code="DS503",
    fix=Fix("rewrite-field", safe=False, does="Replaces each occurrence of the reported value in the field with `<CARD>`."),
    name="payment-card-number",
    family="pii",
    severity=Severity.ERROR,
    scope="record",
    summary="A text field contains a payment card number that passes the Luhn check.",
    docs=f"""\
What it does: Reports card numbers grouped with spaces or dashes (4-4-4-4, 4-4-4-4-3, 4-6-5,
4-6-4) or written as 15 or 16 bare digits, that pass the Luhn checksum and start with the prefix of
a major network (Visa, Mastercard, American Express, Discover, JCB, Diners Club, UnionPay). A
number that fails Luhn, an ISBN, a tracking number or a bare number alone in parentheses (a seed:
`default_rng(...)`) is not reported. The message shows only the first and last four digits
(`4111 **** **** 1111`).
{_SEVERITY_NOTE}

Why it matters: Card numbers are regulated (PCI DSS); a dataset containing them must not be
stored or shared as is, and a model must never learn to produce them.

Example: `"content": "Your card 4539 1488 0343 6467 was charged $20."`.

Options: {_COMMON_OPTIONS}""",
    options=PiiOptions,
)

IBAN = Rule(
    code="DS504",
    fix=Fix("rewrite-field", safe=False, does="Replaces each occurrence of the reported value in the field with `<IBAN>`."),
    name="iban",
    family="pii",
    severity=Severity.ERROR,
    scope="record",
    summary="A text field contains an IBAN with a valid checksum.",
    docs=f"""\
What it does: Reports International Bank Account Numbers, bare or in groups of four
(`DE89 3704 0044 0532 0130 00`), whose length matches their country and whose mod-97 checksum is
valid. An IBAN-shaped string with a wrong check digit is not reported. The message keeps the
country, the check digits and the last two characters.
{_SEVERITY_NOTE}

Why it matters: An IBAN identifies a person's bank account; it enables direct-debit fraud and
is personal data.

Example: `"content": "Transfer the deposit to GB33 BUKB 2020 1555 5555 55."`.

Options: {_COMMON_OPTIONS}""",
    options=PiiOptions,
)

SSN = Rule(
    code="DS505",
    fix=Fix("rewrite-field", safe=False, does="Replaces each occurrence of the reported value in the field with `<SSN>`."),
    name="us-ssn",
    family="pii",
    severity=Severity.ERROR,
    scope="record",
    summary="A text field contains a US social security number in a valid range.",
    docs=f"""\
What it does: Reports `AAA-GG-SSSS` numbers whose area is not 000, 666 or 900-999, whose group is
not 00 and whose serial is not 0000, except numbers published as examples (078-05-1120,
219-09-9999, 123-45-6789) and repeated-digit placeholders (111-22-3333). Bare nine-digit runs are
too ambiguous and are not reported.
{_SEVERITY_NOTE}

Why it matters: A social security number is the key to identity theft in the US.

Example: `"content": "Her SSN is 536-22-1459, please update the file."`.

Options: {_COMMON_OPTIONS}""",
    options=PiiOptions,
)

IP_ADDRESS = Rule(
    code="DS506",
    fix=Fix("rewrite-field", safe=False, does="Replaces each occurrence of the reported value in the field with `<IP_ADDRESS>`."),
    name="ip-address",
    family="pii",
    severity=Severity.ERROR,
    scope="record",
    summary="A text field contains a public IP address.",
    docs=f"""\
What it does: Reports IPv4 and IPv6 addresses, validated and classified with Python's `ipaddress`.
By default only public addresses are reported: private, loopback, link-local, multicast and
reserved addresses, and the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
2001:db8::/32) are ignored. Version-like quads are not addresses: all four numbers below 32
(`1.2.3.4`, `2.14.0.1`), after `version`, `v`, `==`, `section`, `OID` or `Chrome/`, followed by a
build suffix (`3.0.4.16-5a1e7`) or more dotted parts, or a network in CIDR notation (`/24`).
{_SEVERITY_NOTE}

Why it matters: A public IP address can identify a household or a company's infrastructure; the
GDPR treats it as personal data.

Example: `"content": "The login came from 81.2.69.160 at 03:12."`.

Options: {_COMMON_OPTIONS} `ignore-private` (boolean, default true); `ignore-documentation`
(boolean, default true); `allow-networks` (list of CIDR networks, default empty): addresses in
these networks are never reported.""",
    options=IpOptions,
)

SECRET_TOKEN = Rule(
    code="DS507",
    fix=Fix("rewrite-field", safe=False, does="Replaces each occurrence of the reported value in the field with `<SECRET>`."),
    name="secret-token",
    family="pii",
    severity=Severity.ERROR,
    scope="record",
    summary="A text field contains an API key or access token of a known format.",
    docs=f"""\
What it does: Reports credentials recognisable by their format, from a catalogue of more
than 100 formats that providers document (`dslint/detect/secrets.py`; the README lists them):
cloud (AWS, Google, Azure, DigitalOcean, Alibaba, Vault, Terraform Cloud, ...), version control
and CI (GitHub, GitLab's personal, deploy, runner, CI job and feed tokens, Bitbucket, CircleCI),
chat (Slack tokens and webhook URLs, Discord and Teams webhooks, Telegram bots), payment (Stripe,
Square, Braintree, ...), AI providers and model hubs (OpenAI, Anthropic, Hugging Face `hf_` and
`api_org_`, Groq, Replicate, ...), package registries (npm, PyPI, RubyGems, NuGet, Docker Hub,
crates.io), mail and SMS providers, age keys and JSON Web Tokens. Structure checks drop
look-alikes: GitHub's and npm's CRC32 suffix, a JWT header that decodes, a PyPI macaroon that names
pypi.org. Placeholders are never findings: one repeated character, `x`/`X`/`0` fillers, sequences
(`1234567890`), a repeated unit, and words such as EXAMPLE, SAMPLE, DUMMY, RANDOM, YOUR_, HERE.
Documented example keys (`AKIAIOSFODNN7EXAMPLE`) and test-mode keys (`sk_test_`) are warnings. A
text field containing `dslint: allow-secret` keeps its secrets (DS507-DS509), not its personal
data. The message shows the first and last four characters (`AKIA************MPLE`) and the
metrics name the format (`type`).
{_SEVERITY_NOTE}

Why it matters: A leaked key gives access to an account until it is revoked, and a model that
learned one may print it for anybody; secret scanners also block pushes of such datasets.

Example: `"content": "git clone https://ghp_...@github.com/acme/app.git"` with a real token;
`AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE` (AWS's own documentation key) is a warning.

Options: {_COMMON_OPTIONS}""",
    options=PiiOptions,
)

PRIVATE_KEY = Rule(
    code="DS508",
    fix=Fix("rewrite-field", safe=False, does="Replaces each occurrence of the reported value in the field with `<PRIVATE_KEY>`."),
    name="private-key",
    family="pii",
    severity=Severity.ERROR,
    scope="record",
    summary="A text field contains a PEM private key block.",
    docs=f"""\
What it does: Reports `-----BEGIN ... PRIVATE KEY-----` blocks (RSA, EC, DSA, OpenSSH, PKCS#8,
encrypted, PGP) followed by at least 40 characters of key material that looks random. A header
mentioned in prose, or followed by a placeholder, is not reported.
{_SEVERITY_NOTE}

Why it matters: A private key is a complete credential: whoever has it can impersonate its
owner's server, sign commits or decrypt traffic.

Example: a tutorial answer that pastes a real `id_rsa` file instead of `<your key>`.

Options: {_COMMON_OPTIONS}""",
    options=PiiOptions,
)

SECRET_ASSIGNMENT = Rule(
    code="DS509",
    fix=Fix("rewrite-field", safe=False, does="Replaces each occurrence of the reported value in the field with `<SECRET>`."),
    name="secret-assignment",
    family="pii",
    severity=Severity.ERROR,
    scope="record",
    summary="A high-entropy value is assigned to a name like password, secret, token or api_key.",
    docs=f"""\
What it does: Reports values assigned to a secret-looking name in code, configuration, JSON, YAML
or .env syntax (`DB_PASSWORD = "..."`, `"apiKey": "..."`, `token: ...`, `Authorization: Bearer
...`) when the value is random enough: a Shannon entropy of at least 4.5 bits per character for
base64-like values and 3.0 for hex values, the limits detect-secrets uses, and at least 12
characters. Placeholders (`<your-key>`, `${{TOKEN}}`, `xxxx`, `changeme`), function calls and
public values (`publicKeyToken`, `STRIPE_PUBLISHABLE_KEY`) are ignored. Tokens of a known format
are reported by DS507 instead.
{_SEVERITY_NOTE}

Why it matters: Hard-coded credentials in code samples are the most common way secrets end up in
fine-tuning data, and the model learns to hard-code them too.

Example: `client_secret = "q8Zr2LwP0xVn7TfKc4YmHs9BdJ6uGe1A"` in an assistant's code block.

Options: {_COMMON_OPTIONS} `names` (list, default password, passwd, pwd, passphrase, secret,
token, api_key, apikey, access_key, private_key, client_secret, auth_key, credential,
credentials): the names that mark a secret; `base64-entropy` (number, default 4.5) and
`hex-entropy` (number, default 3.0): entropy thresholds; `min-length` (integer, default 12).""",
    options=SecretAssignmentOptions,
)

# The detector (dslint.detect.pii.KINDS) behind each rule.
RULE_BY_KIND: dict[str, Rule] = {
    "private-key": PRIVATE_KEY,
    "token": SECRET_TOKEN,
    "credential": SECRET_ASSIGNMENT,
    "email": EMAIL,
    "iban": IBAN,
    "card": CARD,
    "ssn": SSN,
    "ip": IP_ADDRESS,
    "phone": PHONE,
}
PII_RULES = (EMAIL, PHONE, CARD, IBAN, SSN, IP_ADDRESS, SECRET_TOKEN, PRIVATE_KEY, SECRET_ASSIGNMENT)
