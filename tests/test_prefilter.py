"""The one-pass regex prefilter finds every text a regex matches alone, by RE2 or by Python's
``re`` over the texts joined; the RE2 form of a Python regex matches at least
where the regex does, case folding, Unicode classes and anchors included."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dslint.batch import Batch
from dslint.formats import make_format
from dslint.packs import load_pack
from dslint.prefilter import _joined_form, _joined_matches, _re2_matches, batch_haystack, may_match, may_match_each
from dslint.record import Record
from dslint.re2 import re2_superset

REPO = Path(__file__).resolve().parent.parent

# Patterns whose matches depend on where a text ends, and plain ones.
PATTERNS = [
    r"ab", r"^ab", r"ab$", r"^$", r"\bab\b", r"\Bb", r"a*", r"a\s+b", r"(?s)a.b", r"(a|b)\1",
    r"(?i)AB", r"[^a]", r"(?m)^b", r"\Aab", r"ab\Z", r"(?<=a)b", r"(?<=\n)b", r"(?<!a)b", r"(?<!\s)b", r"(?<![a\n])b",
    r"(?<!ab)b", r"a(?=b)", r"a(?!b)", r"<\|[a-z_]+\|>", r"\s++$", r"(?>\s+)$", r"(?-m:^)a", r"(?-m:a$)",
]


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.lists(st.sampled_from(["ab", "a", "b", " ", "\n", ".", "<|x_y|>", "ba"]), max_size=4).map("".join), max_size=6),
    pattern=st.sampled_from(PATTERNS),
)
def test_the_joined_search_keeps_every_text_that_matches(texts: list[str], pattern: str) -> None:
    regex = re.compile(pattern)
    found = _joined_matches(regex, texts)
    assert found == sorted(set(found))
    assert {i for i, t in enumerate(texts) if regex.search(t)} <= set(found)


@pytest.mark.parametrize(
    "pattern", [r"\Aab", r"ab\Z", r"(?<!\s)b", r"(?<!ab)b", r"a(?=b)", r"x(?!y)|z", r"b\s++$", r"(?>b\s+)$", r"(?-m:^)b", r"(?-m:b$)"]
)
def test_patterns_a_seam_could_fail_are_searched_text_by_text(pattern: str) -> None:
    assert _joined_form(re.compile(pattern)) is None
    texts = ["ab", "xb", "b", "abab"]
    regex = re.compile(pattern)
    assert _joined_matches(regex, texts) == [i for i, t in enumerate(texts) if regex.search(t)]


@pytest.mark.parametrize("pattern", [r"(?<=a)b", r"(?<![\"“])\bab", r"^ab$"])
def test_patterns_a_seam_cannot_fail_are_searched_joined(pattern: str) -> None:
    assert _joined_form(re.compile(pattern)) is not None


def test_a_match_across_a_seam_marks_both_texts_and_the_search_goes_on() -> None:
    regex = re.compile(r"a\s+b")
    assert _joined_matches(regex, ["xa", "b", "zzz", "a b"]) == [0, 1, 3]


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.lists(st.sampled_from(["ab", "a", "b", " ", "\n", "K", "\ud800"]), max_size=4).map("".join), max_size=6),
    patterns=st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=4),
)
def test_several_regexes_at_once_keep_every_text_each_matches(texts: list[str], patterns: list[str]) -> None:
    """The alternation's pass, then each regex over the candidates it kept, by RE2; regexes RE2
    cannot take (a backreference) and texts UTF-8 cannot hold (a lone surrogate) go through
    Python."""
    regexes = [re.compile(p) for p in patterns]
    for regex, flags in zip(regexes, may_match_each(regexes, texts)):
        assert len(flags) == len(texts)
        assert {i for i, t in enumerate(texts) if regex.search(t)} <= set(flags.nonzero()[0].tolist())


def test_an_re2_match_across_a_seam_marks_both_texts_and_anchors_match_at_seams() -> None:
    assert _re2_matches(re.compile(r"a\s+b"), ["xa", "b", "zzz", "a b"]) == [0, 1, 3]
    assert _re2_matches(re.compile(r"^ab$"), ["xab", "ab", "abx", "ab"]) == [1, 3]
    assert _re2_matches(re.compile(r"\Aab"), ["xab", "ab"]) == [1]
    assert _re2_matches(re.compile("x"), []) == []


# Characters where Python's and RE2's case folding or Unicode classes differ.
TRICKY = ["i", "I", "İ", "ı", "s", "S", "ſ", "k", "K", "K", "σ", "ς", "Σ", "ß", "ẞ", "é", "É", "٣", "\u2003", "\x1c", "\x85", "_", "-", "7"]
RE2_PATTERNS = [
    r"(?i)is", r"(?i)k[a-z]s", r"(?i)[is]+", r"\w+", r"\W", r"\d", r"\D", r"\s", r"\S", r"[^\w]", r"[^\d\s]", r"[^\S]",
    r"(?i)σ", r"(?i)ß", r"(?i)é", r"\bi\b", r"^s", r"s$", r"\As", r"s\Z", r"(?m)^k$", r"(?i:i)K", r"i{2,3}", r"(?:ik)+?",
    r"(?<!s)i", r"i(?=k)", r"(?s)i.k", r"i.k", r"[^i]k", r"(?a)\w",
]


@settings(max_examples=400, deadline=None)
@given(
    texts=st.lists(st.lists(st.sampled_from([*TRICKY, "\n", " ", "ik"]), max_size=5).map("".join), min_size=1, max_size=6),
    pattern=st.sampled_from(RE2_PATTERNS),
)
@example(texts=["\nk"], pattern=r"(?m)^k$")  # ^ under (?m) starts every line
def test_the_re2_form_matches_wherever_python_does(texts: list[str], pattern: str) -> None:
    regex = re.compile(pattern)
    found = _re2_matches(regex, texts)
    assert found is not None  # every pattern above has an RE2 form
    assert {i for i, t in enumerate(texts) if regex.search(t)} <= set(found)


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(a)?(?(1)a|b)", r"(?i)[^a]", r"(?i)[^\w]", r"(?i)[\x00-\uffff]"])
def test_patterns_re2_cannot_take_fall_back_to_python(pattern: str) -> None:
    assert re2_superset(re.compile(pattern)) is None
    texts = ["aa", "ab", "b"]
    regex = re.compile(pattern)
    assert set(may_match(regex, texts)) >= {i for i, t in enumerate(texts) if regex.search(t)}


def test_a_text_utf8_cannot_hold_falls_back_to_python() -> None:
    texts = ["as an ai language model", "lone \ud800 surrogate as an ai language model", "no"]
    regex = re.compile(r"as an ai")
    assert _re2_matches(regex, texts) is None
    assert may_match(regex, texts) == [0, 1]


@pytest.mark.parametrize("surrogate", [False, True])
def test_a_batch_encodes_its_texts_once_and_takes_parts_of_them(surrogate: bool) -> None:
    """``batch_haystack`` is the batch's texts, or some of them; a lone surrogate anywhere in the
    batch leaves none, and ``may_match_each`` then finds the matches with Python."""
    contents = ["as an ai", "no", "x \ud800" if surrogate else "x", "yes as an AI", "é as an ai"]
    records = [
        Record(file="a.jsonl", line=i + 1, index=i, data={"messages": [{"role": "user", "content": c}]}, format=make_format("openai-chat"))
        for i, c in enumerate(contents)
    ]
    batch = Batch(records)
    whole = batch_haystack(batch)
    assert (whole is None) == surrogate and batch_haystack(batch) is whole  # built once
    rows = [0, 3, 4]
    part = batch_haystack(batch, rows)
    assert part is None if surrogate else part.data == "\n".join(contents[i] for i in rows).encode()
    regexes = [re.compile("as an ai"), re.compile("(?i)AS AN AI"), re.compile(r"(\w)\1")]
    for regex, flags in zip(regexes, may_match_each(regexes, [contents[i] for i in rows], part)):
        assert {k for k, i in enumerate(rows) if regex.search(contents[i])} <= set(flags.nonzero()[0].tolist())


def test_the_shipped_phrase_packs_have_re2_forms_that_find_their_phrases() -> None:
    rules = {r.rule.code: r for r in load_pack(REPO / "rules/packs/content.yaml", "content.yaml")}
    texts = [
        "As an AI language model, I cannot taste food.",
        "I'm sorry, but I cannot help with that.",
        "«I'm sorry, but I can't,» she said.",
        "İ am ChatGPT",  # Python's re folds İ to i
        "Sure, here is the recipe.",
    ]
    for code in ("DS801", "DS802"):
        regex = rules[code].regex
        assert re2_superset(regex) is not None
        expected = {i for i, t in enumerate(texts) if regex.search(t)}
        assert expected and expected <= set(_re2_matches(regex, texts) or [])



def test_re2_writes_nothing_to_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    """RE2 logs to stderr by default: when it rejects a pattern (a user's pack regex), and when
    data fills a DFA's memory budget mid-search (secret names run together, for the PII
    triggers). Neither may reach dslint's output; the results stay supersets."""
    from dslint.detect.pii import ScanConfig, _triggers

    rng = random.Random(0)
    texts = ["".join(rng.choice(["pwd", "x", "token", "secret", "_", "a", "1", "é"]) for _ in range(20_000)) for _ in range(50)]
    regexes = [regex for _, regex in _triggers(ScanConfig())] + [re.compile("(?:[a-z]{1,1000}){1,1000}x")]
    for regex, flags in zip(regexes, may_match_each(regexes, texts)):
        assert {i for i, t in enumerate(texts) if regex.search(t)} <= set(flags.nonzero()[0].tolist())
    assert capfd.readouterr().err == ""
