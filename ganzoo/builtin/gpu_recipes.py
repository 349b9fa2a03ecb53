"""Built-in GPU recipes: CIFAR-10 and Stacked MNIST at the budgets of their published rows.

Every figure below is the source's, quoted with it; none has been reproduced by ganzoo
yet (docs/zoo.md), so each recipe's measured minutes stay empty.
"""

from __future__ import annotations

from typing import Any

from ganzoo.plugins import Registrar
from ganzoo.recipes import Figure, Protocol, Recipe, Reference

GAN_COLLECTIONS = "pytorch-gan-collections (w86763777), CIFAR-10"
GAN_COLLECTIONS_URL = "https://github.com/w86763777/pytorch-gan-collections"
FID_TRAIN_50K = Protocol(
    metrics=["fid"],
    num_samples=50_000,
    description="50,000 samples per seed against the CIFAR-10 training set, Fréchet distance "
    "in the TF-Inception features of torch-fidelity (the FID of published tables)",
)
CIFAR_STEPS = 100_000
"""Generator updates in every CIFAR-10 row of the source."""
CIFAR_DEPARTURES = [
    "no random horizontal flips of the training images (ganzoo has no flip augmentation)",
    "G's update uses a batch as large as D's; the source's ResNet scripts draw twice as many",
]

PACGAN_STACKED = "Lin et al. 2018, PacGAN, Table 2 (Stacked MNIST, VEEGAN's setting)"
PACGAN_URL = "https://arxiv.org/abs/1712.04086"
STACKED_MODES = Protocol(
    metrics=["stacked-mnist-modes"],
    num_samples=26_000,
    description="26,000 samples per seed; each channel labelled by ganzoo's MNIST classifier; "
    "modes covered out of 1,000 and KL of the mode histogram to uniform (VEEGAN / PacGAN)",
)
STACKED_ROWS: dict[int, tuple[Figure, Figure]] = {
    1: (Figure(value=99.0), Figure(value=3.40, better="lower")),
    2: (Figure(value=1000.0, sd=0.0), Figure(value=0.06, sd=0.01, better="lower")),
}
"""Published (modes covered, KL) of DCGAN and PacDCGAN2, ± as the paper gives them."""


def cifar_recipe(config: dict[str, Any], fid: float, row: str, departures: list[str]) -> Recipe:
    """A CIFAR-10 recipe held to the source's FID ``fid`` (train set, 50k samples)."""
    return Recipe(
        config={
            "dataset": "cifar10",
            "steps": CIFAR_STEPS,
            "lr_decay": "linear",
            **config,
        },
        protocol=FID_TRAIN_50K,
        reference=Reference(
            source=f"{GAN_COLLECTIONS}, {row}",
            url=GAN_COLLECTIONS_URL,
            seeds=1,
            figures={"fid.fid": Figure(value=fid, better="lower")},
        ),
        departures=departures,
        default_seeds=1,
        hardware="gpu",
        notes="Not yet run: needs a GPU (hours per seed). Trains in fp32 as the source does; "
        "--precision bf16 trains faster on GPUs that have it.",
    )


def stacked_recipe(pack: int) -> Recipe:
    """DCGAN (PacDCGAN``pack``) on Stacked MNIST, held to PacGAN's VEEGAN-setting row."""
    modes, kl = STACKED_ROWS[pack]
    row = "DCGAN" if pack == 1 else f"PacDCGAN{pack}"
    return Recipe(
        config={
            "architecture": "dcgan",
            "loss": "non-saturating",
            "dataset": "stacked-mnist",
            "steps": 50_000,
            "batch_size": 64 * pack,
            "pack": pack,
            "loss_settings": {"lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "beta2": 0.999},
        },
        protocol=STACKED_MODES,
        reference=Reference(
            source=f"{PACGAN_STACKED}, {row}",
            url=PACGAN_URL,
            figures={
                "stacked-mnist-modes.modes_covered": modes,
                "stacked-mnist-modes.reverse_kl": kl,
            },
        ),
        departures=[
            "ganzoo's dcgan at 28×28 stands in for VEEGAN's DCGAN networks",
            "50,000 steps of 64 examples (64 packs when packing) with DCGAN's "
            "Adam(2e-4, β₁ = 0.5): our budget, not the paper's",
            "modes are labelled by ganzoo's own MNIST classifier",
        ],
        default_seeds=3,
        hardware="gpu",
        notes="Not yet run: needs a GPU.",
    )


def register_gpu_recipes(register: Registrar) -> None:
    """Register ganzoo's GPU recipes."""
    register(
        "dcgan-cifar10",
        cifar_recipe(
            {
                "architecture": "dcgan",
                "loss": "non-saturating",
                "batch_size": 128,
                "loss_settings": {"lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "beta2": 0.9},
            },
            42.7,
            "DCGAN",
            [
                "ganzoo's dcgan (Radford et al.'s transposed convolutions) stands in for the "
                "source's cnn32 networks (SNGAN's standard CNN)",
                CIFAR_DEPARTURES[0],
            ],
        ),
        description="DCGAN on CIFAR-10, 100k steps of 128, held to FID 42.7 (GPU)",
    )
    register(
        "wgan-gp-cifar10",
        cifar_recipe(
            {
                "architecture": "resnet-gan",
                "loss": "wgan-gp",
                "batch_size": 64,
                "loss_settings": {"lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.0, "beta2": 0.9},
            },
            16.9,
            "WGAN-GP (ResNet)",
            CIFAR_DEPARTURES,
        ),
        description="WGAN-GP with the 32×32 ResNet on CIFAR-10, held to FID 16.9 (GPU)",
    )
    register(
        "sngan-cifar10",
        cifar_recipe(
            {
                "architecture": "resnet-gan",
                "loss": "hinge",
                "batch_size": 64,
                "spectral_norm": True,
                "loss_settings": {
                    "lr_g": 2e-4,
                    "lr_d": 2e-4,
                    "beta1": 0.0,
                    "beta2": 0.9,
                    "n_critic": 5,
                },
            },
            14.3,
            "SNGAN (ResNet)",
            CIFAR_DEPARTURES,
        ),
        description="SNGAN (hinge, spectral norm) with the 32×32 ResNet on CIFAR-10, held to "
        "FID 14.3 (GPU)",
    )
    register(
        "dcgan-stacked-mnist",
        stacked_recipe(1),
        description="DCGAN on Stacked MNIST (1,000 modes), held to 99 modes / KL 3.4 (GPU)",
    )
    register(
        "pacdcgan2-stacked-mnist",
        stacked_recipe(2),
        description="PacDCGAN2 on Stacked MNIST, held to 1,000 modes / KL 0.06 (GPU)",
    )
