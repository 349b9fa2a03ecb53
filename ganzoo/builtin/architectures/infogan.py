"""InfoGAN (Chen et al. 2016) on DCGAN's networks, with one categorical code.

No labels are used. The last ``categories`` entries of z pick a code, their argmax, which
is uniform over the categories because the entries are independent standard normals; G
sees the rest of z and the code one-hot. D has a second head, Q, on its features, and both
networks minimise Q's cross-entropy on the code: a lower bound on the mutual information
between code and image, which makes G draw images whose code can be read back.

Because the code is a function of z, everything that samples z (evaluation, sample
grids, resuming) works as for an unconditional GAN.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ganzoo.builtin.architectures.dcgan import DCGANDiscriminator, DCGANGenerator, plan_resolution
from ganzoo.builtin.architectures.layers import gains_from_bf16
from ganzoo.builtin.architectures.settings import InfoGANSettings
from ganzoo.data.spec import DataSpec
from ganzoo.models import BuildOptions, GANModels


def latent_code(z: torch.Tensor, categories: int) -> torch.Tensor:
    """The categorical code of each latent: the argmax of its last ``categories`` entries."""
    return z[:, -categories:].argmax(dim=1)


def with_code(z: torch.Tensor, code: int, categories: int) -> torch.Tensor:
    """A copy of latents ``z`` whose code is ``code``, the noise unchanged: to draw one
    category, ``generator(with_code(z, 3, 10))``."""
    if not 0 <= code < categories:
        raise ValueError(f"code {code} is outside the {categories} categories 0-{categories - 1}")
    z = z.clone()
    tail = z[:, -categories:]
    tail[:, code] = tail.max(dim=1).values + 1.0
    return z


class InfoGANGenerator(nn.Module):
    """``G(z) = dcgan([noise, one_hot(code)])``, noise and code both read from z; a
    :class:`~ganzoo.models.CodedGenerator`."""

    def __init__(self, settings: InfoGANSettings, spec: DataSpec) -> None:
        super().__init__()
        self.code_categories = settings.categories
        widened = settings.model_copy(update={"latent_dim": self.latent_dim(settings)})
        self.body = DCGANGenerator(widened, spec)

    @staticmethod
    def latent_dim(settings: InfoGANSettings) -> int:
        return settings.latent_dim + settings.categories

    def with_code(self, z: torch.Tensor, code: int) -> torch.Tensor:
        """A copy of latents ``z`` whose code is ``code`` (for :class:`CodedGenerator`)."""
        return with_code(z, code, self.code_categories)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        categories = self.code_categories
        code = F.one_hot(latent_code(z, categories), categories).to(z.dtype)
        return self.body(torch.cat([z[:, :-categories], code], dim=1))


class InfoGANDiscriminator(nn.Module):
    """DCGAN's D, whose features φ(x) also feed Q: a hidden layer, then the code's logits."""

    def __init__(self, settings: InfoGANSettings, spec: DataSpec, options: BuildOptions) -> None:
        super().__init__()
        layers = list(DCGANDiscriminator(settings, spec, options).net)
        last = layers[-1]
        assert isinstance(last, nn.Conv2d)  # DCGAN's last layer: a base×base convolution to 1
        self.features = nn.Sequential(*layers[:-1])
        self.judge = last
        feature_size = last.in_channels * last.kernel_size[0] * last.kernel_size[1]
        self.q = nn.Sequential(
            nn.Flatten(),
            nn.Linear(feature_size, settings.q_width),
            nn.LeakyReLU(settings.negative_slope),
            nn.Linear(settings.q_width, settings.categories),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.judge(self.features(x)).view(-1)

    def code_logits(self, x: torch.Tensor) -> torch.Tensor:
        """Q's logits over the code's categories for each image."""
        return self.q(self.features(x))


class InformationLoss:
    """λ · cross-entropy of Q's guess of each image's code (the mutual-information bound)."""

    def __init__(self, discriminator: InfoGANDiscriminator, categories: int, weight: float):
        self.discriminator = discriminator
        self.categories = categories
        self.weight = weight

    def __call__(self, z: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        logits = self.discriminator.code_logits(fake).float()
        return self.weight * F.cross_entropy(logits, latent_code(z, self.categories))


def build_infogan(settings: InfoGANSettings, spec: DataSpec, options: BuildOptions) -> GANModels:
    """Build InfoGAN for 1- or 3-channel square images of 4·2^k or 7·2^k pixels."""
    plan_resolution(spec, "infogan")
    generator = InfoGANGenerator(settings, spec)  # G first, as dcgan builds them
    discriminator = InfoGANDiscriminator(settings, spec, options)
    return GANModels(
        generator=generator,
        discriminator=discriminator,
        latent_dim=InfoGANGenerator.latent_dim(settings),
        auxiliary_loss=InformationLoss(
            discriminator, settings.categories, settings.information_weight
        ),
        prefers_bf16=gains_from_bf16(spec),
    )
