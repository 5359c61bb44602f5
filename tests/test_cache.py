"""The per-file cache: a cached run reports exactly what an uncached one does (for any --jobs and
after any edit), only authenticated entries are trusted, and no cache file holds data in clear."""

from __future__ import annotations

import json
import os
import pickle
import random
import string
import threading
from pathlib import Path

import pytest
from conftest import CLEAN_CHATS, chat, write_jsonl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dslint.cache
import dslint.engine
from dslint.cache import CACHE_FOLDER, MAX_AGE_DAYS, FileCache, FileKey, user_key


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DSLINT_NO_CACHE")


def dataset(folder: Path, seed: int = 1, n: int = 40) -> list[Path]:
    """Train, validation and test files with duplicates, leaks, PII and broken lines."""
    rng = random.Random(seed)
    rows = [chat(f"How do I reset router {i}?", f"Hold the button for {i % 7 + 3} seconds. " * rng.randint(1, 3)) for i in range(n)]
    rows += rng.sample(CLEAN_CHATS, 2) + [rows[0], chat("Who do I ask?", "Mail ann.lee@northwind-mail.com or call +1 415 555 0199.")]
    train = write_jsonl(folder / "train.jsonl", rows)
    with open(train, "a") as fh:
        fh.write('{"messages": [\n')  # DS101
    validation = write_jsonl(folder / "validation.jsonl", [rows[3], chat("What is DNS?", "A name lookup service.")])
    test = write_jsonl(folder / "test.jsonl", [rows[5], chat("Where is the log?", "In /var/log/app.")])
    return [train, validation, test]


