"""The hinge loss (Lim & Ye 2017; Miyato et al. 2018) on raw discriminator outputs."""

from __future__ import annotations

from typing import ClassVar

import torch
import torch.nn.functional as F

from ganzoo.builtin.losses.settings import HingeLossSettings
from ganzoo.losses import Critic, Loss, LossValue


def discriminator_hinge_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))]."""
    return F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean()


class HingeLoss(Loss):
    """D: E[relu(1 − D(x))] + E[relu(1 + D(G(z)))]; G: −E[D(G(z))]."""

    settings: HingeLossSettings
    recommended_steps: ClassVar[int] = 3000

    def discriminator_loss(
        self, critic: Critic, real: torch.Tensor, fake: torch.Tensor
    ) -> LossValue:
        # Real and fake go through D separately, so BatchNorm never mixes their statistics.
        return discriminator_hinge_loss(critic(real), critic(fake))

    def generator_loss(self, critic: Critic, fake: torch.Tensor) -> LossValue:
        return -critic(fake).mean()
