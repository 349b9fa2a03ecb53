"""Settings of the plugin's components (pydantic only, so ``ganzoo list`` stays fast)."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ganzoo.losses import LossSettings


class RaGANSettings(LossSettings):
    """RaGAN with the DCGAN optimiser defaults: Adam(2e-4, β=(0.5, 0.999)), one D step."""


class SwissRollSettings(BaseModel):
    """A spiral ``t·(cos t, sin t)`` for ``t`` uniform in ``[start, end]``, scaled into [-1, 1]."""

    model_config = ConfigDict(extra="forbid")

    noise: float = Field(0.02, ge=0, description="Std of the Gaussian noise added to each point.")
    start: float = Field(1.5 * math.pi, gt=0, description="Smallest angle t (radians).")
    end: float = Field(4.5 * math.pi, gt=0, description="Largest angle t (radians).")

    @model_validator(mode="after")
    def _angles_in_order(self) -> SwissRollSettings:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end:g}) must be larger than start ({self.start:g})")
        return self
