"""Chat templates rendered as transformers renders them, and the character spans that carry loss.

Templates run in ``jinja2.sandbox.ImmutableSandboxedEnvironment`` with ``trim_blocks`` and
``lstrip_blocks``, the ``raise_exception`` and ``strftime_now`` globals, a ``tojson`` filter
that keeps non-ASCII text, and the ``{% generation %}`` tag that marks assistant text, as in
transformers' ``_compile_jinja_template``. ``strftime_now`` formats a fixed date (2024-01-01),
so counts never depend on the day dslint runs. Jinja2 (extra ``dslint[trainer]``) is imported
only when a template is compiled.
"""

from __future__ import annotations

import contextvars
import datetime
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
BUILTIN_TEMPLATES = {"chatml": CHATML}
_FIXED_NOW = datetime.datetime(2024, 1, 1, 12, 0, 0)
Span = tuple[int, int]

# (blocks rendered so far, spans found) of the render in progress in this thread
_TRACK: contextvars.ContextVar[tuple[list[str], list[Span]] | None] = contextvars.ContextVar("track", default=None)


class TemplateFailed(Exception):
    """The template raised on a conversation; ``str()`` is the template's own message."""


def _generation_tag() -> type:
    """The ``{% generation %}...{% endgeneration %}`` extension: records where its text lands."""
    import jinja2.ext
    from jinja2 import nodes

    class GenerationTag(jinja2.ext.Extension):
        tags = {"generation"}

        def parse(self, parser: Any) -> nodes.Node:
            lineno = next(parser.stream).lineno
            body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
            return nodes.CallBlock(self.call_method("_mark"), [], [], body).set_lineno(lineno)

        def _mark(self, caller: Any) -> str:
            text = caller()
            track = _TRACK.get()
            if track is not None:
                start = sum(len(b) for b in track[0])
                track[1].append((start, start + len(text)))
            return text

    return GenerationTag


def _raise(message: str) -> None:
    raise TemplateFailed(message)


def _tojson(value: Any, ensure_ascii: bool = False, indent: int | None = None, separators: Any = None,
            sort_keys: bool = False) -> str:
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


@functools.lru_cache(maxsize=8)
def compile_template(source: str) -> Any:
    """Compile a chat template; a syntax error becomes ``TemplateFailed``."""
    try:
        import jinja2
        import jinja2.ext
        from jinja2.sandbox import ImmutableSandboxedEnvironment
    except ImportError:
        raise TemplateFailed("chat templates need the jinja2 package: pip install 'dslint[trainer]'") from None
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[_generation_tag(), jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = _tojson
    env.globals["raise_exception"] = _raise
    env.globals["strftime_now"] = _FIXED_NOW.strftime
    try:
        return env.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateFailed(f"the chat template does not compile: {exc.message} (line {exc.lineno})") from None


@dataclass(frozen=True)
class Rendered:
    text: str
    trainable: tuple[Span, ...]  # character spans whose tokens carry loss, in order
    exact: bool  # False when some trainable message could not be located (counted as input)


class ChatTemplate:
    """A compiled template and the variables it is rendered with (bos_token, eos_token)."""

    def __init__(self, source: str, variables: Mapping[str, Any]) -> None:
        self.template = compile_template(source)
        self.variables = dict(variables)
        self.has_generation = "generation" in source and "endgeneration" in source

    def render(self, messages: Sequence[Mapping[str, Any]], add_generation_prompt: bool = False) -> str:
        return self._render(messages, add_generation_prompt)[0]

    def _render(self, messages: Sequence[Mapping[str, Any]], add_generation_prompt: bool) -> tuple[str, list[Span]]:
        import jinja2

        blocks: list[str] = []
        spans: list[Span] = []
        token = _TRACK.set((blocks, spans))
        try:
            for block in self.template.generate(
                messages=list(messages), add_generation_prompt=add_generation_prompt, **self.variables
            ):
                blocks.append(block)
        except TemplateFailed:
            raise
        except jinja2.TemplateError as exc:
            raise TemplateFailed(exc.message or type(exc).__name__) from None
        except Exception as exc:  # a template bug on this row (a KeyError, a TypeError, ...)
            raise TemplateFailed(f"{type(exc).__name__}: {exc}") from None
        finally:
            _TRACK.reset(token)
        return "".join(blocks), spans

    def render_masked(self, messages: Sequence[Mapping[str, Any]], trainable: Sequence[bool]) -> Rendered:
        """The conversation's text and the spans of its trainable messages.

        With ``{% generation %}`` blocks the spans are theirs. Otherwise message i spans from the
        end of ``messages[:i]`` rendered with the generation prompt to the end of ``messages[:i+1]``,
        when both renders are prefixes of the whole (templates that rewrite earlier turns are not:
        such a message is counted as input and the result is marked inexact).
        """
        text, generation = self._render(messages, False)
        if all(trainable):  # every token carries loss (train_on_inputs, TRL's conversations)
            return Rendered(text, ((0, len(text)),), True)
        if self.has_generation:
            return Rendered(text, tuple(generation), True)
        spans: list[Span] = []
        exact = True
        for i, on in enumerate(trainable):
            if not on:
                continue
            try:
                prompt = messages[i].get("role") == "assistant"  # its header is the generation prompt
                before = self.render(messages[:i], add_generation_prompt=prompt) if i else ""
                upto = self.render(messages[: i + 1])
            except TemplateFailed:
                exact = False
                continue
            if text.startswith(upto) and upto.startswith(before) and len(upto) > len(before):
                spans.append((len(before), len(upto)))
            else:
                exact = False
        return Rendered(text, tuple(spans), exact)


def builtin_template(name: str) -> str:
    return BUILTIN_TEMPLATES[name]
