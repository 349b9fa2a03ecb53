"""Least squares GAN (Mao et al. 2017) with the 0-1 coding a = 0, b = 1, c = 1."""

from __future__ import annotations

from typing import ClassVar

import torch

from ganzoo.builtin.losses.settings import LSGANSettings
from ganzoo.losses import Critic, Loss, LossValue

FAKE_TARGET = 0.0
"""a: the value D should give fakes."""
REAL_TARGET = 1.0
"""b: the value D should give real data."""
GENERATOR_TARGET = 1.0
"""c: the value G wants D to believe for fakes."""


class LeastSquaresLoss(Loss):
    """D: ½E[(D(x) − b)²] + ½E[(D(G(z)) − a)²]; G: ½E[(D(G(z)) − c)²], on D's raw output."""

    settings: LSGANSettings
    recommended_steps: ClassVar[int] = 3000

    def discriminator_loss(
        self, critic: Critic, real: torch.Tensor, fake: torch.Tensor
    ) -> LossValue:
        real_term = (critic(real) - REAL_TARGET).pow(2).mean()
        fake_term = (critic(fake) - FAKE_TARGET).pow(2).mean()
        return (real_term + fake_term) / 2

    def generator_loss(self, critic: Critic, fake: torch.Tensor) -> LossValue:
        return (critic(fake) - GENERATOR_TARGET).pow(2).mean() / 2
