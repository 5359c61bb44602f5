"""ContentCheck: the family's one pass (see the package docstring)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from dslint.batch import Batch
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
    HTML_HINT,
    MARKER_HINT,
    PLACEHOLDER_HINT,
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
from dslint.prefilter import batch_haystack, may_match_each
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
# How a URL-only text starts (``str.strip`` and ``\s`` agree on whitespace): the batch's hint.
_URL_START = re.compile(r"\A\s*<?(?:https?://|www\.)", re.IGNORECASE)


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


def _exchanges(fields: Sequence[TextField], rows: Sequence[int]) -> Iterator[tuple[list[int], int]]:
    """Each learned response with the prompt fields (user turns, prompts) given since the previous
    response of its record, as indices into ``fields``; ``rows[i]`` is field i's record."""
    pending: list[int] = []
    row = -1
    for i, field in enumerate(fields):
        if rows[i] != row:
            row, pending = rows[i], []
        if field.part == "input":
            if field.role in PROMPT_ROLES:
                pending.append(i)
        elif field.learned:
            yield pending, i
            pending = []


def _record_exchanges(fields: list[TextField]) -> Iterator[tuple[list[TextField], TextField]]:
    """A record's exchanges as fields."""
    for pending, i in _exchanges(fields, [0] * len(fields)):
        yield [fields[j] for j in pending], fields[i]


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
    head = text[:2]
    if head.isascii() and head[:1].isalnum():  # the common case: the text starts with it
        return head[:1].lower()
    m = _FIRST_ALNUM.search(text)
    return m.group(0).lower() if m and text[: m.end() + 1].isascii() else None


def _may_be_equal(a: str, b: str) -> bool:
    """A cheap necessary condition for ``normalize_text(a) == normalize_text(b)``."""
    ca, cb = _first_alnum(a), _first_alnum(b)
    if ca and cb and ca != cb:
        return False
    for chars in (16, 80):  # a short look first: normalising costs by the character
        wa, wb = _head_words(a, chars), _head_words(b, chars)
        n = min(len(wa), len(wb))
        if wa[:n] != wb[:n]:
            return False
    return True


def _more(hits: list[Hit]) -> str:
    return f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""


