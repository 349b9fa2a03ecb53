"""Starting real worker processes through torchrun for the distributed tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TORCHRUN = (sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node")


def child_env(base: Path) -> dict[str, str]:
    """Workers on one thread, with a private data cache.

    They read the bytecode compiled at install time: a private bytecode folder would
    have each worker compile all of torch again, about 12 s of CPU a launch.
    """
    return {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "GANZOO_CACHE": str(base / "ganzoo-cache"),
        "COLUMNS": "200",
    }


def launch(
    *args: str, base: Path, cwd: Path, nproc: int | None = 2, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``torchrun --nproc_per_node N ARGS`` (or, with ``nproc`` None, ``python ARGS``)."""
    command = [*TORCHRUN, str(nproc), *args] if nproc else [sys.executable, *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=child_env(base), cwd=cwd, timeout=timeout
    )
