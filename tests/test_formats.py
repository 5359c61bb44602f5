from __future__ import annotations

from types import MappingProxyType

import pytest

from dslint.formats import detect_format, input_text, make_format, output_text

CHAT = {"messages": [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Capital of Peru?"},
    {"role": "assistant", "content": "Lima."},
    {"role": "user", "content": "And Chile?"},
    {"role": "assistant", "content": "Santiago.", "weight": 0},
]}
SHAREGPT = {"conversations": [{"from": "human", "value": "Hola, ¿qué tal?"}, {"from": "gpt", "value": "¡Muy bien, gracias!"}]}
ALPACA = {"instruction": "Classify the sentiment.", "input": "The battery died after an hour.", "output": "negative"}
PREFERENCE = {"prompt": "Write a haiku about rain.", "chosen": "Soft rain on tin roofs", "rejected": "Rain is wet."}
PREFERENCE_MSGS = {
    "chosen": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}],
    "rejected": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "5"}],
}
KTO = {"prompt": "Name a prime number.", "completion": "9", "label": False}
CLASSIFICATION = {"text": "Refund took three weeks.", "label": "billing"}
TEXT = {"text": "The mitochondria is the powerhouse of the cell."}


@pytest.mark.parametrize(
    ("record", "name"),
    [
        (CHAT, "openai-chat"),
        (SHAREGPT, "sharegpt"),
        (ALPACA, "alpaca"),
        (PREFERENCE, "preference"),
        (PREFERENCE_MSGS, "preference"),
        (KTO, "kto"),
        (CLASSIFICATION, "classification"),
        (TEXT, "text"),
        ({"question": "q", "answer": "a"}, "instruction-response"),
        ({"instruction": "i", "context": "", "response": "r", "category": "open_qa"}, "instruction-response"),
        ({"conversations": [], "chosen": {"from": "gpt", "value": "a"}, "rejected": {"from": "gpt", "value": "b"}}, "sharegpt-ranking"),
        ({"input": {"messages": []}, "preferred_output": [], "non_preferred_output": []}, "openai-preference"),
        ({"prompt": "p", "completion": "c"}, "prompt-completion"),
        ({"chosen": "\n\nHuman: q\n\nAssistant: a", "rejected": "\n\nHuman: q\n\nAssistant: b"}, "preference"),
        ({"src_text": "q", "tgt_text": "a"}, "unknown"),
    ],
)
def test_detection(record: dict, name: str) -> None:
    assert detect_format([record] * 3).name == name


def test_detection_follows_the_majority_of_the_sample() -> None:
    sample = [CHAT] * 8 + [ALPACA] * 2
    assert detect_format(sample).name == "openai-chat"


def test_chat_fields_roles_pointers_and_weight() -> None:
    fields = make_format("openai-chat").fields(CHAT)
    assert [(f.pointer, f.role, f.part) for f in fields] == [
        ("/messages/0/content", "system", "input"),
        ("/messages/1/content", "user", "input"),
        ("/messages/2/content", "assistant", "output"),
        ("/messages/3/content", "user", "input"),
        ("/messages/4/content", "assistant", "input"),  # weight 0: not trained on
    ]
    assert output_text(fields) == "Lima."


def test_chat_fields_of_unusual_messages() -> None:
    """The fast paths of message_fields (dict messages, string roles and contents) give what the
    general ones give: odd roles, every kind of weight, mappings and string subclasses."""

    class Text(str):
        pass

    messages = [
        {"role": "developer", "content": "a"},
        {"role": "function", "content": "b"},
        {"role": "narrator", "content": "c"},
        {"role": 7, "content": "d"},
        {"role": Text("assistant"), "content": Text("e")},
        {"role": "assistant", "content": "f", "weight": 0.0},
        {"role": "assistant", "content": "g", "weight": False},
        {"role": "assistant", "content": "h", "loss_weight": 0},
        {"role": "assistant", "content": "i", "weight": "0", "loss_weight": None},
        MappingProxyType({"role": "assistant", "content": "j"}),
        "not a message",
        {"role": "assistant", "content": [{"type": "text", "text": "k"}]},
        {"role": "assistant", "content": None},
    ]
    fields = make_format("openai-chat").fields({"messages": messages})
    assert [(f.pointer, f.role, f.text, f.part) for f in fields] == [
        ("/messages/0/content", "system", "a", "input"),
        ("/messages/1/content", "tool", "b", "input"),
        ("/messages/2/content", "user", "c", "input"),
        ("/messages/3/content", "user", "d", "input"),
        ("/messages/4/content", "assistant", "e", "output"),
        ("/messages/5/content", "assistant", "f", "input"),
        ("/messages/6/content", "assistant", "g", "output"),
        ("/messages/7/content", "assistant", "h", "input"),
        ("/messages/8/content", "assistant", "i", "output"),
        ("/messages/9/content", "assistant", "j", "output"),
        ("/messages/11/content/0/text", "assistant", "k", "output"),
    ]
    chosen = make_format("preference").fields({"prompt": "q", "chosen": [{"role": "assistant", "content": "x"}],
                                               "rejected": [{"role": "assistant", "content": "y"}]})
    assert [(f.pointer, f.branch, f.learned) for f in chosen][1:] == [
        ("/chosen/0/content", "chosen", True), ("/rejected/0/content", "rejected", False)
    ]


