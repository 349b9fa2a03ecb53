"""The relativistic average GAN loss (Jolicoeur-Martineau 2018, "RaSGAN").

With raw discriminator logits ``C(x)`` and ``σ`` the logistic sigmoid, the discriminator
estimates how much more realistic real data is than fake data on average::

    D(x_r) = σ(C(x_r) − E[C(x_f)])        D(x_f) = σ(C(x_f) − E[C(x_r)])

    L_D = −E[log D(x_r)] − E[log(1 − D(x_f))]
        = E[softplus(−(C(x_r) − E C(x_f)))] + E[softplus(C(x_f) − E C(x_r))]
    L_G = E[softplus(−(C(x_f) − E C(x_r)))] + E[softplus(C(x_r) − E C(x_f))]

The generator's loss needs real data too. ganzoo's loss contract hands
``generator_loss`` only the fake batch, so the loss keeps the real batch of the last
discriminator step and scores it again with the updated discriminator, as the
paper's reference implementation does.
"""

from __future__ import annotations

from typing import ClassVar

import torch
import torch.nn.functional as F

from ganzoo.losses import Critic, Loss, LossValue
from ganzoo_relativistic.settings import RaGANSettings


def discriminator_ragan(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """``L_D`` from the logits of a real and a fake batch."""
    real_rel = real_logits - fake_logits.mean()
    fake_rel = fake_logits - real_logits.mean()
    return F.softplus(-real_rel).mean() + F.softplus(fake_rel).mean()


def generator_ragan(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """``L_G``: the discriminator's loss with the roles of real and fake swapped."""
    return discriminator_ragan(fake_logits, real_logits)


class RelativisticAverageLoss(Loss):
    """RaGAN on logits, written with softplus for numerical stability."""

    settings: RaGANSettings
    recommended_steps: ClassVar[int] = 3000

    def __init__(self, settings: RaGANSettings) -> None:
        super().__init__(settings)
        self._real: torch.Tensor | None = None

    def discriminator_loss(
        self, critic: Critic, real: torch.Tensor, fake: torch.Tensor
    ) -> LossValue:
        self._real = real.detach()
        real_logits, fake_logits = critic(real), critic(fake)
        loss = discriminator_ragan(real_logits, fake_logits)
        gap = (real_logits.mean() - fake_logits.mean()).detach()
        return loss, {"logit_gap": gap}

    def generator_loss(self, critic: Critic, fake: torch.Tensor) -> LossValue:
        if self._real is None:
            raise RuntimeError(
                "relativistic-average: generator_loss needs a discriminator step first "
                "(it scores that step's real batch again)"
            )
        return generator_ragan(critic(self._real), critic(fake))
