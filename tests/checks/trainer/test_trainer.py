"""The trainer family (DS900-DS907) and its profiles, measured with a real tokenizer built here.

Every expected count is computed in the test by tokenising the templated text directly with the
``tokenizers`` library (and rendering with a plain Jinja2 environment), never hard-coded.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

import dslint
from dslint.checks.trainer.check import _classify
from dslint.checks.trainer.lengths import fit, infer_seqlen
from dslint.checks.trainer.rules import TRAINER_RULES
from dslint.profiles import load_profile, profile_names

WORDS = "hello world how are you the quick brown fox jumps over the lazy dog please explain sorting lists in python".split()
SPECIALS = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
CHATML = (
    "{{ bos_token }}{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
GENERATION = (
    "{{ bos_token }}{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
    "{% if m['role'] == 'assistant' %}{% generation %}{{ m['content'] }}<|im_end|>\n{% endgeneration %}"
    "{% else %}{{ m['content'] }}<|im_end|>\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
NO_SYSTEM = "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported, see jane.doe@example.com') }}{% endif %}" + CHATML


def _tokenizer() -> Tokenizer:
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=SPECIALS)
    tok.train_from_iterator([" ".join(WORDS[i:] + WORDS[:i]) for i in range(len(WORDS))] * 5, trainer)
    tok.add_special_tokens(SPECIALS)
    return tok


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return _tokenizer()


def model_folder(root: Path, tok: Tokenizer, template: str = CHATML) -> Path:
    folder = root / "model"
    folder.mkdir(exist_ok=True)
    tok.save(str(folder / "tokenizer.json"))
    config = {"chat_template": template, "bos_token": "<s>", "eos_token": {"content": "</s>", "special": True}}
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    return folder


def render(template: str, messages: list[dict], add_generation_prompt: bool = False) -> str:
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.do"])
    if "generation" in template:  # the plain environment lacks the tag: drop it for the reference render
        template = template.replace("{% generation %}", "").replace("{% endgeneration %}", "")
    return env.from_string(template).render(messages=messages, add_generation_prompt=add_generation_prompt, bos_token="<s>", eos_token="</s>")


def count_in(tok: Tokenizer, text: str, spans: list[tuple[int, int]] | None = None) -> int:
    """Tokens of ``text``; with ``spans``, only those whose first character lies in one."""
    offsets = tok.encode(text, add_special_tokens=False).offsets
    if spans is None:
        return len(offsets)
    return sum(1 for s, _ in offsets if any(a <= s < b for a, b in spans))


def assistant_spans(messages: list[dict], text: str, template: str = CHATML) -> list[tuple[int, int]]:
    """Each assistant message's content and end-of-turn, found from the text itself."""
    spans = []
    for i, m in enumerate(messages):
        if m["role"] == "assistant":
            start = len(render(template, messages[:i], add_generation_prompt=True))
            end = start + len(m["content"]) + len("<|im_end|>\n")
            assert text[start:end] == m["content"] + "<|im_end|>\n"
            spans.append((start, end))
    return spans


def sentence(n: int, seed: int) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(n))


def conversation(user: int, answer: int, seed: int = 0, system: bool = False) -> dict:
    messages = [{"role": "system", "content": "you are a quick fox"}] if system else []
    messages += [{"role": "user", "content": sentence(user, seed)}, {"role": "assistant", "content": sentence(answer, seed + 1)}]
    return {"messages": messages}


def write(root: Path, name: str, rows: list[dict]) -> Path:
    path = root / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def configure(root: Path, **options: object) -> Path:
    lines = ["rules:", "  DS900:" + ("" if options else " {}")]
    lines += [f"    {k.replace('_', '-')}: {json.dumps(v)}" for k, v in options.items()]
    path = root / "dslint.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(root: Path, profile: str, rows: list[dict], name: str = "train.jsonl", **options: object) -> dslint.Report:
    write(root, name, rows)
    return dslint.lint([root / name], config=configure(root, **options), profile=profile, select=["trainer"])


def by_rule(report: dslint.Report, code: str) -> list:
    return [f for f in report.findings if f.rule == code]


def summary(report: dslint.Report) -> dict:
    return report.summary.stats["trainer"]


# --- exact tokens after templating ------------------------------------------------------------


