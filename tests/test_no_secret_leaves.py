"""No secret or PII value leaves dslint, whatever the data: a property test that plants random values
of every kind the DS5xx detectors know in random places (text of every role, JSON keys, CSV column
names, labels, file names, next to other rules' triggers, inside URLs, split by invisible
characters, in text shared across splits) and checks that no output format, at any verbosity,
contains the value or any 8-character piece of it (compared case-insensitively, so a lower-cased
form is caught too).

The runs are in-process through the engine, so the 2,000 examples take about a minute; set
DSLINT_LEAK_EXAMPLES to run more (see tests/fuzz_outputs.py for an open-ended fuzz harness).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import random
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dslint.baseline import Baseline
from dslint.detect.secrets import expand
from dslint.config import load_config
from dslint.engine import run
from dslint.finding import Report
from dslint.policy import Overrides, Policy
from dslint.readers import discover
from dslint.registry import load_registry
from dslint.report import RENDERERS, RenderOptions, render
from dslint.report.markdown import markdown_summary

EXAMPLES = int(os.environ.get("DSLINT_LEAK_EXAMPLES", "2000"))
ALNUM = string.ascii_letters + string.digits
INVISIBLES = ["\u200b", "\u200c", "\u2060", "\u00ad", "\ufeff", "\u200e"]


# --- values: (the whole text to plant, the secret part of it that must never be shown) ----------


def _pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _mixed(rng: random.Random, n: int) -> str:
    """Random letters and digits with at least one upper, one lower and one digit (real keys)."""
    body = list(_pick(rng, ALNUM, n - 3) + rng.choice(string.ascii_uppercase) + rng.choice(string.ascii_lowercase) + rng.choice(string.digits))
    rng.shuffle(body)
    return "".join(body)


def _luhn_complete(digits: str) -> str:
    total = 0
    for i, d in enumerate(reversed(digits + "0")):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return digits + str((10 - total % 10) % 10)


def _iban(rng: random.Random) -> str:
    bban = _pick(rng, string.digits, 18)
    check = 98 - int(bban + "131400") % 97  # D=13, E=14
    return f"DE{check:02d}{bban}"


def _pem(rng: random.Random) -> tuple[str, str]:
    body = "\n".join(base64.b64encode(rng.randbytes(48)).decode() for _ in range(4))
    return f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----", body


TOKEN_SHAPES = {
    "github": "ghp_{m30}{crc}",
    "aws": "AKIA{u16}",
    "slack": "xoxb-{d12}-{d13}-{m24}",
    "openai": "sk-proj-{m40}",
    "stripe": "sk_live_{m24}",
    "huggingface": "hf_{m34}",
    "google": "AIza{b35}",
}


def make_value(kind: str, rng: random.Random) -> tuple[str, str]:
    if kind in TOKEN_SHAPES:
        # The provider's documented shape, as the secrets catalogue generates its own examples
        # (a GitHub token with its CRC32 suffix, an AWS key ID in base32).
        v = expand(TOKEN_SHAPES[kind], rng)
    elif kind == "email":
        v = f"{_pick(rng, string.ascii_lowercase, rng.randint(6, 12))}.{_pick(rng, string.ascii_lowercase, 5)}@{_pick(rng, string.ascii_lowercase, 8)}.com"
    elif kind == "card":
        digits = _luhn_complete("4" + _pick(rng, string.digits, 14))
        v = " ".join(digits[i : i + 4] for i in range(0, 16, 4)) if rng.random() < 0.5 else digits
    elif kind == "iban":
        v = _iban(rng)
    elif kind == "ssn":
        v = f"{rng.randint(101, 665):03d}-{rng.randint(10, 99):02d}-{rng.randint(1000, 9999):04d}"
    elif kind == "phone":
        exchange = rng.choice([n for n in range(202, 990) if n % 100 != 11 and n != 555])
        v = f"+1 {rng.choice(AREA_CODES)} {exchange} {rng.randint(1000, 9999)}"
    elif kind == "ipv4":
        v = f"{rng.randint(11, 99)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
    elif kind == "credential":
        secret = _mixed(rng, rng.randint(40, 48))  # long enough for the DS509 entropy threshold
        return f"password = {secret}", secret
    elif kind == "url-password":
        secret = _mixed(rng, 6) + rng.choice("#%!") + _mixed(rng, 6)
        return f"postgres://admin:{secret}@db.internal:5432/app", secret
    elif kind == "private-key":
        return _pem(rng)
    else:
        raise AssertionError(kind)
    prefix = next((p for p in PUBLIC_PREFIXES if v.startswith(p)), "")
    return v, v[len(prefix) :]  # a provider's fixed prefix is public: the rest is the secret


PUBLIC_PREFIXES = ("ghp_", "AKIA", "xoxb-", "sk-proj-", "sk_live_", "hf_", "AIza")


AREA_CODES = (206, 212, 303, 312, 415, 617, 646, 702, 713, 818)  # real US areas
KINDS = ["github", "aws", "slack", "openai", "stripe", "huggingface", "google", "email", "card", "iban", "ssn",
         "phone", "ipv4", "credential", "url-password", "private-key"]  # fmt: skip
# Where a value is planted; "split" also hides an invisible character inside it.
PLACES = ["user", "assistant", "system", "key", "message-key", "column", "label", "file-name",
          "html", "special-token", "placeholder", "merged", "url", "split", "leak", "label-conflict",
          "tag-characters"]  # fmt: skip
ONE_LINE = {"key", "message-key", "column", "label", "file-name", "label-conflict", "tag-characters"}  # no newline allowed there


@dataclass
class Plant:
    kind: str
    place: str
    seed: int
    pad: int  # characters of text before the value, so that snippet windows cut it anywhere


# --- the dataset around the value --------------------------------------------------------------

WORDS = "the quick model answers every question about shipping refunds and delivery times in plain words".split()


def _filler(rng: random.Random, n: int) -> str:
    out = ""
    while len(out) < n:
        out += rng.choice(WORDS) + " "
    return out[:n]


def _chat(user: str, assistant: str, system: str = "You are a helpful support assistant.") -> dict:
    return {"messages": [{"role": "system", "content": system}, {"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


CLEAN = [
    _chat("Where is my parcel?", "It left the depot this morning and arrives tomorrow."),
    _chat("Can I change my delivery address?", "Yes, until the parcel is dispatched."),
    _chat("How do I return an item?", "Print the label from your account and drop it at any post office."),
    _chat("Do you ship abroad?", "We ship to most countries in Europe."),
]


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def build_dataset(root: Path, plant: Plant) -> str:
    """Write the files for one planted value; returns the secret part that must not be shown."""
    rng = random.Random(plant.seed)
    text, secret = make_value(plant.kind, rng)
    place = plant.place
    if place in ONE_LINE and "\n" in text or place == "file-name" and "/" in text:
        place = "assistant"
    if place == "split":
        cut = rng.randint(1, len(text) - 1)
        text = text[:cut] + rng.choice(INVISIBLES) + text[cut:]
    pad = _filler(rng, plant.pad).rstrip() + " "  # a value glued to a word is not a value any detector knows
    train = root / "train.jsonl"
    if place in ("user", "assistant", "system", "split"):
        row = _chat("Hello there", "Fine thanks")
        turn = {"system": 0, "user": 1}.get(place, 2)
        row["messages"][turn]["content"] = f"{pad}{text} and more {_filler(rng, 30)}"
        _write_jsonl(train, [*CLEAN, row, row])  # twice: duplicate findings quote it too
    elif place == "key":
        _write_jsonl(train, [*CLEAN, {**CLEAN[0], text: "x"}])
    elif place == "message-key":
        row = _chat("Hi", "Hello")
        row["messages"][1][text] = 1
        _write_jsonl(train, [*CLEAN, row])
    elif place in ("column", "label", "label-conflict"):
        rows = [["text", "label"]] + [[f"{w} order question", "shipping"] for w in WORDS[:8]]
        if place == "column":
            rows[0][1] = text
        elif place == "label":
            rows.append(["rare question", text])
        else:  # the same input with two labels, spelled with a case difference
            rows += [["same input", text], ["same input", text.upper()], ["Same Input", text.lower()]]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        (root / "train.csv").write_text(buffer.getvalue(), encoding="utf-8")
    elif place == "file-name":
        _write_jsonl(root / f"train-{text}.jsonl", CLEAN)
    elif place == "tag-characters":  # hidden in Unicode tag characters, which DS606 decodes
        hidden = "".join(chr(0xE0000 + ord(c)) for c in text if ord(c) < 0x80)
        _write_jsonl(train, [*CLEAN, _chat("Hi", f"{pad}Sure.{hidden} Anything else?")])
    elif place == "leak":
        shared = f"{_filler(rng, 80)} {text} {_filler(rng, 80)}"
        _write_jsonl(train, [*CLEAN, _chat("Tell me", shared)])
        other = " ".join(f"{w}{i}" for i, w in enumerate(rng.choices(WORDS, k=120)))  # not a near-duplicate
        _write_jsonl(root / "test.jsonl", [_chat("Quote it", f"{other} {shared}"), CLEAN[1]])
    else:
        trigger = {
            "html": f"{pad}&amp;{text}&nbsp;",
            "special-token": f"{pad}<|im_end|>{text}<|im_start|>",
            "placeholder": f"{pad}{{customer_name}} {text} [INSERT NAME]",
            "merged": f"{pad}### Instruction: {text}\n### Response: ok",
            "url": f"see https://example.org/reset?token={text}&u={text} now",
        }[place]
        _write_jsonl(train, [*CLEAN, _chat("Hi", trigger), _chat(trigger, "```python\nprint(1)")])
    return secret


# --- the check ---------------------------------------------------------------------------------

REGISTRY = load_registry()
_CONFIG_DIR = tempfile.TemporaryDirectory()  # removed when the interpreter exits
Path(_CONFIG_DIR.name, "dslint.yaml").write_text("extends: [strict]\n")  # every rule on
LOADED = load_config(str(Path(_CONFIG_DIR.name, "dslint.yaml")))
POLICY = Policy.build(LOADED, REGISTRY, Overrides(fail_on="never"))  # built once: 8 ms an example
VERBOSITY_FORMATS = ("rich", "concise")  # the formats --statistics changes
_DOCUMENTED = "\n".join(f"{rule.summary}\n{rule.docs}" for rule in REGISTRY.rules.values()).lower()


def outputs(report: Report) -> list[str]:
    """Every output format at every verbosity, the step summary and a baseline file."""
    texts = []
    for statistics in (False, True):
        options = RenderOptions(rules=REGISTRY.rules, statistics=statistics, enabled=frozenset(REGISTRY.rules), width=100)
        for name in sorted(RENDERERS) if not statistics else VERBOSITY_FORMATS:
            stream = io.StringIO()
            render(name, report, stream, options)
            texts.append(stream.getvalue())
        texts.append(markdown_summary(report, options))
    texts.append(Baseline.from_findings(report.findings).model_dump_json())
    return texts


def pieces(secret: str) -> set[str]:
    """The secret and every 8-character piece of it (of each line, for a private key body),
    but for the pieces the rules' documentation holds: SARIF carries it whatever the data, and
    its examples can share a piece with a random value (the phone number `0412 345 678` with a
    planted `+1 312 345 6298`, fuzz_outputs.py seed 8840)."""
    found = set()
    for part in secret.splitlines() or [secret]:
        found |= {part[i : i + 8].lower() for i in range(max(1, len(part) - 7))}
    return {piece for piece in found if piece not in _DOCUMENTED}


def lint_planted(plant: Plant) -> tuple[str, list[str], Report]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        secret = build_dataset(root, plant)
        report = run(discover([str(root)]), LOADED, REGISTRY, POLICY)
    return secret, outputs(report), report


plants = st.builds(
    Plant,
    kind=st.sampled_from(KINDS),
    place=st.sampled_from(PLACES),
    seed=st.integers(0, 2**32 - 1),
    pad=st.integers(0, 200),
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(plant=plants)
@mock.patch("dslint.report.sarif.repo_root", Path.cwd)  # not `git rev-parse` 2,000 times
def test_no_output_contains_a_planted_value(plant: Plant) -> None:
    secret, texts, report = lint_planted(plant)
    banned = pieces(secret)
    for text in texts:
        low = text.lower()
        leaked = sorted(p for p in banned if p in low)
        assert not leaked, (plant, leaked[:3], text[max(0, low.find(leaked[0]) - 80) : low.find(leaked[0]) + 80])


def test_every_kind_is_found_where_it_is_planted() -> None:
    """The property test is only as good as its values: each kind is reported as DS5xx PII
    on a few seeds."""
    for kind in KINDS:
        found = [any(f.rule.startswith("DS5") for f in lint_planted(Plant(kind, "assistant", seed, 0))[2].findings) for seed in range(4)]
        assert all(found), (kind, found)
