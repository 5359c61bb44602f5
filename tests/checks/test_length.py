"""The length family (DS701-DS704), the length stats, and token counting (dslint.tokens)."""

from __future__ import annotations

import pickle
import random
import sys
import types
from functools import reduce
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dslint.batch import Batch
from dslint.check import DOC_SECTIONS, CheckContext
from dslint.checks.length import stats as length_stats
from dslint.checks.length.check import CHECKS, LengthCheck, LengthOutlierCheck
from dslint.finding import Finding, Severity
from dslint.formats import make_format
from dslint.record import Record
from dslint.tokens import CharEstimate, TokenCounter, TokenizerError, build_counter
from dslint.yamlpos import ConfigError

RULES = {r.code: r for c in CHECKS for r in c.rules}
CHAT = make_format("openai-chat")

SENTENCES = [
    "You can reset your password from the sign-in page by choosing 'Forgot password'.",
    "We will send a link to the email address on your account; it expires after 30 minutes.",
    "If the email does not arrive, check your spam folder or add our domain to your safe senders.",
    "Shared folders keep their permissions when you move them into a team workspace.",
    "To restore a deleted file, open the Trash, select the file and click Restore.",
    "Files stay in the Trash for 30 days on the free plan and 180 days on the team plan.",
    "The sync client pauses automatically when your laptop switches to battery saver mode.",
    "You can change this behaviour under Settings, Sync, Power options.",
    "Invoices are issued on the first day of each billing period and sent to the billing contact.",
    "Let me know if you would like step-by-step instructions for the mobile app as well.",
]
QUESTIONS = [
    "How do I reset my password?",
    "Why did my shared folder lose its permissions?",
    "Can I get back a file I deleted last week?",
    "The sync client keeps pausing, what is going on?",
    "When do you send invoices?",
]


def options(raw: dict | None = None, enabled: set[str] | None = None) -> CheckContext:
    opts = {code: RULES[code].options.model_validate(value) for code, value in (raw or {}).items()}
    return CheckContext(options=opts, enabled=frozenset(enabled) if enabled is not None else None)


def chat(assistant: str, user: str = QUESTIONS[0], index: int = 0, split: str | None = "train",
         file: str = "train.jsonl", system: str | None = "You are a support agent for a cloud storage product.") -> Record:
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return Record(file=file, line=index + 1, index=index, data={"messages": messages}, split=split, format=CHAT)


def answer(rng: random.Random) -> str:
    return " ".join(rng.sample(SENTENCES, rng.randint(2, 6)))


def support_dataset(n: int = 150, seed: int = 3) -> list[Record]:
    """Realistic support conversations with answers of 2-6 sentences, plus one pasted log and
    one curt answer: the two length outliers."""
    rng = random.Random(seed)
    records = [chat(answer(rng), user=rng.choice(QUESTIONS), index=i) for i in range(n)]
    log = "".join(f"2024-05-01 12:00:{i % 60:02d} INFO sync-worker-3 uploaded chunk {i} of 900\n" for i in range(900))
    records[40] = chat(log, user="Why is the upload slow?", index=40)
    records[77] = chat("Sure.", user="Can you explain how file versioning works?", index=77)
    return records


def run_record(record: Record, ctx: CheckContext | None = None) -> list[Finding]:
    return list(LengthCheck(ctx or CheckContext()).check(record))


def run_dataset(records: list[Record], ctx: CheckContext | None = None) -> tuple[list[Finding], dict]:
    check = LengthOutlierCheck(ctx or CheckContext())
    state = check.init()
    for r in records:
        state = check.update(state, r)
    return list(check.finalize(state)), check.stats(state)


# --- metadata ------------------------------------------------------------------------------


def test_rules_metadata_is_complete() -> None:
    assert sorted(RULES) == ["DS701", "DS702", "DS703", "DS704"]
    for rule in RULES.values():
        assert rule.family == "length" and rule.summary.endswith(".")
        positions = [rule.docs.index(f"{s}:") for s in DOC_SECTIONS]
        assert positions == sorted(positions), rule.code
        for name, spec in rule.options.model_fields.items():
            assert spec.description, (rule.code, name)
            assert rule.options.model_validate({}) is not None
    assert RULES["DS704"].scope == "dataset" and RULES["DS704"].severity is Severity.INFO
    assert "DS108" in RULES["DS701"].docs  # the documented split of work with empty-content
    with pytest.raises(ValueError):
        RULES["DS703"].options.model_validate({"context_windw": 2048})
    assert RULES["DS703"].options.model_validate({"context-window": 2048}).context_window == 2048


