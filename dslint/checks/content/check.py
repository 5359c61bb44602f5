"""ContentCheck: the family's one pass (see the package docstring)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from dslint.check import CheckContext, RecordCheck, Rule, location_of
from dslint.checks.content.rules import (
    CHOSEN_EQUALS_REJECTED,
    CONTENT_FREE_RESPONSE,
    LANGUAGE_MISMATCH,
    CONTENT_RULES,
    DEFAULT_PLACEHOLDER_VALUES,
    DEFAULT_SPECIAL_TOKENS,
    HTML_RESIDUE,
    MERGED_EXAMPLES,
    PLACEHOLDER_VALUE,
    RESPONSE_ECHOES_PROMPT,
    SPECIAL_TOKEN,
    UNBALANCED_CODE_FENCE,
    UNFILLED_PLACEHOLDER,
    URL_ONLY_INPUT,
)
from dslint.checks.content import language as content_language
from dslint.checks.content.text import (
    DIALOGUE_WORDS,
    Hit,
    TextView,
    html_hits,
    is_url_only,
    literal_regex,
    merged_hits,
    placeholder_hits,
)
from dslint.finding import Finding
from dslint.formats import TextField, input_text, output_text, pointer
from dslint.normalize import normalize_text
from dslint.paths import glob_match
from dslint.record import Record
from dslint.redact import quote

PROMPT_ROLES = frozenset({"user", "prompt"})
# A record whose prompt talks about these may show markup, template slots or dialogue on purpose.
MARKUP_WORDS = re.compile(r"\b(?:x?html|xml|css|jsx|tsx|svg|markup)|<!doctype")
# A prompt that asks for an explanation, and one that asks for a short answer anyway.
EXPLAIN_REQUEST = re.compile(
    r"\b(?:explain|why\b|how (?:does|do|did|can|could|is|are|would|to)\b|describe|elaborate|walk me through"
    r"|what(?:'s| is) the difference|in detail|step[- ]by[- ]step)"
)
SHORT_ANSWER_REQUEST = re.compile(
    r"\b(?:one|single|two|three) words?\b|\b(?:yes or no|true or false|briefly|short answer|one sentence|only the)\b"
)
_WORD = re.compile(r"\w+")
_FIRST_ALNUM = re.compile(r"[^\W_]", re.ASCII)
TEMPLATE_WORDS = re.compile(r"\b(?:templat|placeholder|format strings?\b|f-strings?\b|jinja|mustache|handlebars)")


class _Prompt:
    """The record's input (and output) text, case-folded, computed only when an exemption needs it."""

    __slots__ = ("fields", "_text", "_answer")

    def __init__(self, fields: list[TextField]) -> None:
        self.fields = fields
        self._text: str | None = None
        self._answer: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = input_text(self.fields).casefold()
        return self._text

    @property
    def answer(self) -> str:
        if self._answer is None:
            self._answer = output_text(self.fields).casefold()
        return self._answer

    def mentions(self, words: re.Pattern[str]) -> bool:
        return words.search(self.text) is not None

    def has_word(self, value: str) -> bool:
        """True when the prompt contains ``value`` (case-folded) not inside a longer word."""
        text = self.text
        return value in text and re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text) is not None


def _exchanges(fields: list[TextField]) -> Iterator[tuple[list[TextField], TextField]]:
    """Each learned response with the prompt fields (user turns, prompts) given since the
    previous response."""
    pending: list[TextField] = []
    for field in fields:
        if field.part == "input":
            if field.role in PROMPT_ROLES:
                pending.append(field)
        elif field.learned:
            yield pending, field
            pending = []


def _snippet(text: str, hit: Hit) -> str:
    return text[max(0, hit.start - 20) : hit.end + 40]


def _head_words(text: str, chars: int = 80) -> list[str]:
    """The first normalised words of a text, from its first ``chars`` characters only. Normalising
    is local (NFKC, case-folding, punctuation runs), so these are exactly the leading words of the
    whole text's normalisation, minus the last one, which the cut may have split."""
    head = normalize_text(text[:chars]).split(" ")
    return head if len(text) <= chars else head[:-1]


def _first_alnum(text: str) -> str | None:
    """The first letter or digit of ``normalize_text(text)`` when ASCII alone leads up to it (and
    follows it: a combining mark would change it), else None."""
    m = _FIRST_ALNUM.search(text)
    return m.group(0).lower() if m and text[: m.end() + 1].isascii() else None


