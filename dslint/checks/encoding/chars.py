"""Finding suspicious code points in text: one compiled character class, then context rules.

``scan(text)`` returns, per kind, the offending characters with their code-point offsets. The
legitimate uses of invisible characters are not reported: a zero-width joiner inside an emoji ZWJ
sequence or after an Indic virama, a zero-width non-joiner between letters of a script that uses
it (Persian, Hindi), a zero-width space between Thai/Lao/Khmer/Myanmar/Tibetan letters, a
variation selector right after the character it modifies, and tag characters of an emoji flag
tag sequence (🏴 + tags, e.g. the flag of Scotland).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-* codecs used below)
from ftfy.chardata import CHARMAP_ENCODINGS

# Kinds of suspicious characters, one rule each.
CONTROL, REPLACEMENT, SURROGATE = "control", "replacement", "surrogate"
BOM, INVISIBLE, BIDI = "bom", "invisible", "bidi"

ZWSP, ZWNJ, ZWJ, VS16, BLACK_FLAG = 0x200B, 0x200C, 0x200D, 0xFE0F, 0x1F3F4

# Everything any rule of the family may report, in one class; most text never matches it.
SUSPICIOUS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 controls but tab, LF, CR; DEL; C1 controls
    "\u00ad\u200b-\u200d\u2060-\u2064\u3164\uffa0"  # soft hyphen, zero-width, word joiner, fillers
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides, isolates
    "\ufeff\ufffd\ud800-\udfff"  # byte-order mark, replacement character, surrogates
    "\ufe00-\ufe0f\U000e0100-\U000e01ef"  # variation selectors
    "\U000e0000-\U000e007f]"  # tag characters
)
ASCII_SUSPICIOUS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SAFE_ASCII = bytes([0x09, 0x0A, 0x0D, *range(0x20, 0x7F)])  # deleting these leaves the controls

_C0_NAMES = (
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
    "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
).split()
_C1_NAMES = (
    "PAD HOP BPH NBH IND NEL SSA ESA HTS HTJ VTS PLD PLU RI SS2 SS3 "
    "DCS PU1 PU2 STS CCH MW SPA EPA SOS SGCI SCI CSI ST OSC PM APC"
).split()

_NOUNS = {
    0x00AD: "soft hyphen",
    0x200B: "zero-width space",
    0x200C: "zero-width non-joiner",
    0x200D: "zero-width joiner",
    0x2060: "word joiner",
    0x2061: "invisible operator",
    0x2062: "invisible operator",
    0x2063: "invisible operator",
    0x2064: "invisible operator",
    0x3164: "Hangul filler",
    0xFFA0: "halfwidth Hangul filler",
    0x202A: "left-to-right embedding",
    0x202B: "right-to-left embedding",
    0x202C: "pop directional formatting",
    0x202D: "left-to-right override",
    0x202E: "right-to-left override",
    0x2066: "left-to-right isolate",
    0x2067: "right-to-left isolate",
    0x2068: "first strong isolate",
    0x2069: "pop directional isolate",
    0xFEFF: "byte-order mark",
    0xFFFD: "replacement character",
}
# Scripts written without spaces, where a zero-width space marks word breaks.
_NO_SPACE_SCRIPTS = ((0x0E00, 0x0FFF), (0x1000, 0x109F), (0x1780, 0x17FF))
_INDIC = (0x0900, 0x0DFF)


@dataclass(frozen=True, slots=True)
class Hit:
    """One reported character: where, what (a noun for messages) and which code point."""

    offset: int
    noun: str
    code: str  # "U+200B", or "ESC [" for an ANSI escape sequence


@dataclass(slots=True)
class Scan:
    hits: dict[str, list[Hit]] = field(default_factory=dict)  # by kind

    def add(self, kind: str, hit: Hit) -> None:
        self.hits.setdefault(kind, []).append(hit)


def scan(text: str) -> Scan:
    """Every reportable character of ``text``, by kind (CONTROL, INVISIBLE, ...)."""
    out = Scan()
    if text.isascii():
        if not ascii_suspicious(text):
            return out
        pattern = ASCII_SUSPICIOUS
    else:
        pattern = SUSPICIOUS
    tag_run_end, tag_run_ok = -1, False  # the tag-character run being walked, and its verdict
    for m in pattern.finditer(text):
        i = m.start()
        cp = ord(text[i])
        if cp < 0x20 or 0x7F <= cp <= 0x9F:
            out.add(CONTROL, _control_hit(text, i, cp))
        elif cp == 0xFFFD:
            out.add(REPLACEMENT, Hit(i, _NOUNS[cp], _code(cp)))
        elif 0xD800 <= cp <= 0xDFFF:
            out.add(SURROGATE, Hit(i, "lone surrogate", _code(cp)))
        elif cp == 0xFEFF:
            out.add(BOM, Hit(i, _NOUNS[cp], _code(cp)))
        elif 0x202A <= cp <= 0x202E or 0x2066 <= cp <= 0x2069:
            out.add(BIDI, Hit(i, _NOUNS[cp], _code(cp)))
        elif 0xE0000 <= cp <= 0xE007F:
            if i != tag_run_end + 1:  # a new run: legitimate only right after the black flag
                tag_run_ok = i > 0 and ord(text[i - 1]) == BLACK_FLAG
            tag_run_end = i
            if not tag_run_ok:
                out.add(INVISIBLE, Hit(i, "tag character", _code(cp)))
        elif 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
            if not _modifies_previous(text, i):
                out.add(INVISIBLE, Hit(i, "stray variation selector", _code(cp)))
        elif not _legitimate_invisible(text, i, cp):
            out.add(INVISIBLE, Hit(i, _NOUNS[cp], _code(cp)))
    return out


def ascii_suspicious(text: str) -> bool:
    """Whether an ASCII text holds a character ``scan`` reports (a control but tab, LF and CR, or
    DEL). bytes.translate runs at memory speed, several times faster than the regex scan."""
    return bool(text.encode("ascii").translate(None, _SAFE_ASCII))


def _code(cp: int) -> str:
    return f"U+{cp:04X}"


def _control_hit(text: str, i: int, cp: int) -> Hit:
    if cp == 0x1B and text[i + 1 : i + 2] in ("[", "]"):
        return Hit(i, "ANSI escape sequence", f"ESC {text[i + 1]}")
    if cp < 0x20:
        name = _C0_NAMES[cp]
    else:
        name = "DEL" if cp == 0x7F else _C1_NAMES[cp - 0x80]
    return Hit(i, f"{name} character", _code(cp))


def _modifies_previous(text: str, i: int) -> bool:
    """A variation selector directly after a visible character (not after another selector)."""
    if i == 0:
        return False
    prev = text[i - 1]
    cp = ord(prev)
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or prev.isspace():
        return False
    return unicodedata.category(prev) not in ("Cc", "Cf", "Cs", "Zl", "Zp")


def _legitimate_invisible(text: str, i: int, cp: int) -> bool:
    if cp not in (ZWSP, ZWNJ, ZWJ):
        return False
    prev = text[i - 1] if i > 0 else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if not prev:
        return False
    if cp == ZWSP:
        return bool(nxt) and _in(prev, _NO_SPACE_SCRIPTS) and _in(nxt, _NO_SPACE_SCRIPTS)
    if cp == ZWJ and nxt and _emoji_side(prev) and unicodedata.category(nxt) == "So":
        return True
    if _INDIC[0] <= ord(prev) <= _INDIC[1] and unicodedata.category(prev) == "Mn":
        return True  # after a virama: explicit half forms and chillus
    return bool(nxt) and _script_letter(prev) and _script_letter(nxt)


def _in(ch: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in ranges)


def _emoji_side(ch: str) -> bool:
    """What precedes a ZWJ in an emoji sequence: an emoji, a skin tone (Sk) or VS16."""
    return ord(ch) == VS16 or unicodedata.category(ch) in ("So", "Sk")


def _script_letter(ch: str) -> bool:
    return ord(ch) > 0x7F and unicodedata.category(ch)[0] in "LM"


# --- mojibake pre-filter -------------------------------------------------------------------


def _mojibake_hint() -> re.Pattern[str]:
    """Text ftfy could repair contains a UTF-8 lead byte decoded in a single-byte encoding,
    followed by a non-ASCII character (a continuation byte) or, where a 0xA0 byte became a space,
    by a space; or C1 controls (windows-1252 read as latin-1). Anything else skips ftfy."""
    leads: set[str] = set()
    spaced: set[str] = set()
    for encoding in CHARMAP_ENCODINGS:
        for byte in range(0xC2, 0xF5):
            leads.update(bytes([byte]).decode(encoding, errors="ignore"))
        for byte in (0xC2, 0xC3, 0xC5, 0xCE, 0xD0, 0xD9, 0xE0, 0xE1, 0xE2, 0xE3, 0xF0):
            spaced.update(bytes([byte]).decode(encoding, errors="ignore"))
    lead_class = "".join(re.escape(c) for c in sorted(leads))
    spaced_class = "".join(re.escape(c) for c in sorted(spaced))
    return re.compile(f"[{lead_class}][^\\x00-\\x7f]|[{spaced_class}] |[\\x80-\\x9f]")


MOJIBAKE_HINT = _mojibake_hint()


def hidden_tag_text(text: str, hits: list[Hit]) -> str:
    """The ASCII that tag characters encode (U+E0041 is a hidden "A"): smuggled prompt text."""
    chars = (ord(text[h.offset]) - 0xE0000 for h in hits if h.noun == "tag character")
    return "".join(chr(c) for c in chars if 0x20 <= c <= 0x7E)


def plural(noun: str, count: int) -> str:
    if count == 1:
        return noun
    return noun + (" characters" if noun.endswith("formatting") else "s")


# Characters reported as one group, whatever their exact code point.
_RANGES = {
    "tag character": "U+E0000-U+E007F",
    "stray variation selector": "U+FE00-U+FE0F, U+E0100-U+E01EF",
    "lone surrogate": "U+D800-U+DFFF",
}


def describe(hits: list[Hit], groups: int = 3, offsets: int = 5) -> str:
    """'2 zero-width spaces (U+200B) at offsets 14, 15; 1 soft hyphen (U+00AD) at offset 40'."""
    by_kind: dict[tuple[str, str], list[int]] = {}
    for hit in hits:  # hits are in offset order, so groups come out by first occurrence
        by_kind.setdefault((hit.noun, _RANGES.get(hit.noun, hit.code)), []).append(hit.offset)
    parts = []
    for (noun, code), where in list(by_kind.items())[:groups]:
        shown = ", ".join(str(o) for o in where[:offsets]) + (", …" if len(where) > offsets else "")
        at = "at offsets" if len(where) > 1 else "at offset"
        parts.append(f"{len(where)} {plural(noun, len(where))} ({code}) {at} {shown}")
    if len(by_kind) > groups:
        parts.append(f"{len(by_kind) - groups} more kinds")
    return "; ".join(parts)
