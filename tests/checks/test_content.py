"""The content family: DS801/DS802 (YAML pack) and DS803-DS811 (ContentCheck), both ways, with
realistic records; a clean multilingual sample that must produce no finding at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslint.batch import Batch
from dslint.check import DOC_SECTIONS, CheckContext
from dslint.checks.content.check import CHECKS, ContentCheck, _may_be_equal
from dslint.checks.content.rules import CONTENT_RULES
from dslint.checks.content.text import TextView, scan_fences
from dslint.finding import Finding, Severity
from dslint.formats import make_format
from dslint.normalize import normalize_text
from dslint.packs import PackCheck, load_pack
from dslint.prefilter import Haystack
from dslint.record import Record
from dslint.redact import quote

REPO = Path(__file__).resolve().parents[2]
RULES = {r.code: r for r in CONTENT_RULES}
PACK_RULES = load_pack(REPO / "rules" / "packs" / "content.yaml", "rules/packs/content.yaml")


def rec(data: dict[str, Any], fmt: str = "openai-chat", index: int = 0) -> Record:
    return Record(file="train.jsonl", line=index + 1, index=index, data=data, split="train", format=make_format(fmt))


def chat(user: str, assistant: str, system: str | None = None) -> dict[str, Any]:
    messages = [{"role": "system", "content": system}] if system else []
    return {"messages": [*messages, {"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


def alpaca(instruction: str, output: str, input: str = "") -> dict[str, Any]:
    return {"instruction": instruction, "input": input, "output": output}


def findings(data: dict[str, Any], fmt: str = "openai-chat", options: dict[str, dict] | None = None, enabled: set[str] | None = None) -> list[Finding]:
    ctx = CheckContext(
        options={code: RULES[code].options.model_validate(raw) for code, raw in (options or {}).items()},
        enabled=frozenset(enabled) if enabled is not None else None,
    )
    check, record = ContentCheck(ctx), rec(data, fmt)
    found = list(check.check(record))
    batched = list(check.check_batch(Batch([record])))  # the fast path's cheap tests drop no finding
    assert sorted(f.sort_key() for f in batched) == sorted(f.sort_key() for f in found)
    return found


def hits(data: dict[str, Any], fmt: str = "openai-chat", **kw: Any) -> list[tuple[str, str | None]]:
    return [(f.rule, f.location.field if f.location else None) for f in findings(data, fmt, **kw)]


def pack_hits(data: dict[str, Any], fmt: str = "openai-chat") -> list[tuple[str, str | None]]:
    return [(f.rule, f.location.field if f.location else None) for f in PackCheck(PACK_RULES).check(rec(data, fmt))]


# --- metadata ----------------------------------------------------------------------------------


def test_checks_export_and_rule_metadata() -> None:
    assert CHECKS == [ContentCheck]
    assert [r.code for r in ContentCheck.rules] == [f"DS8{n:02d}" for n in range(3, 14)]
    for rule in ContentCheck.rules:
        assert rule.family == "content" and rule.scope == "record"
        assert rule.summary.endswith(".")
        for section in DOC_SECTIONS:
            assert f"{section}:" in rule.docs, (rule.code, section)
    severities = {r.code: r.severity for r in ContentCheck.rules}
    assert severities.pop("DS807") is Severity.ERROR
    assert severities.pop("DS811") is Severity.ERROR
    assert severities.pop("DS813") is Severity.INFO
    assert set(severities.values()) == {Severity.WARNING}


def test_options_use_kebab_case_and_reject_unknown_keys() -> None:
    opts = RULES["DS807"].options.model_validate({"extra-tokens": ["<pad>"], "ignore-code": True})
    assert opts.extra_tokens == ["<pad>"] and opts.ignore_code is True
    with pytest.raises(ValueError):
        RULES["DS803"].options.model_validate({"allow-tag": ["br"]})


def test_pack_defines_ds801_and_ds802_for_outputs() -> None:
    assert [p.rule.code for p in PACK_RULES] == ["DS801", "DS802"]
    assert all(p.spec.parts == ["output"] for p in PACK_RULES)


# --- DS801 / DS802: the YAML pack --------------------------------------------------------------

BOILERPLATE = [
    "As an AI language model, I cannot taste food, but most reviewers describe it as smoky.",
    "As an AI, I don't have personal preferences, but Python is a common first language.",
    "I'm just an AI, so I can't see your screen. Could you paste the error?",
    "I am an AI assistant developed by a research lab and I aim to be helpful.",
    "I am ChatGPT, a large language model trained by OpenAI.",
    "As of my last knowledge update in September 2021, the tallest building was the Burj Khalifa.",
    "My knowledge cut-off is 2023, so newer releases may exist.",
    "My training data only goes up to early 2022.",
    "I don’t have the ability to browse the internet, but here is what I know.",
    "I don't have real-time information about flight delays.",
    "I do not have personal opinions on political candidates.",
    "Als KI-Sprachmodell habe ich keine eigene Meinung zu diesem Thema.",
    "En tant qu'IA, je n'ai pas d'opinion personnelle.",
    "Como modelo de lenguaje, no tengo acceso a internet.",
    "Как языковая модель, я не могу просматривать сайты.",
    "作为一个AI语言模型，我无法提供实时信息。",
    "AI言語モデルとして、個人的な意見はありません。",
]

REFUSALS = [
    "I'm sorry, but I cannot help with writing a cover letter.",
    "I’m sorry, but I can’t assist with that.",
    "I am sorry, but I am unable to generate that content.",
    "I apologise, but I can't create that image description.",
    "I cannot fulfill that request.",
    "I'm not able to help with that request.",
    "I can't provide assistance with that.",
    "I cannot provide information on how to pick a lock.",
    "I can't help with that.",
    "I'm not comfortable writing a fake review for your restaurant.",
    "It is not appropriate for me to speculate about a person's health.",
    "I must respectfully decline to answer.",
    "Writing that would go against my guidelines.",
    "I cannot condone illegal activities such as this.",
]

# Ordinary helpful prose that shares words with the phrase lists and must never match.
NEAR_MISSES = [
    "I hope this helps! Let me know if the build still fails.",
    "It's important to note that the warranty only covers manufacturing defects.",
    "Certainly! Here's a short summary of the meeting notes.",
    "I'm sorry to hear that your package is late; the tracking page shows it is in Leipzig.",
    "I'm sorry for the delay — here is the corrected invoice.",
    "As an AI researcher, Fei-Fei Li built ImageNet.",
    "She works as an AI engineer at a hospital in Lyon.",
    "GPT-4 was developed by OpenAI and released in March 2023.",
    "As of my last visit to Kyoto, the temple was closed on Mondays.",
    "I can't help but notice the loop never terminates when n is negative.",
    "I can't help with that specific router model, but the general steps are below.",
    "I cannot stress enough how important backups are.",
    "We cannot provide refunds after 30 days, but you can exchange the item.",
    "I can't give a definitive diagnosis, but these symptoms often point to dehydration.",
    "I don't have personal experience with that bike, but reviewers praise its brakes.",
    "It's not appropriate to use a semicolon here; use a comma.",
    "Das Modell funktioniert als KI für die Bilderkennung in der Fabrik.",
    "El sistema funciona como modelo de lenguaje para el servicio de atención al cliente.",
    "GPT-3は言語モデルとして優れている。",
    "You have to decline the meeting in Outlook before you can propose a new time.",
]


@pytest.mark.parametrize("text", BOILERPLATE)
def test_ds801_flags_ai_boilerplate(text: str) -> None:
    assert pack_hits(chat("Quick question for you.", text)) == [("DS801", "/messages/1/content")]


@pytest.mark.parametrize("text", REFUSALS)
def test_ds802_flags_refusals(text: str) -> None:
    assert ("DS802", "/messages/1/content") in pack_hits(chat("Can you do this for me?", text))


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_pack_does_not_flag_ordinary_helpful_text(text: str) -> None:
    assert pack_hits(chat("Can you help?", text)) == []


def test_pack_ignores_prompts_and_reports_chosen_answers() -> None:
    data = {
        "prompt": "As an AI language model, what do you think about pineapple pizza?",
        "chosen": "As an AI language model, I have no taste buds.",
        "rejected": "Pineapple pizza is great.",
    }
    assert pack_hits(data, "preference") == [("DS801", "/chosen")]


# --- DS803 html-residue ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ('<div class="markdown prose w-full break-words"><p>Preheat the oven to 200 °C.</p></div>', '<div class="markdown prose w-full break-words">'),
        ("Preheat the oven to 180&nbsp;°C and bake for 25 minutes.", "&nbsp;"),
        ("Tom &amp; Jerry first aired in 1940.", "&amp;"),
        ("It&#39;s the second street on the left.", "&#39;"),
        ("First line<br>Second line<br/>Third line", "<br>"),
        ("<p>Mix the flour and the butter.</p>", "</p>"),
        ('See <a href="https://example.com/recipe">the recipe</a> for details.', '<a href="https://example.com/recipe">'),
    ],
)
def test_ds803_flags_html_in_prose(text: str, token: str) -> None:
    found = findings(chat("How should I bake the bread?", text), enabled={"DS803"})
    assert [(f.rule, f.location.field) for f in found] == [("DS803", "/messages/1/content")]
    assert quote(token) in found[0].message


@pytest.mark.parametrize(
    "text",
    [
        "Wrap the text in a paragraph:\n\n```html\n<p class=\"lead\">Welcome&nbsp;back</p>\n<br>\n```",
        "Use `<br>` for a line break and `&amp;` for an ampersand.",
        "If a < b and b > c, nothing follows about a and c.",
        "In Java, `List<String>` and Map<String, List<Integer>> are generic types.",
        "The inequality 0<x<1 holds, so x<y> is not a tag either.",
        "Use the <br> tag for line breaks and the <p> element for paragraphs.",
        "How do I center a <div> horizontally?",
        "AT&T and R&D are abbreviations, and so is Q&A.",
    ],
)
def test_ds803_ignores_code_math_generics_and_mentions(text: str) -> None:
    assert hits(chat("Explain this to me.", text), enabled={"DS803"}) == []


def test_ds803_skips_records_whose_prompt_is_about_html() -> None:
    data = chat("Why does this HTML not render my line breaks?", "Line one<br>Line two needs <br> between the lines.")
    assert hits(data, enabled={"DS803"}) == []


def test_ds803_allow_tags_option() -> None:
    data = chat("Compare the two plans.", "| Plan | Notes |\n| --- | --- |\n| Team | 5 seats<br>shared folders |")
    assert hits(data, enabled={"DS803"}) == [("DS803", "/messages/1/content")]
    assert hits(data, enabled={"DS803"}, options={"DS803": {"allow-tags": ["BR"]}}) == []


# --- DS804 unfilled-placeholder ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "fmt", "field"),
    [
        (alpaca("Write a short bio of {author} for the back cover.", "Maria is a novelist from Porto."), "alpaca", "/instruction"),
        (alpaca("Answer the question: {{question}}", "The answer is 42."), "alpaca", "/instruction"),
        (chat("Draft a welcome email for our new hire.", "Hi {{ first_name }},\n\nWelcome to the team!"), "openai-chat", "/messages/1/content"),
        (chat("Write a press release for our launch.", "[Insert company name] today announced its new app."), "openai-chat", "/messages/1/content"),
        (chat("Summarise the contract.", "The contract starts on <PLACEHOLDER> and runs for a year."), "openai-chat", "/messages/1/content"),
        (chat("When is the meeting?", "The meeting is on <fill in date> in room 4."), "openai-chat", "/messages/1/content"),
    ],
)
def test_ds804_flags_unfilled_placeholders(data: dict, fmt: str, field: str) -> None:
    assert hits(data, fmt, enabled={"DS804"}) == [("DS804", field)]


@pytest.mark.parametrize(
    "text",
    [
        'Use an f-string:\n\n```python\nprint(f"Hello {name}, you have {count} messages")\n```',
        "In JavaScript, `${user.name}` and `{props.title}` are interpolations.",
        "```jsx\nconst Card = ({ title }) => <h2 className=\"card\">{title}</h2>;\n```",
        'Return JSON:\n```json\n{"name": "{author}", "tags": ["{{tag}}"]}\n```',
        "The fraction $\\frac{a}{b}$ and $x^{2} + y_{i}$ are typeset in LaTeX, as is \\[\\sum_{k=1}^{n} k\\].",
        "In the shell, echo ${HOME} prints your home folder, and Ruby uses #{name}.",
        "The set {x} has one element, and {1, 2, 3} has three.",
        "Press the [Insert] key to toggle overwrite mode.",
        "See [Insert a table](https://example.com/docs/tables) in the docs.",
    ],
)
def test_ds804_ignores_code_math_and_lookalikes(text: str) -> None:
    assert hits(chat("Show me an example.", text), enabled={"DS804"}) == []


def test_ds804_accepts_placeholders_the_prompt_asked_for() -> None:
    asked = chat("Write an email template I can reuse for every customer.", "Dear {customer_name},\n\nThank you for your order.")
    shown = alpaca("Make this friendlier.", "Hey {customer_name}, thanks a lot for your order!", input="Dear {customer_name}, we received your order.")
    assert hits(asked, enabled={"DS804"}) == []
    assert hits(shown, "alpaca", enabled={"DS804"}) == []


def test_ds804_options() -> None:
    letter = chat("Write a cover letter for a barista job.", "I would love to join your café.\n\nSincerely,\n[Your Name]")
    assert hits(letter, enabled={"DS804"}) == []
    assert hits(letter, enabled={"DS804"}, options={"DS804": {"extra-tokens": ["[Your Name]"]}}) == [("DS804", "/messages/1/content")]
    single = alpaca("Write a short bio of {author}.", "Maria is a novelist.")
    assert hits(single, "alpaca", enabled={"DS804"}, options={"DS804": {"single-braces": False}}) == []


# --- DS805 placeholder-value -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "fmt", "field"),
    [
        (alpaca("Name three primary colours.", "Red, yellow and blue.", input="<noinput>"), "alpaca", "/input"),
        (alpaca("Name three primary colours.", "Red, yellow and blue.", input=" <No Input> "), "alpaca", "/input"),
        (alpaca("List the grammar mistakes in the sentence.", "N/A", input="She go to school."), "alpaca", "/output"),
        (alpaca("Translate to German: good morning", "<No Output>"), "alpaca", "/output"),
        (chat("What is the boiling point of water at sea level?", "None"), "openai-chat", "/messages/1/content"),
        (chat("Summarise the ticket.", "null"), "openai-chat", "/messages/1/content"),
        (chat("TODO", "Could you tell me what you need help with?"), "openai-chat", "/messages/0/content"),
    ],
)
def test_ds805_flags_placeholder_values(data: dict, fmt: str, field: str) -> None:
    assert hits(data, fmt, enabled={"DS805"}) == [("DS805", field)]


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (alpaca("Name three primary colours.", "Red, yellow and blue.", input=""), "alpaca"),
        (alpaca("Extract the date from the text. Answer N/A if there is none.", "N/A", input="The shop opens soon."), "alpaca"),
        (alpaca("Which of these numbers are prime: 4, 6, 8? Reply none if there are none.", "None"), "alpaca"),
        (chat("What is the symbol for sodium?", "Na"), "openai-chat"),
        (chat("Is None a keyword in Python?", "Yes: None is Python's null value."), "openai-chat"),
    ],
)
def test_ds805_accepts_empty_input_and_values_the_prompt_asks_for(data: dict, fmt: str) -> None:
    assert hits(data, fmt, enabled={"DS805"}) == []


def test_ds805_options() -> None:
    data = chat("Any known issues with version 2.3?", "None")
    assert hits(data, enabled={"DS805"}, options={"DS805": {"allow-values": ["none"]}}) == []
    extra = chat("Rate the review.", "-")
    assert hits(extra, enabled={"DS805"}, options={"DS805": {"extra-values": ["-"]}}) == [("DS805", "/messages/1/content")]


# --- DS806 merged-examples ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "output",
    [
        "Paris is the capital of France.\n\n### Instruction:\nName the capital of Spain.\n\n### Response:\nMadrid.",
        "The mitochondria produce ATP.\n\nHuman: What about chloroplasts?\n\nAssistant: They do photosynthesis.",
        "Water boils at 100 °C at sea level.\n18. Instruction: Convert 100 °C to Fahrenheit.",
        "Sure, 12 × 12 = 144.<|user|>\nAnd 13 × 13?",
        "It is 8,849 metres high.\nUSER: and K2?\nASSISTANT: 8,611 metres.",
    ],
)
def test_ds806_flags_run_on_examples(output: str) -> None:
    assert hits(alpaca("Answer the question briefly.", output), "alpaca", enabled={"DS806"}) == [("DS806", "/output")]


@pytest.mark.parametrize(
    ("instruction", "output"),
    [
        ("Write a short dialogue between a human and an assistant about booking a train.", "Human: I need a ticket to Bern.\n\nAssistant: For which day?\n\nHuman: Friday."),
        ("Generate three new instruction examples in the same numbered format.", "1. Instruction: Sort the list.\n2. Instruction: Reverse the string."),
        ("Show the Alpaca prompt format.", "It looks like this:\n\n```\n### Instruction:\n{instruction}\n\n### Response:\n```"),
        ("Explain ratios.", "Ratio: a comparison of two quantities.\n\nExample: 3:4 means three parts to four."),
    ],
)
def test_ds806_accepts_requested_dialogue_code_and_colons(instruction: str, output: str) -> None:
    assert hits(alpaca(instruction, output), "alpaca", enabled={"DS806"}) == []


def test_ds806_dialogue_exemption_needs_a_whole_word() -> None:
    # "description" contains "script" and "humanity" contains "human": neither asks for a dialogue.
    output = "It is 330 metres tall.\n\nHuman: And the Louvre?\n\nAssistant: It is a museum."
    data = alpaca("Write a description of the Eiffel Tower for humanity's archive.", output)
    assert hits(data, "alpaca", enabled={"DS806"}) == [("DS806", "/output")]


def test_ds806_checks_only_learned_text_and_takes_extra_markers() -> None:
    prompt_side = chat("Here is an example.\n\n### Instruction:\nSay hi.\n\n### Response:\nHi!\n\nNow you.", "Hello there!")
    assert hits(prompt_side, enabled={"DS806"}) == []
    data = chat("What is 2 + 2?", "4.\n\n### Question: What is 3 + 3?")
    assert hits(data, enabled={"DS806"}) == []
    assert hits(data, enabled={"DS806"}, options={"DS806": {"extra-markers": ["### Question:"]}}) == [("DS806", "/messages/1/content")]


# --- DS807 chat-template-token -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (chat("Hi!", "Hello! How can I help?<|im_end|>\n<|im_start|>user\nThanks"), "/messages/1/content"),
        (chat("[INST] Translate 'cat' to French [/INST]", "chat"), "/messages/0/content"),
        (chat("Summarise this.", "The report says sales rose 4%.</s>"), "/messages/1/content"),
        (chat("Continue the story.", "The door creaked open.<|eot_id|><|start_header_id|>user<|end_header_id|>"), "/messages/1/content"),
        (chat("<start_of_turn>user\nWhat's 2+2?<end_of_turn>", "4"), "/messages/0/content"),
        (chat("Tell me a joke.", "Why did the chicken cross the road?<|endoftext|>"), "/messages/1/content"),
        (chat("Hi", "你好！<｜end▁of▁sentence｜>"), "/messages/1/content"),
        (chat("Explain the format.", "ChatML wraps turns like this:\n```\n<|im_start|>user\nHi<|im_end|>\n```"), "/messages/1/content"),
    ],
)
def test_ds807_flags_special_tokens_anywhere(data: dict, field: str) -> None:
    found = findings(data, enabled={"DS807"})
    assert [(f.rule, f.location.field) for f in found] == [("DS807", field)]
    assert found[0].severity is Severity.ERROR


def test_ds807_reports_count_and_the_first_token() -> None:
    (finding,) = findings(chat("Hi", "Sure.<|im_end|>\n<|im_start|>user\nMore<|im_end|>"), enabled={"DS807"})
    assert finding.message == "special token '<|im_end|>' inside assistant text (and 2 more)"
    assert finding.metrics == {"count": 3}
    assert finding.snippet == "Sure.<|im_end|>\\n<|im_start|>user\\nMore<|im_end|>"


def test_ds807_options() -> None:
    code = chat("Explain the format.", "ChatML wraps turns:\n```\n<|im_start|>user\nHi<|im_end|>\n```")
    assert hits(code, enabled={"DS807"}, options={"DS807": {"ignore-code": True}}) == []
    strike = chat("Fix the typo.", "The price is <s>20 €</s> 15 €.")
    assert hits(strike, enabled={"DS807"}, options={"DS807": {"allow-tokens": ["<s>", "</s>"]}}) == []
    pad = chat("Tokenise this.", "hello world <pad> <pad>")
    assert hits(pad, enabled={"DS807"}) == []
    assert hits(pad, enabled={"DS807"}, options={"DS807": {"extra-tokens": ["<pad>"]}}) == [("DS807", "/messages/1/content")]


def test_ds807_ignoring_code_finds_a_token_whose_spaces_blanking_made() -> None:
    """The text lacks the token itself ("x   y" shows only once `z` is blanked): the batch's hint
    is then any of the tokens' first characters, not the tokens."""
    options = {"DS807": {"ignore-code": True, "extra-tokens": ["x   y"]}}
    assert hits(chat("Hi", "x`z`y"), enabled={"DS807"}, options=options) == [("DS807", "/messages/1/content")]
    assert hits(chat("Hi", "no such token"), enabled={"DS807"}, options=options) == []


