"""The labels family (DS410-DS413): conflicting labels, inverted preferences, annotator agreement,
label spelling variants."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from harness import fold, merged_outputs, options_context, outputs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from dslint.check import DOC_SECTIONS, CheckContext, DatasetCheck, Rule
from dslint.checks.labels import CHECKS, fleiss_kappa
from dslint.checks.labels.agreement import LISTED, AnnotatorAgreementCheck, cohen_from_pairs
from dslint.checks.labels.conflicts import InvertedPreferenceCheck, LabelConflictCheck, LabelVariantsCheck
from dslint.checks.labels.rules import LABEL_RULES
from dslint.finding import Finding
from dslint.formats import make_format
from dslint.record import Record

RULES = {r.code: r for r in LABEL_RULES}



def ctx(options: dict[str, dict] | None = None) -> CheckContext:
    return options_context(RULES, options)


def record(data: dict, fmt: str, i: int, split: str | None = "train", fields: dict | None = None) -> Record:
    file = f"data/{split or 'all'}.jsonl"
    return Record(file=file, line=i + 1, index=i, data=data, split=split, format=make_format(fmt, fields))



def run(check_cls: type[DatasetCheck], records: list[Record], options: dict | None = None) -> list[Finding]:
    check = check_cls(ctx(options))
    return list(check.finalize(fold(check, records)))


def where(finding: Finding) -> tuple[str, int | None]:
    return (finding.location.file, finding.location.record)


# --- metadata ------------------------------------------------------------------------------


def test_checks_cover_every_labels_rule_once() -> None:
    codes = sorted(r.code for cls in CHECKS for r in cls.rules)
    assert codes == ["DS410", "DS411", "DS412", "DS413"]
    assert all(RULES[c].family == "labels" for c in codes)


@pytest.mark.parametrize("rule", LABEL_RULES, ids=lambda r: r.code)
def test_rule_docs_have_every_section_in_order(rule: Rule) -> None:
    positions = [rule.docs.find(f"{section}:") for section in DOC_SECTIONS]
    assert -1 not in positions and positions == sorted(positions)
    assert rule.summary.endswith(".") and "\n" not in rule.summary
    for name, spec in rule.options.model_fields.items():
        assert spec.description and f"`{name.replace('_', '-')}`" in rule.docs


def test_annotator_options_are_validated() -> None:
    opts = RULES["DS412"].options
    assert opts.model_validate({"annotators": ["ann_1", "/votes/b"], "min-kappa": 0.7}).min_kappa == 0.7
    with pytest.raises(ValueError, match="at least two"):
        opts.model_validate({"annotators": ["ann_1"]})
    with pytest.raises(ValueError, match="twice"):
        opts.model_validate({"annotators": ["ann_1", "ann_1"]})
    with pytest.raises(ValueError):
        opts.model_validate({"min_kapa": 0.5})


# --- DS410 label-conflict --------------------------------------------------------------------


def intent_rows() -> list[Record]:
    rows = [
        ("Where is my parcel?", "track_order"),
        ("Can I change the delivery address?", "change_address"),
        ("where is my parcel", "delivery_delay"),  # same text after normalisation
        ("I want my money back for the broken kettle.", "refund"),
        ("Where is my parcel?!", "track_order"),
        ("Can I change the delivery address?", "change_address"),  # a duplicate that agrees: fine
    ]
    return [record({"text": text, "label": label}, "classification", i) for i, (text, label) in enumerate(rows)]


def test_same_normalised_text_with_different_labels_is_one_finding_at_the_first_record() -> None:
    (finding,) = run(LabelConflictCheck, intent_rows())
    assert finding.message == "the same input is labelled 'track_order' (2 records) and 'delivery_delay' (1 record)"
    assert where(finding) == ("data/train.jsonl", 0) and finding.location.field == "/label"
    assert [(loc.record, loc.field) for loc in finding.related] == [(2, "/label")]
    assert finding.metrics == {"labels": 2, "records": 3}


def test_conflicts_are_found_across_splits() -> None:
    train = [record({"text": "The app crashes when I upload a photo.", "label": "bug_report"}, "classification", 0, "train")]
    test = [record({"text": "The app crashes when I upload a photo", "label": "feature_request"}, "classification", 4, "test")]
    (finding,) = run(LabelConflictCheck, test + train)
    assert where(finding) == ("data/test.jsonl", 4)  # records order by (file, index): data/test < data/train
    assert finding.related[0].split == "train"


def test_kto_conflict_needs_the_same_prompt_and_completion() -> None:
    prompt = [{"role": "user", "content": "Explain what a 401 status code means."}]
    good = "It means the request lacks valid authentication credentials."
    rows = [
        record({"prompt": prompt, "completion": good, "label": True}, "kto", 0),
        record({"prompt": prompt, "completion": "It means the page was not found.", "label": False}, "kto", 1),
        record({"prompt": prompt, "completion": good + " ", "label": False}, "kto", 2),
    ]
    (finding,) = run(LabelConflictCheck, rows)
    assert finding.message == "the same input is labelled 'true' (1 record) and 'false' (1 record)"
    assert where(finding) == ("data/train.jsonl", 0) and finding.related[0].record == 2


def test_multi_label_sets_conflict_as_sets() -> None:
    rows = [
        record({"text": "Stocks fell after the election results.", "labels": ["politics", "finance"]}, "classification", 0),
        record({"text": "Stocks fell after the election results.", "labels": ["finance", "politics"]}, "classification", 1),
        record({"text": "Stocks fell after the election results.", "labels": ["finance"]}, "classification", 2),
    ]
    (finding,) = run(LabelConflictCheck, rows)
    assert finding.message == "the same input is labelled ['finance', 'politics'] (2 records) and 'finance' (1 record)"


def test_unlabelled_and_label_less_formats_are_ignored() -> None:
    rows = [
        record({"text": "Where is my parcel?", "label": None}, "classification", 0),
        record({"text": "Where is my parcel?", "label": "track_order"}, "classification", 1),
        record({"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}, "openai-chat", 2),
    ]
    assert run(LabelConflictCheck, rows) == []


def test_conflict_fingerprint_survives_reordering_and_new_rows() -> None:
    rows = intent_rows()
    moved = [record(r.data, "classification", i + 10) for i, r in enumerate(reversed(rows))]
    extra = [record({"text": "Do you ship to Norway?", "label": "shipping"}, "classification", 0)]
    fingerprints = {run(LabelConflictCheck, batch)[0].fingerprint for batch in (rows, moved, extra + moved)}
    assert len(fingerprints) == 1


def test_mapped_schema_label_conflicts() -> None:
    fields = {"input": "question", "output": "answer", "label": "/meta/quality"}
    rows = [
        record({"question": "Is 17 prime?", "answer": "Yes.", "meta": {"quality": "good"}}, "mapped", 0, fields=fields),
        record({"question": "Is 17 prime?", "answer": "Yes.", "meta": {"quality": "bad"}}, "mapped", 1, fields=fields),
        record({"question": "Is 17 prime?", "answer": "No.", "meta": {"quality": "bad"}}, "mapped", 2, fields=fields),
    ]
    (finding,) = run(LabelConflictCheck, rows)
    assert finding.location.field == "/meta/quality" and [loc.record for loc in finding.related] == [1]


# --- DS411 inverted-preference ---------------------------------------------------------------

CONCISE = "Your order #4411 ships tomorrow; you will get a tracking link by email."
VERBOSE = "Thank you so much for reaching out! We truly value you as a customer. Orders usually ship soon."


def pair(prompt: str, chosen: str, rejected: str, i: int, split: str = "train") -> Record:
    return record({"prompt": prompt, "chosen": chosen, "rejected": rejected}, "preference", i, split)


def test_swapped_chosen_and_rejected_for_the_same_prompt() -> None:
    rows = [
        pair("When will my order ship?", CONCISE, VERBOSE, 0),
        pair("Summarise the refund policy.", "Refunds within 30 days.", "No refunds ever.", 1),
        pair("When will my order ship? ", VERBOSE, CONCISE, 2),
        pair("when will my order ship", CONCISE, VERBOSE, 3),
    ]
    (finding,) = run(InvertedPreferenceCheck, rows)
    assert where(finding) == ("data/train.jsonl", 0) and [loc.record for loc in finding.related] == [2]
    assert finding.message == (
        "chosen and rejected are swapped between pairs with the same prompt and answers:"
        " 2 pair(s) prefer this pair's chosen answer, 1 prefer its rejected one"
    )
    assert finding.metrics == {"pairs": 3, "inverted": 1}


def test_inversions_in_conversational_pairs_with_an_implicit_prompt() -> None:
    user = {"role": "user", "content": "Write a haiku about autumn."}
    a = {"role": "assistant", "content": "Crisp leaves drift and fall / amber light on quiet paths / the year exhales slow"}
    b = {"role": "assistant", "content": "Autumn is a season that comes after summer."}
    rows = [
        record({"chosen": [user, a], "rejected": [user, b]}, "preference", 0),
        record({"chosen": [user, b], "rejected": [user, a]}, "preference", 1, "validation"),
    ]
    (finding,) = run(InvertedPreferenceCheck, rows)
    assert finding.related[0].split == "validation"


def test_no_inversion_for_other_prompts_equal_sides_or_other_formats() -> None:
    rows = [
        pair("When will my order ship?", CONCISE, VERBOSE, 0),
        pair("When will my parcel ship?", VERBOSE, CONCISE, 1),  # another prompt
        pair("Say hi.", "Hi!", "hi", 2),  # sides equal after normalisation: another rule's business
        pair("Say hi.", "hi", "Hi!", 3),
        record({"prompt": "When will my order ship?", "completion": VERBOSE, "label": False}, "kto", 4),
    ]
    assert run(InvertedPreferenceCheck, rows) == []


# --- DS412 low-annotator-agreement -----------------------------------------------------------

WIKIPEDIA_FLEISS = [  # 10 subjects, 14 raters, 5 categories (Fleiss 1971 style example): kappa 0.210
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_fleiss_kappa_matches_the_textbook_example() -> None:
    assert fleiss_kappa(WIKIPEDIA_FLEISS) == pytest.approx(0.20993, abs=1e-5)


def test_fleiss_kappa_edge_cases() -> None:
    assert fleiss_kappa([[3, 0], [0, 3], [3, 0]]) == pytest.approx(1.0)
    assert fleiss_kappa([[3, 0], [3, 0]]) is None  # one category only: chance agreement is total
    assert fleiss_kappa([[1, 0], [0, 0]]) is None  # no item rated twice
    # Perfectly systematic disagreement is below chance.
    assert fleiss_kappa([[1, 1], [1, 1], [1, 1]]) == pytest.approx(-1.0)


def test_cohen_kappa_from_pair_counts_matches_the_textbook_and_sklearn() -> None:
    # 50 items: both yes 20, A yes B no 5, A no B yes 10, both no 15 -> po 0.7, pe 0.5, kappa 0.4.
    pairs = {("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15}
    assert cohen_from_pairs(pairs) == pytest.approx(0.4)
    rng = random.Random(3)
    a = [rng.choice("ABC") for _ in range(200)]
    b = [x if rng.random() < 0.6 else rng.choice("ABC") for x in a]
    counts: dict[tuple[str, str], int] = {}
    for pair_ in zip(a, b):
        counts[pair_] = counts.get(pair_, 0) + 1
    assert cohen_from_pairs(counts) == pytest.approx(cohen_kappa_score(a, b))
    assert cohen_from_pairs({("spam", "spam"): 9}) is None


TOXIC = ["You are an idiot and nobody likes you.", "Go back to where you came from.", "This thread is garbage, like you."]
CLEAN = ["Thanks, that fixed my build!", "Could you share the config file?", "Great write-up, very clear."]


def annotated(n: int, noise: float, annotators: int, seed: int = 0) -> list[Record]:
    """Comments with a gold label and per-annotator labels that flip with probability ``noise``."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        toxic = i % 3 == 0
        text = (TOXIC if toxic else CLEAN)[i % 3]
        data: dict[str, Any] = {"text": text, "label": "toxic" if toxic else "ok"}
        for k in range(1, annotators + 1):
            vote = toxic if rng.random() >= noise else not toxic
            data[f"ann_{k}"] = "toxic" if vote else "ok"
        rows.append(record(data, "classification", i))
    return rows


