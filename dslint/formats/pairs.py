"""Instruction formats: Alpaca (with system and history) and prompt/completion pairs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dslint.formats.base import Format, TextField, pointer
from dslint.formats.chat import message_fields


class Alpaca(Format):
    name = "alpaca"
    summary = "Alpaca instructions: instruction, input, output (+ system, history)"
    required = ("instruction", "output")
    optional = ("input", "system", "history", "text")
    # (key, pointer, role, part) of the instruction, its input and the output
    TEXTS = tuple(
        (key, pointer(key), role, part)
        for key, role, part in (("instruction", "prompt", "input"), ("input", "prompt", "input"), ("output", "response", "output"))
    )

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        out = []
        if isinstance(data.get("system"), str):
            out.append(TextField(pointer("system"), "system", data["system"], "input"))
        history = data.get("history")
        if isinstance(history, list):  # earlier [instruction, response] turns: context the model is given
            for i, pair in enumerate(history):
                if isinstance(pair, list):
                    for j, role in ((0, "prompt"), (1, "response")):
                        if j < len(pair) and isinstance(pair[j], str):
                            out.append(TextField(pointer("history", i, j), role, pair[j], "input"))
        for key, ptr, role, part in self.TEXTS:
            value = data.get(key)
            if isinstance(value, str):
                out.append(TextField(ptr, role, value, part))
        return out


class InstructionResponse(Format):
    """Instruction/response pairs under the other common key names, first name found wins."""

    name = "instruction-response"
    summary = "Instruction/response pairs under common names: Dolly, OpenOrca, GSM8K-style question/answer"
    PROMPTS = ("instruction", "question", "query")
    CONTEXTS = ("context", "input")
    SYSTEMS = ("system", "system_prompt")
    OUTPUTS = ("response", "answer", "output")
    optional = (*PROMPTS, *CONTEXTS, *SYSTEMS, *OUTPUTS, "category")

    def keys(self, data: Mapping[str, Any]) -> tuple[str | None, str | None]:
        """The prompt and output keys this record uses."""
        prompt = next((k for k in self.PROMPTS if k in data), None)
        output = next((k for k in self.OUTPUTS if k in data), None)
        return prompt, output

    def matches(self, data: Mapping[str, Any]) -> bool:
        prompt, output = self.keys(data)
        return prompt is not None and output is not None

    @property
    def required(self) -> tuple[str, ...]:  # type: ignore[override]
        return ()

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        out = []
        prompt, output = self.keys(data)
        keys = [(k, "system", "input") for k in self.SYSTEMS] + [(prompt, "prompt", "input")]
        keys += [(k, "prompt", "input") for k in self.CONTEXTS] + [(output, "response", "output")]
        for key, role, part in keys:
            if key is not None and isinstance(data.get(key), str):
                out.append(TextField(pointer(key), role, data[key], part))
        return out


def side_fields(data: Mapping[str, Any], key: str, *, prompt: bool, branch: str | None = None) -> list[TextField]:
    """Text of a prompt or an answer given as a string or as a list of messages."""
    value = data.get(key)
    if isinstance(value, str):
        role, part = ("prompt", "input") if prompt else ("response", "output")
        return [TextField(pointer(key), role, value, part, branch)]
    if isinstance(value, list):
        return message_fields(value, (key,), prompt=prompt, branch=branch)
    return []


class PromptCompletion(Format):
    name = "prompt-completion"
    summary = "Prompt/completion pairs (TRL, OpenAI legacy): prompt, completion as strings or message lists"
    required = ("prompt", "completion")
    optional = ("system",)

    def matches(self, data: Mapping[str, Any]) -> bool:
        return "prompt" in data and "completion" in data and "label" not in data

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        out = []
        if isinstance(data.get("system"), str):
            out.append(TextField(pointer("system"), "system", data["system"], "input"))
        return out + side_fields(data, "prompt", prompt=True) + side_fields(data, "completion", prompt=False)


class Stepwise(Format):
    name = "stepwise"
    summary = "TRL stepwise supervision (process reward models): prompt, completions (steps) and one boolean label per step"
    task = "stepwise"
    required = ("prompt", "completions", "labels")

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        out = side_fields(data, "prompt", prompt=True)
        steps = data.get("completions")
        if isinstance(steps, list):
            out += [TextField(pointer("completions", i), "response", step, "output") for i, step in enumerate(steps) if isinstance(step, str)]
        return out

    def label(self, data: Mapping[str, Any]) -> tuple[str, Any] | None:
        return (pointer("labels"), data["labels"]) if "labels" in data else None
