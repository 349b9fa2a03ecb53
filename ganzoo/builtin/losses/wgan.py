"""The original Wasserstein GAN (Arjovsky et al. 2017): a weight-clipped critic."""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import nn

from ganzoo.builtin.losses.settings import WGANSettings
from ganzoo.losses import Critic, Loss, LossValue


class WassersteinLoss(Loss):
    """What WGAN and WGAN-GP share: the critic's Wasserstein estimate; generator: −E[D(G(z))]."""

    batchnorm_in_discriminator: ClassVar[bool] = False
    recommended_steps: ClassVar[int] = 2000

    @staticmethod
    def wasserstein(critic: Critic, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """E[D(x)] − E[D(G(z))].

        Separate calls: a conditional critic has the batch's labels bound, and a minibatch
        standard-deviation layer must not mix real and fake statistics.
        """
        return critic(real).mean() - critic(fake).mean()

    def generator_loss(self, critic: Critic, fake: torch.Tensor) -> LossValue:
        return -critic(fake).mean()


class WGANLoss(WassersteinLoss):
    """Critic: E[D(G(z))] − E[D(x)], weights clipped to [−c, c]; generator: −E[D(G(z))]."""

    settings: WGANSettings

    def discriminator_loss(
        self, critic: Critic, real: torch.Tensor, fake: torch.Tensor
    ) -> LossValue:
        wasserstein = self.wasserstein(critic, real, fake)
        return -wasserstein, {"wasserstein": wasserstein.detach()}

    @torch.no_grad()
    def after_discriminator_step(self, discriminator: nn.Module) -> None:
        """Clip every critic parameter (normalisation scales included, as the paper's code does)."""
        clip = self.settings.clip_value
        for parameter in discriminator.parameters():
            parameter.clamp_(-clip, clip)
