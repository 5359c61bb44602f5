"""The bytes of a cache entry's content, and of a pool worker's result handed over in /dev/shm
(``executors/handoff.py``): a pickle (protocol 5) with its NumPy buffers kept out of band, each at
a 64-byte aligned offset after it. An entry is decrypted into one buffer, and the
arrays it holds (signatures, n-gram hashes: most of an entry's size) are views of that buffer,
not copies made by unpickling.

Layout: pickle length (u64), buffer count (u32), each buffer's length (u64), the pickle, then
the buffers, each padded to the alignment.
"""

from __future__ import annotations

import pickle
import struct
from typing import Any

_HEAD = struct.Struct("<QI")
_LENGTH = struct.Struct("<Q")
ALIGN = 64


def _aligned(offset: int) -> int:
    return offset + (-offset % ALIGN)


def _offsets(start: int, lengths: list[int]) -> list[int]:
    offsets = []
    for length in lengths:
        start = _aligned(start)
        offsets.append(start)
        start += length
    return offsets


def pieces(value: Any) -> list[bytes | memoryview]:
    """``value`` packed, as the pieces to write one after the other: the head, the pickle, then
    each array's bytes after the padding that aligns it (views of the arrays, not copies)."""
    buffers: list[pickle.PickleBuffer] = []
    meta = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    head = _HEAD.pack(len(meta), len(raws)) + b"".join(_LENGTH.pack(r.nbytes) for r in raws)
    out: list[bytes | memoryview] = [head, meta]
    end = len(head) + len(meta)
    for raw in raws:
        out.append(bytes(_aligned(end) - end))
        out.append(raw)
        end = _aligned(end) + raw.nbytes
    return out


def unpack(data: bytearray | memoryview) -> Any:
    """The value packed in ``data``; its arrays are (writable) views of ``data``. Raises on
    bytes that are not a packed value (struct.error, pickle errors, ValueError)."""
    view = memoryview(data)
    meta_size, count = _HEAD.unpack_from(data, 0)
    lengths = [_LENGTH.unpack_from(data, _HEAD.size + i * _LENGTH.size)[0] for i in range(count)]
    start = _HEAD.size + count * _LENGTH.size
    offsets = _offsets(start + meta_size, lengths)
    if offsets and offsets[-1] + lengths[-1] > len(data) or start + meta_size > len(data):
        raise ValueError("truncated cache entry")
    buffers = [view[offset : offset + length] for offset, length in zip(offsets, lengths)]
    return pickle.loads(view[start : start + meta_size], buffers=buffers)
