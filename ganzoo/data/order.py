"""Reproducible batch order: batch ``i`` depends only on ``(seed, i, batch_size)``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import torch

from ganzoo.errors import DataError


def derive_seed(*parts: int | str) -> int:
    """A 63-bit seed mixed from ``parts`` (stable across runs, platforms and Python versions)."""
    return hashed_seed(":".join(str(p) for p in parts).encode())


def hashed_seed(data: bytes) -> int:
    """A 63-bit seed hashed from ``data``: ganzoo's one seed hash (BLAKE2b, 8 bytes)."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little") >> 1


def generator(*parts: int | str) -> torch.Generator:
    """A CPU generator seeded from ``parts``."""
    return torch.Generator().manual_seed(derive_seed(*parts))


def batch_generator(seed: int, index: int | str, *stream: int | str) -> torch.Generator:
    """The random generator of batch ``index`` in a run seeded ``seed``.

    A dataset that samples afresh (a distribution, not a finite set) draws batch ``index``
    with it, so the batch is the same however the run got there (resumed or not).
    ``stream`` separates independent draws within one batch.
    """
    return generator("batch", seed, index, *stream)


def permutation(n: int, *parts: int | str) -> torch.Tensor:
    """A permutation of ``range(n)`` determined by ``parts``."""
    return torch.randperm(n, generator=generator(*parts))


def batches_per_epoch(size: int, batch_size: int, what: str = "the dataset") -> int:
    """Full batches in one pass (the last partial batch is dropped)."""
    if batch_size < 1:
        raise DataError(f"batch size must be at least 1, got {batch_size}")
    if batch_size > size:
        raise DataError(
            f"batch size {batch_size} is larger than {what} ({size:,} examples); "
            f"use a batch size of at most {size:,}"
        )
    return size // batch_size


def batch_indices(
    size: int, batch_size: int, *, seed: int, start: int = 0, stream: int = 0, what: str = ""
) -> Iterator[torch.Tensor]:
    """Endless index batches: epoch ``e`` is a permutation seeded from ``(seed, e, stream)``.

    ``stream`` gives independent orders over the same data (stacked MNIST uses one per channel).
    """
    per_epoch = batches_per_epoch(size, batch_size, what or "the dataset")
    index = start
    epoch, order = -1, torch.empty(0, dtype=torch.long)
    while True:
        e, j = divmod(index, per_epoch)
        if e != epoch:
            epoch, order = e, permutation(size, seed, e, stream)
        yield order[j * batch_size : (j + 1) * batch_size]
        index += 1