# --- DS808 unbalanced-code-fence ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Use this:\n\n```python\nfor row in rows:\n    print(row", 3),
        ("First:\n```bash\nls\n```\nThen:\n```bash\nrm -rf build", 6),
        ("Tilde fence:\n~~~\ncode\n```\nstill code", 2),
        ("````markdown\n```python\nx = 1\n```\n", 1),
    ],
)
def test_ds808_flags_unclosed_fences(text: str, line: int) -> None:
    (finding,) = findings(chat("Show me the code.", text), enabled={"DS808"})
    assert finding.location.field == "/messages/1/content"
    assert finding.metrics == {"line": line}
    assert f"line {line}" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "```python\nprint('hi')\n```",
        "1. Install it:\n   ```bash\n   pip install requests\n   ```\n2. Run it:\n\n   ~~~\n   python app.py\n   ~~~",
        "````markdown\n```python\nx = 1\n```\n````",
        "Inline ``` backticks``` are not fences, and `` ``` `` neither.",
        "```js\nconst a = 1;\n`````",
    ],
)
def test_ds808_accepts_balanced_fences(text: str) -> None:
    assert hits(chat("Show me the code.", text), enabled={"DS808"}) == []


# --- DS809 url-only-input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "fmt", "field"),
    [
        (alpaca("Summarise this article.", "Rates rose by a quarter point.", input="https://example.com/news/2023/rates"), "alpaca", "/input"),
        (chat("  https://www.example.org/blog/post?id=42  ", "The post argues for four-day weeks."), "openai-chat", "/messages/0/content"),
        (alpaca("www.example.com/products/kettle", "It is a 1.7 litre electric kettle."), "alpaca", "/instruction"),
        (chat("HTTPS://EXAMPLE.COM/PRICING", "The Team plan costs 12 € per seat."), "openai-chat", "/messages/0/content"),
    ],
)
def test_ds809_flags_url_only_prompts(data: dict, fmt: str, field: str) -> None:
    assert hits(data, fmt, enabled={"DS809"}) == [("DS809", field)]


