"""RaGAN's values on fixed logits, checked against numbers worked out by hand."""

from __future__ import annotations

import math

import pytest
import torch
from ganzoo_relativistic.loss import RelativisticAverageLoss, discriminator_ragan, generator_ragan
from ganzoo_relativistic.settings import RaGANSettings

from ganzoo.losses import LossSettings

# real logits (1, 2): mean 1.5; fake logits (0, -2): mean -1.
# real − mean(fake) = (2, 3); fake − mean(real) = (-1.5, -3.5).
# L_D = mean(softplus(-2), softplus(-3)) + mean(softplus(-1.5), softplus(-3.5))
#     = (0.126928 + 0.048587) / 2 + (0.201413 + 0.029750) / 2 = 0.2033395
# L_G = mean(softplus(1.5), softplus(3.5)) + mean(softplus(2), softplus(3))
#     = (1.701413 + 3.529750) / 2 + (2.126928 + 3.048587) / 2 = 5.2033395
REAL = torch.tensor([1.0, 2.0])
FAKE = torch.tensor([0.0, -2.0])


def test_discriminator_loss_matches_hand_computation() -> None:
    assert discriminator_ragan(REAL, FAKE).item() == pytest.approx(0.2033395, abs=1e-6)


def test_generator_loss_matches_hand_computation() -> None:
    assert generator_ragan(REAL, FAKE).item() == pytest.approx(5.2033395, abs=1e-6)


def test_indistinguishable_logits_give_log_4() -> None:
    same = torch.full((8,), 0.7)
    assert discriminator_ragan(same, same).item() == pytest.approx(math.log(4), abs=1e-6)
    assert generator_ragan(same, same).item() == pytest.approx(math.log(4), abs=1e-6)


def test_extreme_logits_stay_finite() -> None:
    real = torch.tensor([1e4, -1e4])
    fake = torch.tensor([-1e4, 1e4])
    assert torch.isfinite(discriminator_ragan(real, fake))
    assert torch.isfinite(generator_ragan(real, fake))


def test_loss_object_scores_the_last_real_batch_in_the_generator_step() -> None:
    loss = RelativisticAverageLoss(RaGANSettings())
    critic = lambda x: x.sum(dim=1)  # noqa: E731  (logits = sum of coordinates)
    real, fake = REAL.unsqueeze(1), FAKE.unsqueeze(1)
    d_loss, logs = loss.discriminator_loss(critic, real, fake)
    assert d_loss.item() == pytest.approx(0.2033395, abs=1e-6)
    assert logs["logit_gap"].item() == pytest.approx(2.5)
    assert loss.generator_loss(critic, fake).item() == pytest.approx(5.2033395, abs=1e-6)


def test_generator_step_before_any_discriminator_step_is_explained() -> None:
    loss = RelativisticAverageLoss(RaGANSettings())
    with pytest.raises(RuntimeError, match="discriminator step first"):
        loss.generator_loss(lambda x: x.sum(dim=1), FAKE.unsqueeze(1))


def test_settings_carry_the_recommended_optimiser() -> None:
    settings = RaGANSettings()
    assert isinstance(settings, LossSettings)
    assert (settings.lr_g, settings.lr_d, settings.beta1, settings.beta2, settings.n_critic) == (
        2e-4,
        2e-4,
        0.5,
        0.999,
        1,
    )
