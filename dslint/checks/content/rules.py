"""Metadata, documentation and options of the content rules DS803-DS813 (the check lives in
content.py). DS801 ai-boilerplate and DS802 refusal-phrase are data: rules/packs/content.yaml."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from dslint.check import Fix, Rule, RuleOptions
from dslint.finding import Severity


class HtmlResidueOptions(RuleOptions):
    allow_tags: list[str] = Field(
        default=[],  # pydantic copies mutable defaults; a literal shows up in `dslint rule`
        description="Tag names never reported, e.g. [br] for data that uses <br> in Markdown tables.",
    )


class PlaceholderOptions(RuleOptions):
    extra_tokens: list[str] = Field(
        default=[],
        description="More literal placeholder strings to report outside code, e.g. '[Your Name]'.",
    )
    single_braces: bool = Field(
        default=True, description="Also report single-brace names such as {author}, not only {{author}}."
    )


DEFAULT_PLACEHOLDER_VALUES = (
    "N/A", "<no input>", "<noinput>", "no input", "<no output>", "<nooutput>", "no output",
    "null", "None", "nan", "undefined", "TODO", "TBD", "<empty>", "(empty)", "[empty]", "<blank>",
    # empty-input markers without brackets, and inputs whose attachment never made it into the text
    "noinput", "no_input", "<Picture Attached>", "<image attached>", "(picture attached)", "see attached image",
    "see the attached image", "see attached", "see attachment", "see image", "see picture", "[image]", "[photo]",
)


class PlaceholderValueOptions(RuleOptions):
    extra_values: list[str] = Field(default=[], description="More whole-field values to report (compared case-insensitively).")
    allow_values: list[str] = Field(
        default=[], description="Values of the default list not to report, e.g. [None] when it is a real answer."
    )


class MergedExamplesOptions(RuleOptions):
    extra_markers: list[str] = Field(
        default=[], description="More literal markers of a prompt template, e.g. '### Question:'."
    )


DEFAULT_SPECIAL_TOKENS = (
    "<|im_start|>", "<|im_end|>", "<|im_sep|>", "<|endoftext|>", "<|startoftext|>", "<|end|>",
    "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
    "<|eom_id|>", "<|python_tag|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|pad|>",
    "[INST]", "[/INST]", "<<SYS>>", "<</SYS>>", "<s>", "</s>", "<bos>", "<eos>",
    "<start_of_turn>", "<end_of_turn>",
    "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>",
)


class SpecialTokenOptions(RuleOptions):
    extra_tokens: list[str] = Field(default=[], description="More literal special tokens to report, e.g. '<pad>'.")
    allow_tokens: list[str] = Field(default=[], description="Tokens of the default list not to report, e.g. '<s>'.")
    ignore_code: bool = Field(
        default=False,
        description="Skip code blocks and inline code (tokenizers parse special tokens there too, so off by default).",
    )


class EchoOptions(RuleOptions):
    min_words: int = Field(
        default=4, ge=1, description="Shortest response, in normalised words, that is reported (greetings echo)."
    )


HTML_RESIDUE = Rule(
    code="DS803",
    name="html-residue",
    family="content",
    severity=Severity.WARNING,
    scope="record",
    summary="Text contains HTML tags or entities left over from scraping, outside code.",
    options=HtmlResidueOptions,
    docs="""\
What it does: Reports HTML left in prose: character entities (`&nbsp;`, `&amp;`, `&#39;`), tags
with attributes (`<div class="markdown prose">`, `<a href="...">`), line breaks (`<br>`, `<hr/>`)
and closing tags whose opening tag came earlier (`<p>...</p>`). Code blocks, inline code and math
are ignored, as are `a < b`, generics such as `List<String>`, a bare mention like "the `<div>`
element", and every field of a record whose prompt is about HTML, XML, CSS, JSX or SVG.

Why it matters: Tags and entities come from scraped pages or from chat exports (ShareGPT dumps are
full of `<div class="markdown prose">`); the model learns to print them in plain-text answers.

Example: `{"role": "assistant", "content": "<p>Preheat the oven to 180&nbsp;°C.</p>"}`

