"""Real plugin distributions, built and pip-installed into a temporary folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import build_plugin_package, pip_install, run_cli

TOY_PLUGIN = """
import torch
from pydantic import BaseModel
from torch import nn

import ganzoo
from ganzoo.data.source import Batch, DataSource
from ganzoo.data.spec import DataSpec
from ganzoo.losses import Loss, LossSettings
from ganzoo.models import GANModels


class TinySettings(BaseModel):
    hidden: int = 16


def build_tiny(settings, spec, options):
    size = spec.numel
    generator = nn.Sequential(nn.Linear(4, settings.hidden), nn.ReLU(),
                              nn.Linear(settings.hidden, size), nn.Unflatten(1, spec.shape))
    discriminator = nn.Sequential(nn.Flatten(), nn.Linear(size, settings.hidden),
                                  nn.LeakyReLU(0.2), nn.Linear(settings.hidden, 1), nn.Flatten(0))
    return GANModels(generator, discriminator, latent_dim=4)


class HingeLoss(Loss):
    def discriminator_loss(self, critic, real, fake):
        return torch.relu(1 - critic(real)).mean() + torch.relu(1 + critic(fake)).mean()

    def generator_loss(self, critic, fake):
        return -critic(fake).mean()


class Blobs(DataSource):
    spec = DataSpec(shape=(2,), value_range=(-3.0, 3.0))

    def batches(self, batch_size, *, seed, device, start=0):
        index = start
        while True:
            generator = torch.Generator().manual_seed(seed * 1_000_003 + index)
            yield Batch(torch.randn(batch_size, 2, generator=generator).to(device), None)
            index += 1


@ganzoo.hookimpl
def register_architectures(register):
    register("toy-mlp", build_tiny, TinySettings, description="A tiny two-layer GAN")


@ganzoo.hookimpl
def register_losses(register):
    register("toy-hinge", HingeLoss, LossSettings, description="Hinge loss from a plugin")


@ganzoo.hookimpl
def register_datasets(register):
    register("toy-blobs", lambda context: Blobs(), description="A standard normal blob in 2-D")
"""

BROKEN_PLUGIN = """
raise RuntimeError("this plugin is broken on purpose")
"""

CLASHING_PLUGIN = """
import ganzoo

@ganzoo.hookimpl
def register_losses(register):
    register("wgan-gp", "clash_module:nothing", description="Tries to take a built-in name")
"""


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with three real installed distributions: a good, a broken and a clashing one."""
    root = tmp_path_factory.mktemp("plugins")
    target = root / "site"
    pip_install(build_plugin_package(root, "ganzoo-toy", "1.2.3", "toy_plugin", TOY_PLUGIN), target)
    pip_install(
        build_plugin_package(root, "ganzoo-broken", "0.0.1", "broken_plugin", BROKEN_PLUGIN), target
    )
    pip_install(
        build_plugin_package(root, "ganzoo-clash", "0.2.0", "clash_module", CLASHING_PLUGIN), target
    )
    return target


def plugin_env(path: Path, **extra: str) -> dict[str, str]:
    env = {
        "PYTHONPATH": os.pathsep.join([str(path), os.environ.get("PYTHONPATH", "")]),
        "GANZOO_STRICT": "0",
    }
    env.update(extra)
    return env


def test_installed_components_are_listed_under_their_package(plugin_path: Path) -> None:
    result = run_cli("list", "--json", env=plugin_env(plugin_path))
    assert result.returncode == 0, result.stderr
    entries = {(e["kind"], e["name"]): e for e in json.loads(result.stdout)}
    for kind, name in (
        ("architecture", "toy-mlp"),
        ("loss", "toy-hinge"),
        ("dataset", "toy-blobs"),
    ):
        entry = entries[(kind, name)]
        assert entry["package"] == "ganzoo-toy"
        assert entry["version"] == "1.2.3"
        assert entry["description"]
    assert entries[("loss", "wgan-gp")]["package"] == "ganzoo"
    for entry in entries.values():
        assert set(entry) >= {"name", "kind", "description", "package", "version"}


