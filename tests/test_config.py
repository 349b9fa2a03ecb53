"""Run configuration: layering, --set parsing and the TOML written into run directories."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from ganzoo.config import (
    COMPONENT_SECTIONS,
    RunConfig,
    build_config,
    layered_config,
    parse_assignments,
    to_toml,
)
from ganzoo.errors import ConfigError
from ganzoo.kinds import KIND_TABLE, RUN_KINDS
from ganzoo.plugins import plugin_set
from ganzoo.registry import Entry, Kind, validate_settings

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def test_a_setting_set_to_none_is_written_none_and_reads_back_as_none() -> None:
    config = build_config(
        {
            "architecture": "dcgan",
            "dataset": "image-folder",
            "dataset_settings": {"path": "photos", "workers": None, "image_size": 32},
        }
    )
    saved = tomllib.loads(to_toml(config))
    assert saved["dataset_settings"] == {"path": "photos", "workers": "none", "image_size": 32}
    registry = plugin_set().registry
    settings = registry.settings("dataset", "image-folder", build_config(saved).dataset_settings)
    assert settings is not None and settings.workers is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("spelling", ["none", "null", "None", "NULL"])
def test_set_none_resets_an_optional_setting(spelling: str) -> None:
    from_file = {"architecture": "mlp-gan", "ema": 0.999, "dataset": "image-folder",
                 "dataset_settings": {"path": "photos", "workers": 4}}  # fmt: skip
    config = build_config(
        from_file, parse_assignments([f"ema={spelling}", f"dataset.workers={spelling}"])
    )
    assert config.ema is None
    settings = plugin_set().registry.settings("dataset", "image-folder", config.dataset_settings)
    assert settings.workers is None  # type: ignore[union-attr]


def test_none_is_refused_where_a_setting_is_not_optional() -> None:
    with pytest.raises(ConfigError, match="batch_size"):
        build_config({"architecture": "mlp-gan"}, parse_assignments(["batch_size=none"]))
    with pytest.raises(ConfigError, match=r"image_size.*'none'"):
        plugin_set().registry.settings("dataset", "digits", {"image_size": "none"})


class _NeedsPath(BaseModel):
    path: str


@pytest.mark.parametrize(
    ("kind", "spelling"), [("dataset", "dataset.path"), ("metric", "metric.needs-path.path")]
)
def test_a_missing_required_setting_names_its_set_spelling(kind: Kind, spelling: str) -> None:
    entry = Entry("needs-path", kind, lambda s: s, _NeedsPath, "test", (), "pkg", "1")
    expected = rf"path: field required \(give it with --set {spelling}="
    with pytest.raises(ConfigError, match=expected):
        validate_settings(entry, {})


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


def test_layered_config_stacks_recipe_file_overrides_and_set(tmp_path: Path) -> None:
    recipe = plugin_set().registry.recipe("wgan-gp-ring8").config
    config_file = tmp_path / "run.toml"
    config_file.write_text("seed = 7\nbatch_size = 32\n[loss_settings]\nlr_g = 1e-3\n")
    config = layered_config(
        recipe="wgan-gp-ring8",
        config_file=config_file,
        overrides={"batch_size": 16, "steps": None},
        assignments=["loss.lr_d=2e-3"],
    )
    assert config.recipe == "wgan-gp-ring8"
    assert config.architecture == recipe["architecture"]
    assert (config.seed, config.batch_size) == (
        7,
        16,
    )  # the file over the recipe, options over both
    assert config.steps == recipe.get("steps")  # a None override overrides nothing
    assert config.loss_settings["lr_g"] == 1e-3 and config.loss_settings["lr_d"] == 2e-3


def test_layered_config_needs_an_architecture_from_some_layer() -> None:
    with pytest.raises(ConfigError, match="no architecture given"):
        layered_config(overrides={"steps": 3})
    assert layered_config(assignments=["architecture=mlp-gan"]).architecture == "mlp-gan"


def test_run_components_come_from_the_kind_table() -> None:
    assert list(COMPONENT_SECTIONS) == [s.kind for s in RUN_KINDS]
    assert set(COMPONENT_SECTIONS.values()) <= set(RunConfig.model_fields)
    for spec in KIND_TABLE.values():
        for field in (spec.config_field, spec.settings_field):
            assert field is None or field in RunConfig.model_fields, (spec.kind, field)
