"""PacGAN's networks for low-dimensional data: a ReLU generator and a maxout discriminator."""

from __future__ import annotations

import math

import torch
from torch import nn

from ganzoo.builtin.architectures.layers import ScaledTanh, flat_discriminator
from ganzoo.builtin.architectures.settings import PacGANMLPSettings
from ganzoo.data.spec import DataSpec
from ganzoo.models import BuildOptions, GANModels


class Maxout(nn.Module):
    """``units`` outputs, each the maximum of ``pieces`` linear functions of the input."""

    def __init__(self, width_in: int, units: int, pieces: int) -> None:
        super().__init__()
        self.units, self.pieces = units, pieces
        self.linear = nn.Linear(width_in, units * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pieces = self.linear(x).view(x.shape[0], self.units, self.pieces)
        if torch.compiler.is_compiling():
            # compiled, the tie check below would break the graph (it reads a tensor on the
            # host), and amax over the 5 innermost values makes slow masked vector code; an
            # element-wise maximum of the pieces fuses (ties split their gradient pairwise)
            top = pieces[:, :, 0]
            for piece in range(1, self.pieces):
                top = torch.maximum(top, pieces[:, :, piece])
            return top
        # max's backward routes each gradient to one arg max (a scatter), cheaper than amax's
        # compare, count and divide; where pieces tie, amax splits the gradient between them,
        # as maxout always has, so a tie (rare in fp32, but it happens) takes amax
        top = pieces.max(dim=2).values
        if int((pieces == top.unsqueeze(2)).sum()) != top.numel():
            return pieces.amax(dim=2)
        return top


class Scale(nn.Module):
    """Multiplies by a constant factor."""

    def __init__(self, factor: float) -> None:
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x if self.factor == 1.0 else x * self.factor

    def extra_repr(self) -> str:
        return f"factor={self.factor:g}"


class PacGANMLPGenerator(nn.Module):
    """z → ``depth`` × (Linear without bias, BatchNorm, ReLU) → linear output (tanh for images).

    Without BatchNorm (``generator_batchnorm = False``) each hidden layer is Linear with a
    bias, then ReLU.
    """

    def __init__(self, settings: PacGANMLPSettings, spec: DataSpec) -> None:
        super().__init__()
        self.data_shape = spec.shape
        layers: list[nn.Module] = []
        width_in = settings.latent_dim
        for _ in range(settings.generator_depth):
            width = settings.generator_width
            if settings.generator_batchnorm:
                layers += [nn.Linear(width_in, width, bias=False), nn.BatchNorm1d(width)]
            else:
                layers += [nn.Linear(width_in, width)]
            layers.append(nn.ReLU())
            width_in = width
        layers += [nn.Linear(width_in, math.prod(spec.shape)), Scale(settings.data_scale)]
        if spec.is_image:  # images stay in their value range; points are unbounded
            layers.append(ScaledTanh(*spec.value_range))
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).view(z.shape[0], *self.data_shape)


class PacGANMLPDiscriminator(nn.Module):
    """Flattened data → ``depth`` maxout layers → one raw logit."""

    def __init__(self, settings: PacGANMLPSettings, spec: DataSpec, options: BuildOptions) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten(), Scale(1 / settings.data_scale)]
        width_in = math.prod(spec.shape)
        for _ in range(settings.discriminator_depth):
            layers.append(Maxout(width_in, settings.discriminator_width, settings.maxout_pieces))
            width_in = settings.discriminator_width
        self.net = flat_discriminator(layers, width_in, options)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).view(-1)


def init_weights(module: nn.Module, std: float) -> None:
    """PacGAN's initialisation: N(0, std) weights, zero biases (BatchNorm left as built)."""
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, 0.0, std)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)


def build_pacgan_mlp(
    settings: PacGANMLPSettings, spec: DataSpec, options: BuildOptions
) -> GANModels:
    """Build PacGAN's 2-D networks for examples of any shape (flattened)."""
    generator = PacGANMLPGenerator(settings, spec)
    discriminator = PacGANMLPDiscriminator(settings, options.discriminator_spec(spec), options)
    init_weights(generator, settings.init_std)
    init_weights(discriminator, settings.init_std)
    return GANModels(
        generator=generator,
        discriminator=discriminator,
        latent_dim=settings.latent_dim,
    )
