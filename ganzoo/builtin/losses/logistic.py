"""The original GAN losses on logits: D(x) = sigmoid(logit), written with softplus."""

from __future__ import annotations

from typing import ClassVar

import torch
import torch.nn.functional as F

from ganzoo.builtin.losses.penalties import scores_and_r1_penalty
from ganzoo.builtin.losses.settings import LogisticLossSettings
from ganzoo.losses import Critic, Loss, LossValue


def discriminator_logistic_loss(
    real_logits: torch.Tensor, fake_logits: torch.Tensor
) -> torch.Tensor:
    """−log D(x) − log(1 − D(G(z))) = softplus(−real) + softplus(fake), averaged."""
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_saturating_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """log(1 − D(G(z))) = −softplus(fake), averaged (minimised by G)."""
    return -F.softplus(fake_logits).mean()


def generator_non_saturating_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """−log D(G(z)) = softplus(−fake), averaged."""
    return F.softplus(-fake_logits).mean()


class _LogisticLoss(Loss):
    settings: LogisticLossSettings
    recommended_steps: ClassVar[int] = 3000

    _discriminator_step = 0

    def before_discriminator_step(self, index: int) -> None:
        self._discriminator_step = index

    def discriminator_loss(
        self, critic: Critic, real: torch.Tensor, fake: torch.Tensor
    ) -> LossValue:
        # Real and fake go through D separately, so BatchNorm never mixes their statistics.
        every = self.settings.r1_every
        if self.settings.r1_weight == 0 or self._discriminator_step % every != 0:
            return discriminator_logistic_loss(critic(real), critic(fake))
        # With R1, D's one (fp32) pass on the real batch serves the loss and the penalty.
        real_logits, penalty = scores_and_r1_penalty(critic, real)
        loss = discriminator_logistic_loss(real_logits, critic(fake))
        weight = self.settings.r1_weight * every  # lazy: k times the weight, every k-th step
        return loss + weight / 2 * penalty, {"r1": penalty.detach()}

    def double_backward(self) -> bool:
        return self.settings.r1_weight > 0


class MinimaxLoss(_LogisticLoss):
    """The original minimax game (saturating generator loss)."""

    def generator_loss(self, critic: Critic, fake: torch.Tensor) -> LossValue:
        return generator_saturating_loss(critic(fake))


class NonSaturatingLoss(_LogisticLoss):
    """The non-saturating generator loss Goodfellow et al. recommend in practice."""

    def generator_loss(self, critic: Critic, fake: torch.Tensor) -> LossValue:
        return generator_non_saturating_loss(critic(fake))
