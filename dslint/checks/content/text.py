"""Text analysis for the content rules: where a field's code and math are, and the matchers that
look only at the prose around them.

``TextView`` computes the fence scan and the "prose" (the text with fenced code, inline code and
math blanked out, offsets unchanged) once per field, lazily, so several rules share them and a
field without backticks or dollar signs costs nothing. Every pattern is linear-time: no nested
quantifiers, bounded repetition only.

The ``*_HINT`` patterns are for a whole batch at once (``dslint.prefilter.may_match_each``): each
finds, in a field's text, a part of every match its matchers can find in the field's prose.
Blanking turns characters into spaces and nothing else, so a match's characters that are not
spaces are the text's own: a hint made of them only (literals, letters) sees every field that may
match.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# A fence line: optional indentation (list items indent their fences), then ``` or ~~~. Searched
# for from the newline before it (the text gets one in front): a literal first character lets
# the search skip from line to line, where ``^`` would be tried at every character.
_FENCE_LINE = re.compile(r"\n[ \t]*(`{3,}|~{3,})([^\n]*)")
_BACKTICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_NON_NEWLINE = re.compile(r"[^\n]")
# $$display$$ and Pandoc-style $inline$ math: no space inside the dollars and no digit after the
# closing one, so "$5 and $10" stays prose. \[ \] and \( \) are found by _bracket_math.
_DOLLAR_MATH = re.compile(r"\$\$[^$]{1,4000}\$\$|\$(?=[^\s$])[^$\n]{1,300}(?<=[^\s$])\$(?!\d)")


@dataclass(frozen=True, slots=True)
class FenceScan:
    spans: tuple[tuple[int, int], ...]  # fenced blocks, fence lines included
    unclosed_line: int | None  # 1-based line of the field where a never-closed fence opens


def scan_fences(text: str) -> FenceScan:
    """Markdown fenced blocks: a fence closes with the same character, at least as long, bare."""
    if "```" not in text and "~~~" not in text:
        return FenceScan((), None)
    spans: list[tuple[int, int]] = []
    open_at, char, length = -1, "", 0
    for m in _FENCE_LINE.finditer("\n" + text):  # m.start() is the line's start in text itself
        run, rest = m.group(1), m.group(2)
        if open_at < 0:
            if run[0] == "`" and "`" in rest:  # a backtick fence's info string has no backtick
                continue
            open_at, char, length = m.start(), run[0], len(run)
        elif run[0] == char and len(run) >= length and not rest.strip():
            spans.append((open_at, m.end() - 1))
            open_at = -1
    if open_at < 0:
        return FenceScan(tuple(spans), None)
    spans.append((open_at, len(text)))  # Markdown runs an unclosed block to the end
    return FenceScan(tuple(spans), text.count("\n", 0, open_at) + 1)


def _inline_code_spans(text: str) -> list[tuple[int, int]]:
    """Backtick code spans: a run of n backticks up to the next run of exactly n, within a
    paragraph. Linear: each length keeps a cursor into its runs."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for i, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(i)
    cursor = dict.fromkeys(by_length, 0)
    blanks = [m.start() for m in _BLANK_LINE.finditer(text)] if "\n" in text else []
    spans, i = [], 0
    while i < len(runs):
        n = runs[i][1] - runs[i][0]
        same, c = by_length[n], cursor[n]
        while c < len(same) and same[c] <= i:
            c += 1
        cursor[n] = c
        if c == len(same):
            i += 1
            continue
        j = same[c]
        start, end = runs[i][0], runs[j][1]
        k = bisect.bisect_left(blanks, start)
        if k < len(blanks) and blanks[k] < end:  # a paragraph break: the opener is literal
            i += 1
            continue
        spans.append((start, end))
        i = j + 1
    return spans


def _bracket_math(text: str, opener: str, closer: str, limit: int, one_line: bool) -> list[tuple[int, int]]:
    """Spans from each opener to the next closer within ``limit`` characters (and on the same line
    when ``one_line``). Linear: the next closer and newline only ever move forward."""
    spans: list[tuple[int, int]] = []
    start = text.find(opener)
    close = newline = -1
    while start >= 0:
        if close < start:
            close = text.find(closer, start + len(opener))
            if close < 0:
                break
        if one_line and newline < start:
            newline = text.find("\n", start)
            newline = len(text) if newline < 0 else newline
        if close - start <= limit and not (one_line and newline < close):
            spans.append((start, close + len(closer)))
            start = text.find(opener, close + len(closer))
        else:
            start = text.find(opener, start + len(opener))
    return spans


