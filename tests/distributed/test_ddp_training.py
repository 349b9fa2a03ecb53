"""Two gloo processes on CPU against one: every loss trains, weights match, resume is exact.

One torchrun launch (``worker.py``) does all the distributed runs; the single-process
references are trained here, in the test process.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch

from ganzoo.storage.checkpoint import Checkpoint, list_checkpoints, load_checkpoint
from ganzoo.training.artifacts import read_metrics
from ganzoo.training.loop import train
from tests.conftest import built_once
from tests.distributed.launching import launch
from tests.distributed.worker import LOSSES, run_config

WORKER = Path(__file__).with_name("worker.py")
# The gradient penalty draws its α inside the loss, from each rank's own stream, so a
# wgan-gp run cannot match a single process draw for draw; its gradients through DDP are
# checked with given α instead (test_gradient_penalty_through_ddp).
COMPARABLE = [loss for loss in LOSSES if loss != "wgan-gp"]


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of one torchrun launch of ``worker.py`` (once a session, for every worker)."""

    def run_workers(out: Path) -> None:
        result = launch(str(WORKER), str(out), base=tmp_path_factory.getbasetemp(), cwd=out)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]

    return built_once(tmp_path_factory, "ddp-workers", run_workers)


def report(workers: Path, rank: int) -> dict[str, Any]:
    return json.loads((workers / f"report-{rank}.json").read_text())


def newest(run_dir: Path) -> Checkpoint:
    return load_checkpoint(list_checkpoints(run_dir)[-1])


@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_trains_and_only_rank_zero_writes(workers: Path, loss: str) -> None:
    run_dir = workers / f"loss-{loss}"
    assert report(workers, 0)["world_size"] == report(workers, 1)["world_size"] == 2
    assert newest(run_dir).step == 4
    assert [row["step"] for row in read_metrics(run_dir)] == [1, 2, 3, 4]  # one writer
    frames = sorted(p.name for p in (run_dir / "samples").glob("*.png"))
    assert frames == [f"step-{s:06d}.png" for s in (0, 2, 4)]
    for name in ("generator.safetensors", "discriminator.safetensors", "loss_curve.png"):
        assert (run_dir / name).is_file()
    for rank in (0, 1):  # each rank's working directory: nothing written there
        assert list((workers / f"cwd-{rank}").iterdir()) == []


@pytest.mark.parametrize("loss", COMPARABLE)
def test_weights_end_close_to_a_single_process(workers: Path, tmp_path: Path, loss: str) -> None:
    """Two ranks of 8 end where one process with the global batch of 16 does.

    Each rank draws the global batch and the global latents and keeps its half, and
    BatchNorm statistics cover the global batch (``sync_batchnorm``; mlp-gan's G has
    BatchNorm, whose per-rank statistics would otherwise differ from the global ones), so
    the mean of the two ranks' gradients is the single process's gradient, up to float32
    rounding: sums over 8 examples, averaged over 2 ranks, instead of one sum over 16
    (about 1e-7 relative per operation).

    Adam (RMSprop for wgan) divides each gradient by its running magnitude, so a
    coordinate's step is about ``lr`` whatever the gradient's size: a 1e-7 relative
    gradient error stays a 1e-7 relative step error where the gradient is real. Where the
    true gradient is zero, what is computed is rounding noise, which Adam turns into steps
    of up to ``lr`` in a direction that differs between the two runs: the biases of the
    layers before a BatchNorm (which removes them, so their true gradient is 0) and the
    occasional D bias whose gradient cancels. Hence three checks, after 4 steps:

    - weight matrices within 5e-5 (a quarter of lr = 2e-4): observed at most 1e-5;
    - every parameter within ``2·lr·steps`` (what noise can move it at most);
    - the whole update (final − initial weights) within 1% relative: observed ≤ 0.13%,
      against order 1 for a run that draws other data or latents (see wgan-gp).
    """
    single = train(run_config(tmp_path / loss, loss=loss), show_progress=False)
    got, want = newest(workers / f"loss-{loss}"), newest(single)
    from ganzoo.plugins import plugin_set
    from ganzoo.training.setup import prepare

    plan = prepare(run_config(tmp_path / "unused", loss=loss), plugin_set().registry)
    initial = {"generator": plan.models.generator, "discriminator": plan.models.discriminator}
    lr = max(plan.loss_settings.lr_g, plan.loss_settings.lr_d)
    for role, module in initial.items():
        start = module.state_dict()
        names = [n for n, _ in module.named_parameters()]
        for name in names:
            difference = float((got.modules[role][name] - want.modules[role][name]).abs().max())
            assert difference <= 2 * lr * 4, f"{role}.{name} differs by {difference:.2e}"
            if name.endswith("weight"):
                assert difference <= 5e-5, f"{role}.{name} differs by {difference:.2e}"
        moved = torch.cat([(want.modules[role][n] - start[n]).flatten() for n in names])
        moved_ddp = torch.cat([(got.modules[role][n] - start[n]).flatten() for n in names])
        relative = float((moved_ddp - moved).norm() / moved.norm())
        assert relative < 1e-2, f"{role}: the update differs by {relative:.2%}"


