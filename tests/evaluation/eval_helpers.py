"""Helpers for the evaluation tests: small data sources and evaluation contexts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from ganzoo.data.source import DataSource
from ganzoo.evaluation.metric import EvalContext

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def make_context(
    generate: Callable[[int], torch.Tensor],
    real: DataSource,
    dataset: str,
    cache_dir: Path,
    **kwargs: object,
) -> EvalContext:
    return EvalContext(
        generate=generate,
        real=real,
        dataset=dataset,
        spec=real.spec,
        cache_dir=cache_dir,
        **kwargs,  # type: ignore[arg-type]
    )


def from_tensor(samples: torch.Tensor) -> Callable[[int], torch.Tensor]:
    """``generate(n)`` returning the first ``n`` rows (cycled) of ``samples``."""

    def generate(n: int) -> torch.Tensor:
        repeats = -(-n // len(samples))
        return samples.repeat(repeats, *([1] * (samples.ndim - 1)))[:n]

    return generate


@dataclass(frozen=True)
class TrainedClassifier:
    metadata: dict[str, str]
    seconds: float
    data_unchanged: bool
    """Whether the shared data folder is exactly as before (no file added or modified)."""
