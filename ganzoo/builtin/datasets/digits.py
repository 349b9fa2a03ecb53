"""digits: scikit-learn's bundled 8×8 handwritten digits, the default dataset."""

from __future__ import annotations

import torch

from ganzoo.builtin.datasets.settings import DigitsSettings
from ganzoo.data import InMemorySource, resize_uint8
from ganzoo.data.source import DataContext


def build_digits(settings: DigitsSettings, context: DataContext) -> InMemorySource:
    """The 1,797 digits (values 0..16) as uint8, resized to ``image_size``."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    values = torch.from_numpy(bunch.images).to(torch.float32)  # (N, 8, 8), 0..16
    images = (values * (255.0 / 16.0)).round_().to(torch.uint8).unsqueeze(1)
    labels = torch.from_numpy(bunch.target).to(torch.long)
    return InMemorySource(
        resize_uint8(images, settings.image_size),
        labels,
        num_classes=10,
        name="digits",
        origin="scikit-learn's bundled copy",
    )
