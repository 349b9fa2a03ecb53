"""The data spec: what a dataset's examples look like, so architectures can adapt."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class DataSpec:
    """Shape, value range and classes of one dataset's examples.

    ``shape`` is per example: ``(C, H, W)`` for images, ``(D,)`` for points.
    """

    shape: tuple[int, ...]
    value_range: tuple[float, float] = (-1.0, 1.0)
    num_classes: int | None = None

    @property
    def is_image(self) -> bool:
        return len(self.shape) == 3

    @property
    def channels(self) -> int:
        return self.shape[0] if self.is_image else 1

    @property
    def image_size(self) -> tuple[int, int]:
        """``(height, width)``; only for images."""
        if not self.is_image:
            raise ValueError(f"data of shape {self.shape} is not an image")
        return self.shape[1], self.shape[2]

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DataSpec:
        num_classes = data.get("num_classes")
        return cls(
            shape=tuple(int(s) for s in data["shape"]),
            value_range=(float(data["value_range"][0]), float(data["value_range"][1])),
            num_classes=None if num_classes is None else int(num_classes),
        )

    def describe(self) -> str:
        dims = "×".join(str(s) for s in self.shape)
        classes = f", {self.num_classes} classes" if self.num_classes else ""
        return f"{dims} in [{self.value_range[0]:g}, {self.value_range[1]:g}]{classes}"
