"""The architecture contract: what an architecture factory receives and returns.

An architecture factory is called as ``factory(settings, spec, options)`` and
returns :class:`GANModels`. The generator maps ``z`` of shape ``(N, latent_dim)``
(and labels, if conditional) to ``(N, *spec.shape)`` in the spec's value range;
the discriminator maps examples (and labels) to raw logits of shape ``(N,)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from ganzoo.errors import DataError


@dataclass(frozen=True)
class BuildOptions:
    """What the loss and the run ask of an architecture beyond its own settings."""

    batchnorm_in_discriminator: bool = True
    """False for critics (WGAN-GP): use LayerNorm or no normalisation instead."""
    spectral_norm: bool = False
    """Spectral normalisation on the discriminator's weight layers."""
    minibatch_std: bool = False
    """A minibatch standard-deviation feature before the discriminator's last layer."""


@dataclass
class GANModels:
    """A generator, its discriminator, and how to feed the generator."""

    generator: nn.Module
    discriminator: nn.Module
    latent_dim: int
    conditional: bool = False
    """Whether both networks take class labels as a second argument."""


def require_image(spec_shape: tuple[int, ...], architecture: str) -> None:
    """Raise a clear :class:`DataError` when an image architecture gets non-image data."""
    if len(spec_shape) != 3:
        raise DataError(
            f"architecture {architecture!r} needs image data (channels × height × width), "
            f"but the dataset gives examples of shape {tuple(spec_shape)}; "
            "use 'mlp-gan' for points"
        )
