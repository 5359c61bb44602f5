"""Preference formats (DPO, ORPO, reward models) in every common layout, and KTO.

A preference record holds one prompt and two answers. The prompt is input-side text, checked
once; only the answers are output (chosen) or rejected text. Layouts:

- explicit: ``prompt`` (or LLaMA-Factory's ``instruction``/``input``, or ``question``) next to
  ``chosen``/``rejected``, each a string or a message list (TRL standard and conversational);
- implicit prompt, messages: ``chosen``/``rejected`` are whole conversations; their shared
  leading messages are the prompt (TRL's implicit-prompt conversational data);
- implicit prompt, transcripts: ``chosen``/``rejected`` are "\\n\\nHuman: ... \\n\\nAssistant: ..."
  strings (Anthropic HH); they are parsed into turns and the shared leading turns are the prompt;
- ShareGPT ranking (LLaMA-Factory): ``conversations`` holds the prompt turns, ``chosen`` and
  ``rejected`` are single ``{from, value}`` turns;
- OpenAI preference fine-tuning: ``input.messages``, ``preferred_output``, ``non_preferred_output``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dslint.formats.base import Format, TextField, pointer
from dslint.formats.chat import ShareGPT, message_fields, turn_fields
from dslint.formats.pairs import Alpaca, side_fields

PROMPT_KEYS = ("prompt", "instruction", "question")
SIDES = ("chosen", "rejected")
_SPEAKER = re.compile(r"(?:\A\s*|\n\n)(Human|Assistant):[ ]?")
_TRANSCRIPT_ROLES = {"Human": "user", "Assistant": "assistant"}


@dataclass(frozen=True, slots=True)
class TranscriptTurn:
    role: str  # user or assistant
    text: str


def parse_transcript(value: Any) -> list[TranscriptTurn] | None:
    """A "Human: ... Assistant: ..." transcript as turns; None when ``value`` is not one (it must
    open with a Human turn, with nothing before it, and hold an Assistant turn)."""
    if not isinstance(value, str):
        return None
    marks = list(_SPEAKER.finditer(value))
    if not marks or marks[0].start() != 0 or marks[0].group(1) != "Human":
        return None
    if not any(m.group(1) == "Assistant" for m in marks):
        return None
    ends = [m.start() for m in marks[1:]] + [len(value)]
    return [TranscriptTurn(_TRANSCRIPT_ROLES[m.group(1)], value[m.end():end]) for m, end in zip(marks, ends)]


def shared_prefix(a: Sequence[Any], b: Sequence[Any]) -> int:
    """How many leading items two conversations share: their implicit prompt. Each side keeps at
    least its last item, so two identical conversations still have answers to compare."""
    n, limit = 0, min(len(a), len(b)) - 1
    while n < limit and a[n] == b[n]:
        n += 1
    return max(n, 0)


def prompt_key(data: Mapping[str, Any]) -> str | None:
    """The key that holds an explicit prompt, if any."""
    return next((k for k in PROMPT_KEYS if data.get(k) is not None), None)


def layout(data: Mapping[str, Any]) -> str:
    """Which preference layout a record uses: explicit, implicit-messages or transcript."""
    if prompt_key(data) is None:
        chosen, rejected = data.get("chosen"), data.get("rejected")
        if isinstance(chosen, list) and isinstance(rejected, list):
            return "implicit-messages"
        if parse_transcript(chosen) is not None and parse_transcript(rejected) is not None:
            return "transcript"
    return "explicit"


def _system(data: Mapping[str, Any]) -> list[TextField]:
    system = data.get("system")
    return [TextField(pointer("system"), "system", system, "input")] if isinstance(system, str) else []


class Preference(Format):
    name = "preference"
    summary = "Preference pairs (DPO/ORPO/RM): prompt (or implicit), chosen, rejected as strings, message lists or transcripts"
    task = "preference"
    required = ("chosen", "rejected")
    optional = (
        "prompt", "instruction", "input", "question", "system",
        "score_chosen", "score_rejected", "chosen_rating", "rejected_rating",
    )

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        out = _system(data)
        kind = layout(data)
        chosen, rejected = data.get("chosen"), data.get("rejected")
        if kind == "implicit-messages":
            n = shared_prefix(chosen, rejected)
            out += message_fields(chosen[:n], ("chosen",), prompt=True)
            for side, messages in zip(SIDES, (chosen, rejected)):
                out += message_fields(messages, (side,), start=n, branch=side)
            return out
        if kind == "transcript":
            turns = parse_transcript(chosen), parse_transcript(rejected)
            n = shared_prefix(*turns)
            out += [TextField(pointer("chosen"), t.role, t.text, "input") for t in turns[0][:n]]
            for side, side_turns in zip(SIDES, turns):
                out += [
                    TextField(pointer(side), t.role, t.text, "output" if t.role == "assistant" else "input", side)
                    for t in side_turns[n:]
                ]
            return out
        key = prompt_key(data)
        if key == "instruction":
            for name in ("instruction", "input"):
                if isinstance(data.get(name), str):
                    out.append(TextField(pointer(name), "prompt", data[name], "input"))
        elif key is not None:
            out += side_fields(data, key, prompt=True)
        for side in SIDES:
            out += side_fields(data, side, prompt=False, branch=side)
        return out


class ShareGPTRanking(Format):
    name = "sharegpt-ranking"
    summary = "ShareGPT preference data (LLaMA-Factory): conversations (the prompt), chosen and rejected {from, value} turns"
    task = "preference"
    required = ("conversations", "chosen", "rejected")
    optional = ("system", "tools")

    def matches(self, data: Mapping[str, Any]) -> bool:
        return "conversations" in data and all(isinstance(data.get(side), Mapping) for side in SIDES)

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        out = _system(data)
        turns = data.get("conversations")
        if isinstance(turns, list):
            for i, turn in enumerate(turns):
                out += turn_fields(turn, ("conversations", i), prompt=True)
        for side in SIDES:
            out += turn_fields(data.get(side), (side,), branch=side)
        return out


class OpenAIPreference(Format):
    name = "openai-preference"
    summary = "OpenAI preference fine-tuning (DPO): input.messages, preferred_output, non_preferred_output"
    task = "preference"
    required = ("input", "preferred_output", "non_preferred_output")
    BRANCHES = {"preferred_output": "chosen", "non_preferred_output": "rejected"}

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        out: list[TextField] = []
        inp = data.get("input")
        messages = inp.get("messages") if isinstance(inp, Mapping) else None
        if isinstance(messages, list):
            out += message_fields(messages, ("input", "messages"), prompt=True)
        for key, branch in self.BRANCHES.items():
            if isinstance(data.get(key), list):
                out += message_fields(data[key], (key,), branch=branch)
        return out


class KTO(Format):
    name = "kto"
    summary = "KTO: prompt, completion (strings or message lists) and a boolean label (desirable or not)"
    task = "kto"
    required = ("prompt", "completion", "label")
    optional = ("system",)

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        # An undesirable completion is not something the model should learn to produce.
        branch = "rejected" if data.get("label") is False else None
        return (
            _system(data)
            + side_fields(data, "prompt", prompt=True)
            + side_fields(data, "completion", prompt=False, branch=branch)
        )

    def label(self, data: Mapping[str, Any]) -> tuple[str, Any] | None:
        return (pointer("label"), data["label"]) if "label" in data else None


class _KTOTagged:
    """LLaMA-Factory's KTO layouts: an SFT layout plus a boolean ``kto_tag``; an undesirable
    example's output is rejected text, as in KTO."""

    task = "kto"

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        fields = super().fields(data)  # type: ignore[misc]
        if data.get("kto_tag") is not False:
            return fields
        return [TextField(f.pointer, f.role, f.text, f.part, "rejected") if f.part == "output" else f for f in fields]

    def label(self, data: Mapping[str, Any]) -> tuple[str, Any] | None:
        return (pointer("kto_tag"), data["kto_tag"]) if "kto_tag" in data else None


class ShareGPTKTO(_KTOTagged, ShareGPT):
    name = "sharegpt-kto"
    summary = "LLaMA-Factory KTO data in ShareGPT form: conversations plus a boolean kto_tag"
    required = ("conversations", "kto_tag")


class AlpacaKTO(_KTOTagged, Alpaca):
    name = "alpaca-kto"
    summary = "LLaMA-Factory KTO data in Alpaca form: instruction, input, output plus a boolean kto_tag"
    required = ("instruction", "output", "kto_tag")
