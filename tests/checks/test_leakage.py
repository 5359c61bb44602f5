"""The leakage family (DS301-DS304): copies, near-copies, shared prompts and shared n-grams across
splits, benchmark contamination, priorities, statistics, and shard-independence."""

from __future__ import annotations

import json
import random
from functools import reduce
from pathlib import Path

import numpy as np
import pytest
from harness import merged_outputs, options_context, related, where
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dslint.check import DOC_SECTIONS, CheckContext
from dslint.checks._shared import tables
from dslint.checks.leakage.check import CHECKS, LeakageCheck
from dslint.checks.leakage.ngrams import MembershipFilter, first_rows
from dslint.checks.leakage.rules import LEAKAGE_RULES
from dslint.finding import Finding
from dslint.formats import make_format
from dslint.record import Record
from dslint.yamlpos import ConfigError

RULES = {r.code: r for r in LEAKAGE_RULES}
SYSTEM = "You are a patient math tutor. Explain each step before giving the final answer."

PROBLEMS = [
    (
        "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips to her friends in May. "
        "How many clips did Natalia sell altogether in April and May?",
        "In May she sold 48 / 2 = 24 clips. Altogether she sold 48 + 24 = 72 clips. The answer is 72.",
    ),
    (
        "Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. How much did she earn?",
        "She earns 12 / 60 = $0.20 per minute, so for 50 minutes she earned 0.20 x 50 = $10. The answer is 10.",
    ),
    (
        "Betty is saving money for a new wallet which costs $100. Betty has only half of the money she needs. Her parents "
        "decided to give her $15 for that purpose, and her grandparents twice as much as her parents. How much more money "
        "does Betty need to buy the wallet?",
        "Betty has 100 / 2 = $50. Her grandparents give 15 x 2 = $30. She still needs 100 - 50 - 15 - 30 = $5. The answer is 5.",
    ),
    (
        "James writes a 3-page letter to 2 different friends twice a week. How many pages does he write a year?",
        "He writes 3 x 2 = 6 pages each time, 6 x 2 = 12 pages a week, and 12 x 52 = 624 pages a year. The answer is 624.",
    ),
    (
        "Mark has a garden with flowers. He planted plants of three different colors in it. Ten of them are yellow, and there "
        "are 80% more of those in purple. There are only 25% as many green flowers as there are yellow and purple flowers. "
        "How many flowers does Mark have in his garden?",
        "There are 10 x 1.8 = 18 purple flowers, 10 + 18 = 28 yellow and purple, and 28 x 0.25 = 7 green. 28 + 7 = 35. The answer is 35.",
    ),
]