def test_low_fleiss_agreement_lists_the_first_disagreements() -> None:
    rows = annotated(300, noise=0.3, annotators=3)
    check = AnnotatorAgreementCheck(ctx({"DS412": {"annotators": ["ann_1", "ann_2", "ann_3"]}}))
    state = fold(check, rows)
    (finding,) = check.finalize(state)
    disagreeing = [r.index for r in rows if len({r.data["ann_1"], r.data["ann_2"], r.data["ann_3"]}) > 1]
    assert finding.metrics["method"] == "fleiss" and finding.metrics["kappa"] < 0.6
    assert finding.metrics["disagreements"] == len(disagreeing) and finding.metrics["items"] == 300
    assert [loc.record for loc in finding.related] == disagreeing[:LISTED]
    table = [[sum(r.data[f"ann_{k}"] == c for k in (1, 2, 3)) for c in ("ok", "toxic")] for r in rows]
    assert finding.metrics["kappa"] == round(fleiss_kappa(table), 6)
    assert finding.message.startswith("annotators agree too little: Fleiss' kappa 0.")
    assert check.stats(state)["kappa"] == finding.metrics["kappa"]


def test_two_annotators_use_cohens_kappa() -> None:
    rows = annotated(200, noise=0.25, annotators=2, seed=5)
    (finding,) = run(AnnotatorAgreementCheck, rows, {"DS412": {"annotators": ["ann_1", "/ann_2"]}})
    expected = cohen_kappa_score([r.data["ann_1"] for r in rows], [r.data["ann_2"] for r in rows])
    assert finding.metrics["method"] == "cohen" and finding.metrics["kappa"] == round(expected, 6)
    assert "Cohen's kappa" in finding.message


