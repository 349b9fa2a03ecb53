"""Improved precision and recall with k-NN manifolds."""

from __future__ import annotations

import pytest
import torch

from ganzoo.evaluation.manifolds import knn_radii, precision_recall


def _points(n: int, seed: int, dim: int = 8) -> torch.Tensor:
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed))


def test_identical_sets_have_full_precision_and_recall() -> None:
    real = _points(600, 0)
    result = precision_recall(real, real.clone(), k=3)
    assert result.precision == 1.0
    assert result.recall == 1.0


def test_disjoint_sets_have_zero_precision_and_recall() -> None:
    real = _points(500, 0)
    fake = _points(500, 1) + 100.0
    result = precision_recall(real, fake, k=3)
    assert result.precision == 0.0
    assert result.recall == 0.0


def test_two_samples_of_one_distribution_score_high() -> None:
    result = precision_recall(_points(2000, 0, dim=4), _points(2000, 1, dim=4), k=3)
    assert result.precision > 0.8
    assert result.recall > 0.8


def test_a_collapsed_generator_has_precision_but_no_recall() -> None:
    real = _points(1000, 0, dim=2)
    fake = real[:5].repeat(200, 1) + 1e-3 * _points(1000, 1, dim=2)
    result = precision_recall(real, fake, k=3)
    assert result.precision > 0.95
    assert result.recall < 0.05


def test_knn_radii_match_brute_force() -> None:
    points = _points(300, 4, dim=3)
    distances = torch.cdist(points, points)
    expected = distances.sort(dim=1).values[:, 3]  # column 0 is the point itself
    assert torch.allclose(knn_radii(points, k=3), expected, atol=1e-5)
    with pytest.raises(ValueError, match="k must be"):
        knn_radii(points[:3], k=3)
