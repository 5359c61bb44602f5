"""Keyed condensing (``dslint.keyed``), run in this process exactly as the Ray executor runs it
on workers: per shard, keys cut into pieces by hash; per piece, the hot keys; per shard, only the
rows holding one; then the usual merge. Findings and stats must be those of the whole table."""

from __future__ import annotations

import random
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dslint.check import DatasetCheck
from dslint.checks._shared import tables
from dslint.checks.duplicates.check import DuplicatesCheck
from dslint.checks.duplicates.rules import DUPLICATE_RULES
from dslint.checks.leakage.check import LeakageCheck
from dslint.checks.leakage.rules import LEAKAGE_RULES
from dslint.formats import make_format
from dslint.keyed import Keys, condense, hot_keys, rows_holding, tallies
from dslint.record import Record
from tests.checks.harness import fold, options_context, outputs

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon".split()
SPLITS = ["train", "validation", "test", "extra", None]


def chat(user: str, assistant: str) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


def planted(seed: int, n: int, splits: list[str | None]) -> list[Record]:
    """Records over ``splits`` with exact, normalised and near copies (some chained: a near copy
    of a near copy), conflicting answers, records without text, and evaluation records quoting
    training text; one file per split, or two for train; sorted by file as the engine reads them."""
    rng = random.Random(seed)
    rows: list[dict] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.12 and rows:
            rows.append(rng.choice(rows))
        elif roll < 0.2 and rows:
            user, answer = (m["content"] for m in rng.choice(rows)["messages"])
            rows.append(chat(user.upper(), answer + "  "))
        elif roll < 0.35 and rows:
            user, answer = (m["content"] for m in rng.choice(rows)["messages"])
            rows.append(chat(user, f"{answer} w{i}"))  # near copy; chained when the source is one too
        elif roll < 0.42 and rows:
            user = rng.choice(rows)["messages"][0]["content"]
            rows.append(chat(user, f"another answer {i}"))  # a conflict, or a prompt leak across splits
        elif roll < 0.47:
            rows.append(chat("", ""))  # no text to shingle
        elif roll < 0.55 and rows:
            answer = rng.choice(rows)["messages"][1]["content"]
            rows.append(chat(f"Quoted {i}: " + " ".join(answer.split(" ")[:12]), f"reply {i}"))  # n-gram overlap
        else:
            rows.append(chat(f"Question {i} about {rng.choice(WORDS)}?", " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40)))))
    counters: dict[str, int] = {}
    out = []
    fmt = make_format("openai-chat")
    for row in rows:
        split = rng.choice(splits)
        file = f"data/{split or 'misc'}-{rng.randrange(2) if split == 'train' else 0}.jsonl"
        index = counters[file] = counters.get(file, -1) + 1
        out.append(Record(file=file, line=index + 1, index=index, data=row, split=split, format=fmt))
    return sorted(out, key=lambda r: (r.file, r.index))  # as the engine's shards come: by file, in order


def shuffled(check: Any, states: list[Any], parts: int) -> Any:
    """The Ray executor's steps, here: tallies per shard, hot keys per piece, condense, merge."""
    pieces = [tallies(check.keys(s), parts) for s in states]
    hot = [hot_keys([p[k] for p in pieces]) for k in range(parts)]
    return reduce(check.merge, [condense(check, s, hot) for s in states])


def shards(records: list[Record], cuts: list[int]) -> list[list[Record]]:
    bounds = [0, *sorted(c for c in cuts if c <= len(records)), len(records)]
    return [records[a:b] for a, b in zip(bounds, bounds[1:])]


def both(check: DatasetCheck, records: list[Record], cuts: list[int], parts: int) -> tuple[Any, Any]:
    states = [fold(check, s) for s in shards(records, cuts)]
    full = reduce(check.merge, [fold(check, s) for s in shards(records, cuts)])
    return full, shuffled(check, states, parts)


def duplicates(scope: str = "dataset") -> DuplicatesCheck:
    return DuplicatesCheck(options_context({r.code: r for r in DUPLICATE_RULES}, {r.code: {"scope": scope} for r in DUPLICATE_RULES}))


def leakage(options: dict | None = None) -> LeakageCheck:
    return LeakageCheck(options_context({r.code: r for r in LEAKAGE_RULES}, options or {"DS304": {"min-matches": 2, "ngram": 4}}))


def kept_rows(state: Any) -> int:
    return sum(len(c.index) for c in state.table.chunks)


CASES = dict(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 70),
    cuts=st.lists(st.integers(0, 70), max_size=6),
    parts=st.integers(1, 5),
    flush=st.sampled_from([3, 16, 2048]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(**CASES, splits=st.integers(1, len(SPLITS)), scope=st.sampled_from(["dataset", "split", "file"]))
def test_condensed_duplicates_finalize_as_the_whole_table(seed: int, n: int, cuts: list[int], parts: int, flush: int, splits: int, scope: str) -> None:
    records = planted(seed, n, SPLITS[:splits])
    check = duplicates(scope)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tables, "FLUSH_ROWS", flush)
        full, condensed = both(check, records, cuts, parts)
    assert outputs(check, condensed) == outputs(check, full)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(**CASES)
def test_condensed_leakage_finalize_as_the_whole_table(seed: int, n: int, cuts: list[int], parts: int, flush: int) -> None:
    records = planted(seed, n, ["train", "train", "validation", "test"])
    check = leakage()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tables, "FLUSH_ROWS", flush)
        full, condensed = both(check, records, cuts, parts)
    assert outputs(check, condensed) == outputs(check, full)


def test_the_planted_data_has_every_kind_of_finding_and_most_rows_go() -> None:
    """Not vacuous: the generator plants what the properties are about, and condensing drops rows."""
    records = planted(7, 400, ["train", "train", "validation", "test"])
    for check, expected in ((duplicates(), {"DS201", "DS202", "DS203", "DS204"}), (leakage(), {"DS301", "DS302", "DS303", "DS304"})):
        full, condensed = both(check, records, [100, 250], 3)
        findings, _ = outputs(check, full)
        assert {f[0] for f in findings} == expected
        assert outputs(check, condensed) == outputs(check, full)
        assert 0 < kept_rows(condensed) < kept_rows(full)


@pytest.mark.parametrize("case", ["one record", "no text", "all identical", "many splits", "chained near copies"])
@pytest.mark.parametrize("make", [duplicates, leakage])
def test_edge_cases(case: str, make: Any) -> None:
    fmt = make_format("openai-chat")
    base = " ".join(WORDS)
    rows: list[tuple[str | None, dict]] = {
        "one record": [("train", chat("q", base))],
        "no text": [(s, chat("", "")) for s in ("train", "test", "test")],
        "all identical": [(s, chat("q", base)) for s in ("train", "validation", "test") * 4],
        "many splits": [(s, chat(f"q {i % 5}", base + f" {i % 7}")) for i, s in enumerate(["train", "validation", "test", "a", "b", "c", None] * 3)],
        # each record one word away from the previous one: a chain, not a clique
        "chained near copies": [(s, chat("q", " ".join(WORDS[i:] + WORDS[:i]) + f" {i}")) for i, s in enumerate(["train", "test"] * 6)],
    }[case]
    records = [Record(file=f"{s}.jsonl", line=i + 1, index=i, data=d, split=s, format=fmt) for i, (s, d) in enumerate(rows)]
    check = make()
    for cuts in ([], [1], [2, 5, 9]):
        for parts in (1, 2, 4):
            full, condensed = both(check, records, cuts, parts)
            assert outputs(check, condensed) == outputs(check, full)


def test_a_row_kept_everywhere_is_kept_whatever_the_partitioning() -> None:
    records = planted(3, 200, ["train", "validation", "test"])
    check = leakage()
    states = [fold(check, s) for s in shards(records, [50, 120])]
    kept = []
    for parts in (1, 2, 3, 7):
        pieces = [tallies(check.keys(s), parts) for s in states]
        hot = [hot_keys([p[k] for p in pieces]) for k in range(parts)]
        kept.append([rows_holding(check.keys(s), hot).tolist() for s in states])
    assert kept[0] and kept == [kept[0]] * 4


def test_hot_keys_need_two_rows_or_two_sides() -> None:
    def keys(values: list[int], sides: list[int] | None = None) -> Keys:
        side = np.array(sides, dtype=np.int8) if sides is not None else None
        return Keys(np.array(values, dtype=np.uint64) << np.uint64(8), np.arange(len(values)), side)

    a = {"k": keys([1, 2, 3, 3]), "s": keys([5, 6, 6], [0, 2, 2])}
    b = {"k": keys([2, 4]), "s": keys([5, 6], [1, 2])}
    for parts in (1, 2, 3):
        pieces = [tallies(a, parts), tallies(b, parts)]
        hot = [hot_keys([p[k] for p in pieces]) for k in range(parts)]
        assert sorted(v >> 8 for h in hot for v in h["k"].tolist()) == [2, 3]  # 3 twice in a, 2 in a and b; 1 and 4 alone
        assert sorted(v >> 8 for h in hot for v in h["s"].tolist()) == [5]  # on sides 0 and 1; 6 three times, always side 2
        assert rows_holding(a, hot).tolist() == [0, 1, 2, 3]
        assert rows_holding(b, hot).tolist() == [0]  # row 1 holds only 4 and 6


def test_benchmark_matches_stay_though_they_share_no_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.chdir(tmp_path)
    quote = " ".join(WORDS[:10])
    (tmp_path / "bench.jsonl").write_text(json.dumps({"question": quote, "answer": "42"}) + "\n")
    fmt = make_format("openai-chat")
    rows = [("train", chat("q", f"{quote} and more")), ("train", chat("other", "words entirely")), ("test", chat("t", "unrelated text here"))]
    records = [Record(file=f"{s}.jsonl", line=i + 1, index=i, data=d, split=s, format=fmt) for i, (s, d) in enumerate(rows)]
    check = leakage({"DS304": {"against": ["bench.jsonl"], "min-matches": 2, "ngram": 4}})
    full, condensed = both(check, records, [1], 2)
    assert any(f[0] == "DS304" for f in outputs(check, full)[0])
    assert outputs(check, condensed) == outputs(check, full)
    assert kept_rows(condensed) == 1