FieldRule = Callable[[Record, TextField, TextView, _Prompt], Finding | None]


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
        # The batch's hint: a token found in the text with code blanked is in the text itself,
        # unless it holds a space that blanking made; its first character is the text's own.
        self.special_hint = self.special
        if not self.special_in_code and any(" " in t for t in wanted_tokens):
            self.special_hint = re.compile("|".join(re.escape(c) for c in sorted(self.special_first)))
        self.fence_on = on(UNBALANCED_CODE_FENCE)
        self.url_on = on(URL_ONLY_INPUT)
        self.echo_min_words = opts(RESPONSE_ECHOES_PROMPT).min_words if on(RESPONSE_ECHOES_PROMPT) else 0
        self.pairs_on = on(CHOSEN_EQUALS_REJECTED)
        self.content_free_words = opts(CONTENT_FREE_RESPONSE).min_words if on(CONTENT_FREE_RESPONSE) else 0
        # Finds the first `content_free_words` words (\w runs) in one search; linear, for it
        # starts only at a word's start and never backtracks into a run.
        self.enough_words = re.compile(rf"(?<!\w)\w++(?:\W++\w++){{{max(self.content_free_words, 1) - 1}}}")
        self.language = opts(LANGUAGE_MISMATCH) if on(LANGUAGE_MISMATCH) else None
        self._expected_by_file: dict[str, frozenset[str]] = {}

    def check(self, record: Record) -> Iterator[Finding]:
        fields = record.fields
        if not fields:
            return
        prompt = _Prompt(fields)
        rules = self._field_rules()
        for field in fields:
            view = TextView(field.text)
            for rule in rules:
                finding = rule(record, field, view, prompt)
                if finding is not None:
                    yield finding
        for pending, field in _record_exchanges(fields) if self.echo_min_words or self.content_free_words else ():
            for finding in (
                self._echo(record, pending, field) if self.echo_min_words else None,
                self._content_free(record, pending, field) if self.content_free_words else None,
            ):
                if finding is not None:
                    yield finding
        if self.language is not None:
            yield from self._language(record, fields)
        if self.pairs_on:
            yield from self._pair(record, fields)

    def check_batch(self, batch: Batch) -> Iterator[Finding]:
        """Each per-field rule only on the fields that may fire it (``_candidates``), the exchange
        rules in one walk over the batch's fields, the pair rule on preference records only."""
        columns = batch.columns
        records, rows, fields = batch.records, columns.row, columns.fields
        views: dict[int, TextView] = {}
        prompts: dict[int, _Prompt] = {}
        for rule, candidates in self._candidates(batch):
            for i in candidates:
                row = rows[i]
                view = views.get(i) or views.setdefault(i, TextView(columns.texts[i]))
                prompt = prompts.get(row) or prompts.setdefault(row, _Prompt(records[row].fields))
                finding = rule(records[row], fields[i], view, prompt)
                if finding is not None:
                    yield finding
        yield from self._batch_exchanges(batch)
        if self.language is not None:
            for record in records:
                if record.fields:
                    yield from self._language(record, record.fields)
        if self.pairs_on:  # only preference records have sides to compare
            for row in sorted({rows[i] for i, f in enumerate(fields) if f.branch is not None}):
                yield from self._pair(records[row], records[row].fields)

    def _field_rules(self) -> list[FieldRule]:
        """The rules that look at one field (with its view and the record's prompt) at a time."""
        return [
            self._placeholder_value, self._url_only, self._special_tokens, self._unclosed_fence,
            self._html, self._placeholders, self._merged,
        ]  # fmt: skip

    def _candidates(self, batch: Batch) -> list[tuple[FieldRule, list[int]]]:
        """Each per-field rule that is on, with the fields it may fire on: those its hint may
        match (one RE2 pass of all the hints over the batch, ``prefilter.may_match_each``), or
        those that pass its own cheap test."""
        fields, texts = batch.columns.fields, batch.columns.texts
        hinted = [(rule, hint) for rule, hint in self._hints() if hint is not None]
        found = may_match_each([hint for _, hint in hinted], texts, batch_haystack(batch)) if hinted else []
        hits = {rule: np.flatnonzero(flags).tolist() for (rule, _), flags in zip(hinted, found)}
        out: list[tuple[FieldRule, list[int]]] = []
        if self.null_values:
            limit = self.longest_null + 32
            out.append((self._placeholder_value, [i for i, t in enumerate(texts) if len(t) <= limit]))
        if self.url_on:
            out.append((self._url_only, hits[self._url_only]))
        if self.special is not None:
            out.append((self._special_tokens, hits[self._special_tokens]))
        if self.fence_on:
            # One character first: a search for it (memchr) costs less than for three.
            fenced = [i for i, t in enumerate(texts) if ("`" in t and "```" in t) or ("~" in t and "~~~" in t)]
            out.append((self._unclosed_fence, fenced))
        if self.html_allow is not None:
            out.append((self._html, hits[self._html]))
        if self.placeholder_on:
            out.append((self._placeholders, hits.get(self._placeholders, range(len(texts)))))
        if self.merged_on:
            out.append((self._merged, [i for i in hits.get(self._merged, range(len(texts))) if fields[i].learned]))
        return out

    def _hints(self) -> list[tuple[FieldRule, re.Pattern[str] | None]]:
        """The rules whose candidates a regex over the text finds: a part of every match (see
        text.py), or None where an extra option's literals could be anywhere."""
        return [
            (self._url_only, _URL_START if self.url_on else None),
            (self._special_tokens, self.special_hint if self.special is not None else None),
            (self._html, HTML_HINT if self.html_allow is not None else None),
            (self._placeholders, PLACEHOLDER_HINT if self.placeholder_on and self.extra_placeholders is None else None),
            (self._merged, MARKER_HINT if self.merged_on and self.extra_markers is None else None),
        ]

    def _batch_exchanges(self, batch: Batch) -> Iterator[Finding]:
        """The exchange rules over the batch's fields, each only where its cheap test passes."""
        echo, short = self.echo_min_words, self.content_free_words
        if not echo and not short:
            return
        columns, records, enough = batch.columns, batch.records, self.enough_words.search
        rows, fields, texts = columns.row, columns.fields, columns.texts
        # Each text's first letter or digit where plain ASCII leads to it (``_first_alnum``'s
        # quick case), else nothing: most responses start unlike their prompt (whose joined
        # text leads as its first field does), told without a call.
        lead: list[int] = []
        if echo:
            haystack = batch_haystack(batch)
            lead = haystack.ascii_leads() if haystack is not None else [ord(t[0].lower()) if t[:2].isascii() and t[:1].isalnum() else 0 for t in texts]
        for pending, i in _exchanges(fields, rows):
            said = texts[i]
            if (
                echo and pending
                and not (lead[i] and lead[pending[0]] and lead[i] != lead[pending[0]])
                and _may_be_equal(said, "\n".join([texts[j] for j in pending]))
            ):  # fmt: skip
                finding = self._echo(records[rows[i]], [fields[j] for j in pending], fields[i])
                if finding is not None:
                    yield finding
            if short and not enough(said):
                finding = self._content_free(records[rows[i]], [fields[j] for j in pending], fields[i])
                if finding is not None:
                    yield finding

    def _placeholder_value(self, record: Record, field: TextField, view: TextView, prompt: _Prompt) -> Finding | None:
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

    def _url_only(self, record: Record, field: TextField, view: TextView, prompt: _Prompt) -> Finding | None:
        if not self.url_on or field.part != "input" or field.role not in PROMPT_ROLES or not is_url_only(field.text):
            return None
        msg = f"the whole {field.role} text is a URL; the model cannot open it"
        return URL_ONLY_INPUT.at(record, msg, field=field.pointer, snippet=field.text)

    def _special_tokens(self, record: Record, field: TextField, view: TextView, prompt: _Prompt) -> Finding | None:
        text = field.text
        if self.special is None or not any(c in text for c in self.special_first):
            return None
        hits = [Hit(m.start(), m.end(), m.group(0)) for m in self.special.finditer(text if self.special_in_code else view.no_code)]
        if not hits:
            return None
        msg = f"special token {quote(hits[0].token)} inside {field.role} text{_more(hits)}"
        return SPECIAL_TOKEN.at(record, msg, field=field.pointer, snippet=_snippet(text, hits[0]), metrics={"count": len(hits)})

    def _unclosed_fence(self, record: Record, field: TextField, view: TextView, prompt: _Prompt) -> Finding | None:
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

    def _echo(self, record: Record, pending: list[TextField], field: TextField) -> Finding | None:
        """A learned response against the user turns or prompt fields since the last one."""
        asked = "\n".join(f.text for f in pending)
        if not asked or not _may_be_equal(field.text, asked):
            return None
        said = normalize_text(field.text)
        if not said or said != normalize_text(asked) or said.count(" ") + 1 < self.echo_min_words:
            return None
        related = [location_of(record, f.pointer) for f in pending]
        return RESPONSE_ECHOES_PROMPT.at(
            record, "the response repeats its prompt word for word", field=field.pointer,
            snippet=field.text, related=related, metrics={"words": said.count(" ") + 1},
        )  # fmt: skip

    def _content_free(self, record: Record, pending: list[TextField], field: TextField) -> Finding | None:
        """A short learned response against the prompt fields since the previous response."""
        said = field.text
        if not said.strip() or "`" in said or "://" in said:  # an empty answer is DS1xx's business
            return None
        if self.enough_words.search(said):  # most answers are long
            return None
        words = len(_WORD.findall(said))
        asked = "\n".join(f.text for f in pending).casefold()
        if not EXPLAIN_REQUEST.search(asked) or SHORT_ANSWER_REQUEST.search(asked):
            return None
        msg = f"the prompt asks for an explanation but the response is {words} word{'s' * (words != 1)}: {quote(said.strip())}"
        return CONTENT_FREE_RESPONSE.at(record, msg, field=field.pointer, snippet=said, metrics={"words": words})

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
        for pairs, (prompt_fields, field) in enumerate(_record_exchanges(fields), 1):
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