# --- DS701 trivial-output ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["…", "...", " - ", "**", "```\n```", "?!"])
def test_outputs_without_letters_or_digits_are_trivial(text: str) -> None:
    findings = run_record(chat(text))
    assert [f.rule for f in findings] == ["DS701"]
    assert findings[0].message == "assistant output has no letter or digit"
    assert findings[0].location is not None and findings[0].location.field == "/messages/2/content"


def test_blank_outputs_short_answers_prompts_and_rejected_sides_are_not_trivial() -> None:
    assert run_record(chat("   ")) == []  # DS108 empty-content reports it
    assert run_record(chat("B")) == []  # a multiple-choice answer
    assert run_record(chat("42", user="What is 6 × 7?")) == []
    assert run_record(chat("Use the Restore button.", user="?")) == []  # prompts are not judged
    pref = Record("prefs.jsonl", 1, 0, {"prompt": "Summarise the refund policy.", "chosen": "Refunds within 30 days.",
                                        "rejected": "..."}, "train", make_format("preference"))
    assert run_record(pref) == []


def test_min_chars_option() -> None:
    ctx = options({"DS701": {"min-chars": 3}})
    findings = run_record(chat("OK", user="Reply with OK if you understood."), ctx)
    assert [f.message for f in findings] == ["assistant output is 2 characters long, below min-chars 3"]
    assert run_record(chat("Yes."), ctx) == []


# --- DS702 field-too-long ------------------------------------------------------------------


def test_field_over_max_chars_and_max_tokens() -> None:
    page = "<div class='post'>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 2000 + "</div>"
    findings = run_record(chat(page))
    assert [f.rule for f in findings] == ["DS702", "DS703"]
    assert findings[0].message == f"assistant text is {len(page):,} characters, over max-chars 100,000"
    ctx = options({"DS702": {"max-tokens": 50}}, enabled={"DS702"})
    text = " ".join(SENTENCES[:4])
    findings = run_record(chat(text), ctx)
    assert len(text) == 340  # 85 tokens at 4 characters per token, rounded up
    assert [f.message for f in findings] == [
        "assistant text is 85 tokens (estimate: 4 characters per token), over max-tokens 50"
    ]


# --- DS703 over-context-window -------------------------------------------------------------


def test_example_over_the_context_window_reports_the_share_cut() -> None:
    ctx = options({"DS703": {"context-window": 100}}, enabled={"DS703"})
    record = chat(" ".join(SENTENCES), user=QUESTIONS[1])  # 3 messages
    findings = run_record(record, ctx)
    assert [f.rule for f in findings] == ["DS703"]
    m = findings[0].metrics
    # system 52 chars -> 13 tokens, user 46 -> 12, assistant 832 -> 208; 4 template tokens each
    assert m["tokens"] == 13 + 12 + 208 + 3 * 4 and m["cut_tokens"] == 245 - 100
    # cut from the right: all 145 tokens come out of the assistant's answer
    assert m["output_tokens"] == 208 and m["output_cut_share"] == round(145 / 208, 4)
    assert findings[0].message == (
        "example is 245 tokens (estimate: 4 characters per token), over the 100-token context window:"
        " 145 tokens (59%) would be cut, 70% of the output"
    )


def test_whole_output_cut_and_left_truncation() -> None:
    long_prompt = "Here is the full log of the failing upload:\n" + "retrying chunk 17 after timeout\n" * 60
    record = chat("Your proxy blocks large uploads.", user=long_prompt)
    right = run_record(record, options({"DS703": {"context-window": 200}}, enabled={"DS703"}))
    assert right[0].message.endswith("the whole output: the example teaches nothing")
    assert right[0].metrics["output_cut_share"] == 1.0
    left = run_record(record, options({"DS703": {"context-window": 200, "truncation-side": "left"}}, enabled={"DS703"}))
    assert left[0].metrics["output_cut_share"] == 0.0 and left[0].message.endswith("would be cut")


