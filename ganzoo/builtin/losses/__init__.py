"""Built-in losses (registration only; implementations are imported on first use)."""

from __future__ import annotations

from ganzoo.builtin.losses.settings import (
    HingeLossSettings,
    LogisticLossSettings,
    LSGANSettings,
    WGANGPSettings,
    WGANSettings,
)
from ganzoo.plugins import Registrar


def register_builtin(register: Registrar) -> None:
    """Register ganzoo's built-in losses."""
    register(
        "bce",
        "ganzoo.builtin.losses.logistic:MinimaxLoss",
        LogisticLossSettings,
        description="Original minimax GAN: G minimises log(1 − D(G(z))) (saturating)",
        aliases=("minimax",),
    )
    register(
        "non-saturating",
        "ganzoo.builtin.losses.logistic:NonSaturatingLoss",
        LogisticLossSettings,
        description="Non-saturating GAN: same D loss, G minimises −log D(G(z))",
        aliases=("ns",),
    )
    register(
        "wgan-gp",
        "ganzoo.builtin.losses.wgan_gp:WGANGPLoss",
        WGANGPSettings,
        description="Wasserstein GAN with gradient penalty (λ=10, 5 critic steps, no BatchNorm)",
    )
    register(
        "wgan",
        "ganzoo.builtin.losses.wgan:WGANLoss",
        WGANSettings,
        description="Wasserstein GAN with weight clipping (c=0.01, RMSprop 5e-5, 5 critic steps)",
        aliases=("wgan-clip",),
    )
    register(
        "hinge",
        "ganzoo.builtin.losses.hinge:HingeLoss",
        HingeLossSettings,
        description="Hinge loss: D relu(1 − D(x)) + relu(1 + D(G(z))), G −D(G(z)) (SNGAN)",
    )
    register(
        "lsgan",
        "ganzoo.builtin.losses.least_squares:LeastSquaresLoss",
        LSGANSettings,
        description="Least squares GAN: D ½(D(x) − 1)² + ½D(G(z))², G ½(D(G(z)) − 1)²",
        aliases=("least-squares",),
    )