def chat(user: str, assistant: str, system: str | None = SYSTEM) -> dict:
    messages = [{"role": "system", "content": system}] if system else []
    return {"messages": messages + [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


def records(rows: list[dict], split: str | None, fmt: str = "openai-chat", file: str | None = None) -> list[Record]:
    f = make_format(fmt)
    name = file or f"data/{split}.jsonl"
    return [Record(file=name, line=i + 1, index=i, data=d, split=split, format=f) for i, d in enumerate(rows)]



def context(options: dict | None = None, enabled: set[str] | None = None) -> CheckContext:
    return options_context(RULES, options, enabled)


def run(recs: list[Record], ctx: CheckContext | None = None) -> tuple[list[Finding], dict]:
    check = LeakageCheck(ctx or context())
    state = check.init()
    for r in recs:
        state = check.update(state, r)
    return sorted(check.finalize(state), key=Finding.sort_key), dict(check.stats(state))




def problems(*which: int) -> list[dict]:
    return [chat(*PROBLEMS[i]) for i in which]


# --- DS301 ---------------------------------------------------------------------------------


def test_copies_are_reported_on_the_evaluation_side() -> None:
    train = problems(0, 1, 2)
    test = problems(3) + [train[1]]
    upper = chat(PROBLEMS[2][0].upper(), PROBLEMS[2][1].replace(".", " ."))
    findings, _ = run(records(train, "train") + records(test + [upper], "test"))
    assert [where(f) for f in findings] == [("DS301", "data/test.jsonl", 1), ("DS301", "data/test.jsonl", 2)]
    exact, normalised = findings
    assert related(exact) == [("data/train.jsonl", 1)] and exact.metrics["match"] == "exact"
    assert related(normalised) == [("data/train.jsonl", 2)] and normalised.metrics["match"] == "normalized"
    assert exact.metrics["split"] == "test" and exact.metrics["matched_split"] == "train"
    assert "data/train.jsonl:2" in exact.message and "Weng" not in exact.message


def test_each_evaluation_split_is_checked_against_the_earlier_ones() -> None:
    a, b = problems(0, 1)
    recs = records([a], "train") + records([a, b], "validation") + records([a, b], "test")
    findings, stats = run(recs)
    assert [(where(f), related(f)) for f in findings] == [
        (("DS301", "data/test.jsonl", 0), [("data/train.jsonl", 0)]),  # train wins over validation
        (("DS301", "data/test.jsonl", 1), [("data/validation.jsonl", 1)]),
        (("DS301", "data/validation.jsonl", 0), [("data/train.jsonl", 0)]),
    ]
    assert stats["splits"]["validation"]["leaked_copies"] == 1
    assert stats["splits"]["test"] == {"records": 2, "leaked_copies": 2, "leaked_near": 0, "leaked_prompt": 0, "contaminated": 0, "leak_rate": 1.0}
    assert "train" not in stats["splits"]
    # Split by split, where each evaluation split's leaks come from.
    assert stats["matrix"] == {
        "test": {"train": {"copies": 1}, "validation": {"copies": 1}},
        "validation": {"train": {"copies": 1}},
    }


def test_copies_within_a_split_and_unknown_splits_are_not_leakage() -> None:
    a = problems(0)[0]
    recs = records([a, a], "train") + records([a], None, file="data/extra.jsonl") + records([a], "holdout-2", file="data/h2.jsonl")
    findings, stats = run(recs)
    assert findings == []
    assert stats == {
        "splits": {}, "matrix": {}, "near_duplicates": stats["near_duplicates"], "ngrams": {"n": 13, "min_matches": 1}
    }


# --- DS302 ---------------------------------------------------------------------------------


def test_near_copies_are_reported_with_their_best_earliest_match() -> None:
    question, answer = PROBLEMS[4]
    long_answer = answer + " " + PROBLEMS[2][1] + " " + PROBLEMS[3][1]
    train = [chat(question, long_answer)]
    validation = [chat(question, long_answer.replace("28 x 0.25 = 7 green", "a quarter of 28 is 7 green"))]
    test = [chat(question, long_answer.replace("The answer is 35.", "So Mark has 35 flowers."))]
    findings, stats = run(records(train, "train") + records(validation, "validation") + records(test, "test"), context(enabled={"DS301", "DS302"}))
    assert [(where(f), related(f)) for f in findings] == [
        (("DS302", "data/test.jsonl", 0), [("data/train.jsonl", 0)]),
        (("DS302", "data/validation.jsonl", 0), [("data/train.jsonl", 0)]),
    ]
    for f in findings:
        assert 0.8 <= f.metrics["similarity"] < 1 and f.metrics["threshold"] == 0.8
        assert "estimated Jaccard" in f.message
    assert stats["near_duplicates"]["bands"] == 21 and stats["near_duplicates"]["rows"] == 6


def test_copies_are_not_reported_again_as_near_copies_or_prompt_leaks() -> None:
    train = problems(0, 1)
    findings, _ = run(records(train, "train") + records(train, "test"))
    assert [f.rule for f in findings] == ["DS301", "DS301"]


def test_near_copy_threshold_is_an_option() -> None:
    question, answer = PROBLEMS[2]
    train = [chat(question, answer)]
    test = [chat(question, answer.replace("$50", "50 dollars"))]
    findings, _ = run(records(train, "train") + records(test, "test"), context({"DS302": {"threshold": 0.95}}, enabled={"DS302"}))
    assert findings == []
    findings, _ = run(records(train, "train") + records(test, "test"), context({"DS302": {"threshold": 0.6}}, enabled={"DS302"}))
    assert [f.rule for f in findings] == ["DS302"]


# --- DS303 ---------------------------------------------------------------------------------


def test_a_shared_prompt_with_a_different_output_is_a_prompt_leak() -> None:
    train = [
        {"instruction": "Summarise the email below in one sentence.", "input": "Hi team, the office is closed on Friday for maintenance. Please work from home.", "output": "The office is closed on Friday, so everyone works from home."},
        {"instruction": "Give a synonym for 'rapid'.", "input": "", "output": "Quick."},
    ]
    test = [
        {"instruction": "Summarise the email below in one sentence.", "input": "Hi team, the office is closed on Friday for maintenance. Please work from home.", "output": "Friday: office closed for maintenance, work from home."},
        {"instruction": "give a synonym for rapid", "input": "", "output": "Swift."},
        {"instruction": "Give a synonym for 'rapid'.", "input": "", "output": "Quick."},
    ]
    findings, _ = run(records(train, "train", "alpaca") + records(test, "test", "alpaca"), context(enabled={"DS301", "DS303"}))
    assert [(where(f), related(f)) for f in findings] == [
        (("DS303", "data/test.jsonl", 0), [("data/train.jsonl", 0)]),
        (("DS303", "data/test.jsonl", 1), [("data/train.jsonl", 1)]),
        (("DS301", "data/test.jsonl", 2), [("data/train.jsonl", 1)]),
    ]
    assert "different output" in findings[0].message


def test_a_classification_text_with_another_label_leaks_its_prompt() -> None:
    train = [{"text": "Where is my parcel? It was due on Monday.", "label": "track_order"}]
    test = [{"text": "Where is my parcel? It was due on Monday.", "label": "delivery_delay"}, {"text": "Cancel my subscription.", "label": "cancel"}]
    findings, _ = run(records(train, "train", "classification") + records(test, "test", "classification"))
    assert [where(f) for f in findings] == [("DS303", "data/test.jsonl", 0)]


def test_a_copy_is_not_a_prompt_leak_even_when_copies_are_not_reported() -> None:
    train = problems(1)
    findings, _ = run(records(train, "train") + records(train, "test"), context(enabled={"DS303"}))
    assert findings == []


# --- DS304 ---------------------------------------------------------------------------------


def test_evaluation_items_quoted_in_training_text_are_reported_with_the_span() -> None:
    question, answer = PROBLEMS[2]
    forum = (
        "I found this puzzle on a homework forum and got stuck: " + question + " My teacher says the trick is to add up "
        "every gift before subtracting. Can you walk me through it?"
    )
    train = [chat("Explain compound interest.", "Interest is paid on the interest already earned."), chat(forum, "Sure! Start with what Betty has.")]
    test = [chat(question, answer), chat(*PROBLEMS[0])]
    findings, stats = run(records(train, "train") + records(test, "test"))
    assert [where(f) for f in findings] == [("DS304", "data/test.jsonl", 0)]
    f = findings[0]
    assert related(f) == [("data/train.jsonl", 1)]
    assert f.snippet is not None and f.snippet.startswith("betty is saving money for a new wallet")
    n_question = len(question.split())
    assert f.metrics["n"] == 13 and f.metrics["matched"] == n_question - 12
    assert 0 < f.metrics["overlap"] < 1 and f.metrics["ngrams"] > f.metrics["matched"]
    assert "13-grams" in f.message and "Betty" not in f.message
    assert stats["splits"]["test"]["contaminated"] == 1 and stats["ngrams"] == {"n": 13, "min_matches": 1}


def test_shared_system_prompts_short_items_and_min_matches() -> None:
    system = "You are a patient math tutor who always explains each step carefully before giving the final numeric answer to the student."
    train = [chat("What is 7 times 8?", "56.", system), chat("Say hello in French.", "Bonjour!", system)]
    test = [chat("What is 9 times 6?", "54.", system), chat("What is 7 times 8?", "It is 56, because 7 x 8 = 56.", system)]
    findings, _ = run(records(train, "train") + records(test, "test"), context(enabled={"DS304"}))
    assert findings == []  # the shared system prompt does not count; the items are shorter than 13 words
    question = PROBLEMS[4][0]
    train = [chat("Please solve: " + question, "Let me think.")]
    test = [chat(question, PROBLEMS[4][1])]
    n_shared = len(question.split()) - 12
    findings, _ = run(records(train, "train") + records(test, "test"), context({"DS304": {"min-matches": n_shared + 1}}, enabled={"DS304"}))
    assert findings == []
    findings, _ = run(records(train, "train") + records(test, "test"), context({"DS304": {"min-matches": n_shared, "ngram": 8}}, enabled={"DS304"}))
    assert [f.rule for f in findings] == ["DS304"] and findings[0].metrics["n"] == 8


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from("ab"), min_size=1, max_size=14), min_size=1, max_size=8),
    st.lists(st.lists(st.sampled_from("abc"), min_size=1, max_size=14), min_size=1, max_size=8),
    st.integers(1, 4),
    st.sampled_from([1, 3, 2048]),
)
def test_ngram_counts_owners_and_spans_match_a_plain_reading(
    train_words: list[list[str]], test_words: list[list[str]], min_matches: int, flush: int
) -> None:
    """Texts of two or three words repeat their n-grams within and across records: each distinct
    n-gram of an evaluation record counts once, its first training record is the owner, and the
    snippet is the longest run of consecutive matched positions (the first on ties); the same
    with chunks of one record, a few records, or all of them."""
    n = 3
    train = [chat(" ".join(w), "ok", None) for w in train_words]
    test = [chat(" ".join(w), "ok", None) for w in test_words]
    recs = records(train, "train") + records(test, "test")
    ctx = context({"DS304": {"ngram": n, "min-matches": min_matches}}, enabled={"DS304"})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tables, "FLUSH_ROWS", flush)
        findings, _ = run(recs, ctx)

    def grams(words: list[str]) -> list[tuple[str, ...]]:
        return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]

    texts = [tables.view_of(r).text.split(" ") for r in recs]  # type: ignore[union-attr]  # all have text
    owner: dict[tuple[str, ...], int] = {}
    for row, words in enumerate(texts[: len(train)]):
        for g in grams(words):
            owner.setdefault(g, row)
    expected = []
    for index, words in enumerate(texts[len(train) :]):
        mine = grams(words)
        shared = {g for g in mine if g in owner}
        if not mine or len(shared) < min_matches:
            continue
        best = (0, 0)  # (run, -start): the longest run of matched positions, the first on ties
        start = run_length = 0
        for i, g in enumerate(mine):
            run_length = run_length + 1 if g in owner else 0
            start = i - run_length + 1
            best = max(best, (run_length, -start))
        span = " ".join(words[-best[1] : -best[1] + best[0] + n - 1])
        expected.append((index, len(shared), len(set(mine)), min(owner[g] for g in shared), span))
    got = [
        (f.location.record, f.metrics["matched"], f.metrics["ngrams"], f.related[0].record, f.snippet)  # type: ignore[union-attr]
        for f in findings
    ]
    assert got == expected


