"""Large image folders: decoded per batch by DataLoader workers, in the same order as in memory."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset

from ganzoo.data.images import DECODE_ERRORS, load_image
from ganzoo.data.memory import to_unit_range
from ganzoo.data.order import batch_indices, permutation
from ganzoo.data.source import Batch, DataSource
from ganzoo.data.spec import DataSpec

log = logging.getLogger(__name__)


class ImageFiles(Dataset[tuple[torch.Tensor, int]]):
    """Image files decoded on access; a file that fails is replaced by the next one."""

    def __init__(self, files: list[Path], labels: list[int] | None, size: int, channels: int):
        self.files = files
        self.labels = labels
        self.size = size
        self.channels = channels

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        for offset in range(len(self.files)):
            i = (index + offset) % len(self.files)
            try:
                image = load_image(self.files[i], self.size, self.channels)
            except DECODE_ERRORS as error:
                log.warning("skipping unreadable image %s: %s", self.files[i], error)
                continue
            return image, -1 if self.labels is None else self.labels[i]
        raise RuntimeError("no readable image left")


class _IndexBatches:
    """An endless batch sampler over :func:`batch_indices` (picklable for workers)."""

    def __init__(self, size: int, batch_size: int, seed: int, start: int, what: str) -> None:
        self.args = (size, batch_size)
        self.kwargs = {"seed": seed, "start": start, "what": what}

    def __iter__(self) -> Iterator[list[int]]:
        for index in batch_indices(*self.args, **self.kwargs):  # type: ignore[arg-type]
            yield index.tolist()


class StreamingImageSource(DataSource):
    """Image files streamed through a :class:`DataLoader` with ``workers`` processes."""

    def __init__(
        self,
        files: ImageFiles,
        *,
        num_classes: int | None,
        workers: int,
        name: str = "images",
        origin: str = "",
    ) -> None:
        self.files = files
        self.workers = workers
        self.spec = DataSpec((files.channels, files.size, files.size), (-1.0, 1.0), num_classes)
        self.name = name
        self.origin = origin

    @property
    def size(self) -> int:
        return len(self.files)

    def _loader(
        self, sampler: object, device: torch.device
    ) -> DataLoader[tuple[torch.Tensor, int]]:
        return DataLoader(
            self.files,
            batch_sampler=sampler,  # type: ignore[arg-type]
            num_workers=self.workers,
            pin_memory=torch.device(device).type == "cuda",
            prefetch_factor=4 if self.workers else None,
        )

    def _to_batch(self, images: torch.Tensor, labels: torch.Tensor, device: torch.device) -> Batch:
        x = to_unit_range(images.to(device, non_blocking=True))
        return Batch(x, None if self.files.labels is None else labels.to(device))

    def batches(
        self, batch_size: int, *, seed: int, device: torch.device, start: int = 0
    ) -> Iterator[Batch]:
        sampler = _IndexBatches(self.size, batch_size, seed, start, self.name)
        for images, labels in self._loader(sampler, device):
            yield self._to_batch(images, labels, device)

    def sample(self, n: int, *, seed: int, device: torch.device) -> Batch:
        rounds = -(-n // self.size)
        index = torch.cat([permutation(self.size, seed, "sample", r) for r in range(rounds)])
        items = [self.files[i] for i in index[:n].tolist()]
        images = torch.stack([image for image, _ in items])
        labels = torch.tensor([label for _, label in items])
        return self._to_batch(images, labels, device)

    def describe(self) -> str:
        origin = f" ({self.origin})" if self.origin else ""
        return (
            f"{self.name}: {self.spec.describe()}, {self.size:,} examples streamed by "
            f"{self.workers} workers{origin}"
        )
