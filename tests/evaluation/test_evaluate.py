"""Choosing and running metrics: the registry, defaults, plans, third-party metrics, eval.json."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from eval_helpers import from_tensor, make_context
from torch import nn

from ganzoo.data import TensorSource
from ganzoo.data.spec import DataSpec
from ganzoo.errors import ConfigError, UnknownComponentError
from ganzoo.evaluation import (
    EvalContext,
    Metric,
    default_metrics,
    evaluate,
    generator_sampler,
    plan_metrics,
    results_document,
    save_results,
)
from ganzoo.plugins import hookimpl, load, plugin_set

METRIC_NAMES = [entry.name for entry in plugin_set().registry.list(kind="metric")]
RETIRED = {"inception-fd"}
"""Names kept only to say what replaced them: building one is a ConfigError."""
IMAGE_METRICS = ["fid", "inception-score", "kid", "precision-recall"]
SPECS = {
    "grid25": DataSpec((2,), (-4.2, 4.2), 25),
    "ring8": DataSpec((2,), (-1.1, 1.1), 8),
    "digits": DataSpec((1, 28, 28), num_classes=10),
    "mnist": DataSpec((1, 28, 28), num_classes=10),
    "fashion-mnist": DataSpec((1, 28, 28), num_classes=10),
    "stacked-mnist": DataSpec((3, 28, 28), num_classes=1000),
    "cifar10": DataSpec((3, 32, 32), num_classes=10),
    "image-folder": DataSpec((3, 64, 64)),
}


def test_builtin_metrics_are_registered() -> None:
    assert {"mode-coverage", "classifier-fd", "stacked-mnist-modes", *IMAGE_METRICS} <= set(
        METRIC_NAMES
    )


@pytest.mark.parametrize("name", sorted(RETIRED))
def test_a_retired_metric_is_a_config_error_naming_its_successor(name: str) -> None:
    with pytest.raises(ConfigError, match="retired"):
        plugin_set().registry.build("metric", name)


@pytest.mark.parametrize("name", [name for name in METRIC_NAMES if name not in RETIRED])
def test_every_metric_builds_with_defaults_and_answers_applies_to(name: str) -> None:
    entry = plugin_set().registry.get("metric", name)
    assert entry.description
    metric = plugin_set().registry.build("metric", name)
    assert isinstance(metric, Metric)
    assert any(metric.applies_to(dataset, spec) for dataset, spec in SPECS.items())
    for dataset, spec in SPECS.items():
        assert isinstance(metric.applies_to(dataset, spec), bool)


@pytest.mark.parametrize(
    ("dataset", "expected"),
    [
        ("grid25", ["mode-coverage"]),
        ("ring8", ["mode-coverage"]),
        ("digits", ["classifier-fd"]),
        ("mnist", ["classifier-fd"]),
        ("fashion-mnist", ["classifier-fd"]),
        ("stacked-mnist", ["stacked-mnist-modes"]),
        ("cifar10", IMAGE_METRICS),
        ("image-folder", IMAGE_METRICS),
    ],
)
def test_default_metrics_are_the_most_specific(dataset: str, expected: list[str]) -> None:
    assert default_metrics(dataset, SPECS[dataset]) == expected


def test_metric_registration_does_not_import_torch() -> None:
    code = (
        "import sys, ganzoo.builtin.metrics, ganzoo.evaluation\n"
        "from ganzoo.plugins import plugin_set\n"
        "plugin_set().registry.get('metric', 'mode-coverage').settings_schema()\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def _points_context(tmp_path: Path, **kwargs: object) -> EvalContext:
    points = torch.randn(400, 2, generator=torch.Generator().manual_seed(0))
    return make_context(from_tensor(points), TensorSource(points), "points", tmp_path, **kwargs)


def test_a_named_metric_that_does_not_apply_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not apply to dataset 'points'"):
        plan_metrics(_points_context(tmp_path), ["classifier-fd"])
    with pytest.raises(UnknownComponentError, match="mode-coverage"):
        plan_metrics(_points_context(tmp_path), ["mode-coverag"])


def test_no_metric_to_run_is_one_error_naming_the_reasons(tmp_path: Path) -> None:
    context = _points_context(tmp_path)  # 2-D, but not a mixture: mode-coverage declines
    with pytest.raises(ConfigError, match=r"no metric can evaluate .*not a Gaussian mixture"):
        evaluate(context)


def test_generic_metrics_run_when_every_specific_one_declines(tmp_path: Path) -> None:
    registry = load(extra_plugins=[(_Plugin(generic=True), "ganzoo-mean-norm", "0.1")]).registry
    messages: list[str] = []
    context = _points_context(tmp_path, progress=messages.append)
    assert default_metrics("points", context.spec, registry=registry) == ["mode-coverage"]
    results = evaluate(context, registry=registry)
    assert list(results) == ["mean-norm"]
    assert any("skipping mode-coverage" in m and "not a Gaussian mixture" in m for m in messages)


class _MeanNorm(Metric):
    """A third-party metric: the norm of the mean fake sample, for any 2-D data."""

    def applies_to(self, dataset: str, spec: DataSpec) -> bool:
        return spec.shape == (2,)

    def compute(self, context: EvalContext) -> dict[str, float]:
        samples = context.fake_samples(context.samples_for(100))
        return {"mean_norm": samples.mean(dim=0).norm().item(), "count": len(samples)}


class _GenericMeanNorm(_MeanNorm):
    generic = True


class _Plugin:
    def __init__(self, generic: bool = False) -> None:
        self.metric = _GenericMeanNorm if generic else _MeanNorm

    @hookimpl
    def register_metrics(self, register: object) -> None:
        register("mean-norm", self.metric, description="Norm of the mean sample.")  # type: ignore[operator]


def test_a_third_party_metric_runs_and_samples_are_generated_once(tmp_path: Path) -> None:
    registry = load(extra_plugins=[(_Plugin(), "ganzoo-mean-norm", "0.1")]).registry
    calls: list[int] = []
    points = torch.randn(400, 2, generator=torch.Generator().manual_seed(0)) + 3

    def generate(n: int) -> torch.Tensor:
        calls.append(n)
        return points[:n]

    context = make_context(generate, TensorSource(points), "points", tmp_path, num_samples=400)
    assert default_metrics("points", context.spec, registry=registry) == [
        "mean-norm",
        "mode-coverage",
    ]
    results = evaluate(context, ["mean-norm"], registry=registry)
    again = evaluate(context, ["mean-norm"], registry=registry)
    assert results == again
    assert calls == [400]  # cached across metrics and calls
    assert results["mean-norm"]["count"] == 400.0
    assert results["mean-norm"]["mean_norm"] == pytest.approx(3 * math.sqrt(2), abs=0.2)


def test_results_are_saved_as_json_next_to_the_run(tmp_path: Path) -> None:
    context = _points_context(tmp_path, num_samples=50)
    results = {"mode-coverage": {"modes_covered": 25.0, "reverse_kl": 0.01}}
    path = save_results(tmp_path, results_document(context, results, checkpoint="step-100"))
    assert path == tmp_path / "eval.json"
    saved = json.loads(path.read_text())
    assert saved["metrics"] == results
    assert saved["dataset"] == "points"
    assert saved["num_samples"] == 50
    assert saved["checkpoint"] == "step-100"


def test_generator_sampler_is_deterministic_with_prefixes() -> None:
    torch.manual_seed(0)
    generator = nn.Sequential(nn.Linear(4, 2))
    generate = generator_sampler(generator, 4, seed=7, batch_size=16)
    big, small = generate(40), generate(21)
    assert big.shape == (40, 2)
    assert torch.equal(big[:21], small)
    assert not torch.equal(generator_sampler(generator, 4, seed=8, batch_size=16)(21), small)
    assert generator.training  # its mode is restored


def test_generator_sampler_feeds_labels_to_conditional_generators() -> None:
    class Conditional(nn.Module):
        def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
            return torch.stack([z[:, 0], labels.float()], dim=1)

    out = generator_sampler(Conditional(), 3, num_classes=5, batch_size=8)(30)
    assert set(out[:, 1].tolist()) <= {0.0, 1.0, 2.0, 3.0, 4.0}
    assert len(set(out[:, 1].tolist())) > 1


def test_given_labels_are_the_classes_the_conditional_generator_was_given() -> None:
    from ganzoo.evaluation.sampling import given_labels_sampler

    class Conditional(nn.Module):
        def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
            return torch.stack([z[:, 0], labels.float()], dim=1)

    out = generator_sampler(Conditional(), 3, num_classes=5, seed=4, batch_size=8)(30)
    given = given_labels_sampler(3, 5, seed=4, batch_size=8)(30)
    assert given.dtype == torch.long and torch.equal(given.float(), out[:, 1])
    assert torch.equal(given_labels_sampler(3, 5, seed=4, batch_size=8)(13), given[:13])
    # an unconditional generator gets the latents a conditional one gets, labels aside
    plain = generator_sampler(nn.Sequential(nn.Flatten()), 3, seed=4, batch_size=8)(30)
    assert torch.equal(plain[:, 0], out[:, 0])


def test_metric_settings_reach_the_metric(tmp_path: Path) -> None:
    from ganzoo.config import split_metric_settings
    from ganzoo.data.context import default_context

    source = plugin_set().registry.build("dataset", "ring8", None, default_context())
    real_points = source.sample(500, seed=1, device=torch.device("cpu")).x
    context = make_context(lambda n: real_points[:n], source, "ring8", tmp_path, num_samples=500)
    _, settings = split_metric_settings(["metric.mode-coverage.threshold=1e-6", "seed=1"])
    strict = evaluate(context, ["mode-coverage"], settings=settings)["mode-coverage"]
    default = evaluate(context, ["mode-coverage"])["mode-coverage"]
    assert default["high_quality_pct"] > 90
    assert strict["high_quality_pct"] == 0
