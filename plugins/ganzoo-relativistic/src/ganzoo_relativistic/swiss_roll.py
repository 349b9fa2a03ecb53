"""The swiss-roll dataset: points on a noisy 2-D spiral, drawn afresh for every batch."""

from __future__ import annotations

from collections.abc import Iterator

import torch

from ganzoo.data import batch_generator
from ganzoo.data.source import Batch, DataContext, DataSource
from ganzoo.data.spec import DataSpec
from ganzoo_relativistic.settings import SwissRollSettings


class SwissRollSource(DataSource):
    """``t·(cos t, sin t) / end`` plus Gaussian noise, ``t ~ U(start, end)``.

    Batch ``i`` is drawn from a generator seeded by ``(seed, i, batch_size)`` alone, so a
    resumed run sees the same batches as an uninterrupted one.
    """

    def __init__(self, settings: SwissRollSettings) -> None:
        self.settings = settings
        margin = 1.0 + 5 * settings.noise
        self.spec = DataSpec(shape=(2,), value_range=(-margin, margin))

    def draw(self, n: int, rng: torch.Generator, device: torch.device) -> Batch:
        """``n`` points from ``rng``, drawn on the CPU so every device gets the same ones."""
        s = self.settings
        t = s.start + (s.end - s.start) * torch.rand(n, generator=rng)
        points = torch.stack([t * torch.cos(t), t * torch.sin(t)], dim=1) / s.end
        points = points + s.noise * torch.randn(n, 2, generator=rng)
        return Batch(points.to(device), None)

    def batches(
        self, batch_size: int, *, seed: int, device: torch.device, start: int = 0
    ) -> Iterator[Batch]:
        index = start
        while True:
            yield self.draw(batch_size, batch_generator(seed, index, batch_size), device)
            index += 1

    def sample(self, n: int, *, seed: int, device: torch.device) -> Batch:
        return self.draw(n, batch_generator(seed, "sample", n), device)

    def describe(self) -> str:
        return f"swiss roll in 2-D, noise {self.settings.noise:g}, sampled afresh"


def build_swiss_roll(settings: SwissRollSettings, context: DataContext) -> SwissRollSource:
    """The dataset factory: needs no files, so ``context`` is unused."""
    return SwissRollSource(settings)
