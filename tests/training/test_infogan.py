"""InfoGAN: a categorical code read from z, and a Q head that learns to read it back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from PIL import Image

import ganzoo
from ganzoo.builtin.architectures.infogan import latent_code, with_code
from ganzoo.data.spec import DataSpec
from ganzoo.errors import ConfigError
from ganzoo.models import BuildOptions
from ganzoo.plugins import plugin_set
from ganzoo.storage.weights import (
    ModelDescription,
    build_models,
    load_generator,
    load_state,
    read_safetensors,
)
from ganzoo.training.distributed import Session
from ganzoo.training.setup import prepare
from tests.conftest import built_once, run_cli

SPEC = DataSpec((1, 28, 28))
ROLES = ("generator", "discriminator")


def build(**settings: object) -> ganzoo.GANModels:
    return ganzoo.build("architecture", "infogan", settings, SPEC, BuildOptions())


def test_the_code_is_the_argmax_of_the_last_entries_and_uniform() -> None:
    z = torch.randn(50_000, 110, generator=torch.Generator().manual_seed(0))
    codes = latent_code(z, 10)
    assert torch.equal(codes, z[:, 100:].argmax(dim=1))
    shares = torch.bincount(codes, minlength=10) / len(codes)
    assert shares.min() > 0.09 and shares.max() < 0.11  # 10 % each, within sampling noise


def test_with_code_sets_the_code_and_keeps_the_noise() -> None:
    z = torch.randn(8, 110)
    chosen = with_code(z, 7, 10)
    assert torch.equal(latent_code(chosen, 10), torch.full((8,), 7))
    assert torch.equal(chosen[:, :100], z[:, :100]) and latent_code(z, 10).ne(7).any()
    with pytest.raises(ValueError, match="code 10 is outside the 10 categories"):
        with_code(z, 10, 10)


def test_g_sees_the_noise_and_the_code_one_hot_not_the_codes_values() -> None:
    models = build()
    assert models.latent_dim == 110 and not models.conditional
    generator = models.generator.eval()
    z = torch.randn(1, 110).repeat(3, 1)
    z[:, 100:] = 0.0
    z[0, 103], z[1, 103], z[2, 105] = 1.0, 5.0, 1.0  # code 3, code 3 again, code 5
    with torch.no_grad():
        images = generator(z)
    assert torch.equal(images[0], images[1])  # only the argmax counts
    assert not torch.allclose(images[0], images[2])


def test_the_information_loss_is_q_cross_entropy_weighted() -> None:
    models = build(information_weight=2.5)
    assert models.auxiliary_loss is not None
    z = torch.randn(6, 110)
    fake = models.generator(z)
    logits = models.discriminator.code_logits(fake)
    assert logits.shape == (6, 10)
    expected = 2.5 * torch.nn.functional.cross_entropy(logits, latent_code(z, 10))
    torch.testing.assert_close(models.auxiliary_loss(z, fake), expected)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short infogan run on the embedded digits at 16 pixels."""

    def train(out: Path) -> None:
        result = run_cli(
            "run", "infogan", "--dataset", "digits", "--set", "dataset.image_size=16",
            "--steps", "300", "--batch-size", "32", "--seed", "1", "--out", str(out / "run"),
            "--quiet",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr

    return built_once(tmp_path_factory, "infogan", train) / "run"


def test_a_short_run_teaches_q_to_read_the_code_back(trained: Path) -> None:
    lines = [json.loads(line) for line in (trained / "metrics.jsonl").read_text().splitlines()]
    first, last = lines[0], lines[-1]
    assert first["d_auxiliary"] > 1.0  # near ln 10 = 2.3 before Q has learned anything
    assert last["d_auxiliary"] < 0.3 and last["g_auxiliary"] < 0.3

    generator_file, discriminator_file = (trained / f"{role}.safetensors" for role in ROLES)
    generator_tensors, metadata = read_safetensors(generator_file)
    models = build_models(ModelDescription.from_metadata(metadata, generator_file))
    load_state(models.generator, generator_tensors, generator_file)
    discriminator_tensors, _ = read_safetensors(discriminator_file)
    assert any(name.startswith("q.") for name in discriminator_tensors)  # Q is saved with D
    load_state(models.discriminator, discriminator_tensors, discriminator_file)
    z = torch.randn(1_000, models.latent_dim, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        guessed = models.discriminator.eval().code_logits(models.generator.eval()(z)).argmax(1)
    assert (guessed == latent_code(z, 10)).float().mean() > 0.9  # chance is 0.1


def test_infogan_refuses_several_processes(
    tmp_path: Path,
) -> None:
    config = ganzoo.RunConfig(
        architecture="infogan", dataset_settings={"image_size": 16}, steps=2, batch_size=8,
        device="cpu", out=tmp_path / "run",
    )  # fmt: skip
    with pytest.raises(ConfigError, match=r"^architecture 'infogan' adds an auxiliary loss"):
        prepare(config, plugin_set().registry, Session(rank=1, world_size=2))  # as each rank


def test_sample_draws_the_code_asked_for_with_the_seeds_noise(trained: Path) -> None:
    generator = load_generator(trained)
    discriminator_file = trained / "discriminator.safetensors"
    tensors, metadata = read_safetensors(discriminator_file)
    discriminator = build_models(ModelDescription.from_metadata(metadata, discriminator_file))
    load_state(discriminator.discriminator, tensors, discriminator_file)
    fours = generator.sample(200, seed=3, code=4)
    with torch.no_grad():
        read = discriminator.discriminator.eval().code_logits(fours).argmax(dim=1)
    assert (read == 4).float().mean() > 0.9
    assert not torch.equal(fours, generator.sample(200, seed=3, code=5))
    assert torch.equal(fours[:50], generator.sample(50, seed=3, code=4))  # seeded, as sample is


def test_the_sample_picture_gives_each_code_a_row(trained: Path, tmp_path: Path) -> None:
    result = run_cli("sample", str(trained), "-n", "40", "--out", str(tmp_path / "codes.png"))
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "codes.png") as picture:
        width, height = picture.size
    assert height / width == pytest.approx(10 / 4, rel=0.05)  # 10 codes × 4 samples each
    result = run_cli("sample", str(trained), "--code", "10", "--out", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --code 10 is out of range: codes are 0..9"


def test_code_is_refused_for_a_generator_without_one(tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert run_cli("run", "mlp-gan", "--steps", "2", "--out", str(run), "-q").returncode == 0
    result = run_cli("sample", str(run), "--code", "1", "--out", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert "--code needs a generator that reads a categorical code" in result.stderr
    assert not (tmp_path / "x.png").exists()