def test_trl_counts_every_token_of_the_rendered_conversation(tmp_path: Path, tok: Tokenizer) -> None:
    rows = [conversation(5 + i, 8 + 2 * i, seed=i, system=i % 2 == 0) for i in range(6)]
    report = run(tmp_path, "trl", rows, model=str(model_folder(tmp_path, tok)))
    expected = sum(count_in(tok, render(CHATML, r["messages"])) for r in rows)
    stats = summary(report)["splits"]["train"]
    assert stats["tokens"] == expected
    assert stats["trainable_tokens"] == expected  # TRL trains on every token of a conversation by default
    assert summary(report)["measured_with"] == "tokenizer.json of model, template: the model's chat template"
    assert by_rule(report, "DS903") == [] and by_rule(report, "DS904") == []


@pytest.mark.parametrize("template", [CHATML, GENERATION], ids=["prefix-renders", "generation-tag"])
def test_assistant_only_loss_masks_all_but_the_answers(tmp_path: Path, tok: Tokenizer, template: str) -> None:
    rows = [
        {"messages": [{"role": "user", "content": sentence(6, 1)}, {"role": "assistant", "content": sentence(9, 2)},
                      {"role": "user", "content": sentence(4, 3)}, {"role": "assistant", "content": sentence(7, 4)}]},
        conversation(3, 12, seed=5, system=True),
    ]
    report = run(tmp_path, "trl", rows, model=str(model_folder(tmp_path, tok, template)), loss="outputs")
    texts = [render(template, r["messages"]) for r in rows]
    trainable = sum(count_in(tok, t, assistant_spans(r["messages"], t)) for r, t in zip(rows, texts))
    stats = summary(report)["splits"]["train"]
    assert stats["tokens"] == sum(count_in(tok, t) for t in texts)
    assert stats["trainable_tokens"] == trainable
    assert 0 < trainable < stats["tokens"]


def test_trl_truncates_the_end_and_counts_the_answer_tokens_lost(tmp_path: Path, tok: Tokenizer) -> None:
    row = conversation(10, 40, seed=3)
    text = render(CHATML, row["messages"])
    spans = assistant_spans(row["messages"], text)
    offsets = tok.encode(text, add_special_tokens=False).offsets
    limit = len(offsets) - 15
    report = run(tmp_path, "trl", [row, conversation(2, 2, seed=1)], model=str(model_folder(tmp_path, tok)),
                 max_length=limit, loss="outputs")
    [finding] = by_rule(report, "DS903")
    lost = sum(1 for s, _ in offsets[limit:] if any(a <= s < b for a, b in spans))
    assert finding.location.record == 0
    assert finding.metrics["tokens"] == len(offsets)
    assert finding.metrics["cut_tokens"] == 15
    assert finding.metrics["trainable_tokens"] == count_in(tok, text, spans)
    assert finding.metrics["trainable_lost"] == lost == 15  # the answer and its end-of-turn are last
    assert "max_length" in finding.message and "from the end" in finding.message


def test_truncation_that_cuts_the_whole_answer_is_no_trainable_tokens(tmp_path: Path, tok: Tokenizer) -> None:
    row = conversation(60, 3, seed=2)
    text = render(CHATML, row["messages"])
    prompt = len(render(CHATML, row["messages"][:1], add_generation_prompt=True))
    limit = count_in(tok, text[:prompt]) - 2  # ends inside the prompt
    report = run(tmp_path, "torchtune", [row], model=str(model_folder(tmp_path, tok)), max_length=limit)
    [finding] = by_rule(report, "DS904")
    assert "the whole answer is lost" in finding.message
    assert finding.metrics["trainable_tokens"] == count_in(tok, text, assistant_spans(row["messages"], text))
    assert by_rule(report, "DS903") == []


def test_axolotl_drops_rows_over_sequence_len(tmp_path: Path, tok: Tokenizer) -> None:
    rows = [conversation(4, 4, seed=0), conversation(50, 30, seed=1), conversation(5, 6, seed=2)]
    lengths = [count_in(tok, render(CHATML, r["messages"])) for r in rows]
    limit = sorted(lengths)[1]  # the longest row is over it, the others fit
    report = run(tmp_path, "axolotl", rows, model=str(model_folder(tmp_path, tok)), max_length=limit)
    [finding] = by_rule(report, "DS902")
    assert finding.location.record == lengths.index(max(lengths))
    assert finding.metrics["tokens"] == max(lengths)
    assert f"over sequence_len {limit}" in finding.message and finding.severity == "warning"
    assert summary(report)["splits"]["train"]["dropped"] == 1
    # with excess_length_strategy: truncate the same row is truncated instead
    report = run(tmp_path, "axolotl", rows, model=str(model_folder(tmp_path, tok)), max_length=limit, overflow="truncate")
    assert by_rule(report, "DS902") == []
    cut = [f.location.record for f in report.findings if f.rule in ("DS903", "DS904")]
    assert cut == [lengths.index(max(lengths))]