Options: `allow-tags` (tag names not reported).""",
)

UNFILLED_PLACEHOLDER = Rule(
    code="DS804",
    name="unfilled-placeholder",
    family="content",
    severity=Severity.WARNING,
    scope="record",
    summary="Text contains an unfilled template placeholder such as `{{name}}`, `{author}` or `[INSERT ...]`.",
    options=PlaceholderOptions,
    docs="""\
What it does: Reports template slots that were never filled: `{{name}}`, `{author}`,
`<PLACEHOLDER>`, `[placeholder]`, `[Insert company name]`, `<fill in date>`. Code blocks,
inline code and math are ignored (f-strings, JS template literals, `\\frac{a}{b}`, JSON), as are
`${HOME}`, `x^{2}` and single letters like `{x}`. An answer is not reported when its prompt shows the
same placeholder (a template to rewrite) or talks about templates or placeholders.

Why it matters: A prompt template that was formatted with missing variables yields examples that
teach the model to answer literal `{question}` slots, or to leave slots in its own answers.

Example: `{"instruction": "Write a short bio of {author} for the book jacket.", "output": "..."}`

Options: `extra-tokens` (more literal placeholders, e.g. `[Your Name]`), `single-braces` (set false
to report only double braces).""",
)

PLACEHOLDER_VALUE = Rule(
    code="DS805",
    fix=Fix("rewrite-field", safe=True, does="Sets an optional input field (`input`, `context`) that holds only a placeholder to the empty string; other fields are left alone."),
    name="placeholder-value",
    family="content",
    severity=Severity.WARNING,
    scope="record",
    summary="A whole text field is a placeholder or null-like value such as `N/A`, `<noinput>` or `None`.",
    options=PlaceholderValueOptions,
    docs="""\
What it does: Reports a text field whose whole value, stripped and compared case-insensitively, is
a placeholder: `N/A`, `<noinput>`, `<no input>`, `No input`, `<No Output>`, `null`, `None`,
`nan`, `undefined`, `TODO`, `TBD`, `<empty>`. An empty string is not reported (an empty Alpaca
`input` is normal; empty turns are DS108). An answer is not reported when its prompt mentions the
value ("reply N/A if the text has no date").

Why it matters: These strings are serialised nulls or markers of a missing value; the model learns
to answer "None" or sees "<noinput>" as if it were the input.

Example: `{"instruction": "Name three primary colours.", "input": "<noinput>", "output": "Red, yellow and blue."}`

Options: `extra-values` (more values), `allow-values` (values of the default list to accept).""",
)

MERGED_EXAMPLES = Rule(
    code="DS806",
    name="merged-examples",
    family="content",
    severity=Severity.WARNING,
    scope="record",
    summary="A response runs on into another example's prompt template (`### Instruction:`, `Human:`, `<|user|>`).",
    options=MergedExamplesOptions,
    docs="""\
What it does: Reports a learned response containing the markers of a prompt template, outside code:
`### Instruction:`, `### Response:`, `### Human:` / `### Assistant:`, a blank line then `Human:`
or `Assistant:`, `USER:` / `ASSISTANT:` at the start of a line, numbered `18. Instruction:`, and the
role tokens `<|user|>`, `<|assistant|>`, `<|system|>`, `<|prompter|>`. Dialogue markers and numbered
instructions are accepted when the prompt asks for them (it mentions the role or a dialogue).

Why it matters: The generator did not stop at the end of its answer and wrote the next example too,
or two examples were concatenated; the model learns to keep talking for the user.

Example: `"output": "Paris is the capital of France.\\n\\n### Instruction:\\nName the capital of Spain."`

Options: `extra-markers` (more literal markers).""",
)

SPECIAL_TOKEN = Rule(
    code="DS807",
    name="chat-template-token",
    family="content",
    severity=Severity.ERROR,
    scope="record",
    summary="Text contains a tokenizer special token such as `<|im_end|>`, `[INST]` or `</s>`.",
    options=SpecialTokenOptions,
    docs="""\
What it does: Reports chat-template and tokenizer control tokens inside any text field: ChatML
(`<|im_start|>`, `<|im_end|>`), Llama 2 (`[INST]`, `[/INST]`, `<<SYS>>`, `<s>`, `</s>`), Llama 3
(`<|begin_of_text|>`, `<|start_header_id|>`, `<|eot_id|>`), Gemma (`<start_of_turn>`,
`<end_of_turn>`), GPT (`<|endoftext|>`), Phi-3 (`<|end|>`), DeepSeek (`<｜end▁of▁sentence｜>`)
and fill-in-the-middle tokens. Code is checked too, unless `ignore-code` is set.

