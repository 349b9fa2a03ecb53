"""Samples from a generator in seeded, fixed-size batches: the first m are the same whatever n.

Two things would break that promise, and both are ruled out by construction here:

- torch's vectorised normal sampler fills the tail of a tensor differently when its length
  is not a multiple of its vector width, so ``randn(n, d)[:m]`` depends on ``n``; here every
  batch draws ``batch_size`` rows from a stream of its own, seeded by ``(seed, index)``.
- CPU matrix kernels round differently for other shapes, so a smaller last batch would
  give other values for the same latents; here the network always sees full batches and
  the surplus rows are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import nn

SEED_STRIDE = 1_000_003
"""Batch ``i`` draws its latents (and labels) from seed ``seed * SEED_STRIDE + i``."""

DEFAULT_BATCH_SIZE = 100
"""Rows per forward pass unless asked otherwise: every call pays at least one full batch, so
a few samples of a large generator (resnet-gan, about 3 GFLOP a sample) stay cheap, and
10,000 samples are still only 100 passes."""


def sample_batches(
    generator: nn.Module,
    latent_dim: int,
    n: int,
    *,
    seed: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
    num_classes: int | None = None,
    labels: torch.Tensor | None = None,
    device: torch.device | str = "cpu",
) -> Iterator[torch.Tensor]:
    """Yield ``n`` samples of ``generator`` in chunks, on ``device``.

    Args:
        generator: called as ``generator(z)``, or ``generator(z, labels)`` when
            ``num_classes`` or ``labels`` is given; run without gradients, in its current mode.
        latent_dim: width of ``z``.
        n: how many samples in all.
        seed: the seed of every batch's latents and labels.
        batch_size: rows per forward pass; part of what defines the samples.
        num_classes: a conditional generator's class count: labels are drawn uniformly
            from each batch's stream unless ``labels`` is given.
        labels: one label per sample (``n`` of them), for a conditional generator.
        device: where the generator lives.
    """
    if labels is not None and len(labels) != n:
        raise ValueError(f"labels holds {len(labels)} entries for {n} samples")
    conditional = labels is not None or num_classes is not None
    with torch.no_grad():
        for index, start in enumerate(range(0, n, batch_size)):
            count = min(batch_size, n - start)
            z, drawn = _draw_batch(index, seed, batch_size, latent_dim, num_classes)
            if not conditional:
                yield generator(z.to(device))[:count]
                continue
            if labels is not None:
                drawn[:count] = labels[start : start + count]
            yield generator(z.to(device), drawn.to(device))[:count]


def drawn_labels(
    n: int,
    latent_dim: int,
    num_classes: int,
    *,
    seed: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> torch.Tensor:
    """The labels :func:`sample_batches` draws for a conditional generator's first ``n``
    samples with the same arguments, without running the generator."""
    batches = [
        _draw_batch(index, seed, batch_size, latent_dim, num_classes)[1][: n - start]
        for index, start in enumerate(range(0, n, batch_size))
    ]
    return torch.cat(batches) if batches else torch.empty(0, dtype=torch.long)


def _draw_batch(
    index: int, seed: int, batch_size: int, latent_dim: int, num_classes: int | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Batch ``index``'s latents and uniform labels, from its own seeded stream."""
    stream = torch.Generator().manual_seed(seed * SEED_STRIDE + index)
    z = torch.randn(batch_size, latent_dim, generator=stream)
    return z, torch.randint(num_classes or 1, (batch_size,), generator=stream)
