"""Mode coverage of 2-D mixtures (VEEGAN / PacGAN protocol) on known distributions."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from eval_helpers import from_tensor, make_context

from ganzoo.data.source import DataContext
from ganzoo.evaluation import evaluate
from ganzoo.evaluation.mixtures import mode_coverage
from ganzoo.plugins import plugin_set

GRID = torch.tensor(
    [[x, y] for x in (-4.0, -2.0, 0.0, 2.0, 4.0) for y in (-4.0, -2.0, 0.0, 2.0, 4.0)]
)
RING = torch.tensor(
    [[math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)] for k in range(8)]
)


def _mixture(means: torch.Tensor, std: float, n: int, seed: int = 0) -> torch.Tensor:
    stream = torch.Generator().manual_seed(seed)
    component = torch.randint(len(means), (n,), generator=stream)
    return means[component] + std * torch.randn(n, 2, generator=stream)


def test_true_grid25_samples_cover_every_mode_with_high_quality() -> None:
    result = mode_coverage(_mixture(GRID, 0.05, 2500), GRID, 0.05)
    assert result.modes_covered == 25
    assert result.high_quality_pct >= 98.0
    assert result.reverse_kl < 0.05


def test_true_ring8_samples_cover_every_mode() -> None:
    result = mode_coverage(_mixture(RING, 0.01, 2500), RING, 0.01)
    assert result.modes_covered == 8
    assert result.high_quality_pct >= 98.0


def test_collapsed_samples_cover_one_mode_with_maximal_kl() -> None:
    collapsed = GRID[7] + 0.05 * torch.randn(2500, 2, generator=torch.Generator().manual_seed(1))
    result = mode_coverage(collapsed, GRID, 0.05)
    assert result.modes_covered == 1
    assert result.reverse_kl == pytest.approx(math.log(25))
    assert result.counts[7] == sum(result.counts)


def test_samples_between_modes_are_low_quality() -> None:
    between = torch.full((2500, 2), 1.0)  # halfway between grid points
    result = mode_coverage(between, GRID, 0.05)
    assert result.modes_covered == 0
    assert result.high_quality_pct == 0.0
    assert result.reverse_kl == pytest.approx(math.log(25))  # no high-quality samples: worst


def test_half_the_modes() -> None:
    half = _mixture(GRID[::2], 0.05, 2500)  # 13 of the 25 modes, evenly
    result = mode_coverage(half, GRID, 0.05)
    assert result.modes_covered == 13
    assert result.reverse_kl == pytest.approx(math.log(25 / 13), abs=0.02)


@pytest.mark.parametrize(("dataset", "modes"), [("grid25", 25), ("ring8", 8)])
def test_metric_scores_the_real_mixture_perfectly(dataset: str, modes: int, tmp_path: Path) -> None:
    source = plugin_set().registry.build("dataset", dataset, {}, DataContext(cache_dir=tmp_path))
    real = source.sample(2500, seed=123, device=torch.device("cpu")).x
    context = make_context(from_tensor(real), source, dataset, tmp_path)
    results = evaluate(context)  # default metrics of a mixture: mode-coverage
    assert set(results) == {"mode-coverage"}
    numbers = results["mode-coverage"]
    assert numbers["modes_covered"] == modes
    assert numbers["num_modes"] == modes
    assert numbers["high_quality_pct"] >= 98.0
    assert all(isinstance(value, float) for value in numbers.values())


def test_metric_uses_the_protocol_sample_count_unless_told(tmp_path: Path) -> None:
    source = plugin_set().registry.build("dataset", "grid25", {}, DataContext(cache_dir=tmp_path))
    asked: list[int] = []

    def generate(n: int) -> torch.Tensor:
        asked.append(n)
        return source.sample(n, seed=1, device=torch.device("cpu")).x

    evaluate(make_context(generate, source, "grid25", tmp_path), ["mode-coverage"])
    evaluate(make_context(generate, source, "grid25", tmp_path, num_samples=300), ["mode-coverage"])
    assert asked == [2500, 300]
