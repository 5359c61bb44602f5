"""Conversational formats: OpenAI chat (``messages``) and ShareGPT (``conversations``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dslint.formats.base import Format, TextField, content_text, pointer

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


def _chat_role(role: Any) -> str:
    if role in ("system", "developer"):
        return "system"
    if role in ("tool", "function"):
        return "tool"
    return role if role in ("user", "assistant") else "user"


class OpenAIChat(Format):
    name = "openai-chat"
    summary = "OpenAI chat fine-tuning: messages of {role, content, name, tool_calls, tool_call_id, weight}; tools"
    required = ("messages",)
    optional = ("tools", "functions", "parallel_tool_calls")

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        out: list[TextField] = []
        messages = data.get("messages")
        if not isinstance(messages, list):
            return out
        for i, msg in enumerate(messages):
            if not isinstance(msg, Mapping):
                continue
            text = content_text(msg.get("content"))
            if text is None:
                continue
            role = _chat_role(msg.get("role"))
            learned = role == "assistant" and msg.get("weight", 1) != 0
            out.append(
                TextField(pointer("messages", i, "content"), role, text, "output" if learned else "input")
            )
        return out


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
        if not isinstance(turns, list):
            return out
        for i, turn in enumerate(turns):
            if not isinstance(turn, Mapping) or not isinstance(turn.get("value"), str):
                continue
            role = SHAREGPT_ROLES.get(str(turn.get("from", "")).lower(), "user")
            part = "output" if role == "assistant" else "input"
            out.append(TextField(pointer("conversations", i, "value"), role, turn["value"], part))
        return out
