"""What a dataset format tells the checks: its text fields, their roles, input/output and label."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, Literal

Part = Literal["input", "output"]
# Roles the checks understand; "text" is a field with no conversational role.
ROLES = ("system", "user", "assistant", "tool", "prompt", "response", "text")
OUTPUT_ROLES = frozenset({"assistant", "response"})


@dataclass(frozen=True, slots=True, init=False)
class TextField:
    """One piece of text in a record and what it is."""

    pointer: str  # RFC 6901 JSON pointer into the record
    role: str  # one of ROLES
    text: str
    part: Part  # input: what the model is given; output: what it learns to produce
    branch: str | None = None  # "chosen" / "rejected" for preference data

    def __init__(self, pointer: str, role: str, text: str, part: Part, branch: str | None = None) -> None:
        # Every text of every record becomes one: the slots' own setters take half the time of
        # the object.__setattr__ calls a frozen dataclass's generated __init__ makes.
        _SET_POINTER(self, pointer)
        _SET_ROLE(self, role)
        _SET_TEXT(self, text)
        _SET_PART(self, part)
        _SET_BRANCH(self, branch)

    @property
    def learned(self) -> bool:
        """True for text the model is trained to produce (a rejected answer is not)."""
        return self.part == "output" and self.branch != "rejected"


_SET_POINTER, _SET_ROLE, _SET_TEXT, _SET_PART, _SET_BRANCH = (
    TextField.__dict__[name].__set__ for name in ("pointer", "role", "text", "part", "branch")
)


@lru_cache(maxsize=4096, typed=True)  # the same few pointers (messages/0/content, ...) recur in every record
def pointer(*parts: str | int) -> str:
    """Build an RFC 6901 JSON pointer, escaping '~' and '/' in keys."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def resolve_pointer(data: Any, ptr: str) -> tuple[bool, Any]:
    """Follow a JSON pointer; returns (found, value)."""
    if ptr == "":
        return True, data
    node = data
    for raw in ptr.lstrip("/").split("/"):
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False, None
    return True, node


# Content parts (OpenAI's multimodal messages, LLaMA-Factory's newer format): text parts keep their
# text under "text" (OpenAI) or "value" (LLaMA-Factory); the other part types carry media.
TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text"})
MEDIA_PART_TYPES = frozenset(
    {"image_url", "image", "input_image", "input_audio", "audio", "file", "input_file", "video", "video_url", "refusal"}
)
PART_TEXT_KEYS = ("text", "value")


def part_text_key(part: Mapping[str, Any]) -> str | None:
    """The key a text content part keeps its text under, or None when it has neither."""
    return next((key for key in PART_TEXT_KEYS if key in part), None)


def content_fields(
    content: Any, at: tuple[str | int, ...], role: str, part: Part, branch: str | None = None
) -> list[TextField]:
    """The text fields of a message's content: the string itself, or each text part of a list,
    each with a pointer to where its text is."""
    if isinstance(content, str):
        return [TextField(pointer(*at), role, content, part, branch)]
    out: list[TextField] = []
    if isinstance(content, list):
        for j, item in enumerate(content):
            if isinstance(item, Mapping) and item.get("type") in TEXT_PART_TYPES:
                key = part_text_key(item)
                if key is not None and isinstance(item[key], str):
                    out.append(TextField(pointer(*at, j, key), role, item[key], part, branch))
    return out


def content_text(content: Any) -> str | None:
    """The text of a chat message's content: a string, or the text parts of a content list."""
    if isinstance(content, str):
        return content
    texts = [f.text for f in content_fields(content, (), "text", "input")]
    return "\n".join(texts) if texts else None


class Format:
    """A dataset format. Subclasses describe detection, text fields and the label."""

    name: ClassVar[str]
    summary: ClassVar[str]
    # What the data trains: sft, preference, kto, classification, text (rules scope on it).
    task: ClassVar[str] = "sft"
    # Top-level keys a record of this format must have, and the ones it may have.
    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()
    # Keys commonly carried alongside any format, never reported as unknown.
    ALWAYS_ALLOWED: ClassVar[frozenset[str]] = frozenset(
        {"id", "_id", "uid", "source", "meta", "metadata", "split", "lang", "language", "task", "tags"}
    )

    def matches(self, data: Mapping[str, Any]) -> bool:
        """True when a record looks like this format (used for detection)."""
        return all(k in data for k in self.required)

    def fields(self, data: Mapping[str, Any]) -> list[TextField]:
        """The record's text fields in document order; tolerant of malformed records."""
        raise NotImplementedError

    def label(self, data: Mapping[str, Any]) -> tuple[str, Any] | None:
        """(pointer, value) of the record's label, for formats that have one."""
        return None

    def known_keys(self) -> frozenset[str]:
        return frozenset(self.required) | frozenset(self.optional) | self.ALWAYS_ALLOWED


def input_text(fields: Iterable[TextField]) -> str:
    """All input text of a record, joined: what the model is given."""
    return "\n".join(f.text for f in fields if f.part == "input")


def output_text(fields: Iterable[TextField]) -> str:
    """All learned output text of a record, joined."""
    return "\n".join(f.text for f in fields if f.learned)
