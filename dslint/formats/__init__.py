"""Dataset formats, detected per file from a sample of its records, overridable in config."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dslint.formats.base import OUTPUT_ROLES, ROLES, Format, TextField, input_text, output_text, pointer
from dslint.formats.chat import OpenAIChat, ShareGPT
from dslint.formats.pairs import Alpaca, InstructionResponse, PromptCompletion, Stepwise
from dslint.formats.preference import KTO, AlpacaKTO, OpenAIPreference, Preference, ShareGPTKTO, ShareGPTRanking
from dslint.formats.simple import Classification, Mapped, PlainText, Unknown

# Detection order doubles as the tie-break: more specific formats first.
FORMAT_CLASSES: dict[str, type[Format]] = {
    cls.name: cls
    for cls in (
        OpenAIChat, ShareGPTRanking, ShareGPTKTO, ShareGPT, OpenAIPreference, Preference, KTO, Stepwise, PromptCompletion,
        AlpacaKTO, Alpaca,
        InstructionResponse, Classification, PlainText,
    )
}
FORMAT_NAMES: tuple[str, ...] = (*FORMAT_CLASSES, Mapped.name)
DETECT_SAMPLE = 50


def make_format(name: str, fields: Mapping[str, Any] | None = None) -> Format:
    """Build a named format, applying a config field mapping where the format takes one."""
    fields = dict(fields or {})
    if name == Mapped.name:
        return Mapped(
            input=_as_list(fields.get("input")),
            output=_as_list(fields.get("output")),
            label=fields.get("label"),
            text=_as_list(fields.get("text")),
        )
    if name == Classification.name:
        text = _as_list(fields.get("text") or fields.get("input"))
        return Classification(text[0] if text else None, fields.get("label"))
    if name == PlainText.name:
        text = _as_list(fields.get("text"))
        return PlainText(text[0] if text else None)
    if name == Unknown.name:
        return Unknown()
    return FORMAT_CLASSES[name]()


def detect_format(sample: Sequence[Mapping[str, Any]], fields: Mapping[str, Any] | None = None) -> Format:
    """The format most of the sample matches; a field mapping with input/output means `mapped`."""
    if fields and (fields.get("input") or fields.get("output")):
        return make_format(Mapped.name, fields)
    candidates = [make_format(name, fields) for name in FORMAT_CLASSES]
    best, best_score = None, 0
    for fmt in candidates:
        score = sum(1 for data in sample if fmt.matches(data))
        if score > best_score:
            best, best_score = fmt, score
    return best or Unknown()


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


__all__ = [
    "FORMAT_NAMES",
    "OUTPUT_ROLES",
    "ROLES",
    "DETECT_SAMPLE",
    "Format",
    "TextField",
    "detect_format",
    "input_text",
    "make_format",
    "output_text",
    "pointer",
]
