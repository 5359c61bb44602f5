"""Each trainer's own rules on a row's messages: why it would reject or drop the row.

Each function returns the reason in the trainer's terms, or None when the row passes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from dslint.checks.trainer.conversation import Sequence
from dslint.record import Record
from dslint.redact import quote

# OpenAI's cookbook format checks (chat_finetuning_data_prep) and fine-tuning guide.
OPENAI_KEYS = frozenset({"role", "content", "name", "weight", "function_call", "tool_calls", "tool_call_id", "refusal"})
OPENAI_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
# LLaMA-Factory's default ShareGPT tags (dataset_info.json: user_tag, assistant_tag, ...).
LF_TAGS = {"human": "user", "gpt": "assistant", "observation": "user", "function_call": "assistant", "system": "system"}


def openai(record: Record, seq: Sequence) -> str | None:
    if record.format is None or record.format.name != "openai-chat":
        return None  # preference rows: the sides are checked by the schema rules
    messages = record.data.get("messages")
    if not isinstance(messages, list) or not messages:
        return "the example has no `messages` list (missing_messages_list)"
    has_assistant = False
    for i, m in enumerate(messages):
        if not isinstance(m, Mapping):
            return f"message {i} is not an object (data_type)"
        unknown = sorted(set(m) - OPENAI_KEYS)
        if unknown:
            return f"message {i} has unrecognized key {quote(unknown[0])} (message_unrecognized_key)"
        role = m.get("role")
        if not isinstance(role, str) or role not in OPENAI_ROLES:
            return f"message {i} has unrecognized role {quote(role)} (unrecognized_role)"
        if m.get("content") is None and not m.get("function_call") and not m.get("tool_calls"):
            return f"message {i} has no content (missing_content)"
        if "weight" in m and (role != "assistant" or m["weight"] not in (0, 1) or isinstance(m["weight"], bool)):
            return f"message {i} has weight {quote(m['weight'])}: only assistant messages take a weight, 0 or 1"
        has_assistant = has_assistant or role == "assistant"
    if not has_assistant:
        return "the example has no assistant message (example_missing_assistant_message)"
    return None


def llama_factory(record: Record, seq: Sequence) -> str | None:
    """Its converters align role tags ("Invalid role tag"), then the processor drops rows whose
    prompt has an even number of turns or whose response is not one turn ("Dropped invalid example")."""
    turns = record.data.get("conversations")
    if record.format is not None and record.format.name == "sharegpt" and isinstance(turns, list):
        for i, turn in enumerate(turns):
            tag = turn.get("from") if isinstance(turn, Mapping) else None
            if not isinstance(tag, str) or tag not in LF_TAGS:
                return f"role tag {quote(tag)} at turn {i} is not one of {', '.join(LF_TAGS)} (\"Invalid role tag\")"
    roles = [t.role for t in seq.turns]
    if roles and roles[0] == "system":
        roles = roles[1:]
    expected = ("user", "assistant")
    for i, role in enumerate(roles):
        side = "user" if role in ("user", "tool") else role
        if side != expected[i % 2]:
            return f"turn {i + 1} is {quote(role)} where {expected[i % 2]} is expected: turns must alternate user/assistant (\"Dropped invalid example\")"
    if len(roles) % 2:
        return "the conversation does not end with an assistant turn (\"Dropped invalid example\")"
    return None


def torchtune(record: Record, seq: Sequence) -> str | None:
    """``torchtune.data.validate_messages``, which raises ValueError and stops training."""
    roles = [t.role for t in seq.turns]
    if len(roles) < 2:
        return f"Messages must be at least length 2, but got {len(roles)} messages (validate_messages)"
    last = "assistant"
    for i, role in enumerate(roles):
        if role == "assistant" and last != "user":
            return f"Assistant message before expected user message at index {i} in messages (validate_messages)"
        if role == "user" and last == "user":
            return f"Two consecutive user messages at index {i} and {i - 1} in messages (validate_messages)"
        if role == "system" and i > 0:
            return f"System message at index {i} in messages, but system messages must come first (validate_messages)"
        last = role
    return None


RULES: dict[str, Callable[[Record, Sequence], str | None]] = {
    "openai": openai,
    "llama-factory": llama_factory,
    "torchtune": torchtune,
}


def check_roles(name: str, record: Record, seq: Sequence) -> str | None:
    """The reason the profile's trainer rejects ``seq`` of ``record``, or None."""
    rule = RULES.get(name)
    if rule is None or not any(t.role != "text" for t in seq.turns):
        return None
    return rule(record, seq)

