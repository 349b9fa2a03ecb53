"""The architecture contract: what an architecture factory receives and returns.

An architecture factory is called as ``factory(settings, spec, options)`` and
returns :class:`GANModels`. The generator maps ``z`` of shape ``(N, latent_dim)``
(and labels, if conditional) to ``(N, *spec.shape)`` in the spec's value range;
the discriminator maps examples (and labels) to raw logits of shape ``(N,)``, or,
when it packs (``options.pack = M > 1``), to ``(N / M,)``: one logit per pack of M.
An architecture that packs says so when it registers (``register(..., packs=True)``)
and builds D for ``options.discriminator_spec(spec)``; the core joins each pack for it
(:class:`PackedDiscriminator`) and records the pack. One that does not leaves D as it is,
and the run refuses ``--pack``. (An architecture written before ``packs=`` existed may
still wrap D with :func:`packed` and set ``GANModels.pack`` itself.)

An image architecture that makes only some square sizes declares them when it registers,
``register(..., image_sizes=ImageSizes(...))``: a run whose image size was left at the
dataset's default then moves to the nearest size above it that the architecture makes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import torch
from torch import nn

from ganzoo.data.spec import DataSpec
from ganzoo.errors import DataError
from ganzoo.image_sizes import ImageSizes

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ganzoo.registry import Registry

__all__ = [
    "BuildOptions",
    "CodedGenerator",
    "GANModels",
    "ImageSizes",
    "PackedDiscriminator",
    "build_architecture",
    "packed",
    "packed_spec",
    "require_image",
]


@dataclass(frozen=True)
class BuildOptions:
    """What the loss and the run ask of an architecture beyond its own settings."""

    batchnorm_in_discriminator: bool = True
    """False for critics (WGAN-GP): use LayerNorm or no normalisation instead."""
    spectral_norm: bool = False
    """Spectral normalisation on the discriminator's weight layers."""
    minibatch_std: bool = False
    """A minibatch standard-deviation feature before the discriminator's last layer."""
    pack: int = 1
    """Examples the discriminator judges at once (PacGAN); see :func:`packed`."""

    def discriminator_spec(self, spec: DataSpec) -> DataSpec:
        """The spec D is built for: ``pack`` examples joined along their first axis."""
        return packed_spec(spec, self.pack)


@dataclass
class GANModels:
    """A generator, its discriminator, and how to feed the generator."""

    generator: nn.Module
    discriminator: nn.Module
    latent_dim: int
    conditional: bool = False
    """Whether both networks take class labels as a second argument."""
    pack: int = 1
    """Examples D judges at once; set by the core for an architecture registered with
    ``packs=True``."""
    auxiliary_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None
    """A term both networks minimise beside the loss, called as ``auxiliary_loss(z, fake)``
    with G's latents and images (InfoGAN's bound on what the image tells of its code). D's
    update takes it on the detached images, so it trains D's parameters (a second head,
    say); G's update takes it on the images, so it trains G. ``None``: no such term."""
    prefers_bf16: bool = False
    """Whether these networks, as built for this data, train faster in mixed bf16 than in
    fp32 on a device with a bf16 matrix unit; ``--precision auto`` follows it. An
    architecture that leaves it unset trains in fp32 unless the user asks for bf16."""


@runtime_checkable
class CodedGenerator(Protocol):
    """A generator that reads a categorical code from its latents (InfoGAN's).

    ``ganzoo sample --code K`` draws code ``K``, and ``ganzoo sample`` gives each code a row
    of its picture, with the same noise down each column.
    """

    code_categories: int
    """How many values the code takes."""

    def with_code(self, z: torch.Tensor, code: int) -> torch.Tensor:
        """A copy of latents ``z`` whose code is ``code``, the rest of each latent unchanged."""
        ...


def packed_spec(spec: DataSpec, pack: int) -> DataSpec:
    """The spec of ``pack`` examples joined along their first axis (features or channels)."""
    return replace(spec, shape=(spec.shape[0] * pack, *spec.shape[1:]))


class PackedDiscriminator(nn.Module):
    """D judging ``pack`` examples at once (Lin et al. 2018, PacGAN).

    Consecutive examples ``pack·i … pack·i + pack - 1`` of a batch are joined along
    their first axis (features of points, channels of images) into one input of the
    wrapped D, built for :func:`packed_spec`; it returns one logit per pack. Anything
    computed per example before D (gradient-penalty interpolation, augmentation)
    stays per example.
    """

    def __init__(self, discriminator: nn.Module, pack: int) -> None:
        super().__init__()
        self.pack = pack
        self.packed = discriminator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[0] % self.pack:
            raise ValueError(f"a batch of {x.shape[0]} does not split into packs of {self.pack}")
        joined = x.reshape(x.shape[0] // self.pack, self.pack * x.shape[1], *x.shape[2:])
        return self.packed(joined)


def packed(discriminator: nn.Module, pack: int) -> nn.Module:
    """``discriminator`` (built for ``packed_spec(spec, pack)``) judging packs of examples.

    With ``pack == 1`` it is returned as it is, so unpacked weights keep their names.
    """
    return discriminator if pack == 1 else PackedDiscriminator(discriminator, pack)


def require_image(spec_shape: tuple[int, ...], architecture: str) -> None:
    """Raise a clear :class:`DataError` when an image architecture gets non-image data."""
    if len(spec_shape) != 3:
        raise DataError(
            f"architecture {architecture!r} needs image data (channels × height × width), "
            f"but the dataset gives examples of shape {tuple(spec_shape)}; "
            "use 'mlp-gan' for points"
        )


def build_architecture(
    registry: Registry,
    name: str,
    settings: Mapping[str, Any] | BaseModel | None,
    spec: DataSpec,
    options: BuildOptions,
) -> GANModels:
    """Build the architecture ``name`` for ``spec``; for one that packs, join D's packs.

    The one place the packing handshake happens: an architecture registered with
    ``packs=True`` built D for ``options.discriminator_spec(spec)``, and here D is wrapped
    so that it takes a batch of single examples and gives one logit per pack.
    """
    models = registry.build("architecture", name, settings, spec, options)
    if registry.get("architecture", name).packs and isinstance(models, GANModels):
        models.discriminator = packed(models.discriminator, options.pack)
        models.pack = options.pack
    return models  # type: ignore[no-any-return]