def test_leaked_records_are_not_reported_again_as_contaminated() -> None:
    train = problems(0, 2)
    test = [train[0], chat(PROBLEMS[2][0], "Betty needs five more dollars.")]
    findings, _ = run(records(train, "train") + records(test, "test"))
    assert [f.rule for f in findings] == ["DS301", "DS303"]


def write_benchmark(path: Path, items: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")


def test_training_records_containing_benchmark_items_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_benchmark(tmp_path / "benchmarks" / "gsm8k_test.jsonl", [{"question": q, "answer": a} for q, a in PROBLEMS[:3]])
    quoted = "Here is a problem from my worksheet: " + PROBLEMS[1][0] + " And another one: " + PROBLEMS[2][0]
    train = [chat(quoted, "Let us solve both."), chat(*PROBLEMS[3]), chat("Tell me about April.", "April has 30 days.")]
    ctx = context({"DS304": {"against": ["benchmarks/gsm8k_test.jsonl"]}})
    findings, stats = run(records(train, "train"), ctx)
    assert [where(f) for f in findings] == [("DS304", "data/train.jsonl", 0)]
    f = findings[0]
    assert f.related[0].file == "benchmarks/gsm8k_test.jsonl"
    assert (f.related[0].record, f.related[0].line) == (1, 2)
    assert f.metrics["items"] == 2 and f.metrics["benchmark"] == "benchmarks/gsm8k_test.jsonl"
    assert f.snippet is not None and f.snippet.startswith("betty is saving money")  # the longest shared span
    assert "2 items of benchmark benchmarks/gsm8k_test.jsonl (first: benchmarks/gsm8k_test.jsonl:2)" in f.message
    assert stats["against"] == {"benchmarks/gsm8k_test.jsonl": {"items": 3, "contaminated_train_records": 1}}


def test_a_benchmark_folder_in_several_formats_and_sharded_training_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "flowers.csv").write_text('question,answer\n"' + PROBLEMS[4][0] + '",35\n', encoding="utf-8")
    write_benchmark(tmp_path / "benchmarks" / "gsm8k.jsonl", [{"question": PROBLEMS[0][0], "answer": "72"}])
    quoted = "Two problems for you. " + PROBLEMS[4][0] + " Also: " + PROBLEMS[0][0]
    recs = records([chat(quoted, "Let me count."), *problems(1, 2)], "train")
    check = LeakageCheck(context({"DS304": {"against": ["benchmarks"]}}))
    states = [check.update(check.init(), r) for r in recs]
    findings = sorted(check.finalize(reduce(check.merge, states[::-1])), key=lambda f: f.related[0].file)
    assert [(f.rule, f.location.record if f.location else None, f.related[0].file) for f in findings] == [
        ("DS304", 0, "benchmarks/flowers.csv"),
        ("DS304", 0, "benchmarks/gsm8k.jsonl"),
    ]
    assert findings[0].fingerprint != findings[1].fingerprint  # one finding per benchmark file


