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
