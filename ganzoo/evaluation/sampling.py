"""Turning a generator network into ``generate(n)`` for :class:`EvalContext`."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ganzoo.latent_batches import DEFAULT_BATCH_SIZE, SEED_STRIDE, drawn_labels, sample_batches

__all__ = ["SEED_STRIDE", "generator_sampler", "given_labels_sampler"]


def generator_sampler(
    generator: nn.Module,
    latent_dim: int,
    *,
    seed: int = 0,
    device: torch.device | str = "cpu",
    batch_size: int = DEFAULT_BATCH_SIZE,
    num_classes: int | None = None,
) -> Callable[[int], torch.Tensor]:
    """A deterministic ``generate(n)``: fake samples on the CPU, made in batches.

    ``generate(m)`` is exactly the first ``m`` rows of ``generate(n)`` for ``m < n``
    (see :mod:`ganzoo.latent_batches`). A conditional generator (``num_classes`` given)
    gets labels drawn uniformly from the same seeded streams.
    """
    device = torch.device(device)

    def generate(n: int) -> torch.Tensor:
        was_training = generator.training
        generator.eval()
        try:
            chunks = [
                chunk.float().cpu()
                for chunk in sample_batches(
                    generator,
                    latent_dim,
                    n,
                    seed=seed,
                    batch_size=batch_size,
                    num_classes=num_classes,
                    device=device,
                )
            ]
        finally:
            generator.train(was_training)
        return torch.cat(chunks) if chunks else torch.empty(0)

    return generate


def given_labels_sampler(
    latent_dim: int,
    num_classes: int,
    *,
    seed: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Callable[[int], torch.Tensor]:
    """``given_labels(n)``: the classes :func:`generator_sampler` with the same arguments gives
    a conditional generator for its first ``n`` samples."""

    def given_labels(n: int) -> torch.Tensor:
        return drawn_labels(n, latent_dim, num_classes, seed=seed, batch_size=batch_size)

    return given_labels
