"""SIGKILL at random moments, resuming after each: no corrupt file, and the same final bits."""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import torch

from ganzoo.config import RunConfig, read_toml
from ganzoo.storage.atomic import TEMPORARY_MARK
from ganzoo.storage.checkpoint import list_checkpoints, load_checkpoint
from ganzoo.storage.weights import load_generator
from ganzoo.training.loop import train
from tests.reliability.processes import Running, newest_step

WIDTHS = [512, 1024, 1024]
"""A wide generator: checkpoints of ~20 MB, so that writing them takes much of each step."""
SETTINGS = {
    "architecture": "mlp-gan", "dataset": "ring8", "batch_size": 16, "seed": 7,
    "architecture_settings": {"generator_widths": WIDTHS},
}  # fmt: skip
FIRST = [
    "run", "mlp-gan", "-d", "ring8", "--batch-size", "16", "--seed", "7", "--steps", "100000",
    "--out", "run", "--set", "checkpoint_every=1",
    "--set", f"architecture.generator_widths={WIDTHS}", "-q",
]  # fmt: skip
RESUME = ["run", "--resume", "run", "-q"]
MOMENTS = ["training", "startup", "mid-write", "training", "mid-write"]
"""When each kill lands: at a random moment of training (checkpoints every step), while the
process starts, or as soon as a temporary file shows that a checkpoint is being written."""


def assert_intact(run_dir: Path) -> None:
    """Every checkpoint and weights file a killed run left is complete and loadable."""
    checkpoints = list_checkpoints(run_dir)
    assert checkpoints, "no checkpoint survived"
    for path in checkpoints:
        assert load_checkpoint(path).step == int(path.name[5:11])
    load_generator(run_dir / "generator.safetensors")
    read_toml(run_dir / "config.toml")


def kill_at_random(process: Running, run_dir: Path, moment: str, rng: random.Random) -> None:
    reached = newest_step(run_dir)
    if moment == "training":  # once this process has written a checkpoint of its own
        process.wait_until(lambda: newest_step(run_dir) > reached)
        time.sleep(rng.uniform(0, 0.3))
    elif moment == "mid-write":
        process.wait_until(lambda: newest_step(run_dir) > reached)
        process.wait_until(lambda: writing(run_dir), poll=0.001)
    else:
        time.sleep(rng.uniform(0.1, 1.5))
    os.kill(process.pid, signal.SIGKILL)
    assert process.finish().code == -signal.SIGKILL


def writing(run_dir: Path) -> bool:
    """Whether a temporary file (a write in progress, or one cut short) is in the run."""
    return any(TEMPORARY_MARK in p.name for p in run_dir.rglob(".*"))


def test_sigkill_at_random_moments(tmp_path: Path, cli_env: dict[str, str]) -> None:
    rng = random.Random(2024)
    run_dir = tmp_path / "run"
    process = Running(FIRST, tmp_path, cli_env)
    process.wait_until(lambda: newest_step(run_dir) >= 1)  # so there is something to resume
    left_behind = 0
    for index, moment in enumerate(MOMENTS):
        if index:  # each kill is followed by a resume, which the next kill interrupts
            process = Running(RESUME, tmp_path, cli_env)
        kill_at_random(process, run_dir, moment, rng)
        assert_intact(run_dir)
        left_behind += writing(run_dir)

    final = newest_step(run_dir) + 2
    finished = Running([*RESUME[:-1], "--steps", str(final), "-q"], tmp_path, cli_env).finish()
    assert finished.code == 0, finished.stderr
    assert_intact(run_dir)
    assert left_behind >= 1, "no kill landed while a file was being written"
    assert not writing(run_dir), "resuming did not remove the files cut short"

    reference = train(
        RunConfig.model_validate({**SETTINGS, "steps": final, "out": tmp_path / "straight"}),
        show_progress=False,
    )
    expected = load_checkpoint(list_checkpoints(reference)[-1])
    got = load_checkpoint(list_checkpoints(run_dir)[-1])
    assert got.step == expected.step == final
    for role in ("generator", "discriminator"):
        for name, tensor in expected.modules[role].items():
            assert torch.equal(tensor, got.modules[role][name]), f"{role}.{name} differs"
