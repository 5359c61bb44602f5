"""DS801 ai-boilerplate and DS802 refusal-phrase as families of phrasings: for each family, at
least ten realistic responses that must be flagged and ten that must not, the negatives including
legitimate uses (an apology letter the user asked for, a story whose character refuses)."""

from __future__ import annotations

import pytest

from tests.checks.test_content import chat, pack_hits

FAMILIES: dict[str, tuple[str, list[str], list[str]]] = {
    "apology-and-inability": ("DS802", [
        "I'm sorry, but I cannot help with writing a cover letter.",
        "I’m sorry, but I can’t assist with that.",
        "I am sorry, but I am unable to generate that content.",
        "I apologise, but I can't create that image description.",
        "I apologize, but I won't be able to provide that.",
        "I'm sorry, but as an AI developed by OpenAI, I am unable to provide that information.",
        "I'm sorry, but as a language model I don't have access to your files.",
        "Sorry — I'm sorry, but I will not write content that demeans a group of people.",
        "I'm sorry, but I can't answer questions about ongoing elections.",
        "I am sorry, but I cannot share personal information about private individuals.",
        "I'm sorry but I'm unable to complete this task.",
    ], [
        "Dear Mrs. Patel,\n\nI'm sorry, but I cannot attend the board meeting on Friday because of a family emergency.",
        "I'm sorry to hear about your cat. Here are some ways to remember her.",
        "I'm sorry for the confusion earlier; the correct answer is 42.",
        '"I\'m sorry, but I can\'t help you," the guard said, and closed the gate.',
        "“I’m sorry, but I cannot stay,” Elena whispered, picking up her coat.",
        "Hi Tom, I'm sorry, but I can't make it to dinner tonight. Rain check?",
        "I apologize for the late reply — the invoice is attached.",
        "Subject: Apology\n\nI am sorry, but I won't be at the office on Monday; Priya will cover for me.",
        "I'm sorry, but the store closes at 6 pm on Sundays.",
        "We're sorry, but your flight has been cancelled. You can rebook online.",
    ]),
    "as-an-ai": ("DS801", [
        "As an AI language model, I cannot taste food, but most reviewers describe it as smoky.",
        "As an AI developed by OpenAI, I don't have personal opinions.",
        "As an AI, I don't have personal preferences, but Python is a common first language.",
        "As a large language model, I can't see images you haven't uploaded.",
        "I'm just an AI, so I can't see your screen. Could you paste the error?",
        "I am an AI assistant developed by a research lab and I aim to be helpful.",
        "I am ChatGPT, a large language model trained by OpenAI.",
        "Being an AI, I don't experience hunger.",
        "As an artificial intelligence, I have no feelings about it.",
        "As an AI model, I don't hold political views.",
    ], [
        "As an AI researcher, Fei-Fei Li built ImageNet.",
        "She works as an AI engineer at a hospital in Lyon.",
        "GPT-4 was developed by OpenAI and released in March 2023.",
        "The risks of being an AI startup in a regulated market are mostly legal.",
        "In the novel, the robot says: \"As an AI, I was built to obey.\"",
        "He joined as an AI product manager in 2021.",
        "Treat the chatbot as an AI system under the EU AI Act.",
        "The model was trained by Meta on public data.",
        "An AI developed by DeepMind solved protein folding.",
        "Using the tool as an AI copilot saves time on boilerplate.",
    ]),
    "cannot-help": ("DS802", [
        "I cannot fulfill that request.",
        "I'm not able to help with that request.",
        "I can't provide assistance with that.",
        "I cannot provide information on how to pick a lock.",
        "I can't help with that.",
        "I'm unable to provide that information.",
        "I won't be able to help with that.",
        "I cannot provide instructions for making explosives.",
        "I can't assist you with this request.",
        "Sorry, I can't do that.",
    ], [
        "I can't help but notice the loop never terminates when n is negative.",
        "I can't help with that specific router model, but the general steps are below.",
        "I cannot stress enough how important backups are.",
        "We cannot provide refunds after 30 days, but you can exchange the item.",
        "I can't give a definitive diagnosis, but these symptoms often point to dehydration.",
        "Python can't do that natively; use the `decimal` module instead.",
        "I can't provide the exact figure offhand, but it is roughly 8 billion.",
        "If the port is closed, the client cannot complete the request and times out.",
        "I cannot recommend this laptop for gaming: its GPU is too weak.",
        "You cannot process that request without an API key; set OPENAI_API_KEY first.",
    ]),
    "knowledge-cutoff": ("DS801", [
        "As of my last knowledge update in September 2021, the tallest building was the Burj Khalifa.",
        "My knowledge cut-off is 2023, so newer releases may exist.",
        "My training data only goes up to early 2022.",
        "As of my knowledge cutoff, the latest version was 3.11.",
        "I don't have information about events after 2023.",
        "My knowledge is limited to information available up to 2021.",
        "Up to my last training update, no such law had passed.",
        "As of my last update, the company had 2,000 employees.",
        "Since my knowledge cutoff, prices may have changed.",
        "I don’t have data on developments since April 2024.",
    ], [
        "As of my last visit to Kyoto, the temple was closed on Mondays.",
        "The knowledge cutoff of GPT-4 is a frequently asked question on forums.",
        "My knowledge of French is limited, so I use a dictionary.",
        "Update the cutoff date in config.yaml to 2024-01-01.",
        "Training data for the model goes up to 2023, according to the model card.",
        "As of the last update, the library supports Python 3.12.",
        "My training plan goes up to 20 km by March.",
        "She has no information about the events after the party.",
        "The report covers developments since 2019.",
        "Our data only goes back to 2015.",
    ]),
}
CASES = [(name, code, text, True) for name, (code, pos, _) in FAMILIES.items() for text in pos] + [
    (name, code, text, False) for name, (code, _, neg) in FAMILIES.items() for text in neg
]


