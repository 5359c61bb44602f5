"""Metadata, documentation and options of the trainer rules DS900-DS907 (the check is check.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dslint.check import Rule, RuleOptions
from dslint.finding import Severity


class TrainerOptions(RuleOptions):
    """The measurement settings, set on DS900 and shared by every trainer rule."""

    model: str | None = Field(
        None,
        description="A local Hugging Face model folder (a snapshot in the HF cache works): its tokenizer.json,"
        " and the chat template and BOS/EOS tokens of its tokenizer_config.json. Never downloaded.",
    )
    tokenizer: str | None = Field(
        None,
        description="'tiktoken:<encoding>' (from tiktoken's local cache) or a tokenizer.json path; overrides the"
        " model folder's tokenizer and the profile's. Null with no model: tokens are estimated from characters.",
    )
    chat_template: str | None = Field(
        None, description="A built-in template name (chatml) used instead of the model folder's; null: the model's,"
        " else the profile's."
    )
    max_length: int | None = Field(
        None, ge=1, description="The trainer's maximum sequence length (max_length, sequence_len, cutoff_len,"
        " max_seq_len); null: the profile's default (openai: the model's per-example limit)."
    )
    overflow: Literal["truncate", "drop"] | None = Field(
        None, description="What the trainer does with a longer row (axolotl's excess_length_strategy); null: the profile's."
    )
    loss: Literal["outputs", "completion", "all"] | None = Field(
        None,
        description="Which tokens are trained: outputs (assistant turns and completions: train_on_inputs false,"
        " assistant_only_loss), completion (TRL's default), all; null: the profile's.",
    )
    openai_model: str | None = Field(None, description="openai: the model to be fine-tuned, for its token limit.")
    epochs: int | None = Field(None, ge=1, description="openai: epochs for the billed-token estimate; null: OpenAI's default rule.")
    chars_per_token: float = Field(4.0, gt=0, description="Characters per token for the estimate when no tokenizer is set.")
    batch_size: int = Field(512, ge=1, le=100_000, description="Rows tokenised per batch.")


_MEASURE = """\
Rows are measured as the profile's trainer builds them: the chat template renders each
conversation (from the model folder's tokenizer_config.json, else the profile's template, in a
Jinja2 sandbox as transformers does), the tokenizer counts the rendered text in batches, and the
loss mask marks the tokens of each trainable message. The mask comes from the template's
`{% generation %}` blocks when it has them (transformers' assistant mask), else from rendering
prefixes: a trainable message spans from the end of the conversation before it with the
generation prompt to the end of the conversation including it (its end-of-turn tokens too)."""

TRAINER_SUMMARY = Rule(
    code="DS900",
    name="trainer-summary",
    family="trainer",
    severity=Severity.INFO,
    scope="dataset",
    summary="What the profile's trainer will train on: examples, tokens, trainable tokens, rows lost.",
    docs=f"""\
What it does: With a trainer profile (`profile:` in the config, or `--profile`), reports one
summary of the dataset as that trainer sees it: examples, total and trainable tokens per split,
rows dropped, truncated or left with nothing to learn, how tokens were counted (a tokenizer and
template, or the characters-per-token estimate), and for `openai` the billed tokens for the
epochs OpenAI would run. The same figures are in the report's `summary.stats.trainer`.
{_MEASURE}

Why it matters: Trainers apply their own rules at load time with at most a log line; knowing
before a run how many tokens are actually trained on is the difference between a useful run and
a wasted one.

Example: `trl (tokenizer.json: model/tokenizer.json, model template): 12,000 examples,
8,410,220 tokens, 3,120,400 trainable (37%); 312 truncated, 12 with no trainable token`.

Options: `model`, `tokenizer`, `chat-template`, `max-length`, `overflow`, `loss`,
`openai-model`, `epochs`, `chars-per-token`, `batch-size`. Set them here; every DS9xx rule
uses them.""",
    options=TrainerOptions,
)

LAYOUT_NOT_ACCEPTED = Rule(
    code="DS901",
    name="layout-not-accepted",
    family="trainer",
    severity=Severity.ERROR,
    scope="file",
    summary="The file's layout is not one the profile's trainer loads.",
    docs="""\
What it does: Reports each file whose detected layout (openai-chat, sharegpt, alpaca, ...) is
not in the profile's list of layouts the trainer loads as it stands; its rows are not measured.

Why it matters: A trainer given a layout it does not know fails at load time, or worse loads
the wrong column as text.

Example: an Alpaca file with `profile: trl` (TRL expects `messages`, `prompt`/`completion` or `text`).

Options: none (the measurement options are DS900's).""",
)

EXAMPLE_DROPPED = Rule(
    code="DS902",
    name="example-dropped",
    family="trainer",
    severity=Severity.ERROR,
    scope="record",
    summary="The trainer would drop or reject this row, for the reason given in the trainer's terms.",
    docs="""\
What it does: Reports rows the profile's trainer would not train on: LLaMA-Factory's
"Dropped invalid example" (turns that do not alternate user/assistant ending with the
assistant, or an unknown ShareGPT role tag), torchtune's `validate_messages` errors, OpenAI's
format errors (unknown keys or roles, a weight other than 0 or 1, a message without content, no
assistant message), and rows over the maximum length when the trainer drops them (axolotl's
`excess_length_strategy: drop`).

Why it matters: Dropped rows vanish with a log line; a dataset can lose a third of its rows
without an error (the trainers' issue trackers are full of "Cannot find valid samples").

Example: `llama-factory drops this row ("Dropped invalid example"): two user turns in a row at messages 1-2`.

Options: none (the measurement options are DS900's).""",
)

EXAMPLE_TRUNCATED = Rule(
    code="DS903",
    name="example-truncated",
    family="trainer",
    severity=Severity.WARNING,
    scope="record",
    summary="The trainer would cut this row to its maximum length, losing trainable tokens.",
    docs=f"""\
What it does: Reports rows longer than the trainer's maximum length that it truncates (TRL,
LLaMA-Factory, torchtune, OpenAI; axolotl with `overflow: truncate`), with how many tokens and
how many trainable tokens are cut. TRL SFT and OpenAI cut the end, TRL DPO the start;
LLaMA-Factory shares `cutoff_len` between each turn's prompt and response (its `infer_seqlen`).
A row that loses every trainable token is DS904's instead.
{_MEASURE}

Why it matters: A truncated answer teaches the model to stop mid-sentence.

Example: `trl truncates this row to max_length 1,024: 2,400 tokens, 1,376 cut, 1,376 of 1,900 trainable tokens (72%)`.

Options: none (the measurement options are DS900's).""",
)

NO_TRAINABLE_TOKENS = Rule(
    code="DS904",
    name="no-trainable-tokens",
    family="trainer",
    severity=Severity.ERROR,
    scope="record",
    summary="After masking (and truncation) the row has no token that carries loss.",
    docs="""\
What it does: Reports rows in which no token would carry loss: no trainable message at all
(every assistant turn has `weight: 0`, or the loss covers outputs and the row has none), or
every trainable token cut by truncation.

Why it matters: Such a row costs compute and teaches nothing; with some trainers a batch of
them gives a NaN loss.

Example: a conversation whose only assistant turn starts after token 2,048 with `cutoff_len: 2048`.

Options: none (the measurement options are DS900's).""",
)

TEMPLATE_ERROR = Rule(
    code="DS905",
    name="template-error",
    family="trainer",
    severity=Severity.ERROR,
    scope="record",
    summary="The chat template fails to render this row.",
    docs="""\
What it does: Renders each conversation with the chat template (sandboxed, as transformers
does) and reports rows on which it fails, with the template's own error (its
`raise_exception` message, escaped and redacted), e.g. "Conversation roles must alternate
user/assistant/user/assistant/...".

Why it matters: The trainer calls the same template; a row it cannot render stops the run or
is skipped.

Example: `chat template fails: 'System role not supported'`.

Options: none (the measurement options are DS900's).""",
)

SPECIAL_TOKEN_IN_CONTENT = Rule(
    code="DS906",
    name="special-token-in-content",
    family="trainer",
    severity=Severity.WARNING,
    scope="record",
    summary="Message text contains a special token that the chat template also emits.",
    docs="""\
What it does: Reports text fields containing a special token string (the tokenizer's special
added tokens, BOS, EOS) that the chat template itself writes, such as `<|im_end|>` or
`<|eot_id|>`.

Why it matters: The tokenizer reads the string in the data as the control token: the row ends
a turn early, or the model learns to emit end-of-turn tokens mid-answer.

Example: an assistant answer that quotes `<|im_end|>` in a code sample.

Options: none (the measurement options are DS900's).""",
)

TOO_FEW_EXAMPLES = Rule(
    code="DS907",
    name="too-few-examples",
    family="trainer",
    severity=Severity.ERROR,
    scope="dataset",
    summary="The training split has fewer examples than the trainer requires.",
    docs="""\
What it does: Reports a training set (files of split train, or without a split) with fewer
usable examples than the profile's minimum (OpenAI: 10), dropped rows not counted.

Why it matters: The job is rejected at creation.

Example: `7 training examples; openai requires at least 10`.

Options: none (the measurement options are DS900's).""",
)

TRAINER_RULES = (
    TRAINER_SUMMARY,
    LAYOUT_NOT_ACCEPTED,
    EXAMPLE_DROPPED,
    EXAMPLE_TRUNCATED,
    NO_TRAINABLE_TOKENS,
    TEMPLATE_ERROR,
    SPECIAL_TOKEN_IN_CONTENT,
    TOO_FEW_EXAMPLES,
)
