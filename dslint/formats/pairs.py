"""Prompt/response formats: Alpaca instructions, preference pairs (DPO) and KTO."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dslint.formats.base import Format, TextField, content_text, pointer
from dslint.formats.chat import _chat_role


class Alpaca(Format):
    name = "alpaca"
    summary = "Alpaca instructions: instruction, input, output"
    required = ("instruction", "output")
    optional = ("input", "system", "history", "text")

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        out = []
        for key, role, part in (
            ("system", "system", "input"),
            ("instruction", "prompt", "input"),
            ("input", "prompt", "input"),
            ("output", "response", "output"),
        ):
            value = data.get(key)
            if isinstance(value, str):
                out.append(TextField(pointer(key), role, value, part))
        return out


def _side_fields(data: Mapping[str, Any], key: str, branch: str | None) -> list[TextField]:
    """Text of a prompt/chosen/rejected value given as a string or as a list of messages."""
    value = data.get(key)
    is_prompt = key == "prompt"
    if isinstance(value, str):
        role, part = ("prompt", "input") if is_prompt else ("response", "output")
        return [TextField(pointer(key), role, value, part, branch)]
    out = []
    if isinstance(value, list):
        for i, msg in enumerate(value):
            if not isinstance(msg, Mapping):
                continue
            text = content_text(msg.get("content"))
            if text is None:
                continue
            role = _chat_role(msg.get("role"))
            part = "output" if role == "assistant" and not is_prompt else "input"
            out.append(TextField(pointer(key, i, "content"), role, text, part, branch))
    return out


class Preference(Format):
    name = "preference"
    summary = "Preference pairs (DPO/ORPO): prompt, chosen, rejected as strings or message lists"
    required = ("chosen", "rejected")
    optional = ("prompt", "system", "score_chosen", "score_rejected", "chosen_rating", "rejected_rating")

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        out = []
        if isinstance(data.get("system"), str):
            out.append(TextField(pointer("system"), "system", data["system"], "input"))
        out += _side_fields(data, "prompt", None)
        out += _side_fields(data, "chosen", "chosen")
        out += _side_fields(data, "rejected", "rejected")
        return out


class KTO(Format):
    name = "kto"
    summary = "KTO: prompt, completion and a boolean label (desirable or not)"
    required = ("prompt", "completion", "label")
    optional = ("system",)

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        out = _side_fields(data, "prompt", None)
        # An undesirable completion is not something the model should learn to produce.
        branch = "rejected" if data.get("label") is False else None
        comp = data.get("completion")
        if isinstance(comp, str):
            out.append(TextField(pointer("completion"), "response", comp, "output", branch))
        elif isinstance(comp, list):
            out += [
                TextField(f.pointer, f.role, f.text, f.part, branch)
                for f in _side_fields(data, "completion", None)
            ]
        return out

    def label(self, data: Mapping[str, Any]) -> tuple[str, Any] | None:
        return (pointer("label"), data["label"]) if "label" in data else None
