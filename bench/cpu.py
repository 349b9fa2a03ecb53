"""The CPU benchmarks: ganzoo against reference loops, side by side, held to the matrix limit.

Run through ``python bench/run.py [--data-root DIR] [--quick] [--baseline DIR] [--json FILE]``.
Every ratio compares sides measured in the same run, interleaved round by round, so a
machine that slows down part-way slows both. Each side's figure is the best round, with
the process CPU time beside the wall time (CPU time well under threads × wall means the
machine was shared). ``GANZOO_BF16_UNIT=0`` in the environment measures ganzoo as on a CPU
without a bf16 matrix unit.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
GANZOO = [sys.executable, "-m", "ganzoo"]
PRECISION_DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}


@dataclass(frozen=True)
class Timing:
    """Wall and CPU seconds of one measured stretch."""

    wall: float
    cpu: float


def timed(command: list[str], env: dict[str, str] | None = None) -> Timing:
    """Wall and CPU time of a whole process; a failure stops the suite with its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{result.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def steady_rates(
    sides: dict[str, Callable[[int], Timing]], short: int, long: int, batch: int, rounds: int = 2
) -> dict[str, dict[str, float]]:
    """Images/s of each side in steady state, from the difference of two run lengths.

    The sides take turns within each round; each keeps its best short and long run.
    """
    best: dict[str, dict[int, Timing]] = {name: {} for name in sides}
    for _ in range(rounds):
        for name, run in sides.items():
            for steps in (short, long):
                timing = run(steps)
                kept = best[name].get(steps)
                if kept is None or timing.wall < kept.wall:
                    best[name][steps] = timing
    rates = {}
    for name, timings in best.items():
        difference = max(timings[long].wall - timings[short].wall, 1e-9)
        rates[name] = {
            "images_per_s": (long - short) * batch / difference,
            "process_s": timings[long].wall,
            "process_cpu_s": timings[long].cpu,
        }
    return rates


def matmul_limits(size: int = 2048, rounds: int = 5, repeats: int = 3) -> dict[str, Any]:
    """Best GFLOP/s of a size² ``torch.mm`` in each precision, at this process's threads.

    Best of ``rounds`` × ``repeats`` products into a preallocated output, rounds a second
    apart: one product is tens of ms, so a neighbour's burst on one core halves a single
    try (two threads wait for the slower one), and only the best try shows the machine.
    """
    limits: dict[str, Any] = {"threads": torch.get_num_threads(), "size": size}
    for precision, dtype in PRECISION_DTYPES.items():
        a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
        out = torch.empty(size, size, dtype=dtype)
        torch.mm(a, b, out=out)
        best, busy = float("inf"), 0.0
        for round_index in range(rounds):
            if round_index:
                time.sleep(1.0)
            for _ in range(repeats):
                cpu, started = time.process_time(), time.perf_counter()
                torch.mm(a, b, out=out)
                wall = time.perf_counter() - started
                if wall < best:
                    best, busy = wall, (time.process_time() - cpu) / wall
        limits[precision] = {"gflops": 2 * size**3 / best / 1e9, "threads_busy": busy}
    return limits


def ganzoo_side(
    args: list[str], scratch: Path, env: dict[str, str], pythonpath: Path | None = None
) -> Callable[[int], Timing]:
    """``ganzoo run ARGS --steps N`` as a timed whole process (another checkout's, if given)."""
    side_env = dict(env)
    if pythonpath is not None:
        side_env["PYTHONPATH"] = str(pythonpath)

    def run(steps: int) -> Timing:
        out = scratch / f"run-{time.monotonic_ns()}"
        command = [*GANZOO, "run", *args, "--steps", str(steps), "-q", "--out", str(out)]
        return timed(command, side_env)

    return run


def script_side(script: str, *args: str) -> Callable[[int], Timing]:
    """A reference script taking ``STEPS`` after its first arguments, as a timed process."""

    def run(steps: int) -> Timing:
        head, tail = args[:1], args[1:]
        return timed([sys.executable, str(BENCH / script), *head, str(steps), *tail])

    return run


def step_profile(fields: dict[str, Any]) -> tuple[str, float]:
    """(precision ganzoo resolves to, FLOPs of one training step) for a run config."""
    from torch.utils.flop_counter import FlopCounterMode

    from ganzoo.config import build_config
    from ganzoo.plugins import plugin_set
    from ganzoo.training.setup import prepare
    from ganzoo.training.step import Trainer

    config = build_config({"device": "cpu", "steps": 10, **fields})
    trainer = Trainer(prepare(config, plugin_set().registry))
    trainer.train_step()
    counter = FlopCounterMode(display=False)
    with counter:
        trainer.train_step()
    return trainer.config.precision, float(counter.get_total_flops())


def compared(
    rates: dict[str, dict[str, float]],
    reference: str,
    flops: float,
    batch: int,
    precisions: dict[str, str],
    limits: dict[str, Any],
) -> dict[str, Any]:
    """Each side's rate, its ratio to ``reference``, and its fraction of its precision's limit."""
    row: dict[str, Any] = {"step_gflop": flops / 1e9, "sides": {}}
    for name, rate in rates.items():
        precision = precisions[name]
        limit = limits[precision]["gflops"] * 1e9
        row["sides"][name] = {
            **rate,
            "precision": precision,
            "ratio": rate["images_per_s"] / rates[reference]["images_per_s"],
            "fraction_of_limit": flops * rate["images_per_s"] / batch / limit,
        }
    return row


PLAIN_PACGAN_STEP: dict[str, Any] = {
    "loss_settings": {"n_critic": 1, "r1_weight": 0.0},
    "architecture_settings": {"generator_batchnorm": True},
}
"""What the reference loop's step does (one D update, no R1 penalty, BatchNorm in G), set over
the recipe's tuning so that both sides time the same step."""


def pacgan_steps(steps: int, rounds: int) -> dict[str, Any]:
    """pacgan-ring8's step against the plain loop over the same networks, in this process.

    The sides take turns for ``rounds`` blocks of ``steps`` steps; each keeps its best block.
    ganzoo runs at its defaults, in fp32, and with ``--compile`` (compiled in the warm-up).
    """
    from reference_pacgan import PlainLoop

    from ganzoo.config import build_config
    from ganzoo.plugins import plugin_set
    from ganzoo.training.setup import prepare
    from ganzoo.training.step import Trainer

    registry = plugin_set().registry
    recipe = registry.recipe("pacgan-ring8").config
    plain_step = {**PLAIN_PACGAN_STEP, "device": "cpu"}
    trainers = {
        "ganzoo": Trainer(prepare(build_config(recipe, plain_step), registry)),
        "ganzoo_fp32": Trainer(
            prepare(build_config(recipe, plain_step, {"precision": "fp32"}), registry)
        ),
        "ganzoo_compiled": Trainer(
            prepare(build_config(recipe, plain_step, {"compile": True}), registry)
        ),
    }
    plain = PlainLoop(total_steps=recipe["steps"])
    sides: dict[str, Callable[[], object]] = {
        **{name: trainer.train_step for name, trainer in trainers.items()},
        "reference": plain.step,
    }
    for step in sides.values():  # warm up
        for _ in range(20):
            step()
    best: dict[str, Timing] = {}
    for _ in range(rounds):
        for name, step in sides.items():
            cpu, started = time.process_time(), time.perf_counter()
            for _ in range(steps):
                step()
            timing = Timing(time.perf_counter() - started, time.process_time() - cpu)
            if name not in best or timing.wall < best[name].wall:
                best[name] = timing
    batch = recipe["batch_size"]
    result: dict[str, Any] = {"steps": steps, "rounds": rounds, "sides": {}}
    for name, timing in best.items():
        precision = trainers[name].config.precision if name in trainers else "fp32"
        result["sides"][name] = {
            "ms_per_step": timing.wall / steps * 1e3,
            "cpu_ms_per_step": timing.cpu / steps * 1e3,
            "images_per_s": steps * batch / timing.wall,
            "precision": precision,
            "ratio": best["reference"].wall / timing.wall,
        }
    return result


def run_lengths(short: int, long: int, scale: float) -> tuple[int, int]:
    """The two run lengths times ``scale``, at least 2 and 4 steps apart."""
    scaled = max(2, int(short * scale))
    return scaled, max(scaled + 4, int(long * scale))


def random_image_folder(folder: Path, count: int) -> Path:
    """``count`` random 32×32 RGB PNGs in one class folder (CIFAR-10's shape)."""
    from PIL import Image

    generator = torch.Generator().manual_seed(0)
    target = folder / "class0"
    target.mkdir(parents=True)
    images = torch.randint(0, 256, (count, 32, 32, 3), dtype=torch.uint8, generator=generator)
    for index, image in enumerate(images.numpy()):
        Image.fromarray(image).save(target / f"{index:05d}.png")
    return folder


def run_cpu_benchmarks(
    mnist_root: Path, scratch: Path, scale: float, baseline: Path | None
) -> dict[str, Any]:
    """Every CPU benchmark, run lengths times ``scale``; prints each row as JSON as it ends."""
    import json

    from mnist_copy import decompressed_copy

    env = {"GANZOO_CACHE": str(scratch / "cache")}
    reference_root = decompressed_copy(mnist_root, scratch / "reference-data")
    mnist = ["--dataset", "mnist", "--data-root", str(mnist_root)]
    timed(
        [*GANZOO, "run", "mlp-gan", *mnist, "--steps", "2", "-q", "--out", str(scratch / "w")], env
    )
    limits = matmul_limits(rounds=5)
    results: dict[str, Any] = {"matmul_limits": limits}

    def row(
        key: str, rates: dict[str, dict[str, float]], flops_of: dict[str, Any], batch: int
    ) -> None:
        precision, flops = step_profile(flops_of)
        precisions = {"ganzoo": precision, "ganzoo_fp32": "fp32", "reference": "fp32"}
        results[key] = compared(rates, "reference", flops, batch, precisions, limits)
        print(json.dumps({key: results[key]}), flush=True)

    for batch, short, long in ((64, 400, 2400), (256, 150, 900)):
        args = ["mlp-gan", "--loss", "non-saturating", *mnist, "--batch-size", str(batch)]
        sides = {
            "ganzoo": ganzoo_side(args, scratch, env),
            "ganzoo_fp32": ganzoo_side([*args, "--precision", "fp32"], scratch, env),
            "reference": script_side("reference_mlp.py", str(reference_root), str(batch)),
        }
        rates = steady_rates(sides, *run_lengths(short, long, scale), batch)
        fields = {"architecture": "mlp-gan", "dataset": "mnist", "data_root": str(mnist_root)}
        row(f"mlp_b{batch}", rates, {**fields, "batch_size": batch}, batch)

    batch, (short, long) = 64, run_lengths(40, 240, scale)
    args = ["dcgan", "--loss", "non-saturating", *mnist, "--batch-size", str(batch)]
    sides = {
        "ganzoo": ganzoo_side(args, scratch, env),
        "ganzoo_fp32": ganzoo_side([*args, "--precision", "fp32"], scratch, env),
        "reference": script_side("reference_dcgan_mnist.py", str(reference_root), str(batch)),
    }
    rates = steady_rates(sides, short, long, batch)
    fields = {"architecture": "dcgan", "dataset": "mnist", "data_root": str(mnist_root)}
    row("dcgan_mnist_b64", rates, {**fields, "batch_size": batch}, batch)

    folder = random_image_folder(scratch / "images", 2048)
    batch, (short, long) = 64, run_lengths(30, 180, scale)
    images = ["--dataset", "image-folder", "--set", f"dataset.path={folder}"]
    args = ["dcgan", "--loss", "non-saturating", *images, "--set", "dataset.image_size=32"]
    args += ["--batch-size", str(batch)]
    sides = {
        "ganzoo": ganzoo_side(args, scratch, env),
        "ganzoo_fp32": ganzoo_side([*args, "--precision", "fp32"], scratch, env),
        "reference": script_side("reference_dcgan.py", str(folder), str(batch)),
    }
    rates = steady_rates(sides, short, long, batch)
    settings = {"path": str(folder), "image_size": 32}
    fields = {"architecture": "dcgan", "dataset": "image-folder", "dataset_settings": settings}
    row("dcgan_32_b64", rates, {**fields, "batch_size": batch}, batch)

    results["pacgan_ring8"] = pacgan_steps(steps=max(5, int(400 * scale)), rounds=3)
    print(json.dumps({"pacgan_ring8": results["pacgan_ring8"]}), flush=True)

    if baseline is not None:
        steps = max(5, int(500 * scale))
        sides = {
            "ganzoo": ganzoo_side(["mlp-gan", "--loss", "wgan-gp"], scratch, env),
            "baseline": ganzoo_side(["mlp-gan", "--loss", "wgan-gp"], scratch, env, baseline),
        }
        best: dict[str, Timing] = {}
        for _ in range(2):
            for name, run in sides.items():
                timing = run(steps)
                if name not in best or timing.wall < best[name].wall:
                    best[name] = timing
        results["main_job"] = {
            "steps": steps,
            **{f"{name}_s": timing.wall for name, timing in best.items()},
            **{f"{name}_cpu_s": timing.cpu for name, timing in best.items()},
            "time_ratio": best["ganzoo"].wall / best["baseline"].wall,
        }
        print(json.dumps({"main_job": results["main_job"]}), flush=True)
    return results


def report(results: dict[str, Any]) -> None:
    """The results as tables: each benchmark's sides, ratios and fractions of the limit."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    limits = results["matmul_limits"]
    console.print(
        f"machine: {results['machine']}; matmul limit ({limits['size']}², {limits['threads']} "
        "threads, best of 5 rounds): "
        + ", ".join(
            f"{p} {limits[p]['gflops']:,.0f} GFLOP/s ({limits[p]['threads_busy']:.1f} threads busy)"
            for p in PRECISION_DTYPES
        )
    )
    table = Table(header_style="bold")
    for column in (
        "benchmark",
        "side",
        "precision",
        "img/s",
        "ratio",
        "wall s",
        "CPU s",
        "GFLOP/step",
        "of limit",
    ):
        table.add_column(column, justify="right")
    for key in ("mlp_b64", "mlp_b256", "dcgan_mnist_b64", "dcgan_32_b64"):
        row = results[key]
        for name, side in row["sides"].items():
            table.add_row(
                key,
                name,
                side["precision"],
                f"{side['images_per_s']:,.0f}",
                f"{side['ratio']:.2f}×",
                f"{side['process_s']:.1f}",
                f"{side['process_cpu_s']:.1f}",
                f"{row['step_gflop']:.2f}",
                f"{side['fraction_of_limit']:.0%}",
            )
    console.print(table)
    pacgan = results["pacgan_ring8"]
    console.print(
        "pacgan-ring8 step: "
        + "; ".join(
            f"{name} ({side['precision']}) {side['ms_per_step']:.2f} ms wall, "
            f"{side['cpu_ms_per_step']:.2f} ms CPU, {side['ratio']:.2f}× the plain loop"
            for name, side in pacgan["sides"].items()
        )
    )
    if "main_job" in results:
        job = results["main_job"]
        console.print(
            f"main job, {job['steps']} steps: {job['ganzoo_s']:.1f} s against the baseline's "
            f"{job['baseline_s']:.1f} s ({job['time_ratio']:.2f}×)"
        )
    console.print(
        f"start-up: ganzoo --help {results['startup_help_s']:.2f} s, "
        f"ganzoo list {results['startup_list_s']:.2f} s"
    )
