"""Launch the 2-process DDP test worker many times, optionally beside CPU burners, and count
the launches that fail (the abort this guards against came at interpreter shutdown).

    python scripts/stress_ddp.py --runs 300 --burners 2

Each launch is the one ``tests/distributed/test_ddp_training.py`` makes (torchrun, two gloo
processes on one thread each, every loss). A failed launch's output is kept under --out.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.distributed.launching import launch  # noqa: E402

WORKER = REPO_ROOT / "tests" / "distributed" / "worker.py"


def burn() -> None:
    """Keep one core busy until terminated."""
    while True:
        sum(i * i for i in range(10_000))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="launches to make (default 300)")
    parser.add_argument("--burners", type=int, default=0, help="CPU-burning processes beside")
    parser.add_argument("--out", type=Path, default=None, help="where failed launches' logs go")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="stress-ddp-"))
    out.mkdir(parents=True, exist_ok=True)
    burners = [multiprocessing.Process(target=burn, daemon=True) for _ in range(args.burners)]
    for burner in burners:
        burner.start()
    failures = 0
    try:
        for run in range(1, args.runs + 1):
            with tempfile.TemporaryDirectory() as scratch:
                base = Path(scratch)
                started = time.perf_counter()
                result = launch(str(WORKER), str(base), base=base, cwd=base)
                seconds = time.perf_counter() - started
            if result.returncode != 0:
                failures += 1
                log = out / f"run-{run:04d}.log"
                log.write_text(result.stdout + "\n--- stderr ---\n" + result.stderr)
                print(f"run {run}: exit {result.returncode} after {seconds:.0f} s ({log})")
            else:
                print(f"run {run}: ok in {seconds:.0f} s", flush=True)
    finally:
        for burner in burners:
            burner.terminate()
    print(f"{failures} failed of {args.runs} launches, {args.burners} burners beside")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
