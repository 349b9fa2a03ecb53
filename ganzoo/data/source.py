"""The dataset contract: a source of training batches with a data spec."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import torch

from ganzoo.data.spec import DataSpec


class Batch(NamedTuple):
    """Examples (float, in the spec's value range, on the training device) and labels."""

    x: torch.Tensor
    labels: torch.Tensor | None


@dataclass(frozen=True)
class DataContext:
    """Where a dataset may read and cache files, handed to every dataset factory."""

    data_root: Path | None = None
    """``--data-root``: read the original files from here; never written to."""
    cache_dir: Path = field(default_factory=lambda: Path.home() / ".cache" / "ganzoo")
    """Writable cache (downloads, decoded tensors)."""
    download: bool = True
    """Whether a dataset may try to download files it is missing."""


class DataSource(ABC):
    """A dataset ready for training.

    Batch ``i`` of :meth:`batches` depends only on ``(seed, i, batch_size)``, so a
    resumed run draws exactly the batches an uninterrupted one would.
    """

    spec: DataSpec

    @property
    def size(self) -> int | None:
        """Number of distinct examples, or ``None`` for a distribution sampled afresh."""
        return None

    @abstractmethod
    def batches(
        self, batch_size: int, *, seed: int, device: torch.device, start: int = 0
    ) -> Iterator[Batch]:
        """An endless iterator of batches, beginning with batch number ``start``."""

    def sample(self, n: int, *, seed: int, device: torch.device) -> Batch:
        """``n`` real examples (for evaluation and plots)."""
        chunks: list[torch.Tensor] = []
        labels: list[torch.Tensor] = []
        batch_size = min(n, 1024)
        for batch in self.batches(batch_size, seed=seed, device=device):
            chunks.append(batch.x)
            if batch.labels is not None:
                labels.append(batch.labels)
            if sum(len(c) for c in chunks) >= n:
                break
        x = torch.cat(chunks)[:n]
        return Batch(x, torch.cat(labels)[:n] if labels else None)

    def plot_reference(self, n: int, *, seed: int) -> torch.Tensor | None:
        """Real examples drawn behind the samples of a run's 2-D scatter plots, or None.

        By default ``n`` real examples (fewer for a smaller dataset); override it to
        show something else, or return None to show the samples alone.
        """
        n = n if self.size is None else min(n, self.size)
        return self.sample(n, seed=seed, device=torch.device("cpu")).x

    def describe(self) -> str:
        """One line for logs: what was loaded."""
        size = f"{self.size:,} examples" if self.size is not None else "sampled afresh"
        return f"{self.spec.describe()}, {size}"
