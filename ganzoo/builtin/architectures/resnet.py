"""The ResNet GAN for 32×32 images of SNGAN and WGAN-GP's CIFAR-10 experiments.

G: z → 4×4 → three up-sampling residual blocks → BN, ReLU, 3×3 convolution, tanh.
D: an optimised first block and three residual blocks (two down-sampling), ReLU, a sum
over positions, one linear layer; no BatchNorm, so it serves gradient penalties too.
(Gulrajani et al. 2017, appendix F; Miyato et al. 2018, table 4.)
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ganzoo.builtin.architectures.layers import (
    MinibatchStdDev,
    ScaledTanh,
    apply_spectral_norm,
    gains_from_bf16,
)
from ganzoo.builtin.architectures.settings import ResNetGANSettings
from ganzoo.builtin.architectures.sizes import RESNET_SIZES
from ganzoo.data.spec import DataSpec
from ganzoo.errors import DataError
from ganzoo.models import BuildOptions, GANModels, require_image

NAME = "resnet-gan"
BASE_SIZE = 4
"""G's first feature maps are 4×4; three up-sampling blocks make 32×32."""


def check_spec(spec: DataSpec) -> None:
    """Refuse data other than 32×32 images, in one line."""
    require_image(spec.shape, NAME)
    _, height, width = spec.shape
    if height != width or not RESNET_SIZES.makes(height):
        raise DataError(
            f"{NAME} makes {RESNET_SIZES.describe()}×{RESNET_SIZES.describe()} images "
            f"(CIFAR-10's size), but the dataset's are {height}×{width}; set the dataset's "
            "image size with --set dataset.image_size=32, or use dcgan for other sizes"
        )


def _conv(in_channels: int, out_channels: int, kernel: int, gain: float) -> nn.Conv2d:
    conv = nn.Conv2d(in_channels, out_channels, kernel, 1, kernel // 2)
    nn.init.xavier_uniform_(conv.weight, gain)
    assert conv.bias is not None
    nn.init.zeros_(conv.bias)
    return conv


class GeneratorBlock(nn.Module):
    """BN, ReLU, 2× nearest up-sampling, 3×3 conv, BN, ReLU, 3×3 conv; shortcut: up, 1×1 conv."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.norm1 = nn.BatchNorm2d(channels)
        self.conv1 = _conv(channels, channels, 3, math.sqrt(2))
        self.norm2 = nn.BatchNorm2d(channels)
        self.conv2 = _conv(channels, channels, 3, math.sqrt(2))
        self.shortcut = _conv(channels, channels, 1, 1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.interpolate(F.relu(self.norm1(x)), scale_factor=2.0)
        h = self.conv2(F.relu(self.norm2(self.conv1(h))))
        return h + self.shortcut(F.interpolate(x, scale_factor=2.0))


class DiscriminatorBlock(nn.Module):
    """ReLU, 3×3 conv, ReLU, 3×3 conv, 2×2 average pooling if down-sampling; a 1×1 shortcut.

    The first block (``first``) takes images: no ReLU before its first convolution, and
    its shortcut pools before the 1×1 convolution ("optimised block").
    """

    def __init__(self, in_channels: int, channels: int, down: bool, first: bool = False) -> None:
        super().__init__()
        self.down, self.first = down, first
        self.conv1 = _conv(in_channels, channels, 3, math.sqrt(2))
        self.conv2 = _conv(channels, channels, 3, math.sqrt(2))
        learned = first or down or in_channels != channels
        self.shortcut = _conv(in_channels, channels, 1, 1.0) if learned else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x if self.first else F.relu(x)
        h = self.conv2(F.relu(self.conv1(h)))
        if self.down:
            h = F.avg_pool2d(h, 2)
        if self.first:
            return h + self.shortcut(F.avg_pool2d(x, 2))
        skip = self.shortcut(x)
        return h + (F.avg_pool2d(skip, 2) if self.down else skip)


class ResNetGenerator(nn.Module):
    """z → linear → 4×4 maps → 3 up-sampling blocks → BN, ReLU, 3×3 conv, tanh."""

    def __init__(self, settings: ResNetGANSettings, spec: DataSpec) -> None:
        super().__init__()
        channels = settings.generator_channels
        self.channels = channels
        self.project = nn.Linear(settings.latent_dim, BASE_SIZE * BASE_SIZE * channels)
        nn.init.xavier_uniform_(self.project.weight)
        nn.init.zeros_(self.project.bias)
        self.blocks = nn.Sequential(*(GeneratorBlock(channels) for _ in range(3)))
        self.out = nn.Sequential(
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            _conv(channels, spec.channels, 3, 1.0),
            ScaledTanh(*spec.value_range),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.project(z).view(z.shape[0], self.channels, BASE_SIZE, BASE_SIZE)
        return self.out(self.blocks(h))


class ResNetDiscriminator(nn.Module):
    """Optimised block, down block, two plain blocks → ReLU → sum over positions → linear."""

    def __init__(self, settings: ResNetGANSettings, spec: DataSpec, options: BuildOptions) -> None:
        super().__init__()
        channels = settings.discriminator_channels
        self.blocks = nn.Sequential(
            DiscriminatorBlock(spec.channels, channels, down=True, first=True),
            DiscriminatorBlock(channels, channels, down=True),
            DiscriminatorBlock(channels, channels, down=False),
            DiscriminatorBlock(channels, channels, down=False),
        )
        self.minibatch_std = MinibatchStdDev() if options.minibatch_std else None
        self.linear = nn.Linear(channels + int(options.minibatch_std), 1)
        nn.init.xavier_uniform_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)
        if options.spectral_norm:
            apply_spectral_norm(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = F.relu(self.blocks(x)).sum(dim=(2, 3))
        if self.minibatch_std is not None:
            features = self.minibatch_std(features)
        return self.linear(features).view(-1)


def build_resnet_gan(
    settings: ResNetGANSettings, spec: DataSpec, options: BuildOptions
) -> GANModels:
    """Build the 32×32 ResNet GAN (spectral norm in D with ``--spectral-norm``, as SNGAN)."""
    check_spec(spec)
    generator = ResNetGenerator(settings, spec)
    discriminator = ResNetDiscriminator(settings, options.discriminator_spec(spec), options)
    return GANModels(
        generator=generator,
        discriminator=discriminator,
        latent_dim=settings.latent_dim,
        prefers_bf16=gains_from_bf16(spec),
    )
