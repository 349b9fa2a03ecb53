"""The original Wasserstein GAN (Arjovsky et al. 2017): a weight-clipped critic."""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import nn

from ganzoo.builtin.losses.settings import WGANSettings
from ganzoo.losses import Critic, Loss, LossValue


class WGANLoss(Loss):
    """Critic: E[D(G(z))] − E[D(x)], weights clipped to [−c, c]; generator: −E[D(G(z))]."""

    settings: WGANSettings
    batchnorm_in_discriminator: ClassVar[bool] = False
    recommended_steps: ClassVar[int] = 2000

    def discriminator_loss(
        self, critic: Critic, real: torch.Tensor, fake: torch.Tensor
    ) -> LossValue:
        wasserstein = critic(real).mean() - critic(fake).mean()
        return -wasserstein, {"wasserstein": wasserstein.detach()}

    def generator_loss(self, critic: Critic, fake: torch.Tensor) -> LossValue:
        return -critic(fake).mean()

    @torch.no_grad()
    def after_discriminator_step(self, discriminator: nn.Module) -> None:
        """Clip every critic parameter (normalisation scales included, as the paper's code does)."""
        clip = self.settings.clip_value
        for parameter in discriminator.parameters():
            parameter.clamp_(-clip, clip)
