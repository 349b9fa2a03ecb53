"""Built-in architectures (registration only; implementations are imported on first use)."""

from __future__ import annotations

from ganzoo.builtin.architectures.settings import (
    CDCGANSettings,
    CGANSettings,
    DCGANSettings,
    InfoGANSettings,
    MLPGANSettings,
    PacGANMLPSettings,
    ResNetGANSettings,
)
from ganzoo.builtin.architectures.sizes import DCGAN_SIZES, RESNET_SIZES
from ganzoo.plugins import Registrar


def register_builtin(register: Registrar) -> None:
    """Register ganzoo's built-in architectures."""
    register(
        "mlp-gan",
        "ganzoo.builtin.architectures.mlp:build_mlp_gan",
        MLPGANSettings,
        description="Fully connected GAN: z→128→256→512→1024→data, D data→512→256→1",
        aliases=("gan", "mlp"),
        packs=True,
    )
    register(
        "pacgan-mlp",
        "ganzoo.builtin.architectures.toy:build_pacgan_mlp",
        PacGANMLPSettings,
        description="PacGAN's 2-D networks: G z(2)→4×400 (BatchNorm, ReLU), D 3 maxout "
        "layers (200 units, 5 pieces)",
        packs=True,
    )
    register(
        "dcgan",
        "ganzoo.builtin.architectures.dcgan:build_dcgan",
        DCGANSettings,
        description="Deep convolutional GAN (Radford et al. 2015) for 1- or 3-channel images",
        image_sizes=DCGAN_SIZES,
        packs=True,
    )
    register(
        "resnet-gan",
        "ganzoo.builtin.architectures.resnet:build_resnet_gan",
        ResNetGANSettings,
        description="ResNet GAN for 32×32 images (SNGAN, WGAN-GP on CIFAR-10): G 3 up-blocks "
        "of 256, D 4 blocks of 128, no BatchNorm in D",
        image_sizes=RESNET_SIZES,
        packs=True,
    )
    register(
        "cgan",
        "ganzoo.builtin.architectures.conditional:build_cgan",
        CGANSettings,
        description="Conditional mlp-gan (Mirza & Osindero 2014): a label embedding joined to "
        "z and to D's input",
        aliases=("conditional-gan",),
    )
    register(
        "cdcgan",
        "ganzoo.builtin.architectures.conditional:build_cdcgan",
        CDCGANSettings,
        description="Conditional DCGAN: label embedding joined to z, projection discriminator "
        "(Miyato & Koyama 2018)",
        image_sizes=DCGAN_SIZES,
    )
    register(
        "infogan",
        "ganzoo.builtin.architectures.infogan:build_infogan",
        InfoGANSettings,
        description="InfoGAN (Chen et al. 2016) on DCGAN's networks: a categorical code in z "
        "that D's second head, Q, must read back from the image; needs no labels",
        image_sizes=DCGAN_SIZES,
    )
