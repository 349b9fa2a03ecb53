"""WGAN-GP (Gulrajani et al. 2017)."""

from __future__ import annotations

from typing import ClassVar

import torch

from ganzoo.builtin.losses.penalties import gradient_penalty
from ganzoo.builtin.losses.settings import WGANGPSettings
from ganzoo.losses import Critic, Loss, LossValue


class WGANGPLoss(Loss):
    """Critic: E[D(G(z))] − E[D(x)] + λ·GP; generator: −E[D(G(z))]."""

    settings: WGANGPSettings
    batchnorm_in_discriminator: ClassVar[bool] = False
    recommended_steps: ClassVar[int] = 2000

    def discriminator_loss(
        self, critic: Critic, real: torch.Tensor, fake: torch.Tensor
    ) -> LossValue:
        # Separate calls: a conditional critic has the batch's labels bound, and a minibatch
        # standard-deviation layer must not mix real and fake statistics.
        wasserstein = critic(real).mean() - critic(fake).mean()
        penalty = gradient_penalty(critic, real, fake)
        loss = -wasserstein + self.settings.gp_weight * penalty
        return loss, {"wasserstein": wasserstein.detach(), "gp": penalty.detach()}

    def generator_loss(self, critic: Critic, fake: torch.Tensor) -> LossValue:
        return -critic(fake).mean()
