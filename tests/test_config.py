"""Run configuration: layering, --set parsing and the TOML written into run directories."""

from __future__ import annotations

import sys

import pytest

from ganzoo.config import build_config, parse_assignments, to_toml
from ganzoo.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def test_unset_nested_settings_are_left_out_of_the_toml() -> None:
    config = build_config(
        {
            "architecture": "dcgan",
            "dataset": "image-folder",
            "dataset_settings": {"path": "photos", "workers": None, "image_size": 32},
        }
    )
    saved = tomllib.loads(to_toml(config))
    assert saved["dataset_settings"] == {"path": "photos", "image_size": 32}
    assert build_config(saved).dataset_settings == {"path": "photos", "image_size": 32}


def test_layers_override_in_order() -> None:
    config = build_config(
        {"architecture": "mlp-gan", "steps": 10, "loss_settings": {"lr_g": 1.0, "lr_d": 2.0}},
        parse_assignments(["steps=20", "loss.lr_d=3e-4", "architecture.latent_dim=8"]),
    )
    assert config.steps == 20
    assert config.loss_settings == {"lr_g": 1.0, "lr_d": 3e-4}
    assert config.architecture_settings == {"latent_dim": 8}


@pytest.mark.parametrize("assignment", ["steps", "=3", "loss.=1", "loss_settings=x", "foo.bar=1"])
def test_malformed_set_assignments_are_config_errors(assignment: str) -> None:
    with pytest.raises(ConfigError, match="--set"):
        parse_assignments([assignment])
