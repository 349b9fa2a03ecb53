"""stacked-mnist: three independently drawn MNIST digits as the RGB channels (1,000 modes)."""

from __future__ import annotations

from collections.abc import Iterator

import torch

from ganzoo.builtin.datasets.mnist import load_idx_dataset
from ganzoo.builtin.datasets.settings import StackedMnistSettings
from ganzoo.data import InMemorySource, batch_indices, permutation, to_unit_range
from ganzoo.data.source import Batch, DataContext, DataSource
from ganzoo.data.spec import DataSpec

CHANNELS = 3


class StackedMnistSource(DataSource):
    """Channel ``c`` of batch ``i`` follows its own shuffled order over :attr:`mnist`.

    The label is ``100·d0 + 10·d1 + d2`` for the digits ``d0, d1, d2`` in the R, G, B channels.
    """

    def __init__(self, mnist: InMemorySource) -> None:
        if mnist.labels is None or mnist.spec.channels != 1:
            raise ValueError("stacked MNIST needs labelled single-channel digits")
        self.mnist = mnist
        """The underlying MNIST source (e.g. for a digit classifier in mode-coverage metrics)."""
        height, width = mnist.spec.image_size
        self.spec = DataSpec((CHANNELS, height, width), (-1.0, 1.0), 10**CHANNELS)

    @property
    def size(self) -> int:
        return self.mnist.size

    @staticmethod
    def digits(labels: torch.Tensor) -> torch.Tensor:
        """Split labels into their ``(N, 3)`` channel digits."""
        return torch.stack([labels // 100, labels // 10 % 10, labels % 10], dim=1)

    def take(self, indices: list[torch.Tensor], device: torch.device) -> Batch:
        """Stack the digits at ``indices[c]`` into channel ``c``."""
        images, labels = self.mnist.tensors_on(device)
        assert labels is not None
        index = [i.to(images.device) for i in indices]
        x = torch.cat([images.index_select(0, i) for i in index], dim=1)
        digit = [labels.index_select(0, i) for i in index]
        y = 100 * digit[0] + 10 * digit[1] + digit[2]
        return Batch(to_unit_range(x.to(device, non_blocking=True)), y.to(device))

    def batches(
        self, batch_size: int, *, seed: int, device: torch.device, start: int = 0
    ) -> Iterator[Batch]:
        streams = [
            batch_indices(
                self.size, batch_size, seed=seed, start=start, stream=c, what="stacked-mnist"
            )
            for c in range(CHANNELS)
        ]
        for indices in zip(*streams, strict=True):
            yield self.take(list(indices), device)

    def sample(self, n: int, *, seed: int, device: torch.device) -> Batch:
        rounds = -(-n // self.size)
        indices = [
            torch.cat([permutation(self.size, seed, "sample", c, r) for r in range(rounds)])[:n]
            for c in range(CHANNELS)
        ]
        return self.take(indices, device)

    def describe(self) -> str:
        return (
            f"stacked-mnist: {self.spec.describe()}, digits drawn independently per channel "
            f"from {self.mnist.describe()}"
        )


def build_stacked_mnist(settings: StackedMnistSettings, context: DataContext) -> StackedMnistSource:
    return StackedMnistSource(
        load_idx_dataset("mnist", settings.split, settings.image_size, context)
    )