def test_every_family_has_ten_positives_and_ten_negatives() -> None:
    assert all(len(pos) >= 10 and len(neg) >= 10 for _, pos, neg in FAMILIES.values())


@pytest.mark.parametrize(("family", "code", "text", "flagged"), CASES, ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_phrase_families(family: str, code: str, text: str, flagged: bool) -> None:
    found = {rule for rule, _ in pack_hits(chat("Can you help me with this?", text))}
    assert (code in found) is flagged, (family, text, found)


# --- empty-input markers, content-free responses, placeholders that are not slots -------------

from tests.checks.test_content import alpaca, hits  # noqa: E402


@pytest.mark.parametrize("value", ["noinput", "NoInput", "<Picture Attached>", "see attached image", "See attached.", "[image]"])
def test_ds805_flags_empty_input_and_missing_attachment_markers(value: str) -> None:
    data = alpaca("Describe what is shown in the photo.", "A red bicycle leaning on a wall.", input=value)
    assert hits(data, "alpaca", enabled={"DS805"}) == [("DS805", "/input")]


@pytest.mark.parametrize("answer", ["See docs.", "Yes.", "Ok", "It depends.", "Google it."])
def test_ds812_flags_content_free_answers_to_explanation_requests(answer: str) -> None:
    for prompt in ["Explain why the sky is blue.", "How does a heat pump work in winter?", "Can you describe the water cycle in detail?"]:
        assert hits(chat(prompt, answer), enabled={"DS812"}) == [("DS812", "/messages/1/content")]
    assert hits(alpaca("Why do cats purr?", answer), "alpaca", enabled={"DS812"}) == [("DS812", "/output")]


@pytest.mark.parametrize(
    ("prompt", "answer"),
    [
        ("What is the capital of France?", "Paris."),
        ("Is 17 prime? Answer yes or no.", "Yes."),
        ("Explain in one word how you feel today.", "Curious."),
        ("Explain why the sky is blue.", "Sunlight scatters off air molecules, and blue light scatters most."),
        ("How do I list files in a folder?", "`ls -la`"),
        ("How can I read the docs?", "https://docs.python.org/3/"),
        ("Thanks!", "You're welcome."),
    ],
)
def test_ds812_accepts_informative_or_requested_short_answers(prompt: str, answer: str) -> None:
    assert hits(chat(prompt, answer), enabled={"DS812"}) == []


def test_ds812_min_words_option() -> None:
    data = chat("Explain the difference between TCP and UDP.", "TCP retransmits lost packets.")
    assert hits(data, enabled={"DS812"}) == []
    assert hits(data, enabled={"DS812"}, options={"DS812": {"min-words": 6}}) == [("DS812", "/messages/1/content")]


@pytest.mark.parametrize(
    "text",
    [
        "Add this step to your workflow:\n\n    - run: echo ${{ github.repository }} ${{ secrets.TOKEN }}\n",
        "The sequence converges when the terms {x_n} are bounded and monotone.",
        "Let {a_i} be the coefficients and {x_12} the twelfth sample.",
    ],
)
def test_ds804_ignores_actions_expressions_and_latex_subscripts(text: str) -> None:
    assert hits(chat("Help me with this.", text), enabled={"DS804"}) == []


def test_ds804_still_flags_real_slots_next_to_them() -> None:
    text = "Deploy ${{ github.sha }} and email {{customer_name}} at {user_email}."
    assert hits(chat("Write the release note.", text), enabled={"DS804"}) == [("DS804", "/messages/1/content")]
