"""The secrets catalogue (dslint/detect/secrets.py) behind DS507: every format's documented
examples are found, its negatives and placeholders are not, structure checks reject look-alikes,
the allow-secret marker and test-mode keys, and linear time on each hint.

Examples are templates expanded with seeded random characters, so no secret-shaped literal sits
in the repository.
"""

from __future__ import annotations

import random
import re

import pytest

from dslint.detect.pii import ScanConfig, needed_kinds
from dslint.detect.secrets import ALPHABETS, CATALOGUE, CHECKS, Secret, base62_crc32, expand, find_secrets, is_placeholder
from dslint.finding import Severity
from tests.checks.test_pii import answer, assert_hidden, chat, codes, run

IDS = [s.id for s in CATALOGUE]


def found(text: str, validate: bool = True) -> list[tuple[str, str]]:
    hits = [(m.secret.id, m.value) for m in find_secrets(text, validate)]
    assert not hits or needed_kinds([text], TOKENS_ONLY)[0], "the batch path's trigger misses a token"
    return hits


TOKENS_ONLY = ScanConfig(kinds=frozenset({"token"}))


def test_catalogue_is_large_unique_and_documented() -> None:
    assert len(CATALOGUE) >= 60 and len(set(IDS)) == len(IDS)
    for secret in CATALOGUE:
        assert secret.examples and secret.label and secret.hints, secret.id
        assert secret.check is None or secret.check in CHECKS
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", secret.id)


def _contexts(value: str) -> list[str]:
    """The same value where data has it: prose, an env line, a JSON config, a code string."""
    return [
        f"Sure, use {value} for now and rotate it later.",
        f"export TOKEN={value}\n",
        f'{{"auth": {{"key": "{value}"}}, "retries": 3}}',
        f"client = Client(key='{value}')",
    ]


@pytest.mark.parametrize("secret", CATALOGUE, ids=IDS)
def test_documented_examples_are_found_in_every_context(secret: Secret) -> None:
    rng = random.Random(secret.id)
    for template in secret.examples:
        value = expand(template, rng)
        for text in _contexts(value):
            hits = found(text)
            assert [h[0] for h in hits] == [secret.id], (template, text)
            assert hits[0][1] in value


@pytest.mark.parametrize("secret", [s for s in CATALOGUE if s.negatives], ids=[s.id for s in CATALOGUE if s.negatives])
def test_negative_examples_are_not_found(secret: Secret) -> None:
    rng = random.Random(secret.id)
    for template in secret.negatives:
        text = f"Use {expand(template, rng)} here."
        assert secret.id not in [h[0] for h in found(text)], template


class _Filler(random.Random):
    """Fills every slot of a template the way people write placeholders."""

    def __init__(self, style: str) -> None:
        super().__init__(0)
        self.style, self.i = style, 0

    def choice(self, seq):  # type: ignore[no-untyped-def, override]
        self.i += 1
        if self.style == "constant":
            return "x" if "x" in seq else "X" if "X" in seq else "0" if "0" in seq else seq[0]
        if self.style == "sequence":
            return sorted(seq)[(self.i - 1) % len(seq)]
        word = "YOURTOKENHERE" if "Y" in seq else "yourtokenhere" if "y" in seq else "0123456789abcdef"
        return word[(self.i - 1) % len(word)] if word[(self.i - 1) % len(word)] in seq else seq[0]


@pytest.mark.parametrize("style", ["constant", "sequence", "words"])
def test_placeholders_of_every_format_are_not_findings(style: str) -> None:
    for secret in CATALOGUE:
        for template in secret.examples:
            if "{jwt}" in template or "{crc}" in template:
                continue
            value = expand(template, _Filler(style))
            assert secret.id not in [h[0] for h in found(f"token: {value}")], (secret.id, value)


# The exact misses and false alarms of the issue.
ISSUE_PLACEHOLDERS = [
    "ghp_" + "x" * 36,
    "GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "xoxb-xxxxxxxxx-xxxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx",
    "AKIA" + "X" * 16,
    "SLACK_TOKEN=xoxp-1234567890",
    "sk_live_" + "RANDOMSTRINGHERE" * 2,
    "hf_" + "x" * 34,
    "OPENAI_API_KEY=sk-" + "0" * 48,
    "api_key: sk-proj-YOUR_API_KEY_HERE_" + "a1B2" * 6,
    "dop_v1_" + "0123456789abcdef" * 4,
    "glpat-" + "x" * 20,
]


@pytest.mark.parametrize("text", ISSUE_PLACEHOLDERS)
def test_issue_placeholders_are_not_findings(text: str) -> None:
    assert run(answer(text)) == []


