"""ganzoo's benchmark suite: python bench/run.py [--data-root DIR] [--quick] [--json FILE]

Every figure is a ratio against a reference measured in the same run on the same machine:
1. mlp-gan on MNIST vs the tutorials' loop, batch 64 and 256 (steady-state images/s from
   the difference of two run lengths, and whole-process time);
2. dcgan 3×32×32 vs a loop written like the PyTorch examples' DCGAN;
3. the machine's matrix-multiply throughput, each step's FLOPs, and the fraction reached;
4. start-up time of `ganzoo --help` and `ganzoo list`.

With --gpu it runs the GPU benchmarks of bench/gpu.py instead (see there).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
GANZOO = [sys.executable, "-m", "ganzoo"]


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    """Wall time of a whole process; a failure stops the suite with its output."""
    started = time.perf_counter()
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{result.stderr[-2000:]}")
    return elapsed


def steady_rate(run: callable, short: int, long: int, batch: int) -> tuple[float, float]:  # type: ignore[valid-type]
    """(images/s from the difference of two run lengths, whole-process seconds of the long run)."""
    t_short = min(run(short) for _ in range(2))
    t_long = min(run(long) for _ in range(2))
    return (long - short) * batch / max(t_long - t_short, 1e-9), t_long


def find_mnist_root(given: str | None) -> Path:
    for candidate in (given, os.environ.get("GANZOO_DATA"), REPO.parent / "shared" / "data"):
        if candidate and (Path(candidate) / "MNIST" / "raw").is_dir():
            return Path(candidate)
    raise SystemExit("MNIST not found: pass --data-root DIR holding MNIST/raw/*.gz")


def decompressed_copy(root: Path, work: Path) -> Path:
    """torchvision's MNIST reads decompressed files: decompress into a scratch folder."""
    raw = work / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for source in (root / "MNIST" / "raw").iterdir():
        if source.suffix == ".gz":
            with gzip.open(source, "rb") as fin, open(raw / source.stem, "wb") as fout:
                shutil.copyfileobj(fin, fout)
        else:
            shutil.copy(source, raw / source.name)
    return work


def random_image_folder(folder: Path, count: int) -> Path:
    from PIL import Image

    generator = torch.Generator().manual_seed(0)
    target = folder / "class0"
    target.mkdir(parents=True)
    images = torch.randint(0, 256, (count, 32, 32, 3), dtype=torch.uint8, generator=generator)
    for index, image in enumerate(images.numpy()):
        Image.fromarray(image).save(target / f"{index:05d}.png")
    return folder


def matmul_flops(size: int = 2048, repeats: int = 10) -> float:
    """Best FLOP/s of a float32 size×size matrix product on this machine."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - started)
    return 2 * size**3 / best


def step_flops(architecture: str, dataset: str, batch: int, settings: dict[str, object]) -> float:
    """FLOPs of one ganzoo training step, counted by torch's FLOP counter."""
    from torch.utils.flop_counter import FlopCounterMode

    import ganzoo
    from ganzoo.plugins import plugin_set
    from ganzoo.training.setup import prepare
    from ganzoo.training.step import Trainer

    config = ganzoo.RunConfig(
        architecture=architecture,
        loss="non-saturating",
        dataset=dataset,
        batch_size=batch,
        device="cpu",
        steps=10,
        **settings,
    )
    trainer = Trainer(prepare(config, plugin_set().registry))
    trainer.train_step()
    counter = FlopCounterMode(display=False)
    with counter:
        trainer.train_step()
    return float(counter.get_total_flops())


