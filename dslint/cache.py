"""The per-file cache: each file's record findings and dataset-check states, so a re-run on
unchanged files only merges and finalizes.

Where: ``.dslint_cache/`` next to the config (``cache-dir`` in config, ``--cache-dir``), one
folder per dslint version, holding ``CACHEDIR.TAG`` and a ``.gitignore`` of ``*``. One entry per
file (its shards merged, so ``--jobs`` never changes an entry), named by a hash of the run's key
and the file's path; inside, the file's content hash (xxh3-128), checked on every hit.

The run's key (``run_key``) covers everything that changes what a file yields: dslint's version and
source, the plugin set (each check class's module and the hash of its file), YAML pack rules, the
enabled rules and their validated options, the content of files named in options (benchmarks,
tokenizers), each dataset check's ``state_version``, the splits in the run, ``fields``, the reader's
record limit, and outside inputs (``unicodedata.unidata_version``, library versions). Severities,
budgets, ignores, baselines and diff bases are left out: the policy runs after the cache.

Layout: a file's entry holds what a re-run always needs (summary and findings); its dataset-check
states, which can be far larger (signatures, n-grams), are in an entry of their own, bound to it by
a random tag. One more entry per set of files (``run entry``) keeps the last finished run's dataset
findings and stats with the contents and tags it came from, so a re-run on unchanged files loads
no state and neither merges nor finalizes: it reads one small entry per file, and that one.

Trust: the folder sits in a repository being scanned, which is untrusted. Every entry is sealed
with AES-GCM (authenticated encryption) under a per-user key kept outside the repository
(``$XDG_CACHE_HOME/dslint/key``, else ``~/.cache/dslint/key``, created 0600 on first use) and
bound to its entry name; only an entry that authenticates is unpickled. Anything else (corrupt,
truncated, foreign, forged, from another key) counts as a miss and is rewritten. Being encrypted,
entries carry no readable data either (findings are stored redacted besides). Writes go through a
temporary file and a rename, so concurrent runs only ever see whole entries.

Pruning: an entry is rewritten in place when its file changes (the name does not depend on the
content), and entries not used for ``MAX_AGE_DAYS`` days are deleted, as are other versions' folders
that old. Clearing the cache is deleting the folder.
"""

from __future__ import annotations

import glob
import hashlib
import importlib.metadata
import json
import os
import re
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import xxhash
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

import dslint
from dslint import __version__
from dslint.atomic import open_atomic, write_atomic
from dslint.cache_blob import pieces, unpack
from dslint.config import LoadedConfig
from dslint.paths import resolve_from
from dslint.policy import Policy
from dslint.registry import Registry
from dslint.yamlpos import ConfigError

CACHE_FOLDER = ".dslint_cache"
NO_CACHE_ENV = "DSLINT_NO_CACHE"  # set to 1 (true, yes): no run uses the cache, as with --no-cache
MAX_AGE_DAYS = 30
MAGIC = b"dslint-cache\x002\n"
NONCE_BYTES = 12
_CHUNK_BYTES = 1 << 20  # sealed and written at a time
TAG_BYTES = 16  # AES-GCM's authentication tag
KEY_BYTES = 32
# Results that depend on these libraries' data or code (ftfy: mojibake, phonenumbers: PII, ...).
LIBRARIES = ("ftfy", "numpy", "phonenumbers", "py3langid", "scikit-learn", "scipy", "tiktoken", "tokenizers", "xxhash")
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by dslint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
_ENTRY_NAME = re.compile(r"[0-9a-f]{40}")
_RACY_NS = 2_000_000_000  # a file modified this close to its entry's writing is re-hashed anyway


def disabled_by_env() -> bool:
    return os.environ.get(NO_CACHE_ENV, "").strip().lower() in ("1", "true", "yes")