Why it matters: Chat templates render content into the token stream and most tokenizers parse
special tokens in it: an `<|im_end|>` inside an answer ends the turn early during training, and
the model learns to emit end-of-turn tokens in the middle of its answers.

Example: `{"role": "assistant", "content": "Sure, here it is.<|im_end|>\\n<|im_start|>user"}`

Options: `extra-tokens`, `allow-tokens`, `ignore-code`.""",
)

UNBALANCED_CODE_FENCE = Rule(
    code="DS808",
    name="unbalanced-code-fence",
    family="content",
    severity=Severity.WARNING,
    scope="record",
    summary="A Markdown code fence is opened and never closed.",
    docs="""\
What it does: Follows Markdown fences line by line (``` or ~~~, three or more, possibly indented;
a fence closes only with the same character and at least as many of them) and reports a field
where a fence is still open at the end, with the line of the field where it was opened.

Why it matters: An unclosed fence is most often a response truncated by a token limit in the middle
of its code; trained on, the model learns to stop mid-block, and renderers show the rest as code.

Example: `"content": "Use this:\\n\\n```python\\nfor row in rows:\\n    print(row"`

Options: none.""",
)

URL_ONLY_INPUT = Rule(
    code="DS809",
    name="url-only-input",
    family="content",
    severity=Severity.WARNING,
    scope="record",
    summary="A prompt field is nothing but a URL, which the model cannot open.",
    docs="""\
What it does: Reports a user turn or a prompt field (Alpaca `instruction` or `input`, a preference
`prompt`) whose whole text, stripped, is a single http(s) or www URL.

Why it matters: The model is trained without network access: the answer it is taught to give is
either made up from the URL's words or depends on a page it never sees.

Example: `{"instruction": "Summarise this article.", "input": "https://example.com/news/2023/rates"}`

Options: none.""",
)

RESPONSE_ECHOES_PROMPT = Rule(
    code="DS810",
    name="response-echoes-prompt",
    family="content",
    severity=Severity.WARNING,
    scope="record",
    summary="A response is identical to its prompt after normalisation.",
    options=EchoOptions,
    docs="""\
What it does: Compares each learned response with the prompt it answers (the user turns or prompt
fields since the previous response, joined) after normalisation (NFKC, case-folded, punctuation
and whitespace collapsed) and reports an exact match. An Alpaca `output` equal to its `input`
alone is not reported: correcting an already correct sentence legitimately returns it unchanged.

Why it matters: Echoed prompts come from broken generation or column mix-ups; the model learns to
repeat the user instead of answering.

Example: `{"instruction": "Explain how a heat pump works in winter.", "output": "Explain how a heat pump works in winter."}`

Options: `min-words` (shorter responses, such as an echoed greeting, are not reported).""",
)

CHOSEN_EQUALS_REJECTED = Rule(
    code="DS811",
    name="chosen-equals-rejected",
    family="content",
    severity=Severity.ERROR,
    scope="record",
    summary="A preference pair's chosen and rejected answers are the same after normalisation.",
    docs="""\
What it does: Joins the answer text of the chosen side and of the rejected side and reports the
pair when both are non-empty and equal after normalisation (NFKC, case-folded, punctuation and
whitespace collapsed). The finding points at the rejected answer, with the chosen one as a related
location. Works in every preference layout: the answers are what follows the shared prompt
(explicit `prompt`, implicit prompt of message lists or HH transcripts, ShareGPT ranking turns,
OpenAI's `preferred_output`/`non_preferred_output`).

Why it matters: A pair with no difference carries no preference signal: DPO's loss for it is
constant, and it usually means a generation or join step went wrong for that prompt.

Example: `{"prompt": "Is 17 prime?", "chosen": "Yes, 17 is prime.", "rejected": "yes, 17 is prime"}`

Options: none.""",
)

class ContentFreeOptions(RuleOptions):
    min_words: int = Field(
        default=4, ge=1, description="Responses with fewer words than this answer an explanation request with no content."
    )


CONTENT_FREE_RESPONSE = Rule(
    code="DS812",
    name="content-free-response",
    family="content",
    severity=Severity.WARNING,
    scope="record",
    summary="A request for an explanation is answered with a few words and no information.",
    options=ContentFreeOptions,
    docs="""\
What it does: Reports a learned response of fewer than `min-words` words (default 4) whose prompt
asks for an explanation: "explain", "why", "how does/do/can/to", "describe", "elaborate", "walk me
through", "what is the difference", "in detail", "step by step" (English prompts). "See docs.",
"Yes.", "Ok" and "It depends." answer no such request. A response holding code or a URL is not
reported, nor is a short answer to a question that asks for one ("Is 17 prime? Explain in one
word.").

Why it matters: Content-free answers to explanation requests come from truncated generations or
scraped Q&A whose answer lived elsewhere; they teach the model to brush users off.

Example: `{"instruction": "Explain why the sky is blue.", "output": "See docs."}`

Options: `min-words` (the shortest response, in words, that is not reported).""",
)

class LanguageMismatchOptions(RuleOptions):
    min_letters: int = Field(
        default=40, ge=10, description="Letters both texts need (in their first 1000 characters, code and math left out) to be identified."
    )
    min_confidence: float = Field(
        default=0.9, ge=0.5, le=1.0, description="Probability both identifications need before a mismatch is reported."
    )
    turns: int = Field(
        default=1, ge=1, description="How many responses of a conversation are compared, from the first (each costs two identifications)."
    )
    expected: dict[str, list[str]] = Field(
        default_factory=dict,
        description="File patterns (the .gitignore-style patterns of per-file-ignores) mapped to the ISO 639-1 codes "
        "responses in those files must be written in; the first matching pattern applies, and its files are "
        "checked against these languages instead of against their prompts.",
    )

    @field_validator("expected")
    @classmethod
    def _codes(cls, expected: dict[str, list[str]]) -> dict[str, list[str]]:
        for pattern, codes in expected.items():
            bad = [c for c in codes if not re.fullmatch(r"[a-z]{2,3}", c)]
            if bad or not codes:
                raise ValueError(f"expected languages for {pattern!r} must be ISO 639-1 codes such as en, fr, zh; got {codes!r}")
        return expected


LANGUAGE_MISMATCH = Rule(
    code="DS813",
    name="language-mismatch",
    family="content",
    severity=Severity.INFO,
    scope="record",
    summary="A response is written in a different language than its prompt (or than the file's expected languages).",
    options=LanguageMismatchOptions,
    docs="""\
What it does: Identifies the language of each learned response and of the prompt it answers (user
turns or prompt fields since the previous response) with py3langid, an offline language
identifier whose model ships in its wheel (97 languages), and reports a response whose language
differs from its prompt's when both have at least `min-letters` letters outside code and math and
both identifications reach `min-confidence`. A prompt that asks for a translation or for an answer
in a named language ("translate", "in French", "übersetze", "翻译") is not compared. With
`expected` set for a file, its responses are compared with those languages instead.

Why it matters: An English question answered in Chinese, or a Spanish split full of English
answers, usually comes from a teacher model drifting or from a column mix-up; the model learns to
switch language unprompted.

Example: `{"instruction": "Explain photosynthesis to a ten-year-old.", "output": "La photosynthèse est ..."}`

Identification costs about 100 microseconds per text, so only the first `turns` responses of a
conversation are compared, and a pair where both texts use several English function words is taken
as English without identifying it.

Options: `min-letters` (default 40), `min-confidence` (default 0.9), `turns` (default 1), `expected`
(file pattern to list of ISO 639-1 codes, e.g. `{"data/fr/**": ["fr"], "*.jsonl": ["en"]}`).""",
)

CONTENT_RULES = (
    HTML_RESIDUE,
    UNFILLED_PLACEHOLDER,
    PLACEHOLDER_VALUE,
    MERGED_EXAMPLES,
    SPECIAL_TOKEN,
    UNBALANCED_CODE_FENCE,
    URL_ONLY_INPUT,
    RESPONSE_ECHOES_PROMPT,
    CHOSEN_EQUALS_REJECTED,
    CONTENT_FREE_RESPONSE,
    LANGUAGE_MISMATCH,
)
