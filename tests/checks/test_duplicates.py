"""The duplicates family (DS201-DS204): exact, normalised and near-duplicates, conflicting outputs,
scopes, options, statistics, and order- and shard-independence of the findings."""

from __future__ import annotations

import random
from typing import Any

import pytest
from harness import merged_outputs, options_context, related, where
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from dslint.batch import Batch
from dslint.check import DOC_SECTIONS, CheckContext
from dslint.checks._shared import tables
from dslint.checks.duplicates.check import CHECKS, DuplicatesCheck
from dslint.checks.duplicates.rules import DUPLICATE_RULES, NEAR_DUPLICATE
from dslint.finding import Finding
from dslint.formats import make_format
from dslint.record import Record

RULES = {r.code: r for r in DUPLICATE_RULES}
SYSTEM = "You are a helpful assistant for Cloudbox, a file storage service. Answer briefly and politely."

RESET = (
    "To reset your password, open Settings, choose Security and click Reset password. We email you a link that "
    "stays valid for thirty minutes. If it does not arrive, check the spam folder, make sure the address on your "
    "account is current, and ask your workspace admin to resend the invitation if you joined through a team plan."
)
QUOTA = (
    "Each workspace on the Team plan has 5 TB of shared storage. When you reach 90 percent, admins get an email; "
    "at 100 percent uploads pause until files are deleted or the plan is upgraded. Version history and the trash "
    "count towards the quota, so emptying the trash is the quickest way to free space."
)
SYNC = (
    "If the desktop client stops syncing, quit it from the tray icon, make sure you are on version 4.2 or later, "
    "and start it again. Files with names longer than 255 characters or containing a colon are skipped on Windows; "
    "the activity panel lists every skipped file with the reason."
)


def chat(user: str, assistant: str, system: str | None = SYSTEM, **extra: Any) -> dict:
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return {"messages": messages, **extra}


def records(rows: list[dict], fmt: str = "openai-chat", file: str = "data/train.jsonl", split: str | None = "train", start: int = 0) -> list[Record]:
    f = make_format(fmt)
    return [Record(file=file, line=start + i + 1, index=start + i, data=d, split=split, format=f) for i, d in enumerate(rows)]



def context(options: dict | None = None, enabled: set[str] | None = None) -> CheckContext:
    return options_context(RULES, options, enabled)


def run(recs: list[Record], ctx: CheckContext | None = None) -> tuple[list[Finding], dict]:
    check = DuplicatesCheck(ctx or context())
    state = check.init()
    for r in recs:
        state = check.update(state, r)
    return sorted(check.finalize(state), key=Finding.sort_key), dict(check.stats(state))




