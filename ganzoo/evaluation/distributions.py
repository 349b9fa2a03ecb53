"""Scores of discrete distributions: KL to uniform and the Inception Score."""

from __future__ import annotations

import math

import torch


def kl_to_uniform(counts: torch.Tensor) -> float:
    """``KL(p ‖ uniform)`` of the histogram ``counts`` over its bins (0 log 0 = 0).

    With an empty histogram (all counts zero) there is no distribution to compare; this
    returns ``log K``, the value of a histogram collapsed onto a single bin, so that an
    empty result scores as badly as a full collapse.
    """
    counts = counts.to(torch.float64).flatten()
    num_bins = counts.numel()
    total = counts.sum()
    if total <= 0:
        return math.log(num_bins)
    p = counts[counts > 0] / total
    return float((p * (p * num_bins).log()).sum().clamp(min=0.0))


def inception_score(probabilities: torch.Tensor, splits: int = 1) -> float:
    """``exp(E_x KL(p(y|x) ‖ p(y)))`` from class probabilities ``(N, K)``, averaged over splits."""
    probs = probabilities.to(torch.float64)
    scores = []
    for part in torch.tensor_split(probs, splits):
        marginal = part.mean(dim=0, keepdim=True)
        terms = part * (part.clamp_min(1e-30).log() - marginal.clamp_min(1e-30).log())
        scores.append(math.exp(terms.sum(dim=1).mean().item()))
    return sum(scores) / len(scores)
