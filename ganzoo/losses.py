"""The loss contract: discriminator and generator objectives with recommended settings.

A loss factory is called as ``factory(settings)`` and returns a :class:`Loss`.
Losses work on raw logits and are written in numerically stable forms.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:  # keep this module torch-free so settings load fast
    import torch
    from torch import nn

Critic: TypeAlias = "Callable[[torch.Tensor], torch.Tensor]"
"""The discriminator as a function of examples only (labels already bound)."""

LossValue: TypeAlias = "torch.Tensor | tuple[torch.Tensor, dict[str, torch.Tensor]]"
"""A scalar loss, optionally with extra scalars to log (e.g. the gradient penalty)."""


class LossSettings(BaseModel):
    """Optimiser settings every loss recommends; a loss's own settings extend these."""

    model_config = ConfigDict(extra="forbid")

    optimizer: Literal["adam", "rmsprop"] = Field(
        "adam", description="Optimiser of both networks (rmsprop ignores β₁ and β₂)."
    )
    lr_g: float = Field(
        2e-4,
        gt=0,
        description="Generator learning rate; set it apart from lr_d for TTUR "
        "(two time-scale updates, Heusel et al. 2017, e.g. lr_g=1e-4, lr_d=4e-4).",
    )
    lr_d: float = Field(2e-4, gt=0, description="Discriminator learning rate; see lr_g for TTUR.")
    beta1: float = Field(0.5, ge=0, lt=1, description="Adam β₁ for both networks.")
    beta2: float = Field(0.999, ge=0, lt=1, description="Adam β₂ for both networks.")
    n_critic: int = Field(1, ge=1, description="Discriminator updates per generator update.")


class Loss(ABC):
    """An adversarial objective."""

    batchnorm_in_discriminator: ClassVar[bool] = True
    """False when the discriminator must not use BatchNorm (gradient penalties)."""
    recommended_steps: ClassVar[int] = 3000
    """Generator updates that make a fair run on the default dataset."""

    def __init__(self, settings: LossSettings) -> None:
        self.settings = settings

    @abstractmethod
    def discriminator_loss(
        self, critic: Critic, real: torch.Tensor, fake: torch.Tensor
    ) -> LossValue:
        """The discriminator's loss on a real and a (detached) fake batch."""

    @abstractmethod
    def generator_loss(self, critic: Critic, fake: torch.Tensor) -> LossValue:
        """The generator's loss on a fake batch."""

    def before_discriminator_step(self, index: int) -> None:  # noqa: B027
        """Hook before each discriminator update; ``index`` counts D updates from the run's
        start, and a resumed run carries on the count (lazy R1 acts on every k-th)."""

    def after_discriminator_step(self, discriminator: nn.Module) -> None:  # noqa: B027
        """Hook after each discriminator update (weight clipping uses it)."""

    def double_backward(self) -> bool:
        """Whether the losses as set differentiate gradients (a gradient penalty).

        ``--compile`` is refused for such a loss: torch.compile cannot compile it.
        """
        return False