@pytest.mark.parametrize(
    "data",
    [
        chat("Summarise https://example.com/news and list the key figures.", "I can't open links; paste the text."),
        chat("What is the status of my order?", "https://example.com/orders/123"),
        chat("What does HTTPS stand for?", "Hypertext Transfer Protocol Secure."),
    ],
)
def test_ds809_accepts_urls_in_sentences_and_in_answers(data: dict) -> None:
    assert hits(data, enabled={"DS809"}) == []


# --- DS810 response-echoes-prompt --------------------------------------------------------------


def test_ds810_flags_echoed_prompts() -> None:
    data = alpaca("Explain how a heat pump works in winter.", "explain how a heat pump works in winter")
    (finding,) = findings(data, "alpaca", enabled={"DS810"})
    assert finding.location.field == "/output"
    assert [r.field for r in finding.related] == ["/instruction", "/input"]
    turns = {"messages": [
        {"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello! What can I do for you?"},
        {"role": "user", "content": "Write a haiku about the autumn rain in Kyoto."},
        {"role": "assistant", "content": "Write a haiku about the autumn rain in Kyoto!"},
    ]}
    assert hits(turns, enabled={"DS810"}) == [("DS810", "/messages/3/content")]


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (alpaca("Correct the grammar of the sentence.", "She goes to school every day.", input="She goes to school every day."), "alpaca"),
        (chat("Good morning!", "Good morning!"), "openai-chat"),
        ({"prompt": "Repeat after me: the quick brown fox", "chosen": "The quick brown fox.", "rejected": "Repeat after me: the quick brown fox"}, "preference"),
        (chat("Explain how a heat pump works in winter.", "A heat pump moves heat from the cold outside air into the house."), "openai-chat"),
    ],
)
def test_ds810_accepts_edits_greetings_and_rejected_answers(data: dict, fmt: str) -> None:
    assert hits(data, fmt, enabled={"DS810"}) == []