# --- each trainer's own rules -------------------------------------------------------------------


def test_llama_factory_drops_rows_whose_turns_do_not_alternate(tmp_path: Path, tok: Tokenizer) -> None:
    good = conversation(3, 3, seed=0, system=True)
    two_users = {"messages": [{"role": "user", "content": "hello"}, {"role": "user", "content": "again"},
                              {"role": "assistant", "content": "the fox"}]}
    ends_with_user = {"messages": [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "hi"},
                                   {"role": "user", "content": "bye"}]}
    bad_tag = {"conversations": [{"from": "human", "value": "hello"}, {"from": "bot", "value": "hi"}]}
    report = run(tmp_path, "llama-factory", [good, two_users, ends_with_user], model=str(model_folder(tmp_path, tok)))
    dropped = {f.location.record: f.message for f in by_rule(report, "DS902")}
    assert sorted(dropped) == [1, 2]
    assert "Dropped invalid example" in dropped[1] and "alternate" in dropped[1]
    assert "does not end with an assistant turn" in dropped[2]
    report = run(tmp_path, "llama-factory", [bad_tag], name="sharegpt.jsonl")
    [finding] = by_rule(report, "DS902")
    assert "Invalid role tag" in finding.message and "'bot'" in finding.message


def test_llama_factory_shares_cutoff_len_between_prompt_and_answer(tmp_path: Path, tok: Tokenizer) -> None:
    row = conversation(80, 30, seed=4)
    text = render(CHATML, row["messages"])
    [span] = assistant_spans(row["messages"], text)
    source, target = count_in(tok, text[: span[0]]), count_in(tok, text, [span])
    cutoff = (source + target) // 2
    report = run(tmp_path, "llama-factory", [row], model=str(model_folder(tmp_path, tok)), max_length=cutoff)
    [finding] = by_rule(report, "DS903")
    kept_source, kept_target = infer_seqlen(source, target, cutoff)
    assert finding.metrics["trainable_lost"] == target - kept_target
    assert finding.metrics["cut_tokens"] == source + target - kept_source - kept_target


def test_infer_seqlen_follows_llama_factory() -> None:
    assert infer_seqlen(100, 10, 50) == (40, 10)  # short answer: only the prompt is cut
    assert infer_seqlen(10, 100, 50) == (10, 40)  # short prompt: only the answer is cut
    assert infer_seqlen(60, 40, 50) == (30, 20)  # both long: in proportion
    assert fit([(10, False), (5, True)], None, "truncate", "right").kept == 15


def test_torchtune_validate_messages(tmp_path: Path, tok: Tokenizer) -> None:
    rows = [
        {"messages": [{"role": "user", "content": "hello"}]},
        {"messages": [{"role": "assistant", "content": "hi"}, {"role": "user", "content": "hello"}]},
        {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "system", "content": "c"}]},
        conversation(3, 3),
    ]
    report = run(tmp_path, "torchtune", rows, model=str(model_folder(tmp_path, tok)))
    messages = {f.location.record: f.message for f in by_rule(report, "DS902")}
    assert sorted(messages) == [0, 1, 2]
    assert "at least length 2" in messages[0]
    assert "Assistant message before expected user message at index 0" in messages[1]
    assert "System message at index 2" in messages[2]
    assert all(f.severity == "error" for f in by_rule(report, "DS902"))