def best_time(command: list[str], repeats: int = 5) -> float:
    return min(timed(command) for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data-root", help="folder holding MNIST/raw/*.gz")
    parser.add_argument("--quick", action="store_true", help="shorter runs (noisier figures)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--gpu", action="store_true", help="the GPU benchmarks (bench/gpu.py)")
    parser.add_argument(
        "--smoke", action="store_true", help="with --gpu: tiny sizes on the CPU (no figures)"
    )
    parser.add_argument(
        "--compile", action="store_true", help="with --gpu: also time ganzoo with --compile"
    )
    args = parser.parse_args()
    if args.gpu:
        import gpu

        data_root = Path(args.data_root) if args.data_root else None
        gpu_results = gpu.run_gpu_benchmarks(data_root, smoke=args.smoke, compile=args.compile)
        gpu.report(gpu_results)
        if args.json:
            args.json.write_text(json.dumps(gpu_results, indent=2))
        return
    scale = 0.25 if args.quick else 1.0
    mnist_root = find_mnist_root(args.data_root)
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads",
    }
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        env = {"GANZOO_CACHE": str(scratch / "cache")}
        reference_root = decompressed_copy(mnist_root, scratch / "reference-data")
        timed(
            [
                *GANZOO,
                "run",
                "mlp-gan",
                "--dataset",
                "mnist",
                "--data-root",
                str(mnist_root),
                "--steps",
                "2",
                "-q",
                "--out",
                str(scratch / "warm"),
            ],
            env,
        )  # decode cache once

        peak = matmul_flops()
        results["matmul_gflops"] = peak / 1e9
        for batch, short, long in (
            (64, int(400 * scale), int(2400 * scale)),
            (256, int(150 * scale), int(900 * scale)),
        ):

            def ganzoo_run(steps: int, batch: int = batch) -> float:
                out = scratch / f"mlp-{batch}-{steps}-{time.monotonic_ns()}"
                return timed(
                    [
                        *GANZOO,
                        "run",
                        "mlp-gan",
                        "--loss",
                        "non-saturating",
                        "--dataset",
                        "mnist",
                        "--data-root",
                        str(mnist_root),
                        "--steps",
                        str(steps),
                        "--batch-size",
                        str(batch),
                        "-q",
                        "--out",
                        str(out),
                    ],
                    env,
                )

            def reference_run(steps: int, batch: int = batch) -> float:
                return timed(
                    [
                        sys.executable,
                        str(BENCH / "reference_mlp.py"),
                        str(reference_root),
                        str(steps),
                        str(batch),
                    ]
                )

            ours, ours_total = steady_rate(ganzoo_run, short, long, batch)
            theirs, theirs_total = steady_rate(reference_run, short, long, batch)
            flops = step_flops("mlp-gan", "mnist", batch, {"data_root": str(mnist_root)})
            results[f"mlp_b{batch}"] = {
                "ganzoo_images_per_s": ours,
                "reference_images_per_s": theirs,
                "ratio": ours / theirs,
                "ganzoo_process_s": ours_total,
                "reference_process_s": theirs_total,
                "steps": long,
                "step_gflop": flops / 1e9,
                "fraction_of_matmul_peak": flops * ours / batch / peak,
            }

            print(json.dumps({f"mlp_b{batch}": results[f"mlp_b{batch}"]}), flush=True)

        folder = random_image_folder(scratch / "images", 2048)
        batch, short, long = 64, int(30 * scale) or 5, int(180 * scale)

        def ganzoo_dcgan(steps: int) -> float:
            out = scratch / f"dcgan-{steps}-{time.monotonic_ns()}"
            return timed(
                [
                    *GANZOO,
                    "run",
                    "dcgan",
                    "--loss",
                    "non-saturating",
                    "--dataset",
                    "image-folder",
                    "--set",
                    f"dataset.path={folder}",
                    "--set",
                    "dataset.image_size=32",
                    "--steps",
                    str(steps),
                    "--batch-size",
                    str(batch),
                    "-q",
                    "--out",
                    str(out),
                ],
                env,
            )

        def reference_dcgan(steps: int) -> float:
            return timed(
                [
                    sys.executable,
                    str(BENCH / "reference_dcgan.py"),
                    str(folder),
                    str(steps),
                    str(batch),
                ]
            )

        ours, ours_total = steady_rate(ganzoo_dcgan, short, long, batch)
        theirs, theirs_total = steady_rate(reference_dcgan, short, long, batch)
        flops = step_flops(
            "dcgan",
            "image-folder",
            batch,
            {"dataset_settings": {"path": str(folder), "image_size": 32}},
        )
        results["dcgan_32_b64"] = {
            "ganzoo_images_per_s": ours,
            "reference_images_per_s": theirs,
            "ratio": ours / theirs,
            "ganzoo_process_s": ours_total,
            "reference_process_s": theirs_total,
            "steps": long,
            "step_gflop": flops / 1e9,
            "fraction_of_matmul_peak": flops * ours / batch / peak,
        }
        results["startup_help_s"] = best_time([*GANZOO, "--help"])
        results["startup_list_s"] = best_time([*GANZOO, "list"])

    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def report(results: dict[str, object]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"machine: {results['machine']}; matmul peak {results['matmul_gflops']:.1f} GFLOP/s"
    )
    table = Table(header_style="bold")
    for column in (
        "benchmark",
        "ganzoo img/s",
        "reference img/s",
        "ratio",
        "ganzoo s",
        "reference s",
        "GFLOP/step",
        "of matmul peak",
    ):
        table.add_column(column, justify="right")
    for key in ("mlp_b64", "mlp_b256", "dcgan_32_b64"):
        row = results[key]
        assert isinstance(row, dict)
        table.add_row(
            key,
            f"{row['ganzoo_images_per_s']:,.0f}",
            f"{row['reference_images_per_s']:,.0f}",
            f"{row['ratio']:.2f}×",
            f"{row['ganzoo_process_s']:.1f}",
            f"{row['reference_process_s']:.1f}",
            f"{row['step_gflop']:.3f}",
            f"{row['fraction_of_matmul_peak']:.0%}",
        )
    console.print(table)
    console.print(
        f"start-up: ganzoo --help {results['startup_help_s']:.2f} s, "
        f"ganzoo list {results['startup_list_s']:.2f} s"
    )


if __name__ == "__main__":
    main()
