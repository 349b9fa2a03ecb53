"""A run fits the dataset's default image size to the sizes an architecture declares,
for a plugin's architecture exactly as for ganzoo's own."""

from __future__ import annotations

from typing import Any

import pytest
from torch import nn

from ganzoo.config import RunConfig
from ganzoo.data import DataSpec
from ganzoo.errors import ConfigError
from ganzoo.models import GANModels, ImageSizes
from ganzoo.plugins import hookimpl, load
from ganzoo.registry import Registry
from ganzoo.training.image_size import fit_image_size
from tests.conftest import run_cli


def _flat(spec: DataSpec, options: Any) -> GANModels:
    generator = nn.Sequential(nn.Linear(4, spec.numel), nn.Tanh(), nn.Unflatten(1, spec.shape))
    discriminator = nn.Sequential(nn.Flatten(), nn.Linear(spec.numel, 1), nn.Flatten(0))
    return GANModels(generator, discriminator, latent_dim=4)


class _Sized:
    @hookimpl
    def register_architectures(self, register: Any) -> None:
        register("twelves", _flat, description="12·2^k", image_sizes=ImageSizes((12,), 0))
        register("tiny-only", _flat, description="6 only", image_sizes=ImageSizes.only(6))


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load(extra_plugins=[(_Sized(), "ganzoo-sized", "1.0")]).registry


def test_the_default_size_moves_to_the_nearest_size_above(registry: Registry) -> None:
    config, note = fit_image_size(RunConfig(architecture="twelves"), registry)
    assert config.dataset_settings == {"image_size": 12}
    assert note is not None and "digits is resized to 12×12" in note
    config, note = fit_image_size(RunConfig(architecture="twelves", dataset="mnist"), registry)
    assert config.dataset_settings == {"image_size": 48} and note is not None


def test_a_size_it_makes_and_data_without_sizes_are_left_alone(registry: Registry) -> None:
    for config in (
        RunConfig(architecture="twelves", dataset_settings={"image_size": 24}),
        RunConfig(architecture="twelves", dataset="ring8"),
        RunConfig(architecture="mlp-gan"),
    ):
        assert fit_image_size(config, registry) == (config, None)


def test_an_explicit_size_it_cannot_make_names_the_fix(registry: Registry) -> None:
    config = RunConfig(architecture="twelves", dataset_settings={"image_size": 30})
    with pytest.raises(ConfigError, match=r"use --set dataset.image_size=48$"):
        fit_image_size(config, registry)
    with pytest.raises(
        ConfigError, match="makes 6-pixel images, all smaller than the 8×8 of dataset 'digits'"
    ):
        fit_image_size(RunConfig(architecture="tiny-only"), registry)


def test_the_cli_refuses_an_explicit_size_in_one_line(tmp_path: Any) -> None:
    result = run_cli("run", "dcgan", "--set", "dataset.image_size=8", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: dataset.image_size=8: architecture 'dcgan' from ganzoo cannot make 8×8 images; "
        "it makes 16, 28, 32, 56, 64, 112, 128, … (4·2^k or 7·2^k, k ≥ 2); "
        "use --set dataset.image_size=16"
    ]
    assert not (tmp_path / "runs").exists()
