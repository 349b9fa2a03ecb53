"""ganzoo's benchmark suite: python bench/run.py [--data-root DIR] [--quick] [--json FILE]

Every figure is a ratio against a reference measured in the same run on the same machine
(the sides take turns; see bench/cpu.py), ganzoo at its defaults and in fp32:
1. the machine's matrix-multiply limit in fp32 and bf16 (best of 5 rounds, at the
   benchmarks' thread count), each step's FLOPs and the fraction of the limit reached in
   the precision the step ran in;
2. mlp-gan on MNIST vs the tutorials' loop, batch 64 and 256;
3. dcgan on MNIST 28×28 vs a loop written like the PyTorch examples' dcgan/main.py;
4. dcgan 3×32×32 vs a loop written like the PyTorch examples' DCGAN;
5. the pacgan-ring8 step vs a plain loop over the same networks, in one process;
6. with --baseline DIR, the main job (mlp-gan + wgan-gp) against that earlier checkout;
7. start-up time of `ganzoo --help` and `ganzoo list`.

With --gpu it runs the GPU benchmarks of bench/gpu.py instead (see there)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

import torch

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
if str(BENCH) not in sys.path:  # the shared helpers sit beside this file
    sys.path.insert(0, str(BENCH))

import cpu  # noqa: E402

from ganzoo.training.performance import has_bf16_unit  # noqa: E402


def find_mnist_root(given: str | None) -> Path:
    for candidate in (given, os.environ.get("GANZOO_DATA"), REPO.parent / "shared" / "data"):
        if candidate and (Path(candidate) / "MNIST" / "raw").is_dir():
            return Path(candidate)
    raise SystemExit("MNIST not found: pass --data-root DIR holding MNIST/raw/*.gz")


def best_time(command: list[str], repeats: int = 5) -> float:
    return min(cpu.timed(command).wall for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data-root", help="folder holding MNIST/raw/*.gz")
    parser.add_argument("--quick", action="store_true", help="shorter runs (noisier figures)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a checkout of an earlier ganzoo: also time the main job with it, side by side",
    )
    parser.add_argument("--gpu", action="store_true", help="the GPU benchmarks (bench/gpu.py)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny run lengths (with --gpu: tiny sizes on the CPU): checks the suite, no figures",
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
    scale = 0.02 if args.smoke else 0.25 if args.quick else 1.0
    mnist_root = find_mnist_root(args.data_root)
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"CPU capability {torch.backends.cpu.get_cpu_capability()}, bf16 unit "
        f"{'yes' if has_bf16_unit(torch.device('cpu')) else 'no'}",
    }
    with tempfile.TemporaryDirectory() as scratch_name:
        results |= cpu.run_cpu_benchmarks(mnist_root, Path(scratch_name), scale, args.baseline)
    results["startup_help_s"] = best_time([*cpu.GANZOO, "--help"])
    results["startup_list_s"] = best_time([*cpu.GANZOO, "list"])
    cpu.report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
