"""Mode coverage of stacked MNIST: each channel labelled by the MNIST classifier."""

from __future__ import annotations

import torch

from ganzoo.builtin.metrics.settings import StackedMnistSettings
from ganzoo.data.spec import DataSpec
from ganzoo.evaluation import (
    ClassifierRequest,
    DomainClassifier,
    EvalContext,
    Metric,
    classify,
    get_classifier,
    kl_to_uniform,
)

CHANNELS = 3
NUM_MODES = 10**CHANNELS


def stacked_modes(model: DomainClassifier, images: torch.Tensor) -> torch.Tensor:
    """The mode ``100·d0 + 10·d1 + d2`` of each ``(N, 3, H, W)`` image, digits by channel."""
    n, channels, height, width = images.shape
    if channels != CHANNELS:
        raise ValueError(f"stacked MNIST images have {CHANNELS} channels, got {channels}")
    flat = images.reshape(n * channels, 1, height, width)
    digits = classify(model, flat).probabilities.argmax(dim=1).reshape(n, channels)
    return digits[:, 0] * 100 + digits[:, 1] * 10 + digits[:, 2]


class StackedMnistModes(Metric):
    """``modes_covered`` of ``num_modes`` (1,000) and ``reverse_kl`` (KL(histogram ‖ uniform)).

    A mode is covered when at least one generated sample falls in it (VEEGAN / PacGAN).
    """

    def __init__(self, settings: StackedMnistSettings | None = None) -> None:
        self.settings = settings or StackedMnistSettings()

    def applies_to(self, dataset: str, spec: DataSpec) -> bool:
        return dataset == "stacked-mnist" and spec.is_image and spec.channels == CHANNELS

    def compute(self, context: EvalContext) -> dict[str, float]:
        request = ClassifierRequest.for_context(context, dataset="mnist")
        model, _ = get_classifier(request, device=context.device, log=context.log)
        samples = context.fake_samples(context.samples_for(self.settings.num_samples))
        counts = torch.bincount(stacked_modes(model, samples), minlength=NUM_MODES)
        return {
            "modes_covered": float((counts > 0).sum()),
            "num_modes": float(NUM_MODES),
            "reverse_kl": kl_to_uniform(counts),
        }