def test_ds810_matches_long_echoes_that_differ_only_in_form() -> None:
    # Long enough that the cheap prefix comparison and the full normalisation both come into play;
    # compatibility forms (ligature, full-width digits), case, punctuation and spacing all differ.
    prompt = "Describe the ﬁle-sync workﬂow of our client, step by step, for the onboarding guide (version ２.４); " * 3
    response = "describe the file sync workflow of our client -- step by step -- for the onboarding guide, version 2 4. " * 3
    assert hits(chat(prompt, response), enabled={"DS810"}) == [("DS810", "/messages/1/content")]
    assert hits(chat(prompt, response.replace("onboarding", "offboarding")), enabled={"DS810"}) == []


def test_ds810_min_words_option() -> None:
    data = chat("Thank you so much!", "Thank you so much!")
    assert hits(data, enabled={"DS810"}) == [("DS810", "/messages/1/content")]
    assert hits(data, enabled={"DS810"}, options={"DS810": {"min-words": 5}}) == []


# --- DS811 chosen-equals-rejected --------------------------------------------------------------


def test_ds811_flags_equal_sides_as_error() -> None:
    data = {"prompt": "Is 17 prime?", "chosen": "Yes, 17 is prime.", "rejected": "yes 17 is prime"}
    (finding,) = findings(data, "preference", enabled={"DS811"})
    assert finding.severity is Severity.ERROR
    assert finding.location.field == "/rejected"
    assert [r.field for r in finding.related] == ["/chosen"]
    conversation = {
        "chosen": [{"role": "user", "content": "Capital of Peru?"}, {"role": "assistant", "content": "Lima."}],
        "rejected": [{"role": "user", "content": "Capital of Peru?"}, {"role": "assistant", "content": "LIMA"}],
    }
    assert hits(conversation, "preference", enabled={"DS811"}) == [("DS811", "/rejected")]


