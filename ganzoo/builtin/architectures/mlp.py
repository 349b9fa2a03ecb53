"""The fully connected GAN."""

from __future__ import annotations

import math

import torch
from torch import nn

from ganzoo.builtin.architectures.layers import ScaledTanh, flat_discriminator, gains_from_bf16
from ganzoo.builtin.architectures.settings import MLPGANSettings
from ganzoo.data.spec import DataSpec
from ganzoo.models import BuildOptions, GANModels


class MLPGenerator(nn.Module):
    """z → hidden layers (Linear, BatchNorm, LeakyReLU) → flattened data → data shape.

    The first block may go without BatchNorm (``first_block_batchnorm``), as in the
    PyTorch-GAN tutorial.
    """

    def __init__(self, settings: MLPGANSettings, spec: DataSpec) -> None:
        super().__init__()
        self.data_shape = spec.shape
        layers: list[nn.Module] = []
        width_in = settings.latent_dim
        for index, width in enumerate(settings.generator_widths):
            layers.append(nn.Linear(width_in, width))
            if index > 0 or settings.first_block_batchnorm:
                layers.append(nn.BatchNorm1d(width, eps=settings.batchnorm_eps))
            layers.append(nn.LeakyReLU(settings.negative_slope))
            width_in = width
        layers.append(nn.Linear(width_in, math.prod(spec.shape)))
        use_tanh = settings.output == "tanh" or (settings.output == "auto" and spec.is_image)
        if use_tanh:
            layers.append(ScaledTanh(*spec.value_range))
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).view(z.shape[0], *self.data_shape)


class MLPDiscriminator(nn.Module):
    """Flattened data → hidden layers (Linear, LeakyReLU) → one raw logit."""

    def __init__(self, settings: MLPGANSettings, spec: DataSpec, options: BuildOptions) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten()]
        width_in = math.prod(spec.shape)
        for width in settings.discriminator_widths:
            layers += [nn.Linear(width_in, width), nn.LeakyReLU(settings.negative_slope)]
            width_in = width
        self.net = flat_discriminator(layers, width_in, options)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).view(-1)


def build_mlp_gan(settings: MLPGANSettings, spec: DataSpec, options: BuildOptions) -> GANModels:
    """Build the fully connected GAN for data of any shape."""
    generator = MLPGenerator(
        settings, spec
    )  # G first: the seed gives the same weights as before packing
    discriminator = MLPDiscriminator(settings, options.discriminator_spec(spec), options)
    return GANModels(
        generator=generator,
        discriminator=discriminator,
        latent_dim=settings.latent_dim,
        prefers_bf16=gains_from_bf16(spec),
    )
