"""Conversational formats: OpenAI chat (``messages``) and ShareGPT (``conversations``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from dslint.formats.base import Format, TextField, content_fields, pointer

CHAT_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
# ShareGPT speaker names and the chat role each one means.
SHAREGPT_ROLES = {
    "system": "system",
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "bard": "assistant",
    "bing": "assistant",
    "model": "assistant",
    "function_call": "assistant",
    "tool": "tool",
    "observation": "tool",
    "function_response": "tool",
}


def chat_role(role: Any) -> str:
    if role in ("system", "developer"):
        return "system"
    if role in ("tool", "function"):
        return "tool"
    return role if role in ("user", "assistant") else "user"


_CHAT_ROLE = {role: chat_role(role) for role in CHAT_ROLES}  # chat_role of a string, looked up


def _is_zero(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0


def _zero_weight(msg: Mapping[str, Any]) -> bool:
    """A weight (or LLaMA-Factory's loss_weight) of 0: the message is not trained on."""
    return _is_zero(msg.get("weight")) or _is_zero(msg.get("loss_weight"))


@lru_cache(maxsize=4096)  # the same few pointers (/messages/0/content, ...) recur in every record
def _content_pointer(at: str, i: int) -> str:
    return f"{at}/{i}/content"


def message_fields(
    messages: Sequence[Any], at: tuple[str | int, ...], *, start: int = 0, prompt: bool = False, branch: str | None = None
) -> list[TextField]:
    """Text fields of OpenAI-style messages from index ``start``: assistant text is learned output
    unless the list is a prompt or the message has weight (or LLaMA-Factory's loss_weight) 0."""
    out: list[TextField] = []
    base = pointer(*at)
    # Written for speed (it builds most fields of chat data): dict and str tested by type first.
    for i in range(start, len(messages)):
        msg = messages[i]
        if type(msg) is not dict and not isinstance(msg, Mapping):
            continue
        role = msg.get("role")
        role = _CHAT_ROLE.get(role, "user") if type(role) is str else chat_role(role)
        learned = role == "assistant" and not prompt
        if learned and ("weight" in msg or "loss_weight" in msg):
            learned = not _zero_weight(msg)
        content = msg.get("content")
        if type(content) is str:
            out.append(TextField(_content_pointer(base, i), role, content, "output" if learned else "input", branch))
        else:
            out += content_fields(content, (*at, i, "content"), role, "output" if learned else "input", branch)
    return out


def sharegpt_role(speaker: Any) -> str:
    return SHAREGPT_ROLES.get(str(speaker or "").lower(), "user")


def turn_fields(turn: Any, at: tuple[str | int, ...], *, prompt: bool = False, branch: str | None = None) -> list[TextField]:
    """Text fields of one ShareGPT turn ``{from, value}``; the value may be a list of content parts."""
    if not isinstance(turn, Mapping):
        return []
    role = sharegpt_role(turn.get("from"))
    learned = role == "assistant" and not prompt and not _zero_weight(turn)
    return content_fields(turn.get("value"), (*at, "value"), role, "output" if learned else "input", branch)


class OpenAIChat(Format):
    name = "openai-chat"
    summary = "OpenAI chat fine-tuning: messages of {role, content, name, tool_calls, tool_call_id, weight}; tools"
    required = ("messages",)
    optional = ("tools", "functions", "parallel_tool_calls")

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        messages = data.get("messages")
        return message_fields(messages, ("messages",)) if isinstance(messages, list) else []


class ShareGPT(Format):
    name = "sharegpt"
    summary = "ShareGPT: conversations of {from, value}"
    required = ("conversations",)
    optional = ("system", "tools")

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        out: list[TextField] = []
        system = data.get("system")
        if isinstance(system, str):
            out.append(TextField(pointer("system"), "system", system, "input"))
        turns = data.get("conversations")
        if isinstance(turns, list):
            for i, turn in enumerate(turns):
                out += turn_fields(turn, ("conversations", i))
        return out