def _math_spans(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _DOLLAR_MATH.finditer(text)] if "$" in text else []
    if "\\[" in text:
        spans += _bracket_math(text, "\\[", "\\]", 4000, one_line=False)
    if "\\(" in text:
        spans += _bracket_math(text, "\\(", "\\)", 1000, one_line=True)
    return sorted(spans)


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Replace each span by spaces, keeping newlines so offsets and line starts stay true."""
    parts, last = [], 0
    for start, end in spans:
        if start < last:
            continue
        parts.append(text[last:start])
        parts.append(_NON_NEWLINE.sub(" ", text[start:end]))
        last = end
    parts.append(text[last:])
    return "".join(parts)


class TextView:
    """One field's text with its code and math located once, on first use."""

    __slots__ = ("text", "_fences", "_prose", "_no_code")

    def __init__(self, text: str) -> None:
        self.text = text
        self._fences: FenceScan | None = None
        self._prose: str | None = None
        self._no_code: str | None = None

    @property
    def fences(self) -> FenceScan:
        if self._fences is None:
            self._fences = scan_fences(self.text)
        return self._fences

    @property
    def no_code(self) -> str:
        """The text with fenced blocks and inline code blanked."""
        if self._no_code is None:
            text = self.text
            if "`" in text or "~~~" in text:
                text = _blank(text, self.fences.spans)
                if "`" in text:
                    text = _blank(text, _inline_code_spans(text))
            self._no_code = text
        return self._no_code

    @property
    def prose(self) -> str:
        """The text with code and math blanked: what the prose rules look at."""
        if self._prose is None:
            text = self.no_code
            if "$" in text or "\\(" in text or "\\[" in text:
                text = _blank(text, _math_spans(text))
            self._prose = text
        return self._prose


@dataclass(frozen=True, slots=True)
class Hit:
    """A match in a field: offsets into the original text and what matched."""

    start: int
    end: int
    token: str


def literal_regex(tokens: Sequence[str]) -> re.Pattern[str] | None:
    """One alternation of literal strings, longest first so that a token never hides a longer one."""
    unique = sorted({t for t in tokens if t}, key=lambda t: (-len(t), t))
    return re.compile("|".join(re.escape(t) for t in unique)) if unique else None


# --- HTML residue ----------------------------------------------------------------------------

_HTML_TAGS = (
    "blockquote figcaption noscript textarea section article summary details button iframe script "
    "strong center footer header select option tbody thead small style input label table title "
    "body code font form head html span meta link nav pre img div li ol ul tr td th dl dt dd em "
    "h1 h2 h3 h4 h5 h6 br hr p a b i u"
).split()
_VOID_TAGS = frozenset({"br", "hr"})
_TAG = re.compile(
    r"(?<!<)<(/?)(" + "|".join(_HTML_TAGS) + r")\b"
    r"((?:\s+[A-Za-z_:][\w:.-]{0,30}(?:\s*=\s*(?:\"[^\"<>\n]{0,300}\"|'[^'<>\n]{0,300}'|[^\s\"'<>=`]{1,100}))?){0,20})"
    r"\s*/?>",
    re.IGNORECASE,
)
_NAMED_AS_TAG = re.compile(r"\s{0,3}(?:tags?|elements?)\b", re.IGNORECASE)
_ENTITY = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|nbsp|amp|quot|apos|lt|gt|mdash|ndash|hellip|lsquo|rsquo"
    r"|ldquo|rdquo|laquo|raquo|copy|reg|trade|eacute|egrave|aacute|agrave|ccedil|uuml|ouml|auml|szlig"
    r"|middot|bull|deg|times|euro|pound|shy|zwj|zwnj);"
)


def html_hits(prose: str, allow: frozenset[str]) -> list[Hit]:
    """Entities, tags with attributes, <br>/<hr>, and closing tags whose opening tag came before."""
    hits: list[Hit] = []
    if "&" in prose:
        hits += [Hit(m.start(), m.end(), m.group(0)) for m in _ENTITY.finditer(prose)]
    if "<" in prose:
        opened: set[str] = set()
        for m in _TAG.finditer(prose):
            closing, name, attrs = m.group(1), m.group(2).lower(), m.group(3)
            if name in allow or _NAMED_AS_TAG.match(prose, m.end()):
                continue
            if closing:
                if name in opened:
                    hits.append(Hit(m.start(), m.end(), m.group(0)))
            else:
                opened.add(name)
                if "=" in attrs or name in _VOID_TAGS:
                    hits.append(Hit(m.start(), m.end(), m.group(0)))
    hits.sort(key=lambda h: h.start)
    return hits


# An entity, or the start of a tag.
HTML_HINT = re.compile(rf"{_ENTITY.pattern}|</?(?:{'|'.join(_HTML_TAGS)})", re.IGNORECASE)


