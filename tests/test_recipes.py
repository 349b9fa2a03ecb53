"""Recipes: registered through the hook, listed with their reference, run with overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ganzoo
from ganzoo.builtin.recipes import (
    CPU_SETTINGS,
    MLP_CLUSTERS,
    MNIST_CLUSTERS,
    cpu_departures,
    mnist_recipe,
    tuned_cpu_setting,
)
from ganzoo.config import build_config, read_toml
from ganzoo.errors import PluginError
from ganzoo.plugins import plugin_set
from ganzoo.recipes import Figure
from ganzoo.registry import Entry, Registry
from ganzoo.training.setup import validate_config
from tests.conftest import run_cli

RECIPES = [e.name for e in ganzoo.list_components("recipe")]


@pytest.mark.parametrize("name", RECIPES)
def test_every_recipe_is_a_complete_valid_run(name: str) -> None:
    registry = plugin_set().registry
    recipe = registry.recipe(name)
    config = validate_config(build_config(recipe.config), registry)
    assert config.steps and config.batch_size % config.pack == 0
    for metric in recipe.protocol.metrics:
        registry.get("metric", metric)
    prefixes = {f"{metric}." for metric in recipe.protocol.metrics}
    assert all(any(key.startswith(p) for p in prefixes) for key in recipe.reference.figures)


def test_builtin_recipes_carry_the_published_rows() -> None:
    registry = plugin_set().registry
    row = registry.recipe("pacgan4-grid25").reference
    assert "PacGAN" in row.source and row.seeds == 10 and row.published
    assert row.figures["mode-coverage.modes_covered"] == Figure(value=24.8, sd=0.2)
    assert row.figures["mode-coverage.reverse_kl"].better == "lower"
    assert registry.recipe("pacgan4-grid25-paper").config["steps"] == 400_000
    assert registry.recipe("pacgan4-grid25").departures  # a CPU recipe says how it departs


def test_a_tuned_cpu_recipe_names_each_of_its_departures() -> None:
    tuned = plugin_set().registry.recipe("pacgan2-ring8")
    settings = tuned.config["loss_settings"]
    named = " ".join(tuned.departures)
    assert f"{tuned.config['steps']:,} steps instead of 400,000" in named
    assert f"γ = {settings['r1_weight']:g}" in named
    assert f"{settings['n_critic']} D steps per G step" in named
    assert tuned.config["architecture_settings"] == {"generator_batchnorm": False}
    assert "no BatchNorm in G" in named
    untuned = " ".join(cpu_departures("grid25", CPU_SETTINGS["grid25"]))
    assert "R1" not in untuned and "D steps per G" not in untuned and "BatchNorm" not in untuned
    assert "6,000 steps instead of 400,000" in untuned and "1/4" in untuned
    assert "lazily" not in named  # R1 on every D step unless a recipe says otherwise
    assert "r1_every" not in tuned_cpu_setting("grid25", 9_000)["loss_settings"]
    lazy = plugin_set().registry.recipe("pacgan4-grid25")
    assert lazy.config["loss_settings"]["r1_every"] == 4
    assert "on one D step in 4, with 4 times the weight" in " ".join(lazy.departures)
    assert "N(0, 0.02)" not in named and "init_std" not in tuned.config["architecture_settings"]
    he = plugin_set().registry.recipe("pacgan4-ring8")
    assert he.config["architecture_settings"]["init_std"] == 0.07
    assert "drawn from N(0, 0.07) instead of PacGAN's N(0, 0.02)" in " ".join(he.departures)


def test_the_tuned_tutorial_mlp_departs_from_the_tutorial_only_as_listed() -> None:
    registry = plugin_set().registry
    tutorial, tuned = registry.recipe("mlp-gan-mnist"), registry.recipe("mlp-gan-mnist-r1")
    assert tuned.config["architecture_settings"] == tutorial.config["architecture_settings"]
    assert tuned.config["loss_settings"] == {
        **tutorial.config["loss_settings"],
        "r1_weight": 10,
        "r1_every": 8,
    }
    keys = tutorial.config.keys() | tuned.config.keys()
    assert {k for k in keys if tutorial.config.get(k) != tuned.config.get(k)} == {
        "steps",
        "loss_settings",
        "precision",
        "ema",
    }
    assert tutorial.config["precision"] == "fp32" and "ema" not in tutorial.config
    assert tuned.config["precision"] == "bf16" and tuned.config["ema"] == 0.999
    assert set(tutorial.departures[1:]) < set(tuned.departures)  # all but the budget line
    named = " ".join(tuned.departures)
    assert f"{tuned.config['steps']:,} steps of batch 64" in named and "γ = 10" in named
    assert "one D step in 8" in named and "moving average of G's weights (decay 0.999)" in named
    assert "bf16" in named
    assert "R1" not in " ".join(tutorial.departures)


def test_the_tuned_dcgan_mnist_departs_from_the_paper_only_as_listed() -> None:
    tuned = plugin_set().registry.recipe("dcgan-mnist")
    paper = mnist_recipe("dcgan", 6_000, precision="bf16")  # the paper's networks and Adam
    keys = paper.config.keys() | tuned.config.keys()
    differing = {k for k in keys if paper.config.get(k) != tuned.config.get(k)}
    assert differing == {"steps", "loss_settings", "ema"}
    assert "ema" not in paper.config and tuned.config["ema"] == 0.999
    assert paper.config["loss_settings"]["lr_g"] == paper.config["loss_settings"]["lr_d"] == 2e-4
    assert tuned.config["loss_settings"] == {
        **paper.config["loss_settings"],
        "lr_g": 8e-4,
        "lr_d": 8e-4,
        "r1_weight": 1.0,
        "r1_every": 8,
    }
    named = " ".join(tuned.departures)
    assert "R1 penalty" in named and "γ = 1 " in named and "one D step in 8" in named
    assert "learning rate 8e-4" in named and "moving average of G's weights (decay 0.999)" in named
    assert f"{tuned.config['steps']:,} steps of batch 64" in named and "bf16" in named


def test_dcgan_fashion_mnist_trains_exactly_as_dcgan_mnist_on_its_own_data() -> None:
    registry = plugin_set().registry
    mnist, fashion = registry.recipe("dcgan-mnist"), registry.recipe("dcgan-fashion-mnist")
    assert {**fashion.config, "dataset": "mnist"} == mnist.config
    assert fashion.config["dataset"] == "fashion-mnist"
    assert set(mnist.departures) < set(fashion.departures)
    assert "Fashion-MNIST" in " ".join(set(fashion.departures) - set(mnist.departures))
    assert fashion.protocol == mnist.protocol and fashion.reference == mnist.reference


def test_cdcgan_mnist_trains_as_dcgan_mnist_with_the_class_given() -> None:
    registry = plugin_set().registry
    mnist, conditional = registry.recipe("dcgan-mnist"), registry.recipe("cdcgan-mnist")
    assert conditional.config == {**mnist.config, "architecture": "cdcgan", "steps": 8_000}
    assert registry.get("architecture", "cdcgan")  # a conditional architecture, registered
    added = " ".join(set(conditional.departures) - set(mnist.departures))
    assert "projection discriminator" in added and "8,000 steps of batch 64" in added
    assert conditional.protocol == mnist.protocol and conditional.reference == mnist.reference


def test_the_wgan_gp_recipes_train_one_tuning_on_either_mixture() -> None:
    registry = plugin_set().registry
    ring, grid = registry.recipe("wgan-gp-ring8"), registry.recipe("wgan-gp-grid25")
    keys = ring.config.keys() | grid.config.keys()
    differing = {k for k in keys if ring.config.get(k) != grid.config.get(k)}
    assert differing == {"dataset", "architecture_settings", "batch_size", "flush_denormals"}
    assert ring.config["loss_settings"]["gp_weight"] == 0.1
    assert grid.config["architecture_settings"] == {
        **ring.config["architecture_settings"],
        "data_scale": 8.0,
        "init_std": 0.07,
    }
    assert grid.config["flush_denormals"] and "flush_denormals" not in ring.config
    assert (ring.config["batch_size"], grid.config["batch_size"]) == (100, 200)
    scale, init, batch = (d for d in grid.departures if d not in ring.departures)
    assert scale.startswith("inputs scaled by 1/8 inside the networks (data_scale = 8")
    assert init.startswith("both networks' weights drawn from N(0, 0.07) instead of PacGAN's")
    assert batch.startswith("batches of 200 instead of PacGAN's 100, paid for by flushing")


GPU_ROWS = {
    "dcgan-cifar10": {"fid.fid": 42.7},
    "wgan-gp-cifar10": {"fid.fid": 16.9},
    "sngan-cifar10": {"fid.fid": 14.3},
    "dcgan-stacked-mnist": {
        "stacked-mnist-modes.modes_covered": 99.0,
        "stacked-mnist-modes.reverse_kl": 3.4,
    },
    "pacdcgan2-stacked-mnist": {
        "stacked-mnist-modes.modes_covered": 1000.0,
        "stacked-mnist-modes.reverse_kl": 0.06,
    },
}


@pytest.mark.parametrize("name", GPU_ROWS)
def test_gpu_recipes_carry_their_published_rows_and_no_measurement(name: str) -> None:
    recipe = plugin_set().registry.recipe(name)
    figures = {key: figure.value for key, figure in recipe.reference.figures.items()}
    assert figures == GPU_ROWS[name] and recipe.reference.published
    assert recipe.hardware == "gpu" and recipe.minutes_per_seed is None
    if "cifar10" in name:
        assert recipe.protocol.num_samples == 50_000 and recipe.config["steps"] == 100_000
        assert recipe.config["dataset"] == "cifar10"


@pytest.mark.parametrize(
    ("mean", "sd", "expected"),
    [(99.0, 0.0, "beaten"), (98.2, 0.0, "matched"), (98.1, 0.0, "matched"), (97.0, 5.0, "missed")],
)
def test_verdicts_use_the_published_sd(mean: float, sd: float, expected: str) -> None:
    assert Figure(value=98.2, sd=0.2).verdict(mean, sd) == expected


def test_verdicts_fall_back_to_our_sd_and_respect_lower_is_better() -> None:
    kl = Figure(value=0.1, better="lower")
    assert kl.verdict(0.05, 0.0) == "beaten"
    assert kl.verdict(0.15, 0.1) == "matched"
    assert kl.verdict(0.15, 0.01) == "missed"


def test_a_recipe_must_be_a_recipe() -> None:
    registry = Registry()
    with pytest.raises(PluginError, match=r"give a ganzoo\.recipes\.Recipe"):
        registry.add(Entry("bad", "recipe", lambda: None, None, "A recipe", (), "pkg", "1"))
    registry.add(Entry("wrong", "recipe", "json:loads", None, "A recipe", (), "pkg", "1"))
    with pytest.raises(PluginError, match=r"not a ganzoo\.recipes\.Recipe"):
        registry.recipe("wrong")


def test_plugin_recipe_is_listed_with_its_reference() -> None:
    result = run_cli("list", "--kind", "recipe", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    plugin = rows["ragan-ring8"]
    assert plugin["package"] == "ganzoo-relativistic"
    assert plugin["reference"]["published"] is False
    assert plugin["config"]["loss"] == "relativistic-average"
    assert rows["pacgan-ring8"]["reference"]["figures"]["mode-coverage.high_quality_pct"] == {
        "value": 98.2,
        "sd": 0.2,
        "better": "higher",
    }
    assert rows["sngan-cifar10"]["hardware"] == "gpu"
    assert rows["sngan-cifar10"]["minutes_per_seed"] is None
    assert rows["pacgan-ring8"]["hardware"] == "cpu"
    table = run_cli("list", "--kind", "recipe", env={"COLUMNS": "200"})
    assert "ragan-ring8" in table.stdout and "PacGAN" in table.stdout
    assert "needs a GPU (not yet run)" in table.stdout


def test_run_recipe_with_overrides(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = run_cli("run", "--recipe", "ragan-ring8", "--steps", "4", "--seed", "3",
                     "--set", "loss.lr_d=5e-4", "--out", str(out), "-q")  # fmt: skip
    assert result.returncode == 0, result.stderr
    saved = read_toml(out / "config.toml")
    assert saved["recipe"] == "ragan-ring8"
    assert (saved["architecture"], saved["loss"]) == ("pacgan-mlp", "relativistic-average")
    assert (saved["steps"], saved["seed"], saved["lr_decay"]) == (4, 3, "linear")
    assert saved["loss_settings"]["lr_d"] == 5e-4 and saved["loss_settings"]["lr_g"] == 1e-3
    assert len([json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()])


def test_a_recipe_switch_is_turned_off_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert plugin_set().registry.recipe("sngan-cifar10").config["spectral_norm"] is True
    result = run_cli("run", "--recipe", "sngan-cifar10", "--dataset", "digits", "--steps", "1",
                     "--no-spectral-norm", "--minibatch-std", "--out", str(out), "-q")  # fmt: skip
    assert result.returncode == 0, result.stderr
    saved = read_toml(out / "config.toml")
    assert (saved["spectral_norm"], saved["minibatch_std"]) == (False, True)


def test_unknown_recipe_is_one_line(tmp_path: Path) -> None:
    result = run_cli("run", "--recipe", "pacgan-rign8", "--out", str(tmp_path / "x"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "pacgan-ring8" in result.stderr
    assert not (tmp_path / "x").exists()


def test_cdcgan_mnist_clusters_trains_as_cdcgan_mnist_given_clusters_not_classes() -> None:
    registry = plugin_set().registry
    labelled, clustered = registry.recipe("cdcgan-mnist"), registry.recipe("cdcgan-mnist-clusters")
    assert clustered.config == {**labelled.config, "cluster_labels": MNIST_CLUSTERS}
    added = set(clustered.departures) - set(labelled.departures)
    assert len(added) == 1 and "no label is read" in added.pop()
    assert clustered.protocol == labelled.protocol and clustered.reference == labelled.reference


def test_cgan_mnist_clusters_trains_as_mlp_gan_mnist_r1_made_conditional_on_clusters() -> None:
    registry = plugin_set().registry
    mlp, clustered = registry.recipe("mlp-gan-mnist-r1"), registry.recipe("cgan-mnist-clusters")
    expected = {**mlp.config, "architecture": "cgan", "cluster_labels": MLP_CLUSTERS}
    assert clustered.config == expected
    added = set(clustered.departures) - set(mlp.departures)
    assert len(added) == 1 and "no label is read" in added.pop()
    assert clustered.protocol == mlp.protocol and clustered.reference == mlp.reference


def test_cdcgan_fashion_mnist_clusters_is_cdcgan_mnist_clusters_on_fashion_mnist() -> None:
    registry = plugin_set().registry
    mnist = registry.recipe("cdcgan-mnist-clusters")
    fashion = registry.recipe("cdcgan-fashion-mnist-clusters")
    assert fashion.config == {**mnist.config, "dataset": "fashion-mnist"}
    baseline = registry.recipe("dcgan-fashion-mnist")
    assert fashion.protocol == baseline.protocol and fashion.reference == baseline.reference
    added = set(fashion.departures) - set(baseline.departures)
    clusters = {d for d in added if "no label is read" in d}
    assert len(clusters) == 1 and added - clusters == {"8,000 steps of batch 64, sized for a CPU"}
