"""ring8 and grid25: the published means and deviations, sampled reproducibly."""

from __future__ import annotations

import itertools
import math

import torch

from ganzoo.builtin.datasets.mixtures import build_grid25, build_ring8
from ganzoo.builtin.datasets.settings import Grid25Settings, Ring8Settings
from ganzoo.data.mixture import GaussianMixtureSource
from ganzoo.data.source import DataContext

CPU = torch.device("cpu")


def ring8(**settings: float) -> GaussianMixtureSource:
    return build_ring8(Ring8Settings(**settings), DataContext())


def grid25(**settings: float) -> GaussianMixtureSource:
    return build_grid25(Grid25Settings(**settings), DataContext())


def test_ring8_has_the_eight_published_distinct_means() -> None:
    source = ring8()
    expected = torch.tensor(
        [[math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)] for k in range(8)]
    )
    assert torch.allclose(source.means, expected, atol=1e-6)
    assert torch.cdist(source.means, source.means).add(torch.eye(8)).min() > 0.7  # all distinct
    assert source.std == 0.01
    assert source.spec.shape == (2,) and source.spec.num_classes == 8


def test_grid25_has_the_published_means() -> None:
    source = grid25()
    expected = set(itertools.product([-4.0, -2.0, 0.0, 2.0, 4.0], repeat=2))
    assert {tuple(m) for m in source.means.tolist()} == expected
    assert source.std == 0.05


def test_std_is_configurable() -> None:
    assert ring8(std=0.02).std == 0.02


def test_points_lie_near_their_labelled_mean_with_the_right_spread() -> None:
    for source in (ring8(), grid25()):
        batch = next(source.batches(20_000, seed=0, device=CPU))
        offsets = batch.x - source.means[batch.labels]
        assert abs(float(offsets.std()) - source.std) < 0.05 * source.std
        assert float(offsets.abs().max()) < 6 * source.std
        counts = torch.bincount(batch.labels, minlength=source.num_modes)
        assert int(counts.min()) > 0.7 * 20_000 / source.num_modes
        low, high = source.spec.value_range
        assert low <= float(batch.x.min()) and float(batch.x.max()) <= high


def test_batches_are_reproducible_fresh_and_resumable() -> None:
    source = ring8()
    fresh = source.batches(64, seed=5, device=CPU)
    batches = [next(fresh).x for _ in range(4)]
    assert not torch.equal(batches[0], batches[1])
    assert torch.equal(next(source.batches(64, seed=5, device=CPU, start=3)).x, batches[3])
    assert not torch.equal(next(source.batches(64, seed=6, device=CPU)).x, batches[0])
    assert source.size is None
