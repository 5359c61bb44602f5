"""Benchmark: trainer-profile tokenisation (DS9xx) on a chat corpus, with and without batching.

Builds a byte-level BPE tokenizer (trained here on a sample of the corpus, no download) and a
model folder with a ChatML chat template, then measures in one run:
  - tokenisation alone: the rendered rows encoded with ``encode_batch`` (batches of --batch)
    versus one ``encode`` call per row;
  - the whole trainer check (``profile: trl``, assistant-only loss: role rules, template
    rendering with prefix renders for the loss mask, tokenisation, length judgement) with the
    batched and the per-row tokenizer.
Prints records/s and the ratios; asserts nothing.

    python bench/bench_profiles.py --records 100000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import record  # noqa: E402

from dslint.check import CheckContext  # noqa: E402
from dslint.checks.trainer.check import TrainerCheck  # noqa: E402
from dslint.checks.trainer.rules import TRAINER_SUMMARY, TrainerOptions  # noqa: E402
from dslint.formats import make_format  # noqa: E402
from dslint.record import Record  # noqa: E402
from dslint.tokens import HFOffsets  # noqa: E402

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def model_folder(folder: Path, rows: list[dict]) -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=8000, special_tokens=["<|im_start|>", "<|im_end|>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    sample = (m["content"] for r in rows[:5000] for m in r["messages"] if isinstance(m.get("content"), str))
    tok.train_from_iterator(sample, trainer)
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(json.dumps({"chat_template": CHATML, "eos_token": "</s>"}))
    return folder


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>12,.0f} records/s  ({seconds:6.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows = [record(rng, i) for i in range(args.records)]
    chat = make_format("openai-chat")
    with tempfile.TemporaryDirectory() as tmp:
        folder = model_folder(Path(tmp) / "model", rows)
        options = TrainerOptions(model=str(folder), max_length=2048, loss="outputs", batch_size=args.batch)
        ctx = CheckContext(options={TRAINER_SUMMARY.code: options}, profile="trl")
        checks = {"batched": TrainerCheck(ctx), "one by one": TrainerCheck(ctx)}
        checks["one by one"].encoder = HFOffsets(str(folder / "tokenizer.json"), batched=False)

        # tokenisation alone, on the rendered rows
        template = checks["batched"].chat()
        texts = [template.render([m for m in r["messages"] if isinstance(m.get("content"), str)]) for r in rows]
        print(f"{args.records:,} chat records, {sum(map(len, texts)) / len(texts):,.0f} characters each once templated")
        print("tokenisation only (encode with offsets):")
        timings = {}
        for name, check in checks.items():
            start = time.perf_counter()
            for i in range(0, len(texts), args.batch):
                check.encoder.starts(texts[i : i + args.batch])
            timings[name] = time.perf_counter() - start
            print(f"  {name:<11} {rate(len(texts), timings[name])}")
        print(f"  batching is {timings['one by one'] / timings['batched']:.1f}x faster")

        print("whole trainer check (roles, template + prefix renders for the mask, tokens, lengths):")
        for name, check in checks.items():
            start = time.perf_counter()
            state = check.init()
            for i, data in enumerate(rows):
                state = check.update(state, Record("bench.jsonl", i + 1, i, data, "train", chat))
            findings = list(check.finalize(state))
            timings[name] = time.perf_counter() - start
            print(f"  {name:<11} {rate(len(rows), timings[name])}  {len(findings):,} findings")
        print(f"  batching is {timings['one by one'] / timings['batched']:.1f}x faster")


if __name__ == "__main__":
    main()
