"""Conversational formats: OpenAI chat (``messages``) and ShareGPT (``conversations``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from collections.abc import Sequence

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


def _is_zero(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0


def message_fields(
    messages: Sequence[Any], at: tuple[str | int, ...], *, start: int = 0, prompt: bool = False, branch: str | None = None
) -> list[TextField]:
    """Text fields of OpenAI-style messages from index ``start``: assistant text is learned output
    unless the list is a prompt or the message has weight (or LLaMA-Factory's loss_weight) 0."""
    out: list[TextField] = []
    for i in range(start, len(messages)):
        msg = messages[i]
        if not isinstance(msg, Mapping):
            continue
        role = chat_role(msg.get("role"))
        learned = role == "assistant" and not prompt and not _is_zero(msg.get("weight")) and not _is_zero(msg.get("loss_weight"))
        out += content_fields(msg.get("content"), (*at, i, "content"), role, "output" if learned else "input", branch)
    return out


def sharegpt_role(speaker: Any) -> str:
    return SHAREGPT_ROLES.get(str(speaker or "").lower(), "user")


def turn_fields(turn: Any, at: tuple[str | int, ...], *, prompt: bool = False, branch: str | None = None) -> list[TextField]:
    """Text fields of one ShareGPT turn ``{from, value}``; the value may be a list of content parts."""
    if not isinstance(turn, Mapping):
        return []
    role = sharegpt_role(turn.get("from"))
    learned = role == "assistant" and not prompt and not _is_zero(turn.get("weight")) and not _is_zero(turn.get("loss_weight"))
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
