"""DiffAugment (Zhao et al. 2020): differentiable augmentations of D's inputs."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ganzoo.data.spec import DataSpec
from ganzoo.errors import ConfigError

Augmentation = Callable[[torch.Tensor], torch.Tensor]
POLICIES: dict[str, Augmentation] = {}


def build_augmentation(policy: str | None, spec: DataSpec) -> Augmentation | None:
    """The composed augmentation for a comma-separated policy, or ``None`` for no policy."""
    if not policy:
        return None
    names = [name.strip() for name in policy.split(",") if name.strip()]
    unknown = [name for name in names if name not in POLICIES]
    if unknown:
        raise ConfigError(
            f"unknown diffaugment policy {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(POLICIES)}"
        )
    if not spec.is_image:
        raise ConfigError("diffaugment applies to images only, and this dataset gives points")
    chosen = [POLICIES[name] for name in names]

    def augment(x: torch.Tensor) -> torch.Tensor:
        for transform in chosen:
            x = transform(x)
        return x

    return augment