def test_openai_format_rules_count_and_billing(tmp_path: Path, tok: Tokenizer) -> None:
    rows = [conversation(4 + i, 6 + i, seed=i, system=True) for i in range(12)]
    rows[3]["messages"][0]["extra"] = 1
    rows[4]["messages"] = rows[4]["messages"][:2]  # no assistant message
    rows[5]["messages"][2]["weight"] = 2
    rows[6]["messages"][2]["weight"] = 0  # allowed: but then nothing is trained
    report = run(tmp_path, "openai", rows, tokenizer=str(model_folder(tmp_path, tok) / "tokenizer.json"), epochs=2)
    messages = {f.location.record: f.message for f in by_rule(report, "DS902")}
    assert sorted(messages) == [3, 4, 5]
    assert "unrecognized key 'extra'" in messages[3]
    assert "no assistant message" in messages[4]
    assert "weight '2'" in messages[5]
    assert [f.location.record for f in by_rule(report, "DS904")] == [6]
    # the cookbook's count: 3 tokens per message, its content, and 3 to prime the reply
    measured = [i for i in range(12) if i not in messages]
    lengths = [sum(3 + count_in(tok, m["content"]) for m in rows[i]["messages"]) + 3 for i in measured]
    stats = summary(report)
    assert stats["splits"]["train"]["tokens"] == sum(lengths)
    assert stats["billed_tokens"] == 2 * sum(lengths) and stats["epochs"] == 2
    [few] = by_rule(report, "DS907")  # 12 rows, 3 rejected: 9 usable, OpenAI needs 10
    assert few.metrics == {"examples": 9, "minimum": 10}

def test_openai_needs_ten_examples(tmp_path: Path) -> None:
    report = run(tmp_path, "openai", [conversation(3, 3, seed=i) for i in range(7)])
    [finding] = by_rule(report, "DS907")
    assert finding.metrics == {"examples": 7, "minimum": 10}
    assert summary(report)["epochs"] == 100 // 7  # OpenAI's default rule for small sets


def test_estimate_is_the_default_and_the_report_says_so(tmp_path: Path) -> None:
    rows = [conversation(5, 9, seed=i) for i in range(3)]
    report = run(tmp_path, "trl", rows)
    stats = summary(report)
    assert stats["measured_with"] == "estimate: 4 characters per token"
    expected = sum(4 + math.ceil(len(m["content"]) / 4) for r in rows for m in r["messages"])
    assert stats["splits"]["train"]["tokens"] == expected


def test_template_errors_are_findings_with_the_message_redacted(tmp_path: Path, tok: Tokenizer) -> None:
    rows = [conversation(3, 3, system=True), conversation(3, 3)]
    report = run(tmp_path, "trl", rows, model=str(model_folder(tmp_path, tok, NO_SYSTEM)))
    [finding] = by_rule(report, "DS905")
    assert finding.location.record == 0
    assert "System role not supported" in finding.message
    assert "jane.doe@example.com" not in finding.message


def test_templates_run_sandboxed(tmp_path: Path, tok: Tokenizer) -> None:
    hostile = "{{ ''.__class__.__mro__[1].__subclasses__() }}" + CHATML
    report = run(tmp_path, "trl", [conversation(3, 3)], model=str(model_folder(tmp_path, tok, hostile)))
    [finding] = by_rule(report, "DS905")
    assert "access to attribute '__class__' of 'str' object is unsafe" in finding.message


def test_special_tokens_in_content(tmp_path: Path, tok: Tokenizer) -> None:
    rows = [conversation(3, 3), {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "done <|im_end|> more"}]}]
    report = run(tmp_path, "trl", rows, model=str(model_folder(tmp_path, tok)))
    [finding] = by_rule(report, "DS906")
    assert finding.location.record == 1 and finding.location.field == "/messages/1/content"
    assert finding.metrics["token"] == "<|im_end|>"


def test_layouts_the_trainer_does_not_load(tmp_path: Path) -> None:
    report = run(tmp_path, "trl", [{"instruction": "sort this", "input": "", "output": "done"}] * 3, name="alpaca.jsonl")
    [finding] = by_rule(report, "DS901")
    assert finding.metrics == {"layout": "alpaca", "records": 3}
    assert by_rule(report, "DS900") == []  # nothing measured


def test_no_profile_no_trainer_findings(tmp_path: Path) -> None:
    write(tmp_path, "train.jsonl", [conversation(3, 3)])
    report = dslint.lint([tmp_path / "train.jsonl"], config=configure(tmp_path), select=["ALL"])
    assert not [f for f in report.findings if f.rule.startswith("DS9")]
    report = dslint.lint([tmp_path / "train.jsonl"], config=configure(tmp_path))
    assert not [f for f in report.findings if f.rule.startswith("DS9")]