def _may_be_equal(a: str, b: str) -> bool:
    """A cheap necessary condition for ``normalize_text(a) == normalize_text(b)``."""
    ca, cb = _first_alnum(a), _first_alnum(b)
    if ca and cb and ca != cb:
        return False
    wa, wb = _head_words(a), _head_words(b)
    n = min(len(wa), len(wb))
    return wa[:n] == wb[:n]


def _more(hits: list[Hit]) -> str:
    return f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""


class ContentCheck(RecordCheck):
    """DS803-DS813 over every text field of a record."""

    rules = CONTENT_RULES

    def __init__(self, ctx: CheckContext | None = None) -> None:
        super().__init__(ctx)
        on, opts = self.ctx.is_enabled, self.ctx.opts
        self.html_allow = frozenset(t.lower() for t in opts(HTML_RESIDUE).allow_tags) if on(HTML_RESIDUE) else None
        placeholder = opts(UNFILLED_PLACEHOLDER)
        self.placeholder_on = on(UNFILLED_PLACEHOLDER)
        self.single_braces = placeholder.single_braces
        self.extra_placeholders = literal_regex(placeholder.extra_tokens)
        values = opts(PLACEHOLDER_VALUE)
        allowed = {v.casefold() for v in values.allow_values}
        wanted = (*DEFAULT_PLACEHOLDER_VALUES, *values.extra_values)
        self.null_values = frozenset(v.casefold() for v in wanted if v.casefold() not in allowed) if on(PLACEHOLDER_VALUE) else frozenset()
        self.longest_null = max((len(v) for v in self.null_values), default=0)
        self.merged_on = on(MERGED_EXAMPLES)
        self.extra_markers = literal_regex(opts(MERGED_EXAMPLES).extra_markers)
        tokens = opts(SPECIAL_TOKEN)
        wanted_tokens = [t for t in (*DEFAULT_SPECIAL_TOKENS, *tokens.extra_tokens) if t and t not in tokens.allow_tokens]
        self.special = literal_regex(wanted_tokens) if on(SPECIAL_TOKEN) else None
        self.special_first = frozenset(t[0] for t in wanted_tokens)  # cheap pre-filter before the regex
        self.special_in_code = not tokens.ignore_code
        self.fence_on = on(UNBALANCED_CODE_FENCE)
        self.url_on = on(URL_ONLY_INPUT)
        self.echo_min_words = opts(RESPONSE_ECHOES_PROMPT).min_words if on(RESPONSE_ECHOES_PROMPT) else 0
        self.pairs_on = on(CHOSEN_EQUALS_REJECTED)
        self.content_free_words = opts(CONTENT_FREE_RESPONSE).min_words if on(CONTENT_FREE_RESPONSE) else 0
        self.language = opts(LANGUAGE_MISMATCH) if on(LANGUAGE_MISMATCH) else None
        self._expected_by_file: dict[str, frozenset[str]] = {}

    def check(self, record: Record) -> Iterator[Finding]:
        fields = record.fields
        if not fields:
            return
        prompt = _Prompt(fields)
        for field in fields:
            view = TextView(field.text)
            for finding in (
                self._placeholder_value(record, field, prompt),
                self._url_only(record, field),
                self._special_tokens(record, field, view),
                self._unclosed_fence(record, field, view),
                self._html(record, field, view, prompt),
                self._placeholders(record, field, view, prompt),
                self._merged(record, field, view, prompt),
            ):
                if finding is not None:
                    yield finding
        if self.echo_min_words:
            yield from self._echoes(record, fields)
        if self.content_free_words:
            yield from self._content_free(record, fields)
        if self.language is not None:
            yield from self._language(record, fields)
        if self.pairs_on:
            yield from self._pair(record, fields)

    def _placeholder_value(self, record: Record, field: TextField, prompt: _Prompt) -> Finding | None:
        text = field.text
        if not self.null_values or len(text) > self.longest_null + 32:
            return None
        value = text.strip().casefold()
        if value not in self.null_values:
            value = value.rstrip(".").rstrip()  # "See attached."
        if value not in self.null_values or (field.part == "output" and prompt.has_word(value)):
            return None
        msg = f"the whole {field.role} text is the placeholder {quote(text.strip())}"
        return PLACEHOLDER_VALUE.at(record, msg, field=field.pointer, snippet=text)

    def _url_only(self, record: Record, field: TextField) -> Finding | None:
        if not self.url_on or field.part != "input" or field.role not in PROMPT_ROLES or not is_url_only(field.text):
            return None
        msg = f"the whole {field.role} text is a URL; the model cannot open it"
        return URL_ONLY_INPUT.at(record, msg, field=field.pointer, snippet=field.text)

    def _special_tokens(self, record: Record, field: TextField, view: TextView) -> Finding | None:
        text = field.text
        if self.special is None or not any(c in text for c in self.special_first):
            return None
        hits = [Hit(m.start(), m.end(), m.group(0)) for m in self.special.finditer(text if self.special_in_code else view.no_code)]
        if not hits:
            return None
        msg = f"special token {quote(hits[0].token)} inside {field.role} text{_more(hits)}"
        return SPECIAL_TOKEN.at(record, msg, field=field.pointer, snippet=_snippet(text, hits[0]), metrics={"count": len(hits)})

    def _unclosed_fence(self, record: Record, field: TextField, view: TextView) -> Finding | None:
        text = field.text
        if not self.fence_on or ("```" not in text and "~~~" not in text):
            return None
        line = view.fences.unclosed_line
        if line is None:
            return None
        msg = f"the code fence opened on line {line} of the {field.role} text is never closed"
        return UNBALANCED_CODE_FENCE.at(record, msg, field=field.pointer, snippet=text.split("\n")[line - 1], metrics={"line": line})

    def _html(self, record: Record, field: TextField, view: TextView, prompt: _Prompt) -> Finding | None:
        text = field.text
        if self.html_allow is None or ("<" not in text and "&" not in text):
            return None
        hits = html_hits(view.prose, self.html_allow)
        if not hits or prompt.mentions(MARKUP_WORDS):
            return None
        msg = f"HTML residue {quote(hits[0].token)} outside code{_more(hits)}"
        return HTML_RESIDUE.at(record, msg, field=field.pointer, snippet=_snippet(text, hits[0]), metrics={"count": len(hits)})

    def _placeholders(self, record: Record, field: TextField, view: TextView, prompt: _Prompt) -> Finding | None:
        text = field.text
        if not self.placeholder_on:
            return None
        if "{" not in text and "[" not in text and "<" not in text and self.extra_placeholders is None:
            return None
        hits = placeholder_hits(view.prose, self.single_braces, self.extra_placeholders)
        if hits:  # a slot shown in the prompt and kept in the answer is a template being rewritten
            other = prompt.text if field.part == "output" else prompt.answer
            hits = [h for h in hits if h.token.casefold() not in other]
        if not hits or prompt.mentions(TEMPLATE_WORDS):
            return None
        msg = f"unfilled placeholder {quote(hits[0].token)}{_more(hits)}"
        return UNFILLED_PLACEHOLDER.at(record, msg, field=field.pointer, snippet=_snippet(text, hits[0]), metrics={"count": len(hits)})

    def _merged(self, record: Record, field: TextField, view: TextView, prompt: _Prompt) -> Finding | None:
        text = field.text
        if not self.merged_on or not field.learned:
            return None
        if ":" not in text and "<|" not in text and self.extra_markers is None:
            return None
        hits = [
            hit
            for hit, word in merged_hits(view.prose, self.extra_markers)
            if word is None or not (prompt.has_word(word) or prompt.mentions(DIALOGUE_WORDS))
        ]
        if not hits:
            return None
        if field.role == "text" and not view.prose[: hits[0].start].strip():
            return None  # a plain-text record that opens with a marker is a rendered transcript (Guanaco)
        msg = f"the response runs on into another example: template marker {quote(hits[0].token)}{_more(hits)}"
        return MERGED_EXAMPLES.at(record, msg, field=field.pointer, snippet=_snippet(text, hits[0]), metrics={"count": len(hits)})

    def _echoes(self, record: Record, fields: list[TextField]) -> Iterator[Finding]:
        """Each learned response against the user turns or prompt fields since the last one."""
        for pending, field in _exchanges(fields):
            asked = "\n".join(f.text for f in pending)
            if asked and _may_be_equal(field.text, asked):
                said = normalize_text(field.text)
                if said and said == normalize_text(asked) and said.count(" ") + 1 >= self.echo_min_words:
                    related = [location_of(record, f.pointer) for f in pending]
                    yield RESPONSE_ECHOES_PROMPT.at(
                        record, "the response repeats its prompt word for word", field=field.pointer,
                        snippet=field.text, related=related, metrics={"words": said.count(" ") + 1},
                    )

    def _content_free(self, record: Record, fields: list[TextField]) -> Iterator[Finding]:
        """Each short learned response against the prompt fields since the previous response."""
        for pending, field in _exchanges(fields):
            said = field.text
            if not said.strip() or "`" in said or "://" in said:  # an empty answer is DS1xx's business
                continue
            # Words counted up to the threshold only: most answers are long.
            words = sum(1 for _ in islice(_WORD.finditer(said), self.content_free_words))
            if words >= self.content_free_words:
                continue
            asked = "\n".join(f.text for f in pending).casefold()
            if not EXPLAIN_REQUEST.search(asked) or SHORT_ANSWER_REQUEST.search(asked):
                continue
            msg = f"the prompt asks for an explanation but the response is {words} word{'s' * (words != 1)}: {quote(said.strip())}"
            yield CONTENT_FREE_RESPONSE.at(record, msg, field=field.pointer, snippet=said, metrics={"words": words})

    def _expected_languages(self, file: str) -> frozenset[str]:
        if file not in self._expected_by_file:
            expected = self.language.expected if self.language else {}
            codes = next((langs for pattern, langs in expected.items() if glob_match(pattern, file)), [])
            self._expected_by_file[file] = frozenset(codes)
        return self._expected_by_file[file]

    def _language(self, record: Record, fields: list[TextField]) -> Iterator[Finding]:
        """The first `turns` learned responses against their prompt's language, or against the
        file's expected languages."""
        opts = self.language
        assert opts is not None
        lang_of = content_language
        expected = self._expected_languages(record.file)
        for pairs, (prompt_fields, field) in enumerate(_exchanges(fields), 1):
            if pairs > opts.turns:
                return
            said = lang_of.sample(TextView(field.text).prose)
            if lang_of.letters(said) < opts.min_letters:
                continue
            if expected:
                if "en" in expected and lang_of.surely_english(said):
                    continue
                lang, prob = lang_of.identify(said)
                if prob >= opts.min_confidence and lang not in expected:
                    msg = f"the response is in '{lang}' (p={prob:.2f}), not in the file's expected languages {sorted(expected)}"
                    yield LANGUAGE_MISMATCH.at(record, msg, field=field.pointer, snippet=field.text,
                                               metrics={"language": lang, "probability": round(prob, 3)})  # fmt: skip
                continue
            prompt = "\n".join(f.text for f in prompt_fields)
            asked = lang_of.sample(TextView(prompt).prose)
            if lang_of.letters(asked) < opts.min_letters or lang_of.asks_for_translation(prompt):
                continue
            if lang_of.surely_english(said) and lang_of.surely_english(asked):
                continue
            (lang, prob), (prompt_lang, prompt_prob) = lang_of.identify(said), lang_of.identify(asked)
            if lang != prompt_lang and min(prob, prompt_prob) >= opts.min_confidence:
                msg = f"the response is in '{lang}' (p={prob:.2f}) but its prompt is in '{prompt_lang}' (p={prompt_prob:.2f})"
                related = [location_of(record, f.pointer) for f in prompt_fields]
                yield LANGUAGE_MISMATCH.at(record, msg, field=field.pointer, snippet=field.text, related=related,
                                           metrics={"language": lang, "prompt_language": prompt_lang,
                                                    "probability": round(min(prob, prompt_prob), 3)})  # fmt: skip

    def _pair(self, record: Record, fields: list[TextField]) -> Iterator[Finding]:
        chosen = [f.text for f in fields if f.branch == "chosen" and f.part == "output"]
        rejected = [f.text for f in fields if f.branch == "rejected" and f.part == "output"]
        if not chosen or not rejected:
            return
        left, right = "\n".join(chosen), "\n".join(rejected)
        if not _may_be_equal(left, right):
            return
        left, right = normalize_text(left), normalize_text(right)
        if left and left == right:
            yield CHOSEN_EQUALS_REJECTED.at(
                record, "chosen and rejected are the same answer after normalisation", field=pointer("rejected"),
                snippet="\n".join(rejected), related=[location_of(record, pointer("chosen"))],
            )


CHECKS: list[type[RecordCheck] | Rule] = [ContentCheck]
