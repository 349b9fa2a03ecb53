"""Class-conditional architectures: cgan (fully connected) and cdcgan (projection discriminator).

Both networks take labels as a second argument, ``G(z, labels)`` and ``D(x, labels)``.
The generators join a learned label embedding to ``z`` and reuse the unconditional
generators' layers; the discriminators differ:

* cgan's D sees the flattened example joined to a label embedding (Mirza & Osindero 2014),
  or, with ``discriminator_conditioning = "projection"``, projects as cdcgan's does;
* cdcgan's D is a projection discriminator (Miyato & Koyama 2018): with features φ(x),
  ``D(x, y) = ψ(φ(x)) + ⟨embed(y), φ(x)⟩``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from ganzoo.builtin.architectures.dcgan import DCGANDiscriminator, DCGANGenerator, plan_resolution
from ganzoo.builtin.architectures.layers import gains_from_bf16, spectral_norm
from ganzoo.builtin.architectures.mlp import MLPDiscriminator, MLPGenerator
from ganzoo.builtin.architectures.settings import CDCGANSettings, CGANSettings
from ganzoo.data.spec import DataSpec
from ganzoo.errors import DataError
from ganzoo.models import BuildOptions, GANModels


def require_classes(spec: DataSpec, architecture: str) -> int:
    """The number of classes, or a clear :class:`DataError` for unlabelled data."""
    if not spec.num_classes or spec.num_classes < 1:
        raise DataError(
            f"architecture {architecture!r} is conditional and needs a dataset with class "
            "labels (e.g. digits, mnist, cifar10); this one has none"
        )
    return spec.num_classes


class LabelConcatGenerator(nn.Module):
    """``G(z, y) = body([z, embed(y)])``: any generator fed a label embedding beside z."""

    def __init__(self, num_classes: int, embedding_dim: int, body: nn.Module) -> None:
        super().__init__()
        self.embed = nn.Embedding(num_classes, embedding_dim)
        self.body = body

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self.body(torch.cat([z, self.embed(labels)], dim=1))


class CGANDiscriminator(nn.Module):
    """``D(x, y) = mlp([flatten(x), embed(y)])`` with mlp-gan's hidden layers."""

    def __init__(self, settings: CGANSettings, spec: DataSpec, options: BuildOptions) -> None:
        super().__init__()
        classes = require_classes(spec, "cgan")
        self.embed = nn.Embedding(classes, settings.label_embedding_dim)
        joined = DataSpec((spec.numel + settings.label_embedding_dim,), spec.value_range)
        self.body = MLPDiscriminator(settings, joined, options)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self.body(torch.cat([x.flatten(1), self.embed(labels)], dim=1))


def build_cgan(settings: CGANSettings, spec: DataSpec, options: BuildOptions) -> GANModels:
    """Build the conditional fully connected GAN for labelled data of any shape."""
    classes = require_classes(spec, "cgan")
    discriminator: Callable[[], nn.Module]
    if settings.discriminator_conditioning == "projection":

        def discriminator() -> nn.Module:
            layers = list(MLPDiscriminator(settings, spec, options).net)
            return ProjectionDiscriminator(layers, classes, _like_torchs_linear, options)

    else:
        discriminator = functools.partial(CGANDiscriminator, settings, spec, options)
    return conditional_models(settings, spec, classes, MLPGenerator, discriminator)


def _like_torchs_linear(weight: torch.Tensor) -> None:
    """U(±1/√fan_in): how torch draws the weight of an MLP's last layer, ψ."""
    bound = 1 / math.sqrt(weight.shape[1])
    nn.init.uniform_(weight, -bound, bound)


def _like_dcgans(weight: torch.Tensor) -> None:
    """N(0, 0.02): how DCGAN draws the weight of its last layer, ψ."""
    nn.init.normal_(weight, 0.0, 0.02)


def conditional_models(
    settings: CGANSettings | CDCGANSettings,
    spec: DataSpec,
    classes: int,
    generator_body: Callable[[Any, DataSpec], nn.Module],
    discriminator: Callable[[], nn.Module],
) -> GANModels:
    """G: ``generator_body`` fed ``[z, embed(y)]``; D: built after G (so seeds give the same)."""
    widened = settings.model_copy(
        update={"latent_dim": settings.latent_dim + settings.label_embedding_dim}
    )
    body = generator_body(widened, spec)
    generator = LabelConcatGenerator(classes, settings.label_embedding_dim, body)
    return GANModels(
        generator=generator,
        discriminator=discriminator(),
        latent_dim=settings.latent_dim,
        conditional=True,
        prefers_bf16=gains_from_bf16(spec),
    )


class ProjectionDiscriminator(nn.Module):
    """An unconditional D's layers made conditional by projection (Miyato & Koyama 2018).

    φ is every layer but the last, ψ the last (a linear map of φ to one logit: a Linear, or
    DCGAN's b×b convolution), and the class term is the inner product of φ(x), read as one
    vector, with a learned per-class vector of its size. ``init_embedding`` draws those
    vectors as ψ's weights are drawn, so that neither term dominates at the start.
    """

    def __init__(
        self,
        layers: list[nn.Module],
        classes: int,
        init_embedding: Callable[[torch.Tensor], None],
        options: BuildOptions,
    ) -> None:
        super().__init__()
        *features, psi = layers
        if isinstance(psi, nn.Linear):
            size = psi.in_features
        else:
            assert isinstance(psi, nn.Conv2d)  # DCGAN's last layer: a base×base convolution
            size = psi.in_channels * math.prod(psi.kernel_size)
        self.features = nn.Sequential(*features)
        self.psi = psi
        embed = nn.Embedding(classes, size)
        init_embedding(embed.weight)
        self.embed: nn.Module = spectral_norm(embed) if options.spectral_norm else embed

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        phi = self.features(x)
        unconditional = self.psi(phi).view(-1)
        projection = (phi.flatten(1) * self.embed(labels)).sum(dim=1)
        return unconditional + projection


def build_cdcgan(settings: CDCGANSettings, spec: DataSpec, options: BuildOptions) -> GANModels:
    """Build the conditional DCGAN for labelled square images of 4·2^k or 7·2^k pixels."""
    plan_resolution(spec, "cdcgan")
    classes = require_classes(spec, "cdcgan")

    def discriminator() -> nn.Module:
        layers = list(DCGANDiscriminator(settings, spec, options).net)
        return ProjectionDiscriminator(layers, classes, _like_dcgans, options)

    return conditional_models(settings, spec, classes, DCGANGenerator, discriminator)
