"""Run under torchrun by the distributed tests: several training runs in one launch.

Starting processes costs seconds, so one launch of two gloo workers does all the
in-process checks, and the test process compares what they leave behind. Usage::

    python -m torch.distributed.run --standalone --nproc_per_node 2 worker.py OUT

Each rank works in an empty folder of its own (``OUT/cwd-RANK``), so a file written by
a rank other than 0 would show there, and writes ``OUT/report-RANK.json``.
"""

from __future__ import annotations

import copy
import gc
import json
import os
import sys
import weakref
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

LOSSES = ("bce", "non-saturating", "wgan-gp", "hinge", "lsgan", "wgan")


def run_config(out: Path, **fields: Any) -> Any:
    from ganzoo.config import RunConfig

    base = {
        "architecture": "mlp-gan",
        "dataset": "ring8",
        "device": "cpu",
        "seed": 5,
        "steps": 4,
        "batch_size": 16,
        "log_every": 1,
        "sample_every": 2,
        "grid_size": 16,
        "out": out,
    }
    return RunConfig.model_validate(base | fields)


def gradient_penalty_check() -> float:
    """WGAN-GP's critic gradients through DDP (a double backward) against one process.

    The α of every example is given, so both sides compute the same penalty; two
    iterations, since a reducer left waiting shows only at the next forward.
    """
    from torch.nn.parallel import DistributedDataParallel

    from ganzoo.builtin.losses.penalties import gradient_penalty

    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(11)
    critic = nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
    reference = copy.deepcopy(critic)
    wrapped = DistributedDataParallel(critic)
    worst = 0.0
    for _ in range(2):
        real, fake, alpha = torch.randn(16, 2), torch.randn(16, 2), torch.rand(16)

        def loss(d: Any, r: torch.Tensor, f: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
            wasserstein = d(r).mean() - d(f).mean()
            return -wasserstein + 10 * gradient_penalty(d, r, f, a)

        reference.zero_grad()
        loss(reference, real, fake, alpha).backward()
        rows = slice(rank * 16 // world, (rank + 1) * 16 // world)
        critic.zero_grad()
        loss(wrapped, real[rows], fake[rows], alpha[rows]).backward()
        got = torch.cat([p.grad.flatten() for p in critic.parameters()])  # type: ignore[union-attr]
        want = torch.cat([p.grad.flatten() for p in reference.parameters()])  # type: ignore[union-attr]
        worst = max(worst, float((got - want).abs().max() / want.abs().max()))
        with torch.no_grad():  # the same step on both, so the second round starts level
            for mine, expected in zip(critic.parameters(), reference.parameters(), strict=True):
                mine -= 0.1 * mine.grad
                expected -= 0.1 * expected.grad  # type: ignore[operator]
    return worst


def shards(out: Path) -> None:
    """This rank's first batch and latents, for the test to lay side by side."""
    from ganzoo.plugins import plugin_set
    from ganzoo.training.distributed import start
    from ganzoo.training.setup import prepare
    from ganzoo.training.step import Trainer

    session = start()
    config = run_config(out / "unused", dataset="digits", architecture="mlp-gan")
    plan = prepare(config, plugin_set().registry, session)
    trainer = Trainer(plan, session=session)
    real, labels = next(trainer.batches())
    torch.save(
        {"real": real, "labels": labels, "z": trainer.latent(len(real))},
        out / f"shard-{dist.get_rank()}.pt",
    )


def uneven_batch_error(out: Path) -> str:
    """The error for a global batch that does not split over the ranks."""
    from ganzoo.errors import ConfigError
    from ganzoo.training.loop import train

    try:
        train(run_config(out / "uneven", batch_size=15), show_progress=False)
    except ConfigError as error:
        return str(error)
    return "no error"


def main() -> None:
    from ganzoo.training.distributed import load_dynamo_first

    out = Path(sys.argv[1]).resolve()
    load_dynamo_first()  # as ganzoo's own start() does, or the group outlives its destruction
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    home = out / f"cwd-{rank}"
    home.mkdir(parents=True, exist_ok=True)
    os.chdir(home)

    from ganzoo.training.loop import resume, train

    report: dict[str, Any] = {"world_size": dist.get_world_size()}
    for loss in LOSSES:  # every built-in loss; BatchNorm synchronised, for the comparison
        train(run_config(out / f"loss-{loss}", loss=loss, sync_batchnorm=True), show_progress=False)
    # Resume, without synchronised BatchNorm: stopped at 2 and resumed to 4, against 4 at once.
    resumable = {"loss": "wgan-gp", "ema": 0.9, "checkpoint_every": 1}
    train(run_config(out / "straight", **resumable), show_progress=False)
    train(run_config(out / "stopped", **resumable | {"steps": 2}), show_progress=False)
    resume(out / "stopped", steps=4, show_progress=False)
    shards(out)
    report["gp_relative_error"] = gradient_penalty_check()
    report["uneven_batch"] = uneven_batch_error(out)
    from ganzoo.training.distributed import release_process_group

    group = weakref.ref(dist.group.WORLD)
    dist.barrier()  # every rank is done: none is left waiting in a collective
    release_process_group()
    gc.collect()
    # What would otherwise be freed at interpreter shutdown, where gloo aborts the process.
    report["group_freed"] = group() is None
    report["threads_left"] = thread_names()
    (out / f"report-{rank}.json").write_text(json.dumps(report))


def thread_names() -> list[str]:
    """The names of this process's native threads (Linux), Python's own included."""
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return []
    return sorted((task / "comm").read_text().strip() for task in tasks.iterdir())


if __name__ == "__main__":
    main()