@pytest.mark.parametrize(
    "data",
    [
        {"prompt": "Is 17 prime?", "chosen": "Yes, 17 is prime.", "rejected": "No, 17 is divisible by 7."},
        {"prompt": "Is 17 prime?", "chosen": "", "rejected": ""},
        {
            "chosen": [{"role": "user", "content": "Capital of Peru?"}, {"role": "assistant", "content": "Lima."}],
            "rejected": [{"role": "user", "content": "Capital of Peru?"}, {"role": "assistant", "content": "Cusco."}],
        },
    ],
)
def test_ds811_accepts_different_or_empty_sides(data: dict) -> None:
    assert hits(data, "preference", enabled={"DS811"}) == []


# --- shared behaviour --------------------------------------------------------------------------


def test_findings_point_at_the_field_and_redact_snippets() -> None:
    data = chat("Write a reply to the customer.", "Hi {{name}}, we emailed jane.doe@example.com about the refund.")
    (finding,) = findings(data)
    assert (finding.rule, finding.location.field, finding.location.record) == ("DS804", "/messages/1/content", 0)
    assert finding.message == "unfilled placeholder '{{name}}'"
    assert "jane.doe@example.com" not in finding.snippet and "Hi {{name}}" in finding.snippet


def test_disabled_rules_do_not_report() -> None:
    data = alpaca("Summarise {title}.", "<noinput>", input="https://example.com/a")
    assert {r for r, _ in hits(data, "alpaca")} == {"DS804", "DS805", "DS809"}
    assert hits(data, "alpaca", enabled={"DS809"}) == [("DS809", "/input")]
    assert hits(data, "alpaca", enabled=set()) == []


