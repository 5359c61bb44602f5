"""Token counting for the length rules: a real tokenizer when one is configured, else an estimate.

A tokenizer is named by a string: ``tiktoken:<encoding>`` (extra ``dslint[tiktoken]``) or the
path of a Hugging Face ``tokenizer.json`` (extra ``dslint[tokenizers]``). Both load from local
files only: dslint never downloads. tiktoken fetches its BPE files from the internet on first use,
so a ``tiktoken:`` encoding must already be in tiktoken's cache (``TIKTOKEN_CACHE_DIR``, else
``~/.cache/tiktoken``); dslint blocks tiktoken's downloader while loading and reports a one-line
error instead. Without a tokenizer, tokens are estimated from characters.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from dslint.paths import resolve_from
from dslint.yamlpos import ConfigError

DEFAULT_CHARS_PER_TOKEN = 4.0
TIKTOKEN_PREFIX = "tiktoken:"


class TokenizerError(ConfigError):
    """A tokenizer that cannot be loaded; the message is one line and says what to do."""


@runtime_checkable
class TokenCounter(Protocol):
    """Counts the tokens of a text; ``name`` says how, for messages and the report."""

    name: str

    def count(self, text: str) -> int: ...

    def count_batch(self, texts: Sequence[str]) -> list[int]:
        """``count`` of each text, in one call (a tokenizer's batch encoder)."""
        ...


def flagged_in_first(segments: Iterable[tuple[int, bool]], budget: int) -> int:
    """How many flagged tokens are among the first ``budget`` tokens of ``segments`` (token
    count, flagged), in order: what a trainer that truncates at one end keeps of the trainable
    tokens, or cuts of the output ones."""
    taken = 0
    for n, flagged in segments:
        take = min(n, budget)
        budget -= take
        taken += take if flagged else 0
        if budget == 0:
            break
    return taken


class CharEstimate:
    """``ceil(characters / chars_per_token)``: about right for English prose with BPE tokenizers,
    low for CJK text and code-heavy text (one character is often a token there)."""

    def __init__(self, chars_per_token: float = DEFAULT_CHARS_PER_TOKEN) -> None:
        if not chars_per_token > 0:
            raise TokenizerError(f"chars-per-token must be positive, got {chars_per_token}")
        self.chars_per_token = chars_per_token
        self.name = f"estimate: {chars_per_token:g} characters per token"

    def count(self, text: str) -> int:
        return math.ceil(len(text) / self.chars_per_token)

    def count_batch(self, texts: Sequence[str]) -> list[int]:
        chars = np.fromiter(map(len, texts), dtype=np.float64, count=len(texts))
        return np.ceil(chars / self.chars_per_token).astype(np.int64).tolist()  # as count's float division

    def __repr__(self) -> str:
        return f"CharEstimate({self.chars_per_token!r})"


class TiktokenCounter:
    """A tiktoken encoding from tiktoken's local cache."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.name = f"{TIKTOKEN_PREFIX}{encoding}"
        self._enc = _load_tiktoken(encoding)

    def count(self, text: str) -> int:
        # disallowed_special=(): "<|endoftext|>" written in the data is counted as plain text
        return len(self._enc.encode(text, disallowed_special=()))

    def count_batch(self, texts: Sequence[str]) -> list[int]:
        return [len(ids) for ids in self._enc.encode_batch(list(texts), disallowed_special=())]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_cached_tiktoken, (self.encoding,))  # worker processes reload from the cache


class HFTokenizerCounter:
    """A Hugging Face ``tokenizer.json`` (the fast-tokenizer file shipped with most models)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.name = f"tokenizer.json: {path}"
        self._tok = _load_hf(path)

    def count(self, text: str) -> int:
        return len(self._tok.encode(text, add_special_tokens=False).ids)

    def count_batch(self, texts: Sequence[str]) -> list[int]:
        return [len(e.ids) for e in self._tok.encode_batch(list(texts), add_special_tokens=False)]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_cached_hf, (self.path,))


