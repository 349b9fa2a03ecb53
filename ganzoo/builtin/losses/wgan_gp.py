"""WGAN-GP (Gulrajani et al. 2017)."""

from __future__ import annotations

import torch

from ganzoo.builtin.losses.penalties import gradient_penalty
from ganzoo.builtin.losses.settings import WGANGPSettings
from ganzoo.builtin.losses.wgan import WassersteinLoss
from ganzoo.losses import Critic, LossValue


class WGANGPLoss(WassersteinLoss):
    """Critic: E[D(G(z))] − E[D(x)] + λ·GP; generator: −E[D(G(z))]."""

    settings: WGANGPSettings

    def discriminator_loss(
        self, critic: Critic, real: torch.Tensor, fake: torch.Tensor
    ) -> LossValue:
        wasserstein = self.wasserstein(critic, real, fake)
        penalty = gradient_penalty(
            critic, real, fake, target=self.settings.gp_target, one_sided=self.settings.gp_one_sided
        )
        loss = -wasserstein + self.settings.gp_weight * penalty
        return loss, {"wasserstein": wasserstein.detach(), "gp": penalty.detach()}

    def double_backward(self) -> bool:
        return True
