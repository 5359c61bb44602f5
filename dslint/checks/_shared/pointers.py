"""Where a configured field lives in a record."""

from __future__ import annotations

from dslint.formats.base import pointer


def key_pointer(key: str) -> str:
    """A configured field is a top-level key, or a JSON pointer when it starts with '/'."""
    return key if key.startswith("/") else pointer(key)
