"""A non-finite loss stops the run with exit code 1 and the step; the last good checkpoint stays."""

from __future__ import annotations

from pathlib import Path

import torch

from ganzoo.storage.checkpoint import list_checkpoints, load_checkpoint
from ganzoo.storage.weights import read_safetensors
from tests.reliability.processes import assert_clean_error, run

# With G's learning rate at 1e30, step 1 leaves huge but finite weights; step 2 overflows.
EXPLODING = [
    "run", "mlp-gan", "-d", "ring8", "--lr-g", "1e30", "--steps", "50", "--out", "run",
    "--set", "checkpoint_every=1", "-q",
]  # fmt: skip


def test_divergence_stops_and_keeps_the_last_good_checkpoint(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    outcome = run(EXPLODING, tmp_path, cli_env)
    assert_clean_error(
        outcome,
        "training diverged at step 2",
        "not finite",
        "--lr-g",
        "the last good checkpoint, of step 1",
        code=1,
    )
    run_dir = tmp_path / "run"
    assert [p.name for p in list_checkpoints(run_dir)] == ["step-000001.safetensors"]
    checkpoint = load_checkpoint(list_checkpoints(run_dir)[0])
    for state in checkpoint.modules.values():
        assert all(bool(torch.isfinite(t).all()) for t in state.values())
    tensors, metadata = read_safetensors(run_dir / "generator.safetensors")
    assert metadata["ganzoo.step"] == "1"
    assert all(bool(torch.isfinite(t).all()) for t in tensors.values())