def test_a_loss_drawing_its_own_randomness_is_not_draw_for_draw(workers: Path) -> None:
    """The control for the closeness test: wgan-gp's α differ, and so do its weights."""
    single = train(run_config(workers / "single-wgan-gp", loss="wgan-gp"), show_progress=False)
    got, want = newest(workers / "loss-wgan-gp"), newest(single)
    ours, theirs = got.modules["discriminator"], want.modules["discriminator"]
    assert float((ours["net.3.weight"] - theirs["net.3.weight"]).abs().max()) > 1e-4


def test_gradient_penalty_through_ddp(workers: Path) -> None:
    """The double backward of WGAN-GP through DDP gives the single-process gradients.

    Float32 rounding of two half-batch sums against one full one: 1e-7 relative
    (observed 2e-7); 1e-5 leaves room and still catches a gradient left unaveraged.
    """
    for rank in (0, 1):
        assert report(workers, rank)["gp_relative_error"] < 1e-5


def test_resume_is_exact_with_two_processes(workers: Path) -> None:
    """Stopped at 2 and resumed to 4 on two ranks: the same bits as 4 steps at once."""
    straight, resumed = newest(workers / "straight"), newest(workers / "stopped")
    assert straight.step == resumed.step == 4
    for role, state in straight.modules.items():
        for name, tensor in state.items():
            assert torch.equal(tensor, resumed.modules[role][name]), f"{role}.{name}"
    assert torch.equal(straight.rng["torch"], resumed.rng["torch"])
    losses = [
        [{k: v for k, v in row.items() if k.endswith("loss")} for row in read_metrics(run)]
        for run in (workers / "straight", workers / "stopped")
    ]
    assert losses[0] == losses[1] and len(losses[0]) == 4


def test_each_rank_draws_its_shard_of_the_global_batch(workers: Path) -> None:
    from ganzoo.plugins import plugin_set
    from ganzoo.training.setup import prepare
    from ganzoo.training.step import Trainer

    config = run_config(workers / "unused", dataset="digits")
    trainer = Trainer(prepare(config, plugin_set().registry))
    real, labels = next(trainer.batches())
    z = trainer.latent(len(real))
    shards = [torch.load(workers / f"shard-{rank}.pt") for rank in (0, 1)]
    assert [len(s["real"]) for s in shards] == [8, 8]  # per-rank batch = global / 2
    assert torch.equal(torch.cat([s["real"] for s in shards]), real)
    assert torch.equal(torch.cat([s["z"] for s in shards]), z)
    assert labels is not None and torch.equal(torch.cat([s["labels"] for s in shards]), labels)
    assert not torch.equal(shards[0]["real"], shards[1]["real"])


def test_a_global_batch_that_does_not_split_is_refused(workers: Path) -> None:
    message = report(workers, 0)["uneven_batch"]
    assert "--batch-size 15 is the global batch" in message and "try 14" in message


def test_the_process_group_is_freed_before_the_interpreter_exits(workers: Path) -> None:
    """Destroying the group frees it and joins its gloo threads while Python is whole.

    A group that outlives destroy_process_group (as one did when torch._dynamo was first
    imported after it existed) is freed at interpreter shutdown, where gloo now and then
    aborts the process: the 2-process flake of earlier rounds.
    """
    for rank in (0, 1):
        assert report(workers, rank)["group_freed"] is True
        assert not [name for name in report(workers, rank)["threads_left"] if "gloo" in name]