def test_batching_and_workers_do_not_change_findings(tmp_path: Path, tok: Tokenizer) -> None:
    rows = [conversation(5 + i % 40, 3 + (i * 7) % 50, seed=i) for i in range(120)]
    folder = str(model_folder(tmp_path, tok))
    for i in range(3):
        write(tmp_path, f"part{i}.jsonl", rows[i * 40 : (i + 1) * 40])
    paths = [tmp_path / f"part{i}.jsonl" for i in range(3)]
    reports = []
    for batch, jobs in ((1, 1), (7, 1), (512, 2)):
        config = configure(tmp_path, model=folder, max_length=60, batch_size=batch)
        reports.append(dslint.lint(paths, config=config, profile="trl", jobs=jobs))
    dumps = [[f.model_dump() for f in r.findings] for r in reports]
    assert dumps[0] == dumps[1] == dumps[2]
    assert by_rule(reports[0], "DS903")


def test_cli_profile_and_bad_model_folder(tmp_path: Path, cli) -> None:
    write(tmp_path, "train.jsonl", [conversation(3, 3)])
    configure(tmp_path, model="missing")
    result = cli("check", "train.jsonl", "--profile", "trl", cwd=tmp_path)
    assert result.code == 2 and "has no tokenizer.json" in result.err and "Traceback" not in result.err
    result = cli("check", "train.jsonl", "--profile", "nope", cwd=tmp_path)
    assert result.code == 2


def test_profiles_cite_sources_and_select_only_trainer_rules() -> None:
    codes = {r.code for r in TRAINER_RULES}
    assert profile_names() == ["axolotl", "llama-factory", "openai", "torchtune", "trl"]
    for name in profile_names():
        profile = load_profile(name)
        assert profile.sources and all(s.url.startswith("https://") for s in profile.sources)
        assert set(profile.select) <= codes and set(profile.severity) <= codes


@given(st.lists(st.integers(0, 60), max_size=40), st.lists(st.integers(0, 60), max_size=8))
def test_token_runs_match_a_token_by_token_classification(starts: list[int], cuts: list[int]) -> None:
    starts = sorted(starts)
    bounds = sorted(set(cuts))
    spans = tuple(zip(bounds[::2], bounds[1::2]))
    runs = _classify(starts, spans)
    flags = [t for n, t in runs for _ in range(n)]
    assert flags == [any(a <= s < b for a, b in spans) for s in starts]
    assert all(n > 0 for n, _ in runs)


def test_unknown_profile_in_config_is_a_one_line_error(tmp_path: Path, cli) -> None:
    write(tmp_path, "train.jsonl", [conversation(3, 3)])
    (tmp_path / "dslint.yaml").write_text("profile: trll\n")
    result = cli("check", "train.jsonl", cwd=tmp_path)
    assert result.code == 2
    assert "dslint.yaml:1" in result.err and "did you mean 'trl'" in result.err


def test_trl_dpo_keeps_the_end_of_each_side(tmp_path: Path, tok: Tokenizer) -> None:
    row = {"prompt": sentence(40, 1), "chosen": sentence(6, 2), "rejected": sentence(9, 3)}
    report = run(tmp_path, "trl", [row], name="prefs.jsonl", model=str(model_folder(tmp_path, tok)), max_length=30)
    found = {f.metrics["trainable_tokens"]: f for f in by_rule(report, "DS903")}
    for side in ("chosen", "rejected"):
        text = row["prompt"] + row[side] + "</s>"  # TRL concatenates prompt and completion, then EOS
        completion = count_in(tok, text, [(len(row["prompt"]), len(text))])
        finding = found[completion]
        assert f"the {side} side" in finding.message and "from the start" in finding.message
        assert finding.metrics["tokens"] == count_in(tok, text)
        assert finding.metrics["trainable_lost"] == 0  # keep_end cuts the prompt, not the answer


@pytest.mark.parametrize("profile", profile_names())
def test_wrong_types_anywhere_are_findings_not_crashes(tmp_path: Path, profile: str) -> None:
    rows = [
        {"messages": [{"role": ["user"], "content": "hi"}, {"role": "assistant", "content": {"x": 1}}]},
        {"messages": [{"role": "user", "content": "hi", "weight": [1]}, {"role": "assistant", "content": "yo", "weight": True}]},
        {"messages": [None, 3, {"role": "assistant", "content": "ok"}]},
        {"conversations": [{"from": {"a": 1}, "value": "hi"}, {"from": "gpt", "value": ["x"]}]},
    ]
    for i, row in enumerate(rows):
        report = run(tmp_path, profile, [row, conversation(3, 3)], name=f"r{i}.jsonl")
        assert report.summary.records == 2
