"""Schema checks of chat messages and conversations (OpenAI messages, ShareGPT turns).

Messages are validated one by one (DS104-DS108), then the conversation they form (DS109-DS113,
DS119). The same code serves OpenAI chat records, preference sides and KTO prompts/completions
given as message lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dslint.checks.schema.base import Collector, Settings, is_blank, json_type, literal
from dslint.checks.schema.rules import (
    EMPTY_CONTENT,
    LAST_TURN_NOT_ASSISTANT,
    MISSING_REQUIRED_KEY,
    NO_ASSISTANT_RESPONSE,
    NO_USER_MESSAGE,
    ROLES_NOT_ALTERNATING,
    SYSTEM_NOT_FIRST,
    TOOL_CALL_WITHOUT_RESULT,
    TOOL_RESULT_WITHOUT_CALL,
    UNKNOWN_MESSAGE_KEY,
    UNKNOWN_ROLE,
    WRONG_TYPE,
)
from dslint.formats.base import MEDIA_PART_TYPES, TEXT_PART_TYPES, content_text, part_text_key, pointer
from dslint.formats.chat import CHAT_ROLES, SHAREGPT_ROLES
from dslint.redact import quote

# OpenAI's message keys, plus LLaMA-Factory's per-message loss_weight.
MESSAGE_KEYS = frozenset(
    {"role", "content", "name", "tool_calls", "tool_call_id", "weight", "function_call", "refusal", "loss_weight"}
)
SHAREGPT_TURN_KEYS = frozenset({"from", "value", "weight", "loss", "loss_weight"})
_PART_TYPES = ", ".join(sorted(TEXT_PART_TYPES | MEDIA_PART_TYPES))
# What each OpenAI role means for the conversation rules.
# Roles whose message needs nothing but role and content (a tool message needs its call's id).
PLAIN_ROLES = frozenset({"system", "developer", "user", "assistant"})
_ROLE_KIND = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "assistant": "assistant",
    "tool": "tool",
    "function": "tool",
}
_SPEAKERS = "human, gpt, system, function_call, observation"

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Turn:
    """A message as the conversation rules see it."""

    at: Path  # the message's path; its pointer is built only when a finding needs it
    kind: str | None  # system, user, assistant, tool; None for unknown roles and broken messages
    content: Any = None  # the raw content or value; its text is extracted only for a snippet
    weight_zero: bool = False
    calls: tuple[tuple[str, str, str | None], ...] = ()  # (pointer of the id, id, function name)
    result_id: str | None = None  # the tool_call_id of a tool message

    @property
    def ptr(self) -> str:
        return pointer(*self.at)

    @property
    def text(self) -> str | None:
        return content_text(self.content)


def _is_zero(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0


def _weight_zero(msg: Mapping[str, Any]) -> bool:
    """Excluded from the loss: OpenAI's weight 0 or LLaMA-Factory's loss_weight 0."""
    return _is_zero(msg.get("weight")) or _is_zero(msg.get("loss_weight"))


# --- OpenAI messages -----------------------------------------------------------------------


def check_messages(out: Collector, at: Path, messages: Sequence[Any], settings: Settings, start: int = 0) -> list[Turn]:
    """Validate each message of a list at ``at`` from index ``start``; returns the turns for the
    conversation rules."""
    turns = []
    for i in range(start, len(messages)):
        msg, here = messages[i], (*at, i)
        if isinstance(msg, Mapping):
            turns.append(_check_message(out, here, msg, settings))
        else:
            out.add(WRONG_TYPE, pointer(*here), f"message is {json_type(msg)}, expected an object")
            turns.append(Turn(here, None))
    return turns


def _check_message(out: Collector, at: Path, msg: Mapping[str, Any], settings: Settings) -> Turn:
    role, content = msg.get("role"), msg.get("content")
    if len(msg) == 2 and type(role) is str and role in PLAIN_ROLES and type(content) is str and not is_blank(content):
        return Turn(at, _ROLE_KIND[role], content)  # the common case, and nothing to report
    for key in msg:
        if key not in MESSAGE_KEYS and key not in settings.message_allow:
            out.add(UNKNOWN_MESSAGE_KEY, pointer(*at, key), f"unknown message key {quote(key)}")
    kind = _check_role(out, at, msg, settings)
    calls = _check_tool_calls(out, at, msg.get("tool_calls"))
    carries_calls = bool(msg.get("tool_calls")) or msg.get("function_call") is not None
    # An assistant message that calls tools needs no text (OpenAI sends content null there).
    needs_text = not (kind == "assistant" and carries_calls)
    if "content" not in msg:
        if needs_text:
            out.add(MISSING_REQUIRED_KEY, pointer(*at, "content"), "message has no 'content'")
    else:
        _check_content(out, (*at, "content"), msg["content"], needs_text)
    result_id = None
    if "tool_call_id" in msg:
        call_id = msg["tool_call_id"]
        if isinstance(call_id, str):
            result_id = call_id if msg.get("role") == "tool" else None
        else:
            out.add(WRONG_TYPE, pointer(*at, "tool_call_id"), f"'tool_call_id' is {json_type(call_id)}, expected a string")
    elif msg.get("role") == "tool":
        out.add(MISSING_REQUIRED_KEY, pointer(*at, "tool_call_id"), "tool message has no 'tool_call_id'")
    if "name" in msg and not isinstance(msg["name"], str):
        out.add(WRONG_TYPE, pointer(*at, "name"), f"'name' is {json_type(msg['name'])}, expected a string")
    weight = msg.get("weight", 1)
    if isinstance(weight, bool) or weight not in (0, 1):
        out.add(WRONG_TYPE, pointer(*at, "weight"), f"'weight' must be 0 or 1, got {literal(weight)}")
    for key, expected in (("function_call", Mapping), ("refusal", str)):
        value = msg.get(key)
        if value is not None and not isinstance(value, expected):
            want = "an object" if key == "function_call" else "a string"
            out.add(WRONG_TYPE, pointer(*at, key), f"'{key}' is {json_type(value)}, expected {want}")
    return Turn(
        at,
        kind,
        msg.get("content"),
        weight_zero=_weight_zero(msg),
        calls=tuple(calls),
        result_id=result_id,
    )


def _check_role(out: Collector, at: Path, msg: Mapping[str, Any], settings: Settings) -> str | None:
    if "role" not in msg:
        out.add(MISSING_REQUIRED_KEY, pointer(*at, "role"), "message has no 'role'")
        return None
    role = msg["role"]
    if isinstance(role, str) and role in _ROLE_KIND:
        return _ROLE_KIND[role]
    if not isinstance(role, str):
        out.add(WRONG_TYPE, pointer(*at, "role"), f"'role' is {json_type(role)}, expected a string")
    elif role not in settings.extra_roles:
        out.add(UNKNOWN_ROLE, pointer(*at, "role"), f"unknown role {quote(role)}; expected one of {', '.join(CHAT_ROLES)}")
    return None


def _check_content(out: Collector, at: Path, content: Any, needs_text: bool) -> None:
    if isinstance(content, str):
        if needs_text and is_blank(content):
            out.add(EMPTY_CONTENT, pointer(*at), "content is empty" if not content else "content is whitespace only")
    elif content is None:
        if needs_text:
            out.add(EMPTY_CONTENT, pointer(*at), "content is null")
    elif isinstance(content, list):
        if needs_text and not content:
            out.add(EMPTY_CONTENT, pointer(*at), "content is an empty list")
        for j, part in enumerate(content):
            _check_part(out, (*at, j), part, needs_text)
    else:
        out.add(WRONG_TYPE, pointer(*at), f"content is {json_type(content)}, expected a string or a list of content parts")


def _check_part(out: Collector, at: Path, part: Any, needs_text: bool) -> None:
    """A content part: a text part ({"type": "text", "text" or "value": ...}) or a media part
    (image_url, input_audio, file, ...), which is valid and carries no text."""
    if not isinstance(part, Mapping):
        out.add(WRONG_TYPE, pointer(*at), f"content part is {json_type(part)}, expected an object")
        return
    kind = part.get("type")
    if "type" not in part:
        out.add(MISSING_REQUIRED_KEY, pointer(*at, "type"), "content part has no 'type'")
    elif not isinstance(kind, str):
        out.add(WRONG_TYPE, pointer(*at, "type"), f"content part 'type' is {json_type(kind)}, expected a string")
    elif kind in TEXT_PART_TYPES:
        key = part_text_key(part)
        text = part.get(key) if key else None
        if key is None:
            out.add(MISSING_REQUIRED_KEY, pointer(*at, "text"), "text content part has no 'text'")
        elif text is not None and not isinstance(text, str):
            out.add(WRONG_TYPE, pointer(*at, key), f"'{key}' is {json_type(text)}, expected a string")
        elif needs_text and (text is None or is_blank(text)):
            out.add(EMPTY_CONTENT, pointer(*at, key), "text part is null" if text is None else "text part is empty")
    elif kind not in MEDIA_PART_TYPES:
        out.add(WRONG_TYPE, pointer(*at, "type"), f"unknown content part type {quote(kind)}; expected one of {_PART_TYPES}")


def _check_tool_calls(out: Collector, at: Path, value: Any) -> list[tuple[str, str, str | None]]:
    """Validate `tool_calls`; returns (pointer of the id, id, function name) of well-formed ids."""
    if value is None:
        return []
    if not isinstance(value, list):
        out.add(WRONG_TYPE, pointer(*at, "tool_calls"), f"'tool_calls' is {json_type(value)}, expected a list")
        return []
    calls = []
    for j, call in enumerate(value):
        here = (*at, "tool_calls", j)
        if not isinstance(call, Mapping):
            out.add(WRONG_TYPE, pointer(*here), f"tool call is {json_type(call)}, expected an object")
            continue
        name = _check_function(out, here, call)
        call_id = call.get("id")
        if "id" not in call:
            out.add(MISSING_REQUIRED_KEY, pointer(*here, "id"), "tool call has no 'id'")
        elif not isinstance(call_id, str):
            out.add(WRONG_TYPE, pointer(*here, "id"), f"tool call 'id' is {json_type(call_id)}, expected a string")
        else:
            calls.append((pointer(*here, "id"), call_id, name))
        if "type" not in call:
            out.add(MISSING_REQUIRED_KEY, pointer(*here, "type"), "tool call has no 'type' (expected 'function')")
        elif call["type"] != "function":
            out.add(WRONG_TYPE, pointer(*here, "type"), f"tool call 'type' is {quote(call['type'])}, expected 'function'")
    return calls


def _check_function(out: Collector, at: Path, call: Mapping[str, Any]) -> str | None:
    """The `function` of a tool call: {name, arguments} with arguments as a JSON string."""
    if "function" not in call:
        out.add(MISSING_REQUIRED_KEY, pointer(*at, "function"), "tool call has no 'function'")
        return None
    fn = call["function"]
    if not isinstance(fn, Mapping):
        out.add(WRONG_TYPE, pointer(*at, "function"), f"tool call 'function' is {json_type(fn)}, expected an object")
        return None
    name = fn.get("name")
    if "name" not in fn:
        out.add(MISSING_REQUIRED_KEY, pointer(*at, "function", "name"), "tool call function has no 'name'")
    elif not isinstance(name, str):
        out.add(WRONG_TYPE, pointer(*at, "function", "name"), f"function 'name' is {json_type(name)}, expected a string")
    if "arguments" not in fn:
        out.add(MISSING_REQUIRED_KEY, pointer(*at, "function", "arguments"), "tool call function has no 'arguments'")
    elif not isinstance(fn["arguments"], str):
        out.add(
            WRONG_TYPE,
            pointer(*at, "function", "arguments"),
            f"function 'arguments' is {json_type(fn['arguments'])}, expected a JSON-encoded string",
        )
    return name if isinstance(name, str) else None


# --- ShareGPT turns ------------------------------------------------------------------------


def check_sharegpt_turns(
    out: Collector, turns: Sequence[Any], settings: Settings, key: str = "conversations"
) -> list[Turn]:
    """Validate each `{from, value}` turn of the list at ``key``."""
    result = []
    for i, turn in enumerate(turns):
        result.append(check_sharegpt_turn(out, (key, i), turn, settings))
    return result


def check_sharegpt_turn(out: Collector, at: Path, turn: Any, settings: Settings) -> Turn:
    """Validate one `{from, value}` turn at ``at``; its value may be a list of content parts."""
    if not isinstance(turn, Mapping):
        out.add(WRONG_TYPE, pointer(*at), f"turn is {json_type(turn)}, expected an object")
        return Turn(at, None)
    for key in turn:
        if key not in SHAREGPT_TURN_KEYS and key not in settings.message_allow:
            out.add(UNKNOWN_MESSAGE_KEY, pointer(*at, key), f"unknown turn key {quote(key)}")
    kind = None
    speaker = turn.get("from")
    if "from" not in turn:
        out.add(MISSING_REQUIRED_KEY, pointer(*at, "from"), "turn has no 'from'")
    elif not isinstance(speaker, str):
        out.add(WRONG_TYPE, pointer(*at, "from"), f"'from' is {json_type(speaker)}, expected a string")
    elif speaker.lower() in SHAREGPT_ROLES:
        kind = SHAREGPT_ROLES[speaker.lower()]
    elif speaker not in settings.extra_roles:
        out.add(UNKNOWN_ROLE, pointer(*at, "from"), f"unknown speaker {quote(speaker)}; expected e.g. {_SPEAKERS}")
    value = turn.get("value")
    if "value" not in turn:
        out.add(MISSING_REQUIRED_KEY, pointer(*at, "value"), "turn has no 'value'")
    elif isinstance(value, list):
        _check_content(out, (*at, "value"), value, True)
    elif value is None:
        out.add(EMPTY_CONTENT, pointer(*at, "value"), "value is null")
    elif not isinstance(value, str):
        out.add(WRONG_TYPE, pointer(*at, "value"), f"'value' is {json_type(value)}, expected a string")
    elif is_blank(value):
        out.add(EMPTY_CONTENT, pointer(*at, "value"), "value is empty" if not value else "value is whitespace only")
    return Turn(at, kind, value, weight_zero=_weight_zero(turn))


# --- Conversations -------------------------------------------------------------------------


def check_conversation(
    out: Collector,
    turns: Sequence[Turn],
    where: str,
    what: str,
    trained: Sequence[Turn] | None = None,
    needs_user: bool = False,
) -> None:
    """The conversation rules over ``turns``; ``trained`` are the turns a trainer learns from
    (default: all), ``where`` the pointer of the list and ``what`` its name for messages;
    ``needs_user`` for a whole chat conversation (not a preference side or a completion)."""
    trained = turns if trained is None else trained
    has_assistant = _check_response(out, trained, where, what)
    # Turns whose role is missing or unknown are reported by DS104/DS107; they may be the user.
    if needs_user and turns and not any(t.kind in ("user", None) for t in turns):
        out.add(NO_USER_MESSAGE, where, f"{what} has no user message")
    _check_order(out, turns)
    _check_tool_pairs(out, turns)
    if has_assistant:
        _check_last_turn(out, turns)


def check_order(out: Collector, turns: Sequence[Turn]) -> None:
    """Order and tool pairing only: for message lists with nothing to train on (a prompt)."""
    _check_order(out, turns)
    _check_tool_pairs(out, turns)


def _check_response(out: Collector, turns: Sequence[Turn], where: str, what: str) -> bool:
    assistants = [t for t in turns if t.kind == "assistant"]
    if not assistants:
        out.add(NO_ASSISTANT_RESPONSE, where, f"{what} has no assistant message to train on")
        return False
    if all(t.weight_zero for t in assistants):
        out.add(NO_ASSISTANT_RESPONSE, where, f"every assistant message of the {what} has weight 0: nothing to train on")
    return True


def _check_order(out: Collector, turns: Sequence[Turn]) -> None:
    previous: str | None = None
    for n, turn in enumerate(turns):
        if turn.kind == "system":
            if n > 0:
                out.add(SYSTEM_NOT_FIRST, turn.ptr, "system message is not the first message", turn.text)
            continue
        if turn.kind in ("user", "assistant") and turn.kind == previous:
            out.add(ROLES_NOT_ALTERNATING, turn.ptr, f"{turn.kind} message follows another {turn.kind} message", turn.text)
        previous = turn.kind


def _check_tool_pairs(out: Collector, turns: Sequence[Turn]) -> None:
    called: set[str] = set()
    answered: set[str] = set()
    for turn in turns:
        if turn.result_id is not None:
            if turn.result_id in called:
                answered.add(turn.result_id)
            else:
                out.add(
                    TOOL_RESULT_WITHOUT_CALL,
                    f"{turn.ptr}/tool_call_id",
                    f"tool result {quote(turn.result_id)} matches no earlier tool call",
                    turn.text,
                )
        called.update(call_id for _, call_id, _ in turn.calls)
    for turn in turns:
        for ptr, call_id, name in turn.calls:
            if call_id not in answered:
                fn = f" to {quote(name)}" if name is not None else ""
                out.add(TOOL_CALL_WITHOUT_RESULT, ptr, f"tool call {quote(call_id)}{fn} has no tool message with its result")


def _check_last_turn(out: Collector, turns: Sequence[Turn]) -> None:
    last = next((t for t in reversed(turns) if t.kind != "system"), None)
    if last is not None and last.kind in ("user", "tool"):
        message = f"conversation ends with a {last.kind} message, not an assistant answer"
        out.add(LAST_TURN_NOT_ASSISTANT, last.ptr, message, last.text)
