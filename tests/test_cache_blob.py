"""The cache entry content format: NumPy buffers out of band, read back as views."""

from __future__ import annotations

import pickle
import struct

import numpy as np
import pytest

from dslint.cache_blob import ALIGN, pieces, unpack


def pack(value: object) -> bytearray:
    """The entry's content as the cache writes it: its pieces one after the other."""
    return bytearray(b"".join(pieces(value)))


def test_arrays_come_back_equal_writable_aligned_and_without_a_copy() -> None:
    rng = np.random.default_rng(3)
    value = {
        "sigs": rng.integers(0, 2**32, size=(100, 16), dtype=np.uint32),
        "hash": rng.integers(0, 2**63, size=7, dtype=np.uint64),
        "fortran": np.asfortranarray(rng.random((5, 3))),
        "strided": np.arange(20, dtype=np.int32)[::3],  # not contiguous: pickled in band
        "text": np.array(["a", None, "ü"], dtype=object),
        "empty": np.empty(0, dtype=np.int64),
        "nested": [(1, "x", {"k": np.arange(3, dtype=np.int8)})],
    }
    data = pack(value)
    back = unpack(data)
    assert back.keys() == value.keys()
    for key in ("sigs", "hash", "fortran", "strided", "text", "empty"):
        assert back[key].dtype == value[key].dtype and np.array_equal(back[key], value[key])
    assert back["nested"][0][:2] == (1, "x") and np.array_equal(back["nested"][0][2]["k"], np.arange(3))
    sigs = back["sigs"]
    assert sigs.flags.writeable and not sigs.flags.owndata  # a view of the entry's buffer
    assert (sigs.ctypes.data - np.frombuffer(data, dtype=np.uint8).ctypes.data) % ALIGN == 0
    before = int(value["sigs"][0, 0])
    sigs[0, 0] = before + 1  # writing through the view writes the buffer, not the original
    assert unpack(data)["sigs"][0, 0] == before + 1 and value["sigs"][0, 0] == before


def test_values_without_arrays_round_trip() -> None:
    value = {"key": "k", "payload": [1, 2.5, None, "é"], "stat": (1, 2, 3)}
    assert unpack(pack(value)) == value


@pytest.mark.parametrize("cut", [1, 8, 40, -1])
def test_truncated_content_raises(cut: int) -> None:
    data = pack({"a": np.arange(1000, dtype=np.uint64), "b": "text"})
    with pytest.raises((ValueError, EOFError, pickle.UnpicklingError, struct.error)):  # the cache: a bad entry
        unpack(data[:cut])
