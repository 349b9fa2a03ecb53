"""Settings of the built-in architectures (torch-free, so listing stays fast)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class MLPGANSettings(BaseModel):
    """The classic fully connected GAN (Goodfellow et al. 2014, as the tutorials build it)."""

    model_config = ConfigDict(extra="forbid")

    latent_dim: int = Field(100, ge=1, description="Size of the latent vector z.")
    generator_widths: list[int] = Field(
        [128, 256, 512, 1024], min_length=1, description="Hidden layer widths of G."
    )
    discriminator_widths: list[int] = Field(
        [512, 256], min_length=1, description="Hidden layer widths of D."
    )
    negative_slope: float = Field(0.2, ge=0, lt=1, description="LeakyReLU slope.")
    output: Literal["auto", "tanh", "linear"] = Field(
        "auto",
        description="G's output: tanh scaled to the data range (auto for images) or linear "
        "(auto for points).",
    )
    first_block_batchnorm: bool = Field(
        True,
        description="BatchNorm in G's first hidden block (the PyTorch-GAN tutorial has none "
        "there).",
    )
    batchnorm_eps: float = Field(
        1e-5,
        gt=0,
        description="ε of G's BatchNorm layers (torch's 1e-5; the PyTorch-GAN tutorial's "
        "BatchNorm1d(width, 0.8) passes 0.8 as ε).",
    )


class DCGANSettings(BaseModel):
    """Deep convolutional GAN (Radford et al. 2015)."""

    model_config = ConfigDict(extra="forbid")

    latent_dim: int = Field(100, ge=1, description="Size of the latent vector z.")
    generator_features: int = Field(64, ge=1, description="Feature maps of G's last hidden layer.")
    discriminator_features: int = Field(64, ge=1, description="Feature maps of D's first layer.")
    negative_slope: float = Field(0.2, ge=0, lt=1, description="D's LeakyReLU slope.")
    mapping_layers: int = Field(
        0,
        ge=0,
        description="Fully connected layers (width latent_dim, LeakyReLU) that map z before "
        "G's convolutions, as StyleGAN's mapping network does (0: none, as in the paper).",
    )
    mapping_lr_multiplier: float = Field(
        0.01,
        gt=0,
        le=1,
        description="The mapping layers learn at this fraction of G's learning rate "
        "(StyleGAN's equalised learning rate; 0.01 as StyleGAN).",
    )


class ResNetGANSettings(BaseModel):
    """The 32×32 ResNet GAN of SNGAN and WGAN-GP's CIFAR-10 experiments."""

    model_config = ConfigDict(extra="forbid")

    latent_dim: int = Field(128, ge=1, description="Size of the latent vector z.")
    generator_channels: int = Field(
        256, ge=1, description="Feature maps of G's residual blocks (256 in the papers)."
    )
    discriminator_channels: int = Field(
        128, ge=1, description="Feature maps of D's residual blocks (128 in the papers)."
    )


class CGANSettings(MLPGANSettings):
    """Conditional GAN (Mirza & Osindero 2014): mlp-gan with a label embedding in G and D."""

    label_embedding_dim: int = Field(
        16, ge=1, description="Size of the learned label embedding joined to z and to D's input."
    )
    discriminator_conditioning: Literal["concat", "projection"] = Field(
        "concat",
        description="How D takes the label: 'concat' joins its embedding to the flattened "
        "example (Mirza & Osindero 2014); 'projection' adds the inner product of a learned "
        "per-class vector with D's last hidden features (Miyato & Koyama 2018).",
    )


class CDCGANSettings(DCGANSettings):
    """Conditional DCGAN: a label embedding joined to z, a projection discriminator.

    The discriminator follows Miyato & Koyama (2018).
    """

    label_embedding_dim: int = Field(
        16, ge=1, description="Size of the learned label embedding joined to z in G."
    )


class PacGANMLPSettings(BaseModel):
    """The networks of PacGAN's 2-D experiments (Lin et al. 2018, after VEEGAN)."""

    model_config = ConfigDict(extra="forbid")

    latent_dim: int = Field(2, ge=1, description="Size of the latent vector z.")
    generator_width: int = Field(400, ge=1, description="Width of G's hidden layers.")
    generator_depth: int = Field(4, ge=1, description="Hidden layers of G.")
    generator_batchnorm: bool = Field(
        True,
        description="BatchNorm in G's hidden layers, as in the paper; without it each layer "
        "has a bias instead.",
    )
    discriminator_width: int = Field(200, ge=1, description="Units of D's maxout layers.")
    discriminator_depth: int = Field(3, ge=1, description="Maxout layers of D.")
    maxout_pieces: int = Field(5, ge=1, description="Pieces each maxout unit takes the max of.")
    init_std: float = Field(0.02, gt=0, description="Standard deviation of the initial weights.")
    data_scale: float = Field(
        1.0,
        gt=0,
        description="G's output is multiplied by it and D's input divided by it, so both "
        "networks work on values of unit scale (1: as in the paper).",
    )


class InfoGANSettings(DCGANSettings):
    """InfoGAN (Chen et al. 2016) on DCGAN's networks, with one categorical code.

    G is fed ``latent_dim`` noise values and a one-hot code of ``categories`` values; D
    has a second head, Q, that guesses the code from G's image.
    """

    categories: int = Field(
        10,
        ge=2,
        description="Values of the categorical code. z has latent_dim + categories entries; "
        "the code is the argmax of the last categories, so it is uniform.",
    )
    information_weight: float = Field(
        1.0,
        ge=0,
        description="λ: the weight of Q's cross-entropy on the code, a bound on the mutual "
        "information between code and image, in G's and D's losses.",
    )
    q_width: int = Field(128, ge=1, description="Hidden units of Q's head on D's features.")