def test_good_agreement_too_few_items_or_no_annotators_is_quiet() -> None:
    options = {"DS412": {"annotators": ["ann_1", "ann_2", "ann_3"]}}
    assert run(AnnotatorAgreementCheck, annotated(300, noise=0.02, annotators=3), options) == []
    assert run(AnnotatorAgreementCheck, annotated(15, noise=0.4, annotators=3), options) == []  # under min-items
    assert run(AnnotatorAgreementCheck, annotated(300, noise=0.4, annotators=3)) == []  # not configured


def test_missing_ratings_are_skipped_per_item() -> None:
    rows = annotated(120, noise=0.35, annotators=3, seed=2)
    for r in rows[::4]:
        r.data["ann_3"] = None  # this annotator skipped the item
    for r in rows[1::8]:
        del r.data["ann_2"], r.data["ann_3"]  # one rating left: no agreement to measure
    check = AnnotatorAgreementCheck(ctx({"DS412": {"annotators": ["ann_1", "ann_2", "ann_3"]}}))
    stats = check.stats(fold(check, rows))
    assert stats["items"] == 120 - len(rows[1::8])
    assert stats["method"] == "fleiss" and -1 <= stats["kappa"] < 0.6


# --- DS413 label-variants --------------------------------------------------------------------


def test_label_spelling_variants_point_at_the_rarest_spelling() -> None:
    reviews = ["Great battery life.", "Arrived broken.", "Does what it says."]
    labels = ["positive"] * 40 + ["negative"] * 30 + ["Positive"] * 3 + ["positive "] * 1 + ["not_negative", "not-negative"]
    rows = [record({"text": reviews[i % 3], "label": label}, "classification", i) for i, label in enumerate(labels)]
    findings = run(LabelVariantsCheck, rows)
    assert [f.message for f in findings] == [
        "label 'not_negative' (1 record) differs only in case, spacing or punctuation from 'not-negative' (1 record)",
        "label 'positive ' (1 record) differs only in case, spacing or punctuation from 'positive' (40 records)"
        " and 'Positive' (3 records)",
    ]
    assert where(findings[1]) == ("data/train.jsonl", 73) and [loc.record for loc in findings[1].related] == [0, 70]


