"""Fréchet distance between two sets of features, each modelled as a Gaussian."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class GaussianStats:
    """Mean and covariance of a set of feature vectors (float64)."""

    mean: np.ndarray
    covariance: np.ndarray

    @classmethod
    def of(cls, features: torch.Tensor | np.ndarray) -> GaussianStats:
        """Statistics of ``features`` of shape ``(N, D)``, ``N >= 2`` (unbiased covariance)."""
        array = _as_float64(features)
        if array.ndim != 2 or array.shape[0] < 2:
            raise ValueError(f"need features of shape (N >= 2, D), got {array.shape}")
        return cls(array.mean(axis=0), np.atleast_2d(np.cov(array, rowvar=False)))


def frechet_distance(a: GaussianStats, b: GaussianStats) -> float:
    """``|μa − μb|² + Tr(Σa + Σb − 2 (Σa Σb)^½)``.

    The trace of the square root is computed as ``Σ √λ`` over the eigenvalues of the
    symmetric PSD matrix ``Σa^½ Σb Σa^½`` (which has the same spectrum as ``Σa Σb``),
    so no complex square root is needed; round-off negatives are clipped to zero.
    """
    if a.mean.shape != b.mean.shape:
        raise ValueError(f"feature sizes differ: {a.mean.shape} and {b.mean.shape}")
    sqrt_a = _psd_sqrt(a.covariance)
    middle = sqrt_a @ b.covariance @ sqrt_a
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)
    trace_sqrt = float(np.sqrt(np.clip(eigenvalues, 0.0, None)).sum())
    mean_term = float(np.sum((a.mean - b.mean) ** 2))
    value = mean_term + float(np.trace(a.covariance) + np.trace(b.covariance)) - 2 * trace_sqrt
    return max(value, 0.0)


def frechet_distance_of(
    features_a: torch.Tensor | np.ndarray, features_b: torch.Tensor | np.ndarray
) -> float:
    """Fréchet distance between two feature sets of shape ``(N, D)``."""
    return frechet_distance(GaussianStats.of(features_a), GaussianStats.of(features_b))


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    symmetric = (matrix + matrix.T) / 2
    eigenvalues, eigenvectors = np.linalg.eigh(symmetric)
    roots = np.sqrt(np.clip(eigenvalues, 0.0, None))
    return (eigenvectors * roots) @ eigenvectors.T


def _as_float64(features: torch.Tensor | np.ndarray) -> np.ndarray:
    if isinstance(features, torch.Tensor):
        return features.detach().to("cpu", torch.float64).numpy()
    return np.asarray(features, dtype=np.float64)
