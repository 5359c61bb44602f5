"""Metadata and documentation of the schema rules DS104-DS119 (the checks live in schema.py).

Coverage of the OpenAI cookbook validator ("Data preparation and analysis for chat model
fine-tuning"), error by error:
  data_type                          -> DS103 not-an-object (engine), DS105 for a message that is no object
  missing_messages_list              -> DS104 (no `messages`), DS105 (not a list, or an empty one)
  message_missing_key                -> DS104 (`role`, `content`)
  message_unrecognized_key           -> DS122
  unrecognized_role                  -> DS107
  missing_content                    -> DS108 (empty or null), DS105 (not a string or content parts)
  example_missing_assistant_message  -> DS109
and its warnings: "missing user message" -> DS121; "over the token limit" -> DS703 (length family).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from dslint.check import Fix, Rule
from dslint.finding import Severity


class UnknownKeyOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    allow: list[str] = Field(
        default=[],  # pydantic copies mutable defaults; a literal shows up in `dslint rule`
        description="Extra top-level key names accepted.",
    )


class UnknownMessageKeyOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    allow: list[str] = Field(
        default=[],  # pydantic copies mutable defaults; a literal shows up in `dslint rule`
        description="Extra key names accepted in messages and turns.",
    )


class UnknownRoleOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    extra_roles: list[str] = Field(
        default=[],  # pydantic copies mutable defaults; a literal shows up in `dslint rule`
        alias="extra-roles",
        description="Extra chat roles (OpenAI `role`) or ShareGPT speakers (`from`) accepted.",
    )


# the fix of every schema rule whose record a trainer cannot use
_DROP_INVALID = Fix("drop-record", safe=False, does="Drops the record: a trainer would reject it or learn from a broken example.")


MISSING_REQUIRED_KEY = Rule(
    code="DS104",
    fix=_DROP_INVALID,
    name="missing-required-key",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="A key the record's format requires is missing.",
    docs="""\
What it does: Reports a key the format requires that is absent, pointing at where it should be:
`messages` of an OpenAI chat record; `role` and `content` of each message (an assistant message
that carries `tool_calls`, or a legacy `function_call`, may leave `content` out); `tool_call_id` of a `tool` message; `id`,
`type`, `function`, `function.name` and `function.arguments` of a tool call; `from` and `value` of
a ShareGPT turn; `instruction` and `output` of an Alpaca record; `prompt`, `completion` and `label` of a KTO
record; `prompt` and `completion` of a prompt-completion pair; `input.messages` of an OpenAI
preference record; (a preference pair without any prompt key is TRL's implicit prompt, valid); the text and label of a
classification row; every field of a configured `fields` mapping. A preference pair without
`chosen` or `rejected` is reported by DS114 instead.

Why it matters: Trainers and fine-tuning APIs reject the whole file, or the collator crashes on
the first row without the key, often hours into a job.

Example: `{"messages": [{"content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}` is
reported at `/messages/0/role`.

Options: none.""",
)

WRONG_TYPE = Rule(
    code="DS105",
    fix=_DROP_INVALID,
    name="wrong-type",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="A value has the wrong JSON type for its format (or `messages` is empty).",
    docs="""\
What it does: Reports values of the wrong type: `messages` that is not a list or is an empty list,
a message that is not an object, `content` that is neither a string nor a list of content parts,
a `role` that is not a string, a `weight` other than 0 or 1, `tool_calls` that are not a list of
`{id, type: "function", function: {name, arguments}}` with `arguments` as a JSON string, `tools`
that are not a list of function tools, a ShareGPT `value` that is not a string, Alpaca fields that
are not strings, preference sides that are neither a string nor a list of messages. Optional keys
set to null (`tools: null`, common in Parquet exports) are accepted.

Why it matters: A value of the wrong type either crashes the chat template or is turned into the
string "None", "42" or "{'name': ...}" and trained on.

Example: `"arguments": {"city": "Paris"}` in a tool call: the API requires the JSON string
`"{\\"city\\": \\"Paris\\"}"`.

Options: none.""",
)

UNKNOWN_KEY = Rule(
    code="DS106",
    name="unknown-key",
    family="schema",
    severity=Severity.WARNING,
    scope="record",
    summary="A record carries a top-level key its format does not know.",
    docs="""\
What it does: Reports top-level keys of a record that its format does not define. Common metadata
keys (`id`, `source`, `meta`, `metadata`, `lang`, `tags`, ...) are always accepted. Records of a
`mapped` or unrecognised format are not checked. Keys inside messages are DS122. Off by default:
extra top-level keys are usually metadata that trainers ignore.

Why it matters: A misspelt key (`conversation`, `message`) means the real key is missing and the
value is silently ignored.

Example: `{"messages": [...], "tool": [...]}` is reported at `/tool` (the key is `tools`).

Options: `allow` (list of key names, default empty): keys accepted in addition to the format's.""",
    options=UnknownKeyOptions,
)

