"""Shell completion scripts for bash, zsh and fish, generated from the argparse parser by shtab.

shtab writes static scripts: a TAB costs no Python start-up (importing dslint and its rules takes
a second or more, which argcomplete's call-back design would pay on every TAB). The built-in rule
codes, names and families are written into the script, completed one by one in the
comma-separated lists of ``--select``, ``--extend-select`` and ``--ignore``, and as the argument
of ``dslint rule``. Regenerate the script after upgrading dslint.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from dslint.check import Rule
from dslint.finding import FAMILIES

SHELLS = ("bash", "zsh", "fish")
_SELECTOR_OPTIONS = {"select", "extend_select", "ignore"}
_FILE_OPTIONS = {"config", "output", "baseline", "summary_file"}


def _bash(fn: str, words: list[str], lists: bool) -> str:
    """A bash function completing ``$1`` from ``words``, after the last comma when ``lists``."""
    split = 'prefix="${cur%,*},"; cur="${cur##*,}"' if lists else ":"
    return f"""
{fn}() {{
  local cur="$1" prefix=""
  if [[ "$cur" == *,* ]]; then {split}; fi
  compgen -P "$prefix" -W "{' '.join(words)}" -- "$cur"
}}"""


def _zsh(fn: str, words: list[str], lists: bool) -> str:
    separator = "-s , " if lists else ""
    return f"""
{fn}() {{
  _values {separator}'rule' {' '.join(words)}
}}"""


def _fish(fn: str, words: list[str], lists: bool) -> str:
    prefix = "(string replace -r '[^,]*$' '' -- (commandline -ct))" if lists else "''"
    return f"""
function {fn}
  set -l prefix {prefix}
  for word in {' '.join(words)}
    printf '%s%s\\n' $prefix $word
  end
end"""


def _complete(fn: str, words: list[str], lists: bool) -> dict:
    """A shtab ``complete`` spec: which function each shell calls, and its definition."""
    return {
        "bash": fn,
        "zsh": fn,
        "fish": f"({fn})",
        "preamble": {shell: make(fn, words, lists) for shell, make in (("bash", _bash), ("zsh", _zsh), ("fish", _fish))},
    }


def _actions(parser: argparse.ArgumentParser) -> Iterable[tuple[str, argparse.Action]]:
    """Every action of every subcommand, with the subcommand's name."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from ((name, a) for a in sub._actions)


def completion_script(shell: str, parser: argparse.ArgumentParser, rules: Iterable[Rule]) -> str:
    import shtab

    rules = list(rules)
    names = [w for r in rules for w in (r.code, r.name)]
    selectors = sorted({*names, *FAMILIES, "ALL"})
    for command, action in _actions(parser):
        if action.dest in _SELECTOR_OPTIONS:
            action.complete = _complete("_dslint_selectors", selectors, lists=True)  # type: ignore[attr-defined]
        elif command == "rule" and action.dest == "code":
            action.complete = _complete("_dslint_rules", sorted(names), lists=False)  # type: ignore[attr-defined]
        elif action.dest == "paths" or action.dest in _FILE_OPTIONS:
            action.complete = shtab.FILE  # type: ignore[attr-defined]
    return shtab.complete(parser, shell=shell)