# --- unfilled placeholders -------------------------------------------------------------------

# Not after "$": "${{ github.repository }}" is a GitHub Actions expression in pasted YAML.
_DOUBLE_BRACE = re.compile(r"(?<!\$)\{\{\s{0,3}[A-Za-z_][\w.]{0,40}\s{0,3}\}\}")
# A single letter with a subscript or a short index ("{x_n}", "{a_12}", "{x_i}"): LaTeX, not a slot.
_SUBSCRIPT = re.compile(r"\{[A-Za-z]_[A-Za-z0-9]{1,3}\}")
# Not after a word character, a backslash, ^ _ } $ # % @ { (LaTeX, ${VAR}, #{ruby}, x^{2}, {{).
_SINGLE_BRACE = re.compile(r"(?<![\w\\^}$#%@{])\{[A-Za-z_][A-Za-z0-9_]{1,40}\}(?!\})")
_BRACKETED = re.compile(
    r"[\[<](?:placeholder|insert\s[^\[\]<>\n]{1,80}|fill[ -]in[^\[\]<>\n]{0,80})[\]>](?!\()", re.IGNORECASE
)


def placeholder_hits(prose: str, single_braces: bool, extra: re.Pattern[str] | None) -> list[Hit]:
    hits: list[Hit] = []
    if "{" in prose:
        hits += [Hit(m.start(), m.end(), m.group(0)) for m in _DOUBLE_BRACE.finditer(prose)]
        if single_braces:
            hits += [Hit(m.start(), m.end(), m.group(0)) for m in _SINGLE_BRACE.finditer(prose) if not _SUBSCRIPT.fullmatch(m.group(0))]
    if "[" in prose or "<" in prose:
        hits += [Hit(m.start(), m.end(), m.group(0)) for m in _BRACKETED.finditer(prose)]
    if extra is not None:
        hits += [Hit(m.start(), m.end(), m.group(0)) for m in extra.finditer(prose)]
    hits.sort(key=lambda h: h.start)
    return hits


# {{slot}}, {slot}, [placeholder], <insert ...>, [fill in ...] (case-blind as a whole: a superset).
PLACEHOLDER_HINT = re.compile(r"\{\{|\{[A-Za-z_][A-Za-z0-9_]{1,40}\}|[\[<](?:placeholder|insert|fill)", re.IGNORECASE)


# --- merged examples -------------------------------------------------------------------------

# Markers accepted when the prompt asks for them: dialogue speakers and numbered instructions.
_DIALOGUE_MARKER = re.compile(
    r"\n[ \t]*\n[ \t]*(Human|Assistant):"
    r"|^(USER|ASSISTANT):"
    r"|^[ \t]*\d{1,3}\.[ \t]?(Instruction):",
    re.MULTILINE,
)
# Markers that always mean a second example: Alpaca-style headers and role tokens.
_TEMPLATE_MARKER = re.compile(
    r"^[ \t]{0,3}#{2,4}[ \t]?(?:Instruction|Response|Human|Assistant)[ \t]?:"
    r"|<\|(?:user|assistant|system|prompter|human)\|>",
    re.MULTILINE,
)
DIALOGUE_WORDS = re.compile(r"\b(?:dialog(?:ue)?|conversation|transcript|script|screenplay|chat log|role-?play)s?\b")


def merged_hits(prose: str, extra: re.Pattern[str] | None) -> list[tuple[Hit, str | None]]:
    """Template markers, each with the role word that the prompt may legitimately ask for."""
    out: list[tuple[Hit, str | None]] = []
    if ":" in prose:
        for m in _DIALOGUE_MARKER.finditer(prose):
            word = m.group(m.lastindex or 0)
            start = m.start(m.lastindex or 0)
            out.append((Hit(start, m.end(), prose[start : m.end()]), word.lower()))
    if "#" in prose or "<|" in prose:
        out += [(Hit(m.start(), m.end(), m.group(0).strip()), None) for m in _TEMPLATE_MARKER.finditer(prose)]
    if extra is not None:
        out += [(Hit(m.start(), m.end(), m.group(0)), None) for m in extra.finditer(prose)]
    out.sort(key=lambda pair: pair[0].start)
    return out


# A dialogue marker's speaker and colon; a template marker's "##" or "<|".
MARKER_HINT = re.compile(r"<\||##|(?:Human|Assistant|USER|ASSISTANT|Instruction):")


# --- whole-field values ----------------------------------------------------------------------

_URL_ONLY = re.compile(r"<?(?:https?://|www\.)[^\s<>]{1,2000}>?", re.IGNORECASE)


def is_url_only(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and _URL_ONLY.fullmatch(stripped) is not None