UNKNOWN_ROLE = Rule(
    code="DS107",
    fix=_DROP_INVALID,
    name="unknown-role",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="A chat message has a role (or a ShareGPT turn a speaker) the format does not know.",
    docs="""\
What it does: Reports an OpenAI chat `role` that is not one of system, developer, user, assistant,
tool or function, and a ShareGPT `from` that is not a known speaker (human, user, gpt, assistant,
system, function_call, observation, tool, ...; compared case-insensitively).

Why it matters: Chat templates raise on unknown roles or render them as user text, and an
assistant turn spelt `bot` is never trained on.

Example: `{"role": "bot", "content": "Hello! How can I help?"}`.

Options: `extra-roles` (list of strings, default empty): roles or speakers accepted in addition,
for templates that define their own (they count as neither user nor assistant turns).""",
    options=UnknownRoleOptions,
)

EMPTY_CONTENT = Rule(
    code="DS108",
    fix=_DROP_INVALID,
    name="empty-content",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="A text field that must hold text is empty, whitespace-only or null.",
    docs="""\
What it does: Reports each message `content`, ShareGPT `value`, Alpaca `instruction`/`output`,
KTO `prompt`/`completion`, preference `prompt`, plain `text` or mapped output that is empty,
whitespace-only, null, or an empty list, one finding per field. An assistant message carrying
tool calls (or a legacy `function_call`) needs no text, and the Alpaca `input` may be empty; of
several mapped inputs, only all of them empty is reported.

Why it matters: An empty answer teaches the model to stop without saying anything; an empty
prompt trains answers to nothing. Both usually come from a broken export or join.

Example: `{"role": "assistant", "content": "  "}` is reported at `/messages/2/content`.

Options: none.""",
)

NO_ASSISTANT_RESPONSE = Rule(
    code="DS109",
    fix=_DROP_INVALID,
    name="no-assistant-response",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="A chat example has no assistant message to train on.",
    docs="""\
What it does: Reports an OpenAI chat conversation, a ShareGPT conversation, or a preference side
or KTO completion given as a message list, that contains no assistant message, or in which every
assistant message has `weight: 0`.

Why it matters: Supervised fine-tuning only learns from assistant tokens; such an example costs
tokens and teaches nothing (the OpenAI API rejects it).

Example: `{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content":
"How do I log out on all devices?"}]}`.

Options: none.""",
)

SYSTEM_NOT_FIRST = Rule(
    code="DS110",
    name="system-not-first",
    family="schema",
    severity=Severity.WARNING,
    scope="record",
    summary="A system (or developer) message appears after the start of the conversation.",
    docs="""\
What it does: Reports a system or developer message (a ShareGPT `system` turn) at any position
but the first of a conversation.

Why it matters: Many chat templates only render a leading system message and raise or drop the
others; a system message in the middle is usually a concatenation bug.

Example: `[{"role": "user", ...}, {"role": "system", ...}, {"role": "assistant", ...}]`.

Options: none.""",
)

ROLES_NOT_ALTERNATING = Rule(
    code="DS111",
    name="roles-not-alternating",
    family="schema",
    severity=Severity.WARNING,
    scope="record",
    summary="Two user turns or two assistant turns follow each other.",
    docs="""\
What it does: Reports a user message that follows a user message, or an assistant message that
follows an assistant message. System messages are ignored; tool results may follow an assistant's
tool calls, and an assistant message may follow tool results.

Why it matters: Templates such as Llama 2 and Mistral raise on non-alternating roles; elsewhere
a doubled turn usually means a lost message or a merge error.

Example: `user: "What is the capital of Australia?"`, `user: "Also, of Canada?"`, `assistant: ...`.

Options: none.""",
)

TOOL_CALL_WITHOUT_RESULT = Rule(
    code="DS112",
    name="tool-call-without-result",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="An assistant tool call has no later tool message with its result.",
    docs="""\
What it does: Reports each tool call `id` of an assistant message for which no later `tool`
message carries the same `tool_call_id`.

Why it matters: The OpenAI API rejects such conversations, and a model trained on them learns to
continue without waiting for tool results.

Example: an assistant message calling `get_weather` with id `call_7`, followed by another
assistant message and no `{"role": "tool", "tool_call_id": "call_7", ...}`.

Options: none.""",
)

TOOL_RESULT_WITHOUT_CALL = Rule(
    code="DS113",
    name="tool-result-without-call",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="A tool message answers no earlier tool call.",
    docs="""\
What it does: Reports a `tool` message whose `tool_call_id` matches no tool call of an earlier
assistant message. (A tool message without `tool_call_id` is DS104.)

Why it matters: The API rejects such conversations; they come from truncated or re-ordered
transcripts, and the result is attributed to nothing.

Example: `{"role": "tool", "tool_call_id": "call_9", "content": "18°C"}` when the only call has
id `call_7`.

Options: none.""",
)

