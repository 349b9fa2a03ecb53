"""Fréchet distance: zero for a set with itself, the closed form for known Gaussians."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ganzoo.evaluation.frechet import GaussianStats, frechet_distance, frechet_distance_of


def test_distance_of_a_set_with_itself_is_zero() -> None:
    features = torch.randn(500, 32, generator=torch.Generator().manual_seed(0))
    assert frechet_distance_of(features, features) == pytest.approx(0.0, abs=1e-8)


def test_diagonal_gaussians_match_the_closed_form() -> None:
    # Commuting covariances: FD = |Δμ|² + Σ (σa − σb)².
    a = GaussianStats(np.array([0.0, 1.0, 2.0]), np.diag([1.0, 4.0, 9.0]))
    b = GaussianStats(np.array([1.0, 1.0, 0.0]), np.diag([4.0, 1.0, 1.0]))
    expected = (1 + 0 + 4) + ((1 - 2) ** 2 + (2 - 1) ** 2 + (3 - 1) ** 2)
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-10)
    assert frechet_distance(b, a) == pytest.approx(expected, rel=1e-10)


def test_general_covariances_match_a_reference_square_root() -> None:
    linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(1)
    factors = [rng.normal(size=(6, 6)) for _ in range(2)]
    covs = [f @ f.T + 0.1 * np.eye(6) for f in factors]
    means = [rng.normal(size=6) for _ in range(2)]
    root = linalg.sqrtm(covs[0] @ covs[1]).real
    expected = np.sum((means[0] - means[1]) ** 2) + np.trace(covs[0] + covs[1] - 2 * root)
    got = frechet_distance(GaussianStats(means[0], covs[0]), GaussianStats(means[1], covs[1]))
    assert got == pytest.approx(expected, rel=1e-8)


def test_samples_of_two_known_gaussians_approach_the_closed_form() -> None:
    stream = torch.Generator().manual_seed(2)
    a = torch.randn(20000, 2, generator=stream)  # N(0, I)
    b = torch.randn(20000, 2, generator=stream) * 2 + torch.tensor([3.0, 0.0])  # N((3,0), 4I)
    expected = 9 + 2 * (2 - 1) ** 2
    assert frechet_distance_of(a, b) == pytest.approx(expected, rel=0.03)


def test_singular_covariances_give_a_finite_distance() -> None:
    # Rank-deficient (more dimensions than samples): no NaN, no complex parts.
    features = torch.randn(10, 64, generator=torch.Generator().manual_seed(3))
    value = frechet_distance_of(features, features + 0.5)
    assert math.isfinite(value)
    assert value == pytest.approx(64 * 0.25, rel=1e-6)


def test_mismatched_feature_sizes_are_rejected() -> None:
    with pytest.raises(ValueError, match="feature sizes"):
        frechet_distance_of(torch.randn(10, 3), torch.randn(10, 4))
    with pytest.raises(ValueError, match="N >= 2"):
        GaussianStats.of(torch.randn(1, 3))
