"""Byte streams for the text readers: decompression, sniffing binary input, and read errors."""

from __future__ import annotations

import contextlib
import io
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import zstandard

from dslint.readers.sources import Source
from dslint.record import ReadIssue
from dslint.redact import printable, quote

SNIFF_BYTES = 8192
MAX_RECORD_BYTES = 64 << 20  # default maximum record size (config: max-record-size, in MB)
MAX_DOCUMENT_BYTES = 2 << 30  # a .json document is parsed whole: larger ones are refused
RAW_LIMIT = 4096  # bytes of a bad line kept in ReadIssue.raw: enough to fingerprint it
BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 17
_ZSTD_FEED = 2048  # compressed bytes per zstd step: even all-zero data yields at most ~64 MiB


class CorruptStream(Exception):
    """A compressed file that is not in the format its extension names."""


# What a broken compressed stream or a failing disk raises while we read.
STREAM_ERRORS: tuple[type[Exception], ...] = (OSError, EOFError, CorruptStream, zlib.error, zstandard.ZstdError)

_MAGIC = (
    (b"\x1f\x8b", "gzip-compressed data without a .gz extension"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data without a .zst extension"),
    (b"PAR1", "a Parquet file without a .parquet extension"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\xff\xfe", "UTF-16 text; dslint reads UTF-8"),
    (b"\xfe\xff", "UTF-16 text; dslint reads UTF-8"),
)


class _Decompressed(io.RawIOBase):
    """The decompressed bytes of a gzip or zstd file of one or more members (frames).

    Unlike gzip.GzipFile and zstandard's stream reader, this hands out everything decoded
    before a truncated or corrupt spot and only then fails, and it reports a zstd stream that
    ends inside a frame (zstandard's reader treats that as a clean end of data). Output per step
    stays bounded, so a highly repetitive file does not balloon in memory.
    """

    def __init__(self, raw: BinaryIO, compression: str) -> None:
        self._raw = raw
        self._name = compression
        self._gzip = compression == "gzip"
        self._magic = b"\x1f\x8b" if self._gzip else b"\x28\xb5\x2f\xfd"
        self._zstd = zstandard.ZstdDecompressor()
        self._obj: Any = None  # the decompressor of the member being read
        self._started = False
        self._input = memoryview(b"")
        self._out = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._out:
            if not self._input:
                self._input = memoryview(self._raw.read(_CHUNK))
                if not self._input:
                    if self._obj is not None:
                        raise EOFError(f"the {self._name} stream ends inside a member")
                    return 0
            if self._obj is None and not self._start_member():
                continue
            if self._gzip:
                out = self._obj.decompress(self._input, _CHUNK)
                rest = self._obj.unconsumed_tail
            else:  # no output limit in zstandard's API: feed small slices instead
                out = self._obj.decompress(self._input[:_ZSTD_FEED])
                rest = self._input[_ZSTD_FEED:]
            if self._obj.eof:
                # zlib keeps the bytes after the member in unconsumed_tail too: take them once.
                rest = self._obj.unused_data if self._gzip else self._obj.unused_data + rest
                self._obj = None
            self._input = memoryview(rest)
            self._out = memoryview(out)
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def _start_member(self) -> bool:
        if self._started:
            # Zero padding after the last member is allowed, as gzip allows it.
            self._input = memoryview(bytes(self._input).lstrip(b"\0"))
            if not self._input:
                return False
        elif not self._magic.startswith(bytes(self._input[: len(self._magic)])):
            raise CorruptStream(f"not a {self._name} file")
        self._started = True
        self._obj = zlib.decompressobj(31) if self._gzip else self._zstd.decompressobj()  # 31: gzip with CRC
        return True

    def close(self) -> None:
        self._raw.close()
        super().close()


class ReadPosition:
    """How far a reader has got into its file, in bytes of the file as stored (compressed bytes
    for a compressed file): what a progress line can show for a big file before it is done."""

    def __init__(self) -> None:
        self._handle: BinaryIO | None = None
        self._start = 0

    def follow(self, handle: BinaryIO, start: int = 0) -> None:
        self._handle, self._start = handle, start

    def bytes_read(self) -> int:
        handle = self._handle
        if handle is None or handle.closed:
            return 0
        return max(0, handle.tell() - self._start)


def open_binary(
    source: Source, stdin: BinaryIO | None = None, position: ReadPosition | None = None
) -> contextlib.AbstractContextManager[BinaryIO]:
    """A buffered binary stream of the source's decompressed bytes; stdin is never closed."""
    if source.url is not None:
        from dslint.readers.remote import open_url  # fsspec is imported only for URLs

        raw: BinaryIO = open_url(source)
    elif source.path is None:
        return contextlib.nullcontext(stdin if stdin is not None else sys.stdin.buffer)
    else:
        raw = open(source.path, "rb")  # noqa: SIM115 - the returned stream owns and closes it
    if position is not None:
        position.follow(raw)
    if source.compression is None:
        return raw
    return io.BufferedReader(_Decompressed(raw, source.compression), buffer_size=_CHUNK)  # type: ignore[return-value]


def sniff_binary(head: bytes, what: str) -> str | None:
    """Why the first bytes of a file show it is not text of the expected kind, if they do."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return f"binary file ({name}), not {what}"
    if b"\0" in head:
        return f"binary file, not {what}"
    return None


@dataclass(frozen=True)
class Oversized:
    """A line longer than the maximum record size: skipped without being kept in memory."""

    size: int  # bytes, line ending included


def bounded_lines(stream: BinaryIO, limit: int) -> Iterator[bytes | Oversized]:
    """The stream's lines, line endings kept; a line over ``limit`` bytes becomes an Oversized
    marker and is read past in chunks, so memory stays bounded by the limit."""
    read = stream.readline
    while True:
        raw = read(limit + 1)
        if not raw:
            return
        if len(raw) <= limit or raw.endswith(b"\n"):
            yield raw
            continue
        size = len(raw)
        del raw
        while True:
            part = read(_CHUNK)
            size += len(part)
            if not part or part.endswith(b"\n"):
                break
        yield Oversized(size)


def _peek(stream: BinaryIO, size: int) -> bytes:
    """The first ``size`` bytes of the stream (fewer from a pipe), left unread."""
    peek = getattr(stream, "peek", None)
    if peek is not None:
        return peek(size)[:size]
    start = stream.tell()
    head = stream.read(size)
    stream.seek(start)
    return head


def start_lines(stream: BinaryIO, what: str, limit: int = MAX_RECORD_BYTES) -> tuple[Iterator[bytes | Oversized], str | None]:
    """The stream's lines (binary, line endings kept, a leading UTF-8 BOM dropped; Oversized for
    a line over ``limit`` bytes), or the reason the file is binary, judged on its first bytes."""
    # One read at most: a broken compressed stream then fails on a later read, after the lines
    # decoded so far have been handed out.
    head = _peek(stream, SNIFF_BYTES)
    problem = sniff_binary(head, what)
    if problem is not None:
        return iter(()), problem
    if head.startswith(BOM):
        stream.read(len(BOM))
    return bounded_lines(stream, limit), None


def oversized_message(size: int, limit: int) -> str:
    """Why a record was skipped: its size against the maximum record size."""
    return f"record is {size / (1 << 20):,.1f} MB, over the maximum record size of {limit / (1 << 20):g} MB (max-record-size); skipped"


def repeated_column(header: list[str]) -> str | None:
    """Why a table whose column names repeat cannot be read: a record keeps one value per name."""
    seen: dict[str, int] = {}
    for number, name in enumerate(header, 1):
        if name in seen:
            return f"column {quote(name)} appears twice (columns {seen[name]} and {number}); rename one so no values are lost"
        seen[name] = number
    return None


def file_issue(file: str, index: int, message: str, line: int | None = None) -> ReadIssue:
    """A DS100 issue: the file (or the rest of it) cannot be read."""
    return ReadIssue(file, line, index, "DS100", message)


def stream_error(exc: BaseException) -> str:
    """A one-line reason for an exception raised while reading a (compressed) stream."""
    if isinstance(exc, EOFError):
        return "the compressed stream ends early (truncated file)"
    if isinstance(exc, CorruptStream):
        return str(exc)
    if isinstance(exc, zlib.error):
        return "corrupt gzip data"
    if isinstance(exc, zstandard.ZstdError):
        return "corrupt zstd data"
    if isinstance(exc, OSError):
        return (exc.strerror or type(exc).__name__).lower()
    return printable(str(exc))[:200]


def utf8_error(raw: bytes, start: int, line: int | None = None) -> str:
    """Where a line (valid UTF-8 before byte ``start``) stops being UTF-8, as a column a person
    can find in an editor."""
    column = len(raw[:start].decode("utf-8")) + 1
    where = f"line {line} column {column}" if line is not None else f"column {column}"
    return f"invalid UTF-8: byte 0x{raw[start]:02X} at {where}"


def cap(raw: bytes) -> bytes:
    """A bad line's bytes for fingerprinting: no line ending, at most RAW_LIMIT bytes."""
    return raw[:RAW_LIMIT].rstrip(b"\r\n")