PREFERENCE_SIDE_MISSING = Rule(
    code="DS114",
    fix=_DROP_INVALID,
    name="preference-side-missing",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="A preference pair lacks its chosen or rejected answer.",
    docs="""\
What it does: Reports a preference record whose `chosen` or `rejected` (OpenAI:
`preferred_output`, `non_preferred_output`) is missing, null, an empty or whitespace-only string,
or an empty message list, and an HH transcript whose final assistant answer is empty. A side given
as messages that holds no assistant message is DS109; an empty assistant message in it is DS108.

Why it matters: DPO-style training compares the two answers; with one missing, the pair teaches
nothing or teaches the model to prefer an empty answer.

Example: `{"prompt": "Name a prime number.", "chosen": "7", "rejected": ""}`.

Options: none.""",
)

KTO_LABEL_NOT_BOOLEAN = Rule(
    code="DS115",
    fix=_DROP_INVALID,
    name="kto-label-not-boolean",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="A KTO label is not the boolean true or false.",
    docs="""\
What it does: Reports a KTO `label` that is not a JSON boolean: the strings "true"/"false", the
numbers 0/1, null, or anything else.

Why it matters: Trainers test the label for truth: the string "false" is truthy, so undesirable
completions are trained as desirable.

Example: `{"prompt": "...", "completion": "...", "label": "false"}`.

Options: none.""",
)

CLASSIFICATION_EMPTY = Rule(
    code="DS116",
    fix=_DROP_INVALID,
    name="classification-empty",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="A classification row has empty text or an empty or null label.",
    docs="""\
What it does: Reports a classification row whose text is null, empty or whitespace-only, or whose
label is null, NaN, an empty string or an empty list.

Why it matters: Rows without text teach the label prior; rows without a label are either
dropped by the loader or encoded as a spurious extra class.

Example: `{"text": "The battery died after two days.", "label": ""}`.

Options: none.""",
)

INCONSISTENT_FIELDS = Rule(
    code="DS117",
    name="inconsistent-fields",
    family="schema",
    severity=Severity.WARNING,
    scope="file",
    summary="A record's set of top-level keys differs from that of most records in its file.",
    docs="""\
What it does: Finds the most common set of top-level keys in each file and reports every record
whose key set differs, naming the keys it lacks and the extra ones it has. Ties between equally
common key sets go to the alphabetically first. At most 1000 records are listed per key set;
a summary finding counts the rest.

Why it matters: Loaders such as `datasets` infer one schema per file and fail or fill nulls when
rows differ; mixed key sets usually mean rows from another source or export version.

Example: 998 rows with `messages` and `id`, and 2 rows with `messages` only.

Options: none.""",
)

LAST_TURN_NOT_ASSISTANT = Rule(
    code="DS119",
    name="last-turn-not-assistant",
    family="schema",
    severity=Severity.WARNING,
    scope="record",
    summary="A conversation does not end with an assistant turn.",
    docs="""\
What it does: Reports a conversation (or a preference side or KTO completion given as messages)
whose last non-system message is a user or tool message. Conversations with no assistant message
at all are DS109.

Why it matters: The trailing turns are never answered, so they cost tokens and teach nothing; it
often means the final answer was cut off by truncation.

Example: `user: "Hi"`, `assistant: "Hello! How can I help?"`, `user: "What's the weather?"`.

Options: none.""",
)

NO_USER_MESSAGE = Rule(
    code="DS121",
    name="no-user-message",
    family="schema",
    severity=Severity.WARNING,
    scope="record",
    summary="A chat conversation has no user message.",
    docs="""\
What it does: Reports an OpenAI chat or ShareGPT conversation without a single user (human) turn,
as the OpenAI cookbook's fine-tuning data validator does ("missing user message"). Applies to
openai-chat and sharegpt records; preference and KTO prompts are checked by DS104/DS108.

Why it matters: An answer with nothing to answer teaches the model to talk unprompted; such rows
are usually system prompt + answer exports with the question lost.

Example: `system: "You are terse."`, `assistant: "Paris."`.

Options: none.""",
)

UNKNOWN_MESSAGE_KEY = Rule(
    code="DS122",
    name="unknown-message-key",
    family="schema",
    severity=Severity.ERROR,
    scope="record",
    summary="A chat message or turn carries a key its format does not know.",
    docs="""\
What it does: Reports keys of chat messages that the format does not define (OpenAI: role,
content, name, tool_calls, tool_call_id, weight, function_call, refusal; ShareGPT turns: from,
value, weight, loss), plus LLaMA-Factory's per-message `loss_weight`. Top-level keys are DS106.

Why it matters: The OpenAI fine-tuning API rejects a file with an unknown message key; elsewhere a
misspelt key (`contents`, `rol`, `tool_call_ids`) means the real key is missing.

Example: `{"role": "assistant", "content": "Sure.", "thoughts": "..."}` is reported at
`/messages/1/thoughts`.

Options: `allow` (list of key names, default empty): keys accepted in addition to the format's.""",
    options=UnknownMessageKeyOptions,
)
