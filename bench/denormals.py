"""Milliseconds per step of ``wgan-gp-grid25`` late in a run, with denormals flushed and not.

The table behind ``--set flush_denormals=true`` (docs/speed.md). Late in a run, Adam's
second moments of weights that seldom get a gradient decay into denormal numbers, which
the CPU computes many times slower. Flushing is a process-wide setting that must come
before the first parallel operation, so every measurement is a process of its own: a
first one trains the recipe (or ``--from`` names a run of it), then processes take turns,
flushing and not, each restoring the run's newest checkpoint with the run's own settings
and timing ``--steps`` steps.
Run: python bench/denormals.py [--from RUN] [--steps N] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ganzoo.config import read_toml

RECIPE = "wgan-gp-grid25"


def denormal_share(trainer: object) -> float:
    """The share of the optimisers' state values that are denormal numbers."""
    import torch

    tiny = torch.finfo(torch.float32).tiny
    total = denormal = 0
    for optimizer in (trainer.optimizer_g, trainer.optimizer_d):  # type: ignore[attr-defined]
        for state in optimizer.state.values():
            for value in state.values():
                if value.is_floating_point() and value.dim() > 0:
                    magnitude = value.abs()
                    total += value.numel()
                    denormal += int(((magnitude > 0) & (magnitude < tiny)).sum())
    return denormal / total


def time_steps(run: Path, flush: bool, steps: int) -> dict[str, float]:
    """Restore ``run``'s newest checkpoint, with the run's own config, in this (fresh)
    process and time ``steps`` steps."""
    from rich.console import Console

    from ganzoo.config import build_config
    from ganzoo.plugins import plugin_set
    from ganzoo.storage.layout import RunLayout
    from ganzoo.training.checkpointing import read_newest_checkpoint, restore
    from ganzoo.training.setup import prepare
    from ganzoo.training.step import Trainer

    layout = RunLayout(run)
    config = build_config(read_toml(layout.config), {"flush_denormals": flush, "device": "cpu"})
    trainer = Trainer(prepare(config, plugin_set().registry))
    restore(trainer, read_newest_checkpoint(layout, Console(quiet=True)))
    share = denormal_share(trainer)
    for _ in range(10):  # warm up: first steps allocate
        trainer.train_step()
    cpu, started = time.process_time(), time.perf_counter()
    for _ in range(steps):
        trainer.train_step()
    return {
        "ms": (time.perf_counter() - started) / steps * 1000,
        "cpu_ms": (time.process_time() - cpu) / steps * 1000,
        "denormal_share": share,
    }


def child(run: Path, flush: bool, steps: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", str(run), "--steps", str(steps)]
    done = subprocess.run(
        command + (["--flush"] if flush else []), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="run", type=Path, help=f"a finished run of {RECIPE}")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--flush", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(time_steps(args.child, args.flush, args.steps)))
        return
    if args.run:
        config = args.run / "config.toml"
        if not config.is_file():
            parser.error(f"--from {args.run}: no config.toml there; give a run directory")
        if read_toml(config).get("flush_denormals"):
            parser.error(f"--from {args.run}: that run flushed denormals; give one that kept them")
    with tempfile.TemporaryDirectory() as scratch:
        run = args.run
        if run is None:
            run = Path(scratch) / "run"
            print(f"training {RECIPE} (seed 0) to its end, a few minutes ...", file=sys.stderr)
            train = ["run", "--recipe", RECIPE, "--out", str(run), "-q"]
            subprocess.run(
                [sys.executable, "-m", "ganzoo", *train, "--set", "flush_denormals=false"],
                check=True,
            )
        measured: dict[bool, list[dict[str, float]]] = {False: [], True: []}
        for _ in range(args.rounds):
            for flush in (False, True):
                measured[flush].append(child(run, flush, args.steps))
    rows = {}
    for flush, results in measured.items():
        rows["flushed" if flush else "kept"] = {
            key: statistics.median(r[key] for r in results) for key in results[0]
        }
    rows["flushed"]["against_kept"] = rows["kept"]["ms"] / rows["flushed"]["ms"]
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
