"""Built-in losses (registration only; implementations are imported on first use)."""

from __future__ import annotations

from ganzoo.builtin.losses.settings import LogisticLossSettings, WGANGPSettings
from ganzoo.plugins.loading import Registrar


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
