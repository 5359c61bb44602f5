"""SchemaCheck (DS104-DS116, DS119: one record against its format) and InconsistentFieldsCheck (DS117)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dslint.batch import Batch
from dslint.check import CheckContext, RecordCheck, Rule
from dslint.checks.schema.reading import EMPTY_FILE, READ_RULES
from dslint.checks.schema.base import Collector, Settings, is_blank, is_nan, json_type, literal, top_key
from dslint.checks._shared.pointers import key_pointer
from dslint.checks.schema.chat import (
    PLAIN_ROLES,
    Turn,
    check_conversation,
    check_messages,
    check_order,
    check_sharegpt_turn,
    check_sharegpt_turns,
)
from dslint.checks.schema.consistency import InconsistentFieldsCheck
from dslint.checks.schema.rules import (
    CLASSIFICATION_EMPTY,
    EMPTY_CONTENT,
    INCONSISTENT_FIELDS,
    KTO_LABEL_NOT_BOOLEAN,
    LAST_TURN_NOT_ASSISTANT,
    MISSING_REQUIRED_KEY,
    NO_ASSISTANT_RESPONSE,
    NO_USER_MESSAGE,
    PREFERENCE_SIDE_MISSING,
    ROLES_NOT_ALTERNATING,
    SYSTEM_NOT_FIRST,
    TOOL_CALL_WITHOUT_RESULT,
    TOOL_RESULT_WITHOUT_CALL,
    UNKNOWN_KEY,
    UNKNOWN_MESSAGE_KEY,
    UNKNOWN_ROLE,
    WRONG_TYPE,
)
from dslint.finding import Finding
from dslint.formats import Format, detect_format, pointer
from dslint.formats.base import resolve_pointer
from dslint.formats.pairs import InstructionResponse
from dslint.formats.preference import SIDES, OpenAIPreference, layout, parse_transcript, prompt_key, shared_prefix
from dslint.formats.simple import Classification
from dslint.record import Record
from dslint.redact import quote

Data = Mapping[str, Any]


# --- shared field checks -------------------------------------------------------------------


def _text(out: Collector, ptr: str, value: Any, name: str, *, blank_rule: Rule = EMPTY_CONTENT) -> None:
    """A field that must hold non-blank text."""
    if value is None:
        out.add(blank_rule, ptr, f"{name} is null")
    elif not isinstance(value, str):
        out.add(WRONG_TYPE, ptr, f"{name} is {json_type(value)}, expected a string")
    elif is_blank(value):
        out.add(blank_rule, ptr, f"{name} is empty" if not value else f"{name} is whitespace only")


def _optional_string(out: Collector, data: Data, key: str) -> None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        out.add(WRONG_TYPE, pointer(key), f"'{key}' is {json_type(value)}, expected a string")


def _required(out: Collector, data: Data, *keys: str) -> list[str]:
    """Report the missing keys; returns the present ones."""
    present = []
    for key in keys:
        if key in data:
            present.append(key)
        else:
            out.add(MISSING_REQUIRED_KEY, pointer(key), f"record has no '{key}'")
    return present


def _prompt_or_completion(out: Collector, data: Data, key: str, settings: Settings) -> list[Turn] | None:
    """A prompt or completion given as a string or a list of messages; returns its turns."""
    value = data[key]
    if isinstance(value, list):
        if not value:
            out.add(EMPTY_CONTENT, pointer(key), f"'{key}' is an empty list")
            return None
        return check_messages(out, (key,), value, settings)
    if value is None or isinstance(value, str):
        _text(out, pointer(key), value, f"'{key}'")
    else:
        out.add(WRONG_TYPE, pointer(key), f"'{key}' is {json_type(value)}, expected a string or a list of messages")
    return None


# --- formats -------------------------------------------------------------------------------

Handler = Callable[[Collector, Data, Format, Settings], None]


def _openai_chat(out: Collector, data: Data, fmt: Format, settings: Settings) -> None:
    if _required(out, data, "messages"):
        messages = data["messages"]
        if not isinstance(messages, list):
            out.add(WRONG_TYPE, "/messages", f"'messages' is {json_type(messages)}, expected a list of messages")
        elif not messages:
            out.add(WRONG_TYPE, "/messages", "'messages' is an empty list")
        else:
            turns = check_messages(out, ("messages",), messages, settings)
            check_conversation(out, turns, "/messages", "conversation", needs_user=True)
    _check_tools(out, data)
    functions = data.get("functions")  # the legacy form of `tools`
    if functions is not None and not isinstance(functions, list):
        out.add(WRONG_TYPE, "/functions", f"'functions' is {json_type(functions)}, expected a list")
    flag = data.get("parallel_tool_calls")
    if flag is not None and not isinstance(flag, bool):
        out.add(WRONG_TYPE, "/parallel_tool_calls", f"'parallel_tool_calls' is {json_type(flag)}, expected a boolean")


def _check_tools(out: Collector, data: Data, at: str = "") -> None:
    """`tools`: a list of {"type": "function", "function": {"name", "parameters"?}}; ``at`` is the
    pointer of the object holding it."""
    tools = data.get("tools")
    if tools is None:
        return
    if not isinstance(tools, list):
        out.add(WRONG_TYPE, f"{at}/tools", f"'tools' is {json_type(tools)}, expected a list")
        return
    for k, tool in enumerate(tools):
        if not isinstance(tool, Mapping):
            out.add(WRONG_TYPE, at + pointer("tools", k), f"tool is {json_type(tool)}, expected an object")
            continue
        if "type" not in tool:
            out.add(MISSING_REQUIRED_KEY, at + pointer("tools", k, "type"), "tool has no 'type' (expected 'function')")
        elif tool["type"] != "function":
            out.add(WRONG_TYPE, at + pointer("tools", k, "type"), f"tool 'type' is {quote(tool['type'])}, expected 'function'")
        fn = tool.get("function")
        if "function" not in tool:
            out.add(MISSING_REQUIRED_KEY, at + pointer("tools", k, "function"), "tool has no 'function'")
        elif not isinstance(fn, Mapping):
            out.add(WRONG_TYPE, at + pointer("tools", k, "function"), f"tool 'function' is {json_type(fn)}, expected an object")
        elif "name" not in fn:
            out.add(MISSING_REQUIRED_KEY, at + pointer("tools", k, "function", "name"), "tool function has no 'name'")
        elif not isinstance(fn["name"], str):
            name_type = json_type(fn["name"])
            out.add(WRONG_TYPE, at + pointer("tools", k, "function", "name"), f"function 'name' is {name_type}, expected a string")


def _sharegpt(out: Collector, data: Data, fmt: Format, settings: Settings) -> None:
    _optional_string(out, data, "system")
    if not _required(out, data, "conversations"):
        return
    turns = data["conversations"]
    if not isinstance(turns, list):
        out.add(WRONG_TYPE, "/conversations", f"'conversations' is {json_type(turns)}, expected a list of turns")
    elif not turns:
        out.add(WRONG_TYPE, "/conversations", "'conversations' is an empty list")
    else:
        check_conversation(out, check_sharegpt_turns(out, turns, settings), "/conversations", "conversation", needs_user=True)


def _alpaca(out: Collector, data: Data, fmt: Format, settings: Settings) -> None:
    for key in _required(out, data, "instruction", "output"):
        _text(out, pointer(key), data[key], f"'{key}'")
    for key in ("input", "system", "text"):  # may be empty
        _optional_string(out, data, key)
    history = data.get("history")
    if history is None:
        return
    if not isinstance(history, list):
        out.add(WRONG_TYPE, "/history", f"'history' is {json_type(history)}, expected a list of [instruction, output] pairs")
        return
    for i, pair in enumerate(history):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            out.add(WRONG_TYPE, pointer("history", i), "history entry is not an [instruction, output] pair of strings")


def _preference(out: Collector, data: Data, fmt: Format, settings: Settings) -> None:
    _optional_string(out, data, "system")
    kind = layout(data)
    if kind == "implicit-messages":
        _implicit_messages(out, data, settings)
    elif kind == "transcript":
        _transcripts(out, data)
    else:
        _explicit_preference(out, data, settings)


def _explicit_preference(out: Collector, data: Data, settings: Settings) -> None:
    """A prompt key (or none: TRL's implicit prompt in plain strings) next to the two answers."""
    key = prompt_key(data)
    prompt: list[Turn] = []
    if key == "instruction":  # LLaMA-Factory's Alpaca-style preference data
        _text(out, "/instruction", data["instruction"], "'instruction'")
        _optional_string(out, data, "input")
    elif key is not None:
        prompt = _prompt_or_completion(out, data, key, settings) or []
    elif "prompt" in data and not any(isinstance(data.get(side), list) for side in SIDES):
        _text(out, "/prompt", None, "'prompt'")
    joined = False  # whether the prompt was checked as the start of a side's conversation
    for side in SIDES:
        value = data.get(side)
        if _side_missing(out, data, side):
            continue
        if isinstance(value, str):
            continue
        if isinstance(value, list):
            turns = check_messages(out, (side,), value, settings)
            check_conversation(out, prompt + turns, pointer(side), f"'{side}' side", trained=turns)
            joined = True
        else:
            out.add(WRONG_TYPE, pointer(side), f"'{side}' is {json_type(value)}, expected a string or a list of messages")
    if prompt and not joined:
        check_order(out, prompt)


def _side_missing(out: Collector, data: Data, side: str) -> bool:
    """DS114 for an absent, null, blank or empty answer; True when it was reported."""
    value = data.get(side)
    if side not in data:
        problem = "is missing"
    elif value is None:
        problem = "is null"
    elif is_blank(value):
        problem = "is empty"
    elif isinstance(value, list) and not value:
        problem = "is an empty list"
    else:
        return False
    out.add(PREFERENCE_SIDE_MISSING, pointer(side), f"'{side}' {problem}")
    return True


def _implicit_messages(out: Collector, data: Data, settings: Settings) -> None:
    """Both sides are whole conversations; their shared leading messages are the prompt, checked
    once (at the chosen side's pointers)."""
    chosen, rejected = data["chosen"], data["rejected"]
    if any(_side_missing(out, data, side) for side in SIDES):
        return
    n = shared_prefix(chosen, rejected)
    chosen_turns = check_messages(out, ("chosen",), chosen, settings)
    rejected_turns = chosen_turns[:n] + check_messages(out, ("rejected",), rejected, settings, start=n)
    for side, turns in (("chosen", chosen_turns), ("rejected", rejected_turns)):
        check_conversation(out, turns, pointer(side), f"'{side}' side", trained=turns[n:])


def _transcripts(out: Collector, data: Data) -> None:
    """Anthropic HH style: both sides are "Human: ... Assistant: ..." transcripts."""
    parsed = [parse_transcript(data[side]) or [] for side in SIDES]
    n = shared_prefix(*parsed)
    prompt = [Turn(("chosen",), t.role, t.text) for t in parsed[0][:n]]
    for side, turns in zip(SIDES, parsed):
        answer = [Turn((side,), t.role, t.text) for t in turns[n:]]
        check_conversation(out, prompt + answer, pointer(side), f"'{side}' side", trained=answer)
        if any(t.kind == "assistant" and is_blank(t.content) for t in answer):
            out.add(PREFERENCE_SIDE_MISSING, pointer(side), f"the '{side}' answer is empty")


def _sharegpt_ranking(out: Collector, data: Data, fmt: Format, settings: Settings) -> None:
    """LLaMA-Factory ranking data: prompt turns in `conversations`, one turn per answer."""
    _optional_string(out, data, "system")
    turns = data.get("conversations")
    prompt: list[Turn] = []
    if not isinstance(turns, list):
        out.add(WRONG_TYPE, "/conversations", f"'conversations' is {json_type(turns)}, expected a list of turns")
    elif not turns:
        out.add(WRONG_TYPE, "/conversations", "'conversations' is an empty list")
    else:
        prompt = check_sharegpt_turns(out, turns, settings)
        check_order(out, prompt)
    for side in SIDES:
        if _side_missing(out, data, side):
            continue
        value = data[side]
        if not isinstance(value, Mapping):
            out.add(WRONG_TYPE, pointer(side), f"'{side}' is {json_type(value)}, expected a {{from, value}} turn")
            continue
        answer = [check_sharegpt_turn(out, (side,), value, settings)]
        check_conversation(out, prompt + answer, pointer(side), f"'{side}' side", trained=answer)


def _openai_preference(out: Collector, data: Data, fmt: Format, settings: Settings) -> None:
    """OpenAI preference fine-tuning: input.messages, preferred_output, non_preferred_output."""
    prompt: list[Turn] = []
    inp = data.get("input")
    if not isinstance(inp, Mapping):
        out.add(WRONG_TYPE, "/input", f"'input' is {json_type(inp)}, expected an object with 'messages'")
    elif not isinstance(inp.get("messages"), list) or not inp["messages"]:
        if "messages" not in inp:
            out.add(MISSING_REQUIRED_KEY, "/input/messages", "'input' has no 'messages'")
        else:
            out.add(WRONG_TYPE, "/input/messages", "'input.messages' must be a non-empty list of messages")
    else:
        prompt = check_messages(out, ("input", "messages"), inp["messages"], settings)
        check_order(out, prompt)
        _check_tools(out, inp, "/input")
    for key, side in OpenAIPreference.BRANCHES.items():
        value = data.get(key)
        if not isinstance(value, list) or not value:
            problem = "is missing" if key not in data else f"is {json_type(value)}, expected a list with one assistant message"
            if isinstance(value, list):
                problem = "is an empty list"
            out.add(PREFERENCE_SIDE_MISSING, pointer(key), f"'{key}' ({side}) {problem}")
            continue
        answer = check_messages(out, (key,), value, settings)
        check_conversation(out, prompt + answer, pointer(key), f"'{key}'", trained=answer)


def _instruction_response(out: Collector, data: Data, fmt: Format, settings: Settings) -> None:
    assert isinstance(fmt, InstructionResponse)
    prompt, output = fmt.keys(data)
    for key, names in ((prompt, fmt.PROMPTS), (output, fmt.OUTPUTS)):
        if key is None:
            out.add(MISSING_REQUIRED_KEY, pointer(names[0]), f"record has no {' or '.join(repr(n) for n in names)}")
        else:
            _text(out, pointer(key), data[key], f"'{key}'")
    for key in (*fmt.CONTEXTS, *fmt.SYSTEMS):  # may be empty
        _optional_string(out, data, key)


def _prompt_completion(out: Collector, data: Data, fmt: Format, settings: Settings) -> None:
    _prompt_and_completion(out, data, fmt, settings)


def _prompt_and_completion(out: Collector, data: Data, fmt: Format, settings: Settings) -> list[str]:
    """A prompt and a completion, strings or message lists; returns the required keys present."""
    _optional_string(out, data, "system")
    present = _required(out, data, *fmt.required)
    prompt = _prompt_or_completion(out, data, "prompt", settings) if "prompt" in present else None
    completion = _prompt_or_completion(out, data, "completion", settings) if "completion" in present else None
    if completion:
        check_conversation(out, (prompt or []) + completion, "/completion", "completion", trained=completion)
    elif prompt:
        check_order(out, prompt)
    return present


def _kto(out: Collector, data: Data, fmt: Format, settings: Settings) -> None:
    if "label" in _prompt_and_completion(out, data, fmt, settings):
        _boolean_tag(out, data, "label")


def _stepwise(out: Collector, data: Data, fmt: Format, settings: Settings) -> None:
    """TRL stepwise supervision: a prompt, the steps of a solution and one boolean per step."""
    present = _required(out, data, "prompt", "completions", "labels")
    if "prompt" in present:
        _text(out, "/prompt", data["prompt"], "'prompt'")
    steps, labels = data.get("completions"), data.get("labels")
    if "completions" in present:
        if not isinstance(steps, list) or not steps:
            out.add(WRONG_TYPE, "/completions", "'completions' must be a non-empty list of steps")
        else:
            for i, step in enumerate(steps):
                _text(out, pointer("completions", i), step, "step")
    if "labels" in present:
        if not isinstance(labels, list) or not all(isinstance(v, bool) for v in labels):
            out.add(KTO_LABEL_NOT_BOOLEAN, "/labels", "'labels' must be a list of true/false, one per step")
        elif isinstance(steps, list) and len(labels) != len(steps):
            out.add(WRONG_TYPE, "/labels", f"{len(labels)} labels for {len(steps)} steps")


def _boolean_tag(out: Collector, data: Data, key: str) -> None:
    """DS115 for a KTO desirability flag that is not a JSON boolean."""
    value = data[key]
    if not isinstance(value, bool):
        scalar = isinstance(value, (str, int, float))
        what = f"{json_type(value)} ({literal(value)})" if scalar else json_type(value)
        out.add(KTO_LABEL_NOT_BOOLEAN, pointer(key), f"{key} is {what}, expected true or false")


def _kto_tagged(handler: Handler) -> Handler:
    """LLaMA-Factory's KTO layouts: an SFT layout plus a boolean `kto_tag`."""

    def check(out: Collector, data: Data, fmt: Format, settings: Settings) -> None:
        handler(out, data, fmt, settings)
        if "kto_tag" in data:
            _boolean_tag(out, data, "kto_tag")
        else:
            out.add(MISSING_REQUIRED_KEY, "/kto_tag", "record has no 'kto_tag'")

    return check


def _classification(out: Collector, data: Data, fmt: Format, settings: Settings) -> None:
    assert isinstance(fmt, Classification)
    # The keys the format resolves for this record (configured, or the first known name present).
    for text_ptr in map(key_pointer, fmt.text_keys_for(data)):
        found, text = resolve_pointer(data, text_ptr)
        if not found:
            out.add(MISSING_REQUIRED_KEY, text_ptr, f"record has no text field {quote(text_ptr)}")
        else:
            _text(out, text_ptr, text, "text", blank_rule=CLASSIFICATION_EMPTY)
    label_ptr = key_pointer(fmt.label_key_for(data))
    found, label = resolve_pointer(data, label_ptr)
    if not found:
        out.add(MISSING_REQUIRED_KEY, label_ptr, f"record has no label field {quote(label_ptr)}")
    elif label is None or is_nan(label):
        out.add(CLASSIFICATION_EMPTY, label_ptr, "label is null" if label is None else "label is NaN")
    elif is_blank(label):
        out.add(CLASSIFICATION_EMPTY, label_ptr, "label is empty")
    elif isinstance(label, list) and not label:
        out.add(CLASSIFICATION_EMPTY, label_ptr, "label is an empty list")
    elif isinstance(label, Mapping):
        out.add(WRONG_TYPE, label_ptr, "label is an object, expected a string, number, boolean or list")


def _plain_text(out: Collector, data: Data, fmt: Format, settings: Settings) -> None:
    ptr = key_pointer(fmt.text_key)  # type: ignore[attr-defined]
    found, value = resolve_pointer(data, ptr)
    if not found:
        out.add(MISSING_REQUIRED_KEY, ptr, f"record has no text field {quote(ptr)}")
    else:
        _text(out, ptr, value, "text")


def _mapped(out: Collector, data: Data, fmt: Format, settings: Settings) -> None:
    inputs, outputs, label_ptr = fmt.inputs, fmt.outputs, fmt.label_pointer  # type: ignore[attr-defined]
    blank_inputs = []
    for ptr in [*inputs, *outputs]:
        found, value = resolve_pointer(data, ptr)
        if not found:
            out.add(MISSING_REQUIRED_KEY, ptr, f"record has no mapped field {quote(ptr)}")
        elif value is not None and not isinstance(value, str):
            out.add(WRONG_TYPE, ptr, f"{quote(ptr)} is {json_type(value)}, expected a string")
        elif ptr in outputs:
            _text(out, ptr, value, "output")
        elif value is None or is_blank(value):
            blank_inputs.append(ptr)
    # One input of several may be empty (like Alpaca's `input`); all of them may not.
    if inputs and len(blank_inputs) == len(inputs):
        others = "" if len(inputs) == 1 else ", as are all other mapped inputs"
        for ptr in blank_inputs:
            out.add(EMPTY_CONTENT, ptr, f"input is empty or null{others}")
    if label_ptr is not None and not resolve_pointer(data, label_ptr)[0]:
        out.add(MISSING_REQUIRED_KEY, label_ptr, f"record has no label field {quote(label_ptr)}")


HANDLERS: dict[str, Handler] = {
    "openai-chat": _openai_chat,
    "sharegpt": _sharegpt,
    "alpaca": _alpaca,
    "preference": _preference,
    "sharegpt-ranking": _sharegpt_ranking,
    "openai-preference": _openai_preference,
    "prompt-completion": _prompt_completion,
    "instruction-response": _instruction_response,
    "stepwise": _stepwise,
    "sharegpt-kto": _kto_tagged(_sharegpt),
    "alpaca-kto": _kto_tagged(_alpaca),
    "kto": _kto,
    "classification": _classification,
    "text": _plain_text,
    "mapped": _mapped,
}
NO_TOP_LEVEL_KEY_CHECK = frozenset({"mapped", "unknown"})


@functools.lru_cache(maxsize=256)  # one format object per file: computed once per file
def known_top_keys(fmt: Format) -> frozenset[str]:
    """Top-level keys a format accepts, including keys configured for it."""
    return frozenset(top_key(k) for k in fmt.known_keys())


class SchemaCheck(RecordCheck):
    """Per-record schema rules, dispatched on the record's format."""

    rules = (
        MISSING_REQUIRED_KEY,
        WRONG_TYPE,
        UNKNOWN_KEY,
        UNKNOWN_ROLE,
        EMPTY_CONTENT,
        NO_ASSISTANT_RESPONSE,
        SYSTEM_NOT_FIRST,
        ROLES_NOT_ALTERNATING,
        TOOL_CALL_WITHOUT_RESULT,
        TOOL_RESULT_WITHOUT_CALL,
        PREFERENCE_SIDE_MISSING,
        KTO_LABEL_NOT_BOOLEAN,
        CLASSIFICATION_EMPTY,
        LAST_TURN_NOT_ASSISTANT,
        NO_USER_MESSAGE,
        UNKNOWN_MESSAGE_KEY,
    )

    def __init__(self, ctx: CheckContext | None = None) -> None:
        super().__init__(ctx)
        self.settings = Settings(
            allow=frozenset(self.ctx.opts(UNKNOWN_KEY).allow),
            message_allow=frozenset(self.ctx.opts(UNKNOWN_MESSAGE_KEY).allow),
            extra_roles=frozenset(self.ctx.opts(UNKNOWN_ROLE).extra_roles),
        )

        # Shapes of plain chat records (``_plain_chat_shape``) already checked with nothing found.
        self._clean_shapes: set[tuple[Any, ...]] = set()

    def check_batch(self, batch: Batch) -> Iterable[Finding]:
        """``check`` of each record, but a plain chat record of a shape already found clean."""
        clean = self._clean_shapes
        for record in batch.records:
            shape = _plain_chat_shape(record)
            if shape is not None and shape in clean:
                continue
            findings = self.check(record)
            if shape is not None and not findings and len(clean) < MAX_SHAPES:
                clean.add(shape)
            yield from findings

    def check(self, record: Record) -> list[Finding]:
        fmt = record.format
        if fmt is None:
            return []
        out = Collector(record)
        other = _other_layout(record.data, fmt)
        if other is not None:
            keys = ", ".join(quote(k) for k in list(record.data)[:6])
            out.add(
                MISSING_REQUIRED_KEY,
                "",
                f"record does not fit its file's format {fmt.name}: it looks like {other} (keys {keys})",
            )
            return out.findings()
        if fmt.name not in NO_TOP_LEVEL_KEY_CHECK:
            known = known_top_keys(fmt) | self.settings.allow
            for key in record.data:
                if key not in known:
                    out.add(UNKNOWN_KEY, pointer(key), f"unknown key {quote(key)} for format {fmt.name}")
        handler = HANDLERS.get(fmt.name)
        if handler is not None:
            handler(out, record.data, fmt, self.settings)
        return out.findings()


MAX_SHAPES = 10_000  # clean shapes remembered (bounds memory on long, varied conversations)


def _plain_chat_shape(record: Record) -> tuple[Any, ...] | None:
    """The format, top-level keys and speakers of a chat record whose turns are all plain
    (OpenAI {role, content} with a role that needs nothing else, ShareGPT {from, value}; non-blank
    text) and whose other keys hold nothing the schema rules read (no tools, a string system
    prompt): then its schema findings depend on these alone, not on the texts. None otherwise."""
    fmt, data = record.format, record.data
    if fmt is None or not isinstance(data, dict):
        return None
    if fmt.name == "openai-chat" and _TOOL_KEYS.isdisjoint(data):
        turns, speaker_key, text_key, speakers = data.get("messages"), "role", "content", PLAIN_ROLES
    elif fmt.name == "sharegpt" and type(data.get("system", "")) is str:
        turns, speaker_key, text_key, speakers = data.get("conversations"), "from", "value", None
    else:
        return None
    if type(turns) is not list or not turns:
        return None
    roles = []
    for turn in turns:
        if type(turn) is not dict or len(turn) != 2:
            return None
        role, text = turn.get(speaker_key), turn.get(text_key)
        if type(role) is not str or (speakers is not None and role not in speakers):
            return None
        if type(text) is not str or not text or text.isspace():
            return None
        roles.append(role)
    return fmt, tuple(data), tuple(roles)


_TOOL_KEYS = frozenset({"tools", "functions", "parallel_tool_calls"})


def _other_layout(data: Data, fmt: Format) -> str | None:
    """The name of another layout a record matches when it shares no required key with its file's
    format (a file of mixed layouts); None otherwise: then the format's own rules say what is
    missing."""
    if fmt.name in NO_TOP_LEVEL_KEY_CHECK or fmt.matches(data) or any(k in data for k in fmt.required):
        return None
    other = detect_format([data])
    return None if other.name in (fmt.name, "unknown") else other.name


CHECKS: list[Any] = [*READ_RULES, SchemaCheck, InconsistentFieldsCheck]

__all__ = ["CHECKS", "EMPTY_FILE", "INCONSISTENT_FIELDS", "InconsistentFieldsCheck", "SchemaCheck"]
