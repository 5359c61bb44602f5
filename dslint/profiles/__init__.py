"""Trainer profiles: what one fine-tuning trainer does to the rows of a dataset at load time.

A profile is a YAML file in this folder, validated by ``Profile``: the layouts the trainer
accepts, its role rules, how it judges length (its maximum, and whether it drops or truncates an
overlong row, from which side), which tokens carry loss, and the severity of each DS9xx rule.
Every value cites the trainer's own documentation or source under ``sources``. Profiles are data,
shipped with dslint; a config names one with ``profile:`` (or ``--profile``), never a file.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dslint.finding import Severity
from dslint.yamlpos import ConfigError, did_you_mean, load_yaml

_HERE = Path(__file__).resolve().parent
Overflow = Literal["truncate", "drop", "error"]
Loss = Literal["outputs", "completion", "all"]
RoleRules = Literal["none", "openai", "llama-factory", "torchtune"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=lambda n: n.replace("_", "-"))


class Source(_Model):
    """Where a rule of the profile comes from."""

    what: str
    url: str


class Profile(_Model):
    name: str
    title: str = Field(description="The trainer, as its users name it.")
    layouts: list[str] = Field(description="dslint format names the trainer loads; other files are DS901.")
    max_length: int | None = Field(description="The trainer's default maximum sequence length; null: none.")
    max_length_key: str = Field(description="The trainer's name for the maximum, quoted in messages.")
    overflow: Overflow = Field(description="What the trainer does with a longer row.")
    truncation_side: Literal["right", "left"] = "right"
    preference_truncation_side: Literal["right", "left"] = "right"
    loss: Loss = Field(
        description="Trainable tokens: outputs (assistant turns, completions), completion (outputs for"
        " prompt/completion layouts, every token for conversations), all."
    )
    pairs_as_chat: bool = Field(True, description="Prompt/completion layouts are templated as a conversation.")
    role_rules: RoleRules = "none"
    template: str = Field("chatml", description="The built-in chat template used when the model folder has none.")
    tokens_per_message: int = Field(4, description="Template tokens per message when tokens are estimated.")
    tokens_per_example: int = Field(0, description="Template tokens per example when tokens are estimated.")
    tokenizer: str | None = Field(None, description="The tokenizer the trainer's service counts with (openai).")
    limits: dict[str, int] = Field(default_factory=dict, description="Per-example token limits by model (openai).")
    default_model: str | None = None
    min_examples: int | None = None
    epochs: int | None = Field(None, description="Epochs for the billed-token estimate; null: the service's rule.")
    severity: dict[str, Severity] = Field(default_factory=dict)
    select: list[str] = Field(description="The DS9xx rules the profile turns on.")
    sources: list[Source]


def profile_names() -> list[str]:
    return sorted(p.stem for p in _HERE.glob("*.yaml"))


@functools.lru_cache(maxsize=8)
def load_profile(name: str) -> Profile:
    """The named built-in profile; ``ConfigError`` (one line) for an unknown name."""
    names = profile_names()
    if name not in names:
        raise ConfigError(f"unknown profile '{name}'{did_you_mean(name, names)} (profiles: {', '.join(names)})")
    data, _ = load_yaml(_HERE / f"{name}.yaml", f"profiles/{name}.yaml")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:  # a broken shipped file: a bug, reported in one line
        raise ConfigError(f"profile '{name}' is invalid: {exc.errors()[0]['msg']}") from None


__all__ = ["Profile", "Source", "load_profile", "profile_names"]