def file_digest(path: Path) -> str:
    """The content hash of a file, read in blocks."""
    h = xxhash.xxh3_128()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def user_key() -> bytes:
    """The per-user secret that seals entries, created on first use; OSError when it cannot be."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "dslint" / "key"
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".key.", dir=path.parent)  # mode 0600
        try:
            os.write(fd, os.urandom(KEY_BYTES))
            os.close(fd)
            try:
                os.link(tmp, path)  # create-if-absent: two first runs agree on one key
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
        key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise OSError(f"{path} is not a dslint cache key ({len(key)} bytes); delete it to make a new one")
    return key


def run_key(parts: dict[str, Any]) -> str:
    """A hash of the run's inputs, given as JSON values (see ``key_parts``)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def key_parts(
    check_classes: Iterable[type],
    enabled: Iterable[str],
    options: dict[str, Any],
    packs: list[Any],
    option_paths: Callable[[str], str],
    **settings: Any,
) -> dict[str, Any]:
    """What goes into the run's key. ``options`` maps each enabled rule to its validated options as
    JSON; a string option naming files (resolved by ``option_paths``: a file, a folder or a glob,
    like ``against:`` benchmarks or a ``tokenizer.json``) adds their names and content hashes;
    ``settings`` are the reader and run settings (fields, record limit, splits)."""
    named_files = {value: digest for value in _strings(options) if (digest := _named_digest(option_paths(value)))}
    return {
        "dslint": __version__,
        "source": _package_digest(),
        "unidata": unicodedata.unidata_version,
        "python": sys.version_info[:2],
        "libraries": {name: _version(name) for name in LIBRARIES},
        "checks": [_class_id(cls) for cls in check_classes],
        "state_versions": {cls.__qualname__: getattr(cls, "state_version", None) for cls in check_classes},
        "enabled": sorted(enabled),
        "options": options,
        "packs": packs,
        "named_files": named_files,
        "settings": settings,
    }


def _named_digest(value: str) -> str | None:
    """A hash of the names and contents of the files ``value`` names, or None if it names none."""
    path = Path(value)
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
    elif any(c in value for c in "*?["):
        files = sorted(p for p in map(Path, glob.glob(value, recursive=True)) if p.is_file())
    else:
        return None
    h = xxhash.xxh3_128()
    for file in files:
        h.update(file.as_posix().encode("utf-8", "surrogatepass") + b"\0" + file_digest(file).encode())
    return h.hexdigest()


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _class_id(cls: type) -> str:
    """A check class and the hash of its module's file (local plugins change without a version)."""
    module = sys.modules.get(cls.__module__)
    file = getattr(module, "__file__", None)
    digest = file_digest(Path(file)) if file and os.path.isfile(file) else ""
    return f"{cls.__module__}:{cls.__qualname__}:{digest}"


_package: list[str] = []


def _package_digest() -> str:
    """A hash of dslint's own source files: an edited checkout invalidates its cache."""
    if not _package:
        h = xxhash.xxh3_128()
        root = Path(dslint.__file__).parent
        for path in sorted(root.rglob("*.py")):
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(path.read_bytes())
        _package.append(h.hexdigest())
    return _package[0]


@dataclass(frozen=True)
class FileKey:
    """One file of the run: where it is and how it is read (its path, as shown and from the root)."""

    path: Path
    display: str
    root_path: str
    split: str | None
    format_name: str | None


@dataclass
class Seen:
    """A file's (size, mtime, inode) before it was read, its content hash once computed, and on
    a hit the tag of its states' entry."""

    stat: tuple[int, int, int] | None
    digest: str | None = None
    tag: str | None = None