def test_content_parts_lists_are_read() -> None:
    rec = {"messages": [{"role": "user", "content": [{"type": "text", "text": "Describe"}, {"type": "image_url", "image_url": {"url": "x"}}]}]}
    assert [f.text for f in make_format("openai-chat").fields(rec)] == ["Describe"]


def test_sharegpt_roles_are_mapped() -> None:
    fields = make_format("sharegpt").fields(SHAREGPT)
    assert [(f.pointer, f.role, f.part) for f in fields] == [
        ("/conversations/0/value", "user", "input"),
        ("/conversations/1/value", "assistant", "output"),
    ]


def test_preference_branches_and_what_is_learned() -> None:
    # No prompt key: the user message both sides share is the implicit prompt, read once.
    fields = make_format("preference").fields(PREFERENCE_MSGS)
    assert [(f.pointer, f.role, f.branch, f.learned) for f in fields] == [
        ("/chosen/0/content", "user", None, False),
        ("/chosen/1/content", "assistant", "chosen", True),
        ("/rejected/1/content", "assistant", "rejected", False),
    ]


def test_kto_undesirable_completion_is_not_learned() -> None:
    fields = make_format("kto").fields(KTO)
    assert output_text(fields) == ""
    assert input_text(fields) == "Name a prime number."
    assert make_format("kto").label(KTO) == ("/label", False)


def test_alpaca_input_and_output() -> None:
    fields = make_format("alpaca").fields(ALPACA)
    assert input_text(fields) == "Classify the sentiment.\nThe battery died after an hour."
    assert output_text(fields) == "negative"


def test_classification_with_configured_columns() -> None:
    fmt = make_format("classification", {"text": "review", "label": "stars"})
    rec = {"review": "Great value.", "stars": 5}
    assert fmt.matches(rec)
    assert [f.pointer for f in fmt.fields(rec)] == ["/review"]
    assert fmt.label(rec) == ("/stars", 5)


def test_field_mapping_makes_a_mapped_format_with_pointers() -> None:
    fmt = detect_format([{}], {"input": ["question", "/context/passage"], "output": "answer", "label": "category"})
    rec = {"question": "Who wrote it?", "context": {"passage": "Written by Ada."}, "answer": "Ada", "category": "qa"}
    assert fmt.name == "mapped"
    assert [(f.pointer, f.part) for f in fmt.fields(rec)] == [
        ("/question", "input"), ("/context/passage", "input"), ("/answer", "output")
    ]
    assert fmt.label(rec) == ("/category", "qa")


def test_pointer_escaping() -> None:
    from dslint.formats.base import pointer, resolve_pointer

    assert pointer("a/b", "m~n", 0) == "/a~1b/m~0n/0"
    assert resolve_pointer({"a/b": {"m~n": ["x"]}}, "/a~1b/m~0n/0") == (True, "x")
    assert resolve_pointer({"a": []}, "/a/3") == (False, None)


def test_malformed_records_do_not_raise() -> None:
    for name in ("openai-chat", "sharegpt", "alpaca", "preference", "kto", "classification", "text"):
        fmt = make_format(name)
        for rec in ({}, {"messages": "x", "conversations": 3, "chosen": [1, None], "prompt": {"a": 1}}):
            fmt.fields(rec)
            fmt.label(rec)
