"""What logging costs training: python bench/logging_overhead.py [--pairs N] [--steps N]

Three variants of one run (mlp-gan on digits, batch 64, CPU), timed in one warm process
(imports and the first TensorBoard writer are paid by a warm-up round that is not counted):

- ``quiet``: one logging step only (``log_every`` = the run's steps);
- ``jsonl``: the default ``log_every`` (50): ``metrics.jsonl`` and ``state.json``;
- ``tensorboard``: the same plus ``--logger tensorboard`` (scalars, sample grids, hparams).

The variants run interleaved, round after round (the order reversed every other round),
so a machine that is busy with other work slows them alike; each round gives a ratio per
variant against ``quiet`` and the report is the median over rounds. Sample grids are
written in every variant (every tenth of the run), as training always writes them.

On a shared machine whole-run times swing by more than the effect measured, so the suite
also times the logging calls themselves inside each run (the loggers, ``state.json``): their
share of the run's time is measured on the same clock, under the same load, as the run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import torch

import ganzoo
from ganzoo.config import RunConfig
from ganzoo.training import run_tracking

VARIANTS = ("quiet", "jsonl", "tensorboard")


def config(variant: str, out: Path, steps: int) -> RunConfig:
    return RunConfig(
        architecture="mlp-gan",
        dataset="digits",
        steps=steps,
        batch_size=64,
        device="cpu",
        out=out,
        log_every=steps if variant == "quiet" else RunConfig.model_fields["log_every"].default,
        loggers=["tensorboard"] if variant == "tensorboard" else [],
    )


LOGGING_CALLS = ("__init__", "log_scalars", "log_samples", "log_networks", "recording_outcome")
inside_logging = [0.0]
"""Seconds spent in the run's logging calls (:class:`ganzoo.training.run_tracking.RunTracking`)."""


def clocked(method):  # type: ignore[no-untyped-def]
    def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            inside_logging[0] += time.perf_counter() - started

    return timed


def clock_logging_calls() -> None:
    """Time every logging call; the outcome's context manager is timed at its exit."""
    for name in LOGGING_CALLS[:-1]:
        setattr(run_tracking.RunTracking, name, clocked(getattr(run_tracking.RunTracking, name)))
    run_tracking.RunLoggers.close = clocked(run_tracking.RunLoggers.close)  # type: ignore[method-assign]


def timed_run(variant: str, folder: Path, steps: int, index: int) -> tuple[float, float]:
    """(the run's seconds, the share of them spent in logging calls)."""
    out = folder / f"{variant}-{index}"
    inside_logging[0] = 0.0
    started = time.perf_counter()
    ganzoo.train(config(variant, out, steps), show_progress=False, show_summary=False)
    seconds = time.perf_counter() - started
    return seconds, inside_logging[0] / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10, help="Counted rounds (at least 5).")
    parser.add_argument("--steps", type=int, default=500, help="Steps per run.")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    torch.set_num_threads(1)  # steadier timings on a shared machine
    clock_logging_calls()
    seconds: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    shares: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for variant in VARIANTS:  # warm-up: imports, data, the first event writer
            timed_run(variant, folder, max(args.steps // 10, 60), -1)
        for index in range(args.pairs):
            order = VARIANTS if index % 2 == 0 else VARIANTS[::-1]
            for variant in order:
                run_seconds, share = timed_run(variant, folder, args.steps, index)
                seconds[variant].append(run_seconds)
                shares[variant].append(share)
                print(
                    f"round {index + 1}: {variant} {run_seconds:.2f} s, "
                    f"{share:.3%} in logging calls",
                    flush=True,
                )
    overhead = {
        variant: statistics.median(
            run / quiet for run, quiet in zip(seconds[variant], seconds["quiet"], strict=True)
        )
        - 1
        for variant in VARIANTS[1:]
    }
    tensorboard_over_jsonl = (
        statistics.median(
            tb / jl for tb, jl in zip(seconds["tensorboard"], seconds["jsonl"], strict=True)
        )
        - 1
    )
    report = {
        "steps": args.steps,
        "rounds": args.pairs,
        "seconds": seconds,
        "median_overhead_vs_quiet": overhead,
        "median_tensorboard_over_jsonl": tensorboard_over_jsonl,
        "median_share_in_logging_calls": {v: statistics.median(shares[v]) for v in VARIANTS},
        "shares_in_logging_calls": shares,
    }
    print(
        f"median over {args.pairs} rounds of {args.steps} steps: "
        f"jsonl {overhead['jsonl']:+.2%}, tensorboard {overhead['tensorboard']:+.2%} "
        f"against one logging step; tensorboard against jsonl {tensorboard_over_jsonl:+.2%}"
    )
    print(
        "median share of each run's time inside the logging calls: "
        + ", ".join(f"{v} {statistics.median(shares[v]):.3%}" for v in VARIANTS)
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
