"""Datasets held in memory as a uint8 tensor, batched by shuffled index on the device."""

from __future__ import annotations

from collections.abc import Iterator

import torch
import torch.nn.functional as F

from ganzoo.data.order import batch_indices, permutation
from ganzoo.data.source import Batch, DataSource
from ganzoo.data.spec import DataSpec

DEVICE_COPY_LIMIT = 1 << 30
"""Datasets up to this many bytes are copied to the training device once, whole."""


def to_unit_range(images: torch.Tensor) -> torch.Tensor:
    """uint8 ``[0, 255]`` to float ``[-1, 1]`` (on whatever device ``images`` is)."""
    return images.to(torch.float32).mul_(2.0 / 255.0).sub_(1.0)


def resize_uint8(images: torch.Tensor, size: int, chunk: int = 4096) -> torch.Tensor:
    """Resize ``(N, C, H, W)`` uint8 images to ``size``×``size`` (antialiased bilinear)."""
    if images.shape[-2:] == (size, size):
        return images
    out = torch.empty((*images.shape[:2], size, size), dtype=torch.uint8)
    for i in range(0, len(images), chunk):
        part = images[i : i + chunk].to(torch.float32)
        scaled = F.interpolate(
            part, size=(size, size), mode="bilinear", antialias=True, align_corners=False
        )
        out[i : i + chunk] = scaled.round_().clamp_(0, 255).to(torch.uint8)
    return out


class InMemorySource(DataSource):
    """Images ``(N, C, H, W)`` uint8 (and optional labels) served as ``[-1, 1]`` floats."""

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor | None,
        *,
        num_classes: int | None = None,
        name: str = "images",
        origin: str = "",
    ) -> None:
        if images.dtype != torch.uint8 or images.ndim != 4:
            raise ValueError(
                f"expected uint8 (N, C, H, W) images, got {images.dtype} {images.shape}"
            )
        if labels is not None and len(labels) != len(images):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        self.images = images.contiguous()
        self.labels = None if labels is None else labels.to(torch.long)
        self.spec = DataSpec(tuple(images.shape[1:]), (-1.0, 1.0), num_classes)
        self.name = name
        self.origin = origin
        self._on_device: dict[torch.device, tuple[torch.Tensor, torch.Tensor | None]] = {}

    @property
    def size(self) -> int:
        return len(self.images)

    def tensors_on(self, device: torch.device) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The uint8 images and labels on ``device``, copied there once."""
        device = torch.device(device)
        if device.type == "cpu" or self.images.nbytes > DEVICE_COPY_LIMIT:
            return self.images, self.labels
        if device not in self._on_device:
            labels = None if self.labels is None else self.labels.to(device)
            self._on_device[device] = (self.images.to(device), labels)
        return self._on_device[device]

    def take(self, index: torch.Tensor, device: torch.device) -> Batch:
        """The examples at ``index``, normalised on ``device``."""
        images, labels = self.tensors_on(device)
        index = index.to(images.device)
        x = to_unit_range(images.index_select(0, index).to(device, non_blocking=True))
        y = None if labels is None else labels.index_select(0, index).to(device)
        return Batch(x, y)

    def batches(
        self, batch_size: int, *, seed: int, device: torch.device, start: int = 0
    ) -> Iterator[Batch]:
        for index in batch_indices(self.size, batch_size, seed=seed, start=start, what=self.name):
            yield self.take(index, device)

    def sample(self, n: int, *, seed: int, device: torch.device) -> Batch:
        """``n`` distinct examples (repeating only when ``n`` exceeds the dataset)."""
        rounds = -(-n // self.size)
        index = torch.cat([permutation(self.size, seed, "sample", r) for r in range(rounds)])
        return self.take(index[:n], device)

    def describe(self) -> str:
        origin = f" ({self.origin})" if self.origin else ""
        return f"{self.name}: {self.spec.describe()}, {self.size:,} examples{origin}"
