"""Deterministic generator of a realistic chat fine-tuning corpus (OpenAI chat JSONL).

Conversations mix support, coding, writing and multilingual topics, 1-4 turns, some with system
prompts and tool calls, and a small share of typical defects, so that a benchmark exercises the
same paths real data does.

    python bench/corpus.py out.jsonl --records 100000 --seed 7
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SYSTEMS = [
    "You are a helpful assistant.",
    "You are a concise support agent for a cloud storage product.",
    "You are a senior Python engineer. Answer with working code.",
    "Du bist ein freundlicher Assistent. Antworte auf Deutsch.",
    "You are a careful medical information assistant. Always recommend seeing a doctor.",
]
SUBJECTS = ["invoice", "password reset", "shared folder", "sync client", "API quota", "team plan", "backup", "mobile app"]
VERBS = ["configure", "debug", "explain", "compare", "migrate", "optimise", "document", "test"]
TOPICS = ["a binary search", "Python decorators", "SQL joins", "a REST API", "Docker volumes", "unit tests", "regular expressions", "async IO"]
WORDS = (
    "the of and to in is that for it with as was on be at by this had not are but from or have an they which one you were "
    "all she there would their we him been has when who will more no if out so said what up its about than into them can only "
    "other new some could time these two may then do first any my now such like our over man me even most made after also did "
    "many before must through back years where much your way well down should because each just those people how too little state"
).split()
MULTI = ["Grüße aus München, schönen Tag!", "Merci beaucoup, c'est très clair.", "東京の天気はどうですか？", "شكرا جزيلا على المساعدة", "Спасибо, всё понятно.", "¿Dónde está la estación?"]


def _sentence(rng: random.Random, lo: int = 6, hi: int = 22) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!"])


def _paragraph(rng: random.Random, sentences: tuple[int, int] = (2, 7)) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(*sentences)))


def _user(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return f"How do I {rng.choice(VERBS)} the {rng.choice(SUBJECTS)}? {_sentence(rng)}"
    if kind < 0.7:
        return f"Can you {rng.choice(VERBS)} {rng.choice(TOPICS)} for me? {_paragraph(rng, (1, 3))}"
    if kind < 0.85:
        return rng.choice(MULTI) + " " + _sentence(rng)
    return _paragraph(rng, (3, 10))


def _assistant(rng: random.Random) -> str:
    text = _paragraph(rng)
    if rng.random() < 0.25:
        n = rng.randint(1, 40)
        text += f"\n\n```python\ndef solve(items):\n    return sorted(items)[:{n}]\n```\n\n" + _sentence(rng)
    if rng.random() < 0.2:
        text += "\n\n" + "\n".join(f"{i}. {_sentence(rng, 4, 10)}" for i in range(1, rng.randint(3, 6)))
    return text


def record(rng: random.Random, i: int) -> dict:
    messages = []
    if rng.random() < 0.6:
        messages.append({"role": "system", "content": rng.choice(SYSTEMS)})
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
        messages.append({"role": "user", "content": _user(rng)})
        if rng.random() < 0.05:
            call = f"call_{i}_{len(messages)}"
            messages.append({"role": "assistant", "content": None, "tool_calls": [
                {"id": call, "type": "function", "function": {"name": "search_docs", "arguments": json.dumps({"q": rng.choice(SUBJECTS)})}}]})
            messages.append({"role": "tool", "tool_call_id": call, "content": _sentence(rng)})
        messages.append({"role": "assistant", "content": _assistant(rng)})
    # a small share of typical defects
    roll = rng.random()
    if roll < 0.01:
        messages = messages[:-1]  # no final assistant turn
    elif roll < 0.015:
        messages[-1]["content"] = "As an AI language model, I cannot do that. " + messages[-1]["content"]
    elif roll < 0.02:
        messages[-1]["content"] = "  "
    return {"messages": messages}


def instruction_record(rng: random.Random, i: int) -> dict:
    """An Alpaca/Dolly-style instruction record (instruction, input, output) from the same prose."""
    context = _paragraph(rng, (1, 4)) if rng.random() < 0.4 else ""
    return {"instruction": _user(rng), "input": context, "output": _assistant(rng)}


LAYOUTS = {"chat": record, "instruction": instruction_record}


def write_corpus(path: Path, records: int, seed: int = 7, layout: str = "chat") -> Path:
    rng = random.Random(seed)
    make = LAYOUTS[layout]
    with path.open("w", encoding="utf-8") as out:
        for i in range(records):
            out.write(json.dumps(make(rng, i), ensure_ascii=False) + "\n")
    return path


SPLIT_SHARES = {"train": 0.9, "validation": 0.05, "test": 0.05}


def write_split_corpus(folder: Path, records: int, seed: int = 7, layout: str = "chat") -> list[Path]:
    """The same kind of corpus as train/validation/test files (90/5/5), so the cross-split
    checks (leakage) do their full work too. Each split has its own seed."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_corpus(folder / f"{split}.jsonl", round(records * share), seed + i, layout)
        for i, (split, share) in enumerate(SPLIT_SHARES.items())
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_corpus(args.output, args.records, args.seed)


if __name__ == "__main__":
    main()