def test_bool_and_string_spellings_of_a_kto_label_are_variants() -> None:
    rows = [
        record({"prompt": "Fix the typo: teh cat", "completion": "the cat", "label": True}, "kto", 0),
        record({"prompt": "Fix the typo: recieve", "completion": "receive", "label": "True"}, "kto", 1),
    ]
    (finding,) = run(LabelVariantsCheck, rows)
    assert "'True' (1 record)" in finding.message and "'true' (1 record)" in finding.message


def test_distinct_labels_are_not_variants() -> None:
    labels = ["pos", "neg", "neutral", "mixed"]
    rows = [record({"text": "Ok", "label": label}, "classification", i) for i, label in enumerate(labels)]
    assert run(LabelVariantsCheck, rows) == []


def test_label_text_in_messages_is_redacted() -> None:
    rows = [
        record({"text": "Please call me back.", "label": "escalate to jane.doe@example.com"}, "classification", 0),
        record({"text": "Please call me back.", "label": "Escalate to jane.doe@example.com"}, "classification", 1),
    ]
    messages = [f.message for f in run(LabelVariantsCheck, rows) + run(LabelConflictCheck, rows)]
    assert len(messages) == 2
    assert all("jane.doe@example.com" not in m and "j***@e***.com" in m for m in messages)


