"""Mixtures of isotropic Gaussians in the plane, sampled afresh for every batch."""

from __future__ import annotations

import math
from collections.abc import Iterator

import torch

from ganzoo.data.order import generator
from ganzoo.data.source import Batch, DataSource
from ganzoo.data.spec import DataSpec


class GaussianMixtureSource(DataSource):
    """Equally weighted Gaussians with ``means`` (K×D) and a shared ``std``.

    Labels are the component each point was drawn from. Batch ``i`` is drawn from a
    generator seeded by ``(seed, i, batch_size)``.
    """

    def __init__(self, means: torch.Tensor, std: float, *, name: str = "mixture") -> None:
        if means.ndim != 2 or std <= 0:
            raise ValueError("means must be K×D and std positive")
        self.means = means.to(torch.float32)
        self.std = float(std)
        self.name = name
        margin = 6 * self.std  # the range holds all but ~1e-9 of the points
        low = float(self.means.min()) - margin
        high = float(self.means.max()) + margin
        self.spec = DataSpec((self.means.shape[1],), (low, high), len(self.means))

    @property
    def num_modes(self) -> int:
        return len(self.means)

    def draw(self, n: int, rng: torch.Generator, device: torch.device) -> Batch:
        """``n`` points from ``rng`` (drawn on the CPU, so every device gets the same ones)."""
        component = torch.randint(self.num_modes, (n,), generator=rng)
        noise = torch.randn((n, self.means.shape[1]), generator=rng)
        x = self.means[component] + self.std * noise
        return Batch(x.to(device), component.to(device))

    def batches(
        self, batch_size: int, *, seed: int, device: torch.device, start: int = 0
    ) -> Iterator[Batch]:
        index = start
        while True:
            yield self.draw(batch_size, generator(seed, index, batch_size), device)
            index += 1

    def sample(self, n: int, *, seed: int, device: torch.device) -> Batch:
        return self.draw(n, generator(seed, "sample"), device)

    def describe(self) -> str:
        return (
            f"{self.name}: {self.num_modes} Gaussians in {self.means.shape[1]}-D, "
            f"std {self.std:g}, sampled afresh"
        )


def ring_means(modes: int = 8, radius: float = 1.0) -> torch.Tensor:
    """``modes`` points evenly on a circle: ``radius·(cos 2πk/K, sin 2πk/K)``, k = 0..K-1."""
    angles = [2 * math.pi * k / modes for k in range(modes)]
    return torch.tensor([[radius * math.cos(a), radius * math.sin(a)] for a in angles])


def grid_means(values: tuple[float, ...] = (-4.0, -2.0, 0.0, 2.0, 4.0)) -> torch.Tensor:
    """Every point of ``values × values`` (row-major in the first coordinate)."""
    return torch.tensor([[x, y] for x in values for y in values])
