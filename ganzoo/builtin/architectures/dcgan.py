"""DCGAN (Radford et al. 2015): transposed convolutions up, strided convolutions down."""

from __future__ import annotations

import torch
from torch import nn

from ganzoo.builtin.architectures.conv_products import (
    LatentToMap,
    MapToScore,
    StridedConv,
    StridedConvTranspose,
)
from ganzoo.builtin.architectures.layers import (
    MinibatchStdDev,
    ScaledTanh,
    apply_spectral_norm,
    gains_from_bf16,
)
from ganzoo.builtin.architectures.settings import DCGANSettings
from ganzoo.builtin.architectures.sizes import DCGAN_SIZES
from ganzoo.data.spec import DataSpec
from ganzoo.errors import DataError
from ganzoo.models import BuildOptions, GANModels, require_image


def plan_resolution(spec: DataSpec, architecture: str = "dcgan") -> tuple[int, int]:
    """``(base_size, upsamplings)`` for the spec's square images, or a clear error."""
    require_image(spec.shape, architecture)
    height, width = spec.image_size
    if height != width:
        raise DataError(
            f"{architecture} makes square images, but the dataset's are {height}×{width}"
        )
    if not DCGAN_SIZES.makes(height):
        nearest = DCGAN_SIZES.nearest_at_or_above(height)
        raise DataError(
            f"{architecture} cannot make {height}×{height} images: it makes "
            f"{DCGAN_SIZES.describe()}; set the dataset's image size with "
            f"--set dataset.image_size={nearest}"
        )
    for base in DCGAN_SIZES.bases:
        upsamplings = (height // base).bit_length() - 1
        if base << upsamplings == height:
            return base, upsamplings
    raise AssertionError(f"{height} is in {DCGAN_SIZES} but has no base")  # unreachable


class DCGANGenerator(nn.Module):
    """z → (features, base, base) → transposed convolutions with BatchNorm + ReLU → Tanh."""

    def __init__(self, settings: DCGANSettings, spec: DataSpec) -> None:
        super().__init__()
        base, upsamplings = plan_resolution(spec)
        features = settings.generator_features * 2 ** (upsamplings - 1)
        layers: list[nn.Module] = [
            LatentToMap(settings.latent_dim, features, base),
            nn.BatchNorm2d(features),
            nn.ReLU(True),
        ]
        for _ in range(upsamplings - 1):
            layers += [
                StridedConvTranspose(features, features // 2),
                nn.BatchNorm2d(features // 2),
                nn.ReLU(True),
            ]
            features //= 2
        layers += [
            StridedConvTranspose(features, spec.channels),
            ScaledTanh(*spec.value_range),
        ]
        self.net = nn.Sequential(*layers)
        self.net.apply(init_dcgan_weights)
        self.mapping = mapping_network(
            settings.latent_dim, settings.mapping_layers, settings.mapping_lr_multiplier
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if self.mapping is not None:
            z = self.mapping(z)
        return self.net(z.view(z.shape[0], -1, 1, 1))


def mapping_network(width: int, layers: int, lr_multiplier: float) -> nn.Sequential | None:
    """``layers`` fully connected layers of ``width`` with LeakyReLU(0.2), or None for 0."""
    if layers == 0:
        return None
    blocks: list[nn.Module] = []
    for _ in range(layers):
        blocks += [EqualisedLinear(width, width, lr_multiplier), nn.LeakyReLU(0.2)]
    return nn.Sequential(*blocks)


class EqualisedLinear(nn.Module):
    """A linear layer whose weights are N(0, 1) scaled at run time (Karras et al. 2018), so
    Adam moves it at ``lr_multiplier`` times the optimiser's rate (StyleGAN's mapping)."""

    def __init__(self, in_features: int, out_features: int, lr_multiplier: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_multiplier)
        self.bias = nn.Parameter(torch.zeros(out_features))
        self.weight_scale = lr_multiplier / in_features**0.5
        self.lr_multiplier = lr_multiplier

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weight = self.weight * self.weight_scale
        return nn.functional.linear(x, weight, self.bias * self.lr_multiplier)


class DCGANDiscriminator(nn.Module):
    """Strided convolutions with LeakyReLU (BatchNorm, or LayerNorm for critics) → one logit."""

    def __init__(self, settings: DCGANSettings, spec: DataSpec, options: BuildOptions) -> None:
        super().__init__()
        base, downsamplings = plan_resolution(spec)
        features = settings.discriminator_features
        slope = settings.negative_slope
        layers: list[nn.Module] = [
            StridedConv(spec.channels, features),
            nn.LeakyReLU(slope, inplace=True),
        ]
        for _ in range(downsamplings - 1):
            layers += [
                StridedConv(features, features * 2),
                _normalisation(features * 2, options),
                nn.LeakyReLU(slope, inplace=True),
            ]
            features *= 2
        if options.minibatch_std:
            layers.append(MinibatchStdDev())
            features += 1
        layers.append(MapToScore(features, base))
        self.net = nn.Sequential(*layers)
        self.net.apply(init_dcgan_weights)
        if options.spectral_norm:
            apply_spectral_norm(self.net)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).view(-1)


def _normalisation(channels: int, options: BuildOptions) -> nn.Module:
    if options.spectral_norm:
        return nn.Identity()
    if options.batchnorm_in_discriminator:
        return nn.BatchNorm2d(channels)
    # Layer normalisation over (C, H, W) with a per-channel affine, as WGAN-GP recommends.
    return nn.GroupNorm(1, channels)


def init_dcgan_weights(module: nn.Module) -> None:
    """The paper's initialisation: N(0, 0.02) weights, BatchNorm scales N(1, 0.02)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, (nn.BatchNorm2d, nn.GroupNorm)):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def build_dcgan(settings: DCGANSettings, spec: DataSpec, options: BuildOptions) -> GANModels:
    """Build DCGAN for 1- or 3-channel square images of 4·2^k or 7·2^k pixels."""
    generator = DCGANGenerator(
        settings, spec
    )  # G first: the seed gives the same weights as before packing
    discriminator = DCGANDiscriminator(settings, options.discriminator_spec(spec), options)
    return GANModels(
        generator=generator,
        discriminator=discriminator,
        latent_dim=settings.latent_dim,
        prefers_bf16=gains_from_bf16(spec),
    )
