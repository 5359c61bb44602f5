"""Single-field formats (classification, plain text) and user field mappings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dslint.formats.base import Format, TextField, pointer, resolve_pointer

TEXT_KEYS = ("text", "sentence", "content", "document", "review", "utterance")
# Sentence-pair tasks (NLI, paraphrase, QA entailment: SNLI, MNLI, MRPC, QQP, QNLI).
TEXT_PAIRS = (("premise", "hypothesis"), ("sentence1", "sentence2"), ("question1", "question2"), ("question", "sentence"))
LABEL_KEYS = ("label", "labels", "category", "class", "target", "intent")


def _key_pointer(key: str) -> str:
    """A configured field is a top-level key, or a JSON pointer when it starts with '/'."""
    return key if key.startswith("/") else pointer(key)


class Classification(Format):
    name = "classification"
    task = "classification"
    summary = "Classification: a text column and a label column (names configurable)"

    def __init__(self, text_key: str | None = None, label_key: str | None = None) -> None:
        self.text_key = text_key
        self.label_key = label_key

    def text_keys_for(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        """The configured text key, else a known sentence pair, else the first known text key."""
        if self.text_key:
            return (self.text_key,)
        pair = next((p for p in TEXT_PAIRS if all(k in data for k in p)), None)
        return pair or (next((k for k in TEXT_KEYS if k in data), "text"),)

    def label_key_for(self, data: Mapping[str, Any]) -> str:
        return self.label_key or next((k for k in LABEL_KEYS if k in data), "label")

    @property
    def required(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.text_key or "text", self.label_key or "label")

    def matches(self, data: Mapping[str, Any]) -> bool:
        return all(k in data for k in self.text_keys_for(data)) and self.label_key_for(data) in data

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        out = []
        for key in self.text_keys_for(data):
            found, value = resolve_pointer(data, _key_pointer(key))
            if found and isinstance(value, str):
                out.append(TextField(_key_pointer(key), "text", value, "input"))
        return out

    def label(self, data: Mapping[str, Any]) -> tuple[str, Any] | None:
        ptr = _key_pointer(self.label_key_for(data))
        found, value = resolve_pointer(data, ptr)
        return (ptr, value) if found else None

    def known_keys(self) -> frozenset[str]:
        configured = [k.split("/")[1] if k.startswith("/") else k for k in (self.text_key, self.label_key) if k]
        pairs = {k for pair in TEXT_PAIRS for k in pair}
        return frozenset(TEXT_KEYS + LABEL_KEYS) | pairs | frozenset(configured) | self.ALWAYS_ALLOWED


class PlainText(Format):
    name = "text"
    task = "text"
    summary = "Plain text: one text field per record (continued pre-training style)"
    required = ("text",)

    def __init__(self, text_key: str | None = None) -> None:
        self.text_key = text_key or "text"
        self.required = (self.text_key,)  # type: ignore[misc]

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        ptr = _key_pointer(self.text_key)
        found, value = resolve_pointer(data, ptr)
        return [TextField(ptr, "text", value, "output")] if found and isinstance(value, str) else []


class Mapped(Format):
    """A user's own schema, described by a field mapping in the config."""

    name = "mapped"
    task = "mapped"
    summary = "Any schema described by `fields: {input: ..., output: ..., label: ...}` in config"

    def __init__(
        self,
        input: Sequence[str] = (),
        output: Sequence[str] = (),
        label: str | None = None,
        text: Sequence[str] = (),
    ) -> None:
        self.inputs = [_key_pointer(k) for k in input] + [_key_pointer(k) for k in text]
        self.outputs = [_key_pointer(k) for k in output]
        self.label_pointer = _key_pointer(label) if label else None
        top = [p.split("/")[1] for p in self.inputs + self.outputs]
        self.required = tuple(dict.fromkeys(top))  # type: ignore[misc]

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        out = []
        for ptrs, role, part in ((self.inputs, "prompt", "input"), (self.outputs, "response", "output")):
            for ptr in ptrs:
                found, value = resolve_pointer(data, ptr)
                if found and isinstance(value, str):
                    out.append(TextField(ptr, role, value, part))
        return out

    def label(self, data: Mapping[str, Any]) -> tuple[str, Any] | None:
        if self.label_pointer is None:
            return None
        found, value = resolve_pointer(data, self.label_pointer)
        return (self.label_pointer, value) if found else None

    def known_keys(self) -> frozenset[str]:
        extra = [self.label_pointer.split("/")[1]] if self.label_pointer else []
        return frozenset(self.required) | frozenset(extra) | self.ALWAYS_ALLOWED


class Unknown(Format):
    """No format matched: every top-level string is treated as input text."""

    name = "unknown"
    task = "unknown"
    summary = "Not recognised: top-level strings are checked as plain text"

    def matches(self, data: Mapping[str, Any]) -> bool:
        return True

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        return [
            TextField(pointer(k), "text", v, "input") for k, v in data.items() if isinstance(v, str)
        ]
