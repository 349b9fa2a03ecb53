"""digits: scikit-learn's bundled 8×8 handwritten digits, the default dataset."""

from __future__ import annotations

from importlib.metadata import version

import torch

from ganzoo.builtin.datasets.settings import DigitsSettings
from ganzoo.data import InMemorySource, load_tensors, resize_uint8, save_tensors, tensor_path
from ganzoo.data.source import DataContext


def build_digits(settings: DigitsSettings, context: DataContext) -> InMemorySource:
    """The 1,797 digits (values 0..16) as uint8, resized to ``image_size``."""
    images, labels = _native_digits(context)
    return InMemorySource(
        resize_uint8(images, settings.image_size),
        labels,
        num_classes=10,
        name="digits",
        origin="scikit-learn's bundled copy",
    )


def _native_digits(context: DataContext) -> tuple[torch.Tensor, torch.Tensor]:
    """The 8×8 images scaled to 0..255, and their labels: from the cache when it has them,
    since importing scikit-learn takes longer than a short run trains."""
    path = tensor_path(context.cache_dir, "digits", version("scikit-learn"))
    cached = load_tensors(path, ("images", "labels"))
    if cached is not None:
        return cached["images"], cached["labels"]
    from sklearn.datasets import load_digits

    bunch = load_digits()
    values = torch.from_numpy(bunch.images).to(torch.float32)  # (N, 8, 8), 0..16
    images = (values * (255.0 / 16.0)).round_().to(torch.uint8).unsqueeze(1)
    labels = torch.from_numpy(bunch.target).to(torch.long)
    save_tensors(path, {"images": images, "labels": labels})
    return images, labels
