"""Mode coverage of 2-D Gaussian mixtures, by the protocol of the VEEGAN and PacGAN papers."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ganzoo.evaluation.distributions import kl_to_uniform


@dataclass(frozen=True)
class ModeCoverage:
    """How well samples cover the modes of a mixture."""

    modes_covered: int
    """Modes nearest to at least one high-quality sample."""
    num_modes: int
    high_quality_pct: float
    """Percentage of samples within ``threshold × std`` of their nearest mean."""
    reverse_kl: float
    """``KL(histogram of high-quality samples over modes ‖ uniform)``; ``log K`` with none."""
    counts: tuple[int, ...]
    """High-quality samples nearest to each mode."""

    def to_dict(self) -> dict[str, float]:
        return {
            "modes_covered": float(self.modes_covered),
            "num_modes": float(self.num_modes),
            "high_quality_pct": self.high_quality_pct,
            "reverse_kl": self.reverse_kl,
        }


def mode_coverage(
    samples: torch.Tensor, means: torch.Tensor, std: float, threshold: float = 3.0
) -> ModeCoverage:
    """Score ``samples`` ``(N, 2)`` against mixture ``means`` ``(K, 2)`` of component ``std``.

    A sample is high quality when its distance to the nearest mean is under
    ``threshold × std``; a mode is covered when at least one high-quality sample is
    nearest to it.
    """
    samples = samples.detach().to("cpu", torch.float64).reshape(len(samples), -1)
    means = torch.as_tensor(means).detach().to("cpu", torch.float64)
    if samples.shape[1] != means.shape[1]:
        raise ValueError(f"samples of size {samples.shape[1]} but means of {means.shape[1]}")
    distance, nearest = torch.cdist(samples, means).min(dim=1)
    good = distance < threshold * std
    counts = torch.bincount(nearest[good], minlength=len(means))
    return ModeCoverage(
        modes_covered=int((counts > 0).sum()),
        num_modes=len(means),
        high_quality_pct=100.0 * good.double().mean().item() if len(samples) else 0.0,
        reverse_kl=kl_to_uniform(counts),
        counts=tuple(int(c) for c in counts),
    )