def test_findings_are_deterministic_and_fingerprints_differ_by_rule() -> None:
    data = chat("[INST] hi [/INST]", "<p>Hello</p> {{name}}<|im_end|>\n```python\nprint(1)")
    first, second = findings(data), findings(data)
    assert first == second
    assert sorted(f.rule for f in first) == ["DS803", "DS804", "DS807", "DS807", "DS808"]
    assert len({f.fingerprint for f in first}) == len(first)


def test_malformed_records_do_not_raise() -> None:
    for data in ({"messages": "not a list"}, {"messages": [None, {"role": "assistant", "content": 3}]}, {}):
        assert findings(data) == []
    assert findings({"chosen": None, "rejected": [1, 2]}, "preference") == []


# --- text views --------------------------------------------------------------------------------


def test_prose_blanks_code_and_math_and_keeps_offsets() -> None:
    text = "Use `x<y>` and\n```html\n<p>hi</p>\n```\nthen $a<b$ done <br>"
    view = TextView(text)
    assert len(view.prose) == len(text)
    assert view.prose.count("\n") == text.count("\n")
    assert "<p>" not in view.prose and "x<y>" not in view.prose and "a<b" not in view.prose
    assert view.prose.endswith("done <br>")
    assert "$a<b$" in view.no_code


def test_scan_fences_follows_markdown_rules() -> None:
    assert scan_fences("no fences here").spans == ()
    scan = scan_fences("````\n```\ninner\n```\n````\nafter")
    assert scan.spans == ((0, 23),) and scan.unclosed_line is None
    assert scan_fences("~~~\n```\n").unclosed_line == 1
    # Spans in the text's own offsets, for fences on the first, a middle and the last line.
    text = "x\n  ```py\ncode\n  ```\n~~~\nmore"
    assert scan_fences(text).spans == ((2, 20), (21, len(text))) and scan_fences(text).unclosed_line == 5
    assert scan_fences("```\n```").spans == ((0, 7),)


