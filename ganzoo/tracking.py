"""The logger contract: what a logger receives while a run trains and when it is evaluated.

A logger is registered through the ``register_loggers`` hook; its factory is called as
``factory(settings, context)`` (``factory(context)`` when it has no settings model) on
rank 0 only, and returns a :class:`Logger`. The built-in ``jsonl`` logger
(``metrics.jsonl``) is always on; ``--logger NAME`` (or ``loggers = [...]`` in TOML)
adds others. See the logger contract page of the docs for when each method is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from PIL.Image import Image
    from torch import nn

Outcome = Literal["finished", "stopped", "diverged", "failed"]
"""How a training process ended, as :meth:`Logger.close` is told."""


@dataclass(frozen=True)
class LoggerContext:
    """What a logger's factory is told about the run it logs."""

    run_dir: Path
    """The run directory; write files only under it."""
    name: str
    """The run's name (its folder's name), e.g. for a remote tracker's run name."""
    config: Mapping[str, Any]
    """The run's resolved configuration, as ``config.toml`` holds it (JSON-ready)."""
    resumed_from: int | None = None
    """The checkpoint step a resumed run continues from; ``None`` for a new run. Steps
    after it that a killed process had already logged are logged again."""
    evaluating: bool = False
    """True when ``ganzoo eval`` built the logger, to receive :meth:`Logger.log_evaluation`
    only; False while training."""


class Logger:
    """Receives a run's numbers and pictures. Every method does nothing by default.

    Training calls, in order: :meth:`log_config` once, then :meth:`log_scalars` and
    :meth:`log_networks` at each logging step and :meth:`log_images` at each sample
    step, then :meth:`close` with the outcome. ``ganzoo eval`` builds the run's loggers
    again (with ``context.evaluating``) and calls :meth:`log_evaluation`, then
    :meth:`close` with ``None``.
    """

    def log_config(self, config: Mapping[str, Any]) -> None:
        """The run's resolved configuration, once, before the first step."""

    def log_scalars(self, step: int, values: Mapping[str, float]) -> None:
        """Means since the last logging step: every loss term, ``images_per_s`` and
        ``elapsed_s`` (a value may be NaN or infinite when training diverges)."""

    def log_images(self, step: int, tag: str, image: Image) -> None:
        """A picture (tag ``samples``: the grid from the fixed latent batch), as an RGB
        PIL image."""

    def log_networks(self, step: int, networks: Mapping[str, nn.Module]) -> None:
        """The networks (``generator``, ``discriminator``) after the step's update, their
        gradients still in place; look at them only now and then, it is not free."""

    def log_evaluation(self, step: int, figures: Mapping[str, Mapping[str, float]]) -> None:
        """What ``ganzoo eval`` measured on the weights of ``step``: ``{metric: {name: value}}``."""

    def close(self, outcome: Outcome | None) -> None:
        """Flush and release; ``outcome`` is how training ended, ``None`` after an evaluation."""