def test_a_missing_benchmark_file_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"benchmark file benchmarks/missing\.jsonl: not found") as err:
        LeakageCheck(context({"DS304": {"against": ["benchmarks/missing.jsonl"]}}))
    assert "\n" not in str(err.value)
    with pytest.raises(ConfigError, match=r"benchmark file benchmarks/\*\.jsonl: no data files match"):
        LeakageCheck(context({"DS304": {"against": ["benchmarks/*.jsonl"]}}))
    # nothing is read when the rule is off
    LeakageCheck(context({"DS304": {"against": ["benchmarks/missing.jsonl"]}}, enabled={"DS301"}))


def test_without_near_and_ngram_rules_only_hashes_are_kept() -> None:
    check = LeakageCheck(context(enabled={"DS301", "DS303"}))
    state = check.init()
    for r in records(problems(0, 1), "train") + records(problems(1), "test"):
        state = check.update(state, r)
    assert [f.rule for f in check.finalize(state)] == ["DS301"]
    assert all(c.sigs is None and not c.extra for c in state.table.chunks)
    assert set(check.stats(state)) == {"splits", "matrix"}


def test_rule_metadata() -> None:
    assert CHECKS == [LeakageCheck]
    assert [r.code for r in LeakageCheck.rules] == ["DS301", "DS302", "DS303", "DS304"]
    for rule in LEAKAGE_RULES:
        assert rule.family == "leakage" and rule.summary.endswith(".")
        positions = [rule.docs.index(f"{s}:") for s in DOC_SECTIONS]
        assert positions == sorted(positions)
        rule.options()
    assert [r.severity.value for r in LEAKAGE_RULES] == ["error", "error", "warning", "warning"]


