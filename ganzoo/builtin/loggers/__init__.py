"""Built-in loggers (registration only; implementations are imported on first use)."""

from __future__ import annotations

from ganzoo.builtin.loggers.settings import TensorBoardSettings
from ganzoo.plugins import Registrar

_PKG = "ganzoo.builtin.loggers"


def register_builtin(register: Registrar) -> None:
    """Register ganzoo's built-in loggers."""
    register(
        "jsonl",
        f"{_PKG}.jsonl:JsonlLogger",
        description="metrics.jsonl: one JSON line of losses and throughput per logging step "
        "(always on).",
    )
    register(
        "tensorboard",
        f"{_PKG}.tensorboard:TensorBoardLogger",
        TensorBoardSettings,
        description="TensorBoard event files in the run's tb/ folder: losses, throughput, "
        "sample grids, hparams, eval figures (extra: ganzoo[tensorboard]).",
        aliases=("tb",),
    )