def test_issue_misses_are_found() -> None:
    rng = random.Random(12)
    hf = expand("hf_{l34}", rng)
    text = f"Paste your token ({hf}) when huggingface-cli asks for it."
    assert found(text) == [("huggingface-token", hf)]
    org = expand("api_org_{l34}", rng)
    assert found(f"The org key {org} still works.") == [("huggingface-org-token", org)]
    for template, secret_id in [
        ("xapp-1-A{A10}-{d13}-{h64}", "slack-app-token"),
        ("https://hooks.slack.com/services/T{A8}/B{A10}/{m24}", "slack-webhook"),
        ("https://hooks.slack.com/workflows/T{A10}/A{A10}/{d18}/{m24}", "slack-webhook"),
        ("https://hooks.slack.com/triggers/T{A10}/{d13}/{h32}", "slack-webhook"),
        ("glrt-{b20}", "gitlab-runner-token"),
        ("glcbt-{h2}_{b20}", "gitlab-ci-job-token"),
        ("gldt-{b20}", "gitlab-deploy-token"),
        ("glft-{b20}", "gitlab-feed-token"),
    ]:
        value = expand(template, rng)
        findings = run(answer(f"curl -H 'X-Token: {value}' https://example.org"))
        assert codes(findings) == ["DS507"] and findings[0].metrics["type"] == secret_id
        assert_hidden(findings, value)


def test_structure_checks_reject_look_alikes() -> None:
    rng = random.Random(7)
    token = expand("ghp_{m30}{crc}", rng)
    assert CHECKS["crc32"](token)
    broken = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert found(f"t {token} t") and not found(f"t {broken} t")
    assert base62_crc32("") == "000000" and len(base62_crc32("x" * 30)) == 6
    assert not found("pypi-AgE" + "Q" * 10 + expand("{b80}", rng))  # a macaroon that names no PyPI host
    assert not found("eyJub3QiOiJqc29u." + "eyJzdWIiOiIxIn0." + expand("{b20}", rng))  # header without alg/typ


def test_documented_example_keys_and_test_keys_are_warnings() -> None:
    findings = run(answer("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"))
    assert codes(findings) == ["DS507"] and findings[0].severity is Severity.WARNING
    test_key = expand("sk_test_{m24}", random.Random(3))
    findings = run(answer(f"stripe.api_key = '{test_key}'"))
    assert codes(findings) == ["DS507"] and findings[0].severity is Severity.WARNING
    assert findings[0].metrics["type"] == "stripe-test-key"
    live_key = expand("sk_live_{m24}", random.Random(3))
    assert run(answer(f"stripe.api_key = '{live_key}'"))[0].severity is Severity.ERROR


def test_allow_secret_marker_suppresses_secrets_in_its_field_only() -> None:
    token = expand("ghp_{m30}{crc}", random.Random(9))
    marked = f"Revoked demo token: {token}  # dslint: allow-secret"
    assert run(answer(marked)) == []
    # personal data in the same field is still reported
    findings = run(answer(marked + " Mail ana@fastmail.com."))
    assert codes(findings) == ["DS501"]
    assert_hidden(findings, token)
    # the marker in another field does not cover this one
    record = chat(("user", "dslint: allow-secret"), ("assistant", f"Use {token}."))
    assert codes(run(record)) == ["DS507"]


def test_is_placeholder() -> None:
    assert is_placeholder("x" * 36) and is_placeholder("0123456789") and is_placeholder("abcdefghijk")
    assert is_placeholder("YOUR_TOKEN") and is_placeholder("EXAMPLEKEY123") and is_placeholder("aaaaaaaab1c2")
    rng = random.Random(4)
    assert not any(is_placeholder(expand("{m36}", rng)) for _ in range(200))
    assert not any(is_placeholder(expand("{h40}", rng)) for _ in range(200))


def test_alphabets_cover_every_template_slot() -> None:
    for secret in CATALOGUE:
        for template in (*secret.examples, *secret.negatives):
            for letter in re.findall(r"\{([A-Za-z])[0-9]+\}", template):
                assert letter in ALPHABETS, (secret.id, template)


ADVERSARIAL = {
    "hints": "".join(h for s in CATALOGUE for h in s.hints) * 200,
    "prefix-then-run": "sk-" + "a" * 100_000,
    "telegram": ("1234567890:AA" * 8_000),
    "entra": "abc8Q~" * 15_000,
    "mailchimp": ("0" * 32 + "-us") * 3_000,
    "webhooks": "https://hooks.slack.com/services/T" * 3_000,
    "short-hints": "pat SK re_ cio sl. key- oy2 " * 10_000,
}


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_catalogue_gives_ordered_disjoint_matches_on_adversarial_text(name: str) -> None:
    # Timing lives in bench/bench_pii.py; here the matches must be well-formed.
    text = ADVERSARIAL[name]
    for validate in (True, False):
        found = list(find_secrets(text, validate))
        assert all(0 <= m.start < m.end <= len(text) for m in found)
        assert all(a.end <= b.start for a, b in zip(found, found[1:]))


def test_readme_lists_every_format() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [s.id for s in CATALOGUE if f"| `{s.id}` |" not in readme]
    assert not missing, f"README's secrets table lacks {missing}"
