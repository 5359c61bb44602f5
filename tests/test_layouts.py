"""Every layout that trainers and public datasets use, read the way trainers read it.

``tests/data/layouts/`` holds one clean file per layout, in the style of the public datasets that
use it (Anthropic HH, TRL's standard and conversational data, LLaMA-Factory's Alpaca and ShareGPT
ranking data, Orca pairs, OpenAI chat and preference fine-tuning, KTO, a banking-intent CSV). A
planted defect in the prompt, the chosen or the rejected answer is found at its own JSON pointer,
with the severity of the side it is on, and the shared prompt is checked once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import dslint
from dslint.finding import Finding, Severity

LAYOUTS = Path(__file__).parent / "data" / "layouts"

DETECTED = {
    "alpaca.jsonl": "alpaca",
    "alpaca_ranking.jsonl": "preference",
    "banking_intents.csv": "classification",
    "dolly.jsonl": "instruction-response",
    "gsm8k.jsonl": "instruction-response",
    "openorca.jsonl": "instruction-response",
    "dpo_conversational.jsonl": "preference",
    "dpo_implicit_prompt.jsonl": "preference",
    "dpo_pairs.jsonl": "preference",
    "hh_rlhf.jsonl": "preference",
    "kto.jsonl": "kto",
    "llamafactory_kto.jsonl": "sharegpt-kto",
    "llamafactory_parts.jsonl": "openai-chat",
    "openai_chat.jsonl": "openai-chat",
    "openai_preference.jsonl": "openai-preference",
    "orca_pairs.jsonl": "preference",
    "prompt_completion.jsonl": "prompt-completion",
    "sharegpt.jsonl": "sharegpt",
    "sharegpt_ranking.jsonl": "sharegpt-ranking",
    "text.jsonl": "text",
}


def test_a_folder_of_every_clean_layout_has_no_finding() -> None:
    report = dslint.lint([LAYOUTS], select=["ALL"])
    assert [(f.rule, f.location and f.location.file, f.message) for f in report.findings] == []
    assert {Path(d.path).name: d.format for d in report.summary.file_details} == DETECTED
    assert report.passed


def test_an_unrecognised_layout_fails_the_gate(tmp_path: Path, cli) -> None:
    rows = [{"src_text": "Guten Morgen", "tgt_text": "Good morning"}, {"src_text": "Danke", "tgt_text": "Thank you"}]
    (tmp_path / "wmt_style.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = cli("check", str(tmp_path), "--format", "json")
    assert result.code == 1
    (finding,) = [f for f in result.json()["findings"] if f["rule"] == "DS120"]
    assert finding["severity"] == "error" and finding["location"]["file"].endswith("wmt_style.jsonl")
    assert "'src_text', 'tgt_text'" in finding["message"] and "fields:" in finding["message"]


def test_a_mapped_layout_is_recognised(tmp_path: Path) -> None:
    rows = [{"src_text": "Guten Morgen", "tgt_text": "Good morning"}]
    (tmp_path / "qa.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "dslint.yaml").write_text("fields:\n  input: src_text\n  output: tgt_text\n")
    report = dslint.lint([tmp_path / "qa.jsonl"], config=tmp_path / "dslint.yaml")
    assert [f.rule for f in report.findings] == []


# --- planted defects in every preference layout -------------------------------------------------

Build = Callable[[str, str, str], dict]


def _chat(role: str, text: str) -> dict:
    return {"role": role, "content": text}


# layout -> (record builder from prompt, chosen and rejected text; pointers of the three texts)
PREFERENCE_LAYOUTS: dict[str, tuple[Build, tuple[str, str, str]]] = {
    "trl-standard": (lambda p, c, r: {"prompt": p, "chosen": c, "rejected": r}, ("/prompt", "/chosen", "/rejected")),
    "trl-conversational": (
        lambda p, c, r: {"prompt": [_chat("user", p)], "chosen": [_chat("assistant", c)], "rejected": [_chat("assistant", r)]},
        ("/prompt/0/content", "/chosen/0/content", "/rejected/0/content"),
    ),
    "trl-implicit-prompt": (
        lambda p, c, r: {"chosen": [_chat("user", p), _chat("assistant", c)], "rejected": [_chat("user", p), _chat("assistant", r)]},
        ("/chosen/0/content", "/chosen/1/content", "/rejected/1/content"),
    ),
    "hh-transcript": (
        lambda p, c, r: {"chosen": f"\n\nHuman: {p}\n\nAssistant: {c}", "rejected": f"\n\nHuman: {p}\n\nAssistant: {r}"},
        ("/chosen", "/chosen", "/rejected"),
    ),
    "sharegpt-ranking": (
        lambda p, c, r: {"conversations": [{"from": "human", "value": p}], "chosen": {"from": "gpt", "value": c},
                         "rejected": {"from": "gpt", "value": r}},
        ("/conversations/0/value", "/chosen/value", "/rejected/value"),
    ),
    "openai-preference": (
        lambda p, c, r: {"input": {"messages": [_chat("user", p)]}, "preferred_output": [_chat("assistant", c)],
                         "non_preferred_output": [_chat("assistant", r)]},
        ("/input/messages/0/content", "/preferred_output/0/content", "/non_preferred_output/0/content"),
    ),
    "llamafactory-alpaca-ranking": (
        lambda p, c, r: {"instruction": p, "input": "", "chosen": c, "rejected": r}, ("/instruction", "/chosen", "/rejected")
    ),
    "orca-pairs": (
        lambda p, c, r: {"system": "You are a helpful assistant.", "question": p, "chosen": c, "rejected": r},
        ("/question", "/chosen", "/rejected"),
    ),
}

PROMPT = "My neighbour's dog barks all night. How should I raise it with them?"
CHOSEN = "Pick a calm moment, mention the specific nights and times, and ask if they have noticed it too."
REJECTED = "Call the police straight away."
EMAIL = "contact me at jonas.weber@posteo.de"


def lint_one(tmp_path: Path, record: dict) -> list[Finding]:
    path = tmp_path / "pairs.jsonl"
    path.write_text(json.dumps(record) + "\n")
    return [f for f in dslint.lint([path], fail_on="never").findings if f.location and f.location.record is not None]


@pytest.mark.parametrize("layout", PREFERENCE_LAYOUTS)
def test_a_clean_pair_has_no_finding(layout: str, tmp_path: Path) -> None:
    build, _ = PREFERENCE_LAYOUTS[layout]
    assert lint_one(tmp_path, build(PROMPT, CHOSEN, REJECTED)) == []


@pytest.mark.parametrize("layout", PREFERENCE_LAYOUTS)
@pytest.mark.parametrize("side", [1, 2])
def test_an_empty_answer_is_an_error_at_its_pointer(layout: str, side: int, tmp_path: Path) -> None:
    build, pointers = PREFERENCE_LAYOUTS[layout]
    texts = [PROMPT, CHOSEN, REJECTED]
    texts[side] = ""
    findings = lint_one(tmp_path, build(*texts))
    errors = [(f.rule, f.location.field) for f in findings if f.severity is Severity.ERROR]
    assert errors and all(rule in ("DS108", "DS114") for rule, _ in errors)
    assert pointers[side] in {ptr for _, ptr in errors}


@pytest.mark.parametrize("layout", PREFERENCE_LAYOUTS)
@pytest.mark.parametrize(("side", "severity"), [(0, Severity.WARNING), (1, Severity.ERROR), (2, Severity.WARNING)])
def test_pii_is_found_once_on_its_side(layout: str, side: int, severity: Severity, tmp_path: Path) -> None:
    # Input-side text (the prompt) and the rejected answer are not learned: warnings; the chosen
    # answer is learned: an error. A prompt shared by both sides is reported once.
    build, pointers = PREFERENCE_LAYOUTS[layout]
    texts = [PROMPT, CHOSEN, REJECTED]
    texts[side] += f" ({EMAIL})"
    pii = [f for f in lint_one(tmp_path, build(*texts)) if f.rule == "DS501"]
    assert [(f.location.field, f.severity) for f in pii] == [(pointers[side], severity)]
    assert "jonas.weber" not in pii[0].message


@pytest.mark.parametrize("layout", PREFERENCE_LAYOUTS)
def test_boilerplate_and_placeholders_are_found_in_the_answers(layout: str, tmp_path: Path) -> None:
    build, pointers = PREFERENCE_LAYOUTS[layout]
    chosen = "As an AI language model, I suggest talking to them calmly. " + CHOSEN
    rejected = "Dear {{neighbour_name}}, stop it."
    findings = lint_one(tmp_path, build(PROMPT, chosen, rejected))
    assert ("DS801", pointers[1]) in {(f.rule, f.location.field) for f in findings}
    assert ("DS804", pointers[2]) in {(f.rule, f.location.field) for f in findings}


def test_chosen_equal_to_rejected_is_found_in_every_layout(tmp_path: Path) -> None:
    for layout, (build, pointers) in PREFERENCE_LAYOUTS.items():
        findings = lint_one(tmp_path, build(PROMPT, CHOSEN, CHOSEN.upper()))
        assert "DS811" in {f.rule for f in findings}, layout


def test_transcript_turns_are_not_merged_examples(tmp_path: Path) -> None:
    # "Human:" is the structure of an HH transcript, not a response running into another example.
    record = json.loads((LAYOUTS / "hh_rlhf.jsonl").read_text().splitlines()[2])
    assert record["chosen"].count("\n\nHuman:") == 2
    assert lint_one(tmp_path, record) == []


def test_kto_pairs_of_one_prompt_are_not_conflicts(tmp_path: Path) -> None:
    # KTO data holds a desirable and an undesirable completion of the same prompt on purpose.
    rows = [json.loads(line) for line in (LAYOUTS / "kto.jsonl").read_text().splitlines()]
    assert rows[0]["prompt"] == rows[1]["prompt"] and rows[0]["label"] != rows[1]["label"]
    report = dslint.lint([LAYOUTS / "kto.jsonl"], select=["ALL"])
    assert report.findings == []


def test_content_parts_are_read_with_pointers_to_each_part(tmp_path: Path) -> None:
    record = {"messages": [
        {"role": "user", "content": [{"type": "text", "text": "Describe the photo."},
                                     {"type": "image_url", "image_url": {"url": "https://images.example.com/x.png"}}]},
        {"role": "assistant", "content": [{"type": "text", "text": "A harbour at dusk."},
                                          {"type": "text", "text": f"Sent by {EMAIL}"}]},
    ]}
    pii = [f for f in lint_one(tmp_path, record) if f.rule == "DS501"]
    assert [(f.location.field, f.severity) for f in pii] == [("/messages/1/content/1/text", Severity.ERROR)]


@pytest.mark.parametrize("layout", PREFERENCE_LAYOUTS)
@pytest.mark.parametrize("side", [0, 1, 2])
def test_a_placeholder_is_found_on_every_side(layout: str, side: int, tmp_path: Path) -> None:
    build, pointers = PREFERENCE_LAYOUTS[layout]
    texts = [PROMPT, CHOSEN, REJECTED]
    texts[side] += " Regards, {{agent_name}}"
    found = [(f.rule, f.location.field) for f in lint_one(tmp_path, build(*texts)) if f.rule == "DS804"]
    assert found == [("DS804", pointers[side])]


# An HH transcript's prompt is a substring of each side: an empty Human turn has no field of its own.
@pytest.mark.parametrize("layout", [name for name in PREFERENCE_LAYOUTS if name != "hh-transcript"])
def test_an_empty_prompt_is_an_error_at_its_pointer(layout: str, tmp_path: Path) -> None:
    build, pointers = PREFERENCE_LAYOUTS[layout]
    findings = lint_one(tmp_path, build("", CHOSEN, REJECTED))
    assert ("DS108", pointers[0], Severity.ERROR) in {(f.rule, f.location.field, f.severity) for f in findings}


def kto_file(tmp_path: Path, rows: list[dict]) -> list[Finding]:
    path = tmp_path / "kto.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return [f for f in dslint.lint([path], fail_on="never").findings if f.location and f.location.record is not None]


@pytest.mark.parametrize("conversational", [False, True])
def test_kto_defects_are_found_on_their_side(conversational: bool, tmp_path: Path) -> None:
    def row(prompt: str, completion: str, label: bool) -> dict:
        if conversational:
            return {"prompt": [_chat("user", prompt)], "completion": [_chat("assistant", completion)], "label": label}
        return {"prompt": prompt, "completion": completion, "label": label}

    p, c = ("/prompt/0/content", "/completion/0/content") if conversational else ("/prompt", "/completion")
    rows = [
        row(f"{PROMPT} ({EMAIL})", CHOSEN, True),  # PII in the prompt: input side
        row(PROMPT, f"{CHOSEN} ({EMAIL})", True),  # in a desirable completion: learned
        row(PROMPT, f"{REJECTED} ({EMAIL})", False),  # in an undesirable one: not learned
        row(PROMPT, "", True),
    ]
    findings = kto_file(tmp_path, rows)
    pii = [(f.location.record, f.location.field, f.severity) for f in findings if f.rule == "DS501"]
    assert pii == [(0, p, Severity.WARNING), (1, c, Severity.ERROR), (2, c, Severity.WARNING)]
    assert (3, c) in {(f.location.record, f.location.field) for f in findings if f.rule == "DS108"}


def test_a_rendered_transcript_in_plain_text_is_not_merged_examples(tmp_path: Path) -> None:
    # timdettmers/openassistant-guanaco style: each `text` is a whole conversation rendered with
    # "### Human:" / "### Assistant:" markers. A text that runs on into a marker later still fires.
    rows = [
        {"text": "### Human: What is the capital of Peru?### Assistant: Lima is the capital of Peru."},
        {"text": "### Human: Name a fast land animal.### Assistant: The cheetah.### Human: How fast?### Assistant: Up to about 100 km/h."},
        {"text": "Cheetahs are the fastest land animals, reaching about 100 km/h in short bursts.\n\n### Human: Next question"},
    ]
    path = tmp_path / "guanaco.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    merged = [f.location.record for f in dslint.lint([path], fail_on="never").findings if f.rule == "DS806"]
    assert merged == [2]