# --- shard merging ----------------------------------------------------------------------------


def dataset(seed: int) -> list[Record]:
    """Train, validation and test chats with copies, near-copies, prompt leaks and quotes."""
    rng = random.Random(seed)
    train, validation, test = [], [], []
    for k, (q, a) in enumerate(PROBLEMS):
        train.append(chat(q, a))
        train.append(chat(f"Exercise {k}: explain the units in your answer.", f"The units are dollars and pages; exercise {k} is done."))
    for _ in range(10):
        k = rng.randrange(len(PROBLEMS))
        q, a = PROBLEMS[k]
        roll = rng.random()
        target = validation if rng.random() < 0.4 else test
        if roll < 0.2:
            target.append(chat(q, a))
        elif roll < 0.35:
            target.append(chat(q.lower(), a.upper()))
        elif roll < 0.55:
            target.append(chat(q, a + " Double-check by adding the parts again."))
        elif roll < 0.7:
            target.append(chat(q, "I don't know."))
        elif roll < 0.85:
            target.append(chat("From an old worksheet: " + q[: len(q) // 2], "Let me finish reading it first."))
        else:
            target.append(chat(f"What is {rng.randrange(100)} plus {rng.randrange(100)}?", "Add the ones, then the tens."))
    return (
        records(train[:5], "train", file="data/train-00000.jsonl")
        + records(train[5:], "train", file="data/train-00001.jsonl")
        + records(validation, "validation")
        + records(test, "test")
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 1000),
    cuts=st.lists(st.integers(0, 20), max_size=5),
    order_seed=st.integers(0, 10_000),
    flush=st.sampled_from([2, 5, 2048]),
)
def test_merging_shards_in_any_order_gives_the_single_pass_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, cuts: list[int], order_seed: int, flush: int
) -> None:
    monkeypatch.chdir(tmp_path)
    write_benchmark(tmp_path / "bench.jsonl", [{"question": PROBLEMS[3][0]}, {"question": PROBLEMS[0][0]}])
    check = LeakageCheck(context({"DS304": {"against": ["bench.jsonl"]}}))
    recs = dataset(seed)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tables, "FLUSH_ROWS", flush)
        single, *merged = merged_outputs(check, recs, cuts, order_seed)
    assert any(row[0] == "DS304" and row[2].file.startswith("data/train") for row in single[0])  # benchmark hits
    assert merged == [single] * 3


