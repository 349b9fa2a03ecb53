"""Helpers for the evaluation tests: small data sources and evaluation contexts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import torch

from ganzoo.data.source import Batch, DataSource
from ganzoo.data.spec import DataSpec
from ganzoo.evaluation.metric import EvalContext

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


class TensorSource(DataSource):
    """A finite source over fixed tensors (shuffled by seed)."""

    def __init__(self, x: torch.Tensor, labels: torch.Tensor | None = None, **attrs: object):
        self.x = x
        self.labels = labels
        self.spec = DataSpec(tuple(x.shape[1:]))
        for key, value in attrs.items():
            setattr(self, key, value)

    @property
    def size(self) -> int:
        return len(self.x)

    def batches(
        self, batch_size: int, *, seed: int, device: torch.device, start: int = 0
    ) -> Iterator[Batch]:
        order = torch.randperm(len(self.x), generator=torch.Generator().manual_seed(seed))
        while True:
            for i in range(0, len(order), batch_size):
                index = order[i : i + batch_size]
                labels = None if self.labels is None else self.labels[index]
                yield Batch(self.x[index].to(device), labels)


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