def test_broken_plugin_is_reported_and_the_rest_keeps_working(plugin_path: Path) -> None:
    listing = run_cli("list", "--kind", "loss", env=plugin_env(plugin_path))
    assert listing.returncode == 0
    assert "toy-hinge" in listing.stdout
    assert "ganzoo-broken 0.0.1" in listing.stderr
    assert "broken on purpose" in listing.stderr
    assert "Traceback" not in listing.stderr

    plugins = run_cli("plugins", "--json", env=plugin_env(plugin_path))
    report = json.loads(plugins.stdout)
    failures = {f["package"]: f for f in report["failures"]}
    assert "RuntimeError: this plugin is broken on purpose" in failures["ganzoo-broken"]["error"]
    loaded = {p["package"]: p for p in report["plugins"]}
    assert loaded["ganzoo-toy"]["hooks"] == [
        "register_architectures",
        "register_datasets",
        "register_losses",
    ]


def test_name_clash_keeps_the_first_and_names_both_packages(plugin_path: Path) -> None:
    result = run_cli("plugins", "--json", env=plugin_env(plugin_path))
    conflicts = json.loads(result.stdout)["conflicts"]
    assert any("'wgan-gp'" in c and "ganzoo-clash" in c and "by ganzoo" in c for c in conflicts)
    strict = run_cli(
        "list", env=plugin_env(plugin_path, GANZOO_STRICT="1", GANZOO_LOAD_PLUGINS="ganzoo-clash")
    )
    assert strict.returncode == 2
    assert "ganzoo-clash" in strict.stderr


@pytest.mark.parametrize(
    ("allowed", "expect_toy"),
    [("", False), ("ganzoo-toy", True), ("ganzoo_toy,other", True), ("ganzoo-clash", False)],
)
def test_load_plugins_env_restricts_distributions(
    plugin_path: Path, allowed: str, expect_toy: bool
) -> None:
    result = run_cli("list", "--json", env=plugin_env(plugin_path, GANZOO_LOAD_PLUGINS=allowed))
    assert result.returncode == 0, result.stderr
    names = {e["name"] for e in json.loads(result.stdout)}
    assert ("toy-mlp" in names) is expect_toy
    assert {"mlp-gan", "wgan-gp", "digits"} <= names  # built-ins always load
    assert ("broken on purpose" in result.stderr) is False


def test_plugin_components_build_from_python_and_train(plugin_path: Path, tmp_path: Path) -> None:
    script = (
        "import ganzoo\n"
        "from ganzoo.data.spec import DataSpec\n"
        "from ganzoo.models import BuildOptions\n"
        "models = ganzoo.build('architecture', 'toy-mlp', {'hidden': 8}, DataSpec((2,)),"
        " BuildOptions())\n"
        "loss = ganzoo.build('loss', 'toy-hinge', {})\n"
        "data = ganzoo.build('dataset', 'toy-blobs', None, None)\n"
        "print(type(models.generator).__name__, type(loss).__name__, data.spec.shape)\n"
    )
    import subprocess
    import sys

    built = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, **plugin_env(plugin_path)},
    )
    assert built.returncode == 0, built.stderr
    assert built.stdout.split() == ["Sequential", "HingeLoss", "(2,)"]

    out = tmp_path / "run"
    trained = run_cli(
        "run",
        "toy-mlp",
        "--loss",
        "toy-hinge",
        "--dataset",
        "toy-blobs",
        "--steps",
        "4",
        "--out",
        str(out),
        "-q",
        env=plugin_env(plugin_path),
    )
    assert trained.returncode == 0, trained.stderr
    assert (out / "generator.safetensors").stat().st_size > 0
    sampled = run_cli(
        "sample",
        str(out / "generator.safetensors"),
        "-n",
        "5",
        "--out",
        str(tmp_path / "points.npy"),
        env=plugin_env(plugin_path),
    )
    assert sampled.returncode == 0, sampled.stderr
    import numpy as np

    assert np.load(tmp_path / "points.npy").shape == (5, 2)

    from safetensors import safe_open

    with safe_open(str(out / "generator.safetensors"), "pt") as handle:
        providers = json.loads(handle.metadata()["ganzoo.providers"])
    assert providers == {
        "architecture": {"package": "ganzoo-toy", "version": "1.2.3"},
        "loss": {"package": "ganzoo-toy", "version": "1.2.3"},
        "dataset": {"package": "ganzoo-toy", "version": "1.2.3"},
    }
    without_plugin = run_cli(
        "sample", str(out / "generator.safetensors"), "-n", "5",
        "--out", str(tmp_path / "again.npy"), env={"GANZOO_STRICT": "0"},
    )  # fmt: skip
    assert without_plugin.returncode == 2
    (line,) = without_plugin.stderr.strip().splitlines()
    assert "unknown architecture 'toy-mlp'" in line
    assert "came from ganzoo-toy 1.2.3: install that distribution" in line
    assert "pip install 'ganzoo-toy==1.2.3'" in line