def test_under_the_window_is_fine_and_template_tokens_count() -> None:
    record = chat("Invoices go out on the 1st.", user=QUESTIONS[4], system=None)  # 7 + 7 content tokens
    assert run_record(record, options({"DS703": {"context-window": 22}}, enabled={"DS703"})) == []
    assert len(run_record(record, options({"DS703": {"context-window": 21}}, enabled={"DS703"}))) == 1
    ctx = options({"DS703": {"context-window": 14, "tokens-per-message": 0}}, enabled={"DS703"})
    assert run_record(record, ctx) == []


def test_preference_sides_are_two_sequences() -> None:
    data = {"prompt": "Explain what a shared folder is.", "chosen": "A folder several people can open and edit.",
            "rejected": "A folder. " * 80}
    record = Record("prefs.jsonl", 3, 2, data, "train", make_format("preference"))
    findings = run_record(record, options({"DS703": {"context-window": 150}}, enabled={"DS703"}))
    assert len(findings) == 1 and findings[0].message.startswith("rejected sequence (prompt + rejected) is 216 tokens")


# --- DS704 length-outlier and the stats ----------------------------------------------------


def test_outliers_are_the_pasted_log_and_the_curt_answer() -> None:
    findings, _ = run_dataset(support_dataset())
    by_record = {(f.location.record, f.metrics["side"]) for f in findings if f.location}
    assert by_record == {(40, "long"), (77, "short")}
    long = next(f for f in findings if f.metrics["side"] == "long")
    assert long.location is not None and long.location.field == "/messages/2/content" and long.location.line == 41
    assert long.severity is Severity.INFO and long.location.split == "train"
    assert long.message.startswith("assistant text is 58,390 characters, ") and "× the median of" in long.message
    assert "for assistant texts in split 'train' (robust z +" in long.message
    short = next(f for f in findings if f.metrics["side"] == "short")
    assert short.message.startswith("assistant text is 5 characters, 1/")


def test_empty_optional_fields_are_not_lengths() -> None:
    # Alpaca rows whose optional `input` is mostly empty: the few filled inputs are not outliers
    # against a median of 0, and no message names a split "(none)".
    fmt = make_format("alpaca")
    rows = []
    for i in range(60):
        data = {"instruction": f"Summarise customer ticket number {i} in one sentence.", "input": "",
                "output": f"The customer asks for a refund of order {i} because it arrived late."}
        if i % 20 == 0:
            data["input"] = "Order arrived a week late."
        rows.append(Record("alpaca.jsonl", i + 1, i, data, None, fmt))
    findings, stats = run_dataset(rows)
    assert findings == []
    assert stats["splits"]["(unsplit)"]["prompt"]["count"] == 60 + 3


def test_stats_carry_the_outlier_bounds_ds704_applies() -> None:
    findings, stats = run_dataset(support_dataset())
    bounds = stats["splits"]["train"]["assistant"]["outliers"]
    for f in findings:
        length = f.metrics["chars"]
        assert length > bounds["long_above"] if f.metrics["side"] == "long" else length < bounds["short_below"]
    assert bounds["short_below"] < stats["splits"]["train"]["assistant"]["p50"] < bounds["long_above"]


def test_outlier_options_and_small_groups() -> None:
    records = support_dataset()
    assert run_dataset(records, options({"DS704": {"min-records": 500}}))[0] == []
    assert run_dataset(records, options({"DS704": {"max-findings": 0}}))[0] == []
    assert run_dataset(records, options({"DS704": {"threshold": 50}}))[0] == []


def test_fields_other_rules_report_are_not_outliers() -> None:
    records = support_dataset()
    records[77] = chat("…", index=77)  # DS701 reports it
    findings, _ = run_dataset(records)
    assert {f.location.record for f in findings if f.location} == {40}
    # with DS701 off, the trivial answer is an outlier again
    findings, _ = run_dataset(records, options(enabled={"DS704", "DS702"}))
    assert {f.location.record for f in findings if f.location} == {40, 77}


def test_stats_give_the_distribution_per_split_and_role() -> None:
    records = [chat("a" * n, user="b" * (n + 10), index=i, system=None) for i, n in enumerate(range(1, 21))]
    records.append(chat("Done.", index=20, split=None, file="extra.jsonl", system=None))
    _, stats = run_dataset(records)
    assert stats["tokenizer"] == "estimate: 4 characters per token"
    train = stats["splits"]["train"]
    assert list(train) == ["assistant", "user", "example"]
    assert train["assistant"] == {"unit": "characters", "count": 20, "min": 1, "p50": 10, "p95": 19, "max": 20,
                                  "mean": 10.5, "histogram": [
                                      {"from": 1, "to": 2, "count": 2}, {"from": 3, "to": 6, "count": 4},
                                      {"from": 7, "to": 14, "count": 8}, {"from": 15, "to": 30, "count": 6}]}
    assert stats["context_window"] == 4096
    assert train["user"]["min"] == 11 and train["user"]["max"] == 30
    assert train["example"]["unit"] == "tokens" and train["example"]["max"] == 5 + 8 + 8
    assert stats["splits"]["(unsplit)"]["assistant"]["count"] == 1


