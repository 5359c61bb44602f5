"""``TrainerCheck``: every DS9xx rule in one pass, measuring rows as the profile's trainer would.

``update`` validates a row against the trainer's role rules and renders its chat template, then
queues it; every ``batch-size`` rows the queue is tokenised in one batch call (the tokenizers
library spreads a batch over every core) and judged. Findings and per-split totals live in the
state, which merges by addition; ``finalize`` adds the file, dataset and summary findings.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dslint.check import CheckContext, DatasetCheck
from dslint.checks.trainer.conversation import Sequence, sequences
from dslint.checks.trainer.lengths import Fit, Segment, fit
from dslint.checks.trainer.roles import check_roles
from dslint.checks.trainer.rules import (
    EXAMPLE_DROPPED,
    EXAMPLE_TRUNCATED,
    LAYOUT_NOT_ACCEPTED,
    NO_TRAINABLE_TOKENS,
    SPECIAL_TOKEN_IN_CONTENT,
    TEMPLATE_ERROR,
    TOO_FEW_EXAMPLES,
    TRAINER_RULES,
    TRAINER_SUMMARY,
    TrainerOptions,
)
from dslint.checks.trainer.template import BUILTIN_TEMPLATES, ChatTemplate, Rendered, TemplateFailed
from dslint.finding import Finding, Location
from dslint.profiles import Profile, load_profile
from dslint.record import Record
from dslint.redact import quote
from dslint.tokens import OffsetEncoder, TokenizerError, build_offset_encoder, read_model_folder

UNSPLIT = "(unsplit)"
# OpenAI's default-epochs rule from its data-preparation cookbook.
_TARGET_EPOCHS, _MIN_TARGET_EXAMPLES, _MAX_TARGET_EXAMPLES, _MAX_DEFAULT_EPOCHS = 3, 100, 25_000, 25


@dataclass
class Totals:
    examples: int = 0
    sequences: int = 0
    tokens: int = 0
    trainable_tokens: int = 0
    trained_tokens: int = 0  # trainable tokens left after truncation, in rows not dropped
    dropped: int = 0
    truncated: int = 0
    no_trainable: int = 0
    template_errors: int = 0
    billed_tokens: int = 0  # openai: sum of min(tokens, limit) per example

    def add(self, other: Totals) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _Item:
    record: Record  # a stub: location and content hash, no data
    seq: Sequence
    texts: list[str]  # what is tokenised: the rendered row, or each turn (segment mode)
    spans: tuple[tuple[int, int], ...] = ()  # trainable character spans of texts[0] (template mode)


@dataclass
class TrainerState:
    pending: list[_Item] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    splits: dict[str, Totals] = field(default_factory=dict)
    layouts: dict[str, tuple[str, str | None, int]] = field(default_factory=dict)  # file -> (layout, split, rows)

    def totals(self, split: str | None) -> Totals:
        return self.splits.setdefault(split or UNSPLIT, Totals())


class TrainerCheck(DatasetCheck[TrainerState]):
    rules = TRAINER_RULES
    stats_key = "trainer"

    def __init__(self, ctx: CheckContext | None = None) -> None:
        super().__init__(ctx)
        self.opts: TrainerOptions = self.ctx.opts(TRAINER_SUMMARY)
        self.profile: Profile | None = load_profile(self.ctx.profile) if self.ctx.profile else None
        self.encoder: OffsetEncoder | None = None
        self.note = ""  # why tokens are estimated although the profile names a tokenizer
        self.template_source: str | None = None
        self.template_name = ""
        self.variables: dict[str, Any] = {}
        self.eos = ""
        self._chat: ChatTemplate | None = None
        self.specials: tuple[str, ...] = ()
        if self.profile is not None:
            self._configure(self.profile)

    # --- set-up -------------------------------------------------------------------------------

    def _configure(self, profile: Profile) -> None:
        opts = self.opts
        folder = read_model_folder(self.ctx.path(opts.model)) if opts.model else None
        spec = opts.tokenizer or (folder.tokenizer if folder else None)
        if spec is not None:
            self.encoder = build_offset_encoder(spec, self.ctx.root)  # the user's choice: errors stop the run
        elif profile.tokenizer:
            try:
                self.encoder = build_offset_encoder(profile.tokenizer)
            except TokenizerError as exc:
                self.note = f"{exc}"  # e.g. the tiktoken encoding is not cached
        self.max_length = opts.max_length or (
            profile.limits.get(self.model_name, profile.max_length) if profile.limits else profile.max_length
        )
        self.overflow = opts.overflow or profile.overflow
        self.loss = opts.loss or profile.loss
        if self.encoder is None or profile.role_rules == "openai":
            return  # segment mode: per-message counts plus the template's tokens per message
        if opts.chat_template:
            if opts.chat_template not in BUILTIN_TEMPLATES:
                raise TokenizerError(f"unknown chat-template '{opts.chat_template}' (built in: {', '.join(BUILTIN_TEMPLATES)})")
            self.template_source, self.template_name = BUILTIN_TEMPLATES[opts.chat_template], opts.chat_template
        elif folder is not None and folder.chat_template:
            self.template_source, self.template_name = folder.chat_template, "the model's chat template"
        else:
            self.template_source, self.template_name = BUILTIN_TEMPLATES[profile.template], profile.template
        bos, eos = (folder.bos_token, folder.eos_token) if folder else (None, None)
        self.variables = {"bos_token": bos or "", "eos_token": eos or ""}
        self.eos = eos or ""
        try:
            self.chat()
        except TemplateFailed as exc:
            raise TokenizerError(str(exc)) from None
        self.specials = self._emitted_specials({t for t in (bos, eos) if t} | set(self.encoder.specials))

    @property
    def model_name(self) -> str:
        assert self.profile is not None
        return self.opts.openai_model or self.profile.default_model or ""

    def chat(self) -> ChatTemplate:
        if self._chat is None:
            self._chat = ChatTemplate(self.template_source or "", self.variables)
        return self._chat

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_chat": None}  # compiled templates do not pickle; workers recompile

    def _emitted_specials(self, candidates: set[str]) -> tuple[str, ...]:
        """The special tokens the template writes around a probe conversation."""
        probe = [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]
        try:
            text = self.chat().render(probe)
        except TemplateFailed:
            return ()
        return tuple(sorted(t for t in candidates if t and t in text))

    @property
    def measured_with(self) -> str:
        if self.encoder is None:
            est = f"estimate: {self.opts.chars_per_token:g} characters per token"
            return f"{est}; {self.note}" if self.note else est
        if self.template_source is None:
            return f"{self.encoder.name}, {self.profile.tokens_per_message} tokens per message"  # type: ignore[union-attr]
        return f"{self.encoder.name}, template: {self.template_name}"

    # --- the mergeable state ------------------------------------------------------------------

    def init(self) -> TrainerState:
        return TrainerState()

    def update(self, state: TrainerState, record: Record) -> TrainerState:
        profile = self.profile
        if profile is None or not record.fields:
            return state
        layout = record.format.name if record.format is not None else "unknown"
        if layout not in profile.layouts:
            prev = state.layouts.get(record.file)
            state.layouts[record.file] = (layout, record.split, (prev[2] if prev else 0) + 1)
            return state
        totals = state.totals(record.split)
        totals.examples += 1
        stub = Record(record.file, record.line, record.index, {}, record.split, None, record.content_hash)
        self._special_tokens(state, record)
        for seq in sequences(record, self.loss, profile.pairs_as_chat):
            reason = check_roles(profile.role_rules, record, seq)
            if reason is not None:
                totals.dropped += 1
                state.findings.append(self._dropped(stub, seq, reason))
                continue
            try:
                state.pending.append(self._prepare(stub, seq))
            except TemplateFailed as exc:
                totals.template_errors += 1
                message = f"the chat template ({self.template_name}) fails on this row: {quote(str(exc), 160)}"
                state.findings.append(TEMPLATE_ERROR.at(stub, message, key=seq.branch or ""))
        if len(state.pending) >= self.opts.batch_size:
            self._flush(state)
        return state

    def merge(self, a: TrainerState, b: TrainerState) -> TrainerState:
        self._flush(a)
        self._flush(b)
        out = TrainerState(findings=[*a.findings, *b.findings])
        for state in (a, b):
            for split, totals in state.splits.items():
                out.splits.setdefault(split, Totals()).add(totals)
            for file, (layout, split, rows) in state.layouts.items():
                prev = out.layouts.get(file)
                out.layouts[file] = (layout, split, rows + (prev[2] if prev else 0))
        return out

    def finalize(self, state: TrainerState) -> Iterable[Finding]:
        if self.profile is None:
            return []
        self._flush(state)
        out = list(state.findings)
        for file, (layout, split, rows) in sorted(state.layouts.items()):
            out.append(self._layout(file, layout, split, rows))
        train = [t for s, t in state.splits.items() if s in ("train", UNSPLIT)]
        usable = sum(t.examples for t in train) - sum(t.dropped for t in train)
        if self.profile.min_examples and state.splits and usable < self.profile.min_examples:
            out.append(TOO_FEW_EXAMPLES.dataset(
                f"{usable:,} usable training examples; {self.profile.title} requires at least {self.profile.min_examples}",
                key="train", metrics={"examples": usable, "minimum": self.profile.min_examples},
            ))
        if state.splits:
            out.append(self._summary(state))
        return out

    # --- measuring ----------------------------------------------------------------------------

    def _prepare(self, stub: Record, seq: Sequence) -> _Item:
        if self.template_source is None:  # segment mode: each turn alone
            return _Item(stub, seq, [t.text for t in seq.turns])
        if seq.chat:
            messages = [{"role": t.role, "content": t.text} for t in seq.turns]
            rendered = self.chat().render_masked(messages, [t.trainable for t in seq.turns])
        else:
            rendered = _concatenated(seq, self.eos)
        return _Item(stub, seq, [rendered.text], rendered.trainable)

    def _flush(self, state: TrainerState) -> None:
        """Tokenise the queued rows in one batch and judge each."""
        items, state.pending = state.pending, []
        if not items:
            return
        texts = [t for item in items for t in item.texts]
        if self.encoder is not None:
            starts = self.encoder.starts(texts)
        else:
            starts = [[0] * math.ceil(len(t) / self.opts.chars_per_token) for t in texts]  # counts only
        pos = 0
        for item in items:
            found = starts[pos : pos + len(item.texts)]
            pos += len(item.texts)
            self._judge(state, item, self._segments(item, found))

    def _segments(self, item: _Item, starts: list[list[int]]) -> list[Segment]:
        if self.template_source is None:
            profile = self.profile
            assert profile is not None
            segs: list[Segment] = []
            for turn, found in zip(item.seq.turns, starts):
                segs += [(profile.tokens_per_message, False), (len(found), turn.trainable)]
            segs.append((profile.tokens_per_example, False))
            return segs
        return _classify(starts[0], item.spans)

    def _judge(self, state: TrainerState, item: _Item, segments: list[Segment]) -> None:
        profile = self.profile
        assert profile is not None
        side = profile.preference_truncation_side if item.seq.branch else profile.truncation_side
        result = fit(segments, self.max_length, self.overflow, side, pairs=profile.role_rules == "llama-factory")
        totals = state.totals(item.record.split)
        totals.sequences += 1
        totals.tokens += result.tokens
        totals.trainable_tokens += result.trainable
        if profile.limits:
            totals.billed_tokens += min(result.tokens, self.max_length or result.tokens)
        if result.dropped:
            totals.dropped += 1
            reason = f"{result.tokens:,} tokens, over {profile.max_length_key} {self.max_length:,} (overflow: drop)"
            state.findings.append(self._dropped(item.record, item.seq, reason, result))
            return
        totals.trained_tokens += result.kept_trainable
        if result.kept_trainable == 0:
            totals.no_trainable += 1
            state.findings.append(self._no_trainable(item, result))
        elif result.truncated:
            totals.truncated += 1
            state.findings.append(self._truncated(item, result, side))

    def _special_tokens(self, state: TrainerState, record: Record) -> None:
        if not self.specials or not self.ctx.is_enabled(SPECIAL_TOKEN_IN_CONTENT):
            return
        for f in record.fields:
            hits = [t for t in self.specials if t in f.text]
            if hits:
                message = (f"{f.role} text contains {quote(hits[0])}, a special token the chat template also writes:"
                           " the tokenizer reads it as that control token")
                state.findings.append(SPECIAL_TOKEN_IN_CONTENT.at(record, message, field=f.pointer,
                                                                  metrics={"token": hits[0]}, key=hits[0]))

    # --- findings -----------------------------------------------------------------------------

    def _who(self) -> str:
        return self.profile.title if self.profile else ""

    def _dropped(self, stub: Record, seq: Sequence, reason: str, result: Fit | None = None) -> Finding:
        verb = "rejects" if self.profile is not None and self.profile.role_rules in ("openai", "torchtune") and result is None else "drops"
        what = f"the {seq.branch} side of this row" if seq.branch else "this row"
        metrics: dict[str, Any] = {"tokens": result.tokens, "max_length": self.max_length} if result else {}
        return EXAMPLE_DROPPED.at(stub, f"{self._who()} {verb} {what}: {reason}", metrics=metrics, key=seq.branch or "")

    def _truncated(self, item: _Item, r: Fit, side: str) -> Finding:
        lost = r.trainable - r.kept_trainable
        what = f"the {item.seq.branch} side of this row" if item.seq.branch else "this row"
        end = "end" if side == "right" else "start"
        message = (
            f"{self._who()} truncates {what} to {self.profile.max_length_key} {self.max_length:,} ({self.measured_with}):"  # type: ignore[union-attr]
            f" {r.tokens:,} tokens, {r.tokens - r.kept:,} cut from the {end};"
            f" {lost:,} of {r.trainable:,} trainable tokens lost ({lost / r.trainable:.0%})"
        )
        metrics = {"tokens": r.tokens, "max_length": self.max_length, "cut_tokens": r.tokens - r.kept,
                   "trainable_tokens": r.trainable, "trainable_lost": lost}
        return EXAMPLE_TRUNCATED.at(item.record, message, metrics=metrics, key=item.seq.branch or "")

    def _no_trainable(self, item: _Item, r: Fit) -> Finding:
        what = f"the {item.seq.branch} side of this row" if item.seq.branch else "this row"
        if r.trainable == 0:
            why = f"no token of {what} carries loss after masking (loss: {self.loss})"
        else:
            why = (f"{self._who()} truncates {what} to {self.profile.max_length_key} {self.max_length:,} and cuts"  # type: ignore[union-attr]
                   f" all {r.trainable:,} trainable tokens: the whole answer is lost")
        metrics = {"tokens": r.tokens, "trainable_tokens": r.trainable, "max_length": self.max_length}
        return NO_TRAINABLE_TOKENS.at(item.record, why, metrics=metrics, key=item.seq.branch or "")

    def _layout(self, file: str, layout: str, split: str | None, rows: int) -> Finding:
        accepted = ", ".join(self.profile.layouts)  # type: ignore[union-attr]
        return LAYOUT_NOT_ACCEPTED.dataset(
            f"{self._who()} does not load the {layout} layout ({rows:,} rows not measured); it loads: {accepted}",
            key=f"{file}\0{layout}", location=Location(file=file, split=split), metrics={"layout": layout, "records": rows},
        )

    def _summary(self, state: TrainerState) -> Finding:
        all_ = Totals()
        for totals in state.splits.values():
            all_.add(totals)
        share = all_.trainable_tokens / all_.tokens if all_.tokens else 0.0
        message = (
            f"{self._who()} ({self.measured_with}): {all_.examples:,} examples, {all_.tokens:,} tokens,"
            f" {all_.trainable_tokens:,} trainable ({share:.0%}); {all_.dropped:,} dropped, {all_.truncated:,}"
            f" truncated, {all_.no_trainable:,} with no trainable token, {all_.template_errors:,} template errors"
        )
        metrics: dict[str, Any] = {"examples": all_.examples, "tokens": all_.tokens, "trainable_tokens": all_.trainable_tokens,
                                   "dropped": all_.dropped, "truncated": all_.truncated}
        billed = self._billed(state)
        if billed is not None:
            message += f"; about {billed[0]:,} billed tokens for {billed[1]} epochs"
            metrics.update(billed_tokens=billed[0], epochs=billed[1])
        return TRAINER_SUMMARY.dataset(message, key="summary", metrics=metrics)

    def _billed(self, state: TrainerState) -> tuple[int, int] | None:
        """openai: billed tokens = epochs × Σ min(tokens, limit) over the training examples."""
        if self.profile is None or not self.profile.limits:
            return None
        train = [t for s, t in state.splits.items() if s in ("train", UNSPLIT)]
        n = sum(t.examples for t in train)
        if not n:
            return None
        epochs = self.opts.epochs or self.profile.epochs or default_epochs(n)
        return epochs * sum(t.billed_tokens for t in train), epochs

    def stats(self, state: TrainerState) -> dict[str, Any]:
        if self.profile is None or not state.splits:
            return {}
        self._flush(state)
        out: dict[str, Any] = {
            "profile": self.profile.name,
            "measured_with": self.measured_with,
            "max_length": self.max_length,
            "overflow": self.overflow,
            "loss": self.loss,
            "splits": {s: dict(vars(t)) for s, t in sorted(state.splits.items())},
        }
        billed = self._billed(state)
        if billed is not None:
            out["billed_tokens"], out["epochs"] = billed
        return out


def default_epochs(n_examples: int) -> int:
    """OpenAI's default number of epochs for ``n_examples`` training examples (its cookbook)."""
    if n_examples * _TARGET_EPOCHS < _MIN_TARGET_EXAMPLES:
        return min(_MAX_DEFAULT_EPOCHS, _MIN_TARGET_EXAMPLES // n_examples)
    if n_examples * _TARGET_EPOCHS > _MAX_TARGET_EXAMPLES:
        return max(1, _MAX_TARGET_EXAMPLES // n_examples)
    return _TARGET_EPOCHS


def _concatenated(seq: Sequence, eos: str) -> Rendered:
    """TRL's non-conversational rows: the texts one after the other, then EOS (part of the completion)."""
    parts, spans, pos = [], [], 0
    for turn in seq.turns:
        parts.append(turn.text)
        if turn.trainable:
            spans.append((pos, pos + len(turn.text)))
        pos += len(turn.text)
    if eos:
        if seq.turns and seq.turns[-1].trainable:
            spans.append((pos, pos + len(eos)))
        parts.append(eos)
    return Rendered("".join(parts), tuple(spans), True)


def _classify(starts: list[int], spans: tuple[tuple[int, int], ...]) -> list[Segment]:
    """Runs of tokens in and out of the trainable spans (sorted, disjoint): a token is trainable
    when its first character is in a span. ``starts`` is sorted, so each span is two bisections."""
    segments: list[Segment] = []
    done = 0
    for a, b in spans:
        i, j = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
        if i > done:
            segments.append((i - done, False))
        if j > max(i, done):
            segments.append((j - max(i, done), True))
        done = max(done, j)
    if len(starts) > done:
        segments.append((len(starts) - done, False))
    return segments
