"""A finite dataset held in memory as float tensors: the base for a plugin's small datasets."""

from __future__ import annotations

from collections.abc import Iterator

import torch

from ganzoo.data.order import batch_indices
from ganzoo.data.source import Batch, DataSource
from ganzoo.data.spec import DataSpec
from ganzoo.errors import DataError


class TensorSource(DataSource):
    """Examples ``x`` of shape ``(N, *spec.shape)`` (and optional int64 labels) in memory.

    Batches are drawn in a new order each epoch, and batch ``i`` depends only on
    ``(seed, i, batch_size)``, so a resumed run draws what an uninterrupted one would.
    The last partial batch of an epoch is dropped.

    Args:
        x: the examples, already in ``value_range`` (e.g. ``[-1, 1]`` for images).
        labels: class labels ``(N,)`` in ``[0, num_classes)``, or None.
        value_range: the range the examples lie in.
        num_classes: the number of classes (required with labels).
        name: what to call the data in messages.
    """

    def __init__(
        self,
        x: torch.Tensor,
        labels: torch.Tensor | None = None,
        *,
        value_range: tuple[float, float] = (-1.0, 1.0),
        num_classes: int | None = None,
        name: str = "the dataset",
    ) -> None:
        if x.ndim < 2 or len(x) == 0:
            raise DataError(f"{name}: expected examples of shape (N, ...), got {tuple(x.shape)}")
        if labels is not None:
            if labels.shape != (len(x),):
                raise DataError(
                    f"{name}: {len(x)} examples need labels of shape ({len(x)},), "
                    f"got {tuple(labels.shape)}"
                )
            if num_classes is None:
                raise DataError(f"{name}: labels need num_classes")
        self.x = x.to(torch.float32).contiguous()
        self.labels = None if labels is None else labels.to(torch.int64)
        self.spec = DataSpec(tuple(x.shape[1:]), value_range, num_classes)
        self.name = name

    @property
    def size(self) -> int:
        return len(self.x)

    def batches(
        self, batch_size: int, *, seed: int, device: torch.device, start: int = 0
    ) -> Iterator[Batch]:
        for index in batch_indices(len(self.x), batch_size, seed=seed, start=start, what=self.name):
            labels = None if self.labels is None else self.labels[index].to(device)
            yield Batch(self.x[index].to(device), labels)
