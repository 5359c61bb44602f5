"""Metadata, documentation and options of the length rules DS701-DS704 (the checks live in
check.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dslint.check import Rule, RuleOptions
from dslint.finding import Severity
from dslint.tokens import DEFAULT_CHARS_PER_TOKEN


class TrivialOutputOptions(RuleOptions):
    min_chars: int = Field(
        1, ge=1, description="Learned outputs shorter than this many characters (after stripping) are reported."
    )


class FieldTooLongOptions(RuleOptions):
    max_chars: int = Field(100_000, ge=1, description="Longest accepted text field, in characters.")
    max_tokens: int | None = Field(
        None, ge=1, description="Longest accepted text field, in tokens (DS703's tokenizer); null: no token limit."
    )


class ContextOptions(RuleOptions):
    context_window: int = Field(4096, ge=1, description="The trainer's maximum sequence length, in tokens.")
    tokenizer: str | None = Field(
        None,
        description="'tiktoken:<encoding>' (from tiktoken's local cache) or the path of a Hugging Face"
        " tokenizer.json; null: estimate tokens from characters. Also used by DS702 and the length stats.",
    )
    chars_per_token: float = Field(
        DEFAULT_CHARS_PER_TOKEN, gt=0, description="Characters per token for the estimate when no tokenizer is set."
    )
    tokens_per_message: int = Field(
        4, ge=0, description="Template tokens the chat template adds around each message (role header, end marker)."
    )
    truncation_side: Literal["right", "left"] = Field(
        "right", description="Which end a trainer cuts an overlong example from (Hugging Face's default is right)."
    )


class OutlierOptions(RuleOptions):
    threshold: float = Field(
        3.5, gt=0, description="Robust z-score (median/MAD of log length) beyond which a length is an outlier."
    )
    min_ratio: float = Field(
        4.0, ge=1, description="An outlier must also be at least this many times longer (or shorter) than the median."
    )
    min_records: int = Field(50, ge=1, description="Groups with fewer texts than this are not judged.")
    max_findings: int = Field(10, ge=0, description="Most findings per split, field role and side (long, short).")


TRIVIAL_OUTPUT = Rule(
    code="DS701",
    name="trivial-output",
    family="length",
    severity=Severity.WARNING,
    scope="record",
    summary="A learned output holds no letter or digit, or is shorter than the configured minimum.",
    docs="""\
What it does: Reports each text the model is trained to produce (assistant messages, responses,
chosen sides, desirable KTO completions, plain text) that, once stripped of whitespace, contains
no letter or digit at all ("...", "-", "**", "```\\n```"), or is shorter than `min-chars`.
Empty and whitespace-only fields are not reported here: DS108 empty-content already reports
them, and one defect gets one finding (placeholders such as "N/A" are DS805's). Prompts and
rejected answers are not judged.

Why it matters: A trivial answer teaches the model that punctuation is a complete reply; such
outputs usually come from a failed generation or a broken join, and a few hundred of them are
enough to make a fine-tuned model answer with "..." now and then.

Example: `{"role": "assistant", "content": "…"}`.

Options: `min-chars` (default 1, so only outputs without letters or digits are reported); set
it to e.g. 3 when one- and two-character answers are never valid in your data.""",
    options=TrivialOutputOptions,
)

FIELD_TOO_LONG = Rule(
    code="DS702",
    name="field-too-long",
    family="length",
    severity=Severity.WARNING,
    scope="record",
    summary="A text field is longer than the configured maximum in characters or tokens.",
    docs="""\
What it does: Reports each text field longer than `max-chars` characters (default 100,000), or,
when `max-tokens` is set, longer than that many tokens counted with DS703's tokenizer.

Why it matters: Fields that long are usually a whole document or a log pasted by mistake, or
many records concatenated by a broken export; they dominate the token budget and are truncated
anyway.

Example: an assistant message holding a 2 MB HTML page scraped instead of its summary.

Options: `max-chars`, `max-tokens` (default none).""",
    options=FieldTooLongOptions,
)

OVER_CONTEXT = Rule(
    code="DS703",
    name="over-context-window",
    family="length",
    severity=Severity.WARNING,
    scope="record",
    summary="An example is longer than the context window, so a trainer would cut part of it.",
    docs="""\
What it does: Counts the tokens of each example (every text field plus `tokens-per-message`
template tokens per field) and reports examples over `context-window`, with how many tokens a
trainer truncating on `truncation-side` would cut and which share of the learned output that is.
For preference data the prompt with the chosen side and the prompt with the rejected side are
two sequences and the longer one is judged. Tokens are counted with `tokenizer` when set (a
tiktoken encoding or a tokenizer.json, loaded from local files only), else estimated as
characters / `chars-per-token`. Tool definitions and tool-call arguments are not counted, so
the count is a lower bound for examples that have them.

Why it matters: Truncation cuts the end of the conversation, which is the assistant's answer:
the model learns answers that stop mid-sentence, or, when the whole answer is cut, nothing at
all from an example that still costs a full context of compute.

Example: a 3-turn conversation of 5,210 tokens with `context-window: 4096`: 1,114 tokens (21%)
are cut, 64% of the assistant output.

Options: `context-window` (default 4096), `tokenizer` (default none: estimate),
`chars-per-token` (default 4), `tokens-per-message` (default 4), `truncation-side` (right or
left, default right).""",
    options=ContextOptions,
)

LENGTH_OUTLIER = Rule(
    code="DS704",
    name="length-outlier",
    family="length",
    severity=Severity.INFO,
    scope="dataset",
    summary="A text is far longer or shorter than the other texts of its role and split.",
    docs="""\
What it does: For each split and field role (system, user, assistant, prompt, response, and
chosen/rejected sides separately), computes the median and the median absolute deviation of the
logarithm of the length in characters over the whole dataset, and reports texts whose robust
z-score exceeds `threshold` and that are at least `min-ratio` times longer or shorter than the
median. The `max-findings` most extreme on each side are listed, with the group's estimated
number of outliers in `metrics.group_outliers`. Blank fields (DS108), trivial outputs (DS701)
and fields over DS702's limits are left to those rules. The statistics come from mergeable
histograms, so results are the same however the data is split across files or workers.

Why it matters: A 40,000-character answer among answers of a few hundred characters, or a
one-line answer among essays, is usually a scraping or templating accident, and length outliers
shift what the model learns about when to stop.

Example: an assistant message of 48,210 characters where the median in train is 1,545 (31×).

Options: `threshold` (default 3.5), `min-ratio` (default 4), `min-records` per group (default
50), `max-findings` per group and side (default 10).""",
    options=OutlierOptions,
)
