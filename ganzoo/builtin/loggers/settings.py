"""Settings of the built-in loggers (pydantic only, so listing them stays cheap)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TensorBoardSettings(BaseModel):
    """What the TensorBoard logger writes beyond scalars, sample grids and hparams."""

    model_config = ConfigDict(extra="forbid")

    histograms_every: int = Field(
        0,
        ge=0,
        description="Steps between histograms of every weight and of the gradient norms "
        "(rounded up to a logging step); 0 writes none.",
    )
    flush_secs: float = Field(
        10.0, gt=0, description="Seconds between flushes of the event file to disk."
    )