def build_counter(
    tokenizer: str | None = None, chars_per_token: float = DEFAULT_CHARS_PER_TOKEN, root: Path | None = None
) -> TokenCounter:
    """The counter an option value names: None or "estimate" for the character estimate,
    ``tiktoken:<encoding>``, or a path to a ``tokenizer.json`` (relative to ``root``, the
    config's folder; default: the working directory).

    Counters are cached per process, so checks configured alike share one loaded tokenizer.
    Raises ``TokenizerError`` (a ``ConfigError``) with a one-line message when loading fails.
    """
    spec = (tokenizer or "").strip()
    if spec in ("", "estimate"):
        return _cached_estimate(float(chars_per_token))
    if spec.startswith(TIKTOKEN_PREFIX):
        name = spec[len(TIKTOKEN_PREFIX) :].strip()
        if not name:
            raise TokenizerError("tokenizer 'tiktoken:' names no encoding (e.g. tiktoken:cl100k_base)")
        return _cached_tiktoken(name)
    return _cached_hf(resolve_from(root, spec))


@functools.lru_cache(maxsize=8)
def _cached_estimate(chars_per_token: float) -> CharEstimate:
    return CharEstimate(chars_per_token)


@functools.lru_cache(maxsize=8)
def _cached_tiktoken(encoding: str) -> TiktokenCounter:
    return TiktokenCounter(encoding)


@functools.lru_cache(maxsize=8)
def _cached_hf(path: str) -> HFTokenizerCounter:
    return HFTokenizerCounter(path)


def _load_tiktoken(encoding: str) -> Any:
    try:
        import tiktoken
        import tiktoken.load
    except ImportError:
        raise TokenizerError(
            f"the tiktoken encoding {encoding} needs the tiktoken package: pip install 'dslint[tiktoken]'"
        ) from None
    with _downloads_refused(tiktoken.load, encoding):
        try:
            return tiktoken.get_encoding(encoding)
        except TokenizerError:
            raise
        except ValueError as exc:  # unknown encoding name
            raise TokenizerError(f"the tiktoken encoding {encoding}: {_one_line(exc)}") from None
        except Exception as exc:  # a corrupt cache file, a permission error, ...
            raise TokenizerError(
                f"the tiktoken encoding {encoding} cannot be loaded: {type(exc).__name__}: {_one_line(exc)}"
            ) from None


@contextmanager
def _downloads_refused(load_module: Any, encoding: str) -> Iterator[None]:
    """Replace tiktoken's file reader (its only way to the network) by one that refuses URLs.

    Cached files never reach the reader, so a cached encoding loads; a missing one fails here.
    """
    original = getattr(load_module, "read_file", None)
    if original is None:  # a tiktoken whose internals moved: refuse rather than risk a download
        raise TokenizerError(
            f"the tiktoken encoding {encoding}: this tiktoken version cannot be loaded offline by dslint;"
            " use a tokenizer.json instead"
        )

    def refuse(blobpath: str) -> bytes:
        if "://" not in blobpath:
            return original(blobpath)
        raise TokenizerError(
            f"the tiktoken encoding {encoding} is not in tiktoken's local cache and dslint never downloads:"
            f" run `python -c \"import tiktoken; tiktoken.get_encoding('{encoding}')\"` once with network"
            " access, or set TIKTOKEN_CACHE_DIR to a folder that holds the cached file"
        )

    load_module.read_file = refuse
    try:
        yield
    finally:
        load_module.read_file = original


def _load_hf(path: str) -> Any:
    if not Path(path).is_file():
        raise TokenizerError(
            f"tokenizer file not found: {path} (expected 'tiktoken:<encoding>' or the path of a tokenizer.json)"
        )
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise TokenizerError(
            f"tokenizer {path} needs the tokenizers package: pip install 'dslint[tokenizers]'"
        ) from None
    try:
        return Tokenizer.from_file(path)
    except Exception as exc:  # not JSON, or not a tokenizer definition
        raise TokenizerError(f"{path} is not a valid tokenizer.json: {_one_line(exc)}") from None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] + ("…" if len(text) > 200 else "")


# --- model folders: token offsets in batches, special tokens and the chat template -------------


class OffsetEncoder(Protocol):
    """Token start offsets (in characters) of texts; what the trainer profiles measure with."""

    name: str
    specials: frozenset[str]  # special-token strings (added tokens marked special, BOS, EOS)

    def starts(self, texts: list[str]) -> list[list[int]]: ...


