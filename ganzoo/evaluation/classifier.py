"""A small CNN domain classifier: its model, training, and safetensors file format.

Its penultimate layer gives the features for the Fréchet distance and precision /
recall of the digit datasets; its class probabilities give class coverage and the
Inception Score.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from ganzoo.errors import WeightsError

CLASSIFIER_VERSION = "1"
"""Bumped whenever the architecture or training recipe changes, so old caches are not reused."""
FEATURE_DIM = 128


class DomainClassifier(nn.Module):
    """Two conv blocks and two linear layers; accepts any image size (adaptive pooling)."""

    def __init__(self, in_channels: int, num_classes: int) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, 16, 5, padding=2, bias=False),
            nn.BatchNorm2d(16),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1, bias=False),
            nn.BatchNorm2d(32),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.AdaptiveAvgPool2d(7),
            nn.Flatten(),
            nn.Linear(32 * 7 * 7, FEATURE_DIM),
            nn.ReLU(inplace=True),
        )
        self.dropout = nn.Dropout(0.25)
        self.head = nn.Linear(FEATURE_DIM, num_classes)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Penultimate-layer features ``(N, 128)`` of images in [-1, 1]."""
        return self.body(images)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits ``(N, num_classes)``."""
        return self.head(self.dropout(self.body(images)))


@dataclass(frozen=True)
class ClassifierOutputs:
    features: torch.Tensor
    """Penultimate-layer features ``(N, 128)``, on the CPU."""
    probabilities: torch.Tensor
    """Softmax class probabilities ``(N, K)``, on the CPU."""


@torch.no_grad()
def classify(
    model: DomainClassifier, images: torch.Tensor, batch_size: int = 1000
) -> ClassifierOutputs:
    """Features and class probabilities of images in [-1, 1], in batches."""
    model.eval()
    device = next(model.parameters()).device
    features, probabilities = [], []
    for batch in images.split(batch_size):
        batch = to_unit_range(batch.to(device))
        hidden = model.features(batch)
        features.append(hidden.float().cpu())
        probabilities.append(model.head(hidden).softmax(dim=1).float().cpu())
    return ClassifierOutputs(torch.cat(features), torch.cat(probabilities))


def to_unit_range(images: torch.Tensor) -> torch.Tensor:
    """Float images in [-1, 1] (uint8 images are rescaled, floats are clamped)."""
    if images.dtype == torch.uint8:
        return images.float().div_(127.5).sub_(1.0)
    return images.float().clamp(-1.0, 1.0)


def to_uint8(images: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)) -> torch.Tensor:
    """Quantise float images in ``value_range`` to uint8 (a quarter of the memory)."""
    low, high = value_range
    scaled = (images.float() - low) / (high - low) * 255.0
    return scaled.round_().clamp_(0, 255).to(torch.uint8)


@dataclass(frozen=True)
class TrainingRecipe:
    """How the classifier is trained (part of the cache key through its fields)."""

    epochs: int = 2
    batch_size: int = 128
    learning_rate: float = 2e-3
    seed: int = 0


def train_classifier(
    images: torch.Tensor,
    labels: torch.Tensor,
    num_classes: int,
    recipe: TrainingRecipe = TrainingRecipe(),
    progress: Callable[[str], None] | None = None,
) -> DomainClassifier:
    """Train a :class:`DomainClassifier` on uint8 (or [-1, 1] float) images ``(N, C, H, W)``.

    Adam with a learning rate that decays linearly to zero; a few seconds per epoch of
    MNIST on a laptop CPU.
    """
    generator = torch.Generator().manual_seed(recipe.seed)
    torch.manual_seed(recipe.seed)
    model = DomainClassifier(images.shape[1], num_classes)
    model.train()
    optimiser = torch.optim.Adam(model.parameters(), lr=recipe.learning_rate)
    steps_per_epoch = math.ceil(len(images) / recipe.batch_size)
    total_steps = recipe.epochs * steps_per_epoch
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: 1 - step / total_steps)
    labels = labels.long()
    for epoch in range(recipe.epochs):
        order = torch.randperm(len(images), generator=generator)
        running = 0.0
        for indices in order.split(recipe.batch_size):
            loss = F.cross_entropy(model(to_unit_range(images[indices])), labels[indices])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            schedule.step()
            running += loss.item() * len(indices)
        if progress is not None and (epoch + 1) % max(1, recipe.epochs // 4) == 0:
            progress(
                f"classifier epoch {epoch + 1}/{recipe.epochs}: loss {running / len(images):.4f}"
            )
    model.eval()
    return model


def accuracy(model: DomainClassifier, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of ``images`` whose predicted class is ``labels``."""
    predicted = classify(model, images).probabilities.argmax(dim=1)
    return (predicted == labels.cpu().long()).double().mean().item()


def save_classifier(model: DomainClassifier, path: Path, metadata: dict[str, str]) -> None:
    """Write the weights and ``metadata`` (strings) as safetensors, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {
        **metadata,
        "format": "ganzoo-domain-classifier",
        "version": CLASSIFIER_VERSION,
        "in_channels": str(model.in_channels),
        "num_classes": str(model.num_classes),
    }
    state = {
        name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()
    }
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")  # one per writer process
    save_file(state, str(partial), metadata=header)
    partial.replace(path)


def load_classifier(
    path: Path, device: torch.device | str = "cpu"
) -> tuple[DomainClassifier, dict[str, str]]:
    """Read a classifier written by :func:`save_classifier`; returns it and its metadata."""
    try:
        with safe_open(str(path), framework="pt") as handle:
            metadata = dict(handle.metadata() or {})
        if metadata.get("format") != "ganzoo-domain-classifier":
            raise ValueError("not a ganzoo domain classifier")
        model = DomainClassifier(int(metadata["in_channels"]), int(metadata["num_classes"]))
        model.load_state_dict(load_file(str(path)))
    except Exception as error:  # any unreadable file (truncated, foreign, wrong shapes)
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise WeightsError(
            f"cannot read classifier {path}: {message}; delete it to retrain"
        ) from error
    model.eval()
    return model.to(device), metadata
