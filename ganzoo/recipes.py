"""The recipe contract: a complete, named run configuration and the result it reproduces.

A plugin registers a recipe through the ``register_recipes`` hook, giving a
:class:`Recipe` (or the import path ``"module:attr"`` of one) as the factory::

    @ganzoo.hookimpl
    def register_recipes(register):
        register("my-recipe", MY_RECIPE, description="What it trains, in one line")

``ganzoo run --recipe NAME`` trains it (command-line options override its settings)
and ``ganzoo reproduce NAME`` trains it over several seeds, evaluates each with the
recipe's protocol and sets the figures beside the published ones. This module is
torch-free, so listing recipes stays fast.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Verdict = Literal["beaten", "matched", "missed"]
MEASURED_PRECISION = "fp32"
"""The precision of a recipe whose config names none: every recipe's figures so far."""


class Figure(BaseModel):
    """One published (or targeted) value of a metric."""

    model_config = ConfigDict(extra="forbid")

    value: float
    sd: float | None = Field(default=None, ge=0, description="Standard deviation, where given.")
    better: Literal["higher", "lower"] = "higher"

    def verdict(self, mean: float, our_sd: float) -> Verdict:
        """``beaten``: better than the value; ``matched``: within one sd of it; else ``missed``.

        The sd is the published one where given, else ours (over seeds).
        """
        sign = 1.0 if self.better == "higher" else -1.0
        margin = sign * (mean - self.value)
        if margin > 0:
            return "beaten"
        spread = self.sd if self.sd is not None else our_sd
        return "matched" if margin == 0 or -margin <= spread else "missed"

    def describe(self) -> str:
        return f"{self.value:g}" + (f" ± {self.sd:g}" if self.sd is not None else "")


class Reference(BaseModel):
    """The result a recipe is held to: a paper's row, or ganzoo's own target."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="Paper, table and row, e.g. 'Lin et al. 2018 (PacGAN), …'.")
    published: bool = Field(
        default=True, description="False for ganzoo's own targets and baselines."
    )
    url: str | None = None
    seeds: int | None = Field(default=None, ge=1, description="Runs the source averaged over.")
    figures: dict[str, Figure] = Field(
        description="By metric key as `ganzoo eval` names it, e.g. 'mode-coverage.modes_covered'."
    )


class Protocol(BaseModel):
    """How each seed is evaluated."""

    model_config = ConfigDict(extra="forbid")

    metrics: list[str] = Field(min_length=1, description="Metric names, e.g. ['mode-coverage'].")
    num_samples: int | None = Field(default=None, ge=1, description="Samples per metric.")
    settings: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per-metric settings, e.g. the threshold."
    )
    description: str = Field(description="The protocol in words, for reports.")


class Recipe(BaseModel):
    """A named, complete run configuration and what it reproduces."""

    model_config = ConfigDict(extra="forbid")

    config: dict[str, Any] = Field(
        description="The run's settings as in config.toml: architecture, loss, dataset, steps, "
        "batch_size and any component settings. Its precision is the one its figures were "
        "measured in: fp32 unless the config says otherwise (never auto)."
    )
    protocol: Protocol
    reference: Reference
    departures: list[str] = Field(
        default_factory=list, description="Where this recipe departs from the source, and why."
    )
    default_seeds: int = Field(
        default=3, ge=1, description="Seeds `ganzoo reproduce` trains by default."
    )
    hardware: Literal["cpu", "gpu"] = Field(
        default="cpu",
        description="What the budget is sized for: 'cpu' (a 2-core laptop-class CPU) or 'gpu'.",
    )
    minutes_per_seed: float | None = Field(
        default=None,
        description="Measured minutes of one seed on that hardware; None until measured.",
    )
    notes: str = ""

    @model_validator(mode="after")
    def _pin_precision(self) -> Recipe:
        """A recipe records the precision it was measured in, and trains in it (bf16 only
        where the device has a bf16 matrix unit: see ganzoo.config.recipe_settings_here)."""
        if self.config.get("precision", "auto") == "auto":
            self.config = {**self.config, "precision": MEASURED_PRECISION}
        return self

    def summary(self) -> str:
        """One line naming the source and its figures."""
        figures = ", ".join(
            f"{key.split('.')[-1]} {figure.describe()}"
            for key, figure in self.reference.figures.items()
        )
        return f"{self.reference.source}: {figures}"