def test_preference_stats_separate_chosen_and_rejected() -> None:
    fmt = make_format("preference")
    records = [Record("p.jsonl", i + 1, i, {"prompt": QUESTIONS[i % 5], "chosen": SENTENCES[i % 10],
                                             "rejected": SENTENCES[i % 10][:20]}, "train", fmt) for i in range(10)]
    _, stats = run_dataset(records)
    assert set(stats["splits"]["train"]) == {"prompt", "response/chosen", "response/rejected", "example"}
    assert stats["splits"]["train"]["response/rejected"]["max"] == 20


def test_percentiles_are_within_a_bucket_for_long_texts() -> None:
    group = length_stats.Group()
    lengths = list(range(1000, 3000, 7))
    for n in lengths:
        group.add(n)
    exact_p50 = sorted(lengths)[len(lengths) // 2]
    assert abs(group.percentile(0.5) - exact_p50) / exact_p50 < 1 / 16


@given(st.integers(0, 10**9))
def test_bucket_value_lies_in_its_bucket(n: int) -> None:
    b = length_stats.bucket(n)
    assert length_stats.bucket(round(length_stats.bucket_value(b))) == b
    assert length_stats.bucket(n + 1) >= b


@given(st.lists(st.integers(0, 2**40) | st.sampled_from([2**k - 2 for k in range(1, 41)]), max_size=60))
def test_buckets_and_add_many_are_bucket_and_add_of_each(lengths: list[int]) -> None:
    assert length_stats.buckets(np.array(lengths, dtype=np.int64)).tolist() == [length_stats.bucket(n) for n in lengths]
    one, many = length_stats.Group(), length_stats.Group()
    one.add(7)
    many.add(7)
    for n in lengths:
        one.add(n)
    many.add_many(np.array(lengths, dtype=np.int64))
    assert many == one


# --- the batch paths give the per-record path's findings and state --------------------------

_TRICKY = ["ab  ", "___", "\u0663", " … ", "", "   ", "_x", "Fine answer.", "7", "x" * 3000, "Sure."]
_BATCH_OPTIONS = [
    {},
    {"DS701": {"min-chars": 3}, "DS702": {"max-chars": 2000, "max-tokens": 40},
     "DS703": {"context-window": 60, "tokens-per-message": 2},
     "DS704": {"max-findings": 2, "min-records": 5, "threshold": 2, "min-ratio": 1.5}},
    {"DS704": {"max-findings": 0, "min-records": 5}},
]


def _batch_records() -> list[Record]:
    """Tricky texts, ties, preference records with two sequences, records without fields, and
    two splits and two files in one batch (the engine never mixes them; the checks must not care)."""
    rng = random.Random(5)
    pref = make_format("preference")
    records = []
    for i in range(120):
        split, file = ("train", "a.jsonl") if i < 80 else ("test", "b.jsonl")
        if i % 9 == 4:
            data = {"prompt": rng.choice(QUESTIONS), "chosen": rng.choice(_TRICKY), "rejected": answer(rng) * rng.randint(1, 4)}
            records.append(Record(file, i + 1, i, data, split, pref))
        elif i % 13 == 6:
            records.append(Record(file, None, i, {"messages": "not a list"}, split, CHAT))
        else:
            text = rng.choice(_TRICKY) if i % 4 == 1 else answer(rng)
            records.append(chat(text, user=rng.choice([*QUESTIONS, "  "]), index=i, split=split, file=file))
            records[-1].line = None if i % 5 == 0 else i + 1
    return records


@pytest.mark.parametrize("raw", _BATCH_OPTIONS)
@pytest.mark.parametrize("size", [1, 7, 512])
def test_the_batch_paths_give_the_per_record_findings_and_state(raw: dict, size: int) -> None:
    records = _batch_records()
    batches = [Batch(records[i : i + size]) for i in range(0, len(records), size)]
    for enabled in (None, {"DS701", "DS702", "DS703", "DS704"}, {"DS704"}):
        ctx = options(raw, enabled)
        record_check, dataset_check = LengthCheck(ctx), LengthOutlierCheck(ctx)
        assert [f for b in batches for f in record_check.check_batch(b)] == [
            f for r in records for f in record_check.check(r)
        ]
        state = dataset_check.init()
        for b in batches:
            state = dataset_check.update_batch(state, b)
        single = _fold(dataset_check, records)
        assert state == single
        assert list(dataset_check.finalize(state)) == list(dataset_check.finalize(single))


# --- merging: any sharding gives the single-pass result ------------------------------------

MERGE_RECORDS = support_dataset(n=90, seed=11)


def _fold(check: LengthOutlierCheck, records: list[Record]):  # type: ignore[no-untyped-def]
    state = check.init()
    for r in records:
        state = check.update(state, r)
    return state


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_merge_is_independent_of_sharding_and_order(data: st.DataObject) -> None:
    ctx = options({"DS704": {"max-findings": 3, "min-records": 30}})
    check = LengthOutlierCheck(ctx)
    single = _fold(check, MERGE_RECORDS)
    expected = (list(check.finalize(single)), check.stats(single))
    assert expected[0], "the sample must produce outliers for the test to mean something"

    order = data.draw(st.permutations(range(len(MERGE_RECORDS))))
    n_shards = data.draw(st.integers(1, 6))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(order)), min_size=n_shards - 1, max_size=n_shards - 1)))
    bounds = [0, *cuts, len(order)]
    shards = [[MERGE_RECORDS[i] for i in order[a:b]] for a, b in zip(bounds, bounds[1:])]
    states = [_fold(check, shard) for shard in shards]
    states = data.draw(st.permutations(states))
    if data.draw(st.booleans()):
        merged = reduce(check.merge, states)
    else:  # a tree of merges, as a distributed backend would do
        while len(states) > 1:
            states = [check.merge(*states[i : i + 2]) if i + 1 < len(states) else states[i]
                      for i in range(0, len(states), 2)]
        merged = states[0]
    assert (list(check.finalize(merged)), check.stats(merged)) == expected


