"""Stopping at step k and resuming reaches the same bits at step n as an uninterrupted run (CPU)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from ganzoo.config import RunConfig
from ganzoo.storage.checkpoint import Checkpoint, list_checkpoints, load_checkpoint
from ganzoo.training.loop import resume, train

CASES = {
    "mlp-non-saturating": {"architecture": "mlp-gan", "loss": "non-saturating"},
    "mlp-wgan-gp-ema": {"architecture": "mlp-gan", "loss": "wgan-gp", "ema": 0.9},
    "dcgan-batchnorm": {
        "architecture": "dcgan",
        "architecture_settings": {"generator_features": 8, "discriminator_features": 8},
        "dataset_settings": {"image_size": 16},
    },
    "dcgan-channels-last-ema": {
        "architecture": "dcgan",
        "channels_last": True,
        "ema": 0.9,
        "architecture_settings": {"generator_features": 8, "discriminator_features": 8},
        "dataset_settings": {"image_size": 16},
    },
    "dcgan-wgan-gp-fp16": {
        "architecture": "dcgan",
        "loss": "wgan-gp",
        "precision": "fp16",
        "architecture_settings": {"generator_features": 8, "discriminator_features": 8},
        "dataset_settings": {"image_size": 16},
        "loss_settings": {"n_critic": 2},
    },
    # Q, InfoGAN's second head of D, and its auxiliary loss resume with D
    "infogan-bf16": {
        "architecture": "infogan",
        "precision": "bf16",
        "architecture_settings": {"generator_features": 8, "discriminator_features": 8},
        "dataset_settings": {"image_size": 16},
    },
    # stopped at step 3, D's next update is its 7th: a lazy R1 count restarted at 0 would differ
    "pacgan-lazy-r1": {
        "architecture": "pacgan-mlp",
        "dataset": "ring8",
        "pack": 2,
        "loss_settings": {"n_critic": 2, "r1_weight": 0.01, "r1_every": 4},
    },
}


def config(out: Path, steps: int, **fields: object) -> RunConfig:
    return RunConfig.model_validate(
        {"steps": steps, "batch_size": 16, "device": "cpu", "out": out, "seed": 3, **fields}
        | {"sample_every": 1000, "checkpoint_every": 2}
    )


def final_checkpoint(run_dir: Path) -> Checkpoint:
    return load_checkpoint(list_checkpoints(run_dir)[-1])


def all_tensors(checkpoint: Checkpoint) -> dict[str, torch.Tensor]:
    """Every tensor of a checkpoint: networks, optimiser states and RNG state."""
    tensors = {f"rng.{k}": v for k, v in checkpoint.rng.items()}
    for role, state in checkpoint.modules.items():
        tensors.update({f"{role}.{k}": v for k, v in state.items()})
    for role, optimizer in checkpoint.optimizers.items():
        for param, values in optimizer["state"].items():
            tensors.update(
                {f"{role}.{param}.{k}": v for k, v in values.items() if torch.is_tensor(v)}
            )
    return tensors


@pytest.mark.parametrize("fields", CASES.values(), ids=CASES.keys())
def test_resumed_run_is_bit_identical(tmp_path: Path, fields: dict[str, object]) -> None:
    straight = train(config(tmp_path / "straight", 5, **fields), show_progress=False)
    stopped = train(config(tmp_path / "stopped", 3, **fields), show_progress=False)
    assert final_checkpoint(stopped).step == 3
    resume(stopped, steps=5, show_progress=False)

    expected, got = all_tensors(final_checkpoint(straight)), all_tensors(final_checkpoint(stopped))
    assert final_checkpoint(stopped).step == 5
    assert expected.keys() == got.keys()
    different = [name for name in expected if not torch.equal(expected[name], got[name])]
    assert not different, f"tensors differ after resuming: {different}"
    assert final_checkpoint(stopped).scalers == final_checkpoint(straight).scalers
    if fields.get("precision") == "fp16":  # one gradient scaler per network, restored
        assert set(final_checkpoint(stopped).scalers) == {"generator", "discriminator"}


def test_resume_cuts_the_log_back_to_the_checkpoint(tmp_path: Path) -> None:
    run_dir = train(
        config(tmp_path / "run", 4, architecture="mlp-gan", dataset="ring8", log_every=1),
        show_progress=False,
    )
    list_checkpoints(run_dir)[-1].unlink()  # as if killed before the step-4 checkpoint
    metrics = run_dir / "metrics.jsonl"
    metrics.write_text(metrics.read_text() + '{"step": 5, "d_lo')  # and a line cut short
    resume(run_dir, show_progress=False)
    steps = [json.loads(line)["step"] for line in metrics.read_text().splitlines()]
    assert steps == [1, 2, 3, 4]