class FileCache:
    """Entries of one run key in one cache folder; counts hits and misses."""

    def __init__(self, folder: Path, key: str, secret: bytes) -> None:
        self.folder = folder
        self.entries = folder / _version_folder()
        self.key = key
        self._secret = secret
        self.hits = 0
        self.misses = 0
        self.warning: str | None = None  # the first problem met, said once by the caller
        self._writable = True

    def _name(self, file: FileKey, part: str = "file") -> str:
        return _entry_name([self.key, part, *_ident(file)])

    def _run_name(self, files: Sequence[FileKey]) -> str:
        return _entry_name([self.key, "run", [_ident(f) for f in files]])

    def _read(self, name: str) -> dict[str, Any] | None:
        """The entry's content, or None when there is none or it is not to be trusted."""
        try:
            with open(self.entries / name, "rb") as f:
                plain = self._opened(name, f)
        except OSError:  # no entry yet (or an unreadable folder)
            return None
        if plain is None:
            return self._bad(name)
        try:  # authenticated: written by dslint with this user's key, so unpickling is safe
            stored = unpack(plain)
        except Exception:  # an entry of an older layout under the same key
            return self._bad(name)
        return stored if isinstance(stored, dict) and stored.get("key") == self.key else None

    def _opened(self, name: str, f: BinaryIO) -> memoryview | None:
        """The entry's content if it authenticates under this user's key and this run's key,
        decrypted a chunk at a time into the one buffer its arrays will be views of (no copy of
        the sealed entry is held); nothing of it is used before its tag is checked."""
        size = os.fstat(f.fileno()).st_size
        prefix = len(MAGIC) + NONCE_BYTES
        head = f.read(prefix)
        if len(head) != prefix or not head.startswith(MAGIC) or size < prefix + TAG_BYTES:
            return None
        body = size - prefix - TAG_BYTES
        f.seek(size - TAG_BYTES)
        tag = f.read(TAG_BYTES)
        f.seek(prefix)
        if len(tag) != TAG_BYTES:  # cut short since its size was read
            return None
        opener = Cipher(algorithms.AES(self._secret), modes.GCM(head[len(MAGIC) :], tag)).decryptor()
        opener.authenticate_additional_data(name.encode())
        try:
            plain = memoryview(bytearray(body + 15))  # update_into wants a block less one to spare
        except MemoryError:  # a forged size (a sparse file): not worth reading
            return None
        chunk = memoryview(bytearray(_CHUNK_BYTES))
        done = 0
        while done < body:
            read = f.readinto(chunk[: min(_CHUNK_BYTES, body - done)])
            if not read:  # shorter than it was a moment ago
                return None
            done += opener.update_into(chunk[:read], plain[done:])
        try:
            opener.finalize()
        except InvalidTag:
            return None
        return plain[:body]

    def _write(self, name: str, stored: dict[str, Any]) -> None:
        """Seal the entry as it is written, a chunk at a time: no copy of its arrays is made
        (AESGCM's one-shot sealing would need the whole content, and its sealed copy, at once;
        GCM streamed gives the same bytes: the ciphertext, then the tag)."""
        self._prepare()
        nonce = os.urandom(NONCE_BYTES)
        sealer = Cipher(algorithms.AES(self._secret), modes.GCM(nonce)).encryptor()
        sealer.authenticate_additional_data(name.encode())
        sealed = bytearray(_CHUNK_BYTES + 15)  # update_into wants a block less one to spare
        with open_atomic(self.entries / name) as out:
            out.write(MAGIC + nonce)
            for piece in pieces(stored):
                view = memoryview(piece)
                for at in range(0, len(view), _CHUNK_BYTES):
                    out.write(memoryview(sealed)[: sealer.update_into(view[at : at + _CHUNK_BYTES], sealed)])
            out.write(sealer.finalize())
            out.write(sealer.tag)

    def lookup(self, file: FileKey) -> tuple[Any, Seen]:
        """The payload stored for the file, or None; and how the file was seen before it is
        read (for ``store``; on a hit, with the content hash and states tag stored)."""
        name = self._name(file)
        try:
            seen = Seen(_stat(file.path.stat()))
        except OSError:
            self.misses += 1
            return None, Seen(None)
        stored = self._read(name)
        if stored is not None:
            trusted = stored["stat"] == seen.stat and stored["written"] - seen.stat[1] > _RACY_NS
            if not trusted:
                seen.digest = file_digest(file.path)
            if trusted or seen.digest == stored["content"]:
                self.hits += 1
                _touch(self.entries / name)
                seen.digest, seen.tag = stored["content"], stored.get("tag")
                return stored["payload"], seen
        self.misses += 1
        return None, seen

    def states(self, file: FileKey, seen: Seen) -> Any:
        """The states stored with the file's hit entry, or None (then the hit is counted a miss:
        the file is read again)."""
        name = self._name(file, "states")
        stored = self._read(name) if seen.tag is not None else None
        if stored is None or stored.get("tag") != seen.tag:  # missing, forged, or of another write
            self.hits -= 1
            self.misses += 1
            return None
        _touch(self.entries / name)
        return stored["states"]

    def store(self, file: FileKey, payload: Any, seen: Seen, states: Any = None) -> None:
        """Write the file's entry (and its states' entry, first), unless the file changed since
        ``lookup`` saw it (the payload may then be of either content); a cache that cannot be
        written is left alone for the run."""
        if not self._writable or seen.stat is None:
            return
        try:
            digest = seen.digest or file_digest(file.path)
            if _stat(file.path.stat()) != seen.stat:
                return
            tag = os.urandom(16).hex()
            if states is not None:
                self._write(self._name(file, "states"), {"key": self.key, "tag": tag, "states": states})
            stored = {"key": self.key, "content": digest, "stat": seen.stat, "written": time.time_ns(), "tag": tag, "payload": payload}
            self._write(self._name(file), stored)
            seen.digest, seen.tag = digest, tag
        except OSError as exc:
            self._unwritable(exc)

    def finished(self, files: Sequence[tuple[FileKey, Seen]]) -> Any:
        """The finished run stored for exactly these files with these contents and states, or None."""
        name = self._run_name([f for f, _ in files])
        stored = self._read(name)
        if stored is None or stored.get("files") != _contents(files):
            return None
        for file, _ in files:  # kept as long as their run entry is used
            _touch(self.entries / self._name(file, "states"))
        _touch(self.entries / name)
        return stored["payload"]

    def store_finished(self, files: Sequence[tuple[FileKey, Seen]], payload: Any) -> None:
        """Keep a finished run of these files (one entry per set of files: the last run's)."""
        contents = _contents(files)
        if not self._writable or any(digest is None or tag is None for digest, tag in contents):
            return
        try:
            self._write(self._run_name([f for f, _ in files]), {"key": self.key, "files": contents, "payload": payload})
        except OSError as exc:
            self._unwritable(exc)

    def _unwritable(self, exc: OSError) -> None:
        self._writable = False
        self.warning = self.warning or f"cache folder {self.folder} is not writable ({exc.strerror or exc}); running without storing"

    def _bad(self, name: str) -> None:
        self.warning = self.warning or f"ignored a cache entry that is not this user's ({name[:12]}…); it will be rewritten"
        return None

    def _prepare(self) -> None:
        """Create the folder with its tag and .gitignore on first write."""
        if self.entries.is_dir():
            return
        self.entries.mkdir(parents=True, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", "# Created by dslint.\n*\n")):
            if not (self.folder / name).exists():
                write_atomic(self.folder / name, text)

    def prune(self, now: float | None = None) -> None:
        """Delete entries (and other versions' folders) not used for ``MAX_AGE_DAYS`` days."""
        if not self._writable or not self.folder.is_dir():
            return
        cutoff = (now or time.time()) - MAX_AGE_DAYS * 86400
        try:
            for sub in self.folder.iterdir():
                if not sub.name.startswith("v") or not sub.is_dir() or sub.is_symlink():
                    continue
                for entry in sub.iterdir():
                    if _ENTRY_NAME.fullmatch(entry.name) and entry.is_file() and entry.stat().st_mtime < cutoff:
                        entry.unlink(missing_ok=True)
                if sub != self.entries and not any(sub.iterdir()):
                    sub.rmdir()
        except OSError:
            pass  # another run pruning at the same time, or a read-only folder: next time


def open_run_cache(
    loaded: LoadedConfig,
    registry: Registry,
    policy: Policy,
    fields: dict[str, Any] | None,
    max_record: int,
    splits: list[str],
    folder: Path | None,
    warn: Callable[[str], None] | None,
) -> FileCache | None:
    """The run's cache, or None when ``DSLINT_NO_CACHE`` is set or it cannot be used (``warn``
    says why). It lives in ``folder`` (``--cache-dir``), else the config's ``cache-dir``, which
    an untrusted config may point only inside its own folder, else ``.dslint_cache`` there."""
    if disabled_by_env():
        return None
    if folder is None:
        folder = loaded.root / (loaded.config.cache_dir or CACHE_FOLDER)
        if not folder.resolve().is_relative_to(loaded.root.resolve()):
            raise ConfigError(f"cache-dir at {loaded.where('cache-dir')} must be inside the config's folder (or use --cache-dir)")
    why = None
    if folder.is_symlink():
        why = f"cache folder {folder} is a symbolic link; running without the cache"
    else:
        try:
            secret = user_key()
        except OSError as exc:
            why = f"no cache key ({exc.strerror or exc}); running without the cache"
    if why is not None:
        if warn is not None:
            warn(why)
        return None
    enabled = sorted(policy.enabled)
    options = {code: (policy.options.get(code) or registry.rules[code].options()).model_dump(mode="json") for code in enabled}
    parts = key_parts(
        registry.check_classes,
        enabled,
        options,
        [p.spec.model_dump(mode="json") for p in registry.pack_rules if p.rule.code in policy.enabled],
        lambda value: resolve_from(loaded.root, value),
        fields=fields,
        max_record=max_record,
        splits=splits,
    )
    return FileCache(folder, run_key(parts), secret)


def _ident(file: FileKey) -> list[str | None]:
    return [file.display, file.root_path, file.split, file.format_name]


def _entry_name(ident: list[Any]) -> str:
    return hashlib.sha256(json.dumps(ident).encode("utf-8", "surrogatepass")).hexdigest()[:40]


def _contents(files: Sequence[tuple[FileKey, Seen]]) -> list[tuple[str | None, str | None]]:
    return [(seen.digest, seen.tag) for _, seen in files]


def _version_folder() -> str:
    return "v" + "".join(c if c.isalnum() or c in "._-" else "_" for c in __version__)


def _stat(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _touch(entry: Path) -> None:
    """Mark an entry used, for pruning; a read-only folder keeps its old times."""
    try:
        os.utime(entry)
    except OSError:
        pass


