"""Small building blocks shared by the built-in architectures."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import _SpectralNorm

from ganzoo.data.spec import DataSpec
from ganzoo.models import BuildOptions

BF16_MIN_VALUES = 28 * 28
"""Values per example from which the built-in image architectures train faster in bf16 on a
bf16 matrix unit: measured faster on MNIST (784 values), slower on 8×8 digits (64)."""


def gains_from_bf16(spec: DataSpec) -> bool:
    """Whether networks sized for ``spec`` are large enough for bf16 to pay (see above)."""
    return spec.is_image and math.prod(spec.shape) >= BF16_MIN_VALUES


class LatentToMap(nn.ConvTranspose2d):
    """DCGAN's first layer: a transposed convolution from a 1×1 latent to a k×k map.

    On a 1×1 input it is one matrix product, and under autocast it is computed as one:
    for dcgan's first layer on MNIST, oneDNN's bf16 transposed convolution takes about
    four times as long forward and backward (docs/speed.md). The weight, its shape and
    its state-dict key are the convolution's, and without autocast (every fp32 run, bit
    for bit) it runs as the convolution.
    """

    def __init__(self, latent_dim: int, features: int, size: int) -> None:
        super().__init__(latent_dim, features, size, 1, 0, bias=False)

    def forward(self, z: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        if not torch.is_autocast_enabled(z.device.type) or z.shape[-2:] != (1, 1):
            return super().forward(z)
        latent_dim, features, height, width = self.weight.shape
        z = z.reshape(z.shape[0], latent_dim)
        if not self.weight.is_contiguous(memory_format=torch.channels_last):
            out = torch.mm(z, self.weight.reshape(latent_dim, -1))
            return out.view(z.shape[0], features, height, width)
        # a channels-last weight reads as (in, h, w, out) at no cost, and the product's
        # (n, h, w, out) reads as an (n, out, h, w) map in channels-last order
        weight = self.weight.permute(0, 2, 3, 1).reshape(latent_dim, -1)
        out = torch.mm(z, weight)
        return out.view(z.shape[0], height, width, features).permute(0, 3, 1, 2)


class ScaledTanh(nn.Module):
    """Tanh mapped onto a value range ``(low, high)``."""

    def __init__(self, low: float, high: float) -> None:
        super().__init__()
        self.center = (high + low) / 2
        self.half_range = (high - low) / 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.tanh(x)
        if self.center == 0.0 and self.half_range == 1.0:
            return out
        return out * self.half_range + self.center


class MinibatchStdDev(nn.Module):
    """Appends the batch's mean standard deviation as one extra feature (Karras et al. 2018).

    Works on flat ``(N, F)`` features and on ``(N, C, H, W)`` maps alike.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        std = x.std(dim=0, unbiased=False).mean()
        extra = std.expand(x.shape[0], 1, *x.shape[2:])
        return torch.cat([x, extra], dim=1)


class FullPrecisionSpectralNorm(_SpectralNorm):
    """torch's spectral normalisation, with its power iteration and σ in fp32 under autocast.

    Under mixed precision torch would run the power iteration's matrix-vector products in
    bf16 or fp16; the state dict is torch's own (``_u``, ``_v``).
    """

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        with torch.autocast(weight.device.type, enabled=False):
            return super().forward(weight.float())


def spectral_norm(module: nn.Module, name: str = "weight") -> nn.Module:
    """Spectral normalisation of ``module``'s weight, as torch's, kept in fp32."""
    dim = 1 if isinstance(module, nn.ConvTranspose2d) else 0
    weight = getattr(module, name)
    parametrize.register_parametrization(
        module, name, FullPrecisionSpectralNorm(weight, n_power_iterations=1, dim=dim)
    )
    return module


def apply_spectral_norm(module: nn.Module) -> nn.Module:
    """Spectral normalisation on every linear and convolution layer of ``module``."""
    for name, child in module.named_children():
        if isinstance(child, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            setattr(module, name, spectral_norm(child))
        else:
            apply_spectral_norm(child)
    return module


def flat_discriminator(layers: list[nn.Module], width: int, options: BuildOptions) -> nn.Sequential:
    """``layers`` (ending in ``width`` features) → minibatch std if asked → one logit.

    Spectral normalisation, if asked, covers every weight layer.
    """
    if options.minibatch_std:
        layers.append(MinibatchStdDev())
        width += 1
    net = nn.Sequential(*layers, nn.Linear(width, 1))
    if options.spectral_norm:
        apply_spectral_norm(net)
    return net
