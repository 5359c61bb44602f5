"""Text normalisation: the ASCII fast path must give exactly what the general path gives."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from dslint.normalize import _bmp_alnum, normalize_text, normalize_texts, words


def reference(text: str) -> str:
    """The definition: NFKC, case-folded, every run of non-letters/digits one space, stripped."""
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_fast_path_matches_the_definition(text: str) -> None:
    assert normalize_text(text) == reference(text)


@given(st.text())
def test_any_text_matches_the_definition(text: str) -> None:
    assert normalize_text(text) == reference(text)


# The characters the batch path treats specially: NUL (its separator), spaces, punctuation,
# letters NFKC or case folding change, a character beyond the BMP (two UTF-16 units).
_BATCH_TEXT = st.text(alphabet=st.sampled_from("aZ9 _.,\x00\t\n\x1féÉß\u00a0\uff21\u2003\U0001d400"))


@given(st.lists(_BATCH_TEXT | st.text(alphabet=st.characters(max_codepoint=127)) | st.text(), max_size=8))
def test_batch_matches_one_at_a_time(texts: list[str]) -> None:
    assert normalize_texts(texts) == [normalize_text(t) for t in texts]


def test_the_bmp_table_is_the_regex_definition() -> None:
    table = _bmp_alnum()
    assert [bool(table[c]) for c in range(0x10000)] == [re.fullmatch(r"[\W_]", chr(c)) is None for c in range(0x10000)]


def test_batch_examples() -> None:
    assert normalize_texts([]) == []
    assert normalize_texts(["", " ", "!!"]) == ["", "", ""]
    assert normalize_texts([" A,b ", "", "c\x00d", "É x"]) == ["a b", "", "c d", "é x"]
    assert normalize_texts(["Straße ＡＢＣ café", "é\x00x", "\U0001d400b É"]) == ["strasse abc café", "é x", "ab é"]
    assert normalize_texts(["  Hello,   WORLD!! ", "x", " . y z "]) == ["hello world", "x", "y z"]


def test_examples() -> None:
    assert normalize_text("  Hello,   WORLD!! snake_case\tx\x1f9 ") == "hello world snake case x 9"
    assert normalize_text("Straße ＡＢＣ café") == "strasse abc café"
    assert words("What's 2+2?") == ["what", "s", "2", "2"]
    assert words(" ... ") == []
