"""The ``jsonl`` logger: ``metrics.jsonl``, one JSON line per logging step (always on)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

from ganzoo.storage.layout import RunLayout
from ganzoo.tracking import Logger, LoggerContext


class JsonlLogger(Logger):
    """Appends ``{"step": N, <loss terms>, "images_per_s", "elapsed_s"}`` lines; a value
    that is not finite is written as ``null``."""

    def __init__(self, context: LoggerContext) -> None:
        self.path = RunLayout(context.run_dir).metrics

    def log_scalars(self, step: int, values: Mapping[str, float]) -> None:
        row = {"step": step, **{key: finite_or_none(value) for key, value in values.items()}}
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")


def finite_or_none(value: float) -> float | None:
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None