def report(cli, folder: Path, *args: str) -> tuple[dict, dict | None]:
    """The JSON report without its cache counts and the executor it names (-j2 is a pool), and
    those counts."""
    result = cli("check", ".", "--format", "json", "--select", "ALL", "--exit-zero", *args, cwd=folder)
    assert result.code == 0, result.err
    data = result.json()
    data["tool"].pop("executor")
    counts = data["summary"].pop("cache")
    return data, counts


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / CACHE_FOLDER).rglob("*") if p.is_file() and len(p.name) == 40)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_warm_runs_report_what_uncached_runs_do(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    dataset(tmp_path)
    monkeypatch.setattr(dslint.engine, "SHARD_MIN_BYTES", 1024)  # -j2 splits train.jsonl into shards
    uncached, counts = report(cli, tmp_path, "--no-cache", "--jobs", jobs)
    assert counts is None and not (tmp_path / CACHE_FOLDER).exists()
    cold, counts = report(cli, tmp_path, "--jobs", jobs)
    assert counts == {"hits": 0, "misses": 3}
    assert len(entries(tmp_path)) == 7  # per file (however many shards) its findings and its states; the run
    for warm_jobs in ("1", "2"):
        warm, counts = report(cli, tmp_path, "--jobs", warm_jobs)
        assert counts == {"hits": 3, "misses": 0}
        assert warm == cold == uncached
    assert {"DS101", "DS201", "DS301", "DS501"} <= {f["rule"] for f in uncached["findings"]}


def test_an_edited_file_is_read_again_and_the_others_are_not(cli, tmp_path: Path) -> None:
    train, validation, _ = dataset(tmp_path)
    report(cli, tmp_path)
    with open(validation, "a") as fh:
        fh.write(json.dumps(chat("How do I reset router 7?", "Ask support.")) + "\n")
    edited, counts = report(cli, tmp_path)
    assert counts == {"hits": 2, "misses": 1}
    assert edited == report(cli, tmp_path, "--no-cache")[0]
    assert len(entries(tmp_path)) == 7  # the edited file's entries (and the run's) were replaced, not added to
    # Same size, inode and modification time: the file changed too soon after its entry was
    # written for the time to tell (the racy window), so its content hash is checked.
    stat = train.stat()
    train.write_bytes(train.read_bytes().replace(b"router 1?", b"router X?"))
    os.utime(train, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    _, counts = report(cli, tmp_path)
    assert counts == {"hits": 2, "misses": 1}


def test_an_unchanged_rerun_loads_no_state_and_lost_states_mean_a_rescan(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, validation, _ = dataset(tmp_path)
    uncached, _ = report(cli, tmp_path, "--no-cache")
    report(cli, tmp_path)
    with monkeypatch.context() as patched:  # every file unchanged: the run's entry answers
        patched.setattr(FileCache, "states", lambda *_: pytest.fail("states loaded"))
        patched.setattr(dslint.engine, "finalize", lambda *_: pytest.fail("finalized again"))
        assert report(cli, tmp_path) == (uncached, {"hits": 3, "misses": 0})
    run_and_findings = set(entries(tmp_path))
    with monkeypatch.context() as patched:  # which entries hold states: those states() reads
        read: list[str] = []
        real = FileCache.states
        patched.setattr(FileCache, "states", lambda self, file, seen: read.append(self._name(file, "states")) or real(self, file, seen))
        with open(validation, "a") as fh:
            fh.write(json.dumps(chat("How do I reset router 7?", "Ask support.")) + "\n")
        edited, counts = report(cli, tmp_path)
    assert counts == {"hits": 2, "misses": 1} and edited == report(cli, tmp_path, "--no-cache")[0]
    states = [e for e in entries(tmp_path) if e.name in read and e in run_and_findings]
    assert len(states) == 2  # the two unchanged files' states, loaded to finalize with the edit
    for entry in states:
        entry.unlink()
    with open(validation, "a") as fh:
        fh.write(json.dumps(chat("Is it on?", "Yes.")) + "\n")
    again, counts = report(cli, tmp_path)
    assert counts == {"hits": 0, "misses": 3}  # states gone: those files are read again
    assert again == report(cli, tmp_path, "--no-cache")[0]


def test_options_invalidate_the_cache_and_policy_settings_do_not(cli, tmp_path: Path) -> None:
    dataset(tmp_path)
    config = tmp_path / "dslint.yaml"
    config.write_text("rules: {}\n")
    report(cli, tmp_path)
    config.write_text("rules:\n  DS201: {severity: info, max-count: 3}\nfail-on: warning\n")
    assert report(cli, tmp_path)[1] == {"hits": 3, "misses": 0}
    config.write_text("rules:\n  DS203: {threshold: 0.5}\n")
    assert report(cli, tmp_path)[1] == {"hits": 0, "misses": 3}
    assert report(cli, tmp_path, "--ignore", "DS203")[1] == {"hits": 0, "misses": 3}  # enabled rules are in the key
    (tmp_path / "test.jsonl").rename(tmp_path / "other.jsonl")  # the run's splits change leakage's work
    assert report(cli, tmp_path)[1] == {"hits": 0, "misses": 3}


class Boom:
    def __reduce__(self):
        return (Path("pwned").touch, ())


def test_forged_truncated_and_foreign_entries_are_ignored_and_rewritten(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dataset(tmp_path)
    reference, _ = report(cli, tmp_path)
    for n, entry in enumerate(entries(tmp_path)):  # findings', states' and the run's entries alike
        blob = entry.read_bytes()
        if n % 3 == 0:
            entry.write_bytes(pickle.dumps({"key": "x", "payload": Boom()}))  # a repository's own "entry"
        elif n % 3 == 1:
            entry.write_bytes(blob[:-100])  # truncated
        else:
            entry.write_bytes(blob[:40] + bytes([blob[40] ^ 1]) + blob[41:])  # one bit flipped
    result = cli("check", ".", "--format", "json", "--select", "ALL", "--exit-zero", cwd=tmp_path)
    assert not (tmp_path / "pwned").exists()
    assert result.json()["summary"]["cache"] == {"hits": 0, "misses": 3}
    assert result.err.count("warning:") == 1 and "cache entry" in result.err
    assert report(cli, tmp_path) == (reference, {"hits": 3, "misses": 0})  # rewritten
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))  # another key
    assert report(cli, tmp_path)[1] == {"hits": 0, "misses": 3}


def test_a_read_only_cache_folder_does_not_fail_the_run(cli, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes to read-only folders")
    dataset(tmp_path)
    (tmp_path / CACHE_FOLDER).mkdir()
    (tmp_path / CACHE_FOLDER).chmod(0o500)
    try:
        result = cli("check", ".", "--format", "json", "--select", "ALL", "--exit-zero", cwd=tmp_path)
    finally:
        (tmp_path / CACHE_FOLDER).chmod(0o700)
    assert result.code == 0 and result.err.count("warning:") == 1 and "not writable" in result.err
    data = result.json()
    data["summary"].pop("cache")
    data["tool"].pop("executor")
    assert data == report(cli, tmp_path, "--no-cache")[0]


def test_an_unwritable_cache_folder_does_not_fail_the_run(cli, tmp_path: Path) -> None:
    """Like a read-only folder, but also as root: the cache folder's place is taken by a file."""
    dataset(tmp_path)
    (tmp_path / "cache").write_text("not a folder")
    result = cli("check", ".", "--format", "json", "--select", "ALL", "--exit-zero", "--cache-dir", "cache", cwd=tmp_path)
    assert result.code == 0 and result.err.count("warning:") == 1 and "not writable" in result.err
    data = result.json()
    assert data["summary"].pop("cache") == {"hits": 0, "misses": 3}
    data["tool"].pop("executor")
    assert data == report(cli, tmp_path, "--no-cache")[0]


def test_the_folder_is_tagged_ignored_by_git_and_never_linted(cli, tmp_path: Path) -> None:
    dataset(tmp_path)
    report(cli, tmp_path)
    folder = tmp_path / CACHE_FOLDER
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    (folder / "stray.jsonl").write_text('{"text": "hi"}\n')
    data, _ = report(cli, tmp_path)
    assert data["summary"]["files"] == 3
    # A cache folder that is not hidden is passed over too: it carries CACHEDIR.TAG.
    cli("check", ".", "--cache-dir", "lint-cache", "--exit-zero", cwd=tmp_path)
    (tmp_path / "lint-cache" / "stray.jsonl").write_text('{"text": "hi"}\n')
    data, _ = report(cli, tmp_path, "--cache-dir", "lint-cache")
    assert data["summary"]["files"] == 3


def test_cache_dir_from_config_stays_in_its_folder(cli, tmp_path: Path) -> None:
    dataset(tmp_path)
    (tmp_path / "dslint.yaml").write_text("cache-dir: .cache/lint\n")
    assert report(cli, tmp_path)[1] == {"hits": 0, "misses": 3}
    assert len(list((tmp_path / ".cache" / "lint").rglob("*"))) > 3
    (tmp_path / "dslint.yaml").write_text("cache-dir: ../elsewhere\n")
    result = cli("check", ".", cwd=tmp_path)
    assert result.code == 2 and "cache-dir" in result.err and "inside the config's folder" in result.err
    assert not (tmp_path.parent / "elsewhere").exists()


def test_stdin_and_data_in_memory_are_never_cached(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(json.dumps(chat("a", "b")).encode() + b"\n")))
    result = cli("check", "-", "--format", "json", cwd=tmp_path)
    assert result.json()["summary"]["cache"] == {"hits": 0, "misses": 0}
    assert dslint.lint([chat("a", "b")]).summary.cache is None
    assert not (tmp_path / CACHE_FOLDER).exists()


def test_api_cache_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dataset(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert dslint.lint(".", cache=False).summary.cache is None
    assert dslint.lint(".").summary.cache.misses == 3
    assert dslint.lint(".").summary.cache.hits == 3


def test_concurrent_writers_leave_a_whole_entry(tmp_path: Path) -> None:
    data = tmp_path / "train.jsonl"
    data.write_text("{}\n")
    key = FileKey(data, "train.jsonl", "train.jsonl", "train", None)
    caches = [FileCache(tmp_path / CACHE_FOLDER, "run", user_key()) for _ in range(8)]
    seen = [c.lookup(key)[1] for c in caches]
    threads = [threading.Thread(target=c.store, args=(key, {"n": i, "blob": "x" * 200_000}, s)) for i, (c, s) in enumerate(zip(caches, seen))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reader = FileCache(tmp_path / CACHE_FOLDER, "run", user_key())
    payload, _ = reader.lookup(key)
    assert payload is not None and payload["blob"] == "x" * 200_000 and reader.warning is None
    assert [p.name for p in (tmp_path / CACHE_FOLDER).rglob(".tmp*")] == []
    other = FileCache(tmp_path / CACHE_FOLDER, "another run", user_key())
    assert other.lookup(key)[0] is None  # another run key: another entry name, nothing found


def test_a_large_entry_is_sealed_and_opened_in_chunks_as_one_aes_gcm_message(tmp_path: Path) -> None:
    """States of many megabytes are sealed as they are written and opened as they are read, a
    chunk at a time; the entry is still one AES-GCM message, which the one-shot decryption opens,
    its arrays come back, and a forged byte anywhere in it is refused."""
    import numpy as np
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from dslint.cache import MAGIC, NONCE_BYTES

    data = tmp_path / "train.jsonl"
    data.write_text("{}\n")
    key = FileKey(data, "train.jsonl", "train.jsonl", "train", None)
    cache = FileCache(tmp_path / CACHE_FOLDER, "run", user_key())
    states = [{"hay": np.arange(700_000, dtype=np.uint64), "rows": np.arange(5, dtype=np.int32), "text": "é"}]
    cache.store(key, {"n": 1}, cache.lookup(key)[1], states)
    reader = FileCache(tmp_path / CACHE_FOLDER, "run", user_key())
    payload, seen = reader.lookup(key)
    back = reader.states(key, seen)
    assert payload == {"n": 1} and back is not None and reader.warning is None
    assert np.array_equal(back[0]["hay"], states[0]["hay"]) and back[0]["text"] == "é"
    (entry,) = [e for e in entries(tmp_path) if e.stat().st_size > 5_000_000]
    blob = entry.read_bytes()
    prefix = len(MAGIC) + NONCE_BYTES
    plain = AESGCM(user_key()).decrypt(blob[len(MAGIC) : prefix], blob[prefix:], entry.name.encode())
    assert len(plain) > 5_600_000
    # Read back a chunk at a time too, so a byte changed past the first chunks is caught by the
    # tag, before anything of the entry is unpickled.
    forged = bytearray(blob)
    forged[len(blob) // 2] ^= 1
    entry.write_bytes(forged)
    forger = FileCache(tmp_path / CACHE_FOLDER, "run", user_key())
    seen = forger.lookup(key)[1]
    unpacked: list[int] = []
    unpack = dslint.cache.unpack
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dslint.cache, "unpack", lambda data: unpacked.append(len(data)) or unpack(data))
        assert forger.states(key, seen) is None and "ignored a cache entry" in (forger.warning or "")
    assert unpacked == []  # refused before unpickling
    # Cut short after its size was read (another run rewriting it in place): a miss, not a crash.
    entry.write_bytes(blob[:10])
    assert FileCache(tmp_path / CACHE_FOLDER, "run", user_key()).states(key, seen) is None


def test_unused_entries_are_pruned(cli, tmp_path: Path) -> None:
    dataset(tmp_path)
    report(cli, tmp_path)
    stale = entries(tmp_path)[0]
    old = tmp_path / CACHE_FOLDER / "v0.0.1" / ("0" * 40)  # another version's folder
    old.parent.mkdir()
    old.write_bytes(b"stale")
    long_ago = stale.stat().st_mtime - (MAX_AGE_DAYS + 1) * 86400
    for path in (old, stale):
        os.utime(path, (long_ago, long_ago))
    (tmp_path / "dslint.yaml").write_text("ignore: [DS203]\n")  # another key: the old entries go unused
    report(cli, tmp_path)
    assert not old.parent.exists() and not stale.exists()
    assert len(entries(tmp_path)) == 13  # 7 of each key, less the stale one


# --- no data in clear ---------------------------------------------------------------------------


def _secret(rng: random.Random) -> list[str]:
    token = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36))
    return [
        f"ghp_{token}",
        f"AKIA{''.join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))}",
        f"{''.join(rng.choice(string.ascii_lowercase) for _ in range(10))}.{rng.randint(100, 999)}@example.com",
        f"password={token[:20]}",
    ]


def test_no_cache_file_holds_a_planted_secret(cli, tmp_path: Path) -> None:
    rng = random.Random(13)
    planted = _secret(rng)
    rows = [chat(f"My key is {value}, keep it", f"Never share {value}.") for value in planted]
    rows += [{"text": "plain", "label": planted[2]}, {planted[0]: "as a key", "text": "x"}]
    write_jsonl(tmp_path / "train.jsonl", rows + [chat("same", "text")] * 3)
    write_jsonl(tmp_path / f"test-{planted[2]}.jsonl", rows[:2])  # in a file name and leaking
    cold, _ = report(cli, tmp_path)
    assert report(cli, tmp_path) == (cold, {"hits": 2, "misses": 0})
    blobs = [p.read_bytes().decode("latin-1").lower() for p in (tmp_path / CACHE_FOLDER).rglob("*") if p.is_file()]
    assert len(blobs) == 7  # findings and states of two files, the run's entry, CACHEDIR.TAG, .gitignore
    for value in planted:
        pieces = {value[i : i + 8].lower() for i in range(len(value) - 7)}
        assert not [p for p in pieces for blob in blobs if p in blob], value


# --- property: any small dataset, any edit ---------------------------------------------------------

TEXTS = ["hello there", "reset the router", "call 555 0100", "ann@example.org", "same text", "", "ünïcödé"]
record = st.one_of(
    st.builds(lambda u, a: chat(u, a), st.sampled_from(TEXTS), st.sampled_from(TEXTS)),
    st.builds(lambda t, label: {"text": t, "label": label}, st.sampled_from(TEXTS), st.sampled_from(["pos", "neg"])),
)
files = st.dictionaries(st.sampled_from(["train.jsonl", "train-2.jsonl", "validation.jsonl", "test.jsonl"]), st.lists(record, max_size=6), min_size=1, max_size=3)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=files, after=files, jobs=st.sampled_from(["1", "2"]))
def test_cached_and_uncached_runs_agree_after_any_edit(cli, tmp_path_factory: pytest.TempPathFactory, before, after, jobs) -> None:
    folder = tmp_path_factory.mktemp("prop")
    for name, rows in before.items():
        write_jsonl(folder / name, rows)
    assert report(cli, folder, "--jobs", jobs)[0] == report(cli, folder, "--no-cache")[0]
    for name in set(before) - set(after):
        (folder / name).unlink()
    for name, rows in after.items():
        write_jsonl(folder / name, rows)
    cached, counts = report(cli, folder, "--jobs", jobs)
    assert cached == report(cli, folder, "--no-cache")[0]
    assert counts["hits"] + counts["misses"] == len(after)


def test_the_rich_footer_says_how_many_files_came_from_the_cache(cli, tmp_path: Path) -> None:
    train, _, _ = dataset(tmp_path)
    cli("check", ".", "--exit-zero", cwd=tmp_path)
    with open(train, "a") as fh:
        fh.write(json.dumps(chat("One more?", "Yes.")) + "\n")
    out = cli("check", ".", "--format", "rich", "--exit-zero", cwd=tmp_path).out
    footer = " ".join(out[out.rindex("FAILED") :].split())  # the verdict line, as wrapped at 100 columns
    assert footer.endswith("in 3 files, 49 records; 2 of 3 files from the cache")
    assert "from the cache" not in cli("check", ".", "--format", "rich", "--exit-zero", "--no-cache", cwd=tmp_path).out


def test_a_changed_benchmark_file_invalidates_the_cache(cli, tmp_path: Path) -> None:
    dataset(tmp_path)
    bench = tmp_path / "benchmarks"
    write_jsonl(bench / "quiz.jsonl", [chat("What is DNS?", "A name lookup service.")])
    (tmp_path / "dslint.yaml").write_text("exclude: [benchmarks/]\nrules:\n  DS304: {against: [benchmarks]}\n")
    first, counts = report(cli, tmp_path)
    assert counts == {"hits": 0, "misses": 3}
    assert report(cli, tmp_path)[1] == {"hits": 3, "misses": 0}
    write_jsonl(bench / "more.jsonl", [chat("How do I reset router 2?", "Hold the button for 5 seconds. ")])
    second, counts = report(cli, tmp_path)
    assert counts == {"hits": 0, "misses": 3}
    assert second == report(cli, tmp_path, "--no-cache")[0]
