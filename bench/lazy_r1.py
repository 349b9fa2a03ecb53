"""Milliseconds per training step of the grid25 recipes with R1 taken every K-th D step.

The table behind ``--set loss.r1_every=K`` (docs/speed.md). Every K trains in this process,
taking turns block by block, and each block is also taken against R1 on every step in the
same round; both are medians over rounds. ``off`` sets K past the run's length, so R1 runs
on the first D step only.
Run: python bench/lazy_r1.py [--steps N] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch
from precision import trainer_for

RECIPES = ["pacgan-grid25", "pacgan4-grid25"]
EVERY = {"1": 1, "2": 2, "4": 4, "8": 8, "off": 10**9}


def measure(recipe: str, steps: int, rounds: int) -> dict[str, dict[str, float]]:
    """Milliseconds per step of ``recipe`` at each ``r1_every``, and each against R1 on every
    step in the same round: medians over rounds, since a shared CPU's speed drifts."""
    trainers = {
        name: trainer_for({"recipe": recipe, "loss_settings": {"r1_every": every}}, None)
        for name, every in EVERY.items()
    }
    for trainer in trainers.values():  # warm up: first steps allocate
        for _ in range(20):
            trainer.train_step()
    blocks: dict[str, list[float]] = {name: [] for name in trainers}
    for _ in range(rounds):
        for name, trainer in trainers.items():
            started = time.perf_counter()
            for _ in range(steps):
                trainer.train_step()
            blocks[name].append((time.perf_counter() - started) / steps * 1000)
    return {
        name: {
            "ms_per_step": statistics.median(times),
            "against_every_step": statistics.median(
                t / every_step for t, every_step in zip(times, blocks["1"], strict=True)
            ),
        }
        for name, times in blocks.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=40, help="steps per timed block")
    parser.add_argument("--rounds", type=int, default=15, help="timed blocks per setting")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for recipe in RECIPES:
        row = measure(recipe, args.steps, args.rounds)
        print(json.dumps({"recipe": recipe, **row}), flush=True)


if __name__ == "__main__":
    main()