@pytest.mark.parametrize(
    "text",
    [
        "<a " * 20000,
        "{" * 50000 + "x",
        "`" * 3 + "\n" + "` `` ``` " * 5000,
        "$" * 30000 + "a",
        "&#" * 30000,
        "\\[" * 20000,
        "\\(" * 20000 + "\\)",
        "$$" + "x" * 5000 + "$" * 3000,
        "<div " + 'a="' * 5000,
        "\n\n" + "Human: " * 10000,
    ],
)
def test_pathological_inputs_give_well_formed_findings(text: str) -> None:
    # How long they take is for bench/, not a timed assertion; here: no crash, and every finding
    # is a content rule's, at a field of the record.
    found = findings(chat(text, text)) + list(PackCheck(PACK_RULES).check(rec(chat(text, text))))
    assert all(f.rule.startswith("DS8") and f.location.field.startswith("/messages/") for f in found)


# --- a clean multilingual sample ---------------------------------------------------------------

CLEAN: list[tuple[dict[str, Any], str]] = [
    (chat("Wie spät ist es in Zürich, wenn es in New York 9 Uhr ist?", "In Zürich ist es dann 15 Uhr (sechs Stunden später, außer während der Zeitumstellung)."), "openai-chat"),
    (chat("東京でおすすめのラーメン店はありますか？", "新宿の「風雲児」は濃厚なつけ麺で有名です。行列ができるので開店直後がおすすめです 🍜"), "openai-chat"),
    (chat("ما هي عاصمة المغرب؟", "عاصمة المغرب هي الرباط، وأكبر مدنها الدار البيضاء."), "openai-chat"),
    (chat("Écris une phrase avec « où » et « ou ».", "Où vas-tu ce soir : au cinéma ou au théâtre ? Les deux me plaisent 🎭"), "openai-chat"),
    (
        chat(
            "How do I render a list of users in React?",
            "Map over the array and give each item a key:\n\n```jsx\nexport function Users({ users }) {\n  return (\n    <ul className=\"users\">\n"
            "      {users.map((u) => <li key={u.id}>{u.name} &lt;{u.email}&gt;</li>)}\n    </ul>\n  );\n}\n```\n\n"
            "The `key` prop lets React match `<li>` elements between renders; `{users.length}` gives the count.",
            system="You are a senior frontend engineer.",
        ),
        "openai-chat",
    ),
    (
        chat(
            "Write a Python function that greets a user.",
            "Here is one using an f-string:\n\n```python\ndef greet(name: str) -> str:\n    return f\"Hello, {name}! You have {len(name)} letters.\"\n```\n\n"
            "Template strings work too: `\"Hi {user}\".format(user=name)`. In JavaScript you would write `` `Hi ${name}` ``.",
        ),
        "openai-chat",
    ),
    (
        chat(
            "Solve for x: 2x + 3 = 11, and explain what $x^{2}$ is then.",
            "Subtract 3 and divide by 2: $x = 4$. Then $x^{2} = 16$, and in display form $$\\frac{x^{2}}{2} = 8.$$ "
            "Note that 4 < 5 and 16 > 8, so both inequalities hold.",
        ),
        "openai-chat",
    ),
    (
        chat(
            "What's the difference between List<String> and ArrayList<String> in Java?",
            "`List<String>` is the interface; `ArrayList<String>` is one implementation. Declare variables as List<String> "
            "so you can swap in a LinkedList<String> later. Map<String, List<Integer>> works the same way.",
        ),
        "openai-chat",
    ),
    (
        chat(
            "Send the report to the team.",
            "Done. I used the addresses from the sheet: alice@example.com and ops@example.org. Details: https://example.com/reports/q3",
        ),
        "openai-chat",
    ),
    (
        chat(
            "Render this Jinja template with a name.",
            "Jinja uses double braces:\n\n~~~jinja\n<h1>Hello {{ name }}!</h1>\n{% for item in items %}<li>{{ item }}</li>{% endfor %}\n~~~\n\nPass `name=\"Ana\"` to `render()`.",
        ),
        "openai-chat",
    ),
    (
        {"conversations": [
            {"from": "human", "value": "¿Cómo se dice «gracias» en japonés?"},
            {"from": "gpt", "value": "Se dice «ありがとう» (arigatō). Para ser más formal: «ありがとうございます»."},
        ]},
        "sharegpt",
    ),
    (alpaca("Give three tips for staying healthy.", "1. Eat a balanced diet.\n2. Exercise regularly.\n3. Sleep seven to nine hours."), "alpaca"),
    (alpaca("Translate the sentence into Spanish.", "El gato duerme en el sofá.", input="The cat sleeps on the sofa."), "alpaca"),
    (alpaca("Correct the grammar.", "Their car is over there.", input="Their car is over there."), "alpaca"),
    (
        {"prompt": "Explain recursion to a child.", "chosen": "Recursion is when a task is solved by doing a smaller copy of the same task, like Russian dolls 🪆.", "rejected": "Recursion is a function calling itself."},
        "preference",
    ),
    (
        chat(
            "Show the HTML for a link.",
            "Like this: <a href=\"https://example.com\">Example</a>, and use &amp; for ampersands in HTML attributes.",
        ),
        "openai-chat",
    ),
    (
        chat(
            "Give me a shell one-liner to count lines in every .py file.",
            "```bash\nfind . -name '*.py' -print0 | xargs -0 wc -l | sort -n\n```\n\nUse `${PWD}` if you need the absolute path.",
        ),
        "openai-chat",
    ),
    (chat("Ist Na ein Metall?", "Ja, Natrium (Na) ist ein Alkalimetall."), "openai-chat"),
    (chat("I hope this helps with my essay: what is a thesis statement?", "A thesis statement is one sentence that states your main argument. I hope this helps!"), "openai-chat"),
]


