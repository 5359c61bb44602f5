"""Text normalisation: the ASCII fast path must give exactly what the general path gives."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from dslint.normalize import normalize_text, words


def reference(text: str) -> str:
    """The definition: NFKC, case-folded, every run of non-letters/digits one space, stripped."""
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_fast_path_matches_the_definition(text: str) -> None:
    assert normalize_text(text) == reference(text)


@given(st.text())
def test_any_text_matches_the_definition(text: str) -> None:
    assert normalize_text(text) == reference(text)


def test_examples() -> None:
    assert normalize_text("  Hello,   WORLD!! snake_case\tx\x1f9 ") == "hello world snake case x 9"
    assert normalize_text("Straße ＡＢＣ café") == "strasse abc café"
    assert words("What's 2+2?") == ["what", "s", "2", "2"]
    assert words(" ... ") == []
