"""The one place that renders data for output: redact PII and secrets, escape control characters,
neutralise CI workflow commands, shorten.

Every snippet and every message that quotes record text goes through here before any reporter
sees it, because CI logs are often public and terminals interpret escape sequences; and as the last
step of a run ``for_output`` and ``redact_summary`` pass every string of the report through
``scrub`` once more (messages, snippets, file names, field pointers, related locations, metrics,
stats), so the invariant does not depend on each check remembering it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from dslint.detect.pii import INVISIBLE, REDACTION, scan
from dslint.finding import AnyFinding, Finding, Hit, Location, Summary, location

SNIPPET_CHARS = 80
# Text scanned on each side of a window, so that a value the window cuts is still recognised
# and masked whole (a private key body is the longest value a detector knows).
CONTEXT_CHARS = 4096

# Digit runs the detectors do not claim (a 16-digit number failing Luhn, an account number) are
# masked anyway: 9+ digits, possibly grouped by spaces, dots or dashes. Linear: one digit per step.
_DIGITS = re.compile(r"(?<![\w])\+?\d(?:[ .-]?\d){8,30}(?![\w])")

# The password of ``scheme://user:password@host``, whatever characters it holds ('#', '%', '!').
_URL_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,30}://[^\s/:@]{0,256}:)([^\s@/]{1,256})@")
# Whatever follows a secret's name and an assignment, up to a space or quote: looser than the
# DS505 detector (which wants a clean end, and skips placeholders) because masking more is harmless.
_ASSIGNED_SECRET = re.compile(
    r"(?i)(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|auth[_-]?key"
    r"|credentials?)[\w.-]{0,24}[\"']?[ \t]{0,3}(?::=|=>|=|:)[ \t]{0,3}[\"'`]?([^\s\"'`]{4,200})"
)
_NAME_SEPARATORS = frozenset("-_.+=~,")
# CI log commands: GitHub Actions `::cmd::`, Azure Pipelines `##vso[` and `##[group]`, TeamCity
# `##teamcity[`. Data never reaches a log with one of them intact, wherever it stands in a line.
_CI_COMMAND = re.compile(r"::|##(?=[A-Za-z]*\[)")
_CI_ESCAPE = {"::": ":\\x3a", "##": "#\\x23"}


def _mask_digits(m: re.Match[str]) -> str:
    text = m.group(0)
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    keep = set(digits[:4] + digits[-4:]) if len(digits) > 10 else set(digits[-2:])
    return "".join(c if (not c.isdigit() or i in keep) else "*" for i, c in enumerate(text))


def redact(text: str) -> str:
    """Mask what the DS5xx detectors find (emails, phone and card numbers, IBANs, SSNs, IP
    addresses, tokens, private keys, values assigned to secret names; without their checksums and
    allow-lists: masking too much in a snippet is harmless), passwords in URLs, and any other long
    digit run."""
    return excerpt(text, 0, len(text))


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """Replace control, format (bidi, zero-width) and unpaired surrogate characters by escapes,
    and break up CI workflow command markers (``::``, ``##vso[``)."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return _CI_COMMAND.sub(lambda m: _CI_ESCAPE[m.group(0)], "".join(out))


@functools.lru_cache(maxsize=1 << 16)  # reports repeat messages, pointers and names many times
def scrub(text: str) -> str:
    """Any text from the data, a file name or a plugin, ready to leave dslint: redacted, printable."""
    return printable(redact(text))


@functools.lru_cache(maxsize=4096)
def display_path(name: str) -> str:
    """A file name as every format shows it: scrubbed like record text, and never starting a line
    with punctuation a CI runner or a terminal could take for a command (``:``, ``#``, ``-``).

    Names glue words with '-', '_' and '.', where a detector would not see a value start
    (``train-ghp_…``): every part after such a separator is scanned as well."""
    found = list(_spans(name))  # a copy: _spans' lists are shared
    for i, ch in enumerate(name):
        if ch in _NAME_SEPARATORS:
            found += [(s + i + 1, e + i + 1, m) for s, e, m in _spans(name[i + 1 :])]
    parts, pos = [], 0
    for s, e, masked in _merged(found):
        parts += [name[pos:s], masked]
        pos = e
    safe = printable(redact("".join(parts) + name[pos:]))
    if safe and not (safe[0].isalnum() or safe[0] in "./_\\<"):
        safe = "./" + safe
    return safe


# Token prefixes of the providers the detectors know, in their proper case.
_PREFIXES = ("AKIA", "ASIA", "ABIA", "ACCA", "AIza", "eyJ", "github_pat_", "glpat-", "sk-", "rk_live_", "sk_live_", "hf_")
_TOKEN_PREFIX = re.compile(r"(?i)(?<![a-z0-9])(?:" + "|".join(re.escape(p) for p in _PREFIXES) + r"|gh[pousr]_|xox[abeprs]-)")
_PREFIX_CASE = {p.lower(): p for p in _PREFIXES}


def _canonical_prefix(m: re.Match[str]) -> str:
    word = m.group(0)
    return _PREFIX_CASE.get(word.lower(), word.lower())


Span = tuple[int, int, str]  # (start, end, masked form) of a value to mask


@functools.lru_cache(maxsize=64)  # the snippets of several findings are cut from the same field
def _spans(text: str) -> list[Span]:
    """Every value to mask in ``text``, in text order, none overlapping another (callers must
    not change the list: it is shared)."""
    found = [(h.start, h.end, h.masked) for h in scan(text, REDACTION)]  # first: their masks win ties
    # A value whose case was changed on the way (a label spelled in capitals, a lower-cased key) is
    # no longer a token any detector knows, yet shows the same characters: look at both cases too,
    # with the providers' prefixes spelled as they are ("AIZA…" → "AIza…").
    for variant in {_TOKEN_PREFIX.sub(_canonical_prefix, t) for t in (text.lower(), text.upper())} - {text}:
        if len(variant) == len(text):
            found += [(h.start, h.end, h.masked) for h in scan(variant, REDACTION)]
    found += _pattern_spans(text)
    found += [(m.start(), m.end(), _mask_digits(m)) for m in _DIGITS.finditer(text)]
    return _merged(found)


def _pattern_spans(text: str) -> list[Span]:
    """URL passwords and loose secret assignments, judged without invisible characters (as the
    detectors are): ``postgres:\u2060//admin:pw@`` still shows a password."""
    kept = list(range(len(text)))
    if not text.isascii() and INVISIBLE.search(text):
        kept = [i for i, ch in enumerate(text) if not INVISIBLE.match(ch)]
        text = "".join(text[i] for i in kept)
    found = [(m.start(2), m.end(2), "****") for m in _URL_PASSWORD.finditer(text)]
    found += [(m.start(1), m.end(1), "********") for m in _ASSIGNED_SECRET.finditer(text) if "**" not in m.group(1)]
    return [(kept[s], kept[e - 1] + 1, masked) for s, e, masked in found]


def _merged(found: list[Span]) -> list[Span]:
    spans: list[Span] = []
    for start, end, masked in sorted(found, key=lambda s: (s[0], -s[1])):
        if spans and start < spans[-1][1]:  # overlapping values: mask both as one
            prev = spans.pop()
            start, end, masked = prev[0], max(end, prev[1]), prev[2] if end <= prev[1] else "*" * 8
        spans.append((start, end, masked))
    return spans


def excerpt(text: str, start: int, end: int) -> str:
    """``text[start:end]`` with every sensitive value masked, judged on the original text around
    the window: a value the window cuts is masked whole (the window grows to take it in)."""
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    region = text[lo:hi]
    start, end = start - lo, end - lo
    parts, pos = [], start
    for s, e, masked in _spans(region):
        if e <= start or s >= end:
            continue
        if s < pos:  # the value starts before the window: show it masked from its beginning
            parts.append(masked)
        else:
            parts += [region[pos:s], masked]
        pos = max(pos, e)
    parts.append(region[pos:end] if pos < end else "")
    return "".join(parts)


def make_snippet(text: str, limit: int = SNIPPET_CHARS, context: str | None = None) -> str:
    """A short, redacted, printable excerpt of record text. With ``context`` (the whole field the
    excerpt was cut from), values cut by the excerpt's edges are recognised and masked whole."""
    offset = context.find(text) if context is not None and text else -1
    if offset >= 0:
        masked = excerpt(context, offset, offset + min(len(text), limit * 4))  # type: ignore[arg-type]
    else:
        masked = excerpt(text, 0, min(len(text), limit * 4))  # bound the work on huge fields
    safe = printable(masked)
    if len(safe) > limit or len(text) > limit * 4:
        return safe[: limit - 1].rstrip() + "…"
    return safe


_GUESSABLE = re.compile(r"\w*\d\w*|\w{8,}")


def normalised(text: str) -> str:
    """A normalised excerpt (lower-cased, punctuation dropped, as n-gram matching sees text),
    safe to show: the detectors cannot recognise a value in that form, so every word that could
    be part of one (a digit in it, or 8+ characters) is masked."""
    return _GUESSABLE.sub(lambda m: "*" * min(len(m.group(0)), 8), text)


def quote(value: object, limit: int = 40) -> str:
    """A value from the data, quoted for a message: redacted, printable and short."""
    return repr(make_snippet(str(value), limit))


def scrub_value(value: Any) -> Any:
    """Every string inside a JSON-like value scrubbed, mapping keys included."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub(k) if isinstance(k, str) else k: scrub_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrub_value(v) for v in value)
    return value


@functools.lru_cache(maxsize=1 << 12)
def pointer_text(pointer: str) -> str:
    """A JSON pointer to show: each key is redacted as written in the data (``~1`` back to ``/``),
    so a secret used as a key (a URL with a password) is masked like any text."""
    keys = (k.replace("~1", "/").replace("~0", "~") for k in pointer.split("/"))
    return printable("/".join(redact(k).replace("~", "~0").replace("/", "~1") for k in keys))


@dataclass(frozen=True, slots=True)
class Cut:
    """A snippet still to cut: the excerpt a check chose, the whole field it came from, and whether
    it is for output (then scrubbed as well, as every text of a report is). Called, it makes the
    snippet; ``Hit.snippet`` calls it on first use. Pickled (to leave a worker process, or into the
    cache), it is cut first, so raw field text never travels."""

    text: str
    context: str | None = None
    final: bool = False

    def __call__(self) -> str:
        snippet = make_snippet(self.text, context=self.context)
        return scrub(snippet) if self.final else snippet

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (self(),))


def _scrubbed_snippet(cut: str | Callable[[], str] | None) -> str | Callable[[], str] | None:
    """A finding's snippet scrubbed for output: now when it is already cut, else when it is."""
    if isinstance(cut, Cut):
        return replace(cut, final=True)
    if cut is None:
        return None
    return scrub(cut if isinstance(cut, str) else cut())


def _location(loc: Location) -> Location:
    file, field = display_path(loc.file), pointer_text(loc.field) if loc.field else loc.field
    if file == loc.file and field == loc.field:
        return loc  # the usual case: kept, not copied once per finding
    return location(file, loc.line, loc.record, field, loc.split)


def redact_finding(f: AnyFinding) -> AnyFinding:
    """A finding's texts (message, snippet, metrics) scrubbed; its locations left as they are.
    The snippet is cut now: what the per-file cache stores holds no raw text."""
    if isinstance(f, Hit):
        if f.redacted:
            return f
        snippet = f.snippet
        cut = scrub(snippet) if snippet is not None else None
        return replace(f, message=scrub(f.message), metrics=scrub_value(f.metrics), cut=cut, redacted=True)
    return f.model_copy(
        update={"message": scrub(f.message), "snippet": scrub(f.snippet) if f.snippet is not None else None, "metrics": scrub_value(f.metrics)}
    )


def for_output(f: AnyFinding) -> AnyFinding:
    """A finding as it leaves dslint: its texts scrubbed (a snippet not cut yet, once it is),
    its file names and pointers made safe to show."""
    locations = {"location": _location(f.location) if f.location is not None else None,
                 "related": [_location(r) for r in f.related] if f.related else f.related}
    if isinstance(f, Finding):
        return redact_finding(f).model_copy(update=locations)
    if f.redacted:  # the cache stored it scrubbed
        return replace(f, **locations)
    metrics = scrub_value(f.metrics)
    metrics = f.metrics if metrics == f.metrics else metrics  # most hold numbers: no copy kept
    return replace(f, message=scrub(f.message), metrics=metrics, cut=_scrubbed_snippet(f.cut), redacted=True, **locations)


def redact_summary(summary: Summary) -> Summary:
    """A summary's file names and dataset figures scrubbed."""
    files = [s.model_copy(update={"path": display_path(s.path)}) for s in summary.file_details]
    return summary.model_copy(update={"file_details": files, "stats": scrub_value(summary.stats)})
