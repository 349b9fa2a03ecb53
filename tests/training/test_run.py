"""`ganzoo run` end to end: the run directory, reproducibility, and `ganzoo sample`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors import safe_open
from safetensors.torch import load_file

from ganzoo.config import read_toml
from tests.conftest import run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

RUN_ARGS = (
    "--steps",
    "12",
    "--batch-size",
    "16",
    "--set",
    "sample_every=4",
    "--set",
    "log_every=3",
    "--set",
    "grid_size=16",
)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "first"
    result = run_cli("run", "mlp-gan", "--loss", "wgan-gp", *RUN_ARGS, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "generator (mlp-gan)" in result.stderr  # the rich layer summary
    assert "772,288" in result.stderr  # G's parameter count, z(100)→…→64 (8×8 digits)
    return out


def test_run_directory_layout(run_dir: Path) -> None:
    config = tomllib.loads((run_dir / "config.toml").read_text())
    assert config["loss"] == "wgan-gp" and config["steps"] == 12
    assert config["loss_settings"]["n_critic"] == 5  # the loss's defaults are resolved
    frames = sorted(p.name for p in (run_dir / "samples").glob("step-*.png"))
    assert frames == [f"step-{s:06d}.png" for s in (0, 4, 8, 12)]
    grid = Image.open(run_dir / "samples" / "step-000012.png")
    side = 3 * (4 * 10 + 2)  # 4×4 images of 8 px with 2 px padding, shown 3× enlarged
    assert grid.size == (side, side)
    assert grid.getpixel((5, 5)) == (255, 255, 255)  # inside the padding, enlarged too
    gif = Image.open(run_dir / "samples.gif")
    assert gif.n_frames == 4
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [row["step"] for row in rows] == [3, 6, 9, 12]
    assert {"d_loss", "g_loss", "gp", "wasserstein", "images_per_s"} <= set(rows[0])
    assert Image.open(run_dir / "loss_curve.png").size[0] > 100


def test_weights_are_self_describing_safetensors(run_dir: Path) -> None:
    tensors = load_file(run_dir / "generator.safetensors")
    assert tensors["net.0.weight"].shape == (128, 100)
    with safe_open(run_dir / "generator.safetensors", framework="pt") as handle:
        metadata = handle.metadata()
    assert metadata["ganzoo.architecture"] == "mlp-gan"
    assert json.loads(metadata["ganzoo.data_spec"])["shape"] == [1, 8, 8]
    assert metadata["ganzoo.step"] == "12"
    assert json.loads(metadata["ganzoo.architecture_settings"])["latent_dim"] == 100


def test_same_seed_gives_bit_identical_weights(run_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    result = run_cli("run", "mlp-gan", "--loss", "wgan-gp", *RUN_ARGS, "--out", str(again), "-q")
    assert result.returncode == 0, result.stderr
    first, second = (load_file(d / "generator.safetensors") for d in (run_dir, again))
    assert all(torch.equal(first[k], second[k]) for k in first)
    other = tmp_path / "other"
    run_cli(
        "run", "mlp-gan", "--loss", "wgan-gp", *RUN_ARGS, "--seed", "1", "--out", str(other), "-q"
    )
    third = load_file(other / "generator.safetensors")
    assert not torch.equal(first["net.0.weight"], third["net.0.weight"])


def test_sample_from_the_weights_file_alone(run_dir: Path, tmp_path: Path) -> None:
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    weights = lonely / "g.safetensors"
    weights.write_bytes((run_dir / "generator.safetensors").read_bytes())
    result = run_cli(
        "sample", str(weights), "-n", "6", "--seed", "3", "--out", str(tmp_path / "x.npy")
    )
    assert result.returncode == 0, result.stderr
    samples = np.load(tmp_path / "x.npy")
    assert samples.shape == (6, 1, 8, 8)
    assert samples.min() >= -1 and samples.max() <= 1
    run_cli("sample", str(weights), "-n", "6", "--seed", "3", "--out", str(tmp_path / "y.npy"))
    assert np.array_equal(samples, np.load(tmp_path / "y.npy"))  # same seed, same samples
    picture = run_cli("sample", str(run_dir), "-n", "9", "--out", str(tmp_path / "grid.png"))
    assert picture.returncode == 0, picture.stderr
    side = 3 * (3 * 10 + 2)  # 3×3 images of 8 px with 2 px padding, shown 3× enlarged
    assert Image.open(tmp_path / "grid.png").size == (side, side)


def test_config_file_then_command_line(tmp_path: Path) -> None:
    config_file = tmp_path / "run.toml"
    config_file.write_text(
        'loss = "bce"\nsteps = 2\nbatch_size = 8\n[loss_settings]\nlr_g = 0.001\n'
    )
    out = tmp_path / "run"
    result = run_cli(
        "run",
        "mlp-gan",
        "--config",
        str(config_file),
        "--steps",
        "3",
        "--set",
        "loss.lr_d=0.003",
        "--out",
        str(out),
        "-q",
    )
    assert result.returncode == 0, result.stderr
    saved = read_toml(out / "config.toml")
    assert (saved["loss"], saved["steps"], saved["batch_size"]) == ("bce", 3, 8)
    assert saved["loss_settings"]["lr_g"] == 0.001
    assert saved["loss_settings"]["lr_d"] == 0.003