def test_states_and_checks_pickle() -> None:
    check = LengthOutlierCheck(CheckContext())
    state = _fold(check, MERGE_RECORDS[:20])
    again = pickle.loads(pickle.dumps(state))
    assert check.stats(again) == check.stats(state)
    assert isinstance(pickle.loads(pickle.dumps(LengthCheck(CheckContext()))).counter, CharEstimate)


# --- tokens --------------------------------------------------------------------------------


def test_estimate_counts_characters_per_token() -> None:
    counter = build_counter(None)
    assert isinstance(counter, TokenCounter)
    assert [counter.count(t) for t in ("", "Hi", "Hello", "Invoices go out on the 1st.")] == [0, 1, 2, 7]
    assert build_counter("estimate", 2.5).count("Hello") == 2
    assert build_counter(None, 4) is build_counter("", 4.0)  # shared by the checks of a process


def test_missing_tokenizer_file_is_a_one_line_config_error(tmp_path: Path) -> None:
    with pytest.raises(TokenizerError, match=r"^tokenizer file not found: .*tokenizer.json \(expected"):
        build_counter(str(tmp_path / "tokenizer.json"))
    ctx = options({"DS703": {"tokenizer": str(tmp_path / "missing.json")}})
    with pytest.raises(ConfigError):
        LengthCheck(ctx)
    with pytest.raises(ConfigError, match="names no encoding"):
        build_counter("tiktoken:")


def test_tokenizer_json_without_the_tokenizers_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `tokenizers` is not installed in this environment; hide it in case it ever is, so this
    # test keeps checking the message users without the extra see.
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    path = tmp_path / "tokenizer.json"
    path.write_text('{"version": "1.0", "model": {"type": "BPE", "vocab": {}, "merges": []}}', encoding="utf-8")
    with pytest.raises(TokenizerError, match=r"needs the tokenizers package: pip install 'dslint\[tokenizers\]'"):
        build_counter(str(path))


def test_tiktoken_without_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tiktoken", None)
    with pytest.raises(TokenizerError, match=r"needs the tiktoken package: pip install 'dslint\[tiktoken\]'"):
        build_counter("tiktoken:o200k_base")


