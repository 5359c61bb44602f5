"""The imbalance family (DS401-DS408): label distributions per split, split sanity, field balance."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from conftest import write_jsonl
from harness import fold, merged_outputs, options_context, outputs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dslint.check import DOC_SECTIONS, CheckContext, DatasetCheck, Rule
from dslint.checks.imbalance import fields as labels_fields
from dslint.checks.imbalance import CHECKS
from dslint.checks._shared.labels import label_keys
from dslint.checks.imbalance.distribution import LabelDistributionCheck
from dslint.checks.imbalance.fields import FieldImbalanceCheck
from dslint.checks.imbalance.rules import IMBALANCE_RULES
from dslint.finding import Finding
from dslint.formats import make_format
from dslint.record import Record

RULES = {r.code: r for r in IMBALANCE_RULES}

INTENTS = {
    "card_arrival": [
        "When will my new card arrive?",
        "My card still hasn't come in the mail.",
        "How long does card delivery take?",
    ],
    "top_up_failed": ["My top-up didn't go through.", "Why was my top up declined?", "I tried to add money but it failed."],
    "lost_or_stolen_card": ["I lost my card, please block it.", "Someone stole my wallet with my card in it."],
    "exchange_rate": ["What exchange rate do you use?", "How much is 100 euros in dollars with you?"],
    "report_fraud": ["There is a payment I didn't make.", "Unknown charges appeared on my statement."],
}
SYSTEM_SUPPORT = "You are a concise support agent for a cloud storage product."
SYSTEM_CODER = "You are a senior Python engineer. Answer with working code."



def ctx(options: dict[str, dict] | None = None) -> CheckContext:
    return options_context(RULES, options)


def record(data: dict, fmt: str, i: int, split: str | None, file: str | None = None) -> Record:
    file = file or (f"data/{split}.jsonl" if split else "data/all.jsonl")
    return Record(file=file, line=i + 1, index=i, data=data, split=split, format=make_format(fmt))


def intents(counts: dict[str, int], split: str | None, start: int = 0) -> list[Record]:
    """Banking-intent classification rows, labels interleaved the way a shuffled export has them."""
    labels = [label for label, n in counts.items() for _ in range(n)]
    random.Random(len(labels)).shuffle(labels)
    rows = []
    for i, label in enumerate(labels, start):
        texts = INTENTS.get(label, ["I need help with something else."])
        rows.append(record({"text": texts[i % len(texts)], "label": label}, "classification", i, split))
    return rows


def chat(user: str, answer: str, system: str | None, i: int, split: str | None, **extra: Any) -> Record:
    messages = ([{"role": "system", "content": system}] if system else []) + [
        {"role": "user", "content": user},
        {"role": "assistant", "content": answer},
    ]
    return record({"messages": messages, **extra}, "openai-chat", i, split)



def run(check_cls: type[DatasetCheck], records: list[Record], options: dict | None = None) -> list[Finding]:
    check = check_cls(ctx(options))
    return list(check.finalize(fold(check, records)))


def by_rule(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.rule == code]


BALANCED = {"card_arrival": 60, "top_up_failed": 55, "lost_or_stolen_card": 50, "exchange_rate": 52, "report_fraud": 48}


# --- metadata ------------------------------------------------------------------------------


def test_checks_cover_every_imbalance_rule_once() -> None:
    codes = [r.code for cls in CHECKS for r in cls.rules]
    assert sorted(codes) == [f"DS40{n}" for n in range(1, 9)]
    assert all(RULES[c].family == "imbalance" for c in codes)


@pytest.mark.parametrize("rule", IMBALANCE_RULES, ids=lambda r: r.code)
def test_rule_docs_have_every_section_in_order(rule: Rule) -> None:
    positions = [rule.docs.find(f"{section}:") for section in DOC_SECTIONS]
    assert -1 not in positions and positions == sorted(positions)
    assert rule.summary.endswith(".") and "\n" not in rule.summary
    for name, spec in rule.options.model_fields.items():
        assert spec.description, f"{rule.code} option {name} has no description"
        assert f"`{name.replace('_', '-')}`" in rule.docs  # every option is documented by its config name


def test_options_are_kebab_case_and_never_shadow_the_policy_settings() -> None:
    assert RULES["DS401"].options.model_validate({"max-imbalance": 4}).max_imbalance == 4
    assert RULES["DS408"].options.model_validate({"fields": "/source"}).fields == ["/source"]
    assert RULES["DS405"].options.model_validate({"expected-splits": ["train", "test"]}).expected_splits == ["train", "test"]
    for rule in IMBALANCE_RULES:
        aliases = {spec.alias for spec in rule.options.model_fields.values()}
        assert not aliases & {"severity", "max-count", "max-ratio"}
    with pytest.raises(ValueError):
        RULES["DS401"].options.model_validate({"max-ratio": 4})
    with pytest.raises(ValueError):
        RULES["DS404"].options.model_validate({"method": "kl"})


@pytest.mark.parametrize(
    ("value", "keys"),
    [
        ("card_arrival", ("card_arrival",)),
        (True, ("true",)),
        (3, ("3",)),
        (3.0, ("3",)),  # a label column read as float64
        (0.5, ("0.5",)),
        (["sports", "politics", "sports"], ("politics", "sports")),
        ([], ()),
        (None, ()),
        ("", ()),
        (float("nan"), ()),
        ({"coarse": "billing"}, ('{"coarse":"billing"}',)),
    ],
)
def test_label_values_become_deterministic_string_keys(value: Any, keys: tuple[str, ...]) -> None:
    assert label_keys(value) == keys


# --- DS401 class-imbalance ------------------------------------------------------------------


def test_class_imbalance_reports_the_ratio_and_points_at_the_smallest_class() -> None:
    rows = intents({"card_arrival": 600, "exchange_rate": 80, "report_fraud": 40}, "train")
    (finding,) = by_rule(run(LabelDistributionCheck, rows), "DS401")
    assert finding.message == (
        "labels of split 'train' are imbalanced: 'card_arrival' has 600 records, 'report_fraud' only 40 (15.0x, max-imbalance 10)"
    )
    assert finding.location is None and finding.metrics["ratio"] == 15.0
    first_fraud = next(r for r in rows if r.data["label"] == "report_fraud")
    assert [(loc.file, loc.record, loc.field) for loc in finding.related] == [("data/train.jsonl", first_fraud.index, "/label")]


def test_class_imbalance_is_quiet_on_balanced_splits_and_honours_the_option() -> None:
    rows = intents(BALANCED, "train")
    assert by_rule(run(LabelDistributionCheck, rows), "DS401") == []
    assert by_rule(run(LabelDistributionCheck, rows, {"DS401": {"max-imbalance": 1.1}}), "DS401")


def test_kto_desirable_undesirable_imbalance() -> None:
    rows = [
        record(
            {"prompt": f"Summarise ticket #{i}.", "completion": "The customer wants a refund.", "label": i % 25 != 0},
            "kto",
            i,
            "train",
        )
        for i in range(500)
    ]
    (finding,) = by_rule(run(LabelDistributionCheck, rows), "DS401")
    assert "'true' has 480 records, 'false' only 20 (24.0x" in finding.message


def test_a_split_with_a_single_label_is_reported() -> None:
    rows = intents(BALANCED, "train") + intents({"card_arrival": 40}, "validation")
    (finding,) = by_rule(run(LabelDistributionCheck, rows), "DS401")
    assert finding.message == "every labelled record of split 'validation' has the label 'card_arrival' (40 records)"
    assert finding.metrics["ratio"] is None


def test_a_perfectly_balanced_split_is_not_imbalanced() -> None:
    # A tie makes the most and the least common label equally common: no finding.
    for n in (50, 200):
        rows = [
            record({"prompt": f"Question {i}", "completion": f"Answer {i}", "label": i % 2 == 0}, "kto", i, "train")
            for i in range(2 * n)
        ]
        assert by_rule(run(LabelDistributionCheck, rows), "DS401") == []


def kto_rows(desirable: int, undesirable: int, split: str, start: int = 0) -> list[Record]:
    labels = [True] * desirable + [False] * undesirable
    return [
        record({"prompt": f"Write a tagline for shop {i}.", "completion": f"Tagline {i}", "label": label}, "kto", i, split,
               file=f"data/{split}-kto.jsonl")
        for i, label in enumerate(labels, start)
    ]


def test_tasks_in_one_split_are_not_pooled() -> None:
    # A KTO file and an intent classifier's rows in the same splits: two label distributions.
    train = kto_rows(100, 100, "train") + intents(BALANCED, "train")
    test = kto_rows(10, 10, "test") + intents(BALANCED, "test")
    findings = run(LabelDistributionCheck, train + test)
    # Pooled, 'true'/'false' would be rare next to the intents and absent from nothing; per task, nothing is wrong.
    assert by_rule(findings, "DS401") == [] and by_rule(findings, "DS403") == [] and by_rule(findings, "DS404") == []
    check = LabelDistributionCheck()
    stats = check.stats(fold(check, train + test))
    assert sorted(stats["tasks"]) == ["classification /label", "kto /label"]
    assert stats["tasks"]["kto /label"]["splits"]["train"]["labels"] == {"false": 100, "true": 100}
    assert stats["splits"]["train"] == {"records": 200 + sum(BALANCED.values())}


def test_findings_name_the_task_when_there_are_several() -> None:
    rows = kto_rows(190, 10, "train") + intents(BALANCED, "train")
    (finding,) = by_rule(run(LabelDistributionCheck, rows), "DS401")
    assert "(task 'kto /label')" in finding.message and "'true' has 190 records" in finding.message


def test_multi_label_rows_count_each_label() -> None:
    topics = [["sports"], ["politics"], ["sports", "politics"], ["science"]]
    rows = [record({"text": f"Headline {i}", "labels": topics[i % 4]}, "classification", i, "train") for i in range(400)]
    check = LabelDistributionCheck()
    stats = check.stats(fold(check, rows))
    assert stats["splits"]["train"] == {
        "records": 400,
        "labelled": 400,
        "labels": {"politics": 200, "sports": 200, "science": 100},
    }


# --- DS402 rare-class -----------------------------------------------------------------------


def test_rare_class_is_located_at_its_first_record_in_the_split() -> None:
    rows = intents({**BALANCED, "lost_or_stolen_card": 4}, "train")
    (finding,) = by_rule(run(LabelDistributionCheck, rows), "DS402")
    first = next(r for r in rows if r.data["label"] == "lost_or_stolen_card")
    assert (finding.location.file, finding.location.record, finding.location.field) == ("data/train.jsonl", first.index, "/label")
    assert finding.message == (
        "label 'lost_or_stolen_card' is rare in split 'train': 4 records (1.8% of 219 labelled), fewer than 10"
    )


def test_rare_class_by_share_on_a_large_split() -> None:
    rows = intents({"card_arrival": 9000, "exchange_rate": 9000, "report_fraud": 12}, "train")
    (finding,) = by_rule(run(LabelDistributionCheck, rows), "DS402")
    assert finding.message.endswith("12 records (0.067% of 18,012 labelled), a share below 0.1%")
    assert finding.metrics["share"] == round(12 / 18012, 6)
    assert by_rule(run(LabelDistributionCheck, rows, {"DS402": {"min-share": 0}}), "DS402") == []


def test_rare_class_negative_on_balanced_data() -> None:
    assert by_rule(run(LabelDistributionCheck, intents(BALANCED, "train")), "DS402") == []


# --- DS403 label-not-in-train ----------------------------------------------------------------


def test_label_seen_only_in_test_is_an_error_at_its_first_test_record() -> None:
    train = intents(BALANCED, "train")
    test = intents({"card_arrival": 20, "exchange_rate": 20, "refund_request": 7}, "test")
    (finding,) = by_rule(run(LabelDistributionCheck, train + test), "DS403")
    first = next(r for r in test if r.data["label"] == "refund_request")
    assert finding.severity.value == "error"
    assert finding.message == "label 'refund_request' appears in 7 records of split 'test' but never in split 'train'"
    assert (finding.location.file, finding.location.record, finding.location.split) == ("data/test.jsonl", first.index, "test")


def test_labels_spelt_as_numbers_or_strings_match_across_splits() -> None:
    reviews = ["Great battery life, would buy again.", "Stopped working after two days.", "It is fine, nothing special."]
    train = [record({"text": reviews[i % 3], "label": i % 3}, "classification", i, "train") for i in range(300)]
    test = [record({"text": reviews[i % 3], "label": str(i % 3)}, "classification", i, "test") for i in range(120)]  # from CSV
    assert by_rule(run(LabelDistributionCheck, train + test), "DS403") == []


def test_unseen_labels_need_a_labelled_train_split() -> None:
    test_only = intents({"card_arrival": 60, "refund_request": 60}, "test")
    assert by_rule(run(LabelDistributionCheck, test_only), "DS403") == []


# --- DS404 label-drift -------------------------------------------------------------------------


def test_drift_names_the_label_that_moved_most() -> None:
    train = intents({"card_arrival": 300, "top_up_failed": 300}, "train")
    validation = intents({"card_arrival": 255, "top_up_failed": 45}, "validation")
    (finding,) = by_rule(run(LabelDistributionCheck, train + validation), "DS404")
    assert finding.message.startswith(
        "label distribution of split 'validation' differs from split 'train' (Jensen-Shannon distance 0.324 > 0.1)"
    )
    assert finding.message.endswith("'card_arrival' is 50.0% of train and 85.0% here")
    # The square root of JSD((.5, .5), (.85, .15)) in bits, worked out by hand.
    assert finding.metrics["jensen_shannon"] == pytest.approx(0.3238, abs=1e-4)
    assert finding.metrics["chi_square_p"] < 1e-6


def test_similar_distributions_do_not_drift() -> None:
    train = intents(BALANCED, "train")
    close = {"card_arrival": 62, "top_up_failed": 50, "lost_or_stolen_card": 49, "exchange_rate": 55, "report_fraud": 44}
    test = intents(close, "test")
    assert by_rule(run(LabelDistributionCheck, train + test), "DS404") == []


def test_chi_square_method_flags_small_shifts_on_large_splits() -> None:
    train = intents({"card_arrival": 10000, "top_up_failed": 10000}, "train")
    test = intents({"card_arrival": 5400, "top_up_failed": 4600}, "test")
    assert by_rule(run(LabelDistributionCheck, train + test), "DS404") == []  # distance 0.03
    (finding,) = by_rule(run(LabelDistributionCheck, train + test, {"DS404": {"method": "chi-square"}}), "DS404")
    assert "chi-square p-value" in finding.message and finding.metrics["method"] == "chi-square"


def test_drift_skips_splits_below_min_records() -> None:
    rows = intents(BALANCED, "train") + intents({"card_arrival": 30}, "test")
    assert by_rule(run(LabelDistributionCheck, rows), "DS404") == []
    assert by_rule(run(LabelDistributionCheck, rows, {"DS404": {"min-records": 30}}), "DS404")


# --- DS405-DS407 split sanity ------------------------------------------------------------------


def test_empty_split_reports_expected_splits_without_records() -> None:
    rows = intents(BALANCED, "train") + intents(BALANCED, "test")
    assert by_rule(run(LabelDistributionCheck, rows), "DS405") == []  # nothing expected by default
    options = {"DS405": {"expected-splits": ["train", "validation", "test"]}}
    (finding,) = by_rule(run(LabelDistributionCheck, rows, options), "DS405")
    assert (finding.message, finding.severity.value) == ("split 'validation' has no records", "error")


def test_eval_split_larger_than_train_suggests_swapped_files() -> None:
    rows = intents({"card_arrival": 60, "exchange_rate": 60}, "train")
    rows += intents({"card_arrival": 450, "exchange_rate": 450}, "test")
    (finding,) = by_rule(run(LabelDistributionCheck, rows), "DS406")
    assert finding.message == "split 'test' has 900 records, 7.50x split 'train' (120); were the files swapped?"
    assert by_rule(run(LabelDistributionCheck, rows, {"DS406": {"max-size-ratio": 10}}), "DS406") == []


def test_split_sanity_works_on_chat_data_without_labels() -> None:
    share = "Open the folder, choose Share and add their emails."
    train = [chat(f"How do I share folder {i} with my team?", share, SYSTEM_SUPPORT, i, "train") for i in range(300)]
    restore = "Yes: open Version history and pick the date."
    validation = [chat(f"Can I restore file {i} from last week?", restore, SYSTEM_SUPPORT, i, "validation") for i in range(36)]
    findings = run(LabelDistributionCheck, train + validation)
    assert [f.rule for f in findings] == ["DS407"]
    assert findings[0].message == (
        "split 'validation' has only 36 records (min-records 100): an accuracy measured on it is uncertain by up to ±16.3 points"
    )
    check = LabelDistributionCheck()
    assert check.stats(fold(check, train + validation)) == {}  # no labels: no label stats
    (tiny,) = run(LabelDistributionCheck, train + validation[:2])
    assert tiny.metrics["margin"] == 50.0  # a share is never uncertain by more than 50 points


def test_unsplit_records_are_one_group_and_never_an_evaluation_split() -> None:
    rows = intents({"card_arrival": 500, "report_fraud": 5}, None)
    findings = run(LabelDistributionCheck, rows)
    assert sorted(f.rule for f in findings) == ["DS401", "DS402"]
    assert "the unsplit records" in findings[0].message


# --- DS408 field-imbalance -------------------------------------------------------------------


def support_chats(n: int, coder_every: int, split: str = "train") -> list[Record]:
    return [
        chat(
            f"My sync client shows error {i}. What should I do?",
            "Sign out, sign back in, and let the client re-index your files.",
            SYSTEM_CODER if i % coder_every == 0 else SYSTEM_SUPPORT,
            i,
            split,
            source="zendesk" if i % 7 else "forum",
        )
        for i in range(n)
    ]


def test_field_imbalance_reports_a_dominant_system_prompt() -> None:
    rows = support_chats(500, coder_every=50)
    (finding,) = run(FieldImbalanceCheck, rows, {"DS408": {"fields": ["/messages/0/content"]}})
    assert finding.message == (
        "field '/messages/0/content' is imbalanced in split 'train': 'You are a concise support agent for a c…'"
        " is 98.0% of 500 records, 'You are a senior Python engineer. Answe…' only 10"
        " (2 values, 49.0x; max-share 0.9, max-imbalance 20)"
    )
    assert finding.metrics["share"] == 0.98


def test_field_imbalance_accepts_top_level_keys_and_counts_missing_values() -> None:
    rows = support_chats(200, coder_every=2)
    for r in rows[:150]:
        del r.data["source"]
    (finding,) = run(FieldImbalanceCheck, rows, {"DS408": {"fields": "source", "max-share": 0.7}})
    assert "field '/source' is imbalanced in split 'train': no value is 75.0% of 200 records" in finding.message


def test_field_imbalance_is_quiet_for_balanced_single_valued_or_free_text_fields() -> None:
    rows = support_chats(300, coder_every=2)
    assert run(FieldImbalanceCheck, rows, {"DS408": {"fields": ["/messages/0/content"]}}) == []
    one_prompt = support_chats(300, coder_every=10**6)[1:]
    assert run(FieldImbalanceCheck, one_prompt, {"DS408": {"fields": ["/messages/0/content"]}}) == []
    assert run(FieldImbalanceCheck, rows) == []  # no fields configured


def test_high_cardinality_fields_are_not_categories(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(labels_fields, "VALUE_LIMIT", 20)
    rows = support_chats(300, coder_every=2)
    check = FieldImbalanceCheck(ctx({"DS408": {"fields": ["/messages/1/content"]}}))  # every user turn differs
    state = fold(check, rows)
    assert list(check.finalize(state)) == []
    assert check.stats(state) == {"/messages/1/content": {"train": {"records": 300, "values": "more than 20"}}}


def test_field_values_are_redacted_in_messages_and_stats() -> None:
    escalate = "Escalate to jane.doe@example.com"
    rows = [
        chat("Where is my invoice?", "Under Billing > Invoices.", escalate if i < 95 else SYSTEM_SUPPORT, i, "train")
        for i in range(100)
    ]
    check = FieldImbalanceCheck(ctx({"DS408": {"fields": ["/messages/0/content"]}}))
    state = fold(check, rows)
    (finding,) = check.finalize(state)
    dumped = finding.message + json.dumps(check.stats(state))
    assert "jane.doe@example.com" not in dumped and "j***@e***.com" in dumped


# --- stats -----------------------------------------------------------------------------------


def test_label_stats_per_split_with_drift_from_train() -> None:
    rows = intents({"card_arrival": 30, "report_fraud": 10}, "train") + intents({"card_arrival": 10, "report_fraud": 10}, "test")
    check = LabelDistributionCheck()
    stats = check.stats(fold(check, rows))
    assert stats["splits"] == {
        "test": {"records": 20, "labelled": 20, "labels": {"card_arrival": 10, "report_fraud": 10}},
        "train": {"records": 40, "labelled": 40, "labels": {"card_arrival": 30, "report_fraud": 10}},
    }
    assert set(stats["drift_from_train"]["test"]) == {"jensen_shannon", "chi_square_p"}
    json.dumps(stats)  # JSON values only


# --- end to end ------------------------------------------------------------------------------


def test_cli_reports_split_findings_and_label_stats_identically_for_any_jobs(cli, tmp_path) -> None:  # noqa: ANN001
    rows = [{"text": t, "label": label} for label, texts in INTENTS.items() for t in texts for _ in range(20)]
    write_jsonl(tmp_path / "data" / "train.jsonl", rows)
    unseen = {"text": "I want a refund for my last top-up.", "label": "refund_request"}
    write_jsonl(tmp_path / "data" / "test.jsonl", [unseen, *rows[::10]])
    # `plugins` loads the families whether or not their entry points are registered yet.
    (tmp_path / "dslint.yaml").write_text(
        "plugins: [dslint.checks.imbalance, dslint.checks.labels]\n"
        "rules:\n  DS405: {expected-splits: [train, validation, test]}\n",
        encoding="utf-8",
    )
    reports = [cli("check", "data", "--select", "DS4", "--format", "json", "--jobs", jobs, "--allow-plugins", cwd=tmp_path) for jobs in ("1", "2")]
    assert reports[0].code == reports[1].code == 1, reports[0].err
    report = reports[0].json()
    assert report["findings"] == reports[1].json()["findings"]
    by_rule = {f["rule"]: f for f in report["findings"]}
    assert sorted(by_rule) == ["DS402", "DS403", "DS405", "DS407"]
    assert by_rule["DS403"]["location"] == {"file": "data/test.jsonl", "line": 1, "record": 0, "field": "/label", "split": "test"}
    assert report["summary"]["stats"]["labels"]["splits"]["train"]["labels"]["card_arrival"] == 60


# --- robustness ------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.fixed_dictionaries({}, optional={k: JSON for k in ("text", "label", "source", "messages")}), max_size=8),
    splits=st.lists(st.sampled_from(["train", "test", None]), min_size=8, max_size=8),
)
@pytest.mark.parametrize("fmt", ["classification", "openai-chat"])
def test_any_json_record_is_handled_without_raising(fmt: str, rows: list[dict], splits: list[str | None]) -> None:
    records = [record(data, fmt, i, split) for i, (data, split) in enumerate(zip(rows, splits))]
    for cls in CHECKS:
        check = cls(ctx({**STRICT, "DS408": {"fields": ["/source", "/messages/0/content", "/label"]}}))
        state = fold(check, records)
        list(check.finalize(state))
        json.dumps(check.stats(state))


# --- mergeability ----------------------------------------------------------------------------

LABELS = ["card_arrival", "top_up_failed", "report_fraud", "Card_Arrival", 3, True]
SPLITS = ["train", "train", "train", "validation", "test", None]


def mixed_dataset(seed: int) -> list[Record]:
    """Several files of intent rows and chats with sources, with uneven labels per split."""
    rng = random.Random(seed)
    rows = []
    for f in range(rng.randint(1, 4)):
        split = rng.choice(SPLITS)
        file = f"data/part-{f}.jsonl"
        weights = [rng.random() ** 3 for _ in LABELS]
        for i in range(rng.randint(0, 80)):
            label = rng.choices(LABELS, weights)[0]
            source = rng.choice(["app", "web", "app", "email"])
            data = {"text": rng.choice(INTENTS["card_arrival"]), "label": label, "source": source}
            if rng.random() < 0.1:
                data["label"] = [label, "report_fraud"]
            rows.append(Record(file=file, line=i + 1, index=i, data=data, split=split, format=make_format("classification")))
    return rows



STRICT = {
    "DS401": {"max-imbalance": 2},
    "DS402": {"min-count": 15, "min-share": 0.05},
    "DS404": {"min-records": 5, "max-distance": 0.05},
    "DS405": {"expected-splits": ["train", "validation", "test"]},
    "DS407": {"min-records": 60},
    "DS408": {"fields": ["/source", "/label"], "max-share": 0.4, "max-imbalance": 2},
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), cuts=st.lists(st.integers(0, 320), max_size=6), order_seed=st.integers(0, 10_000))
@pytest.mark.parametrize("check_cls", CHECKS, ids=lambda c: c.__name__)
def test_merge_is_associative_and_commutative(check_cls: type[DatasetCheck], seed: int, cuts: list[int], order_seed: int) -> None:
    check = check_cls(ctx(STRICT))
    records = mixed_dataset(seed)
    single, left, right, tree = merged_outputs(check, records, cuts, order_seed)
    assert left == right == tree == single


def test_merge_does_not_modify_its_inputs() -> None:
    records = mixed_dataset(7)
    for cls in CHECKS:
        check = cls(ctx(STRICT))
        a, b = fold(check, records[::2]), fold(check, records[1::2])
        before = outputs(check, a), outputs(check, b)
        check.merge(a, b)
        assert (outputs(check, a), outputs(check, b)) == before


def test_field_overflow_is_the_same_whichever_shard_overflows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(labels_fields, "VALUE_LIMIT", 5)
    check = FieldImbalanceCheck(ctx({"DS408": {"fields": ["/source"]}}))
    rows = [
        record({"text": "Where is my card?", "label": "card_arrival", "source": f"partner-{i % 8}"}, "classification", i, "train")
        for i in range(40)
    ]
    # Each half alone has 4 sources (a category); together they have 8 (not one).
    low, high = [r for r in rows if r.data["source"] < "partner-4"], [r for r in rows if r.data["source"] >= "partner-4"]
    halves = [fold(check, low), fold(check, high)]
    assert not halves[0]["/source", "train"].overflow
    merged = check.merge(*halves)
    assert merged["/source", "train"].overflow and check.merge(halves[1], halves[0])["/source", "train"].overflow
    assert check.stats(merged) == check.stats(fold(check, rows))
