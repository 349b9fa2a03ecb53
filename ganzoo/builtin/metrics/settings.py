"""Settings of the built-in metrics (pydantic only: importing this must not import torch)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DIGIT_DATASETS = ("digits", "mnist", "fashion-mnist")


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModeCoverageSettings(_Settings):
    """Mode coverage of 2-D Gaussian mixtures (VEEGAN / PacGAN protocol)."""

    num_samples: int = Field(
        default=2500, ge=1, description="Generated samples (when -n is not given)."
    )
    threshold: float = Field(
        default=3.0, gt=0, description="A sample within threshold × std of a mean is high quality."
    )


class ClassifierMetricSettings(_Settings):
    """Metrics in the feature space of a digit classifier trained by ganzoo."""

    num_samples: int = Field(
        default=10000, ge=4, description="Generated samples (when -n is not given)."
    )
    k: int = Field(
        default=3, ge=1, description="Nearest neighbours of the precision / recall manifolds."
    )
    confidence: float = Field(
        default=0.9,
        gt=0,
        le=1,
        description="A sample is confident when the classifier gives one class at least this "
        "probability (confident_share).",
    )
    datasets: tuple[str, ...] = Field(
        default=DIGIT_DATASETS, description="Datasets it applies to (each gets its own classifier)."
    )


class FidelitySettings(_Settings):
    """Metrics in the TF-Inception features of torch-fidelity (the FID of published tables)."""

    num_samples: int = Field(
        default=50000, ge=2, description="Generated samples (when -n is not given)."
    )
    batch_size: int = Field(default=64, ge=1, description="Images per Inception forward pass.")
    weights: Path | None = Field(
        default=None,
        description="Inception weights file (.pth state dict or .safetensors); default: "
        "$GANZOO_INCEPTION_WEIGHTS, else torch-fidelity's file in the torch hub cache.",
    )


class FidSettings(FidelitySettings):
    """Fréchet Inception distance (torch-fidelity)."""


class KidSettings(FidelitySettings):
    """Kernel Inception distance (torch-fidelity)."""

    subsets: int = Field(default=100, ge=1, description="Random subsets the MMD is averaged over.")
    subset_size: int = Field(
        default=1000, ge=2, description="Samples per subset (at most the samples at hand)."
    )


class InceptionScoreSettings(FidelitySettings):
    """Inception Score (torch-fidelity)."""

    splits: int = Field(default=10, ge=1, description="Splits the score is averaged over.")


class PrecisionRecallSettings(FidelitySettings):
    """Improved precision and recall (torch-fidelity)."""

    k: int = Field(
        default=3, ge=1, description="Nearest neighbours of the precision / recall manifolds."
    )


class StackedMnistSettings(_Settings):
    """Modes of stacked MNIST (VEEGAN / PacGAN protocol)."""

    num_samples: int = Field(
        default=26000, ge=1, description="Generated samples (when -n is not given)."
    )
