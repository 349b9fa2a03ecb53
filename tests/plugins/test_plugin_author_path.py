"""What an outside plugin author hits, with real installed distributions.

``ganzoo-author`` ships two entry points: components (a 2-D dataset that is not a Gaussian
mixture, a loss whose alias clashes with a built-in's) and a second module with a misspelt
hook. ``ganzoo-author-metrics`` ships a generic metric for any 2-D data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import build_plugin_package, pip_install, run_cli

COMPONENTS = """
import torch

import ganzoo
from ganzoo.data.source import Batch, DataSource
from ganzoo.data.spec import DataSpec
from ganzoo.losses import LossSettings


class Ring(DataSource):
    spec = DataSpec(shape=(2,), value_range=(-1.5, 1.5))

    def batches(self, batch_size, *, seed, device, start=0):
        index = start
        while True:
            generator = torch.Generator().manual_seed(seed * 1_000_003 + index)
            angle = torch.rand(batch_size, generator=generator) * 6.2832
            yield Batch(torch.stack([angle.cos(), angle.sin()], 1).to(device), None)
            index += 1


@ganzoo.hookimpl
def register_datasets(register):
    register("ring-points", lambda context: Ring(), description="Points on the unit circle")


@ganzoo.hookimpl
def register_losses(register):
    register("broken-alias", "ganzoo.builtin.losses.hinge:HingeLoss", LossSettings,
             description="A loss whose alias is taken", aliases=("ns",))
"""

EXTRAS = """
import ganzoo


@ganzoo.hookimpl(specname="register_metric")
def misspelt(register):
    pass
"""

GENERIC_METRIC = """
import ganzoo
from ganzoo.evaluation import Metric


class MeanRadius(Metric):
    generic = True

    def applies_to(self, dataset, spec):
        return spec.shape == (2,)

    def compute(self, context):
        samples = context.fake_samples(context.samples_for(200))
        return {"mean_radius": samples.norm(dim=1).mean().item()}


@ganzoo.hookimpl
def register_metrics(register):
    register("mean-radius", MeanRadius, description="Mean distance of samples from 0")
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("author")
    target = root / "site"
    project = build_plugin_package(root, "ganzoo-author", "0.3.0", "author_plugin", COMPONENTS)
    (project / "author_plugin" / "extras.py").write_text(EXTRAS)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'author_plugin = "author_plugin"',
            'author_plugin = "author_plugin"\nextras = "author_plugin.extras"',
        )
    )
    pip_install(project, target)
    metrics = build_plugin_package(
        root, "ganzoo-author-metrics", "0.1.0", "author_metrics", GENERIC_METRIC
    )
    pip_install(metrics, target)
    return target


def env(site: Path, **extra: str) -> dict[str, str]:
    path = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    return {"PYTHONPATH": path, "GANZOO_STRICT": "0", **extra}


@pytest.fixture(scope="module")
def ring_run(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ring") / "run"
    trained = run_cli(
        "run", "mlp-gan", "--dataset", "ring-points", "--steps", "4", "--batch-size", "16",
        "--out", str(out), "--set", "sample_every=4", env=env(site),
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    return out


def test_eval_runs_generic_metrics_when_the_specific_one_declines(
    site: Path, ring_run: Path
) -> None:
    result = run_cli("eval", str(ring_run), "--json", "-n", "64", env=env(site))
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)["metrics"]
    assert list(metrics) == ["mean-radius"]
    assert metrics["mean-radius"]["mean_radius"] > 0
    assert "skipping mode-coverage" in result.stderr


def test_no_metric_to_run_is_one_line_and_exit_2_for_eval_and_compare(
    site: Path, ring_run: Path, tmp_path: Path
) -> None:
    only_components = env(site, GANZOO_LOAD_PLUGINS="ganzoo-author")
    evaluated = run_cli("eval", str(ring_run), env=only_components)
    assert evaluated.returncode == 2
    (line,) = [row for row in evaluated.stderr.splitlines() if "error" in row]
    assert "no metric can evaluate dataset 'ring-points'" in line
    assert "not a Gaussian mixture" in line

    report = tmp_path / "report"
    compared = run_cli(
        "compare", "mlp-gan", "--loss", "hinge", "--dataset", "ring-points", "--steps", "2",
        "--out", str(report), env=only_components,
    )  # fmt: skip
    assert compared.returncode == 2
    assert "no metric can evaluate dataset 'ring-points'" in compared.stderr
    assert "Traceback" not in compared.stderr
    assert not report.exists()  # refused before anything trained


def test_an_alias_lost_to_a_clash_is_not_shown(site: Path) -> None:
    result = run_cli("list", "--kind", "loss", "--json", env=env(site))
    assert result.returncode == 0, result.stderr
    aliases = {row["name"]: row["aliases"] for row in json.loads(result.stdout)}
    assert "ns" in aliases["non-saturating"]
    assert aliases["broken-alias"] == []
    assert "loss name 'ns' from ganzoo-author is already registered by ganzoo" in result.stderr
    assert "must use another name" in result.stderr


def test_plugins_names_each_entry_point_and_strict_mode_lists_every_problem(site: Path) -> None:
    strict = env(site, GANZOO_STRICT="1")
    listed = run_cli("plugins", "--json", env=strict)
    assert listed.returncode == 1
    report = json.loads(listed.stdout)
    rows = {(p["package"], p["entry_point"], p["module"]) for p in report["plugins"]}
    assert ("ganzoo-author", "author_plugin = author_plugin", "author_plugin") in rows
    assert ("ganzoo-author", "extras = author_plugin.extras", "author_plugin.extras") in rows
    (misspelt,) = report["failures"]
    assert misspelt["entry_point"] == "extras = author_plugin.extras"
    assert "'register_metric'; did you mean 'register_metrics'" in misspelt["error"]
    assert any("'ns'" in conflict for conflict in report["conflicts"])

    table = run_cli("plugins", env={**strict, "COLUMNS": "250"})
    assert table.returncode == 1
    assert "extras = author_plugin.extras" in table.stdout

    other = run_cli("list", env=strict)
    assert other.returncode == 2
    (line,) = other.stderr.strip().splitlines()
    assert "2 plugin problems were found" in line
    assert "register_metric" in line and "'ns'" in line


def test_an_unknown_name_in_load_plugins_is_a_warning_naming_the_installed(site: Path) -> None:
    result = run_cli(
        "list", "--kind", "metric", env=env(site, GANZOO_LOAD_PLUGINS="ganzoo-autor,ganzoo-author")
    )
    assert result.returncode == 0, result.stderr
    warning = next(row for row in result.stderr.splitlines() if "ganzoo-autor'" in row)
    assert "not an installed ganzoo plugin" in warning
    assert "ganzoo-author, ganzoo-author-metrics" in warning
    assert "mean-radius" not in result.stdout  # its distribution was not allowed
