"""stacked-mnist: three independent digits per image, label 100·d0 + 10·d1 + d2."""

from __future__ import annotations

import torch

from ganzoo.builtin.datasets.settings import StackedMnistSettings
from ganzoo.builtin.datasets.stacked import StackedMnistSource, build_stacked_mnist
from ganzoo.data.source import DataContext

CPU = torch.device("cpu")


def build(root, cache_dir) -> StackedMnistSource:
    context = DataContext(data_root=root, cache_dir=cache_dir, download=False)
    return build_stacked_mnist(StackedMnistSettings(), context)


def test_channels_are_mnist_digits_matching_the_label(fake_root, cache_dir) -> None:
    root, _ = fake_root
    source = build(root, cache_dir)
    assert source.spec.shape == (3, 28, 28) and source.spec.num_classes == 1000
    assert source.mnist.size == source.size == 50
    batch = next(source.batches(16, seed=0, device=CPU))
    digits = StackedMnistSource.digits(batch.labels)
    mnist = source.mnist.take(torch.arange(source.size), CPU)
    for image, label_digits in zip(batch.x, digits, strict=True):
        for channel in range(3):
            match = (mnist.x[:, 0] == image[channel]).flatten(1).all(1)
            assert int(mnist.labels[match][0]) == int(label_digits[channel])


def test_channels_are_drawn_independently_and_resumably(fake_root, cache_dir) -> None:
    root, _ = fake_root
    source = build(root, cache_dir)
    fresh = source.batches(16, seed=2, device=CPU)
    batches = [next(fresh) for _ in range(5)]
    assert not torch.equal(batches[0].x[:, 0], batches[0].x[:, 1])
    resumed = next(source.batches(16, seed=2, device=CPU, start=4))
    assert torch.equal(resumed.x, batches[4].x) and torch.equal(resumed.labels, batches[4].labels)
    sample = source.sample(200, seed=0, device=CPU)
    assert len(torch.unique(sample.labels)) > 150  # far more modes than MNIST's ten
