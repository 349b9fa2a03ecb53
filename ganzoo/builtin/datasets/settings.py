"""Settings of the built-in datasets (pydantic only: importing this must not import torch)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DigitsSettings(_Settings):
    """scikit-learn's 8×8 digits, at their own resolution unless resized."""

    image_size: int = Field(
        8,
        ge=4,
        le=1024,
        description="Side of the images: 8, their own resolution, or resized (e.g. 16 or 32 for "
        "dcgan).",
    )


class MnistSettings(_Settings):
    """MNIST-style IDX datasets (MNIST, Fashion-MNIST)."""

    split: Literal["train", "test"] = Field("train", description="Which part of the data.")
    image_size: int = Field(28, ge=4, le=1024, description="Side; resized once when decoded.")


class StackedMnistSettings(MnistSettings):
    """Three MNIST digits stacked as RGB channels."""


class Cifar10Settings(_Settings):
    """CIFAR-10."""

    split: Literal["train", "test"] = Field("train", description="Which part of the data.")
    image_size: int = Field(32, ge=4, le=1024, description="Side; resized once when decoded.")


class ImageFolderSettings(_Settings):
    """Any folder of png, jpg or webp images."""

    path: Path | None = Field(
        None,
        description="Folder searched recursively (relative paths may be under the data root); "
        "default: the data root itself (--data-root).",
    )
    image_size: int = Field(64, ge=4, le=1024, description="Side of the centre-cropped square.")
    channels: Literal[1, 3] = Field(3, description="3 for RGB, 1 for grayscale.")
    labels: Literal["auto", "folders", "none"] = Field(
        "auto",
        description="'folders': one class per first-level subfolder; 'auto': so when every "
        "image is in one of at least two subfolders.",
    )
    in_memory_limit_mb: int = Field(
        2048, ge=0, description="Decode into memory (and cache) up to this size, else stream."
    )
    workers: int | None = Field(
        None, ge=0, description="DataLoader workers when streaming; default: up to 4 CPUs."
    )


class Ring8Settings(_Settings):
    """8 Gaussians on the unit circle."""

    std: float = Field(0.01, gt=0, description="Standard deviation of each Gaussian.")


class Grid25Settings(_Settings):
    """25 Gaussians on a 5×5 grid."""

    std: float = Field(0.05, gt=0, description="Standard deviation of each Gaussian.")
