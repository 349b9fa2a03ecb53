"""Each built-in loss against values computed by hand on fixed tensors."""

from __future__ import annotations

import math

import pytest
import torch

from ganzoo.builtin.losses.logistic import (
    MinimaxLoss,
    NonSaturatingLoss,
    discriminator_logistic_loss,
)
from ganzoo.builtin.losses.penalties import gradient_penalty, interpolate, r1_penalty
from ganzoo.builtin.losses.settings import LogisticLossSettings, WGANGPSettings
from ganzoo.builtin.losses.wgan_gp import WGANGPLoss

REAL = torch.tensor([[2.0], [-1.0]])
FAKE = torch.tensor([[0.5], [-3.0]])


def identity_critic(x: torch.Tensor) -> torch.Tensor:
    """A 'discriminator' whose logit is the example's single feature."""
    return x.sum(dim=1)


def softplus(x: float) -> float:
    return math.log1p(math.exp(x))


def test_minimax_and_non_saturating_values() -> None:
    d_expected = (softplus(-2.0) + softplus(1.0)) / 2 + (softplus(0.5) + softplus(-3.0)) / 2
    for loss_class in (MinimaxLoss, NonSaturatingLoss):
        loss = loss_class(LogisticLossSettings())
        assert float(loss.discriminator_loss(identity_critic, REAL, FAKE)) == pytest.approx(
            d_expected, rel=1e-6
        )
    saturating = MinimaxLoss(LogisticLossSettings()).generator_loss(identity_critic, FAKE)
    # log(1 - sigmoid(f)) = -softplus(f)
    assert float(saturating) == pytest.approx(-(softplus(0.5) + softplus(-3.0)) / 2, rel=1e-6)
    non_saturating = NonSaturatingLoss(LogisticLossSettings()).generator_loss(identity_critic, FAKE)
    assert float(non_saturating) == pytest.approx((softplus(-0.5) + softplus(3.0)) / 2, rel=1e-6)


@pytest.mark.parametrize("loss_class", [MinimaxLoss, NonSaturatingLoss])
def test_logistic_losses_stay_finite_on_extreme_logits(loss_class: type) -> None:
    logits = torch.tensor([[200.0], [-200.0]], requires_grad=True)
    loss = loss_class(LogisticLossSettings())
    d_value = loss.discriminator_loss(identity_critic, logits, logits)
    g_value = loss.generator_loss(identity_critic, logits)
    (d_value + g_value).backward()
    assert torch.isfinite(d_value) and torch.isfinite(g_value)
    assert torch.isfinite(logits.grad).all()
    assert d_value.item() == pytest.approx(200.0, rel=1e-6)  # one confidently wrong on each side


def test_gradient_penalty_of_a_linear_critic() -> None:
    weight = torch.tensor([1.2, -1.6])  # ‖w‖ = 2, so (‖∇D‖ − 1)² = 1 everywhere
    critic = lambda x: x @ weight  # noqa: E731
    real, fake = torch.randn(5, 2), torch.randn(5, 2)
    assert float(gradient_penalty(critic, real, fake)) == pytest.approx(1.0, rel=1e-6)


def test_gradient_penalty_uses_the_given_per_example_alpha() -> None:
    critic = lambda x: (x**2).sum(dim=1)  # noqa: E731  ∇D(x) = 2x, so ‖∇D‖ = 2‖x‖
    real = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    fake = torch.tensor([[0.0, 0.0], [0.0, -2.0]])
    alpha = torch.tensor([0.25, 0.75])
    # x̂₁ = (0.25, 0) → ‖∇‖ = 0.5; x̂₂ = (0, 0.75·2 − 0.25·2) = (0, 1) → ‖∇‖ = 2
    expected = ((0.5 - 1) ** 2 + (2 - 1) ** 2) / 2
    assert gradient_penalty(critic, real, fake, alpha).item() == pytest.approx(expected)


def test_gradient_penalty_pulls_towards_its_target_on_one_or_both_sides() -> None:
    critic = lambda x: (x**2).sum(dim=1)  # noqa: E731  ‖∇D(x)‖ = 2‖x‖
    real = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    fake = torch.tensor([[0.0, 0.0], [0.0, -2.0]])
    alpha = torch.tensor([0.25, 0.75])  # norms 0.5 and 2, as above

    def penalty(target: float, one_sided: bool = False) -> float:
        return gradient_penalty(
            critic, real, fake, alpha, target=target, one_sided=one_sided
        ).item()

    assert penalty(target=0.0) == pytest.approx((0.5**2 + 2**2) / 2)  # zero-centred
    assert penalty(target=1.0, one_sided=True) == pytest.approx((2 - 1) ** 2 / 2)
    assert penalty(target=3.0, one_sided=True) == 0.0
    assert penalty(target=3.0) == pytest.approx(((0.5 - 3) ** 2 + (2 - 3) ** 2) / 2)


