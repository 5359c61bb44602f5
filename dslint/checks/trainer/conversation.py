"""A record as a trainer sees it: one or two sequences of turns, each trainable or not.

Turns come from the record's text fields (``Record.fields``), so every layout dslint reads works
alike: the fields of one message (its content parts) make one turn; Alpaca's instruction and
input make one user turn, as LLaMA-Factory and axolotl join them. Roles map to chat roles
(prompt → user, response → assistant); a preference record gives one sequence per side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dslint.formats.base import TextField
from dslint.record import Record

CHAT_LAYOUTS = frozenset({"openai-chat", "sharegpt"})
_ROLE = {"prompt": "user", "response": "assistant"}
_MESSAGE_KEY = re.compile(r"^(/[^/]+/\d+)")  # "/messages/3" of "/messages/3/content/0/text"


@dataclass(frozen=True, slots=True)
class Turn:
    role: str  # system, user, assistant, tool, or text (plain language-modelling text)
    text: str
    trainable: bool
    pointer: str  # the first field of the turn


@dataclass(frozen=True, slots=True)
class Sequence:
    branch: str | None  # "chosen" / "rejected" for one side of a preference record
    turns: tuple[Turn, ...]
    chat: bool  # templated as a conversation; False: the texts concatenated (TRL's prompt + completion)


def sequences(record: Record, loss: str, pairs_as_chat: bool) -> list[Sequence]:
    """The sequences the trainer builds from ``record`` and which of their turns carry loss.

    ``loss``: "outputs" (output fields), "all", or "completion" (TRL: outputs of prompt/completion
    layouts, every token of a conversation)."""
    fields = record.fields
    layout = record.format.name if record.format is not None else ""
    everything = loss == "all" or (loss == "completion" and layout in CHAT_LAYOUTS)
    plain = all(f.role == "text" for f in fields)
    chat = not plain and (pairs_as_chat or layout in CHAT_LAYOUTS)
    branches = sorted({f.branch for f in fields if f.branch})
    groups = [(None, fields)] if not branches else [(b, [f for f in fields if f.branch in (None, b)]) for b in branches]
    return [Sequence(branch, _turns(group, everything), chat) for branch, group in groups]


def _turns(fields: list[TextField], everything: bool) -> tuple[Turn, ...]:
    turns: list[Turn] = []
    last_key = None
    for f in fields:
        m = _MESSAGE_KEY.match(f.pointer)
        role = _ROLE.get(f.role, f.role)
        key = m.group(1) if m else f"top:{role}"
        trainable = everything or f.role == "text" or f.part == "output"
        if turns and key == last_key and turns[-1].role == role:
            prev = turns[-1]
            text = prev.text + "\n" + f.text if f.text else prev.text  # an empty Alpaca input adds nothing
            turns[-1] = Turn(role, text, prev.trainable or trainable, prev.pointer)
        else:
            turns.append(Turn(role, f.text, trainable, f.pointer))
        last_key = key
    return tuple(turns)
