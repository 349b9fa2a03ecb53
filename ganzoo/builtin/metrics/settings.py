"""Settings of the built-in metrics (pydantic only: importing this must not import torch)."""

from __future__ import annotations

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
    datasets: tuple[str, ...] = Field(
        default=DIGIT_DATASETS, description="Datasets it applies to (each gets its own classifier)."
    )


class InceptionMetricSettings(_Settings):
    """Fréchet Inception distance and precision / recall in Inception-v3 features."""

    num_samples: int = Field(
        default=10000, ge=4, description="Generated samples (when -n is not given)."
    )
    k: int = Field(
        default=3, ge=1, description="Nearest neighbours of the precision / recall manifolds."
    )
    batch_size: int = Field(default=50, ge=1, description="Images per Inception forward pass.")


class StackedMnistSettings(_Settings):
    """Modes of stacked MNIST (VEEGAN / PacGAN protocol)."""

    num_samples: int = Field(
        default=26000, ge=1, description="Generated samples (when -n is not given)."
    )
