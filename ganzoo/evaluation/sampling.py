"""Turning a generator network into ``generate(n)`` for :class:`EvalContext`."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

SEED_STRIDE = 1_000_003
"""Batch ``i`` draws its latents from seed ``seed * SEED_STRIDE + i``."""


def generator_sampler(
    generator: nn.Module,
    latent_dim: int,
    *,
    seed: int = 0,
    device: torch.device | str = "cpu",
    batch_size: int = 500,
    num_classes: int | None = None,
) -> Callable[[int], torch.Tensor]:
    """A deterministic ``generate(n)``: fake samples on the CPU, made in batches.

    Batch ``i`` depends only on ``(seed, i, batch_size)``, so ``generate(m)`` is a prefix
    of ``generate(n)`` for ``m < n``. A conditional generator (``num_classes`` given)
    gets labels drawn uniformly from the same seeded stream.
    """
    device = torch.device(device)

    @torch.no_grad()
    def generate(n: int) -> torch.Tensor:
        was_training = generator.training
        generator.eval()
        chunks = []
        try:
            for index, start in enumerate(range(0, n, batch_size)):
                count = min(batch_size, n - start)
                stream = torch.Generator().manual_seed(seed * SEED_STRIDE + index)
                z = torch.randn(batch_size, latent_dim, generator=stream)[:count].to(device)
                if num_classes is None:
                    out = generator(z)
                else:
                    labels = torch.randint(num_classes, (batch_size,), generator=stream)
                    out = generator(z, labels[:count].to(device))
                chunks.append(out.float().cpu())
        finally:
            generator.train(was_training)
        return torch.cat(chunks) if chunks else torch.empty(0)

    return generate
