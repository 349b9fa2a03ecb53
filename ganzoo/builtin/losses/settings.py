"""Settings of the built-in losses, each with the recommended optimiser defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ganzoo.losses import LossSettings


class LogisticLossSettings(LossSettings):
    """The original GAN's settings: Adam(2e-4, β=(0.5, 0.999)) as in DCGAN."""

    r1_weight: float = Field(
        0.0, ge=0, description="Weight γ of the R1 penalty γ/2·E‖∇D(x)‖² on real data (0 = off)."
    )
    r1_every: int = Field(
        1,
        ge=1,
        description="Lazy R1 (Karras et al. 2020): the penalty on every k-th D step only, "
        "weighted k·γ, which keeps its average and saves most of its cost (1 = every step).",
    )


class WGANGPSettings(LossSettings):
    """WGAN-GP (Gulrajani et al. 2017): Adam(1e-4, β=(0, 0.9)), 5 critic steps, λ = 10."""

    lr_g: float = Field(
        1e-4, gt=0, description="Generator learning rate (Adam); apart from lr_d for TTUR."
    )
    lr_d: float = Field(1e-4, gt=0, description="Critic learning rate (Adam); see lr_g.")
    beta1: float = Field(0.0, ge=0, lt=1, description="Adam β₁ for both networks.")
    beta2: float = Field(0.9, ge=0, lt=1, description="Adam β₂ for both networks.")
    n_critic: int = Field(5, ge=1, description="Critic updates per generator update.")
    gp_weight: float = Field(10.0, ge=0, description="Gradient penalty weight λ.")
    gp_target: float = Field(
        1.0,
        ge=0,
        description="The gradient norm the penalty pulls towards on interpolates: 1 is "
        "WGAN-GP's; 0 is the zero-centred penalty of Thanh-Tung et al. 2019.",
    )
    gp_one_sided: bool = Field(
        False,
        description="Penalise only norms above gp_target, as WGAN-LP (Petzka et al. 2018).",
    )


class HingeLossSettings(LossSettings):
    """Hinge loss, SNGAN's setting C (Miyato et al. 2018): Adam(2e-4, β=(0.5, 0.999)), 1 D step."""


class LSGANSettings(LossSettings):
    """LSGAN (Mao et al. 2017) with the DCGAN optimiser: Adam(2e-4, β=(0.5, 0.999))."""


class WGANSettings(LossSettings):
    """WGAN with weight clipping (Arjovsky et al. 2017): RMSprop(5e-5), 5 critic steps, c = 0.01."""

    optimizer: Literal["adam", "rmsprop"] = Field(
        "rmsprop",
        description="Optimiser of both networks; the paper found momentum (Adam) unstable.",
    )
    lr_g: float = Field(
        5e-5, gt=0, description="Generator learning rate; apart from lr_d for TTUR."
    )
    lr_d: float = Field(5e-5, gt=0, description="Critic learning rate; see lr_g.")
    n_critic: int = Field(5, ge=1, description="Critic updates per generator update.")
    clip_value: float = Field(
        0.01, gt=0, description="Every critic weight is clipped to [−c, c] after each critic step."
    )