def _fake_tiktoken(monkeypatch: pytest.MonkeyPatch, cached: set[str]) -> list[str]:
    """A stand-in for tiktoken's loading path: get_encoding reads its BPE file through
    tiktoken.load.read_file_cached, which uses the cache or else read_file (the download)."""
    downloads: list[str] = []
    load = types.ModuleType("tiktoken.load")

    def read_file(blobpath: str) -> bytes:
        downloads.append(blobpath)
        return b""

    def read_file_cached(blobpath: str) -> bytes:
        return b"cached" if blobpath in cached else load.read_file(blobpath)

    load.read_file = read_file  # type: ignore[attr-defined]
    load.read_file_cached = read_file_cached  # type: ignore[attr-defined]

    class Encoding:
        def encode(self, text: str, disallowed_special: tuple = ()) -> list[int]:
            return list(range(len(text.split())))

    def get_encoding(name: str) -> Encoding:
        if name not in ("cl100k_base", "o200k_base"):
            raise ValueError(f"Unknown encoding {name}.")
        load.read_file_cached(f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken")
        return Encoding()

    tiktoken = types.ModuleType("tiktoken")
    tiktoken.load = load  # type: ignore[attr-defined]
    tiktoken.get_encoding = get_encoding  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tiktoken", tiktoken)
    monkeypatch.setitem(sys.modules, "tiktoken.load", load)
    return downloads


def test_tiktoken_never_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    downloads = _fake_tiktoken(monkeypatch, cached=set())
    with pytest.raises(TokenizerError, match=r"^the tiktoken encoding cl100k_base is not in tiktoken's local cache"):
        build_counter("tiktoken:cl100k_base")
    assert downloads == []
    assert sys.modules["tiktoken.load"].read_file.__name__ == "read_file"  # restored afterwards
    with pytest.raises(TokenizerError, match="Unknown encoding cl200k"):
        build_counter("tiktoken:cl200k")


def test_tiktoken_loads_a_cached_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
    downloads = _fake_tiktoken(monkeypatch, cached={url})
    from dslint import tokens

    counter = tokens.TiktokenCounter("o200k_base")  # not through the per-process cache
    assert counter.name == "tiktoken:o200k_base" and counter.count("three word answer") == 3
    try:  # worker processes rebuild the counter from its name, through the cache, offline
        again = pickle.loads(pickle.dumps(counter))
        assert again.name == counter.name and again.count("two words") == 2
    finally:
        tokens._cached_tiktoken.cache_clear()
    assert downloads == []


# --- through the engine: real files, per-file states merged, stats published ---------------


def test_engine_reads_files_merges_states_and_publishes_stats(tmp_path: Path) -> None:
    import json

    from dslint.checks.encoding.check import EncodingCheck
    from dslint.engine import Checks, FilePlan, finalize, scan_file
    from dslint.readers import discover

    records = support_dataset()
    halves = {"train-a.jsonl": records[:75], "train-b.jsonl": records[75:]}
    for name, part in halves.items():
        lines = [json.dumps(r.data) for r in part]  # ASCII JSON: "\u200b" escapes, as many exporters write
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (tmp_path / "train-b.jsonl").open("a", encoding="utf-8") as out:
        hidden = " ".join(SENTENCES[:3]).replace("Forgot password", "Forgot\u200b password")
        out.write(json.dumps(chat(hidden, index=0).data) + "\n")
    ctx = CheckContext()
    checks = Checks(record=[EncodingCheck(ctx), LengthCheck(ctx)], dataset=[LengthOutlierCheck(ctx)], rules={})
    sources = discover([str(tmp_path)])
    results = [scan_file(FilePlan(src, src.display, "train", "openai-chat"), checks) for src in sources]
    dataset_findings, stats = finalize(results, checks)
    record_findings = [f for r in results for f in r.findings]
    # the pasted log is also over the 4,096-token window; the zero-width space came through the reader
    assert [(f.rule, f.location.record) for f in record_findings if f.location] == [("DS703", 40), ("DS606", 75)]
    outliers = {(Path(f.location.file).name, f.location.record) for f in dataset_findings if f.location}
    assert outliers == {("train-a.jsonl", 40), ("train-b.jsonl", 2)}  # records 40 and 77 of the dataset
    assert stats["length"]["splits"]["train"]["assistant"]["count"] == 151