def test_nothing_is_collected_when_only_one_split_is_linted() -> None:
    from dslint.check import CheckContext
    from dslint.checks.leakage.check import LeakageCheck
    from dslint.formats import make_format
    from dslint.record import Record

    rec = Record(file="train.jsonl", line=1, index=0, split="train", format=make_format("openai-chat"),
                 data={"messages": [{"role": "user", "content": "What is the boiling point of water at sea level?"},
                                    {"role": "assistant", "content": "100 degrees Celsius."}]})
    single = LeakageCheck(CheckContext(splits=frozenset({"train"})))
    both = LeakageCheck(CheckContext(splits=frozenset({"train", "test"})))
    assert single.update(single.init(), rec) == single.init()
    assert both.update(both.init(), rec) != both.init()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1), max_size=60, unique=True),
    st.lists(st.integers(0, 2**64 - 1), max_size=200),
    st.lists(st.integers(0, 2**48 - 1), max_size=20),
    st.booleans(),
)
def test_the_membership_filter_agrees_with_a_search(table: list[int], values: list[int], low: list[int],
                                                    ascending: bool) -> None:
    """Values sharing a table entry's top 16 bits (all a small table's bitset looks at) but not its
    low ones pass the bitset and are compared with their bucket's entries; so are a table entry's
    neighbours, one on each side; table entries are always found. Sorted values (a chunk's
    training n-grams) or not."""
    table_array = np.sort(np.array(table, dtype=np.uint64))
    low48 = (1 << 48) - 1
    near = [(t & ~low48) | x for t, x in zip(table, low)]
    neighbours = [t + d for t in table for d in (-1, 1) if 0 <= t + d < 2**64]
    probe = np.array(values + table + near + neighbours, dtype=np.uint64)
    if ascending:
        probe.sort()
    expected = np.isin(probe, table_array)
    assert (MembershipFilter(table_array)(probe) == expected).all()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2**64 - 1), st.integers(0, 40)), max_size=80),
    st.sampled_from([0, 60]),
    st.booleans(),
)
def test_first_rows_are_the_smallest_row_of_each_hash(items: list[tuple[int, int]], shift: int, ordered: bool) -> None:
    """Rows in ascending order (a chunk's n-grams) or not (rows of a sorted frame); hashes that
    differ only in their low bits (``shift`` 60: all equal above them) take the sort's fallback."""
    if ordered:
        items.sort(key=lambda item: item[1])
    hashes = np.array([(h >> shift) | (1 << 63) if shift else h for h, _ in items], dtype=np.uint64)
    rows = np.array([r for _, r in items], dtype=np.int64)
    expected: dict[int, int] = {}
    for h, r in zip(hashes.tolist(), rows.tolist()):
        expected[h] = min(r, expected.get(h, r))
    hs, first = first_rows(hashes, rows)
    assert hs.tolist() == sorted(expected) and first.tolist() == [expected[h] for h in sorted(expected)]
