"""Training steps per second by architecture × dataset × precision, in one process.

The table behind ``--precision auto`` (docs/speed.md). Every configuration trains in this
process, taking turns block by block; each keeps its best block, with its CPU time. Run
with ``ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16`` in the environment to measure an AMX CPU with
its AMX unit out of use (AVX512-BF16 left), and ``OMP_NUM_THREADS=1`` for one thread.
Run: python bench/precision.py [--data-root DIR] [--steps N]
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import torch

CASES: list[tuple[str, dict[str, Any]]] = [
    ("mlp-gan, digits", {"architecture": "mlp-gan", "dataset": "digits"}),
    ("mlp-gan + wgan-gp, digits", {"architecture": "mlp-gan", "loss": "wgan-gp"}),
    ("mlp-gan, MNIST", {"architecture": "mlp-gan", "dataset": "mnist"}),
    ("dcgan, MNIST", {"architecture": "dcgan", "dataset": "mnist"}),
    ("pacgan-ring8", {"recipe": "pacgan-ring8"}),
]
"""What the table covers: the default batch size of each, non-saturating unless named."""
PRECISIONS = {"fp32": {"precision": "fp32"}, "bf16": {"precision": "bf16"}}


def trainer_for(fields: dict[str, Any], data_root: str | None) -> Any:
    from ganzoo.config import build_config
    from ganzoo.plugins import plugin_set
    from ganzoo.training.setup import prepare
    from ganzoo.training.step import Trainer

    registry = plugin_set().registry
    recipe = fields.get("recipe")
    base = registry.recipe(recipe).config if recipe else {}
    rest = {k: v for k, v in fields.items() if k != "recipe"}
    overrides = {"device": "cpu", "data_root": data_root, **rest}
    return Trainer(prepare(build_config(base, overrides), registry))


def measure(data_root: str | None, steps: int, rounds: int) -> list[dict[str, Any]]:
    rows = []
    for name, fields in CASES:
        trainers = {p: trainer_for({**fields, **f}, data_root) for p, f in PRECISIONS.items()}
        for trainer in trainers.values():
            for _ in range(5):
                trainer.train_step()
        best: dict[str, tuple[float, float]] = {}
        for _ in range(rounds):
            for precision, trainer in trainers.items():
                cpu, started = time.process_time(), time.perf_counter()
                for _ in range(steps):
                    trainer.train_step()
                wall = time.perf_counter() - started
                if precision not in best or wall < best[precision][0]:
                    best[precision] = (wall, time.process_time() - cpu)
        row: dict[str, Any] = {
            "case": name,
            "auto": trainer_for(fields, data_root).config.precision,
        }
        for precision, (wall, cpu) in best.items():
            trainer = trainers[precision]
            examples = steps * trainer.config.batch_size * trainer.n_critic
            row[precision] = {
                "examples_per_s": examples / wall,
                "cpu_over_wall": cpu / wall,
                "channels_last": trainer.channels_last,
            }
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-root", help="folder holding MNIST/raw/*.gz")
    parser.add_argument("--steps", type=int, default=30, help="steps per timed block")
    parser.add_argument("--rounds", type=int, default=3, help="timed blocks per configuration")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    measure(args.data_root, args.steps, args.rounds)


if __name__ == "__main__":
    main()
