"""DiffAugment (Zhao et al. 2020): differentiable augmentations of D's inputs.

Every transform draws its random parameters per example from torch's global random
number generator (which the trainer's checkpoints restore), and is differentiable in
its input, so G's gradients pass through it. The trainer augments every batch D sees,
real and fake alike, each call with fresh draws. The transforms are written for values
in [-1, 1], as in the paper; data in another range is mapped there and back.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from ganzoo.data.spec import DataSpec
from ganzoo.errors import ConfigError

Augmentation = Callable[[torch.Tensor], torch.Tensor]

TRANSLATION_RATIO = 0.125
"""Largest shift, as a fraction of the image side (the paper's 1/8)."""
CUTOUT_RATIO = 0.5
"""Side of the cut-out square, as a fraction of the image side (the paper's 1/2)."""


def _per_example(x: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """Uniform draws in [low, high), one per example, shaped to broadcast over (C, H, W)."""
    draws = torch.rand(x.shape[0], 1, 1, 1, device=x.device, dtype=x.dtype)
    return low + (high - low) * draws


def brightness(x: torch.Tensor) -> torch.Tensor:
    """Add one offset in [-0.5, 0.5) to every pixel of an example."""
    return x + _per_example(x, -0.5, 0.5)


def saturation(x: torch.Tensor) -> torch.Tensor:
    """Scale each pixel's departure from its channel mean by a factor in [0, 2)."""
    mean = x.mean(dim=1, keepdim=True)
    return (x - mean) * _per_example(x, 0.0, 2.0) + mean


def contrast(x: torch.Tensor) -> torch.Tensor:
    """Scale an example's departure from its mean by a factor in [0.5, 1.5)."""
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * _per_example(x, 0.5, 1.5) + mean


def color(x: torch.Tensor) -> torch.Tensor:
    """Brightness, saturation and contrast, each with its own draw per example."""
    return contrast(saturation(brightness(x)))


def translation(x: torch.Tensor, ratio: float = TRANSLATION_RATIO) -> torch.Tensor:
    """Shift each example by whole pixels, up to ``ratio`` of its side, filling with zeros."""
    n, _, height, width = x.shape
    shift_y, shift_x = int(height * ratio + 0.5), int(width * ratio + 0.5)
    if shift_y == 0 and shift_x == 0:
        return x
    dy = torch.randint(-shift_y, shift_y + 1, (n, 1, 1), device=x.device)
    dx = torch.randint(-shift_x, shift_x + 1, (n, 1, 1), device=x.device)
    padded = F.pad(x, [shift_x, shift_x, shift_y, shift_y])
    rows = torch.arange(height, device=x.device).view(1, height, 1) + shift_y - dy
    cols = torch.arange(width, device=x.device).view(1, 1, width) + shift_x - dx
    examples = torch.arange(n, device=x.device).view(n, 1, 1)
    # out[i, :, r, c] = x[i, :, r − dy_i, c − dx_i], and 0 where that falls outside the image
    return padded.permute(0, 2, 3, 1)[examples, rows, cols].permute(0, 3, 1, 2)


def cutout(x: torch.Tensor, ratio: float = CUTOUT_RATIO) -> torch.Tensor:
    """Zero a square of ``ratio`` of the side at a random place in each example (clipped)."""
    n, _, height, width = x.shape
    size_y, size_x = int(height * ratio + 0.5), int(width * ratio + 0.5)
    centre_y = torch.randint(0, height + (1 - size_y % 2), (n, 1), device=x.device)
    centre_x = torch.randint(0, width + (1 - size_x % 2), (n, 1), device=x.device)
    top, left = centre_y - size_y // 2, centre_x - size_x // 2
    rows = torch.arange(height, device=x.device).view(1, height)
    cols = torch.arange(width, device=x.device).view(1, width)
    inside_rows = (rows >= top) & (rows < top + size_y)
    inside_cols = (cols >= left) & (cols < left + size_x)
    keep = ~(inside_rows.unsqueeze(2) & inside_cols.unsqueeze(1))
    return x * keep.unsqueeze(1).to(x.dtype)


POLICIES: dict[str, Augmentation] = {
    "color": color,
    "translation": translation,
    "cutout": cutout,
}
"""The paper's policies, by name; a policy string lists some of them, applied in its order."""


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
    low, high = spec.value_range
    centre, half_range = (high + low) / 2, (high - low) / 2
    rescale = (centre, half_range) != (0.0, 1.0)

    def augment(x: torch.Tensor) -> torch.Tensor:
        if rescale:
            x = (x - centre) / half_range
        for transform in chosen:
            x = transform(x)
        return x * half_range + centre if rescale else x

    return augment