# --- mergeability ----------------------------------------------------------------------------

PROMPTS = ["When will my order ship?", "Reset my password.", "Write a haiku about rain."]
ANSWERS = [CONCISE, VERBOSE, "Click 'Forgot password' on the sign-in page.", "Rain on tin rooftops"]
TEXTS = ["Where is my parcel?", "where is my parcel", "Cancel my subscription.", "The app crashes on start."]
LABEL_CHOICES = ["track_order", "Track_Order", "cancel", "bug", "bug ", True, "true"]


def mixed_dataset(seed: int) -> list[Record]:
    """Files of labelled rows with annotator votes and files of preference pairs."""
    rng = random.Random(seed)
    rows = []
    for f in range(rng.randint(1, 4)):
        file, split = f"data/part-{f}.jsonl", rng.choice(["train", "test", None])
        preference = rng.random() < 0.4
        for i in range(rng.randint(0, 60)):
            if preference:
                chosen, rejected = rng.sample(ANSWERS, 2)
                data: dict[str, Any] = {"prompt": rng.choice(PROMPTS), "chosen": chosen, "rejected": rejected}
                fmt = "preference"
            else:
                data = {"text": rng.choice(TEXTS), "label": rng.choice(LABEL_CHOICES)}
                for k in (1, 2, 3):
                    if rng.random() < 0.9:
                        data[f"ann_{k}"] = rng.choice(["bug", "bug", "cancel", "track_order"])
                fmt = "classification"
            rows.append(Record(file=file, line=i + 1, index=i, data=data, split=split, format=make_format(fmt)))
    return rows



@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    cuts=st.lists(st.integers(0, 240), max_size=6),
    order_seed=st.integers(0, 10_000),
    annotators=st.sampled_from([["ann_1", "ann_2"], ["ann_1", "ann_2", "ann_3"]]),
)
@pytest.mark.parametrize("check_cls", CHECKS, ids=lambda c: c.__name__)
def test_merge_is_associative_and_commutative(
    check_cls: type[DatasetCheck], seed: int, cuts: list[int], order_seed: int, annotators: list[str]
) -> None:
    check = check_cls(ctx({"DS412": {"annotators": annotators, "min-kappa": 0.9, "min-items": 2}}))
    records = mixed_dataset(seed)
    single, left, right, tree = merged_outputs(check, records, cuts, order_seed)
    assert left == right == tree == single


def test_the_mixed_dataset_exercises_every_rule() -> None:
    fired: set[str] = set()
    for seed in range(20):
        for cls in CHECKS:
            check = cls(ctx({"DS412": {"annotators": ["ann_1", "ann_2", "ann_3"], "min-kappa": 0.9, "min-items": 2}}))
            fired |= {f.rule for f in check.finalize(fold(check, mixed_dataset(seed)))}
    assert fired == {"DS410", "DS411", "DS412", "DS413"}


def test_merge_does_not_modify_its_inputs() -> None:
    records = mixed_dataset(11)
    for cls in CHECKS:
        check = cls(ctx({"DS412": {"annotators": ["ann_1", "ann_2", "ann_3"], "min-kappa": 0.9, "min-items": 2}}))
        a, b = fold(check, records[::2]), fold(check, records[1::2])
        before = outputs(check, a), outputs(check, b)
        check.merge(a, b)
        assert (outputs(check, a), outputs(check, b)) == before


# --- robustness ------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


KEYS = ("text", "label", "prompt", "chosen", "rejected", "completion", "ann_1", "ann_2")


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries({}, optional={k: JSON for k in KEYS}), max_size=8))
@pytest.mark.parametrize("fmt", ["classification", "kto", "preference"])
def test_any_json_record_is_handled_without_raising(fmt: str, rows: list[dict]) -> None:
    records = [record(data, fmt, i) for i, data in enumerate(rows)]
    for cls in CHECKS:
        check = cls(ctx({"DS412": {"annotators": ["ann_1", "/ann_2"], "min-items": 2, "min-kappa": 1}}))
        state = fold(check, records)
        list(check.finalize(state))
        json.dumps(check.stats(state))