def edit(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    return text


# --- DS201 / DS202 -------------------------------------------------------------------------


def test_exact_copies_are_reported_on_every_member_but_the_root() -> None:
    rows = [chat("How do I reset my password?", RESET), chat("What is the storage quota?", QUOTA)]
    rows += [rows[0], chat("Why did sync stop?", SYNC), rows[0]]
    findings, _ = run(records(rows))
    assert [where(f) for f in findings] == [("DS201", "data/train.jsonl", 2), ("DS201", "data/train.jsonl", 4)]
    for f in findings:
        assert related(f) == [("data/train.jsonl", 0)]
        assert f.metrics["cluster"] == "data/train.jsonl:1"
        assert f.metrics["cluster_size"] == 3
        assert "data/train.jsonl:1" in f.message
        assert "reset" not in f.message.lower()  # no record text in messages
    # identical records have identical fingerprints (a baseline counts them as a multiset)
    assert findings[0].fingerprint == findings[1].fingerprint


def test_key_order_and_whitespace_of_the_json_do_not_matter_but_values_do() -> None:
    a = {"instruction": "Name the largest planet.", "input": "", "output": "Jupiter."}
    b = {"output": "Jupiter.", "input": "", "instruction": "Name the largest planet."}
    c = {"instruction": "Name the largest planet.", "input": "", "output": "Saturn."}
    findings, _ = run(records([a, b, c], "alpaca"))
    assert [where(f) for f in findings] == [("DS201", "data/train.jsonl", 1), ("DS204", "data/train.jsonl", 2)]


def test_normalised_copies_differ_in_case_punctuation_and_metadata() -> None:
    rows = [
        {"id": "a1", "instruction": "Name the largest planet in the Solar System.", "output": "Jupiter."},
        {"id": "b7", "instruction": "name the largest planet in the solar system", "output": "Jupiter"},
        {"id": "b7", "instruction": "name the largest planet in the solar system", "output": "Jupiter"},
        {"id": "c3", "instruction": "Name the smallest planet in the Solar System.", "output": "Mercury."},
    ]
    findings, _ = run(records(rows, "alpaca"))
    assert [where(f) for f in findings] == [("DS202", "data/train.jsonl", 1), ("DS201", "data/train.jsonl", 2)]
    ds202, ds201 = findings
    assert related(ds202) == [("data/train.jsonl", 0)] and ds202.metrics["cluster_size"] == 3
    assert related(ds201) == [("data/train.jsonl", 1)]  # the exact copy names its own root


def test_roles_and_labels_are_part_of_the_normalised_text() -> None:
    swapped = chat(RESET, "How do I reset my password?")
    rows = [chat("How do I reset my password?", RESET), swapped]
    findings, _ = run(records(rows), context(enabled={"DS202"}))
    assert findings == []
    reviews = [
        {"text": "The battery lasts two full days, great value.", "label": "positive"},
        {"text": "The battery lasts two full days; great value!", "label": "negative"},
        {"text": "the battery lasts two full days great value", "label": "positive"},
    ]
    findings, _ = run(records(reviews, "classification"))
    # the text of the negative review is a copy (near-duplicate at 1.0), the record is not
    assert [where(f) for f in findings] == [("DS203", "data/train.jsonl", 1), ("DS202", "data/train.jsonl", 2)]
    assert findings[0].metrics["similarity"] == 1.0
    assert related(findings[1]) == [("data/train.jsonl", 0)]


def test_a_disabled_stronger_rule_leaves_the_record_to_the_next_one() -> None:
    rows = [chat("How do I reset my password?", RESET)] * 2
    findings, _ = run(records(rows), context(enabled={"DS202", "DS203"}))
    assert [where(f) for f in findings] == [("DS202", "data/train.jsonl", 1)]
    findings, _ = run(records(rows), context(enabled={"DS203"}))
    assert [where(f) for f in findings] == [("DS203", "data/train.jsonl", 1)]
    assert findings[0].metrics["similarity"] == 1.0


# --- DS203 ---------------------------------------------------------------------------------


def test_near_duplicates_are_clustered_and_verified() -> None:
    long_reset = RESET + " " + QUOTA
    rows = [
        chat("How do I reset my password?", long_reset),
        chat("What is the storage quota?", SYNC),
        chat("How can I reset my password?", edit(long_reset, {"thirty minutes": "an hour"})),
        chat("How do I reset my password?", edit(long_reset, {"Settings": "Preferences", "90 percent": "80 percent"})),
        chat("Password reset?", edit(long_reset, {"spam folder": "junk folder", "Version history": "Old versions", "Team plan": "Business plan", "quickest way": "fastest route", "admins get": "owners receive"})),
    ]
    findings, stats = run(records(rows), context(enabled={"DS201", "DS202", "DS203"}))
    assert [where(f) for f in findings] == [("DS203", "data/train.jsonl", 2), ("DS203", "data/train.jsonl", 3)]
    for f in findings:
        assert f.metrics["cluster"] == "data/train.jsonl:1"
        assert f.metrics["cluster_size"] == 3
        assert 0.8 <= f.metrics["similarity"] <= 1
        assert f.metrics["threshold"] == 0.8
        assert related(f)[0] == ("data/train.jsonl", 0)
        assert "estimated Jaccard" in f.message
    near = stats["near_duplicates"]
    assert (near["threshold"], near["shingle"], near["shingle_size"], near["num_perm"]) == (0.8, "word", 5, 128)
    assert (near["bands"], near["rows"], near["seed"]) == (21, 6, 1)
    assert "estimated" in near["verification"]


def test_a_chained_member_names_its_root_and_the_member_it_matched() -> None:
    a = RESET + " " + QUOTA + " " + SYNC
    b = edit(a, {"Security": "Privacy", "workspace admin": "workspace owner"})  # Jaccard(a, b) = 0.88
    c = edit(b, {"desktop client": "desktop app", "activity panel": "activity list"})  # (b, c) 0.88, (a, c) 0.78
    rows = [chat("Sync help", a), chat("Sync help", b), chat("Sync help", c)]
    findings, _ = run(records(rows), context(enabled={"DS203"}))
    assert [where(f) for f in findings] == [("DS203", "data/train.jsonl", 1), ("DS203", "data/train.jsonl", 2)]
    second, third = findings
    # each names the cluster root, then its best match when that is another member
    assert related(second) == [("data/train.jsonl", 0), ("data/train.jsonl", 2)]
    assert related(third) == [("data/train.jsonl", 0), ("data/train.jsonl", 1)]  # root, then the match
    assert third.metrics["cluster_size"] == 3
    assert third.metrics["root_similarity"] < 0.8 <= third.metrics["similarity"]
    assert "near-duplicate of data/train.jsonl:2" in third.message


def test_a_shared_long_system_prompt_does_not_make_records_near_duplicates() -> None:
    system = " ".join([SYSTEM, RESET, QUOTA, SYNC])  # a 150-word system prompt on every record
    rows = [
        chat("Where can I download my invoices?", "Under Billing, then Invoices; each one has a PDF link.", system),
        chat("Can I share a folder with a guest?", "Yes: open the folder, click Share and enter the guest's email.", system),
        chat("Is there a mobile app?", "Yes, for iOS and Android; search for Cloudbox in the store.", system),
    ]
    findings, _ = run(records(rows))
    assert findings == []


def test_char_shingles_and_threshold_are_configurable() -> None:
    question = "Which city is the capital of Australia?"
    rows = [
        chat(question, "The capital of Australia is Canberra, a planned city."),
        chat(question, "The capital of Australia is Canberra, a planed city."),  # one typo
    ]
    # a typo changes five word 5-grams (Jaccard 0.71) but only four character 4-grams (0.92)
    assert run(records(rows), context(enabled={"DS203"}))[0] == []
    findings, stats = run(records(rows), context({"DS203": {"shingle": "char", "shingle-size": 4}}, enabled={"DS203"}))
    assert [where(f) for f in findings] == [("DS203", "data/train.jsonl", 1)]
    assert stats["near_duplicates"]["shingle"] == "char" and stats["near_duplicates"]["shingle_size"] == 4
    findings, _ = run(records(rows), context({"DS203": {"shingle": "char", "shingle-size": 4, "threshold": 0.97}}, enabled={"DS203"}))
    assert findings == []
    findings, _ = run(records(rows), context({"DS203": {"threshold": 0.6}}, enabled={"DS203"}))
    assert [where(f) for f in findings] == [("DS203", "data/train.jsonl", 1)]


def test_minhash_options_are_validated() -> None:
    with pytest.raises(ValidationError, match="bands"):
        NEAR_DUPLICATE.options.model_validate({"bands": 20})
    with pytest.raises(ValidationError, match="exceeds num-perm"):
        NEAR_DUPLICATE.options.model_validate({"bands": 20, "rows": 8, "num-perm": 128})
    with pytest.raises(ValidationError):
        NEAR_DUPLICATE.options.model_validate({"threshold": 1.5})
    with pytest.raises(ValidationError):
        NEAR_DUPLICATE.options.model_validate({"shingle_sise": 3})
    opts = NEAR_DUPLICATE.options.model_validate({"bands": 16, "rows": 8, "num-perm": 128, "scope": "dataset"})
    assert (opts.bands, opts.rows, opts.scope) == (16, 8, "dataset")


def test_explicit_banding_is_used_and_recorded() -> None:
    answer = QUOTA + " " + SYNC
    rows = [chat("Quota?", answer), chat("Quota?", edit(answer, {"5 TB": "10 TB"}))]
    findings, stats = run(records(rows), context({"DS203": {"bands": 16, "rows": 8}}, enabled={"DS203"}))
    assert [where(f) for f in findings] == [("DS203", "data/train.jsonl", 1)]
    assert (stats["near_duplicates"]["bands"], stats["near_duplicates"]["rows"]) == (16, 8)


# --- DS204 ---------------------------------------------------------------------------------


def test_one_input_with_different_outputs_is_reported_after_the_first() -> None:
    rows = [
        {"instruction": "What is the capital of Australia?", "input": "", "output": "Canberra."},
        {"instruction": "What is the capital of Australia?", "input": "", "output": "Sydney."},
        {"instruction": "what is the capital of australia", "input": "", "output": "canberra"},
        {"instruction": "What is the capital of Australia?", "input": "", "output": "Melbourne."},
    ]
    findings, _ = run(records(rows, "alpaca"), context(enabled={"DS204"}))
    assert [where(f) for f in findings] == [("DS204", "data/train.jsonl", 1), ("DS204", "data/train.jsonl", 3)]
    for f in findings:
        assert related(f) == [("data/train.jsonl", 0)]
        assert f.metrics == {"outputs": 3, "records_with_input": 4}


def test_different_system_prompts_make_different_inputs() -> None:
    rows = [chat("Translate 'thank you'.", "Danke.", "Translate into German."), chat("Translate 'thank you'.", "Merci.", "Translate into French.")]
    findings, _ = run(records(rows))
    assert findings == []


def test_preference_pairs_and_classification_rows_have_no_conflicts() -> None:
    prompt = "Write a haiku about autumn."
    pairs = [
        {"prompt": prompt, "chosen": "Red leaves drift and fall / the maple lets go gently / the wind keeps them all", "rejected": "Autumn is a season."},
        {"prompt": prompt, "chosen": "Crisp air, shorter days / geese trace a line to the south / the porch light comes on", "rejected": "Leaves fall in autumn."},
    ]
    findings, _ = run(records(pairs, "preference"))
    assert findings == []
    labels = [{"text": "Where is my parcel?", "label": "track_order"}, {"text": "Where is my parcel?", "label": "delivery_delay"}]
    findings, _ = run(records(labels, "classification"), context(enabled={"DS204"}))
    assert findings == []


# --- scope ---------------------------------------------------------------------------------


def test_scope_decides_which_copies_are_compared() -> None:
    row = chat("How do I reset my password?", RESET)
    recs = (
        records([row, chat("Quota?", QUOTA)], file="data/train-00000.jsonl")
        + records([row], file="data/train-00001.jsonl")
        + records([row], file="data/test.jsonl", split="test")
    )
    by_scope = {}
    for scope in ("file", "split", "dataset"):
        findings, stats = run(recs, context({"DS201": {"scope": scope}}, enabled={"DS201"}))
        by_scope[scope] = [(f.location.file, f.location.record) for f in findings if f.location]
        assert stats["scope"]["DS201"] == scope
    assert by_scope["file"] == []
    assert by_scope["split"] == [("data/train-00001.jsonl", 0)]  # shards of one split are one set
    # the root is the smallest (file, record): data/test.jsonl sorts first
    assert by_scope["dataset"] == [("data/train-00000.jsonl", 0), ("data/train-00001.jsonl", 0)]


def test_files_without_a_split_form_one_group() -> None:
    row = chat("How do I reset my password?", RESET)
    recs = records([row], file="a.jsonl", split=None) + records([row], file="b.jsonl", split=None)
    findings, stats = run(recs)
    assert [where(f) for f in findings] == [("DS201", "b.jsonl", 0)]
    assert stats["splits"]["(unsplit)"]["exact_duplicates"] == 1


# --- statistics, skipping, determinism ------------------------------------------------------


def test_stats_give_duplicate_rates_per_split_and_the_largest_clusters() -> None:
    reset, quota, sync = chat("Reset?", RESET), chat("Quota?", QUOTA), chat("Sync?", SYNC)
    train = [reset, reset, reset, quota, chat("reset", RESET), chat("Reset?", edit(RESET, {"thirty minutes": "one hour"})), sync, quota]
    test = [sync, chat("Invoices?", "Under Billing, then Invoices.")]
    _, stats = run(records(train) + records(test, file="data/test.jsonl", split="test"))
    assert list(stats["splits"]) == ["train", "test"]
    assert stats["splits"]["train"] == {
        "records": 8,
        "exact_duplicates": 3,
        "normalized_duplicates": 1,
        "near_duplicates": 1,
        "duplicate_rate": 0.625,
    }
    assert stats["splits"]["test"]["duplicate_rate"] == 0.0
    assert stats["largest_clusters"][0] == {"cluster": "data/train.jsonl:1", "split": "train", "size": 5}
    assert stats["largest_clusters"][1]["size"] == 2
    assert stats["clusters_kind"] == "near"


def test_without_near_duplicates_no_signatures_are_computed() -> None:
    rows = [chat("Reset?", RESET), chat("Reset?", edit(RESET, {"thirty minutes": "one hour"}))]
    check = DuplicatesCheck(context(enabled={"DS201", "DS202"}))
    state = check.init()
    for r in records(rows):
        state = check.update(state, r)
    assert list(check.finalize(state)) == []
    assert all(c.sigs is None for c in state.table.chunks)
    stats = check.stats(state)
    assert "near_duplicates" not in stats and "near_duplicates" not in stats["splits"]["train"]


def test_batch_views_are_the_per_record_views() -> None:
    """A batch normalises its texts together (NUL-separated, ASCII apart): the views must be
    those of one record at a time, whatever the texts hold."""
    chats = [
        chat("  Hello,   WORLD!! ", "Fine. Thanks."),
        chat("Naïve café? ＡＢＣ", "Straße"),
        chat("a\x00b", " ... "),
        {"messages": []},
        chat("", "!!", system=None),
        chat("x_y\tz\n", "Ok", system="  "),
    ]
    pairs = [{"prompt": "Pick one:", "chosen": "A, clearly.", "rejected": "B?"}, {"prompt": "É", "chosen": "", "rejected": " "}]
    labels = [{"text": "Where is my parcel?", "label": "track_order"}, {"text": "", "label": 3}]
    for recs in (records(chats), records(chats[:2]), records(pairs, "preference"), records(labels, "classification")):
        assert tables.batch_views(Batch(recs)) == [tables.view_of(r) for r in recs]


def test_records_without_text_fields_are_skipped() -> None:
    rows = [{"messages": "not a list"}, {"messages": "not a list"}, {"messages": []}, {"messages": []}]
    findings, stats = run(records(rows))
    assert findings == [] and stats == {}


def test_findings_do_not_depend_on_record_order() -> None:
    base = records(dataset_rows(3))
    expected = summary(run(base)[0])
    assert expected
    shuffled = base[:]
    random.Random(4).shuffle(shuffled)
    assert summary(run(shuffled)[0]) == expected


def test_rule_metadata() -> None:
    assert CHECKS == [DuplicatesCheck]
    assert [r.code for r in DuplicatesCheck.rules] == ["DS201", "DS202", "DS203", "DS204"]
    for rule in DUPLICATE_RULES:
        assert rule.family == "duplicates" and rule.summary.endswith(".")
        positions = [rule.docs.index(f"{s}:") for s in DOC_SECTIONS]
        assert positions == sorted(positions)
        rule.options()  # every option has a default


# --- shard merging ----------------------------------------------------------------------------

TOPICS = [
    ("How do I reset my password?", RESET),
    ("What is the storage quota?", QUOTA),
    ("Why did the desktop client stop syncing?", SYNC),
    ("Where are my invoices?", "Open Billing, then Invoices. Every invoice has a PDF link and the payment method used."),
    ("Can I restore a deleted file?", "Yes, from the trash within 30 days: select the file and click Restore. After that, contact support."),
]
EDITS = [{"thirty minutes": "an hour"}, {"5 TB": "10 TB"}, {"4.2": "4.3", "colon": "question mark"}, {"PDF link": "download button"}, {"30 days": "60 days"}]


def dataset_rows(seed: int) -> list[dict]:
    """Chat records with copies, normalised copies, near-duplicates and conflicting answers."""
    rng = random.Random(seed)
    rows = []
    for _ in range(30):
        k = rng.randrange(len(TOPICS))
        question, answer = TOPICS[k]
        roll = rng.random()
        if roll < 0.3:
            rows.append(chat(question, answer))
        elif roll < 0.45:
            rows.append(chat(question.upper(), answer + " "))
        elif roll < 0.7:
            rows.append(chat(question, edit(answer, EDITS[k]) if all(o in answer for o in EDITS[k]) else answer + " Thanks!"))
        elif roll < 0.8:
            rows.append(chat(question, "I'm not sure, please contact support."))
        else:
            rows.append(chat(f"{question} (ticket {rng.randrange(10_000)})", f"Ticket {rng.randrange(10_000)} is closed."))
    return rows


def summary(findings: list[Finding]) -> list[tuple]:
    return [
        (f.rule, f.location.file if f.location else None, f.location.record if f.location else None, f.message,
         f.fingerprint, tuple(sorted(f.metrics.items())), tuple(related(f)))
        for f in sorted(findings, key=Finding.sort_key)
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 1000),
    cuts=st.lists(st.integers(0, 60), max_size=5),
    order_seed=st.integers(0, 10_000),
    flush=st.sampled_from([3, 7, 2048]),
    scope=st.sampled_from(["file", "split", "dataset"]),
)
def test_merging_shards_in_any_order_gives_the_single_pass_result(seed: int, cuts: list[int], order_seed: int, flush: int, scope: str) -> None:
    recs = records(dataset_rows(seed), file="data/train-00000.jsonl") + records(dataset_rows(seed + 1), file="data/train-00001.jsonl")
    recs += records(dataset_rows(seed + 2)[:12], file="data/validation.jsonl", split="validation")
    ctx = context({code: {"scope": scope} for code in RULES})
    check = DuplicatesCheck(ctx)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tables, "FLUSH_ROWS", flush)
        single, *merged = merged_outputs(check, recs, cuts, order_seed)
    assert single[0]
    assert merged == [single] * 3