class HFOffsets:
    """A ``tokenizer.json`` measured with ``encode_batch`` (Rust threads over all cores); with
    ``batched=False`` one ``encode`` call per text, for the benchmark's comparison."""

    def __init__(self, path: str, extra_specials: frozenset[str] = frozenset(), batched: bool = True) -> None:
        self.path, self.batched = path, batched
        self.name = f"tokenizer.json of {Path(path).parent.name or '.'}"  # short: messages repeat it
        self._tok = _load_hf(path)
        added = self._tok.get_added_tokens_decoder().values()
        self.specials = frozenset(t.content for t in added if t.special) | extra_specials

    def starts(self, texts: list[str]) -> list[list[int]]:
        if self.batched:
            encodings = self._tok.encode_batch(texts, add_special_tokens=False)
        else:
            encodings = [self._tok.encode(t, add_special_tokens=False) for t in texts]
        return [[start for start, _ in e.offsets] for e in encodings]

    def __reduce__(self) -> tuple[Any, ...]:
        return (HFOffsets, (self.path, self.specials, self.batched))


class TiktokenOffsets:
    """A tiktoken encoding from the local cache; offsets from ``decode_with_offsets``."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.name = f"{TIKTOKEN_PREFIX}{encoding}"
        self._enc = _cached_tiktoken(encoding)._enc
        self.specials = frozenset(self._enc.special_tokens_set)

    def starts(self, texts: list[str]) -> list[list[int]]:
        batches = self._enc.encode_ordinary_batch(texts)
        return [self._enc.decode_with_offsets(ids)[1] for ids in batches]

    def __reduce__(self) -> tuple[Any, ...]:
        return (TiktokenOffsets, (self.encoding,))


@dataclass(frozen=True)
class ModelFolder:
    """What a Hugging Face model folder says about text: its tokenizer.json and, from
    ``tokenizer_config.json`` (or ``chat_template.jinja``), the chat template and BOS/EOS."""

    tokenizer: str
    chat_template: str | None
    bos_token: str | None
    eos_token: str | None


def read_model_folder(path: str) -> ModelFolder:
    """A local model folder (a Hugging Face cache snapshot works too); never downloads.
    Raises ``TokenizerError`` with a one-line message."""
    folder = Path(path)
    if not (folder / "tokenizer.json").is_file():
        raise TokenizerError(f"model folder {path} has no tokenizer.json (dslint reads local folders only)")
    config: dict[str, Any] = {}
    config_file = folder / "tokenizer_config.json"
    if config_file.is_file():
        try:
            config = json.loads(config_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TokenizerError(f"{config_file} is not valid JSON: {_one_line(exc)}") from None
        if not isinstance(config, dict):
            raise TokenizerError(f"{config_file} is not a JSON object")
    template = config.get("chat_template")
    if isinstance(template, list):  # named templates: [{"name": "default", "template": ...}, ...]
        named = {t.get("name"): t.get("template") for t in template if isinstance(t, dict)}
        template = named.get("default")
    jinja_file = folder / "chat_template.jinja"
    if not isinstance(template, str) and jinja_file.is_file():
        template = jinja_file.read_text(encoding="utf-8")
    return ModelFolder(
        tokenizer=str(folder / "tokenizer.json"),
        chat_template=template if isinstance(template, str) else None,
        bos_token=_token_text(config.get("bos_token")),
        eos_token=_token_text(config.get("eos_token")),
    )


def _token_text(value: Any) -> str | None:
    """``"</s>"`` or ``{"content": "</s>", ...}`` (an AddedToken serialised) as a string."""
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) and value else None


def build_offset_encoder(spec: str, root: Path | None = None, extra_specials: frozenset[str] = frozenset(),
                         batched: bool = True) -> OffsetEncoder:
    """``tiktoken:<encoding>`` or the path of a tokenizer.json (relative to ``root``)."""
    if spec.startswith(TIKTOKEN_PREFIX):
        return TiktokenOffsets(spec[len(TIKTOKEN_PREFIX) :].strip())
    return HFOffsets(resolve_from(root, spec), extra_specials, batched)