def test_wgan_gp_passes_its_penalty_settings_on() -> None:
    settings = WGANGPSettings(gp_target=0.0, gp_weight=1.0)
    torch.manual_seed(0)
    _, logs = WGANGPLoss(settings).discriminator_loss(identity_critic, REAL, FAKE)
    assert float(logs["gp"]) == pytest.approx(1.0)  # ‖∇D‖ = 1 everywhere, pulled towards 0
    one_sided = WGANGPSettings(gp_target=0.5, gp_one_sided=True)
    _, logs = WGANGPLoss(one_sided).discriminator_loss(identity_critic, REAL, FAKE)
    assert float(logs["gp"]) == pytest.approx(0.25)
    _, logs = WGANGPLoss(one_sided.model_copy(update={"gp_target": 2.0})).discriminator_loss(
        identity_critic, REAL, FAKE
    )
    assert float(logs["gp"]) == 0.0


def test_interpolates_draw_one_alpha_per_example_not_per_pixel() -> None:
    real = torch.randn(6, 3, 4, 4)
    fake = torch.randn(6, 3, 4, 4)
    alpha = torch.rand(6)
    mixed = interpolate(real, fake, alpha)
    ratio = (mixed - fake) / (real - fake)
    assert torch.allclose(ratio, alpha.view(6, 1, 1, 1).expand_as(ratio), atol=1e-4)


def test_wgan_gp_critic_and_generator_values() -> None:
    loss = WGANGPLoss(WGANGPSettings())
    torch.manual_seed(0)
    value, logs = loss.discriminator_loss(identity_critic, REAL, FAKE)
    # the identity critic has ‖∇D‖ = 1, so the penalty is 0 and only E[D(fake)] − E[D(real)] remains
    assert float(logs["gp"]) == pytest.approx(0.0, abs=1e-9)
    assert float(value) == pytest.approx((0.5 - 3.0) / 2 - (2.0 - 1.0) / 2)
    assert float(loss.generator_loss(identity_critic, FAKE)) == pytest.approx(1.25)


def test_wgan_gp_defaults_follow_the_paper() -> None:
    settings = WGANGPSettings()
    assert (settings.gp_weight, settings.n_critic) == (10.0, 5)
    assert (settings.lr_g, settings.lr_d, settings.beta1, settings.beta2) == (1e-4, 1e-4, 0.0, 0.9)
    assert WGANGPLoss.batchnorm_in_discriminator is False


def test_r1_penalty_value() -> None:
    critic = lambda x: (x**2).sum(dim=1)  # noqa: E731  ‖∇D(x)‖² = 4‖x‖²
    real = torch.tensor([[1.0, 0.0], [0.0, 3.0]])
    assert r1_penalty(critic, real).item() == pytest.approx((4 * 1 + 4 * 9) / 2)


def test_r1_loss_runs_d_once_on_the_real_batch_and_keeps_its_value_and_gradients() -> None:
    torch.manual_seed(0)
    d = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    real, fake = torch.randn(6, 2), torch.randn(6, 2)
    calls: list[int] = []

    def counted(x: torch.Tensor) -> torch.Tensor:
        calls.append(len(x))
        return d(x)

    loss = NonSaturatingLoss(LogisticLossSettings(r1_weight=2.0))
    value, logs = loss.discriminator_loss(counted, real, fake)
    assert calls == [6, 6]  # one pass on the real batch serves the loss and R1, one on fake
    value.backward()
    shared = [p.grad.clone() for p in d.parameters()]
    d.zero_grad()
    # the same loss written the long way: D on real for the loss, again for the penalty
    separate = discriminator_logistic_loss(d(real), d(fake)) + r1_penalty(d, real)
    separate.backward()
    assert value.item() == pytest.approx(separate.item(), rel=1e-6)
    assert logs["r1"].item() == pytest.approx(r1_penalty(d, real).item(), rel=1e-6)
    for mine, theirs in zip(shared, (p.grad for p in d.parameters()), strict=True):
        torch.testing.assert_close(mine, theirs)
