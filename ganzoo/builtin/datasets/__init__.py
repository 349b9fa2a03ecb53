"""Built-in datasets (registration only; implementations are imported on first use)."""

from __future__ import annotations

from ganzoo.builtin.datasets import settings as s
from ganzoo.plugins import Registrar

_PKG = "ganzoo.builtin.datasets"


def register_builtin(register: Registrar) -> None:
    """Register ganzoo's built-in datasets."""
    register(
        "digits",
        f"{_PKG}.digits:build_digits",
        s.DigitsSettings,
        description="scikit-learn's 1,797 handwritten 8×8 digits (no download).",
    )
    register(
        "mnist",
        f"{_PKG}.mnist:build_mnist",
        s.MnistSettings,
        description="MNIST handwritten digits, 60,000 + 10,000 grayscale 28×28 images.",
    )
    register(
        "fashion-mnist",
        f"{_PKG}.mnist:build_fashion_mnist",
        s.MnistSettings,
        description="Fashion-MNIST clothing images, 60,000 + 10,000 grayscale 28×28.",
        aliases=("fashion",),
    )
    register(
        "stacked-mnist",
        f"{_PKG}.stacked:build_stacked_mnist",
        s.StackedMnistSettings,
        description="Three MNIST digits stacked as RGB channels: 1,000 modes.",
    )
    register(
        "cifar10",
        f"{_PKG}.cifar:build_cifar10",
        s.Cifar10Settings,
        description="CIFAR-10, 50,000 + 10,000 colour 32×32 images in 10 classes.",
        aliases=("cifar-10",),
    )
    register(
        "image-folder",
        f"{_PKG}.folder:build_image_folder",
        s.ImageFolderSettings,
        description="Any folder of png, jpg or webp images, centre-cropped and resized.",
        aliases=("folder",),
    )
    register(
        "ring8",
        f"{_PKG}.mixtures:build_ring8",
        s.Ring8Settings,
        description="8 Gaussians on the unit circle (std 0.01), for mode collapse.",
    )
    register(
        "grid25",
        f"{_PKG}.mixtures:build_grid25",
        s.Grid25Settings,
        description="25 Gaussians on the grid {-4,-2,0,2,4}² (std 0.05), for mode collapse.",
    )
