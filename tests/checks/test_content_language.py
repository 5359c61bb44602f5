"""DS813 language-mismatch: responses in another language than their prompt, or than the file's
expected languages, identified offline with py3langid."""

from __future__ import annotations

from typing import Any

import pytest

from dslint.check import CheckContext
from dslint.checks.content.check import ContentCheck
from dslint.checks.content.language import identify, sample
from dslint.finding import Severity
from dslint.formats import make_format
from dslint.record import Record
from tests.checks.test_content import RULES, alpaca, chat


def run(data: dict[str, Any], fmt: str = "openai-chat", file: str = "train.jsonl", options: dict | None = None) -> list:
    ctx = CheckContext(
        options={"DS813": RULES["DS813"].options.model_validate(options or {})},
        enabled=frozenset({"DS813"}),
    )
    record = Record(file=file, line=1, index=0, data=data, split="train", format=make_format(fmt))
    return list(ContentCheck(ctx).check(record))


EN_Q = "Can you explain how photosynthesis works in plants and why it matters for life on Earth?"
FR_A = "La photosynthèse permet aux plantes de transformer la lumière du soleil en énergie chimique, et elle produit l'oxygène que nous respirons."
EN_A = "Plants capture sunlight with chlorophyll and turn water and carbon dioxide into sugar, releasing the oxygen we breathe."
ES_Q = "¿Podrías explicarme cómo funciona la fotosíntesis en las plantas y por qué es importante para la vida?"
ZH_Q = "请解释一下植物的光合作用是如何进行的，以及它为什么对地球上的生命如此重要？我想知道详细的过程。"
DE_A = "Die Photosynthese wandelt Sonnenlicht, Wasser und Kohlendioxid in Zucker und Sauerstoff um; ohne sie gäbe es kein Leben an Land."


@pytest.mark.parametrize(
    ("data", "fmt", "lang", "prompt_lang"),
    [
        (chat(EN_Q, FR_A), "openai-chat", "fr", "en"),
        (chat(ES_Q, EN_A), "openai-chat", "en", "es"),
        (chat(ZH_Q, EN_A), "openai-chat", "en", "zh"),
        (alpaca(EN_Q, DE_A), "alpaca", "de", "en"),
    ],
)
def test_reports_a_response_in_another_language(data: dict, fmt: str, lang: str, prompt_lang: str) -> None:
    (finding,) = run(data, fmt)
    assert finding.rule == "DS813" and finding.severity is Severity.INFO
    assert finding.metrics["language"] == lang and finding.metrics["prompt_language"] == prompt_lang
    assert finding.related and f"'{lang}'" in finding.message


@pytest.mark.parametrize(
    "data",
    [
        chat(EN_Q, EN_A),
        chat(ES_Q, "La fotosíntesis convierte la luz del sol, el agua y el dióxido de carbono en azúcar y oxígeno para la planta."),
        chat("Translate into French: photosynthesis lets plants turn sunlight into chemical energy and oxygen.", FR_A),
        chat("Answer in German please: how does photosynthesis turn sunlight into sugar inside a leaf?", DE_A),
        chat("Übersetze bitte ins Französische: Die Photosynthese wandelt Licht in chemische Energie um.", FR_A),
        chat("Merci beaucoup !", "You're welcome!"),  # too short to tell
        chat(EN_Q, "```python\nimport numpy as np\nprint(np.linspace(0, 1, 5))\n```"),  # code tells no language
    ],
)
def test_accepts_same_language_translations_and_short_texts(data: dict) -> None:
    assert run(data) == []


def test_expected_languages_per_file() -> None:
    options = {"expected": {"data/fr/**": ["fr"], "*.jsonl": ["en"]}}
    assert run(chat(EN_Q, FR_A), file="data/fr/train.jsonl", options=options) == []
    (finding,) = run(chat(EN_Q, EN_A), file="data/fr/train.jsonl", options=options)
    assert finding.metrics["language"] == "en" and "['fr']" in finding.message
    assert [f.metrics["language"] for f in run(chat(FR_A, FR_A), file="other/valid.jsonl", options=options)] == ["fr"]
    assert run(chat(EN_Q, EN_A), file="other/valid.jsonl", options=options) == []


def test_options_validate_codes_and_thresholds() -> None:
    model = RULES["DS813"].options
    with pytest.raises(ValueError, match="ISO 639-1"):
        model.model_validate({"expected": {"*.jsonl": ["English"]}})
    with pytest.raises(ValueError):
        model.model_validate({"min-confidence": 0.2})
    assert run(chat(EN_Q, FR_A), options={"min-letters": 500}) == []


def test_identify_is_deterministic() -> None:
    assert identify(sample(FR_A)) == identify(sample(FR_A)) and identify(sample(FR_A))[0] == "fr"


def test_turns_option_compares_later_responses() -> None:
    data = {"messages": [
        {"role": "user", "content": EN_Q}, {"role": "assistant", "content": EN_A},
        {"role": "user", "content": "And what happens to the sugar the plant makes during the day afterwards?"},
        {"role": "assistant", "content": FR_A},
    ]}  # fmt: skip
    assert run(data) == []
    assert [f.location.field for f in run(data, options={"turns": 2})] == ["/messages/3/content"]
