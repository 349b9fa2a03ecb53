"""Improved precision and recall (Kynkäänniemi et al. 2019) with k-NN manifolds."""

from __future__ import annotations

from dataclasses import dataclass

import torch

CHUNK = 2048
"""Rows of the distance matrix computed at once (bounds memory to ``CHUNK × N`` floats)."""


@dataclass(frozen=True)
class PrecisionRecall:
    precision: float
    """Share of fake samples inside the real manifold (quality)."""
    recall: float
    """Share of real samples inside the fake manifold (coverage)."""


def knn_radii(features: torch.Tensor, k: int = 3) -> torch.Tensor:
    """Distance from each row to its ``k``-th nearest other row (the manifold's ball radii)."""
    if not 1 <= k < len(features):
        raise ValueError(f"k must be in [1, {len(features) - 1}] for {len(features)} samples")
    radii = []
    for start in range(0, len(features), CHUNK):
        distances = torch.cdist(features[start : start + CHUNK], features)
        # the k+1 smallest include the row itself at distance 0
        radii.append(distances.topk(k + 1, dim=1, largest=False).values[:, k])
    return torch.cat(radii)


def inside_manifold(
    queries: torch.Tensor, anchors: torch.Tensor, radii: torch.Tensor
) -> torch.Tensor:
    """Whether each query lies in at least one ball ``|q − anchor| ≤ radius``."""
    inside = []
    for start in range(0, len(queries), CHUNK):
        distances = torch.cdist(queries[start : start + CHUNK], anchors)
        inside.append((distances <= radii.unsqueeze(0)).any(dim=1))
    return torch.cat(inside)


def precision_recall(real: torch.Tensor, fake: torch.Tensor, k: int = 3) -> PrecisionRecall:
    """Precision and recall of ``fake`` against ``real``, both feature matrices ``(N, D)``."""
    real = real.detach().to(torch.float32)
    fake = fake.detach().to(torch.float32)
    precision = inside_manifold(fake, real, knn_radii(real, k)).double().mean().item()
    recall = inside_manifold(real, fake, knn_radii(fake, k)).double().mean().item()
    return PrecisionRecall(precision=precision, recall=recall)