@pytest.mark.parametrize(("data", "fmt"), CLEAN, ids=[f"clean-{i}" for i in range(len(CLEAN))])
def test_clean_multilingual_sample_has_no_findings(data: dict, fmt: str) -> None:
    assert hits(data, fmt) == []
    assert pack_hits(data, fmt) == []


# Spellings that normalise alike: fullwidth, decomposed, ligature, circled digit, Kelvin sign, sigma.
_ALIKE = [("Ａ", "a"), ("e\u0301", "é"), ("ﬁ", "fi"), ("①", "1"), ("\u212a", "k"), ("Σ", "σ"), (" ", ","), ("B", "b"), ("x" * 90, "X" * 90)]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_ALIKE), st.booleans(), st.booleans()), max_size=6))
def test_the_quick_test_for_an_echo_never_rejects_equal_texts(picks: list[tuple[tuple[str, str], bool, bool]]) -> None:
    """``_may_be_equal`` is a necessary condition for equal normalised texts, whatever NFKC,
    case-folding or combining marks do to their first characters."""
    a = "".join(pair[left] for pair, left, _ in picks)
    b = "".join(pair[right] for pair, _, right in picks)
    assert normalize_text(a) == normalize_text(b)
    assert _may_be_equal(a, b)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="aZ09_ é\nß中\x7f\x80`", max_size=3), max_size=8), st.integers(0, 7))
def test_the_batch_reads_leading_characters_from_its_bytes_as_python_does(texts: list[str], skip: int) -> None:
    """``Haystack.ascii_leads``, which the batch's echo test uses, is ``_first_alnum``'s quick
    case, also on a haystack taken from another."""
    quick = [ord(t[0].lower()) if t[:2].isascii() and t[:1].isalnum() else 0 for t in texts]
    haystack = Haystack.of(["x", *texts])
    assert haystack is not None
    assert haystack.take(range(1, len(texts) + 1)).ascii_leads() == quick
    assert haystack.take(range(1 + skip, len(texts) + 1)).ascii_leads() == quick[skip:]


# --- the batch path ------------------------------------------------------------------------------


def _batch_vs_records(records: list[Record], ctx: CheckContext) -> list[tuple]:
    check = ContentCheck(ctx)
    per_record = sorted(f.sort_key() for r in records for f in check.check(r))
    assert sorted(f.sort_key() for f in check.check_batch(Batch(records))) == per_record
    return per_record


def test_check_batch_finds_what_check_finds_across_records() -> None:
    """Fields the batch's cheap tests pass or reject, in records of every shape side by side: a
    prompt left without an answer must not become the next record's prompt."""
    records = [
        rec(chat("Explain why the sky is blue.", "Rayleigh."), index=0),
        rec({"messages": [{"role": "user", "content": "Tell me a long story about a dragon please"}]}, index=1),
        rec({"messages": [{"role": "assistant", "content": "Tell me a long story about a dragon please"}]}, index=2),
        rec(chat("Write the code", "```python\nprint('<|im_end|>')\n```\nDone <s> and {name} and [placeholder]"), index=3),
        rec(chat("Math", "The set $x${name} and `code` Human: hi\n\n### Response: more"), index=4),
        rec(chat("  https://example.com/a  ", "N/A"), index=5),
        rec({"prompt": "Say it", "chosen": "Same answer here.", "rejected": "same answer, here"}, "preference", index=6),
        rec({"messages": []}, index=7),
        rec(chat("Hi there friend, how are you", "Hi there, friend: how are you?"), index=8),
        rec(chat("Café <b>bold</b> &amp; ~~~\ntext", "<br> and &nbsp; ~~~"), index=9),
    ]
    assert len(_batch_vs_records(records, CheckContext())) >= 8
    # A lone surrogate leaves the batch without an Arrow array: Python does the batch's tests.
    echo = rec(chat("Say \ud800 this back to me", "say \ud800 this back to me"), index=10)
    assert "DS810" in {key[4] for key in _batch_vs_records([*records, echo], CheckContext())}
    assert _batch_vs_records(records, CheckContext(enabled=frozenset({"DS807"}), options={
        "DS807": RULES["DS807"].options.model_validate({"ignore-code": True, "extra-tokens": ["end of text"]}),
    }))  # fmt: skip
    extra = {"DS804": {"extra-tokens": ["[Your Name]"]}, "DS806": {"extra-markers": ["Question:"]}}
    _batch_vs_records(records, CheckContext(options={c: RULES[c].options.model_validate(o) for c, o in extra.items()}))
