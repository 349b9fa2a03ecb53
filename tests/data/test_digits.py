"""digits: the default dataset, bundled with scikit-learn."""

from __future__ import annotations

import torch

from ganzoo.builtin.datasets.digits import build_digits
from ganzoo.builtin.datasets.settings import DigitsSettings
from ganzoo.data.source import DataContext

CPU = torch.device("cpu")


def test_digits_are_1797_labelled_8x8_images_in_minus_one_to_one() -> None:
    source = build_digits(DigitsSettings(), DataContext())
    assert source.size == 1797
    assert source.spec.shape == (1, 8, 8) and source.spec.num_classes == 10
    assert sorted(torch.unique(source.labels).tolist()) == list(range(10))
    batch = next(source.batches(64, seed=0, device=CPU))
    assert batch.x.shape == (64, 1, 8, 8)
    from sklearn.datasets import load_digits

    # the images are scikit-learn's own pixels (0..16), rescaled, not resampled
    original = torch.as_tensor(load_digits().images[:5], dtype=torch.float32)
    rescaled = (source.images[:5, 0].float() / 255 * 16).round()
    torch.testing.assert_close(rescaled, original)
    everything = source.take(torch.arange(source.size), CPU).x
    assert float(everything.min()) == -1.0 and float(everything.max()) == 1.0


def test_digits_size_is_configurable_and_keeps_the_picture() -> None:
    small = build_digits(DigitsSettings(image_size=8), DataContext())
    large = build_digits(DigitsSettings(image_size=32), DataContext())
    assert large.spec.shape == (1, 32, 32)
    shrunk = torch.nn.functional.interpolate(
        large.images[:20].float(), size=8, mode="area"
    )  # the resized digits still look like the originals
    assert float((shrunk - small.images[:20].float()).abs().mean()) < 20
